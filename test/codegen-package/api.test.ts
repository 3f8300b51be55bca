// One package API on every target: the cpu package (native addon) and the wgsl package (WebGPU)
// declare the same Model.load (weights optional: the bundled ones), run returning a Promise,
// lastProfile and dispose; the cpu one adds runSync. Both ship a bundled weights.safetensors.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatePackage } from '../../src/codegen/compile.js';
import { emitPackage } from '../../src/codegen/package/index.js';
import { wgslPackageFiles } from '../../src/codegen/wgsl-package/emit.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { compileWgslPackage, importWgslPackage, lavapipeGpu } from '../codegen-wgsl/harness.js';

const LENET5 = fileURLToPath(new URL('../fixtures/onnx/lenet5.onnx', import.meta.url));

describe('the package API', () => {
  const cpu = generatePackage(importOnnxFile(LENET5), { target: 'cpu' });
  const wgsl = generatePackage(importOnnxFile(LENET5), { target: 'wgsl' });
  const dir = join(mkdtempSync(join(tmpdir(), 'dsc-api-')), 'lenet5');
  emitPackage({ manifest: cpu.manifest, kernelFiles: cpu.kernelFiles, outDir: dir });
  const cpuTypes = readFileSync(join(dir, 'index.d.ts'), 'utf8');
  const wgslFiles = wgslPackageFiles({ manifest: wgsl.manifest, plan: wgsl.wgsl!.plan, outDir: '' });
  const wgslTypes = wgslFiles.get('index.d.ts')!;

  it('is the same on cpu and wgsl: load with optional weights, run returning a Promise, lastProfile, dispose', () => {
    for (const types of [cpuTypes, wgslTypes]) {
      expect(types).toMatch(/static load\(weights\?: string \| Uint8Array( \| ArrayBuffer)?, options\?: LoadOptions\): Promise<Model>;/);
      expect(types).toContain('run(inputs: Inputs): Promise<Outputs>;');
      expect(types).toMatch(/(get lastProfile\(\)|readonly lastProfile): RunProfile \| null;/);
      expect(types).toContain('dispose(): void;');
      expect(types).toMatch(/profile\?: boolean;/);
      expect(types).toMatch(/readonly ignoredParams: readonly string\[\]/);
    }
    expect(cpuTypes).toContain('runSync(inputs: Inputs): Outputs;');
    expect(cpuTypes).not.toContain('runAsync');
  });

  it('names an ONNX export after its file and ships its bundled weights in package.json files', () => {
    expect(cpu.manifest.name).toBe('Lenet5');
    expect(cpuTypes).toContain('Model Lenet5, compiled ahead of time');
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).files).toContain('weights.safetensors');
    expect(JSON.parse(wgslFiles.get('package.json')!).files).toContain('weights.safetensors');
  });

  const gpu = lavapipeGpu();
  it.skipIf(!gpu)('wgsl: Model.load() with no weights loads the bundled weights.safetensors, and profiles with { profile: true }', { timeout: 300_000 }, async () => {
    const { dir } = await compileWgslPackage(importOnnxFile(LENET5), 'lenet5');
    const { Model } = await importWgslPackage(dir);
    const model = (await Model.load(undefined, { gpu: gpu!, profile: true } as object)) as unknown as {
      run(inputs: object): Promise<Record<string, { shape: number[] }>>;
      lastProfile: { totalMs: number; kernels: { kernel: string; ms: number }[] } | null;
      dispose(): void;
    };
    const out = await model.run({ input: { data: new Float32Array(32 * 32), shape: [1, 1, 32, 32] } });
    expect(out.output.shape).toEqual([1, 10]);
    const shaders = new Set(wgsl.wgsl!.plan.shaders.map((sh) => sh.name));
    expect(model.lastProfile!.kernels.length).toBeGreaterThan(0);
    for (const k of model.lastProfile!.kernels) expect(shaders.has(k.kernel), k.kernel).toBe(true);
    expect(model.lastProfile!.totalMs).toBeGreaterThan(0);
    model.dispose();
  });
});

