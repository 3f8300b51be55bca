// The generated npm package, end to end: emitted for a tiny model whose kernels are hand-written
// (fixtures/tiny_model.cc implements the ABI of src/codegen/abi.ts), built once with cmake, then
// loaded and run. The behaviour checks live in fixtures/checks.cjs so that the sanitizer build runs
// exactly the same ones in a child process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { emitPackage, buildPackage, sanitizerEnv } from '../../src/codegen/package/index.js';
import { ModelManifest } from '../../src/codegen/abi.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { DiagnosticError } from '../../src/diag/diagnostic.js';

const require = createRequire(import.meta.url);
const FIXTURES = join(import.meta.dirname, 'fixtures');
const { checks } = require('./fixtures/checks.cjs') as {
  checks: (packageDir: string, dataDir: string) => { name: string; run: () => Promise<void> }[];
};
const { weight, bias } = require('./fixtures/tiny-model.cjs') as { weight: Float32Array; bias: Float32Array };

const MANIFEST: ModelManifest = {
  name: 'TinyNet',
  inputs: [{ name: 'x', dtype: 'f32', shape: ['N', '4'] }, { name: 'scale', dtype: 'f32', shape: ['N'] }],
  outputs: [{ name: 'y', dtype: 'f32', shape: ['N', '3'] }, { name: 'best', dtype: 'i64', shape: ['N'] }],
  params: [{ name: 'fc.weight', dtype: 'f32', shape: ['4', '3'] }, { name: 'fc.bias', dtype: 'f32', shape: ['3'] }],
  symbols: [{ name: 'N', from: { input: 0, axis: 0 } }],
  ignoredParams: ['bn.running_var'],
};
const KERNELS = new Map([['model.cc', readFileSync(join(FIXTURES, 'tiny_model.cc'), 'utf8')]]);

const work = mkdtempSync(join(tmpdir(), 'dsc-package-'));
const packageDir = join(work, 'tiny-net');
const dataDir = join(work, 'data');

/** The weight files checks.cjs expects, good and broken. */
function writeWeightFiles() {
  const w = Tensor.fromNumbers('f32', [4, 3], [...weight]);
  const b = Tensor.fromNumbers('f32', [3], [...bias]);
  const files: Record<string, Uint8Array> = {
    'good.safetensors': writeSafetensors({ 'fc.weight': w, 'fc.bias': b }),
    'missing.safetensors': writeSafetensors({ 'fc.weight': w }),
    'extra.safetensors': writeSafetensors({ 'fc.weight': w, 'fc.bias': b, 'fc.extra': b }),
    // a PyTorch state_dict: a BatchNorm step counter and a tensor the model declares but does not read
    'state-dict.safetensors': writeSafetensors({
      'fc.weight': w, 'fc.bias': b, 'bn.running_var': b, 'bn.num_batches_tracked': Tensor.fromNumbers('i64', [], [7]),
    }),
    'wrong-shape.safetensors': writeSafetensors({ 'fc.weight': Tensor.fromNumbers('f32', [3, 4], [...weight]), 'fc.bias': b }),
    'wrong-dtype.safetensors': writeSafetensors({ 'fc.weight': w, 'fc.bias': Tensor.fromNumbers('f64', [3], [...bias]) }),
    'garbage-header.safetensors': Uint8Array.from([16, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('{"fc.weight": [}'), 1, 2, 3]),
    'short.safetensors': Uint8Array.from([1, 2, 3, 4, 5]),
  };
  const good = files['good.safetensors'];
  files['truncated.safetensors'] = good.subarray(0, good.length - 4);
  mkdirSync(dataDir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dataDir, name), bytes);
}

/** Every emitted file (not build outputs) by relative path. */
function emittedFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) { if (e.name !== 'build' && e.name !== 'node_modules') walk(path); }
      else out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  writeWeightFiles();
  emitPackage({ manifest: MANIFEST, kernelFiles: KERNELS, outDir: packageDir });
  await buildPackage(packageDir);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the generated package', () => {
  for (const check of checks(packageDir, dataDir)) it(check.name, check.run);
});

describe('emitPackage', () => {
  it('is deterministic: emitting twice gives identical files', () => {
    const again = join(work, 'again');
    emitPackage({ manifest: MANIFEST, kernelFiles: KERNELS, outDir: again });
    const first = emittedFiles(packageDir);
    const second = emittedFiles(again);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [path, text] of first) expect(second.get(path), path).toBe(text);
    expect([...first.keys()]).toEqual(expect.arrayContaining([
      'package.json', 'CMakeLists.txt', 'README.md', 'index.js', 'index.d.ts', 'src/model.cc', 'src/addon.cc',
      'runtime/model_addon.cc', 'runtime/safetensors.cc', 'runtime/json.cc',
    ]));
  });

  it('gives types that accept the right inputs and reject wrong ones', () => {
    const consumer = (body: string) => {
      const file = join(work, 'consumer', 'consumer.ts');
      mkdirSync(join(work, 'consumer'), { recursive: true });
      writeFileSync(file, `import { Model, Outputs, RunProfile } from '../tiny-net/index.js';\nexport async function f(): Promise<void> {\n${body}\n}\n`);
      const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], lib: ['lib.es2022.d.ts'] });
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    };
    expect(consumer(`
      const m = await Model.load('w.safetensors', { threads: 2 });
      const out: Outputs = await m.run({ x: { data: new Float32Array(8), shape: [2, 4] }, scale: { data: new Float32Array(2), shape: [2] } });
      const y: Float32Array = out.y.data; const cols: 3 = out.y.shape[1]; const best: BigInt64Array = out.best.data;
      const now: Outputs = m.runSync({ x: { data: new Float32Array(4), shape: [1, 4] }, scale: { data: new Float32Array(1), shape: [1] } });
      const profile: RunProfile | null = m.lastProfile;
      const bundled = await Model.load();
      void y; void cols; void best; void now; void profile; bundled.dispose(); m.dispose();`)).toEqual([]);
    expect(consumer(`const m = await Model.load('w'); const out: Outputs = m.run({ x: { data: new Float32Array(8), shape: [2, 4] }, scale: { data: new Float32Array(2), shape: [2] } }); void out;`).join('\n')).toMatch(/Promise<Outputs>/);
    expect(consumer(`const m = await Model.load('w'); m.run({ x: { data: new Float64Array(8), shape: [2, 4] }, scale: { data: new Float32Array(2), shape: [2] } });`).join('\n')).toMatch(/Float64Array/);
    expect(consumer(`const m = await Model.load('w'); m.run({ x: { data: new Float32Array(8), shape: [2, 5] }, scale: { data: new Float32Array(2), shape: [2] } });`).join('\n')).toMatch(/'5' is not assignable to type '4'/);
    expect(consumer(`const m = await Model.load('w'); m.run({ x: { data: new Float32Array(8), shape: [2, 4] } });`).join('\n')).toMatch(/scale/);
  });

  it('lets fully static inputs be bare typed arrays in the types', () => {
    const fixed: ModelManifest = { ...MANIFEST, name: 'Fixed', inputs: [{ name: 'x', dtype: 'f16', shape: ['2', '4'] }], symbols: [] , outputs: [{ name: 'y', dtype: 'f32', shape: ['2', '3'] }] };
    const dir = join(work, 'fixed');
    emitPackage({ manifest: fixed, kernelFiles: KERNELS, outDir: dir });
    const dts = readFileSync(join(dir, 'index.d.ts'), 'utf8');
    expect(dts).toContain('x: Uint16Array | Tensor<Uint16Array, readonly [2, 4]>;');
    expect(dts).toContain('y: Tensor<Float32Array, [2, 3]>;');
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('| `x` | f16 | `[2, 4]` | Uint16Array |');
    expect(readme).toContain('| `fc.weight` | f32 | `[4, 3]` | 12 |');
  });

  it('checks symbolic input dims that are expressions over the symbols', () => {
    const dir = join(work, 'expr');
    const manifest: ModelManifest = { ...MANIFEST, inputs: [...MANIFEST.inputs, { name: 'pairs', dtype: 'u8', shape: ['2*N + 1', 'floor(N, 2)'] }] };
    emitPackage({ manifest, kernelFiles: KERNELS, outDir: dir });
    const glue = readFileSync(join(dir, 'src/addon.cc'), 'utf8');
    expect(glue).toContain('{dsc::DimSpec::Kind::Expr, 0, "2*N + 1"}');
    expect(glue).toContain('case 0: return dsc::dim_add(dsc::dim_mul(int64_t{2}, s[0]), int64_t{1});');
    expect(glue).toContain('case 1: return dsc::dim_floor_div(s[0], 2);');
  });

  it('refuses what the runtime could not check, with DSC6101', () => {
    const attempt = (manifest: ModelManifest, packageName?: string) => () => emitPackage({ manifest, kernelFiles: KERNELS, outDir: join(work, 'refused'), packageName });
    expect(attempt({ ...MANIFEST, params: [{ name: 'w', dtype: 'f32', shape: ['N', '3'] }] })).toThrow(/DSC6101: TinyNet: parameter 'w' axis 0: parameter shapes must be static/);
    expect(attempt({ ...MANIFEST, inputs: [{ name: 'x', dtype: 'f32', shape: ['M', '4'] }] })).toThrow(/DSC6101: .*uses M, which no input binds/);
    expect(attempt(MANIFEST, 'Not A Name')).toThrow(/DSC6101: 'Not A Name' is not a valid npm package name/);
  });
});

const run = promisify(execFile);

describe('buildPackage', () => {
  it('turns compiler errors into DSC6102 carrying the first error lines', async () => {
    const dir = join(work, 'broken');
    emitPackage({ manifest: MANIFEST, kernelFiles: new Map([['model.cc', 'int dsc_run( { this is not C++ }\n']]), outDir: dir });
    const error = await buildPackage(dir).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DiagnosticError);
    const d = (error as DiagnosticError).diagnostics[0];
    expect(d.code).toBe('DSC6102');
    expect(d.message).toMatch(/native build failed \(cmake build\)/);
    expect(d.message).toMatch(/src\/model\.cc:1:\d+: error:/);
  });

  it('npm install builds the package offline with its own install script', { timeout: 600_000 }, async () => {
    const dir = join(work, 'npm-install');
    emitPackage({ manifest: MANIFEST, kernelFiles: KERNELS, outDir: dir });
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: dir });
    const script = `require(${JSON.stringify(dir)}).Model.load(${JSON.stringify(join(dataDir, 'good.safetensors'))}).then((m) => m.run({ x: { data: new Float32Array([1, 1, 1, 1]), shape: [1, 4] }, scale: { data: new Float32Array([2]), shape: [1] } }).then((out) => console.log(JSON.stringify([...out.y.data]))))`;
    const { stdout } = await run(process.execPath, ['-e', script]);
    const expected = [0, 1, 2].map((j) => Math.max(0, bias[j] + weight[j] + weight[3 + j] + weight[6 + j] + weight[9 + j]) * 2);
    JSON.parse(stdout).forEach((v: number, j: number) => expect(v).toBeCloseTo(expected[j], 5));
  });

  it('reports progress lines while building', async () => {
    const lines: string[] = [];
    await buildPackage(packageDir, { onProgress: (l) => lines.push(l) });
    expect(lines.some((l) => /Build files have been written/.test(l))).toBe(true);
  });

  it('builds with AddressSanitizer and UBSan, and the same checks run clean under them', { timeout: 600_000 }, async () => {
    const dir = join(work, 'sanitized');
    emitPackage({ manifest: MANIFEST, kernelFiles: KERNELS, outDir: dir });
    await buildPackage(dir, { sanitize: true });
    // Proof that the addon is instrumented: without the preloaded runtime, ASan refuses to start.
    const unpreloaded = await run(process.execPath, ['-e', `require(${JSON.stringify(join(dir, 'build/Release/dsc_model.node'))})`]).then(
      () => '',
      (e: { stderr: string }) => e.stderr,
    );
    expect(unpreloaded).toMatch(/ASan runtime does not come first/);
    const { stdout, stderr } = await run(process.execPath, [join(FIXTURES, 'checks.cjs'), dir, dataDir], {
      env: { ...process.env, ...sanitizerEnv() },
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(stderr).not.toMatch(/AddressSanitizer|runtime error|LeakSanitizer/);
    const report = JSON.parse(stdout) as { passed: string[]; failed: { name: string; message: string }[] };
    expect(report.failed).toEqual([]);
    expect(report.passed.length).toBe(checks(packageDir, dataDir).length);
  });
});
