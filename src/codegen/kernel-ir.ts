// The kernel IR: the one seam between the graph IR and the four targets (see docs/CODEGEN.md).
//
// A KernelProgram is a list of kernels and the calls that run them in order over planned buffers.
// A kernel is a loop nest over buffer parameters and scalar symbol parameters: loops (each bound by
// the kernel's schedule to serial / parallel / vector / unroll), scalar lets, loads and stores with
// index expressions and optional masks, local/shared allocations and barriers for the GPU targets,
// and tile intrinsics (GEMM) that each target implements in its runtime (C++: runtime/cpu/kernels).
// Schedules are data on the kernel: lowering writes a default, a tuner may rewrite it, and
// applySchedule binds the loops before printing.
import type { Geometry3 } from '../ir/ops/linalg-window.js';
import { DType, DTYPE_INFO, isFloat } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { ModelManifest } from './abi.js';

/** Scalar types: the element dtypes, plus `index` (signed 64-bit loop and address arithmetic). */
export type ScalarType = DType | 'index';

/**
 * Binary operators. Integer arithmetic wraps (two's complement); integer `div` truncates toward zero
 * and `rem` takes the dividend's sign, both giving 0 for a zero divisor; comparisons give bool.
 */
export type BinOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'rem' | 'min' | 'max'
  | 'bit_and' | 'bit_or' | 'bit_xor' | 'shl' | 'shr'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'and' | 'or';

export type UnOp = 'neg' | 'bit_not' | 'not';

/**
 * Math intrinsics every target provides (C++: std:: functions and runtime/cpu/kernels/dsc/scalar.h).
 * Floating-point only; arguments and result share the call's type.
 */
export const INTRINSICS = [
  'abs', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'rsqrt', 'floor', 'ceil', 'round_even', 'erf', 'erfc',
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh',
  'pow', 'fmod', 'sigmoid', 'softplus', 'gelu', 'gelu_tanh', 'is_nan', 'is_inf', 'fmax_nan', 'fmin_nan',
] as const;
export type Intrinsic = (typeof INTRINSICS)[number];

export type Expr =
  | { k: 'const'; type: ScalarType; value: number | bigint }
  /** a loop variable, a let, or a symbol parameter */
  | { k: 'var'; name: string; type: ScalarType }
  /** buf[index]; with a mask, the element is read only where the mask holds and `other` is taken elsewhere */
  | { k: 'load'; buf: string; index: Expr; type: ScalarType; mask?: Expr; other?: Expr }
  | { k: 'binary'; op: BinOp; a: Expr; b: Expr; type: ScalarType }
  | { k: 'unary'; op: UnOp; a: Expr; type: ScalarType }
  /** lazy: only the chosen arm is evaluated */
  | { k: 'select'; cond: Expr; then: Expr; else: Expr; type: ScalarType }
  /** conversion with the IR's cast rules (float to int truncates and wraps, NaN gives 0; to bool is != 0) */
  | { k: 'cast'; a: Expr; type: ScalarType }
  | { k: 'call'; fn: Intrinsic; args: Expr[]; type: ScalarType };

/**
 * How a loop runs. On GPU-like targets, `grid` loops are the grid (one program instance per point)
 * and a `thread` loop is the invocations of one workgroup: its iterations run concurrently and meet
 * at each barrier in its body.
 */
export type LoopBinding = 'serial' | 'parallel' | 'vector' | 'unroll' | 'grid' | 'thread';

/** A dense matrix operand of a tile intrinsic: element (i, j) is buf[offset + i*rowStride + j*colStride]. */
export interface MatrixOperand { buf: string; offset: Expr; rowStride: Expr; colStride: Expr }

/**
 * Convolution geometry over three spatial dims (1-d and 2-d convs have leading dims of 1), static.
 * The im2col matrix has rows (c, kd, kh, kw) and columns (od, oh, ow).
 */
export type ConvGeometry = Omit<Geometry3, 'eD' | 'eH' | 'eW'> & { channels: number };

/** The implicit im2col matrix of the input image at buf[offset...], never materialized. */
export interface Im2colOperand { buf: string; offset: Expr; conv: ConvGeometry }

/** Tile intrinsic: C[m, n] = alpha * A[m, k] B[k, n] (+ beta * bias broadcast by its strides). */
export interface GemmStmt {
  k: 'gemm';
  m: Expr; n: Expr; kdim: Expr;
  a: MatrixOperand;
  b: MatrixOperand | Im2colOperand;
  c: { buf: string; offset: Expr; ld: Expr };
  alpha: number;
  bias?: MatrixOperand & { beta: number };
  /**
   * Fused elementwise epilogue, applied to each element of C once its accumulation is complete and
   * before it is stored: `body` runs with `row`, `col` (index) and `value` (the f32 result of the
   * GEMM, after alpha and bias) bound, may read the kernel's buffers and variables in scope, and
   * `result` (f32) is stored. It must not store, and runs concurrently for different elements.
   */
  epilogue?: GemmEpilogue;
  /** bound by the schedule: whether the intrinsic spreads its own tiles over the threads */
  parallel: boolean;
}

export interface GemmEpilogue { row: string; col: string; value: string; body: Stmt[]; result: Expr }

export type Stmt =
  | { k: 'for'; var: string; start: Expr; end: Expr; body: Stmt[]; binding: LoopBinding }
  | { k: 'let'; name: string; type: ScalarType; value: Expr; mutable: boolean }
  | { k: 'assign'; name: string; value: Expr }
  | { k: 'store'; buf: string; index: Expr; value: Expr; mask?: Expr }
  | { k: 'if'; cond: Expr; then: Stmt[]; else: Stmt[] }
  /** scratch memory of one program instance (local: per thread / invocation; shared: per workgroup) */
  | { k: 'alloc'; name: string; dtype: DType; size: Expr; scope: 'local' | 'shared' }
  | { k: 'barrier' }
  /** stop the run with a nonzero code unless cond holds; never inside a parallel loop */
  | { k: 'check'; cond: Expr; code: number; message: string }
  | GemmStmt
  | { k: 'comment'; text: string };

/** How a kernel is mapped onto the machine; data, so that a tuner can search it. */
export interface Schedule {
  /** loops (by variable) run in parallel: OpenMP here, grid/blocks on GPUs */
  parallel: string[];
  /** loops whose iterations the target should vectorize */
  vector: string[];
  /** loops to unroll */
  unroll: string[];
  /** parallel loops run serially when the kernel's work (elements) is below this */
  minParallelWork: number;
  /** work estimate in elements, for minParallelWork */
  work: Expr;
  /** GEMM blocking for the tile intrinsics: rows of A, depth, columns of B per cache block */
  gemm?: { mc: number; kc: number; nc: number; parallel: boolean };
  /** GPU-like targets: a tuner's choice over the target's defaults (src/codegen/gpu/map-grid.ts) */
  gpu?: { workgroupSize?: number; gemmTile?: GemmTile };
  /** GPU-like targets: how one dispatch runs, on each of the kernels the grid mapping splits a kernel into */
  dispatch?: GpuDispatch;
}

/**
 * A GEMM tile of a GPU-like target: a workgroup computes a tm×tn tile of C over tk-deep slices of A
 * and B staged in workgroup memory, each of its (tm/rm)·(tn/rn) invocations an rm×rn register block.
 * Double-buffered, the next slice is staged into a second pair of tiles while the current one is
 * multiplied (one barrier per slice instead of two, twice the workgroup memory).
 */
export interface GemmTile { tm: number; tn: number; tk: number; rm: number; rn: number; doubleBuffer?: boolean }

/** One dispatch on a GPU-like target: which loops are the grid, and what one grid point is. */
export interface GpuDispatch {
  /** the loops bound to the grid (perfectly nested, outermost first) */
  grid: string[];
  /** the loop bound to a workgroup's invocations, where one grid point is a whole workgroup */
  thread?: string;
  workgroupSize: number;
  /** 1 where this dispatch runs and 0 where an alternative does, over the symbols (a choice made per run) */
  gate?: Expr;
}

export interface KernelParam { name: string; dtype: DType; access: 'read' | 'write' }

export interface Kernel {
  name: string;
  /** the IR nodes it implements, printed as comments */
  source: string[];
  /** where the first of those nodes that has a location came from (file:line:col), for diagnostics */
  loc?: string;
  params: KernelParam[];
  /** symbol parameters (index type), by their variable names */
  scalars: string[];
  body: Stmt[];
  schedule: Schedule;
}

/** Where a buffer's storage comes from. */
export type BufferStorage =
  | { k: 'param' | 'input' | 'output'; index: number }
  /** bytes from the start of the workspace */
  | { k: 'workspace'; offset: Expr }
  /** the same storage as another buffer (reshape family) */
  | { k: 'alias'; of: string }
  | { k: 'constant'; tensor: Tensor };

export interface ProgramBuffer {
  name: string;
  /** the IR value it holds */
  value: string;
  dtype: DType;
  /** elements */
  size: Expr;
  storage: BufferStorage;
}

export interface KernelCall { kernel: string; args: string[]; scalars: string[] }

export interface KernelProgram {
  name: string;
  manifest: ModelManifest;
  /** symbol variable names in manifest.symbols order */
  symbols: string[];
  buffers: ProgramBuffer[];
  kernels: Kernel[];
  calls: KernelCall[];
  workspaceBytes: Expr;
  /** per output, its dims as expressions over the symbols */
  outputShapes: Expr[][];
}

// ---------------------------------------------------------------- builders

export const idx = (value: number): Expr => ({ k: 'const', type: 'index', value });
export const lit = (type: ScalarType, value: number | bigint): Expr => ({ k: 'const', type, value });
export const ivar = (name: string): Expr => ({ k: 'var', name, type: 'index' });
export const svar = (name: string, type: ScalarType): Expr => ({ k: 'var', name, type });

const COMPARISONS: ReadonlySet<BinOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or']);

/** A binary expression; index constants fold so that printed addresses stay short. */
export function bin(op: BinOp, a: Expr, b: Expr): Expr {
  const type: ScalarType = COMPARISONS.has(op) ? 'bool' : a.type;
  if (a.type === 'index' && b.type === 'index' && !COMPARISONS.has(op)) {
    const ca = a.k === 'const' ? Number(a.value) : null;
    const cb = b.k === 'const' ? Number(b.value) : null;
    if (ca !== null && cb !== null && op !== 'div' && op !== 'rem') return idx(foldIndex(op, ca, cb));
    if (op === 'add' && ca === 0) return b;
    if ((op === 'add' || op === 'sub') && cb === 0) return a;
    if (op === 'mul' && (ca === 0 || cb === 0)) return idx(0);
    if (op === 'mul' && ca === 1) return b;
    if ((op === 'mul' || op === 'div') && cb === 1) return a;
    if (ca !== null && cb !== null && cb !== 0) return idx(op === 'div' ? Math.trunc(ca / cb) : ca % cb);
  }
  return { k: 'binary', op, a, b, type };
}

function foldIndex(op: BinOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'min': return Math.min(a, b);
    case 'max': return Math.max(a, b);
    default: throw new Error(`internal error: cannot fold index ${op}`);
  }
}

export const add = (a: Expr, b: Expr) => bin('add', a, b);
export const sub = (a: Expr, b: Expr) => bin('sub', a, b);
export const mul = (a: Expr, b: Expr) => bin('mul', a, b);
export const div = (a: Expr, b: Expr) => bin('div', a, b);
export const rem = (a: Expr, b: Expr) => bin('rem', a, b);
export const lt = (a: Expr, b: Expr) => bin('lt', a, b);
export const ge = (a: Expr, b: Expr) => bin('ge', a, b);
export const and = (a: Expr, b: Expr) => bin('and', a, b);
export const sum = (xs: Expr[]): Expr => xs.reduce((s, x) => add(s, x), idx(0));
export const select = (cond: Expr, a: Expr, b: Expr): Expr => ({ k: 'select', cond, then: a, else: b, type: a.type });
export const cast = (a: Expr, type: ScalarType): Expr => (a.type === type ? a : { k: 'cast', a, type });
export const call = (fn: Intrinsic, ...args: Expr[]): Expr => ({ k: 'call', fn, args, type: args[0].type });
export const load = (buf: string, index: Expr, type: ScalarType, mask?: Expr, other?: Expr): Expr =>
  mask ? { k: 'load', buf, index, type, mask, other } : { k: 'load', buf, index, type };
/** a float or integer constant of `type` */
export const num = (type: ScalarType, v: number): Expr => lit(type, DTYPE_INFO[type === 'index' ? 'i64' : type].bigint ? BigInt(Math.trunc(v)) : v);

export function loop(v: string, end: Expr, body: Stmt[], start: Expr = idx(0)): Stmt {
  return { k: 'for', var: v, start, end, body, binding: 'serial' };
}
export const store = (buf: string, index: Expr, value: Expr): Stmt => ({ k: 'store', buf, index, value });
export const letv = (name: string, value: Expr, mutable = false): Stmt => ({ k: 'let', name, type: value.type, value, mutable });
export const assign = (name: string, value: Expr): Stmt => ({ k: 'assign', name, value });
export const when = (cond: Expr, then: Stmt[], otherwise: Stmt[] = []): Stmt => ({ k: 'if', cond, then, else: otherwise });

export function isFloatType(t: ScalarType): boolean {
  return t !== 'index' && isFloat(t);
}

// ---------------------------------------------------------------- schedules

export function defaultSchedule(work: Expr): Schedule {
  return { parallel: [], vector: [], unroll: [], minParallelWork: 32768, work };
}

/** Bind every loop of the kernel (and its GEMM intrinsics) as its schedule says. */
export function applySchedule(kernel: Kernel): Kernel {
  const s = kernel.schedule;
  const bind = (stmts: Stmt[]): Stmt[] =>
    stmts.map((st): Stmt => {
      switch (st.k) {
        case 'for': {
          const d = s.dispatch;
          const binding: LoopBinding = d?.grid.includes(st.var) ? 'grid' : d?.thread === st.var ? 'thread'
            : s.parallel.includes(st.var) ? 'parallel' : s.vector.includes(st.var) ? 'vector' : s.unroll.includes(st.var) ? 'unroll' : 'serial';
          return { ...st, binding, body: bind(st.body) };
        }
        case 'if': return { ...st, then: bind(st.then), else: bind(st.else) };
        case 'gemm': return { ...st, parallel: s.gemm?.parallel ?? false };
        default: return st;
      }
    });
  return { ...kernel, body: bind(kernel.body) };
}

/** Every statement of a body, depth first. */
export function* walkStmts(stmts: readonly Stmt[]): Generator<Stmt> {
  for (const st of stmts) {
    yield st;
    if (st.k === 'for') yield* walkStmts(st.body);
    else if (st.k === 'if') { yield* walkStmts(st.then); yield* walkStmts(st.else); }
  }
}

// ---------------------------------------------------------------- walkers

/** The direct operands of an expression, in a fixed order. */
export function exprChildren(e: Expr): Expr[] {
  switch (e.k) {
    case 'const': case 'var': return [];
    case 'load': return [e.index, ...(e.mask ? [e.mask] : []), ...(e.other ? [e.other] : [])];
    case 'binary': return [e.a, e.b];
    case 'unary': case 'cast': return [e.a];
    case 'select': return [e.cond, e.then, e.else];
    case 'call': return e.args;
  }
}

/** The expression with `f` applied to each direct operand (absent optional operands stay absent). */
export function mapExprChildren(e: Expr, f: (child: Expr) => Expr): Expr {
  switch (e.k) {
    case 'const': case 'var': return e;
    case 'load': return { ...e, index: f(e.index), ...(e.mask ? { mask: f(e.mask) } : {}), ...(e.other ? { other: f(e.other) } : {}) };
    case 'binary': return { ...e, a: f(e.a), b: f(e.b) };
    case 'unary': case 'cast': return { ...e, a: f(e.a) };
    case 'select': return { ...e, cond: f(e.cond), then: f(e.then), else: f(e.else) };
    case 'call': return { ...e, args: e.args.map(f) };
  }
}

/** Rewrite an expression bottom-up: operands first, then `f` on the rebuilt node. */
export function mapExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  return f(mapExprChildren(e, (c) => mapExpr(c, f)));
}

/**
 * Apply `f` to every root expression of a body (loop bounds, values, indices, masks, conditions,
 * GEMM sizes and operands, epilogue results), statements nested in loops, ifs and epilogues included.
 */
export function mapStmtExprs(stmts: readonly Stmt[], f: (e: Expr) => Expr): Stmt[] {
  const operand = <T extends { offset: Expr }>(o: T): T => {
    const m = { ...o, offset: f(o.offset) } as T & { rowStride?: Expr; colStride?: Expr; ld?: Expr };
    if (m.rowStride) m.rowStride = f(m.rowStride);
    if (m.colStride) m.colStride = f(m.colStride);
    if (m.ld) m.ld = f(m.ld);
    return m;
  };
  return stmts.map((st): Stmt => {
    switch (st.k) {
      case 'for': return { ...st, start: f(st.start), end: f(st.end), body: mapStmtExprs(st.body, f) };
      case 'let': case 'assign': return { ...st, value: f(st.value) };
      case 'store': return { ...st, index: f(st.index), value: f(st.value), ...(st.mask ? { mask: f(st.mask) } : {}) };
      case 'if': return { ...st, cond: f(st.cond), then: mapStmtExprs(st.then, f), else: mapStmtExprs(st.else, f) };
      case 'alloc': return { ...st, size: f(st.size) };
      case 'check': return { ...st, cond: f(st.cond) };
      case 'gemm': {
        const ep = st.epilogue && { ...st.epilogue, body: mapStmtExprs(st.epilogue.body, f), result: f(st.epilogue.result) };
        return {
          ...st, m: f(st.m), n: f(st.n), kdim: f(st.kdim), a: operand(st.a), b: operand(st.b), c: operand(st.c),
          ...(st.bias ? { bias: operand(st.bias) } : {}), ...(ep ? { epilogue: ep } : {}),
        };
      }
      case 'barrier': case 'comment': return st;
    }
  });
}
