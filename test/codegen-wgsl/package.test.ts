// The wgsl target's npm package in Node: `compileToPackage` writes it, its index.js is imported as a
// user would (the `webgpu` dependency linked into its node_modules), and the MLP and LeNet-5 run on
// lavapipe at batch 1 and 2 against the reference interpreter. Also `dsc run --target wgsl`, and the
// browser bundle's freedom from Node imports.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wgslPackageFiles } from '../../src/codegen/wgsl-package/emit.js';
import { generateWgsl } from '../../src/codegen/wgsl/generate.js';
import { manifestOf } from '../../src/codegen/abi.js';
import { main } from '../../src/cli/main.js';
import { readNpy } from '../../src/formats/npy.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { runGraph } from '../../src/ir/interp.js';
import { compareTensors } from '../conformance/compare.js';
import { expectPackageMatches, firstBatch } from '../codegen-e2e/architectures.js';
import { compileWgslPackage, importWgslPackage, lavapipeGpu, toTensor } from './harness.js';
import { WebGpuModel } from '../../runtime/webgpu/executor.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
const MODELS = ['mlp', 'lenet5'];

describe('wgsl package', () => {
  it('is deterministic, and its browser bundle imports nothing but ./model.js', () => {
    const g = importOnnxFile(`${FIXTURES}lenet5.onnx`);
    const opts = () => ({ manifest: manifestOf(g), plan: generateWgsl(g).plan, outDir: '' });
    const files = wgslPackageFiles(opts());
    expect(wgslPackageFiles(opts())).toEqual(files);
    expect([...files.keys()].sort()).toEqual(['README.md', 'browser.js', 'index.d.ts', 'index.js', 'model.js', 'package.json']);
    const imports = [...files.get('browser.js')!.matchAll(/\bimport\b[^;]*?from\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\)/g)].map((m) => m[1] ?? m[2]);
    expect([...new Set(imports)]).toEqual(['./model.js']);
    expect(files.get('index.d.ts')).toContain('input: Tensor<Float32Array, readonly [number, 1, 32, 32]>;');
    expect(files.get('index.d.ts')).toContain('run(inputs: Inputs): Promise<Outputs>;');
  });

  const gpu = lavapipeGpu();
  it.skipIf(!gpu).each(MODELS)('%s through its index.js at batch 1 and 2 on lavapipe', async (model) => {
    const g = importOnnxFile(`${FIXTURES}${model}.onnx`);
    const { dir } = await compileWgslPackage(g, model);
    const pkg = await importWgslPackage(dir);
    const inputName = g.inputs[0].name;
    expect(pkg.manifest.inputs.map((t) => t.name)).toEqual([inputName]);
    // the package's own GPU object, from the `webgpu` package
    const loaded = await pkg.Model.load(join(dir, 'weights.safetensors'));
    try {
      const all = readNpy(readFileSync(`${FIXTURES}${model}.input.npy`), model);
      for (const batch of [1, 2]) await expectPackageMatches(loaded, g, new Map([[inputName, firstBatch(all, batch)]]), `${model} batch ${batch}`);
      await expect(loaded.run({ [inputName]: { data: new Float32Array(3), shape: [3] } })).rejects.toThrow(/input .* has shape \[3\]/);
    } finally {
      loaded.dispose();
    }
  }, 120_000);

  it.skipIf(!gpu)('dsc run --target wgsl matches the interpreter on LeNet-5', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dsc-wgsl-run-'));
    const lines: string[] = [];
    const io = { out: (s: string) => lines.push(s), err: () => {} };
    const input = `${FIXTURES}lenet5.input.npy`;
    const g = importOnnxFile(`${FIXTURES}lenet5.onnx`);
    const code = await main(['run', `${FIXTURES}lenet5.onnx`, '--target', 'wgsl', '--input', `${g.inputs[0].name}=${input}`, '--out', out], io);
    expect(code, lines.join('\n')).toBe(0);
    expect(lines.at(-1)).toMatch(/^ran lenet5\.onnx on wgsl in [0-9.]+ ms$/);
    const file = join(out, `${g.outputs[0].name.replace(/[^A-Za-z0-9_.-]/g, '_')}.npy`);
    const got = readNpy(readFileSync(file), file);
    const want = runGraph(g, { [g.inputs[0].name]: readNpy(readFileSync(input), input) }).get(g.outputs[0].name)!;
    expect(got.shape).toEqual(want.shape);
    const cmp = compareTensors(got, want, () => TOLERANCE);
    expect(cmp.ok, cmp.reason).toBe(true);
  }, 120_000);

  it.skipIf(!gpu)('models loaded on a device the caller owns leave it alive when they are destroyed', async () => {
    const g = importOnnxFile(`${FIXTURES}mlp.onnx`);
    const { plan } = generateWgsl(g);
    const weights = writeSafetensors(new Map(g.params.map((p) => [p.name, g.weights.get(p.name)!])));
    const adapter = await gpu!.requestAdapter();
    const device = await adapter!.requestDevice();
    try {
      const first = await WebGpuModel.load(device, plan, weights);
      const second = await WebGpuModel.load(device, plan, weights);
      first.destroy();
      const input = firstBatch(readNpy(readFileSync(`${FIXTURES}mlp.input.npy`), 'mlp'), 1);
      const want = runGraph(g, new Map([[g.inputs[0].name, input]])).get(g.outputs[0].name)!;
      const got = toTensor((await second.run({ [g.inputs[0].name]: input })).get(g.outputs[0].name)!);
      const cmp = compareTensors(got, want, () => TOLERANCE);
      expect(cmp.ok, cmp.reason).toBe(true);
      second.destroy();
    } finally {
      device.destroy();
    }
  }, 120_000);
});
