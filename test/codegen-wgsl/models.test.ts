// Whole models through the WGSL target. Every .ds example (seeded weights) and every ONNX architecture
// is compiled as `dsc compile --target wgsl` compiles it (the -O1 pipeline, then the package), its
// shaders are validated on Dawn's null backend, and the package's Node entry is loaded once on
// lavapipe and run at batch 1 and 2 against the reference interpreter. Also: i64 inputs and outputs
// (narrowed to i32 words by the executor), deterministic output, and golden WGSL of the MLP and LeNet-5.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { generateWgsl } from '../../src/codegen/wgsl/generate.js';
import { WebGpuModel } from '../../runtime/webgpu/executor.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph, tensorType } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { ARCHITECTURES, ExportState, expectPackageMatches, exportForTests, firstBatch, modelFiles } from '../codegen-e2e/architectures.js';
import { EXAMPLES, compileExample, exampleWeights, inputsFor } from '../codegen-e2e/examples.js';
import { compileWgslPackage, importWgslPackage, lavapipeGpu, validateShader } from './harness.js';

const ONNX_FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const BATCH_SIZES = [1, 2];

/** One model to compile: its graph (weights included) and its inputs at the largest batch. */
interface ModelCase { label: string; graph: () => Graph; inputs: (g: Graph) => Map<string, Tensor> }

const CASES: ModelCase[] = [
  ...EXAMPLES.map((name) => ({
    label: `${name}.ds`,
    graph: () => {
      const g = compileExample(name);
      g.weights = exampleWeights(name, g);
      return g;
    },
    inputs: (g: Graph) => inputsFor(name, g),
  })),
  ...ARCHITECTURES.map((name) => ({
    label: `${name}.onnx`,
    graph: () => importOnnxFile(modelFiles(name).model),
    inputs: (g: Graph) => new Map([[g.inputs[0].name, modelFiles(name).input]]),
  })),
];

let exported: ExportState = { unavailable: [] };
const unavailable = (label: string) => exported.unavailable.some((n) => label === `${n}.onnx`);

describe('wgsl target: whole models', () => {
  beforeAll(() => {
    exported = exportForTests();
  }, 600_000);

  const gpu = lavapipeGpu();
  for (const c of CASES) {
    it(`${c.label}: its package's shaders validate, and batch ${BATCH_SIZES.join(' and ')} match the interpreter on lavapipe (loaded once)`, async (ctx) => {
      if (unavailable(c.label)) ctx.skip(exported.reason);
      const graph = c.graph();
      const { dir, generated } = await compileWgslPackage(graph, c.label.replace('.', '-'));
      // the large models' weights are tens of megabytes
      onTestFinished(() => rmSync(dirname(dir), { recursive: true, force: true }));
      for (const s of generated.wgsl!.shaders) expect(await validateShader(s)).toBe('');
      if (!gpu) return;
      const model = await (await importWgslPackage(dir)).Model.load(join(dir, 'weights.safetensors'), { gpu });
      try {
        const all = c.inputs(graph);
        for (const batch of BATCH_SIZES) {
          const inputs = new Map([...all].map(([k, t]) => [k, firstBatch(t, batch)]));
          const cmp = await expectPackageMatches(model, graph, inputs, `${c.label} batch ${batch}`, graph.weights);
          console.log(`${c.label} batch ${batch} on lavapipe: max abs error ${cmp.maxAbs.toExponential(1)}, max rel ${cmp.maxRel.toExponential(1)}`);
        }
      } finally {
        model.dispose();
      }
    }, 600_000);
  }
});

describe('wgsl target: i64 at the boundary', () => {
  /** y = ids + w, all i64; the graph carries w when given. */
  const offsets = (w?: bigint[]) => {
    const b = new GraphBuilder('offsets');
    const ids = b.input('ids', tensorType('i64', [3]));
    const weight = b.param('w', tensorType('i64', [3]), w && new Tensor('i64', [3], BigInt64Array.from(w)));
    b.output(b.op1('add', [ids, weight], {}, { name: 'y' }));
    return b.graph;
  };
  const i64 = (...values: bigint[]) => ({ dtype: 'i64', shape: [3], data: BigInt64Array.from(values) });
  const I32_MIN = -(2n ** 31n), I32_MAX = 2n ** 31n - 1n;

  const gpu = lavapipeGpu();
  it.skipIf(!gpu)('narrows i64 inputs and weights to i32 words, checking the range, and widens i64 outputs', async () => {
    const plan = generateWgsl(offsets([10n, -20n, 0n])).plan;
    const model = await WebGpuModel.load(gpu!, plan, new Map([['w', i64(10n, -20n, 0n)]]));
    try {
      const y = (await model.run({ ids: i64(1n, I32_MIN + 20n, I32_MAX) })).get('y')!;
      expect(y.data).toEqual(BigInt64Array.of(11n, I32_MIN, I32_MAX));
      await expect(model.run({ ids: i64(0n, I32_MAX + 1n, 0n) })).rejects.toThrow('input ids: element 1 is 2147483648, outside the i32 range');
      await expect(model.run({ ids: i64(0n, 0n, I32_MIN - 1n) })).rejects.toThrow('input ids: element 2 is -2147483649, outside the i32 range');
    } finally {
      model.destroy();
    }
    await expect(WebGpuModel.load(gpu!, plan, new Map([['w', i64(0n, 0n, 2n ** 40n)]]))).rejects.toThrow('weight w: element 2 is 1099511627776, outside the i32 range');
  });

  it('refuses i64 weights with DSC6002 unless the graph carries them and they fit i32', () => {
    expect(() => generateWgsl(offsets([0n, 0n, 0n]))).not.toThrow();
    for (const g of [offsets(), offsets([0n, 0n, 2n ** 31n])])
      expect(() => generateWgsl(g)).toThrow(/DSC6002[\s\S]*param %w \[i64\]: WGSL has no 64-bit types/);
  });
});

describe('wgsl target: generated WGSL', () => {
  const GOLDEN = ['mlp', 'lenet5'];
  const wgslOf = (m: string) => generateWgsl(importOnnxFile(`${ONNX_FIXTURES}${m}.onnx`));

  it('is byte-identical twice', () => {
    for (const m of GOLDEN) expect(wgslOf(m)).toEqual(wgslOf(m));
  });

  it.each(GOLDEN)('%s matches its golden file', async (m) => {
    await expect(wgslOf(m).shaders.map((s) => s.code).join('\n')).toMatchFileSnapshot(`golden/${m}.wgsl`);
  });
});
