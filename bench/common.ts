// What every part of `npm run bench` shares: the fixture models, the measuring loop (alternating
// slices, medians), output comparison, number formatting, and the writer of RESULTS.md's sections.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../src/ir/tensor.js';
import { dscRoot } from '../src/codegen/package/toolchain.js';
import { compareTensors } from '../test/conformance/compare.js';

// the fixture models, their files, exporting the large ones and cutting a batch: as the end-to-end tests have them
export { ARCHITECTURES as MODELS, EXPORTED, exportMissing, firstBatch, modelFiles } from '../test/codegen-e2e/architectures.js';

export const ROOT = dscRoot();
export const RESULTS = join(ROOT, 'bench', 'RESULTS.md');

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

/**
 * How an output compares with the reference, for a table cell: ✓ within tolerance, else the largest
 * difference, also as a share of the reference's largest magnitude.
 */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `✗ ${a.length} vs ${b.length} values`;
  const finite = (v: ArrayLike<number>) => Array.prototype.every.call(v, Number.isFinite);
  if (!finite(a) || !finite(b)) return '✗ not finite';
  const f32 = (v: ArrayLike<number>) => new Tensor('f32', [v.length], Float32Array.from(v));
  const cmp = compareTensors(f32(a), f32(b), () => TOLERANCE);
  if (cmp.ok) return '✓';
  const scale = Array.from(b).reduce((m, y) => Math.max(m, Math.abs(y)), 0);
  return `✗ (max diff ${cmp.maxAbs.toExponential(1)}${scale > 0 ? `, ${((100 * cmp.maxAbs) / scale).toPrecision(2)} % of max \\|y\\|` : ''})`;
}

export const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** The start of a section's first line: the date and the CPU. */
export function machine(): string {
  const cpu = cpus();
  return `${new Date().toISOString().slice(0, 10)} · ${cpu[0].model}, ${cpu.length} cores`;
}

/** The end of a section's first line: the load average when the part started and now. */
export function loadText(atStart: number): string {
  return `load average ${atStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
}

/** Replaces the section titled `title` in RESULTS.md (or appends it), keeping every other section. */
export function writeSection(title: string, body: string[]): void {
  const section = [title, '', ...body].join('\n');
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
