// The WGSL target: a kernel program printed as WebGPU compute shaders plus the plan the executor in
// runtime/webgpu/ follows (see docs/WGSL.md).
//
// Mapping: each top-level loop nest (or GEMM) of a kernel becomes one shader, dispatched in program
// order. Its grid is the longest chain of perfectly nested loops whose iterations are independent
// (no loop-carried scalar), extended by the rows and columns of a GEMM at the end of the chain; one
// invocation runs one grid point, the loops below it serially, except where the op-class table
// (OP_CLASSES) maps a grid point to a workgroup: GEMM tiles staged through workgroup memory, and rows
// long enough for a workgroup tree reduction. Top-level immutable lets are
// recomputed by every shader; a kernel whose top level carries a mutable scalar across loops (a full
// reduction) runs as one invocation.
import { DType } from '../../ir/dtype.js';
import { Graph, Value } from '../../ir/graph.js';
import { isStatic } from '../../ir/dim.js';
import { Tensor } from '../../ir/tensor.js';
import { diag } from '../../diag/diagnostic.js';
import { sourceLoc } from '../../ir/verify.js';
import { assignsOuter } from '../c-printer.js';
import {
  Expr, GemmStmt, Im2colOperand, Kernel, KernelProgram, MatrixOperand, ProgramBuffer, ScalarType, Stmt, add, and, assign, bin, cast, div, ge, idx, ivar,
  letv, lit, load, loop, lt, mul, rem, store, sub, svar, walkStmts, when,
} from '../kernel-ir.js';
import { LowerOptions, lowerGraph } from '../lower/index.js';
import { dimExpr } from '../lower/dims.js';
import type { IndexExpr, WgslBinding, WgslConstant, WgslDType, WgslPlan, WgslShader, WgslTensorSlot } from '../../../runtime/webgpu/plan.js';
import { BufferRef, WgslPrinter } from './printer.js';

/** f32: every tensor in 32-bit words. f16: f32 tensors stored and computed in f16, statistics and dot products accumulated in f32. */
export type Precision = 'f32' | 'f16';

export type WgslOptions = Pick<LowerOptions, 'groups'> & { precision?: Precision };

/** Element types the WGSL target stores (WGSL has no 8/16/64-bit storage types without extensions). */
const STORED: ReadonlySet<DType> = new Set(['f32', 'i32', 'u32', 'bool']);

/** Input and output types the executor carries as i32 words: it checks each value fits on the way in and widens on the way out. */
const NARROWED_AT_RUN: ReadonlySet<DType> = new Set(['i64']);

/** Words reserved at the start of the data buffer: the status word, padded to 16 bytes. */
const STATUS_WORDS = 4;

/** A GEMM tiling: a workgroup computes a tm×tn tile of C over tk-deep slices of A and B, each invocation an rm×rn block. */
interface GemmTiling { workgroup: number; tm: number; tn: number; tk: number; rm: number; rn: number }

/**
 * Workgroup size and tiling per op class (measured on lavapipe: docs/WGSL.md). elementwise: one
 * invocation per grid point, straight-line body; serial: one invocation per grid point running loops
 * (pools, short reductions); rows: one workgroup per grid point whose reduction loops run at least
 * minLength iterations, split over the invocations and combined by a tree in workgroup memory;
 * gemm: one workgroup per tile of C, for C of at least minRows × minCols; dot: one invocation per
 * element of a smaller C, its dot product a serial loop (on lavapipe, tiles lose to it there).
 */
const OP_CLASSES = {
  elementwise: { workgroup: 256 },
  serial: { workgroup: 64 },
  rows: { workgroup: 64, minLength: 65536 },
  gemm: { workgroup: 256, tm: 64, tn: 64, tk: 16, rm: 4, rn: 4, minRows: 64, minCols: 64 } satisfies GemmTiling & { minRows: number; minCols: number },
  dot: { workgroup: 64 },
} as const;

type OpClass = keyof typeof OP_CLASSES;

/** Classes whose grid points are workgroups rather than invocations. */
const PER_WORKGROUP: ReadonlySet<OpClass> = new Set(['rows', 'gemm']);

/** The variable holding the invocation's index within its workgroup. */
const LOCAL_INDEX = 'local_id';

export interface WgslProgram { shaders: WgslShader[]; plan: WgslPlan }

// ---------------------------------------------------------------- support

/** Constants (and carried weights) of i64 whose values fit i32, like ONNX index tensors, are stored as i32; other i64 is refused. */
function narrowable(t: Tensor | undefined): boolean {
  if (t?.dtype !== 'i64') return false;
  for (const v of t.data as BigInt64Array) if (v < -(2n ** 31n) || v >= 2n ** 31n) return false;
  return true;
}

export function checkDtypes(graph: Graph): void {
  const bad: string[] = [];
  const why = (d: DType) => (d === 'i64' || d === 'u64' || d === 'f64' ? 'WGSL has no 64-bit types' : 'WGSL stores only 32-bit elements and bool');
  const boundary = (kind: string, vs: readonly Value[], narrowed: ReadonlySet<DType>) => {
    for (const v of vs) if (!STORED.has(v.type.dtype) && !narrowed.has(v.type.dtype)) bad.push(`${kind} %${v.name} [${v.type.dtype}]: ${why(v.type.dtype)}`);
  };
  boundary('input', graph.inputs, NARROWED_AT_RUN);
  boundary('output', graph.outputs, NARROWED_AT_RUN);
  // i64 weights narrow only when the graph carries them and they fit (the executor checks again as they load)
  boundary('param', graph.params.filter((p) => !(p.type.dtype === 'i64' && narrowable(graph.weights.get(p.name)))), new Set());
  for (const p of graph.params) if (!p.type.shape.every(isStatic)) bad.push(`param %${p.name}: weights need static shapes`);
  for (const n of graph.nodes) {
    if (n.op === 'constant') {
      const t = n.attrs.value as Tensor;
      if (!STORED.has(t.dtype) && !narrowable(t)) bad.push(`constant %${n.outputs[0].name} [${t.dtype}]: ${t.dtype === 'i64' ? 'i64 values beyond the i32 range' : why(t.dtype)}`);
      continue;
    }
    for (const o of n.outputs)
      if (!STORED.has(o.type.dtype) && !graph.outputs.includes(o))
        bad.push(`${n.op}${n.loc ? ` (${n.loc})` : ''} -> %${o.name} [${o.type.dtype}]: ${why(o.type.dtype)}`);
  }
  if (bad.length)
    throw diag('DSC6002', `${graph.name}: ${bad.length} value${bad.length > 1 ? 's' : ''} cannot be compiled for the wgsl target:\n  ${bad.join('\n  ')}`);
}

// ---------------------------------------------------------------- grid mapping

interface GridDim { v: string; start: Expr; extent: Expr }

/** One dispatch: a grid over independent loops, the statements of one grid point, and lets every shader recomputes. */
interface Phase {
  prelude: Stmt[]; grid: GridDim[]; body: Stmt[]; kind: OpClass;
  /** 1 when this variant runs, 0 when its alternative does (index expression over the symbols) */
  gate?: Expr;
}

function exprVars(e: Expr, out: Set<string>): Set<string> {
  switch (e.k) {
    case 'var': out.add(e.name); break;
    case 'load': exprVars(e.index, out); if (e.mask) exprVars(e.mask, out); if (e.other) exprVars(e.other, out); break;
    case 'binary': exprVars(e.a, out); exprVars(e.b, out); break;
    case 'unary': case 'cast': exprVars(e.a, out); break;
    case 'select': exprVars(e.cond, out); exprVars(e.then, out); exprVars(e.else, out); break;
    case 'call': for (const a of e.args) exprVars(a, out); break;
    case 'const': break;
  }
  return out;
}

/** Bounds that only symbols (never loop variables or lets) determine, so the grid is rectangular. */
const symbolic = (e: Expr, symbols: ReadonlySet<string>) => [...exprVars(e, new Set())].every((v) => symbols.has(v));

function hasLoop(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => s.k === 'for' || (s.k === 'if' && (hasLoop(s.then) || hasLoop(s.else))));
}

/** The grid chain from a top-level loop or GEMM. */
function chain(top: Stmt, symbols: ReadonlySet<string>, names: () => string): Omit<Phase, 'prelude'>[] {
  const grid: GridDim[] = [];
  const inner: Stmt[] = [];
  let rest: Stmt[] = [top];
  for (;;) {
    if (rest.length !== 1) break;
    const st = rest[0];
    if (st.k === 'gemm') {
      const base = names(), t = OP_CLASSES.gemm;
      const [tr, tc, r, c] = [`${base}_tile_row`, `${base}_tile_col`, `${base}_row`, `${base}_col`];
      const tiled = { grid: [...grid, { v: tr, start: idx(0), extent: div(add(st.m, idx(t.tm - 1)), idx(t.tm)) }, { v: tc, start: idx(0), extent: div(add(st.n, idx(t.tn - 1)), idx(t.tn)) }], body: [...inner, ...tiledGemm(st, base, tr, tc, t)], kind: 'gemm' as const };
      const dot = { grid: [...grid, { v: r, start: idx(0), extent: st.m }, { v: c, start: idx(0), extent: st.n }], body: [...inner, ...expandGemm(st, r, c)], kind: 'dot' as const };
      // 1 when C is large enough for tiles to win, else 0: decided here for static sizes, per run otherwise (the executor skips a shader of 0 invocations)
      const atLeast = (x: Expr, n: number) => bin('min', idx(1), bin('max', idx(0), sub(x, idx(n - 1))));
      const gate = mul(atLeast(st.m, t.minRows), atLeast(st.n, t.minCols));
      if (gate.k === 'const') return [Number(gate.value) ? tiled : dot];
      return [{ ...tiled, gate }, { ...dot, gate: sub(idx(1), gate) }];
    }
    if (st.k !== 'for' || assignsOuter(st.body) || !symbolic(st.start, symbols) || !symbolic(st.end, symbols)) break;
    grid.push({ v: st.var, start: st.start, extent: sub(st.end, st.start) });
    let k = 0;
    while (k < st.body.length && st.body[k].k === 'let' && !(st.body[k] as { mutable: boolean }).mutable) k++;
    inner.push(...st.body.slice(0, k));
    rest = st.body.slice(k);
  }
  const body = [...inner, ...rest];
  if (!hasLoop(rest)) return [{ grid, body, kind: 'elementwise' }];
  const rows = grid.length ? workgroupRows(body, OP_CLASSES.rows) : undefined;
  return [rows ? { grid, body: rows, kind: 'rows' } : { grid, body, kind: 'serial' }];
}

function phasesOf(kernel: Kernel, symbols: ReadonlySet<string>): Phase[] {
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
      for (const variant of chain(st, symbols, names)) phases.push({ prelude: [...prelude], ...variant });
      continue;
    }
    single.push(st);
  }
  flush();
  return phases;
}

// ---------------------------------------------------------------- workgroup reductions

/** Whether an expression mentions a variable. */
const mentions = (e: Expr, name: string) => exprVars(e, new Set()).has(name);

const sameExpr = (a: Expr, b: Expr) => JSON.stringify(a) === JSON.stringify(b);

/** `e` with every occurrence of `from` replaced by `to`. */
function replaceExpr(e: Expr, from: Expr, to: Expr): Expr {
  if (sameExpr(e, from)) return to;
  const r = (x: Expr) => replaceExpr(x, from, to);
  switch (e.k) {
    case 'load': return { ...e, index: r(e.index), ...(e.mask ? { mask: r(e.mask) } : {}), ...(e.other ? { other: r(e.other) } : {}) };
    case 'binary': return { ...e, a: r(e.a), b: r(e.b) };
    case 'unary': case 'cast': return { ...e, a: r(e.a) };
    case 'select': return { ...e, cond: r(e.cond), then: r(e.then), else: r(e.else) };
    case 'call': return { ...e, args: e.args.map(r) };
    default: return e;
  }
}

/**
 * How two partial results of the accumulator update `acc = value` combine, or undefined when the update
 * is not a fold the tree may reorder: `acc op x` (add, mul, min, max) combines as `p op q`;
 * `select(cond, x, acc)` (max/min written as a comparison, NaN tests included) as `cond` of q against p.
 */
function combiner(acc: string, value: Expr): ((p: Expr, q: Expr) => Expr) | undefined {
  if (value.k === 'binary' && ['add', 'mul', 'min', 'max'].includes(value.op)) {
    const [x, other] = value.a.k === 'var' && value.a.name === acc ? [value.a, value.b] : [value.b, value.a];
    if (x.k !== 'var' || x.name !== acc || mentions(other, acc)) return undefined;
    const op = value.op;
    return (p, q) => bin(op, p, q);
  }
  if (value.k === 'select' && value.else.k === 'var' && value.else.name === acc && !mentions(value.then, acc)) {
    const [p0, q0]: Expr[] = [svar('dsc_p', value.type), svar('dsc_q', value.type)];
    const cond = replaceExpr(replaceExpr(value.cond, value.then, q0), value.else, p0);
    if ([...exprVars(cond, new Set())].some((v) => v !== 'dsc_p' && v !== 'dsc_q')) return undefined;
    return (p, q) => ({ k: 'select', cond: replaceExpr(replaceExpr(cond, p0, p), q0, q), then: q, else: p, type: value.type });
  }
  return undefined;
}

/** A perfect nest of loops with bounds free of the nest's own variables, and its innermost body. */
function perfectNest(st: Stmt): { loops: { v: string; start: Expr; extent: Expr }[]; body: Stmt[] } | undefined {
  const loops: { v: string; start: Expr; extent: Expr }[] = [];
  let cur: Stmt = st;
  for (;;) {
    if (cur.k !== 'for') return undefined;
    const f = cur;
    if (loops.some((l) => mentions(f.start, l.v) || mentions(f.end, l.v))) return undefined;
    loops.push({ v: f.var, start: f.start, extent: sub(f.end, f.start) });
    if (f.body.length === 1 && f.body[0].k === 'for') cur = f.body[0];
    else return { loops, body: f.body };
  }
}

/**
 * The grid point's body spread over a workgroup: every loop nest's iterations are dealt round-robin to
 * the invocations, and each accumulator a nest updates is combined by a tree in workgroup memory, after
 * which every invocation holds the total. Undefined when the body does not fit: loops must be perfect
 * nests of lets, stores and recognized accumulator updates; a buffer stored in one nest may be read only
 * at the same index by a nest of the same shape (so by the invocation that stored it); top-level stores
 * (made by invocation 0) must not be read back; and the longest nest must run at least minLength iterations.
 */
function workgroupRows(body: Stmt[], t: { workgroup: number; minLength: number }): Stmt[] | undefined {
  const lid = ivar(LOCAL_INDEX);
  const accs = new Map<string, ScalarType>();
  const stored = new Map<string, { index: Expr; shape: string }[]>();
  const loads: { buf: string; index: Expr; shape: string }[] = [];
  const collectLoads = (e: Expr, shape: string) => {
    if (e.k === 'load') loads.push({ buf: e.buf, index: e.index, shape });
    switch (e.k) {
      case 'load': collectLoads(e.index, shape); if (e.mask) collectLoads(e.mask, shape); if (e.other) collectLoads(e.other, shape); break;
      case 'binary': collectLoads(e.a, shape); collectLoads(e.b, shape); break;
      case 'unary': case 'cast': collectLoads(e.a, shape); break;
      case 'select': collectLoads(e.cond, shape); collectLoads(e.then, shape); collectLoads(e.else, shape); break;
      case 'call': for (const a of e.args) collectLoads(a, shape); break;
      default: break;
    }
  };
  const stmtLoads = (st: Stmt, shape: string) => {
    if (st.k === 'let' || st.k === 'assign') collectLoads(st.value, shape);
    if (st.k === 'store') { collectLoads(st.index, shape); collectLoads(st.value, shape); if (st.mask) collectLoads(st.mask, shape); }
  };
  let longest = 0;
  const out: Stmt[] = [];
  let nests = 0;
  for (const st of body) {
    if (st.k === 'comment') continue;
    if (st.k === 'let') {
      if (st.mutable) accs.set(st.name, st.type);
      stmtLoads(st, 'top');
      out.push(st);
      continue;
    }
    if (st.k === 'assign') { stmtLoads(st, 'top'); out.push(st); continue; }
    if (st.k === 'store') {
      stmtLoads(st, 'top');
      stored.set(st.buf, [...(stored.get(st.buf) ?? []), { index: st.index, shape: 'top' }]);
      out.push(when(bin('eq', lid, idx(0)), [st]));
      continue;
    }
    if (st.k !== 'for') return undefined;
    const nest = perfectNest(st);
    if (!nest) return undefined;
    const extent = nest.loops.reduce<Expr>((p, l) => mul(p, l.extent), idx(1));
    if (extent.k !== 'const') return undefined;
    longest = Math.max(longest, Number(extent.value));
    const shape = JSON.stringify(nest.loops);
    const updates = new Map<string, (p: Expr, q: Expr) => Expr>();
    for (const s of nest.body) {
      if (s.k === 'assign') {
        const combine = accs.has(s.name) && !updates.has(s.name) ? combiner(s.name, s.value) : undefined;
        if (!combine) return undefined;
        updates.set(s.name, combine);
      } else if (s.k === 'store') stored.set(s.buf, [...(stored.get(s.buf) ?? []), { index: s.index, shape }]);
      else if (s.k !== 'let' || s.mutable) { if (s.k !== 'comment') return undefined; }
      stmtLoads(s, shape);
    }
    // an accumulator's partial value must not be read inside the nest that folds it
    for (const s of nest.body) {
      const reads = s.k === 'let' ? [s.value] : s.k === 'store' ? [s.index, s.value] : s.k === 'assign' ? [s.value] : [];
      for (const acc of updates.keys()) if (reads.some((e) => mentions(e, acc)) && !(s.k === 'assign' && s.name === acc)) return undefined;
    }
    const n = nests++;
    const [step, flat] = [`row${n}_step`, `row${n}_j`];
    // the iterations of invocation `lid`: j = step * workgroup + lid, split back into the nest's variables
    const coords: Stmt[] = [];
    let stride: Expr = idx(1);
    for (let i = nest.loops.length - 1; i >= 0; i--) {
      const l = nest.loops[i];
      const q = div(ivar(flat), stride);
      coords.unshift(letv(l.v, add(l.start, i === 0 ? q : rem(q, l.extent))));
      stride = mul(stride, l.extent);
    }
    out.push(loop(step, idx(Math.ceil(Number(extent.value) / t.workgroup)), [
      letv(flat, add(mul(ivar(step), idx(t.workgroup)), lid)),
      when(lt(ivar(flat), extent), [...coords, ...nest.body]),
    ]));
    for (const [acc, combine] of updates) {
      const type = accs.get(acc)!;
      const partials = `row${n}_${acc}`;
      out.push({ k: 'alloc', name: partials, dtype: type === 'index' ? 'i64' : type, size: idx(t.workgroup), scope: 'shared' });
      out.push(store(partials, lid, svar(acc, type)), { k: 'barrier' });
      for (let h = t.workgroup / 2; h >= 1; h /= 2) {
        out.push(when(lt(lid, idx(h)), [store(partials, lid, combine(load(partials, lid, type), load(partials, add(lid, idx(h)), type)))]), { k: 'barrier' });
      }
      out.push(assign(acc, load(partials, idx(0), type)));
    }
  }
  if (!nests || longest < t.minLength) return undefined;
  for (const l of loads) {
    const writes = stored.get(l.buf);
    if (writes && !writes.every((w) => w.shape !== 'top' && w.shape === l.shape && sameExpr(w.index, l.index))) return undefined;
  }
  return out;
}

// ---------------------------------------------------------------- the GEMM intrinsic

function matrixAt(o: MatrixOperand, r: Expr, c: Expr): Expr {
  return add(o.offset, add(mul(r, o.rowStride), mul(c, o.colStride)));
}

/**
 * Element (row, col) of an implicit im2col matrix: rows (c, kd, kh, kw), columns (od, oh, ow), zero in
 * the padding and outside the matrix (`inside`). `v` names the coordinate lets it needs.
 */
function im2colAt(o: Im2colOperand, row: Expr, col: Expr, inside: Expr, v: (h: string) => string): { lets: Stmt[]; value: Expr } {
  const g = o.conv;
  const taps = g.kD * g.kH * g.kW;
  const [ch, tap, kd, kh, kw, od, oh, ow, id, ih, iw] = ['ch', 'tap', 'kd', 'kh', 'kw', 'od', 'oh', 'ow', 'id', 'ih', 'iw'].map(v);
  const coord = (out: string, k: string, s: number, p: number, d: number) => add(sub(mul(ivar(out), idx(s)), idx(p)), mul(ivar(k), idx(d)));
  const lets = [
    letv(od, div(col, idx(g.outH * g.outW))), letv(oh, rem(div(col, idx(g.outW)), idx(g.outH))), letv(ow, rem(col, idx(g.outW))),
    letv(ch, div(row, idx(taps))), letv(tap, rem(row, idx(taps))),
    letv(kd, div(ivar(tap), idx(g.kH * g.kW))), letv(kh, rem(div(ivar(tap), idx(g.kW)), idx(g.kH))), letv(kw, rem(ivar(tap), idx(g.kW))),
    letv(id, coord(od, kd, g.sD, g.pD, g.dD)), letv(ih, coord(oh, kh, g.sH, g.pH, g.dH)), letv(iw, coord(ow, kw, g.sW, g.pW, g.dW)),
  ];
  const within = (x: string, n: number) => and(ge(ivar(x), idx(0)), lt(ivar(x), idx(n)));
  const mask = and(inside, and(within(id, g.inD), and(within(ih, g.inH), within(iw, g.inW))));
  const at = add(o.offset, add(mul(add(mul(add(mul(ivar(ch), idx(g.inD)), ivar(id)), idx(g.inH)), ivar(ih)), idx(g.inW)), ivar(iw)));
  return { lets, value: load(o.buf, at, 'f32', mask, lit('f32', 0)) };
}

/**
 * The store of C[r, c] from its dot product `acc` (the IR's f64): `alpha acc + beta bias[r, c]`, rounded
 * to f32 and passed through the epilogue, whose statements come before the store.
 */
function storeC(st: GemmStmt, acc: Expr, r: string, c: string): Stmt[] {
  let y: Expr = st.alpha === 1 ? acc : bin('mul', lit('f64', st.alpha), acc);
  if (st.bias) {
    const b = cast(load(st.bias.buf, matrixAt(st.bias, ivar(r), ivar(c)), 'f32'), 'f64');
    y = bin('add', y, st.bias.beta === 1 ? b : bin('mul', lit('f64', st.bias.beta), b));
  }
  const stmts: Stmt[] = [];
  let result: Expr = cast(y, 'f32');
  if (st.epilogue) {
    stmts.push(letv(st.epilogue.value, result), ...st.epilogue.body);
    result = st.epilogue.result;
  }
  stmts.push(store(st.c.buf, add(st.c.offset, add(mul(ivar(r), st.c.ld), ivar(c))), result));
  return stmts;
}

/** C[r, c] of `C = alpha A B + beta bias` as scalar statements: a dot product over k, accumulated in f32 (the IR's f64). */
function expandGemm(st: GemmStmt, r: string, c: string): Stmt[] {
  const k = `${r}_k`, acc = `${r}_acc`;
  const stmts: Stmt[] = [];
  let bAt: Expr;
  const kLoop: Stmt[] = [];
  if ('conv' in st.b) {
    const im = im2colAt(st.b, ivar(k), ivar(c), lit('bool', 1), (h) => `${r}_${h}`);
    // the first three lets, the column's (od, oh, ow), do not change along the dot product
    stmts.push(...im.lets.slice(0, 3));
    kLoop.push(...im.lets.slice(3));
    bAt = im.value;
  } else bAt = load(st.b.buf, matrixAt(st.b, ivar(k), ivar(c)), 'f32');
  const aAt = load(st.a.buf, matrixAt(st.a, ivar(r), ivar(k)), 'f32');
  const accV = svar(acc, 'f64');
  stmts.push(letv(acc, lit('f64', 0), true));
  stmts.push(loop(k, st.kdim, [...kLoop, assign(acc, bin('add', accV, bin('mul', cast(aAt, 'f64'), cast(bAt, 'f64'))))]));
  if (st.epilogue) stmts.push(letv(st.epilogue.row, ivar(r)), letv(st.epilogue.col, ivar(c)));
  stmts.push(...storeC(st, accV, r, c));
  return stmts;
}

/** Whether walking a matrix operand down its rows (rather than along them) touches consecutive elements. */
const rowsContiguous = (o: MatrixOperand) => o.rowStride.k === 'const' && Number(o.rowStride.value) === 1 && !(o.colStride.k === 'const' && Number(o.colStride.value) === 1);

/**
 * `C = alpha A B + beta bias` for the tile (tileRow, tileCol) of C that one workgroup computes: each
 * k-step stages a tm×tk slice of A and a tk×tn slice of B (the im2col operand included) in workgroup
 * memory, zero beyond the matrix edges, and each invocation accumulates an rm×rn register block in
 * f32 (the IR's f64, which the printer maps to f32 at either precision). Every invocation reaches every
 * barrier: the edge tests guard only loads, arithmetic and stores.
 */
function tiledGemm(st: GemmStmt, base: string, tileRow: string, tileCol: string, t: GemmTiling): Stmt[] {
  const v = (h: string) => `${base}_${h}`;
  const lid = ivar(LOCAL_INDEX);
  const [aTile, bTile, kt, kk, r0, c0, ty, tx] = ['a_tile', 'b_tile', 'kt', 'kk', 'r0', 'c0', 'ty', 'tx'].map(v);
  const acc = (i: number, j: number) => v(`acc${i}_${j}`);
  const threadsPerRow = t.tn / t.rn;
  const out: Stmt[] = [
    { k: 'alloc', name: aTile, dtype: 'f32', size: idx(t.tm * t.tk), scope: 'shared' },
    { k: 'alloc', name: bTile, dtype: 'f32', size: idx(t.tk * t.tn), scope: 'shared' },
    letv(r0, mul(ivar(tileRow), idx(t.tm))), letv(c0, mul(ivar(tileCol), idx(t.tn))),
    letv(ty, mul(div(lid, idx(threadsPerRow)), idx(t.rm))), letv(tx, mul(rem(lid, idx(threadsPerRow)), idx(t.rn))),
  ];
  for (let i = 0; i < t.rm; i++) for (let j = 0; j < t.rn; j++) out.push(letv(acc(i, j), lit('f64', 0), true));

  const k0 = ivar(v('k0'));
  const step: Stmt[] = [letv(v('k0'), mul(ivar(kt), idx(t.tk)))];
  // each invocation stages every workgroup-th element of each slice, walking the operand's contiguous
  // direction; the trip count depends on the invocation, so lavapipe's LLVM does not unroll (and spend seconds on) it
  const strided = (name: string, elements: number, body: (e: Expr) => Stmt[]): Stmt =>
    loop(name, div(add(sub(idx(elements), lid), idx(t.workgroup - 1)), idx(t.workgroup)), [letv(`${name}_e`, add(lid, mul(ivar(name), idx(t.workgroup)))), ...body(ivar(`${name}_e`))]);
  const [ar, ak, bk, bc] = ['ar', 'ak', 'bk', 'bc'].map(v);
  step.push(strided(v('sa'), t.tm * t.tk, (e) => {
    const [row, k] = rowsContiguous(st.a) ? [rem(e, idx(t.tm)), div(e, idx(t.tm))] : [div(e, idx(t.tk)), rem(e, idx(t.tk))];
    const inside = and(lt(add(ivar(r0), ivar(ar)), st.m), lt(add(k0, ivar(ak)), st.kdim));
    return [letv(ar, row), letv(ak, k),
      store(aTile, add(mul(ivar(ar), idx(t.tk)), ivar(ak)), load(st.a.buf, matrixAt(st.a, add(ivar(r0), ivar(ar)), add(k0, ivar(ak))), 'f32', inside, lit('f32', 0)))];
  }));
  step.push(strided(v('sb'), t.tk * t.tn, (e) => {
    const [k, col] = !('conv' in st.b) && rowsContiguous(st.b) ? [rem(e, idx(t.tk)), div(e, idx(t.tk))] : [div(e, idx(t.tn)), rem(e, idx(t.tn))];
    const [gk, gc] = [add(k0, ivar(bk)), add(ivar(c0), ivar(bc))];
    const inside = and(lt(gk, st.kdim), lt(gc, st.n));
    const stmts: Stmt[] = [letv(bk, k), letv(bc, col)];
    let value: Expr;
    if ('conv' in st.b) {
      const im = im2colAt(st.b, gk, gc, inside, v);
      stmts.push(...im.lets);
      value = im.value;
    } else value = load(st.b.buf, matrixAt(st.b, gk, gc), 'f32', inside, lit('f32', 0));
    return [...stmts, store(bTile, add(mul(ivar(bk), idx(t.tn)), ivar(bc)), value)];
  }));
  step.push({ k: 'barrier' });
  const a = (i: number) => v(`a${i}`), b = (j: number) => v(`b${j}`);
  const dot: Stmt[] = [];
  for (let i = 0; i < t.rm; i++) dot.push(letv(a(i), cast(load(aTile, add(mul(add(ivar(ty), idx(i)), idx(t.tk)), ivar(kk)), 'f32'), 'f64')));
  for (let j = 0; j < t.rn; j++) dot.push(letv(b(j), cast(load(bTile, add(mul(ivar(kk), idx(t.tn)), add(ivar(tx), idx(j))), 'f32'), 'f64')));
  for (let i = 0; i < t.rm; i++)
    for (let j = 0; j < t.rn; j++) dot.push(assign(acc(i, j), bin('add', svar(acc(i, j), 'f64'), bin('mul', svar(a(i), 'f64'), svar(b(j), 'f64')))));
  // register blocks wholly outside C (few rows, the last tile) skip the arithmetic, never the barriers
  const live = and(lt(add(ivar(r0), ivar(ty)), st.m), lt(add(ivar(c0), ivar(tx)), st.n));
  // a bound the shader compiler cannot see as constant: lavapipe's LLVM would unroll the loop and spend seconds on it
  step.push(when(live, [loop(kk, bin('min', idx(t.tk), sub(st.kdim, k0)), dot)]), { k: 'barrier' });
  out.push(loop(kt, div(add(st.kdim, idx(t.tk - 1)), idx(t.tk)), step));

  const [r, c] = st.epilogue ? [st.epilogue.row, st.epilogue.col] : [v('row'), v('col')];
  for (let i = 0; i < t.rm; i++)
    for (let j = 0; j < t.rn; j++) {
      const [row, col] = [add(add(ivar(r0), ivar(ty)), idx(i)), add(add(ivar(c0), ivar(tx)), idx(j))];
      const element = [letv(r, row), letv(c, col), ...storeC(st, svar(acc(i, j), 'f64'), r, c)];
      // one block per element, so that the epilogue's lets may repeat
      out.push(when(and(lt(row, st.m), lt(col, st.n)), element));
    }
  return out;
}

// ---------------------------------------------------------------- memory layout

function toIndexExpr(e: Expr): IndexExpr {
  switch (e.k) {
    case 'const': return { k: 'const', value: Number(e.value) };
    case 'var': return { k: 'var', name: e.name };
    case 'binary':
      if (['add', 'sub', 'mul', 'div', 'rem', 'min', 'max'].includes(e.op))
        return { k: 'binary', op: e.op as 'add', a: toIndexExpr(e.a), b: toIndexExpr(e.b) };
      break;
    default: break;
  }
  throw new Error(`internal error: ${e.k} is not an index expression`);
}

const evalStatic = (e: Expr): number => {
  if (e.k !== 'const') throw new Error('internal error: a parameter size is not static');
  return Number(e.value);
};

interface Layout {
  /** word offset of each program buffer (aliases resolved), with its binding and whether it holds f16 */
  where: Map<string, Placed>;
  params: WgslTensorSlot[];
  constants: WgslConstant[];
  paramsWords: number;
  inputs: WgslTensorSlot[];
  outputs: WgslTensorSlot[];
  dataWords: Expr;
}

interface Placed { binding: 'params' | 'data'; offset: Expr; half: boolean }

/** Whether tensors of `dtype` are stored as f16: every f32 tensor at precision f16. */
export const storesHalf = (precision: Precision, dtype: DType) => precision === 'f16' && dtype === 'f32';

/** Words of `size` elements of `dtype`: f16 two to a word. */
const wordsOf = (dtype: DType, size: Expr, precision: Precision): Expr => (storesHalf(precision, dtype) ? div(add(size, idx(1)), idx(2)) : size);

function layout(program: KernelProgram, inputShapes: Expr[][], precision: Precision): Layout {
  const where = new Map<string, Placed>();
  const half = (d: DType) => storesHalf(precision, d);
  const byName = new Map(program.buffers.map((b) => [b.name, b]));
  const slot = (b: ProgramBuffer, name: string, offset: Expr, shape: Expr[]): WgslTensorSlot =>
    ({ name, dtype: b.dtype as WgslTensorSlot['dtype'], shape: shape.map(toIndexExpr), offset: toIndexExpr(offset) });
  const m = program.manifest;

  let words = 0;
  const params: WgslTensorSlot[] = [];
  for (const b of program.buffers.filter((x) => x.storage.k === 'param').sort((x, y) => (x.storage as { index: number }).index - (y.storage as { index: number }).index)) {
    where.set(b.name, { binding: 'params', offset: idx(words), half: half(b.dtype) });
    const p = m.params[(b.storage as { index: number }).index];
    params.push(slot(b, p.name, idx(words), p.shape.map((d) => idx(Number(d)))));
    words += evalStatic(wordsOf(b.dtype, b.size, precision));
  }
  const constants: WgslConstant[] = [];
  for (const b of program.buffers) {
    if (b.storage.k !== 'constant') continue;
    const t = b.storage.tensor;
    where.set(b.name, { binding: 'params', offset: idx(words), half: half(t.dtype) });
    const values = Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
    constants.push({ dtype: (t.dtype === 'i64' ? 'i32' : t.dtype) as WgslDType, offset: words, values });
    words += Math.max(1, evalStatic(wordsOf(t.dtype, idx(t.size), precision)));
  }

  let data: Expr = idx(STATUS_WORDS);
  const place = (kind: 'input' | 'output') => {
    const slots: WgslTensorSlot[] = [];
    const list = program.buffers.filter((x) => x.storage.k === kind).sort((x, y) => (x.storage as { index: number }).index - (y.storage as { index: number }).index);
    for (const b of list) {
      const i = (b.storage as { index: number }).index;
      where.set(b.name, { binding: 'data', offset: data, half: half(b.dtype) });
      const shape = kind === 'input' ? program.manifest.inputs[i] : program.manifest.outputs[i];
      slots.push(slot(b, shape.name, data, kind === 'output' ? program.outputShapes[i] : inputShapes[i]));
      data = add(data, wordsOf(b.dtype, b.size, precision));
    }
    return slots;
  };
  const inputs = place('input');
  const outputs = place('output');
  const workspace = data;
  for (const b of program.buffers)
    if (b.storage.k === 'workspace') where.set(b.name, { binding: 'data', offset: add(workspace, div(b.storage.offset, idx(4))), half: half(b.dtype) });
  for (const b of program.buffers) {
    if (b.storage.k !== 'alias') continue;
    let root = b;
    while (root.storage.k === 'alias') root = byName.get(root.storage.of)!;
    where.set(b.name, where.get(root.name)!);
  }
  return { where, params, constants, paramsWords: words, inputs, outputs, dataWords: add(workspace, div(program.workspaceBytes, idx(4))) };
}

// ---------------------------------------------------------------- shaders

function printShader(name: string, kernel: Kernel, args: string[], phase: Phase, lay: Layout, program: KernelProgram, precision: Precision): WgslShader {
  const refs = new Map<string, BufferRef>();
  kernel.params.forEach((p, i) => {
    const { binding, half } = lay.where.get(args[i])!;
    refs.set(p.name, { k: 'global', binding, half });
  });
  const walk = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      if (s.k === 'alloc') refs.set(s.name, { k: 'local', dtype: s.dtype });
      if (s.k === 'for') walk(s.body);
      if (s.k === 'if') { walk(s.then); walk(s.else); }
    }
  };
  walk(phase.body);
  const printer = new WgslPrinter((b) => {
    const r = refs.get(b);
    if (!r) throw new Error(`internal error: unknown buffer ${b} in ${kernel.name}`);
    return r;
  }, 0, precision === 'f16');
  const wg = OP_CLASSES[phase.kind].workgroup;
  const perWorkgroup = PER_WORKGROUP.has(phase.kind);
  const e = (x: Expr) => printer.expr(x);

  const body: string[] = [];
  const total = phase.grid.reduce<Expr>((p, g) => mul(p, g.extent), idx(1));
  if (phase.grid.length) {
    // a workgroup's grid point is uniform, so its early return keeps the barriers in uniform control flow
    body.push(perWorkgroup ? 'let flat = i32(wid.x + wid.y * nwg.x);' : `let flat = i32(gid.x + gid.y * nwg.x * ${wg}u);`);
    body.push(`if (flat >= ${e(total)}) { return; }`);
    let stride: Expr = idx(1);
    const decls: string[] = [];
    for (let i = phase.grid.length - 1; i >= 0; i--) {
      const g = phase.grid[i];
      const q = stride.k === 'const' && Number(stride.value) === 1 ? ivar('flat') : div(ivar('flat'), stride);
      const coord = i === 0 ? q : rem(q, g.extent);
      decls.unshift(`let ${g.v}: i32 = ${e(add(g.start, coord))};`);
      stride = mul(stride, g.extent);
    }
    body.push(...decls);
    if (perWorkgroup) body.push(`let ${LOCAL_INDEX}: i32 = i32(lidx);`);
  } else body.push('if (gid.x != 0u) { return; }');
  // f16 tensors are indexed in f16 elements of the array<f16> view: two per word
  const params = kernel.params.map((p, i) => {
    const at = lay.where.get(args[i])!;
    return `let ${p.name}: i32 = ${e(at.half ? mul(at.offset, idx(2)) : at.offset)};`;
  });
  const stmts = [...printer.stmts(phase.prelude, '  '), ...printer.stmts(phase.body, '  ')];
  const text = [...body.map((l) => `  ${l}`), ...stmts].join('\n');

  // only what the body reads is declared: pipelines with 'auto' layouts drop unused bindings
  const used = (re: RegExp) => re.test(text) || params.some((l) => re.test(l));
  const bindings: WgslBinding[] = [];
  const lines: string[] = [...(precision === 'f16' ? ['enable f16;'] : []), `// ${name}`, ...kernel.source.map((s) => `// ${s}`)];
  const symbolLines = program.symbols.map((s, i) => ({ s, line: `let ${s}: i32 = syms[${i >> 2}].${'xyzw'[i & 3]};` })).filter((x) => used(new RegExp(`\\b${x.s}\\b`)));
  if (text.includes('params[')) { bindings.push('params'); lines.push('@group(0) @binding(0) var<storage, read> params: array<u32>;'); }
  if (text.includes('data[')) { bindings.push('data'); lines.push('@group(0) @binding(1) var<storage, read_write> data: array<u32>;'); }
  if (text.includes('params16[')) { bindings.push('params16'); lines.push('@group(0) @binding(3) var<storage, read> params16: array<f16>;'); }
  // the data buffer a second time: WebGPU allows one buffer in several read-write storage bindings of a dispatch
  if (text.includes('data16[')) { bindings.push('data16'); lines.push('@group(0) @binding(4) var<storage, read_write> data16: array<f16>;'); }
  if (symbolLines.length) {
    bindings.push('symbols');
    lines.push(`@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, ${Math.max(1, Math.ceil(program.symbols.length / 4))}>;`);
  }
  lines.push(...printer.helperSource(), ...printer.workgroupArrays);
  const ids = perWorkgroup ? '@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lidx: u32' : '@builtin(global_invocation_id) gid: vec3<u32>';
  lines.push('', `@compute @workgroup_size(${wg})`, `fn main(${ids}, @builtin(num_workgroups) nwg: vec3<u32>) {`);
  lines.push(...symbolLines.map((x) => `  ${x.line}`));
  lines.push(...params.map((l) => `  ${l}`));
  lines.push(text, '}', '');
  const invocations = mul(phase.grid.length ? (perWorkgroup ? mul(total, idx(wg)) : total) : idx(1), phase.gate ?? idx(1));
  return { name, code: lines.join('\n'), workgroupSize: wg, bindings, invocations: toIndexExpr(invocations) };
}

/** WGSL arrays have constant sizes: a local or workgroup array sized by a symbol is refused at the op's source line. */
function requireStaticAllocs(kernel: Kernel): void {
  for (const st of walkStmts(kernel.body))
    if (st.k === 'alloc' && st.size.k !== 'const')
      throw diag('DSC6002', `the wgsl target needs a static size for the ${st.scope === 'local' ? 'per-invocation' : 'workgroup'} array ${st.name} of kernel ${kernel.name}`, sourceLoc(kernel));
}

/** Print a kernel program as WGSL shaders and the executor's plan. */
export function printWgslProgram(program: KernelProgram, inputShapes: Expr[][], precision: Precision = 'f32'): WgslProgram {
  const lay = layout(program, inputShapes, precision);
  const symbols = new Set(program.symbols);
  const shaders: WgslShader[] = [];
  program.kernels.forEach((k, i) => {
    requireStaticAllocs(k);
    const phases = phasesOf(k, symbols);
    phases.forEach((p, j) => shaders.push(printShader(phases.length > 1 ? `${k.name}_${j}` : k.name, k, program.calls[i].args, p, lay, program, precision)));
  });
  const plan: WgslPlan = {
    name: program.name,
    symbols: program.manifest.symbols.map((s, i) => ({ name: s.name, variable: program.symbols[i], from: s.from })),
    params: lay.params, constants: lay.constants, paramsWords: lay.paramsWords,
    inputs: lay.inputs, outputs: lay.outputs, dataWords: toIndexExpr(lay.dataWords), statusWord: 0, precision, shaders,
  };
  return { shaders, plan };
}

/** Generate the WGSL target for a graph: its shaders, and the plan (layout, dispatch order) the executor runs. */
export function generateWgsl(graph: Graph, opts: WgslOptions = {}): WgslProgram {
  checkDtypes(graph);
  const { precision = 'f32', ...lower } = opts;
  const program = lowerGraph(graph, { ...lower, target: 'wgsl', elementBytes: (d) => (storesHalf(precision, d) ? 2 : 4) });
  return printWgslProgram(program, graph.inputs.map((v) => v.type.shape.map(dimExpr)), precision);
}
