// Whole models through the WGSL target: every shader validated by Dawn's null backend, the MLP and
// LeNet-5 run on lavapipe at batch 1 and 2 (one loaded model, two runs: the data buffer is sized per
// run) against the reference interpreter, weights from safetensors bytes, and a golden file of the MLP's WGSL.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateWgsl } from '../../src/codegen/wgsl/generate.js';
import { WebGpuModel } from '../../runtime/webgpu/executor.js';
import { readNpy } from '../../src/formats/npy.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { runGraph } from '../../src/ir/interp.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { tensorType } from '../../src/ir/graph.js';
import { Tensor, sizeOf } from '../../src/ir/tensor.js';
import { compareTensors } from '../conformance/compare.js';
import { lavapipeGpu, toTensor, validateShader } from './harness.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
const MODELS = ['mlp', 'lenet5'];

const graphs = new Map(MODELS.map((m) => [m, importOnnxFile(`${FIXTURES}${m}.onnx`)]));
const programs = new Map([...graphs].map(([m, g]) => [m, generateWgsl(g)]));

function firstBatch(t: Tensor, n: number): Tensor {
  const shape = [n, ...t.shape.slice(1)];
  return new Tensor(t.dtype, shape, t.data.slice(0, sizeOf(shape)) as Tensor['data']);
}

describe('wgsl target: whole models', () => {
  it.each(MODELS)('%s shaders pass validation', async (model) => {
    for (const s of programs.get(model)!.shaders) expect(await validateShader(s)).toBe('');
  });

  const gpu = lavapipeGpu();
  it.skipIf(!gpu).each(MODELS)('%s at batch 1 and 2 on lavapipe', async (model) => {
    const g = graphs.get(model)!;
    const weights = writeSafetensors(new Map(g.params.map((p) => [p.name, g.weights.get(p.name)!])));
    const loaded = await WebGpuModel.load(gpu!, programs.get(model)!.plan, weights);
    try {
      const all = readNpy(readFileSync(`${FIXTURES}${model}.input.npy`), model);
      for (const batch of [1, 2]) {
        const input = firstBatch(all, batch);
        const want = runGraph(g, { [g.inputs[0].name]: input }).get(g.outputs[0].name)!;
        const got = toTensor((await loaded.run({ [g.inputs[0].name]: input })).get(g.outputs[0].name)!);
        expect(got.shape).toEqual(want.shape);
        const cmp = compareTensors(got, want, () => TOLERANCE);
        expect(cmp.ok, `${model} batch ${batch}: ${cmp.reason}`).toBe(true);
      }
    } finally {
      loaded.destroy();
    }
  }, 120_000);

  it('generates byte-identical WGSL twice', () => {
    for (const m of MODELS) expect(generateWgsl(importOnnxFile(`${FIXTURES}${m}.onnx`))).toEqual(programs.get(m));
  });

  it('the MLP matches its golden file', async () => {
    const text = programs.get('mlp')!.shaders.map((s) => s.code).join('\n');
    await expect(text).toMatchFileSnapshot('golden/mlp.wgsl');
  });

  it('refuses i64 tensors at the boundary with DSC6002', () => {
    const b = new GraphBuilder('ids');
    b.output(b.op1('neg', [b.input('x', tensorType('i64', [3]))], {}, { name: 'y' }));
    expect(() => generateWgsl(b.graph)).toThrow(/DSC6002[\s\S]*input %x \[i64\]: WGSL has no 64-bit types/);
  });
});
