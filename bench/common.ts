// What every part of `npm run bench` shares: the fixture models, the measuring loop (alternating
// slices, medians), output comparison, number formatting, and the writer of RESULTS.md's sections.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy } from '../src/formats/npy.js';
import { Tensor, sizeOf } from '../src/ir/tensor.js';
import { dscRoot } from '../src/codegen/package/toolchain.js';

export const ROOT = dscRoot();
const FIXTURES = join(ROOT, 'test', 'fixtures');
const FIXTURE_DIRS = [join(FIXTURES, 'onnx'), join(FIXTURES, 'generated')];
const PYTHON = '/usr/bin/python3';
export const RESULTS = join(ROOT, 'bench', 'RESULTS.md');

export const MODELS = ['mlp', 'lenet5', 'transformer_opset13', 'transformer_opset17', 'resnet18', 'mobilenetv2'];

/** Outputs agree when every |a - b| ≤ atol + rtol·|b| (b: onnxruntime-node's output). */
export const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };

/**
 * How long one contender is measured: it is done once it has, for any [runs, ms] of `enough`, at least
 * that many runs spanning at least that many milliseconds. Its figure is their median.
 */
export interface Budget {
  enough: [runs: number, ms: number][];
  /** a warm-up slice of this length (at least one run) comes first; its runs are not kept */
  warmupMs: number;
}

export const CPU_BUDGET: Budget = { enough: [[30, 2000]], warmupMs: 300 };
/** software GPUs take up to seconds per run: fewer runs for the slow models */
export const GPU_BUDGET: Budget = { enough: [[20, 2000], [5, 4000], [3, 6000]], warmupMs: 300 };

/** The budget as words, for RESULTS.md. */
export function budgetText(b: Budget): string {
  return b.enough.map(([n, t]) => `${n} runs and ${t / 1000} s`).join(', or ');
}

export const SLICE_MS = 250;

/** Appends the milliseconds of each run in a slice of about `ms` (at least one run) to `samples`. */
export type Slicer = (ms: number, samples: number[]) => Promise<void>;

/** A slicer over a local function. */
export function local(run: () => unknown): Slicer {
  return async (ms, samples) => {
    const end = performance.now() + ms;
    do {
      const t0 = performance.now();
      await run();
      samples.push(performance.now() - t0);
    } while (performance.now() < end);
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Contender {
  /** one slicer per session; a contender with several cycles through them slice by slice */
  slicers: Slicer[];
  budget: Budget;
  /** false: no warm-up slice (a slow contender whose first run, already done, warmed it up) */
  warmup?: boolean;
  /** set (by a slicer) when the contender cannot go on; measuring stops for it */
  failed?: string;
}

/**
 * Warms each contender up, then alternates slices between them until each has met its budget, so
 * that load from other processes hits all of them alike. Returns each session's samples.
 */
export async function measure(contenders: Contender[]): Promise<number[][][]> {
  const samples = contenders.map((c) => c.slicers.map(() => [] as number[]));
  for (const c of contenders) if (c.warmup !== false) for (const s of c.slicers) if (!c.failed) await s(c.budget.warmupMs, []);
  const done = (i: number) => {
    if (contenders[i].failed !== undefined) return true;
    const all = samples[i].flat();
    const total = all.reduce((a, x) => a + x, 0);
    return contenders[i].budget.enough.some(([n, t]) => all.length >= n && total >= t);
  };
  for (let round = 0; !contenders.every((_, i) => done(i)); round++)
    for (let i = 0; i < contenders.length; i++) {
      if (done(i)) continue;
      const k = round % contenders[i].slicers.length;
      await contenders[i].slicers[k](SLICE_MS, samples[i][k]);
    }
  return samples;
}

export function modelFiles(name: string): { model: string; input: Tensor } | undefined {
  const dir = FIXTURE_DIRS.find((d) => existsSync(join(d, `${name}.onnx`)) && existsSync(join(d, `${name}.input.npy`)));
  if (!dir) return undefined;
  const inputPath = join(dir, `${name}.input.npy`);
  return { model: join(dir, `${name}.onnx`), input: readNpy(readFileSync(inputPath), inputPath) };
}

/** Exports the architectures too large to commit with PyTorch; returns those it could not export. */
export function exportMissing(names: string[]): string[] {
  const missing = names.filter((n) => !modelFiles(n));
  if (missing.length === 0) return [];
  const gen = spawnSync(PYTHON, [join(FIXTURES, 'make_onnx_models.py'), join(FIXTURES, 'generated'), '--models', missing.join(',')], { encoding: 'utf8' });
  if (gen.status !== 0) {
    console.warn(`cannot export ${missing.join(', ')} (needs ${PYTHON} with torch and onnx); they are left out:\n${gen.stderr.trim()}`);
    return missing;
  }
  return [];
}

export function firstBatch(t: Tensor, n: number): Tensor {
  const shape = [n, ...t.shape.slice(1)];
  return new Tensor(t.dtype, shape, t.data.slice(0, sizeOf(shape)) as Tensor['data']);
}

/** Largest |a - b| relative to the tolerance atol + rtol·|b|: at most 1 means the outputs agree. */
export function worstError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length && i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (TOLERANCE.atol + TOLERANCE.rtol * Math.abs(b[i])));
  return worst;
}

/** Largest |a - b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length && i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * How an output compares with the reference, for a table cell: ✓ within tolerance, else the largest
 * difference, also as a share of the reference's largest magnitude.
 */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `✗ ${a.length} vs ${b.length} values`;
  const worst = worstError(a, b);
  if (!Number.isFinite(worst)) return '✗ not finite';
  if (worst <= 1) return '✓';
  const diff = maxAbsDiff(a, b), scale = maxAbs(b);
  return `✗ (max diff ${diff.toExponential(1)}${scale > 0 ? `, ${((100 * diff) / scale).toPrecision(2)} % of max \\|y\\|` : ''})`;
}

export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** Replaces the section titled `title` in RESULTS.md (or appends it), keeping every other section. */
export function writeSection(title: string, section: string): void {
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf(`${title}\n`);
  let next: string;
  if (start < 0) next = `${text.trimEnd()}\n\n${section}`;
  else {
    const after = text.indexOf('\n## ', start + title.length);
    next = text.slice(0, start) + section.trimEnd() + '\n' + (after < 0 ? '' : `\n${text.slice(after + 1)}`);
  }
  writeFileSync(RESULTS, next.endsWith('\n') ? next : `${next}\n`);
}

const cleanups = new Set<() => void>();
let handlersInstalled = false;

/**
 * Runs `fn` if the bench is interrupted (SIGINT, SIGTERM) before the returned function is called, so
 * that an interrupted bench leaves no browser or temporary folder behind. Call the returned function
 * to run `fn` now and unregister it.
 */
export function onInterrupt(fn: () => void): () => void {
  if (!handlersInstalled) {
    handlersInstalled = true;
    const handler = (signal: NodeJS.Signals) => {
      for (const c of [...cleanups].reverse()) {
        try { c(); } catch { /* keep cleaning */ }
      }
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', handler).once('SIGTERM', handler);
  }
  cleanups.add(fn);
  return () => {
    if (cleanups.delete(fn)) fn();
  };
}
