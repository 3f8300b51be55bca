// `dsc profile` end to end: ResNet-18 (the .ds example, seeded weights) compiled for the cpu target
// and run with per-kernel timers. The table must have one row per kernel of `dsc report`, every
// generated kernel call must be matched to one of them, and the kernel times must add up to a plain
// run's time (medians, within 10 %): a check of the timers, not of speed.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { profileInputs } from '../../src/profile/profile.js';
import { kernelSourceValues } from '../../src/codegen/targets/target.js';
import { loadModel } from '../../src/frontend/load.js';
import { lavapipeGpu } from '../codegen-wgsl/harness.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RESNET18 = join(ROOT, 'examples', 'resnet18', 'resnet18.ds');

async function dsc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('dsc profile', () => {
  it('profiles ResNet-18 on cpu: one row per report kernel, times that add up to a plain run, and a page', { timeout: 900_000 }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'dsc-profile-'));
    const report = await dsc('report', RESNET18, '--target', 'cpu');
    expect(report.code).toBe(0);
    const reportKernels = Number(/^total\s+(\d+) kernels/m.exec(report.out)![1]);

    const page = join(work, 'resnet18.html');
    // one thread: the suite runs test files side by side, and a second thread would contend with them
    const profiled = await dsc('profile', RESNET18, '--target', 'cpu', '--runs', '5', '--threads', '1', '-o', page);
    expect(profiled.code, profiled.err).toBe(0);
    const total = /^total\s+(\d+) kernels\s+(\d+)\s+([0-9.]+)/m.exec(profiled.out);
    expect(total, profiled.out).not.toBeNull();
    expect(Number(total![1])).toBe(reportKernels);
    expect(profiled.out).not.toMatch(/^\s+\?\s/m);
    const rows = profiled.out.split('\n').filter((l) => /^\s+\d+\s+\S/.test(l));
    expect(rows.length).toBe(reportKernels);
    // every row that runs work has a time and a rate
    for (const row of rows) expect(row).toMatch(/\s[0-9]+\.[0-9]{3}\s+\S+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+$/);

    const sums = /kernels sum to ([0-9.]+) ms; a run without timers takes ([0-9.]+) ms/.exec(profiled.out)!;
    const [kernelMs, plainMs] = [Number(sums[1]), Number(sums[2])];
    expect(kernelMs).toBeGreaterThan(0);
    expect(plainMs).toBeGreaterThan(0);
    // the timers' sum agrees with an untimed run: compared on the fastest runs, which interference cannot make faster
    const fastest = /fastest run: kernels ([0-9.]+) ms, without timers ([0-9.]+) ms/.exec(profiled.out)!;
    const [fastKernels, fastPlain] = [Number(fastest[1]), Number(fastest[2])];
    expect(Math.abs(fastKernels - fastPlain) / fastPlain, `kernels ${fastKernels} ms vs run ${fastPlain} ms`).toBeLessThan(0.1);
    expect(profiled.out).toMatch(/peak: [0-9.]+ GFLOP\/s, [0-9.]+ GB\/s \(measured on \d+ threads?/);

    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect((html.match(/<rect /g) ?? []).length).toBe(reportKernels);
    expect(html).toContain('ResNet18 on cpu');
  });

  const gpu = lavapipeGpu();
  it.skipIf(!gpu)('profiles LeNet-5 on wgsl: every shader is a kernel of the report, timed by GPU timestamps where the adapter has them', { timeout: 300_000 }, async () => {
    const lenet5 = join(ROOT, 'test', 'fixtures', 'onnx', 'lenet5.onnx');
    const profiled = await dsc('profile', lenet5, '--target', 'wgsl', '--runs', '3');
    expect(profiled.code, profiled.err).toBe(0);
    const total = /^total\s+(\d+) kernels\s+(\d+)\s+([0-9.]+)/m.exec(profiled.out);
    expect(total, profiled.out).not.toBeNull();
    const rows = profiled.out.split('\n').filter((l) => /^\s+\d+\s+\S/.test(l));
    expect(rows.length).toBe(Number(total![1]));
    expect(profiled.out).not.toMatch(/^\s+\?\s/m);
    expect(Number(total![2])).toBeGreaterThanOrEqual(rows.length);
    expect(Number(total![3])).toBeGreaterThan(0);
    expect(profiled.out).toMatch(/timers: (GPU timestamps \(timestamp-query\)|one queue submit per shader)/);
    expect(profiled.out).toMatch(/peak: not measured for this target/);
  });

  it('refuses a bad target or run count, naming the flag', async () => {
    expect((await dsc('profile', RESNET18, '--target', 'cuda')).err).toMatch(/DSC9001.*unknown target 'cuda'; available: cpu, wgsl/);
    expect((await dsc('profile', RESNET18, '--runs', '0')).err).toMatch(/DSC9001.*--runs expects a positive integer, got '0'/);
  });
});

describe('profile helpers', () => {
  it('reads the IR values each kernel implements from its source comments', () => {
    const code = [
      '// %fc1.matmul = matmul(%x, %fc1.transpose) : f32[N, 512]',
      '// %"/conv1/Conv_output_0" = conv(%input) : f32[N, 6]',
      'static int k0_matmul_conv(const float* __restrict a) {',
      '}',
      '// %relu = relu(%fc1.add) : f32[N, 512]',
      'static int k1_relu(const float* __restrict a) {',
    ].join('\n');
    expect([...kernelSourceValues(code, /^static int (\w+)\(/)]).toEqual([
      ['k0_matmul_conv', ['fc1.matmul', '/conv1/Conv_output_0']],
      ['k1_relu', ['relu']],
    ]);
  });

  it('fills the inputs not given with seeded values at symbolic dims of 1', () => {
    const graph = loadModel(RESNET18);
    const inputs = profileInputs(graph, new Map());
    const image = inputs.get(graph.inputs[0].name)!;
    expect(image.shape).toEqual([1, 3, 224, 224]);
    expect(profileInputs(graph, new Map()).get(graph.inputs[0].name)!.data).toEqual(image.data);
  });
});
