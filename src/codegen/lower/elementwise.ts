// Elementwise ops as scalar expressions, and the loop nest that evaluates a group of them.
// A group (one node, or a fused chain from the passes) becomes one loop nest over the group's output
// shape: external operands are loaded once per element with broadcast strides, each node is a `let`,
// and every value needed outside the group is stored. Adjacent dims that every operand treats alike
// are merged, so a same-shape chain is a single vectorized loop.
import { Dim, dimEq } from '../../ir/dim.js';
import { DType, DTYPE_INFO, isFloat, isInteger } from '../../ir/dtype.js';
import { Attrs, Node, Value } from '../../ir/graph.js';
import {
  Expr, Intrinsic, Stmt, ScalarType, bin, call, cast, defaultSchedule, idx, ivar, letv, lit, load, loop, num, select, store, svar,
} from '../kernel-ir.js';
import { broadcastCoords, broadcastStrides, linearIndex, productExpr, stridesExpr, unflatten } from './dims.js';
import { LoweredKernel, Names, Operand, elementIndex, fullAttrs } from './context.js';

type Scalar = (args: Expr[], attrs: Attrs, out: DType) => Expr;

const f = (type: ScalarType, v: number) => num(type, v);
const fcall = (fn: Intrinsic) => (a: Expr[]) => call(fn, a[0]);
const callT = (fn: Intrinsic, type: ScalarType, ...args: Expr[]): Expr => ({ k: 'call', fn, args, type });
const neg = (a: Expr): Expr => ({ k: 'unary', op: 'neg', a, type: a.type });
const fmaxNan = (a: Expr, b: Expr) => call('fmax_nan', a, b);
const fminNan = (a: Expr, b: Expr) => call('fmin_nan', a, b);
const attr = (a: Attrs, k: string) => a[k] as number;

const FLOATS_ONLY = (d: DType) => isFloat(d);
const HALF = (t: ScalarType) => t === 'f16' || t === 'bf16';
const COMPUTE = (d: DType) => FLOATS_ONLY(d) || isInteger(d) || d === 'bool';
const NUMERIC = (d: DType) => FLOATS_ONLY(d) || isInteger(d);
const SIGNED = (d: DType) => FLOATS_ONLY(d) || DTYPE_INFO[d].signed && isInteger(d);

interface ElementwiseOp { dtypes: (d: DType) => boolean; scalar: Scalar }

/** Float-only unary ops whose value is one intrinsic call. */
const INTRINSIC_UNARY: Record<string, Intrinsic> = {
  exp: 'exp', log: 'log', sqrt: 'sqrt', rsqrt: 'rsqrt', floor: 'floor', ceil: 'ceil', round: 'round_even', erf: 'erf',
  sin: 'sin', cos: 'cos', tan: 'tan', asin: 'asin', acos: 'acos', atan: 'atan', sinh: 'sinh', cosh: 'cosh', tanh: 'tanh',
  asinh: 'asinh', acosh: 'acosh', atanh: 'atanh', sigmoid: 'sigmoid', softplus: 'softplus',
};

function clipScalar([x]: Expr[], a: Attrs, d: DType): Expr {
  let lo = a.min === undefined ? -Infinity : attr(a, 'min');
  let hi = a.max === undefined ? Infinity : attr(a, 'max');
  if (!isFloat(d)) { lo = Math.ceil(lo); hi = Math.floor(hi); }
  let v = x;
  if (lo !== -Infinity) v = select(bin('lt', v, f(d, lo)), f(d, lo), v);
  if (hi !== Infinity) v = select(bin('gt', v, f(d, hi)), f(d, hi), v);
  return v;
}

function floorMod(a: Expr, b: Expr, d: DType): Expr {
  const r = bin('rem', a, b);
  const zero = f(d, 0);
  const fix = bin('and', bin('ne', r, zero), bin('ne', bin('lt', r, zero), bin('lt', b, zero)));
  return select(fix, bin('add', r, b), r);
}

export const ELEMENTWISE: Record<string, ElementwiseOp> = {
  ...Object.fromEntries(Object.entries(INTRINSIC_UNARY).map(([op, fn]) => [op, { dtypes: FLOATS_ONLY, scalar: fcall(fn) }])),
  abs: { dtypes: NUMERIC, scalar: ([x], _a, d) => (isFloat(d) ? call('abs', x) : DTYPE_INFO[d].signed ? select(bin('lt', x, f(d, 0)), neg(x), x) : x) },
  neg: { dtypes: SIGNED, scalar: ([x]) => neg(x) },
  sign: {
    dtypes: NUMERIC,
    scalar: ([x], _a, d) => select(bin('gt', x, f(d, 0)), f(d, 1), select(bin('lt', x, f(d, 0)), f(d, -1), isFloat(d) ? x : f(d, 0))),
  },
  reciprocal: { dtypes: FLOATS_ONLY, scalar: ([x], _a, d) => bin('div', f(d, 1), x) },
  is_nan: { dtypes: FLOATS_ONLY, scalar: ([x]) => callT('is_nan', 'bool', x) },
  is_inf: {
    dtypes: FLOATS_ONLY,
    scalar: ([x], a) => {
      const t = x.type;
      const pos = a.detect_positive ? bin('eq', x, lit(t, Infinity)) : lit('bool', 0);
      const ng = a.detect_negative ? bin('eq', x, lit(t, -Infinity)) : lit('bool', 0);
      return bin('or', pos, ng);
    },
  },
  identity: { dtypes: () => true, scalar: ([x]) => x },
  bitwise_not: { dtypes: isInteger, scalar: ([x]) => ({ k: 'unary', op: 'bit_not', a: x, type: x.type }) },
  not: { dtypes: (d) => d === 'bool', scalar: ([x]) => ({ k: 'unary', op: 'not', a: x, type: 'bool' }) },
  clip: { dtypes: NUMERIC, scalar: clipScalar },
  relu: { dtypes: SIGNED, scalar: ([x], _a, d) => select(bin('lt', x, f(d, 0)), f(d, 0), x) },
  leaky_relu: { dtypes: FLOATS_ONLY, scalar: ([x], a, d) => select(bin('lt', x, f(d, 0)), bin('mul', f(d, attr(a, 'alpha')), x), x) },
  elu: { dtypes: FLOATS_ONLY, scalar: ([x], a, d) => select(bin('lt', x, f(d, 0)), bin('mul', f(d, attr(a, 'alpha')), call('expm1', x)), x) },
  selu: {
    dtypes: FLOATS_ONLY,
    scalar: ([x], a, d) => select(bin('gt', x, f(d, 0)), bin('mul', f(d, attr(a, 'gamma')), x), bin('mul', f(d, attr(a, 'gamma') * attr(a, 'alpha')), call('expm1', x))),
  },
  celu: {
    dtypes: FLOATS_ONLY,
    scalar: ([x], a, d) => select(bin('gt', x, f(d, 0)), x, bin('mul', f(d, attr(a, 'alpha')), call('expm1', bin('div', x, f(d, attr(a, 'alpha')))))),
  },
  gelu: { dtypes: FLOATS_ONLY, scalar: ([x], a) => call(a.approximate === 'tanh' ? 'gelu_tanh' : 'gelu', x) },
  silu: { dtypes: FLOATS_ONLY, scalar: ([x]) => bin('mul', x, call('sigmoid', x)) },
  hard_sigmoid: {
    dtypes: FLOATS_ONLY,
    scalar: ([x], a, d) => fmaxNan(f(d, 0), fminNan(f(d, 1), bin('add', bin('mul', f(d, attr(a, 'alpha')), x), f(d, attr(a, 'beta'))))),
  },
  hard_swish: {
    dtypes: FLOATS_ONLY,
    scalar: ([x], _a, d) => bin('mul', x, fmaxNan(f(d, 0), fminNan(f(d, 1), bin('add', bin('div', x, f(d, 6)), f(d, 0.5))))),
  },
  softsign: { dtypes: FLOATS_ONLY, scalar: ([x], _a, d) => bin('div', x, bin('add', f(d, 1), call('abs', x))) },
  mish: { dtypes: FLOATS_ONLY, scalar: ([x]) => bin('mul', x, call('tanh', call('softplus', x))) },
  thresholded_relu: { dtypes: FLOATS_ONLY, scalar: ([x], a, d) => select(bin('gt', x, f(d, attr(a, 'alpha'))), x, f(d, 0)) },
  shrink: {
    dtypes: FLOATS_ONLY,
    scalar: ([x], a, d) => {
      const l = attr(a, 'lambd'), b = attr(a, 'bias');
      return select(bin('lt', x, f(d, -l)), bin('add', x, f(d, b)), select(bin('gt', x, f(d, l)), bin('sub', x, f(d, b)), f(d, 0)));
    },
  },
  cast: { dtypes: (d) => COMPUTE(d), scalar: ([x], a) => cast(x, a.to as DType) },
  add: { dtypes: NUMERIC, scalar: ([x, y]) => bin('add', x, y) },
  sub: { dtypes: NUMERIC, scalar: ([x, y]) => bin('sub', x, y) },
  mul: { dtypes: NUMERIC, scalar: ([x, y]) => bin('mul', x, y) },
  div: { dtypes: NUMERIC, scalar: ([x, y]) => bin('div', x, y) },
  mod: {
    dtypes: NUMERIC,
    scalar: ([x, y], a, d) => (isFloat(d) ? call('fmod', x, y) : a.fmod === 1 || !DTYPE_INFO[d].signed ? bin('rem', x, y) : floorMod(x, y, d)),
  },
  bit_shift: {
    dtypes: isInteger,
    scalar: ([x, y], a, d) => {
      const bits = DTYPE_INFO[d].bytes * 8;
      return select(bin('ge', y, f(d, bits)), f(d, 0), bin(a.direction === 'LEFT' ? 'shl' : 'shr', x, y));
    },
  },
  bitwise_and: { dtypes: isInteger, scalar: ([x, y]) => bin('bit_and', x, y) },
  bitwise_or: { dtypes: isInteger, scalar: ([x, y]) => bin('bit_or', x, y) },
  bitwise_xor: { dtypes: isInteger, scalar: ([x, y]) => bin('bit_xor', x, y) },
  equal: { dtypes: COMPUTE, scalar: ([x, y]) => bin('eq', x, y) },
  less: { dtypes: NUMERIC, scalar: ([x, y]) => bin('lt', x, y) },
  less_or_equal: { dtypes: NUMERIC, scalar: ([x, y]) => bin('le', x, y) },
  greater: { dtypes: NUMERIC, scalar: ([x, y]) => bin('gt', x, y) },
  greater_or_equal: { dtypes: NUMERIC, scalar: ([x, y]) => bin('ge', x, y) },
  and: { dtypes: (d) => d === 'bool', scalar: ([x, y]) => bin('and', x, y) },
  or: { dtypes: (d) => d === 'bool', scalar: ([x, y]) => bin('or', x, y) },
  xor: { dtypes: (d) => d === 'bool', scalar: ([x, y]) => bin('ne', x, y) },
  pow: {
    dtypes: NUMERIC,
    scalar: ([x, y], _a, d) => (isFloat(d) ? call('pow', x, cast(y, d)) : callT('pow', d, x, cast(y, d))),
  },
  prelu: { dtypes: SIGNED, scalar: ([x, s], _a, d) => select(bin('lt', x, f(d, 0)), bin('mul', x, s), x) },
  where: { dtypes: COMPUTE, scalar: ([c, x, y]) => select(c, x, y) },
  max: { dtypes: NUMERIC, scalar: (xs, _a, d) => xs.reduce((acc, x) => (isFloat(d) ? fmaxNan(acc, x) : bin('max', acc, x))) },
  min: { dtypes: NUMERIC, scalar: (xs, _a, d) => xs.reduce((acc, x) => (isFloat(d) ? fminNan(acc, x) : bin('min', acc, x))) },
  sum: { dtypes: NUMERIC, scalar: (xs) => xs.reduce((acc, x) => bin('add', acc, x)) },
  mean: { dtypes: FLOATS_ONLY, scalar: (xs, _a, d) => bin('div', xs.reduce((acc, x) => bin('add', acc, x)), f(d, xs.length)) },
};

/**
 * Node `n` applied to scalar operands, as a value of its output dtype. f16/bf16 operands are widened
 * to f64 and the result rounded once to its dtype, so every node rounds as the interpreter's does.
 */
export function elementwiseValue(n: Node, args: Expr[]): Expr {
  const out = n.outputs[0].type.dtype;
  const wide = args.map((a) => (HALF(a.type) ? cast(a, 'f64') : a));
  return cast(ELEMENTWISE[n.op].scalar(wide, fullAttrs(n), HALF(out) ? 'f64' : out), out);
}

/** The dtype an elementwise op is checked against: the data operand's (where: x; cast: both ends). */
export function elementwiseUnsupported(node: Node): string | null {
  const op = ELEMENTWISE[node.op];
  const data = node.op === 'where' ? node.inputs[1]! : node.inputs[0]!;
  if (!op.dtypes(data.type.dtype)) return `dtype ${data.type.dtype}`;
  if (node.op === 'cast' && !COMPUTE(node.outputs[0].type.dtype)) return `cast to ${node.outputs[0].type.dtype}`;
  if (node.op === 'cast' && !COMPUTE(data.type.dtype)) return `cast from ${data.type.dtype}`;
  if (node.op === 'pow' && !NUMERIC(node.inputs[1]!.type.dtype)) return `exponent dtype ${node.inputs[1]!.type.dtype}`;
  return null;
}

/**
 * Loop nest over `outShape` with operands broadcast to it. Output dims of size 1 are dropped and,
 * with `merge`, adjacent dims merged where every operand is contiguous (or broadcast) across both.
 * `body(outIndex, operandIndices, coords)` gives the statements of one element; `coords` are its
 * coordinates in `outShape` (merged dims split back by div/mod: pass `merge` false where they are used).
 */
export function broadcastNest(
  names: Names, outShape: readonly Dim[], operandShapes: readonly (readonly Dim[])[],
  body: (outIndex: Expr, operandIndex: Expr[], coords: Expr[]) => Stmt[], merge = true,
): { stmts: Stmt[]; loops: string[] } {
  // per kept dim: extent, out stride, and each operand's stride (0 where broadcast)
  const outSt = stridesExpr(outShape);
  const opSt = operandShapes.map((s) => broadcastStrides(s, outShape));
  const broadcastAt = (k: number, i: number) => {
    const s = operandShapes[k], j = i - (outShape.length - s.length);
    return j < 0 || (s[j] === 1 && !dimEq(outShape[i], 1));
  };
  const dims: { members: number[]; i: number }[] = [];
  for (let i = 0; i < outShape.length; i++) {
    if (outShape[i] === 1) continue;
    const last = dims[dims.length - 1];
    if (merge && last && last.i === i - 1 - countOnesBetween(outShape, last.i, i) && operandShapes.every((_, k) => broadcastAt(k, last.i) === broadcastAt(k, i)))
      { last.members.push(i); last.i = i; }
    else dims.push({ members: [i], i });
  }
  // a merged dim's strides are those of its innermost member
  const vars = dims.map(() => names.fresh('i'));
  const outIndex = linearIndex(vars.map(ivar), dims.map((d) => outSt[d.i]));
  const opIndex = opSt.map((st) => linearIndex(vars.map(ivar), dims.map((d) => st[d.i])));
  const coords = outShape.map((): Expr => idx(0));
  dims.forEach((d, k) => {
    const digits = unflatten(ivar(vars[k]), d.members.map((i) => outShape[i]));
    d.members.forEach((i, m) => { coords[i] = digits[m]; });
  });
  let stmts = body(outIndex, opIndex, coords);
  for (let k = dims.length - 1; k >= 0; k--) stmts = [loop(vars[k], productExpr(dims[k].members.map((i) => outShape[i])), stmts)];
  return { stmts, loops: vars };
}

function countOnesBetween(shape: readonly Dim[], a: number, b: number): number {
  let n = 0;
  for (let i = a + 1; i < b; i++) if (shape[i] === 1) n++;
  return n;
}

/** Parallel over the outer two loops of a nest, vectorized innermost. */
export function nestSchedule(loops: string[], work: Expr) {
  const s = defaultSchedule(work);
  if (loops.length === 0) return s;
  s.parallel = loops.length > 2 ? loops.slice(0, 2) : loops.slice(0, 1);
  if (loops.length > 1) s.vector = [loops[loops.length - 1]];
  else s.vector = [loops[0]];
  return s;
}

/**
 * Lower a group of elementwise nodes (all with one output shape) to one loop nest. `operand` maps
 * every value the group reads from outside, and every value it must store, to its kernel parameter.
 */
export function lowerElementwiseGroup(
  nodes: readonly Node[], operand: (v: Value) => Operand | undefined, stored: ReadonlySet<Value>, names: Names,
): LoweredKernel {
  const outShape = nodes[nodes.length - 1].outputs[0].type.shape;
  const inside = new Set(nodes.flatMap((n) => n.outputs));
  const external: Value[] = [];
  for (const n of nodes) for (const v of n.inputs) if (v && !inside.has(v) && !external.includes(v)) external.push(v);
  // an operand read or stored through a view is indexed by coordinates, so dims are not merged
  const viewed = [...external, ...stored].some((v) => operand(v)?.view);
  const nest = broadcastNest(names, outShape, external.map((v) => v.type.shape), (outIndex, opIndex, coords) => {
    const stmts: Stmt[] = [];
    const scalars = new Map<Value, Expr>();
    external.forEach((v, k) => {
      const name = names.fresh('a');
      const o = operand(v)!;
      stmts.push(letv(name, load(o.buf, elementIndex(o, broadcastCoords(coords, v.type.shape, outShape), opIndex[k]), v.type.dtype)));
      scalars.set(v, svar(name, v.type.dtype));
    });
    for (const n of nodes) {
      const out = n.outputs[0];
      const name = names.fresh('t');
      stmts.push(letv(name, elementwiseValue(n, n.inputs.map((v) => scalars.get(v!)!))));
      scalars.set(out, svar(name, out.type.dtype));
      const o = stored.has(out) ? operand(out)! : undefined;
      if (o) stmts.push(store(o.buf, elementIndex(o, coords, outIndex), scalars.get(out)!));
    }
    return stmts;
  }, !viewed);
  return { body: nest.stmts, schedule: nestSchedule(nest.loops, productExpr(outShape)) };
}
