// `dsc profile`: runs a model's compiled package with per-kernel timers and states, per kernel of the
// report (`dsc report --target`: the kernels of the target's memory plan), its median time over the runs, the
// GFLOP/s and GB/s that time achieves on the report's flops and bytes, and the share of the machine's
// measured peak. A report kernel that a target splits into several calls (a conv and its unfolded
// batch norm, say) gets the sum of their times; calls are matched to report kernels by the IR values
// their source comments name.
import { availableParallelism } from 'node:os';
import { Graph, Value } from '../ir/graph.js';
import { dimSymbols, evalDim } from '../ir/dim.js';
import { isFloat } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { diag } from '../diag/diagnostic.js';
import { cacheRoot } from '../codegen/compile.js';
import { ModelManifest } from '../codegen/abi.js';
import { getTarget } from '../codegen/targets/registry.js';
import { KernelTiming, targetPlanning } from '../codegen/targets/target.js';
import { planMemory } from '../analysis/plan-memory.js';
import { kernelStats } from '../report/kernel-stats.js';
import { formatCount, formatTable } from '../report/format.js';
import { MachinePeak, measurePeak } from './peak.js';

export interface ProfileOptions {
  /** a registered target that can profile (its record's `profile`) */
  target: string;
  inputs: ReadonlyMap<string, Tensor>;
  /**
   * weights given to the package at load, as a user's state_dict (every declared tensor; the package
   * skips those it does not read); by default the ones the graph carries into the package (ONNX)
   */
  weights?: ReadonlyMap<string, Tensor>;
  /** profiled runs after one warm-up run (default 10) */
  runs?: number;
  /** cpu: threads a run may use (default: all cores) */
  threads?: number;
  level?: 0 | 1 | 2;
  onStage?: (stage: string, state: 'start' | 'done', ms: number) => void;
}

/** One kernel of the report, with the calls that implement it on the target. */
export interface ProfileRow {
  step: number;
  ops: string;
  /** the target's kernel calls (function or shader names) */
  calls: string[];
  /** median over the runs of the summed time of its calls */
  ms: number;
  flops: number;
  bytes: number;
  gflops: number;
  gbs: number;
  /** share of the peak for the rate that bounds the kernel (the larger of the two shares); NaN without a peak */
  peakShare: number;
}

export interface ModelProfile {
  model: string;
  /** a registered target that can profile (its record's `profile`) */
  target: string;
  runs: number;
  rows: ProfileRow[];
  /** calls no report kernel owns (none when the source comments name every value) */
  unmatched: { kernel: string; ms: number }[];
  /** sum of the rows' medians */
  kernelMs: number;
  /** median of the same number of runs with the timers off, measured around run() */
  plainMs: number;
  /** the fastest profiled run's kernels summed, and the fastest run without timers: interference on a busy machine only slows a run, so these compare best */
  fastestKernelMs: number;
  fastestPlainMs: number;
  /** the CPU's measured peak; undefined on wgsl, whose device this profiler does not measure */
  peak?: MachinePeak;
  /** how kernels were timed */
  timing: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}


/** Symbol values (by name) bound by the given inputs, as the package binds them. */
function symbolValues(manifest: ModelManifest, inputs: ReadonlyMap<string, Tensor>): Map<string, number> {
  const dims = new Map<string, number>();
  for (const s of manifest.symbols) {
    const input = inputs.get(manifest.inputs[s.from.input].name);
    if (input) dims.set(s.name, input.shape[s.from.axis]);
  }
  return dims;
}

/** Compile (or reuse) the model's package for the target and profile it. `graph` is optimized in place. */
export async function profileModel(graph: Graph, opts: ProfileOptions): Promise<ModelProfile> {
  const runs = opts.runs ?? 10;
  if (!(Number.isInteger(runs) && runs >= 1)) throw diag('DSC9001', `dsc profile: --runs expects a positive integer, got ${runs}`);
  const target = getTarget(opts.target, 'profile');
  if (!target.profile) throw diag('DSC9001', `dsc profile: the ${target.name} target has no per-kernel timers`);
  const pkg = await target.profile(graph, opts);
  try {
    // planned as `dsc report --target` plans it, so its kernels are the ones the package launches
    const plan = planMemory(graph, { ...targetPlanning(target), dims: symbolValues(pkg.manifest, opts.inputs) });
    const stats = kernelStats(plan);
    const owner = new Map<string, number>();
    stats.forEach((s, i) => {
      for (const n of s.kernel.nodes) for (const v of n.outputs as Value[]) owner.set(v.name, i);
    });

    await pkg.profiledRun();
    await pkg.plainRun();
    const perRun: KernelTiming[][] = [];
    const plain: number[] = [];
    for (let r = 0; r < runs; r++) {
      perRun.push(await pkg.profiledRun());
      plain.push(await pkg.plainRun());
    }
    const calls = perRun[0].map((c) => c.kernel);
    const callMs = calls.map((_, i) => median(perRun.map((run) => run[i]?.ms ?? 0)));

    const rows: ProfileRow[] = stats.map((s) => ({ step: s.kernel.step, ops: s.ops, calls: [], ms: 0, flops: s.flops, bytes: s.bytes, gflops: 0, gbs: 0, peakShare: NaN }));
    const unmatched: { kernel: string; ms: number }[] = [];
    calls.forEach((name, i) => {
      const index = (pkg.sources.get(name) ?? []).map((v) => owner.get(v)).find((k) => k !== undefined);
      if (index === undefined) unmatched.push({ kernel: name, ms: callMs[i] });
      else {
        rows[index].calls.push(name);
        rows[index].ms += callMs[i];
      }
    });
    const peak = target.hostKernels ? measurePeak(opts.threads ?? availableParallelism(), cacheRoot()) : undefined;
    for (const row of rows) {
      const seconds = row.ms / 1e3;
      row.gflops = seconds > 0 ? row.flops / seconds / 1e9 : 0;
      row.gbs = seconds > 0 ? row.bytes / seconds / 1e9 : 0;
      if (peak) row.peakShare = Math.max(row.gflops / peak.gflops, row.gbs / peak.gbs);
    }
    return {
      model: graph.name,
      target: opts.target,
      runs,
      rows,
      unmatched,
      kernelMs: rows.reduce((s, r) => s + r.ms, 0) + unmatched.reduce((s, u) => s + u.ms, 0),
      plainMs: median(plain),
      fastestKernelMs: Math.min(...perRun.map((run) => run.reduce((t, c) => t + c.ms, 0))),
      fastestPlainMs: Math.min(...plain),
      peak,
      timing: pkg.timing,
    };
  } finally {
    pkg.dispose();
  }
}

/**
 * The given inputs plus, for each input not given, seeded values in [-1, 1) (zeros for integer and
 * bool inputs) at the size where every symbolic dim not bound by a given input is 1.
 */
export function profileInputs(graph: Graph, given: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const env = new Map<string, number>();
  for (const v of graph.inputs) {
    const t = given.get(v.name);
    v.type.shape.forEach((d, axis) => {
      if (t && typeof d !== 'number' && dimSymbols(d).size === 1 && dimSymbols(d).has(d.key)) env.set(d.key, t.shape[axis]);
    });
  }
  for (const v of graph.inputs) for (const d of v.type.shape) for (const s of dimSymbols(d)) if (!env.has(s)) env.set(s, 1);
  let state = 0x9e3779b9;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
  const inputs = new Map(given);
  for (const v of graph.inputs) {
    if (inputs.has(v.name)) continue;
    const shape = v.type.shape.map((d) => evalDim(d, env));
    const count = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: count }, () => (isFloat(v.type.dtype) ? random() : 0));
    inputs.set(v.name, Tensor.fromNumbers(v.type.dtype, shape, values));
  }
  return inputs;
}

const fixed = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** The profile as the terminal shows it: one line per report kernel, then the totals and the method. */
export function profileText(p: ModelProfile): string {
  const rows: string[][] = [['step', 'ops', 'calls', 'ms', 'FLOP', 'GFLOP/s', 'GB/s', '% peak']];
  for (const r of p.rows)
    rows.push([String(r.step), r.ops, String(r.calls.length), fixed(r.ms, 3), formatCount(r.flops), fixed(r.gflops, 2), fixed(r.gbs, 2), Number.isFinite(r.peakShare) ? fixed(100 * r.peakShare, 1) : '-']);
  for (const u of p.unmatched) rows.push(['?', u.kernel, '1', fixed(u.ms, 3), '-', '-', '-', '-']);
  rows.push(['total', `${p.rows.length} kernels`, String(p.rows.reduce((s, r) => s + r.calls.length, 0) + p.unmatched.length), fixed(p.kernelMs, 3), formatCount(p.rows.reduce((s, r) => s + r.flops, 0)), '', '', '']);
  const lines = [
    `profile of ${p.model} on ${p.target} (median of ${p.runs} run${p.runs > 1 ? 's' : ''})`,
    '',
    ...formatTable(rows, ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right']),
    '',
    `kernels sum to ${fixed(p.kernelMs, 3)} ms; a run without timers takes ${fixed(p.plainMs, 3)} ms`,
    `fastest run: kernels ${fixed(p.fastestKernelMs, 3)} ms, without timers ${fixed(p.fastestPlainMs, 3)} ms`,
    `timers: ${p.timing}`,
    p.peak
      ? `peak: ${fixed(p.peak.gflops, 1)} GFLOP/s, ${fixed(p.peak.gbs, 1)} GB/s (${p.peak.method}); % peak is the larger of the two shares`
      : 'peak: not measured for this target (% peak left blank)',
  ];
  return lines.join('\n') + '\n';
}
