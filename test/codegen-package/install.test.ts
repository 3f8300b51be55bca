// Installing a generated package as a user does, and its kernel variants: `npm install <folder>` from a
// consumer project runs the package's own install step (no dependencies of its own to be linked), a
// later plain `npm install` keeps it working, and the addon built here runs the MLP example correctly
// with each instruction-set path forced by DSC_CPU_ISA. The results are compared with the interpreter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { generatePackage } from '../../src/codegen/compile.js';
import { buildPackage, emitPackage } from '../../src/codegen/package/index.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from '../conformance/compare.js';
import { compileExample, exampleWeights, inputsFor } from '../codegen-e2e/examples.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'dsc-install-'));
const packageDir = join(work, 'mlp-package');
const consumerDir = join(work, 'consumer');
const graph = compileExample('mlp');
const weights = exampleWeights('mlp', graph);
const inputs = inputsFor('mlp', graph);
const expected = runGraph(graph, inputs, { weights }).get(graph.outputs[0].name)!;
const weightsFile = join(work, 'mlp.safetensors');

/** A script that loads the package `spec` resolves to (from `cwd`), runs it on the inputs and prints { isa, shape, data }. */
function runnerScript(spec: string): string {
  const feeds = Object.fromEntries([...inputs].map(([k, t]) => [k, { data: [...(t.data as Float32Array)], shape: t.shape }]));
  return `const { Model } = require(${JSON.stringify(spec)});
const feeds = ${JSON.stringify(feeds)};
Model.load(${JSON.stringify(weightsFile)}).then(async (m) => {
  const inputs = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, { data: Float32Array.from(v.data), shape: v.shape }]));
  const out = (await m.run(inputs))[${JSON.stringify(graph.outputs[0].name)}];
  console.log(JSON.stringify({ isa: m.isa, shape: out.shape, data: [...out.data] }));
});`;
}

async function runPackage(cwd: string, spec: string, env: Record<string, string> = {}): Promise<{ isa: string }> {
  const { stdout } = await run(process.execPath, ['-e', runnerScript(spec)], { cwd, env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
  const got = JSON.parse(stdout) as { isa: string; shape: number[]; data: number[] };
  const cmp = compareTensors(new Tensor('f32', got.shape, Float32Array.from(got.data)), expected, () => ({ rtol: 1e-4, atol: 1e-5 }));
  expect(cmp.ok, `${spec} (${got.isa}): ${cmp.reason}`).toBe(true);
  return got;
}

/** The kernel variants this CPU can run, best first, as runtime/cpu/isa.cc decides. */
function supportedIsas(): string[] {
  const flags = new Set((/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/));
  const has = (...f: string[]) => f.every((x) => flags.has(x));
  const avx2 = has('avx2', 'fma', 'bmi1', 'bmi2', 'f16c');
  return [...(avx2 && has('avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512cd') ? ['avx512'] : []), ...(avx2 ? ['avx2'] : []), 'baseline'];
}

const x86Linux = process.platform === 'linux' && process.arch === 'x64';

beforeAll(() => {
  writeFileSync(weightsFile, writeSafetensors(weights));
  const gen = generatePackage(graph, { target: 'cpu' });
  emitPackage({ manifest: gen.manifest, kernelFiles: gen.kernelFiles, outDir: packageDir, packageName: 'mlp-model' });
  mkdirSync(consumerDir, { recursive: true });
  writeFileSync(join(consumerDir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm install of a generated package', () => {
  it('declares no dependencies: its install step needs only cmake and a compiler, or a prebuilt addon', () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.scripts).toEqual({ install: 'node install.js' });
    expect(pkg.files).toEqual(expect.arrayContaining(['install.js', 'include', 'prebuilds']));
    for (const header of ['napi.h', 'node_api.h', 'js_native_api.h', 'LICENSE-node-addon-api.md', 'LICENSE-node-api-headers'])
      expect(existsSync(join(packageDir, 'include', 'node-api', header)), header).toBe(true);
  });

  it('`npm install <folder>` in a consumer project builds it, and a later plain `npm install` keeps it working', { timeout: 600_000 }, async () => {
    await run('npm', ['install', packageDir, '--no-audit', '--no-fund'], { cwd: consumerDir });
    expect(existsSync(join(packageDir, 'build', 'Release', 'dsc_model.node'))).toBe(true);
    await runPackage(consumerDir, 'mlp-model');
    await run('npm', ['install', '--no-audit', '--no-fund'], { cwd: consumerDir });
    await runPackage(consumerDir, 'mlp-model');
  });
});

describe('the install step with a prebuilt addon that does not load', () => {
  it('removes it and builds from source, so index.js loads the source build', { timeout: 600_000 }, async () => {
    const prebuilt = join(packageDir, 'prebuilds', `${process.platform}-${process.arch}`, 'dsc_model.node');
    mkdirSync(dirname(prebuilt), { recursive: true });
    writeFileSync(prebuilt, 'not an addon');
    const { stderr } = await run(process.execPath, ['install.js'], { cwd: packageDir, maxBuffer: 16 << 20 });
    expect(stderr).toMatch(/the prebuilt addon does not load here \(.*\); removed it, building from source/);
    expect(existsSync(prebuilt)).toBe(false);
    await runPackage(work, packageDir);
  });
});

describe.runIf(x86Linux)('kernel variants of an x86-64 package', () => {
  const supported = supportedIsas();
  // The install test above builds the package; run alone, these build it themselves.
  beforeAll(async () => {
    if (!existsSync(join(packageDir, 'build', 'Release', 'dsc_model.node'))) await buildPackage(packageDir);
  }, 600_000);

  it('compiles one copy of the kernels per ISA, each with only its own instructions', () => {
    const build = join(packageDir, 'build');
    const disassembly = (isa: string) => execFileSync('objdump', ['-d', '--no-show-raw-insn', join(build, `dsc_kernels_${isa}.o`)], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const baseline = disassembly('baseline');
    const avx2 = disassembly('avx2');
    const avx512 = disassembly('avx512');
    expect(baseline).not.toMatch(/%[yz]mm/);
    expect(avx2).toMatch(/%ymm/);
    expect(avx2).not.toMatch(/%zmm/);
    expect(avx512).toMatch(/%zmm/);
    // Each copy keeps only the renamed C ABI global, so no inline function is shared between copies.
    const globals = (isa: string) => execFileSync('nm', ['--defined-only', '--extern-only', join(build, `dsc_kernels_${isa}.o`)], { encoding: 'utf8' })
      .trim().split('\n').map((l) => l.split(' ').pop()).sort();
    for (const isa of ['baseline', 'avx2', 'avx512'])
      expect(globals(isa)).toEqual([`dsc_${isa}_output_shape`, `dsc_${isa}_run`, `dsc_${isa}_workspace_bytes`]);
  });

  for (const isa of ['avx512', 'avx2', 'baseline']) {
    it(`runs correctly with DSC_CPU_ISA=${isa} (the CPU's best supported path when it lacks ${isa})`, { timeout: 60_000 }, async () => {
      const got = await runPackage(work, packageDir, { DSC_CPU_ISA: isa });
      expect(got.isa).toBe(supported.includes(isa) ? isa : supported[0]);
    });
  }

  it('picks the best path the CPU has when nothing is forced', { timeout: 60_000 }, async () => {
    const got = await runPackage(work, packageDir, { DSC_CPU_ISA: '' });
    expect(got.isa).toBe(supported[0]);
  });
});
