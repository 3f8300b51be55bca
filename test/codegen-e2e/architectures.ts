// The ONNX architectures of test/fixtures: where each one's files are, exporting the large ones with
// PyTorch when they are missing, and loading a built package once to run it many times.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readNpy } from '../../src/formats/npy.js';
import { Tensor, sizeOf } from '../../src/ir/tensor.js';
import { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { dscRoot } from '../../src/codegen/package/toolchain.js';
import { expect } from 'vitest';
import { Comparison, compareTensors } from '../conformance/compare.js';

const PYTHON = '/usr/bin/python3';
// from the installation root, not this file, so that the bundled benchmark (dist/bench.js) finds them too
const FIXTURES = join(dscRoot(), 'test', 'fixtures');
const SCRIPT = join(FIXTURES, 'make_onnx_models.py');
/** models under 5 MB, committed */
const COMMITTED = join(FIXTURES, 'onnx');
/** larger models, written by the script when missing (gitignored) */
const GENERATED = join(FIXTURES, 'generated');

export const ARCHITECTURES = ['mlp', 'lenet5', 'transformer_opset13', 'transformer_opset17', 'resnet18', 'mobilenetv2'];
/** the architectures PyTorch exports on demand (too large to commit) */
export const EXPORTED = new Set(['resnet18', 'mobilenetv2']);

function modelDir(name: string): string | undefined {
  return [COMMITTED, GENERATED].find((dir) => ['onnx', 'input.npy'].every((ext) => existsSync(join(dir, `${name}.${ext}`))));
}

export interface ExportState {
  /** architectures whose files are absent and cannot be exported here */
  unavailable: string[];
  /** why they are unavailable */
  reason?: string;
}

/** Exports the missing architectures with PyTorch; without torch they are unavailable, which CI treats as a failure. */
export function exportMissing(names: readonly string[]): ExportState {
  const missing = names.filter((n) => !modelDir(n));
  if (missing.length === 0) return { unavailable: [] };
  if (spawnSync(PYTHON, ['-c', 'import torch, onnx']).status !== 0)
    return { unavailable: missing, reason: `${PYTHON} cannot import torch and onnx to export ${missing.join(', ')}` };
  const gen = spawnSync(PYTHON, [SCRIPT, GENERATED, '--models', missing.join(',')], { encoding: 'utf8' });
  if (gen.status !== 0) throw new Error(`${SCRIPT} failed:\n${gen.stderr}`);
  return { unavailable: [] };
}

/** exportMissing for every architecture in a test's beforeAll: under CI an unavailable one fails, elsewhere it is skipped with the reason printed. */
export function exportForTests(): ExportState {
  const state = exportMissing(ARCHITECTURES.filter((n) => EXPORTED.has(n)));
  if (state.reason) {
    expect(process.env.CI, `${state.reason}; CI must install python3-torch and python3-onnx`).toBeFalsy();
    console.warn(`skipping ${state.unavailable.join(', ')}: ${state.reason}`);
  }
  return state;
}

export function modelFiles(name: string): { model: string; input: Tensor } {
  const dir = modelDir(name);
  if (!dir) throw new Error(`${name}: fixture files are missing`);
  const inputPath = join(dir, `${name}.input.npy`);
  return { model: join(dir, `${name}.onnx`), input: readNpy(readFileSync(inputPath), inputPath) };
}

/** The first `n` entries along the batch axis. */
export function firstBatch(t: Tensor, n: number): Tensor {
  const shape = [n, ...t.shape.slice(1)];
  return new Tensor(t.dtype, shape, t.data.slice(0, sizeOf(shape)) as Tensor['data']);
}

export type Feeds = Record<string, { data: ArrayBufferView; shape: number[] }>;

export interface LoadedPackage {
  run(inputs: Feeds): Promise<Feeds>;
  dispose(): void;
}

/** Loads a built package's Model with the given weights (safetensors bytes); `threads` as the package's load option. */
export async function loadPackage(dir: string, weights: Uint8Array, threads?: number): Promise<LoadedPackage> {
  const require = createRequire(join(dir, 'index.js'));
  const { Model } = require(join(dir, 'index.js')) as { Model: { load(src: Uint8Array, opts?: { threads?: number }): Promise<LoadedPackage> } };
  return Model.load(weights, threads === undefined ? undefined : { threads });
}

const PACKAGE_TOLERANCE = { rtol: 1e-4, atol: 1e-5 };

/**
 * Expects the first two batch entries of a reference output to differ (their inputs do): a network whose
 * signal died answers every input with its last bias, and comparing that tests nothing.
 */
export function expectLiveOutput(t: Tensor, what: string): void {
  if (t.shape[0] < 2) return;
  const n = t.data.length / t.shape[0];
  const [a, b] = [0, 1].map((k) => Array.from(t.data as Float32Array).slice(k * n, (k + 1) * n));
  const scale = Math.max(1e-6, ...a.map(Math.abs));
  const diff = Math.max(...a.map((x, i) => Math.abs(x - b[i])));
  expect(diff / scale, `${what}: the output does not depend on the input`).toBeGreaterThan(1e-3);
}

/**
 * Runs a loaded package (cpu or wgsl: run resolves to the outputs on every target) and the interpreter on
 * the same inputs; expects the first outputs to agree, and returns how far apart they are.
 */
export async function expectPackageMatches(model: { run(inputs: Feeds): Promise<Feeds> }, graph: Graph, inputs: ReadonlyMap<string, Tensor>, what: string, weights?: ReadonlyMap<string, Tensor>): Promise<Comparison> {
  const want = runGraph(graph, inputs, weights ? { weights } : {}).get(graph.outputs[0].name)!;
  expectLiveOutput(want, what);
  const feeds = Object.fromEntries([...inputs].map(([k, t]) => [k, { data: t.data, shape: [...t.shape] }]));
  const got = (await model.run(feeds))[graph.outputs[0].name];
  expect(got.shape, what).toEqual([...want.shape]);
  const cmp = compareTensors(new Tensor(want.dtype, got.shape, got.data as Tensor['data']), want, () => PACKAGE_TOLERANCE);
  expect(cmp.ok, `${what}: ${cmp.reason}`).toBe(true);
  return cmp;
}
