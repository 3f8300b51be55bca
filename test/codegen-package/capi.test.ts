// C and CMake without Node: examples/cmake-project includes runtime/cmake/dsc.cmake, whose
// dsc_add_model compiles the MLP example into a static C library at configure time; its C program
// is configured, built and run here, and its output compared with the interpreter. Failures come
// back as codes and messages naming the tensor. Without cmake or a C compiler the suite skips with
// the reason, except under CI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dscRoot } from '../../src/codegen/package/toolchain.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from '../conformance/compare.js';
import { compileExample, exampleWeights, inputsFor } from '../codegen-e2e/examples.js';

const run = promisify(execFile);
const root = dscRoot();
const missing = ['cmake', 'cc', 'c++'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
if (missing.length && process.env.CI) throw new Error(`CI must run the C API test: ${missing.join(', ')} not found`);
if (missing.length) console.warn(`skipping the C API test: ${missing.join(', ')} not found`);

const work = mkdtempSync(join(tmpdir(), 'dsc-capi-'));
const build = join(work, 'build');
const demo = join(build, 'mlp_demo');
const graph = compileExample('mlp');
const weights = exampleWeights('mlp', graph);
const inputs = inputsFor('mlp', graph);
const x = inputs.get(graph.inputs[0].name)!;
const expected = runGraph(graph, inputs, { weights }).get(graph.outputs[0].name)!;

/** Runs the demo; its exit code, stdout and stderr. */
function demoRun(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(demo, args, { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/** Expects the demo's printed logits to match the interpreter's; returns its header line. */
function expectLogits(stdout: string): string {
  const [header, ...rows] = stdout.trim().split('\n');
  const values = Float32Array.from(rows.flatMap((r) => r.trim().split(/\s+/).map(Number)));
  const cmp = compareTensors(new Tensor('f32', [...expected.shape], values), expected, () => ({ rtol: 1e-4, atol: 1e-5 }));
  expect(cmp.ok, cmp.reason).toBe(true);
  return header;
}

beforeAll(() => {
  if (missing.length) return;
  writeFileSync(join(work, 'mlp.safetensors'), writeSafetensors(weights));
  const partial = new Map(weights);
  partial.delete('fc3.bias');
  writeFileSync(join(work, 'partial.safetensors'), writeSafetensors(partial));
  const data = x.data as Float32Array;
  writeFileSync(join(work, 'x.f32'), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  writeFileSync(join(work, 'short.f32'), new Uint8Array(data.buffer, data.byteOffset, 784 * 4 + 4));
  // dsc_add_model runs bin/dsc.js, which needs the bundled CLI (npm test builds it first).
  if (!existsSync(join(root, 'dist', 'dsc.js'))) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(missing.length > 0)('examples/cmake-project: a C program on the MLP through dsc_add_model', () => {
  it('configures (dsc compile --emit) and builds with cmake', { timeout: 900_000 }, async () => {
    await run('cmake', ['-S', join(root, 'examples', 'cmake-project'), '-B', build, '-DCMAKE_BUILD_TYPE=Release'], { maxBuffer: 16 << 20 });
    expect(existsSync(join(build, 'dsc', 'mlp', 'src', 'model.cc'))).toBe(true);
    await run('cmake', ['--build', build, '--parallel', '2'], { maxBuffer: 64 << 20 });
    expect(existsSync(demo)).toBe(true);
  });

  it('prints the logits the interpreter computes, on the best kernels and on the forced baseline', { timeout: 60_000 }, async () => {
    const best = await demoRun([join(work, 'mlp.safetensors'), join(work, 'x.f32')]);
    expect(best.code, best.stderr).toBe(0);
    expect(expectLogits(best.stdout)).toMatch(/^Mlp on (avx512|avx2|baseline): output\[2, 10\]$/);
    const baseline = await demoRun([join(work, 'mlp.safetensors'), join(work, 'x.f32')], { DSC_CPU_ISA: 'baseline' });
    expect(baseline.code, baseline.stderr).toBe(0);
    expect(expectLogits(baseline.stdout)).toMatch(/^Mlp on baseline:/);
  });

  it('reports a missing weight and a wrong input size by name, with an error code, never a crash', { timeout: 60_000 }, async () => {
    const partial = await demoRun([join(work, 'partial.safetensors'), join(work, 'x.f32')]);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/^DSC4005: .*fc3\.bias/m);
    const short = await demoRun([join(work, 'mlp.safetensors'), join(work, 'short.f32')]);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^DSC4004: input 'x' holds 3140 bytes, shape \[1, 784\] of f32 needs 3136/m);
  });
});
