// The map-grid pass of the GPU mapping, shared by the GPU-like targets (WGSL now; CUDA and Ascend C
// next): a kernel becomes the dispatches a target launches in order, each a kernel whose loops the
// schedule binds (Schedule.dispatch). Each top-level loop nest (or GEMM) is one dispatch; its grid is
// the longest chain of perfectly nested loops whose iterations are independent (no loop-carried
// scalar), extended by the rows and columns of a GEMM at the end of the chain; one invocation runs
// one grid point and the loops below it serially, except where the op class maps a grid point to a
// workgroup (a `thread` loop): GEMM tiles staged through workgroup memory (tile-gemm.ts), and rows
// long enough for a workgroup tree reduction (workgroup-reduce.ts). Top-level immutable lets are
// recomputed by every dispatch; a kernel whose top level carries a mutable scalar across loops (a
// full reduction) runs as one invocation.
import { diag } from '../../diag/diagnostic.js';
import { sourceLoc } from '../../ir/verify.js';
import { assignsOuter } from '../c-printer.js';
import { Expr, GemmTile, GpuDispatch, Kernel, KernelCall, KernelProgram, Stmt, add, applySchedule, bin, div, idx, mul, sub, walkStmts } from '../kernel-ir.js';
import { exprVars } from './exprs.js';
import { GpuMapping, OpClass } from './mapping.js';
import { expandGemm, gemmTileBytes, gemmWorkgroup, tiledGemm } from './tile-gemm.js';
import { workgroupReduce } from './workgroup-reduce.js';

/** The variable of a workgroup's `thread` loop: the invocation's index within its workgroup. */
export const LOCAL_INDEX = 'local_id';

interface GridDim { v: string; start: Expr; end: Expr }

/** One dispatch before it becomes a kernel: its grid, the statements of one grid point, and its op class. */
interface Phase {
  prelude: Stmt[]; grid: GridDim[]; body: Stmt[]; kind: OpClass;
  /** 1 when this variant runs, 0 when its alternative does (index expression over the symbols) */
  gate?: Expr;
}

/** Bounds that only symbols (never loop variables or lets) determine, so the grid is rectangular. */
const symbolic = (e: Expr, symbols: ReadonlySet<string>) => [...exprVars(e)].every((v) => symbols.has(v));

function hasLoop(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => s.k === 'for' || (s.k === 'if' && (hasLoop(s.then) || hasLoop(s.else))));
}

/** The mapping a kernel asks for: the target's table, with the kernel schedule's choices over it, checked against the limits. */
function mappingFor(kernel: Kernel, table: GpuMapping): GpuMapping {
  const wanted = kernel.schedule.gpu;
  const size = wanted?.workgroupSize;
  const tile: GemmTile = wanted?.gemmTile ?? table.gemm;
  const m: GpuMapping = {
    ...table,
    elementwise: { workgroup: size ?? table.elementwise.workgroup },
    serial: { workgroup: size ?? table.serial.workgroup },
    rows: { ...table.rows, workgroup: size ?? table.rows.workgroup },
    dot: { workgroup: size ?? table.dot.workgroup },
    gemm: { ...table.gemm, ...tile },
  };
  const bad = (why: string) => new Error(`internal error: map-grid: the schedule of ${kernel.name} ${why}`);
  const limits = table.limits;
  for (const c of ['elementwise', 'serial', 'rows', 'dot'] as const)
    if (!(m[c].workgroup >= 1 && m[c].workgroup <= limits.maxWorkgroupSize)) throw bad(`asks for ${m[c].workgroup} invocations per workgroup (at most ${limits.maxWorkgroupSize})`);
  // the tree reduction halves the workgroup at each step
  if ((m.rows.workgroup & (m.rows.workgroup - 1)) !== 0) throw bad(`reduces rows over ${m.rows.workgroup} invocations, not a power of two`);
  const t = m.gemm;
  if (t.tm % t.rm || t.tn % t.rn || [t.tm, t.tn, t.tk, t.rm, t.rn].some((x) => !(x >= 1))) throw bad(`has a GEMM tile ${JSON.stringify(tile)} not divided by its register block`);
  if (gemmWorkgroup(t) > limits.maxWorkgroupSize) throw bad(`has a GEMM tile of ${gemmWorkgroup(t)} invocations (at most ${limits.maxWorkgroupSize})`);
  if (gemmTileBytes(t) > limits.sharedMemoryBytes) throw bad(`has a GEMM tile of ${gemmTileBytes(t)} bytes of workgroup memory (at most ${limits.sharedMemoryBytes})`);
  return m;
}

/** The grid chain from a top-level loop or GEMM. */
function chain(top: Stmt, symbols: ReadonlySet<string>, names: () => string, m: GpuMapping): Omit<Phase, 'prelude'>[] {
  const grid: GridDim[] = [];
  const inner: Stmt[] = [];
  let rest: Stmt[] = [top];
  for (;;) {
    if (rest.length !== 1) break;
    const st = rest[0];
    if (st.k === 'gemm') {
      const base = names(), t = m.gemm;
      const [tr, tc, r, c] = [`${base}_tile_row`, `${base}_tile_col`, `${base}_row`, `${base}_col`];
      const tiled = { grid: [...grid, { v: tr, start: idx(0), end: div(add(st.m, idx(t.tm - 1)), idx(t.tm)) }, { v: tc, start: idx(0), end: div(add(st.n, idx(t.tn - 1)), idx(t.tn)) }], body: [...inner, ...tiledGemm(st, base, tr, tc, t, LOCAL_INDEX)], kind: 'gemm' as const };
      const dot = { grid: [...grid, { v: r, start: idx(0), end: st.m }, { v: c, start: idx(0), end: st.n }], body: [...inner, ...expandGemm(st, r, c)], kind: 'dot' as const };
      // 1 when C is large enough for tiles to win, else 0: decided here for static sizes, per run otherwise (the executor skips a dispatch of 0 invocations)
      const atLeast = (x: Expr, n: number) => bin('min', idx(1), bin('max', idx(0), sub(x, idx(n - 1))));
      const gate = mul(atLeast(st.m, t.minRows), atLeast(st.n, t.minCols));
      if (gate.k === 'const') return [Number(gate.value) ? tiled : dot];
      return [{ ...tiled, gate }, { ...dot, gate: sub(idx(1), gate) }];
    }
    if (st.k !== 'for' || assignsOuter(st.body) || !symbolic(st.start, symbols) || !symbolic(st.end, symbols)) break;
    grid.push({ v: st.var, start: st.start, end: st.end });
    let k = 0;
    while (k < st.body.length && st.body[k].k === 'let' && !(st.body[k] as { mutable: boolean }).mutable) k++;
    inner.push(...st.body.slice(0, k));
    rest = st.body.slice(k);
  }
  const body = [...inner, ...rest];
  if (!hasLoop(rest)) return [{ grid, body, kind: 'elementwise' }];
  const rows = grid.length ? workgroupReduce(body, m.rows, LOCAL_INDEX) : undefined;
  return [rows ? { grid, body: rows, kind: 'rows' } : { grid, body, kind: 'serial' }];
}

function phasesOf(kernel: Kernel, symbols: ReadonlySet<string>, m: GpuMapping): Phase[] {
  let n = 0;
  const names = () => `gemm${n++}`;
  const top = kernel.body.filter((s) => s.k !== 'comment');
  const carries = top.some((s) => (s.k === 'let' && s.mutable) || s.k === 'assign');
  if (carries) return [{ prelude: [], grid: [], body: top, kind: 'serial' }];
  const phases: Phase[] = [];
  const prelude: Stmt[] = [];
  let single: Stmt[] = [];
  const flush = () => {
    if (single.length) phases.push({ prelude: [...prelude], grid: [], body: single, kind: 'serial' });
    single = [];
  };
  for (const st of top) {
    if (st.k === 'let') { if (single.length) single.push(st); else prelude.push(st); continue; }
    if (st.k === 'for' || st.k === 'gemm') {
      flush();
      for (const variant of chain(st, symbols, names, m)) phases.push({ prelude: [...prelude], ...variant });
      continue;
    }
    single.push(st);
  }
  flush();
  return phases;
}

/** Arrays have constant sizes on the GPU targets: an array sized by a symbol is refused at the op's source line. */
function requireStaticAllocs(kernel: Kernel, target: string): void {
  for (const st of walkStmts(kernel.body))
    if (st.k === 'alloc' && st.size.k !== 'const')
      throw diag('DSC6002', `the ${target} target needs a static size for the ${st.scope === 'local' ? 'per-invocation' : 'workgroup'} array ${st.name} of kernel ${kernel.name}`, sourceLoc(kernel));
}

/**
 * Split a kernel into the dispatches a GPU-like target launches in order. Each is a kernel whose
 * grid loops (and, where a grid point is a workgroup, its `thread` loop) wrap the statements of one
 * grid point, bound by its Schedule.dispatch; `symbols` are the program's symbol variables.
 */
export function mapGrid(kernel: Kernel, symbols: ReadonlySet<string>, table: GpuMapping, target: string): Kernel[] {
  requireStaticAllocs(kernel, target);
  const m = mappingFor(kernel, table);
  const phases = phasesOf(kernel, symbols, m);
  return phases.map((p, j) => {
    const perWorkgroup = p.kind === 'rows' || p.kind === 'gemm';
    const workgroupSize = p.kind === 'gemm' ? gemmWorkgroup(m.gemm) : m[p.kind].workgroup;
    let body: Stmt[] = [...p.prelude, ...p.body];
    if (perWorkgroup) body = [{ k: 'for', var: LOCAL_INDEX, start: idx(0), end: idx(workgroupSize), body, binding: 'serial' }];
    for (const g of [...p.grid].reverse()) body = [{ k: 'for', var: g.v, start: g.start, end: g.end, body, binding: 'serial' }];
    const dispatch: GpuDispatch = { grid: p.grid.map((g) => g.v), workgroupSize, ...(perWorkgroup ? { thread: LOCAL_INDEX } : {}), ...(p.gate ? { gate: p.gate } : {}) };
    const name = phases.length > 1 ? `${kernel.name}_${j}` : kernel.name;
    // the grid is the dispatch's parallelism: the CPU's parallel loops run serially in a grid point
    const loops = new Set([...walkStmts(body)].flatMap((st) => (st.k === 'for' ? [st.var] : [])));
    const kept = (vars: string[]) => vars.filter((v) => loops.has(v));
    const schedule = { ...kernel.schedule, parallel: [], vector: kept(kernel.schedule.vector), unroll: kept(kernel.schedule.unroll), dispatch };
    return applySchedule({ ...kernel, name, body, schedule });
  });
}

/** mapGrid over a program: each kernel replaced by its dispatches, in order, and its call repeated for each. */
export function mapProgramGrid(program: KernelProgram, table: GpuMapping, target: string): KernelProgram {
  const symbols = new Set(program.symbols);
  const kernels: Kernel[] = [];
  const calls: KernelCall[] = [];
  program.kernels.forEach((k, i) => {
    for (const d of mapGrid(k, symbols, table, target)) {
      kernels.push(d);
      calls.push({ ...program.calls[i], kernel: d.name });
    }
  });
  return { ...program, kernels, calls };
}
