// `dsc report`: a plain-text account of what the compiler made of a graph — its kernels before and
// after fusion, each kernel's ops, work and memory traffic, and the memory plan's arena against its
// lower bound and against allocating every intermediate separately.
import { dimToString } from '../ir/dim.js';
import { Graph } from '../ir/graph.js';
import { DimSpeller, dimSpellerOf } from '../ir/printer.js';
import { MemoryPlan, PlanMemoryOptions, planMemory } from '../analysis/plan-memory.js';
import { formatBytes, formatCount, formatTable, mib, percent, plural, shorten } from './format.js';
import { KernelStats, kernelStats, unfusedTotals } from './kernel-stats.js';

/** The memory plan's options (the dims the figures are computed for, the target's in-place rule and element sizes), or the plan. */
export interface ReportOptions extends PlanMemoryOptions {
  /** a plan already made for the graph; planned here when absent */
  plan?: MemoryPlan;
}

/** The figures a report states, for tables elsewhere (bench/RESULTS.md). */
export interface ReportFigures {
  kernelsBefore: number;
  kernelsAfter: number;
  flops: number;
  bytesBefore: number;
  bytesAfter: number;
  arenaBytes: number;
  lowerBoundBytes: number;
  noReuseBytes: number;
}

export function reportFigures(graph: Graph, plan: MemoryPlan, stats = kernelStats(plan)): ReportFigures {
  const before = unfusedTotals(graph, plan.dims);
  return {
    kernelsBefore: before.kernels,
    kernelsAfter: plan.kernels.length,
    flops: stats.reduce((s, k) => s + k.flops, 0),
    bytesBefore: before.bytes,
    bytesAfter: stats.reduce((s, k) => s + k.bytes, 0),
    arenaBytes: plan.arenaBytes,
    lowerBoundBytes: plan.lowerBoundBytes,
    noReuseBytes: plan.noReuseBytes,
  };
}

export function dimsText(dims: ReadonlyMap<string, number>): string {
  return dims.size === 0 ? 'static shapes' : [...dims].map(([k, v]) => `${k}=${v}`).join(', ');
}

/** The memory summary line: arena against the lower bound and against no reuse. */
export function memorySummary(f: Pick<ReportFigures, 'arenaBytes' | 'lowerBoundBytes' | 'noReuseBytes'>): string {
  const overBound = f.lowerBoundBytes === 0 ? '-' : `${(f.arenaBytes / f.lowerBoundBytes).toFixed(3)}×`;
  const saved = f.noReuseBytes === 0 ? '-' : percent(f.noReuseBytes - f.arenaBytes, f.noReuseBytes);
  return `arena ${mib(f.arenaBytes)} = ${overBound} the lower bound ${mib(f.lowerBoundBytes)}; ${saved} below no reuse ${mib(f.noReuseBytes)}`;
}

export function reportText(graph: Graph, opts: ReportOptions = {}): string {
  const plan = opts.plan ?? planMemory(graph, opts);
  const stats = kernelStats(plan);
  const f = reportFigures(graph, plan, stats);
  const speller = dimSpellerOf(graph);
  const lines: string[] = [];
  lines.push(`report of ${graph.name} (${dimsText(plan.dims)})`);
  lines.push('');
  lines.push(`kernels  ${f.kernelsBefore} before fusion, ${f.kernelsAfter} after`);
  lines.push(`work     ${formatCount(f.flops, ' ')}FLOP`);
  lines.push(`traffic  ${formatBytes(f.bytesBefore)} before fusion, ${formatBytes(f.bytesAfter)} after (${fusionSaving(f)})`);
  lines.push(`memory   ${memorySummary(f)}`);
  lines.push(`         ${memoryDetail(plan)}`);
  lines.push('');
  lines.push(...kernelTable(stats, speller));
  return lines.join('\n') + '\n';
}

function fusionSaving(f: ReportFigures): string {
  if (f.kernelsBefore === f.kernelsAfter) return 'no kernels fused';
  return `${percent(f.bytesBefore - f.bytesAfter, f.bytesBefore)} less`;
}

function memoryDetail(plan: MemoryPlan): string {
  let aliased = 0, fused = 0;
  for (const s of plan.storage.values()) {
    if (s.kind === 'view') aliased++;
    else if (s.kind === 'fused') fused++;
  }
  const scales = plan.arenaDim === undefined
    ? `valid up to ${dimsText(plan.dims)}`
    : `arena = ${dimToString(plan.arenaDim)} bytes for every ${[...plan.dims.keys()].join(', ') || 'input'}`;
  return `${plural(plan.buffers.length, 'buffer')}, ${plural(plan.inPlace.size, 'value')} written in place, ${plural(aliased, 'value')} aliased, ${plural(fused, 'fused value')}; ${scales}`;
}

function kernelTable(stats: readonly KernelStats[], speller: DimSpeller): string[] {
  const rows: string[][] = [['step', 'ops', 'writes', 'type', 'FLOP', 'moved']];
  for (const s of stats) {
    const main = s.writes[s.writes.length - 1] ?? s.kernel.nodes[s.kernel.nodes.length - 1].outputs[0];
    const more = s.writes.length > 1 ? ` +${s.writes.length - 1}` : '';
    rows.push([String(s.kernel.step), s.ops, shorten(main.name, 40) + more, speller.type(main.type), formatCount(s.flops), formatBytes(s.bytes)]);
  }
  const flops = stats.reduce((a, s) => a + s.flops, 0);
  const bytes = stats.reduce((a, s) => a + s.bytes, 0);
  rows.push(['total', `${stats.length} kernels`, '', '', formatCount(flops), formatBytes(bytes)]);
  return formatTable(rows, ['right', 'left', 'left', 'left', 'right', 'right']);
}
