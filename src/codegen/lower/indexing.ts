// Indexing, creation and selection ops: the gather/scatter families, one_hot, trilu, reverse_sequence,
// the ops that create tensors from attributes (constant_of_shape, eye_like, range, the windows, the mel
// filter bank), arg_max/arg_min, hardmax, cum_sum, topk, max_pool's indices, max_unpool and
// tf_idf_vectorizer. Index tensors are checked before any kernel reads through them (a failed check
// stops the run with the ABI's index code); every read also wraps and clamps its index, since on WGSL
// a failed check only records its code and the kernel goes on. Scatters are partitioned by output
// element: each element folds in, in index order, the updates that land on it, so duplicate indices
// never race and the last update wins as in the interpreter.
import { Dim, dimEq, isStatic } from '../../ir/dim.js';
import { DType, isFloat } from '../../ir/dtype.js';
import { Node } from '../../ir/graph.js';
import { normAxis } from '../../ir/ops/util.js';
import { Tensor } from '../../ir/tensor.js';
import { evalNode } from '../../ir/interp.js';
import { Geometry3, geometry3, readWindow, resolvePads, windowOutDim } from '../../ir/ops/linalg-window.js';
import {
  Expr, ScalarType, Stmt, add, and, assign, bin, call, cast, defaultSchedule, ge, idx, ivar, letv, lit, load, loop, lt, mul, num, select, store, sub, svar, when,
} from '../kernel-ir.js';
import { dimExpr, linearIndex, productExpr, stridesExpr } from './dims.js';
import { INDEX_OUT_OF_RANGE, LowerCtx, LoweredKernel, OpLowering, req } from './context.js';
import { copyNest } from './movement.js';
import { NORMALIZE } from './normalize.js';


/** Values these kernels compute or select as numbers; f16/bf16 storage has no scalar type in the kernel IR. */
const numeric = (d: DType) => d !== 'f16' && d !== 'bf16';
const dtypeReason = (d: DType) => (numeric(d) ? null : `dtype ${d}`);
const floatKernel = (d: DType) => d === 'f32' || d === 'f64';

const TRUE = lit('bool', 1);
const FALSE = lit('bool', 0);
const not = (a: Expr): Expr => ({ k: 'unary', op: 'not', a, type: 'bool' });
const or = (a: Expr, b: Expr) => bin('or', a, b);
const eq = (a: Expr, b: Expr) => bin('eq', a, b);
const isNan = (a: Expr) => bin('ne', a, a);

/** Whether a raw index addresses a dim of length d (ONNX: negative indices count from the end). */
const inRange = (raw: Expr, d: Expr) => and(ge(raw, sub(idx(0), d)), lt(raw, d));

/** A raw index wrapped as ONNX does, then clamped into [0, d) so that no read leaves its buffer. */
function wrapIndex(raw: Expr, d: Expr): Expr {
  const wrapped = select(lt(raw, idx(0)), add(raw, d), raw);
  return bin('min', bin('max', wrapped, idx(0)), sub(d, idx(1)));
}

const indexAt = (buf: string, at: Expr, dtype: DType) => cast(load(buf, at, dtype), 'index');

function rangeCheck(raw: Expr, d: Expr, what: string): Stmt {
  return { k: 'check', cond: inRange(raw, d), code: INDEX_OUT_OF_RANGE, message: `${what} index out of range` };
}

/** A loop nest over `shape` with the row-major flat index of each point (no vector binding: bodies with inner loops). */
function pointNest(ctx: LowerCtx, shape: readonly Dim[], work: Expr, body: (coords: Expr[], flat: Expr) => Stmt[]): LoweredKernel {
  const st = stridesExpr(shape);
  const k = copyNest(ctx, shape, (c) => body(c, linearIndex(c, st)));
  k.schedule.vector = [];
  k.schedule.work = work;
  return k;
}

/** A storage value as a literal of its dtype (i64 bit patterns exactly). */
function literalOf(t: Tensor, at: number): Expr {
  const v = (t.data as ArrayLike<number | bigint>)[at];
  return typeof v === 'bigint' ? lit(t.dtype, v) : num(t.dtype, v);
}

// ---------------------------------------------------------------- tensors from attributes

const constantOfShape: OpLowering = {
  unsupported: (node) => dtypeReason(node.outputs[0].type.dtype),
  lower(ctx) {
    const Y = ctx.output(0);
    const value = (ctx.attrs.value as Tensor | undefined) ?? Tensor.scalar('f32', 0);
    const fill = literalOf(value, 0);
    const st = stridesExpr(Y.type.shape);
    return copyNest(ctx, Y.type.shape, (c) => [store(Y.buf, linearIndex(c, st), fill)]);
  },
};

const eyeLike: OpLowering = {
  unsupported: (node) => dtypeReason(node.outputs[0].type.dtype),
  lower(ctx) {
    const Y = ctx.output(0);
    const d = Y.type.dtype;
    const st = stridesExpr(Y.type.shape);
    const k = ctx.attrs.k as number;
    return copyNest(ctx, Y.type.shape, ([i, j]) => [store(Y.buf, linearIndex([i, j], st), select(eq(sub(j, i), idx(k)), num(d, 1), num(d, 0)))]);
  },
};

const f64 = (v: number) => num('f64', v);

/** A 1-D tensor whose element i is `value(i as f64)` rounded to the output dtype, as the interpreter computes in f64. */
function sequenceKernel(ctx: LowerCtx, value: (i: Expr) => Expr): LoweredKernel {
  const Y = ctx.output(0);
  return copyNest(ctx, Y.type.shape, ([i]) => [store(Y.buf, i, cast(value(cast(i, 'f64')), Y.type.dtype))]);
}

const range: OpLowering = {
  unsupported: (node) => dtypeReason(node.outputs[0].type.dtype),
  lower: (ctx) => sequenceKernel(ctx, (i) => bin('add', f64(ctx.attrs.start as number), bin('mul', i, f64(ctx.attrs.delta as number)))),
};

/** A generalized cosine window: w[n] = sum_k (-1)^k a_k cos(2 pi k n / N) (src/ir/ops/signal-windows.ts). */
function cosineWindow(coeffs: readonly number[]): OpLowering {
  return {
    unsupported: (node) => dtypeReason(node.outputs[0].type.dtype),
    lower(ctx) {
      const size = ctx.attrs.size as number;
      const period = ctx.attrs.periodic ? size : size - 1;
      return sequenceKernel(ctx, (n) => coeffs
        .map((a, k) => bin('mul', f64(k % 2 === 0 ? a : -a), call('cos', bin('div', bin('mul', f64(2 * Math.PI * k), n), f64(period)))))
        .reduce((s, t) => bin('add', s, t)));
    },
  };
}

// ---------------------------------------------------------------- trilu, one_hot, reverse_sequence

const trilu: OpLowering = {
  unsupported: (node) => dtypeReason(node.inputs[0]!.type.dtype),
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const d = X.type.dtype;
    const rank = X.type.shape.length;
    const k = idx(ctx.attrs.k as number);
    const st = stridesExpr(X.type.shape);
    return copyNest(ctx, X.type.shape, (c) => {
      const diagonal = sub(c[rank - 1], c[rank - 2]);
      const keep = ctx.attrs.upper ? ge(diagonal, k) : bin('le', diagonal, k);
      const at = linearIndex(c, st);
      return [store(Y.buf, at, load(X.buf, at, d, keep, num(d, 0)))];
    });
  },
};

const oneHot: OpLowering = {
  unsupported(node) {
    const i = node.inputs[0]!.type.dtype;
    return dtypeReason(node.inputs[1]!.type.dtype) ?? (numeric(i) ? null : `indices dtype ${i}`);
  },
  lower(ctx) {
    const I = req(ctx, 0), V = req(ctx, 1), Y = ctx.output(0);
    const d = V.type.dtype;
    const depth = ctx.attrs.depth as number;
    const a = normAxis(ctx.attrs.axis as number, I.type.shape.length + 1);
    const inSt = stridesExpr(I.type.shape), outSt = stridesExpr(Y.type.shape);
    return copyNest(ctx, Y.type.shape, (c) => {
      // ONNX allows float indices and truncates them; NaN selects nothing
      const x = load(I.buf, linearIndex([...c.slice(0, a), ...c.slice(a + 1)], inSt), I.type.dtype);
      const raw = ctx.fresh('raw');
      const hot = eq(select(lt(ivar(raw), idx(0)), add(ivar(raw), idx(depth)), ivar(raw)), c[a]);
      return [
        letv(raw, cast(x, 'index')),
        store(Y.buf, linearIndex(c, outSt), select(isFloat(I.type.dtype) ? and(not(isNan(x)), hot) : hot, load(V.buf, idx(1), d), load(V.buf, idx(0), d))),
      ];
    });
  },
};

const reverseSequence: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0), L = req(ctx, 1), Y = ctx.output(0);
    const rank = X.type.shape.length;
    const b = normAxis(ctx.attrs.batch_axis as number, rank), t = normAxis(ctx.attrs.time_axis as number, rank);
    const steps = dimExpr(X.type.shape[t]);
    const st = stridesExpr(X.type.shape);
    const bi = ctx.fresh('b');
    const len = indexAt(L.buf, ivar(bi), L.type.dtype);
    const check = loop(bi, dimExpr(X.type.shape[b]), [{ k: 'check', cond: and(ge(len, idx(0)), bin('le', len, steps)), code: INDEX_OUT_OF_RANGE, message: 'reverse_sequence length out of range' }]);
    const copy = copyNest(ctx, X.type.shape, (c) => {
      const n = ctx.fresh('len');
      const src = [...c];
      src[t] = select(lt(c[t], ivar(n)), sub(sub(ivar(n), idx(1)), c[t]), c[t]);
      return [
        letv(n, bin('min', bin('max', indexAt(L.buf, c[b], L.type.dtype), idx(0)), steps)),
        store(Y.buf, linearIndex(c, st), load(X.buf, linearIndex(src, st), X.type.dtype)),
      ];
    });
    return { body: [check, ...copy.body], schedule: copy.schedule };
  },
};

// ---------------------------------------------------------------- gather and scatter families

/** Checks that the dims of `indices` other than `axis` fit those of `data` (gather_elements, scatter_elements). */
function elementsShapeChecks(data: readonly Dim[], indices: readonly Dim[], axis: number): Stmt[] {
  return indices.flatMap((d, k) => (k === axis || dimEq(d, data[k]) ? [] : [{
    k: 'check' as const, cond: bin('le', dimExpr(d), dimExpr(data[k])), code: INDEX_OUT_OF_RANGE, message: 'indices shape exceeds the data',
  }]));
}

function elementsUnsupported(node: Node, attrs: Record<string, unknown>): string | null {
  const data = node.inputs[0]!.type.shape, indices = node.inputs[1]!.type.shape;
  const axis = normAxis(attrs.axis as number, data.length);
  const exceeds = indices.some((d, k) => k !== axis && isStatic(d) && isStatic(data[k]) && d > data[k]);
  return exceeds ? 'indices shape exceeds the data' : null;
}

/** A serial loop checking every index of I (flat) against the dim length d. */
function indexChecks(ctx: LowerCtx, I: { buf: string; type: { dtype: DType; shape: readonly Dim[] } }, d: Expr, what: string): Stmt {
  const c = ctx.fresh('c');
  return loop(c, productExpr(I.type.shape), [rangeCheck(indexAt(I.buf, ivar(c), I.type.dtype), d, what)]);
}

const gatherElements: OpLowering = {
  unsupported: elementsUnsupported,
  lower(ctx) {
    const X = req(ctx, 0), I = req(ctx, 1), Y = ctx.output(0);
    const a = normAxis(ctx.attrs.axis as number, X.type.shape.length);
    const d = dimExpr(X.type.shape[a]);
    const xSt = stridesExpr(X.type.shape), iSt = stridesExpr(I.type.shape);
    const copy = copyNest(ctx, I.type.shape, (c) => {
      const at = linearIndex(c, iSt);
      const src = c.map((ci, k) => (k === a ? wrapIndex(indexAt(I.buf, at, I.type.dtype), d) : ci));
      return [store(Y.buf, at, load(X.buf, linearIndex(src, xSt), X.type.dtype))];
    });
    const checks = [...elementsShapeChecks(X.type.shape, I.type.shape, a), indexChecks(ctx, I, d, 'gather_elements')];
    return { body: [...checks, ...copy.body], schedule: copy.schedule };
  },
};

const gatherNd: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0), I = req(ctx, 1), Y = ctx.output(0);
    const b = ctx.attrs.batch_dims as number;
    const q = I.type.shape.length;
    const m = I.type.shape[q - 1] as number;
    const xSt = stridesExpr(X.type.shape), iSt = stridesExpr(I.type.shape), ySt = stridesExpr(Y.type.shape);
    const dims = Array.from({ length: m }, (_, t) => dimExpr(X.type.shape[b + t]));
    const p = ctx.fresh('p');
    const tuples = productExpr(I.type.shape.slice(0, -1));
    const checks = loop(p, tuples, dims.map((d, t) => rangeCheck(indexAt(I.buf, add(mul(ivar(p), idx(m)), idx(t)), I.type.dtype), d, 'gather_nd')));
    const copy = copyNest(ctx, Y.type.shape, (c) => {
      const lead = c.slice(0, q - 1);
      const tuple = dims.map((d, t) => wrapIndex(indexAt(I.buf, linearIndex([...lead, idx(t)], iSt), I.type.dtype), d));
      const src = [...lead.slice(0, b), ...tuple, ...c.slice(q - 1)];
      return [store(Y.buf, linearIndex(c, ySt), load(X.buf, linearIndex(src, xSt), X.type.dtype))];
    });
    return { body: [checks, ...copy.body], schedule: copy.schedule };
  },
};

type Reduction = 'none' | 'add' | 'mul' | 'max' | 'min';

/** How a scatter folds an update into the value it lands on (the interpreter's combiner; float max/min keep NaN). */
function combine(reduction: Reduction, acc: Expr, update: Expr): Expr {
  const float = acc.type !== 'index' && isFloat(acc.type);
  switch (reduction) {
    case 'none': return update;
    case 'add': return bin('add', acc, update);
    case 'mul': return bin('mul', acc, update);
    case 'max': return float ? call('fmax_nan', acc, update) : bin('max', acc, update);
    case 'min': return float ? call('fmin_nan', acc, update) : bin('min', acc, update);
  }
}

const scatterUnsupported = (node: Node, attrs: Record<string, unknown>) =>
  (attrs.reduction === 'none' ? null : dtypeReason(node.inputs[0]!.type.dtype));

const scatterElements: OpLowering = {
  unsupported: (node, attrs) => elementsUnsupported(node, attrs) ?? scatterUnsupported(node, attrs),
  lower(ctx) {
    const X = req(ctx, 0), I = req(ctx, 1), U = req(ctx, 2), Y = ctx.output(0);
    const dt = X.type.dtype;
    const a = normAxis(ctx.attrs.axis as number, X.type.shape.length);
    const d = dimExpr(X.type.shape[a]);
    const along = dimExpr(I.type.shape[a]);
    const iSt = stridesExpr(I.type.shape);
    const nest = pointNest(ctx, X.type.shape, mul(productExpr(X.type.shape), along), (c, at) => {
      const [acc, j] = [ctx.fresh('acc'), ctx.fresh('j')];
      const pos = linearIndex(c.map((ci, k) => (k === a ? ivar(j) : ci)), iSt);
      const lands = eq(wrapIndex(indexAt(I.buf, pos, I.type.dtype), d), c[a]);
      const scan = loop(j, along, [when(lands, [assign(acc, combine(ctx.attrs.reduction as Reduction, svar(acc, dt), load(U.buf, pos, dt)))])]);
      // only output lines that the indices cover receive updates
      const covered = I.type.shape.map((n, k) => (k === a || dimEq(n, X.type.shape[k]) ? TRUE : lt(c[k], dimExpr(n)))).filter((e) => e !== TRUE);
      return [
        letv(acc, load(X.buf, at, dt), true),
        covered.length ? when(covered.reduce((p, e) => and(p, e)), [scan]) : scan,
        store(Y.buf, at, svar(acc, dt)),
      ];
    });
    const checks = [...elementsShapeChecks(X.type.shape, I.type.shape, a), indexChecks(ctx, I, d, 'scatter_elements')];
    return { body: [...checks, ...nest.body], schedule: nest.schedule };
  },
};

const scatterNd: OpLowering = {
  unsupported: scatterUnsupported,
  lower(ctx) {
    const X = req(ctx, 0), I = req(ctx, 1), U = req(ctx, 2), Y = ctx.output(0);
    const dt = X.type.dtype;
    const m = I.type.shape[I.type.shape.length - 1] as number;
    const tuples = productExpr(I.type.shape.slice(0, -1));
    const inner = productExpr(X.type.shape.slice(m));
    const dims = Array.from({ length: m }, (_, t) => dimExpr(X.type.shape[t]));
    const tupleIndex = (p: Expr, t: number) => indexAt(I.buf, add(mul(p, idx(m)), idx(t)), I.type.dtype);
    const p = ctx.fresh('p');
    const checks = loop(p, tuples, dims.map((d, t) => rangeCheck(tupleIndex(ivar(p), t), d, 'scatter_nd')));
    const innerSt = stridesExpr(X.type.shape.slice(m));
    const nest = pointNest(ctx, X.type.shape, mul(productExpr(X.type.shape), tuples), (c, at) => {
      const [acc, u] = [ctx.fresh('acc'), ctx.fresh('u')];
      const lands = dims.map((d, t) => eq(wrapIndex(tupleIndex(ivar(u), t), d), c[t])).reduce((x, y) => and(x, y));
      const update = load(U.buf, add(mul(ivar(u), inner), linearIndex(c.slice(m), innerSt)), dt);
      return [
        letv(acc, load(X.buf, at, dt), true),
        loop(u, tuples, [when(lands, [assign(acc, combine(ctx.attrs.reduction as Reduction, svar(acc, dt), update))])]),
        store(Y.buf, at, svar(acc, dt)),
      ];
    });
    return { body: [checks, ...nest.body], schedule: nest.schedule };
  },
};

// ---------------------------------------------------------------- along one axis: arg_max/arg_min, hardmax, cum_sum, topk

/** Sizes before, along and after one axis; element (o, j, i) is at (o * n + j) * inner + i. */
function splitAxis(shape: readonly Dim[], axis: number) {
  return { outer: productExpr(shape.slice(0, axis)), n: dimExpr(shape[axis]), inner: productExpr(shape.slice(axis + 1)) };
}

/** A parallel nest over the (outer, inner) lines along `axis`; `body` gets the address of element j of the line. */
function lineNest(ctx: LowerCtx, shape: readonly Dim[], axis: number, body: (at: (j: Expr) => Expr, o: Expr, i: Expr) => Stmt[]): LoweredKernel {
  const { outer, n, inner } = splitAxis(shape, axis);
  const [o, i] = [ctx.fresh('o'), ctx.fresh('i')];
  const at = (j: Expr) => add(mul(add(mul(ivar(o), n), j), inner), ivar(i));
  const schedule = defaultSchedule(productExpr(shape));
  schedule.parallel = [o, i];
  return { body: [loop(o, outer, [loop(i, inner, body(at, ivar(o), ivar(i)))])], schedule };
}

/** A check that a symbolic axis is not empty (a static empty axis is refused when lowering). */
function nonEmpty(d: Dim, what: string): Stmt[] {
  return isStatic(d) ? [] : [{ k: 'check', cond: bin('gt', dimExpr(d), idx(0)), code: INDEX_OUT_OF_RANGE, message: `${what} over an empty axis` }];
}

function argLowering(kind: 'max' | 'min'): OpLowering {
  return {
    unsupported(node, attrs) {
      const x = node.inputs[0]!.type;
      return dtypeReason(x.dtype) ?? (x.shape[normAxis(attrs.axis as number, x.shape.length)] === 0 ? 'an empty axis' : null);
    },
    lower(ctx) {
      const X = req(ctx, 0), Y = ctx.output(0);
      const d = X.type.dtype;
      const axis = normAxis(ctx.attrs.axis as number, X.type.shape.length);
      const { n, inner } = splitAxis(X.type.shape, axis);
      const last = ctx.attrs.select_last_index === true;
      const k = lineNest(ctx, X.type.shape, axis, (at, o, i) => {
        const [best, pos, done, j, c] = ['best', 'at', 'done', 'j', 'c'].map((h) => ctx.fresh(h));
        const cv = svar(c, d), bv = svar(best, d);
        const better = bin(kind === 'max' ? 'gt' : 'lt', cv, bv);
        const take = [assign(best, cv), assign(pos, ivar(j))];
        // the first NaN wins and ends the search, as in the interpreter
        const step: Stmt[] = isFloat(d)
          ? [when(isNan(cv), [assign(pos, ivar(j)), assign(done, TRUE)], [when(last ? or(better, eq(cv, bv)) : better, take)])]
          : [when(last ? or(better, eq(cv, bv)) : better, take)];
        return [
          letv(best, load(X.buf, at(idx(0)), d), true),
          letv(pos, idx(0), true),
          letv(done, isFloat(d) ? isNan(bv) : FALSE, true),
          loop(j, n, [letv(c, load(X.buf, at(ivar(j)), d)), when(not(svar(done, 'bool')), step)], idx(1)),
          store(Y.buf, add(mul(o, inner), i), cast(ivar(pos), 'i64')),
        ];
      });
      return { body: [...nonEmpty(X.type.shape[axis], `arg_${kind}`), ...k.body], schedule: k.schedule };
    },
  };
}

const hardmax: OpLowering = {
  unsupported: (node) => (floatKernel(node.inputs[0]!.type.dtype) ? null : `dtype ${node.inputs[0]!.type.dtype}`),
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const d = X.type.dtype;
    const axis = normAxis(ctx.attrs.axis as number, X.type.shape.length);
    const { n } = splitAxis(X.type.shape, axis);
    return lineNest(ctx, X.type.shape, axis, (at) => {
      const [best, pos, j, c] = ['best', 'at', 'j', 'c'].map((h) => ctx.fresh(h));
      return [
        letv(best, lit(d, -Infinity), true),
        letv(pos, idx(0), true),
        loop(j, n, [letv(c, load(X.buf, at(ivar(j)), d)), when(bin('gt', svar(c, d), svar(best, d)), [assign(best, svar(c, d)), assign(pos, ivar(j))])]),
        loop(j, n, [store(Y.buf, at(ivar(j)), select(eq(ivar(j), ivar(pos)), num(d, 1), num(d, 0)))]),
      ];
    });
  },
};

const cumSum: OpLowering = {
  unsupported: (node) => dtypeReason(node.inputs[0]!.type.dtype),
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const d = X.type.dtype;
    const axis = normAxis(ctx.attrs.axis as number, X.type.shape.length);
    const { n } = splitAxis(X.type.shape, axis);
    // the interpreter sums in f64; integers sum exactly in i64
    const accT: ScalarType = isFloat(d) ? 'f64' : 'i64';
    return lineNest(ctx, X.type.shape, axis, (at) => {
      const [acc, step, j] = [ctx.fresh('acc'), ctx.fresh('step'), ctx.fresh('j')];
      const a = svar(acc, accT);
      const xAt = at(ivar(j));
      const add1 = assign(acc, bin('add', a, cast(load(X.buf, xAt, d), accT)));
      const put = store(Y.buf, xAt, cast(a, d));
      return [
        letv(acc, num(accT, 0), true),
        loop(step, n, [
          letv(j, ctx.attrs.reverse ? sub(sub(n, idx(1)), ivar(step)) : ivar(step)),
          ...(ctx.attrs.exclusive ? [put, add1] : [add1, put]),
        ]),
      ];
    });
  },
};

/**
 * Whether element (a, ai) comes before (b, bi) in topk's order: larger (or smaller) first, equal values
 * by index, NaN counting as the largest value.
 */
function precedes(largest: boolean, a: Expr, ai: Expr, b: Expr, bi: Expr): Expr {
  const byValue = select(eq(a, b), lt(ai, bi), bin(largest ? 'gt' : 'lt', a, b));
  if (a.type === 'index' || !isFloat(a.type)) return byValue;
  const [aNan, bNan] = [isNan(a), isNan(b)];
  return select(and(aNan, bNan), lt(ai, bi), select(aNan, largest ? TRUE : FALSE, select(bNan, largest ? FALSE : TRUE, byValue)));
}

const topk: OpLowering = {
  unsupported: (node) => dtypeReason(node.inputs[0]!.type.dtype),
  lower(ctx) {
    const X = req(ctx, 0), V = ctx.output(0), I = ctx.output(1);
    const d = X.type.dtype;
    const axis = normAxis(ctx.attrs.axis as number, X.type.shape.length);
    const k = ctx.attrs.k as number;
    const largest = ctx.attrs.largest !== false;
    const { n, inner } = splitAxis(X.type.shape, axis);
    // k selection passes, each taking the first element after the previous pick in the order: no scratch memory
    return lineNest(ctx, X.type.shape, axis, (at, o, i) => {
      const [prev, best, r, j, pv, bv, v] = ['prev', 'best', 'r', 'j', 'pv', 'bv', 'v'].map((h) => ctx.fresh(h));
      const xAt = (e: Expr) => load(X.buf, at(bin('max', e, idx(0))), d);
      const outAt = add(mul(add(mul(o, idx(k)), ivar(r)), inner), i);
      const after = or(lt(ivar(prev), idx(0)), precedes(largest, svar(pv, d), ivar(prev), svar(v, d), ivar(j)));
      const better = or(lt(ivar(best), idx(0)), precedes(largest, svar(v, d), ivar(j), svar(bv, d), ivar(best)));
      const stmts: Stmt[] = [
        letv(prev, idx(-1), true),
        loop(r, idx(k), [
          letv(pv, xAt(ivar(prev))),
          letv(best, idx(-1), true),
          loop(j, n, [letv(v, load(X.buf, at(ivar(j)), d)), letv(bv, xAt(ivar(best))), when(and(after, better), [assign(best, ivar(j))])]),
          store(V.buf, outAt, xAt(ivar(best))),
          store(I.buf, outAt, cast(ivar(best), 'i64')),
          assign(prev, ivar(best)),
        ]),
      ];
      return stmts;
    });
  },
};

/** Why the interpreter refuses to evaluate a node of attributes alone, or null. */
function evalNodeReason(node: Node): string | null {
  try {
    evalNode(node, [], new Map());
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

// ---------------------------------------------------------------- mel_weight_matrix

/**
 * The filter bank depends on attributes alone and has no closed form per element (its edges are
 * floored mel points): the interpreter's definition evaluates it when compiling, and the kernel stores
 * its non-zero elements over zeros.
 */
const melWeightMatrix: OpLowering = {
  unsupported(node) {
    return dtypeReason(node.outputs[0].type.dtype) ?? evalNodeReason(node);
  },
  lower(ctx) {
    const Y = ctx.output(0);
    const [matrix] = evalNode(ctx.node, [], new Map());
    const i = ctx.fresh('i');
    const stores: Stmt[] = [];
    const values = matrix.data as ArrayLike<number>;
    for (let k = 0; k < values.length; k++) if (values[k] !== 0) stores.push(store(Y.buf, idx(k), literalOf(matrix, k)));
    const s = defaultSchedule(idx(values.length));
    s.parallel = [i];
    return { body: [loop(i, idx(values.length), [store(Y.buf, ivar(i), num(Y.type.dtype, 0))]), ...stores], schedule: s };
  },
};

// ---------------------------------------------------------------- max_pool's indices, max_unpool

/** The static window geometry of a pool node (src/ir/ops/linalg-pool.ts reads it the same way). */
function poolGeometry(node: Node, attrs: Record<string, unknown>): Geometry3 {
  const inSp = node.inputs[0]!.type.shape.slice(2) as number[];
  const win = readWindow(node.op, attrs as never, inSp.length, null);
  const outSp = inSp.map((d, i) => windowOutDim(node.op, d, win, i) as number);
  return geometry3(win, inSp, outSp, resolvePads(win, inSp, outSp));
}

/**
 * max_pool with its second output: per output element, the first maximum over the taps inside the
 * input and its flat index in the whole input (row-major, or column-major over the spatial dims with
 * storage_order 1). Without the indices output the pooling kernels of normalize.ts serve.
 */
const maxPool: OpLowering = {
  unsupported(node, attrs) {
    if (node.outputs.length === 1) return NORMALIZE.max_pool.unsupported?.(node, attrs) ?? null;
    const x = node.inputs[0]!.type;
    if (!floatKernel(x.dtype)) return `dtype ${x.dtype}`;
    return x.shape.slice(1).every(isStatic) ? null : 'channels and spatial dims must be static';
  },
  lower(ctx) {
    if (ctx.node.outputs.length === 1) return NORMALIZE.max_pool.lower(ctx);
    const X = req(ctx, 0), Y = ctx.output(0), I = ctx.output(1);
    const d = X.type.dtype;
    const g = poolGeometry(ctx.node, ctx.attrs);
    const planes = mul(dimExpr(X.type.shape[0]), dimExpr(X.type.shape[1]));
    const [p, od, oh, ow, kd, kh, kw, best, at] = ['p', 'od', 'oh', 'ow', 'kd', 'kh', 'kw', 'best', 'at'].map((h) => ctx.fresh(h));
    const coord = (o: string, k: string, s: number, pad: number, dil: number) => add(sub(mul(ivar(o), idx(s)), idx(pad)), mul(ivar(k), idx(dil)));
    const inside = (v: Expr, len: number) => and(ge(v, idx(0)), lt(v, idx(len)));
    const [iz, iy, ix] = [coord(od, kd, g.sD, g.pD, g.dD), coord(oh, kh, g.sH, g.pH, g.dH), coord(ow, kw, g.sW, g.pW, g.dW)];
    const inSize = g.inD * g.inH * g.inW;
    const tapAt = add(mul(add(mul(iz, idx(g.inH)), iy), idx(g.inW)), ix);
    const x = load(X.buf, add(mul(ivar(p), idx(inSize)), tapAt), d);
    const v = ctx.fresh('v');
    const tap = when(and(inside(iz, g.inD), and(inside(iy, g.inH), inside(ix, g.inW))), [
      letv(v, x),
      when(or(lt(ivar(at), idx(0)), bin('gt', svar(v, d), svar(best, d))), [assign(best, svar(v, d)), assign(at, tapAt)]),
    ]);
    const outIndex = add(mul(ivar(p), idx(g.outD * g.outH * g.outW)), add(mul(add(mul(ivar(od), idx(g.outH)), ivar(oh)), idx(g.outW)), ivar(ow)));
    const [z, y, xx] = [bin('div', ivar(at), idx(g.inH * g.inW)), bin('rem', bin('div', ivar(at), idx(g.inW)), idx(g.inH)), bin('rem', ivar(at), idx(g.inW))];
    const within = ctx.attrs.storage_order === 1 ? add(add(z, mul(y, idx(g.inD))), mul(xx, idx(g.inD * g.inH))) : ivar(at);
    const body = loop(p, planes, [loop(od, idx(g.outD), [loop(oh, idx(g.outH), [loop(ow, idx(g.outW), [
      letv(best, lit(d, -Infinity), true),
      letv(at, idx(-1), true),
      loop(kd, idx(g.kD), [loop(kh, idx(g.kH), [loop(kw, idx(g.kW), [tap])])]),
      store(Y.buf, outIndex, svar(best, d)),
      store(I.buf, outIndex, cast(add(mul(ivar(p), idx(inSize)), within), 'i64')),
    ])])])]);
    const s = defaultSchedule(mul(planes, idx(g.outD * g.outH * g.outW * g.kD * g.kH * g.kW)));
    s.parallel = [p];
    return { body: [body], schedule: s };
  },
};

/**
 * max_unpool: zeros of the unpooled shape with each X value at the position its index names in the
 * shape max_pool read (src/ir/ops/linalg-extra.ts). Parallel over output planes: each plane's
 * program zeroes its plane, then places, in input order, the values whose index lands in it, so
 * duplicate indices never race and the last one wins. Every index is checked first.
 */
const maxUnpool: OpLowering = {
  unsupported(node) {
    const d = node.inputs[0]!.type.dtype;
    return floatKernel(d) ? null : `dtype ${d}`;
  },
  lower(ctx) {
    const X = req(ctx, 0), I = req(ctx, 1), Y = ctx.output(0);
    const xs = X.type.shape, ys = Y.type.shape;
    const rank = xs.length;
    const kernel = ctx.attrs.kernel_shape as number[];
    const strides = (ctx.attrs.strides as number[] | undefined) ?? kernel.map(() => 1);
    const pads = (ctx.attrs.pads as number[] | undefined) ?? [...kernel, ...kernel].map(() => 0);
    // the shape max_pool read, which its indices address
    const read: Expr[] = [dimExpr(xs[0]), dimExpr(xs[1]), ...xs.slice(2).map((d, i) => add(mul(sub(dimExpr(d), idx(1)), idx(strides[i])), idx(kernel[i] - pads[i] - pads[i + kernel.length])))];
    const readStrides: Expr[] = new Array<Expr>(rank);
    let acc: Expr = idx(1);
    for (let k = rank - 1; k >= 0; k--) { readStrides[k] = acc; acc = mul(acc, read[k]); }
    const readSize = acc;
    const outSt = stridesExpr(ys);
    /** coordinates of a flat index of the read shape */
    const coords = (raw: Expr) => read.map((len, k) => (k === 0 ? bin('div', raw, readStrides[0]) : bin('rem', bin('div', raw, readStrides[k]), len)));
    const fits = (c: Expr[]) => c.slice(2).map((ck, k) => lt(ck, dimExpr(ys[k + 2]))).reduce((a, b) => and(a, b), TRUE);
    const [e, raw] = [ctx.fresh('e'), ctx.fresh('raw')];
    const rawAt = (i: Expr) => indexAt(I.buf, i, I.type.dtype);
    const check = loop(e, productExpr(xs), [
      letv(raw, rawAt(ivar(e))),
      { k: 'check', cond: and(and(ge(ivar(raw), idx(0)), lt(ivar(raw), readSize)), fits(coords(ivar(raw)))), code: INDEX_OUT_OF_RANGE, message: 'max_unpool index out of range' },
    ]);
    const channels = dimExpr(ys[1]);
    const planeSize = productExpr(ys.slice(2));
    const [p, z, i, r] = [ctx.fresh('p'), ctx.fresh('z'), ctx.fresh('i'), ctx.fresh('r')];
    const c = coords(ivar(r));
    const lands = and(and(ge(ivar(r), idx(0)), lt(ivar(r), readSize)), and(fits(c), bin('eq', add(mul(c[0], channels), c[1]), ivar(p))));
    const place = loop(p, productExpr(ys.slice(0, 2)), [
      loop(z, planeSize, [store(Y.buf, add(mul(ivar(p), planeSize), ivar(z)), num(Y.type.dtype, 0))]),
      loop(i, productExpr(xs), [
        letv(r, rawAt(ivar(i))),
        when(lands, [store(Y.buf, add(mul(ivar(p), planeSize), linearIndex(c.slice(2), outSt.slice(2))), load(X.buf, ivar(i), X.type.dtype))]),
      ]),
    ]);
    const s = defaultSchedule(mul(productExpr(ys.slice(0, 2)), productExpr(xs)));
    s.parallel = [p];
    return { body: [check, place], schedule: s };
  },
};

// ---------------------------------------------------------------- tf_idf_vectorizer

/**
 * tf_idf_vectorizer (src/ir/ops/sets.ts): per row, each output counts the occurrences of its pool
 * n-grams at every allowed skip distance, unrolled over the pool (known when compiling), then TF, IDF
 * or TFIDF. An n-gram occurs at s with distance k when its tokens equal row[s], row[s + k], ...
 */
const tfIdfVectorizer: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const rank = X.type.shape.length;
    const rows = rank === 1 ? idx(1) : dimExpr(X.type.shape[0]);
    const cols = dimExpr(X.type.shape[rank - 1]);
    const pool = ctx.attrs.pool_int64s as number[], starts = ctx.attrs.ngram_counts as number[], outputOf = ctx.attrs.ngram_indexes as number[];
    const weights = ctx.attrs.weights as number[] | undefined;
    const min = ctx.attrs.min_gram_length as number, max = ctx.attrs.max_gram_length as number, maxSkip = ctx.attrs.max_skip_count as number;
    const outputs = outputOf.length ? Math.max(...outputOf) + 1 : 0;
    const grams: { tokens: number[]; output: number }[] = [];
    starts.forEach((start, level) => {
      const end = level + 1 < starts.length ? starts[level + 1] : pool.length;
      for (let at = start; at < end; at += level + 1) grams.push({ tokens: pool.slice(at, at + level + 1), output: outputOf[grams.length] });
    });
    const weightOf = new Array<number>(outputs).fill(1);
    if (weights) outputOf.forEach((o, p) => { weightOf[o] = weights[p]; });
    const r = ctx.fresh('r');
    const token = (at: Expr) => load(X.buf, add(mul(ivar(r), cols), at), X.type.dtype);
    const body: Stmt[] = [];
    for (let o = 0; o < outputs; o++) {
      const count = ctx.fresh('count');
      body.push(letv(count, f64(0), true));
      for (const gram of grams.filter((g) => g.output === o)) {
        const size = gram.tokens.length;
        // unigrams are counted at the first distance only, as the interpreter does
        for (let dist = 1; dist <= (size === 1 ? 1 : maxSkip + 1); dist++) {
          if (size < (dist === 1 ? min : Math.max(min, 2)) || size > max) continue;
          const at = ctx.fresh('s');
          const match = gram.tokens.map((t, k) => bin('eq', token(add(ivar(at), idx(k * dist))), num(X.type.dtype, t))).reduce((a, b) => and(a, b));
          body.push(loop(at, sub(cols, idx((size - 1) * dist)), [when(match, [assign(count, bin('add', svar(count, 'f64'), f64(1)))])]));
        }
      }
      const c = svar(count, 'f64');
      const w = f64(weightOf[o]);
      const value = ctx.attrs.mode === 'TF' ? c : ctx.attrs.mode === 'IDF' ? select(bin('gt', c, f64(0)), w, f64(0)) : bin('mul', c, w);
      body.push(store(Y.buf, add(mul(ivar(r), idx(outputs)), idx(o)), cast(value, 'f32')));
    }
    const s = defaultSchedule(mul(rows, mul(cols, idx(Math.max(1, grams.length * (maxSkip + 1))))));
    s.parallel = [r];
    return { body: [loop(r, rows, body)], schedule: s };
  },
};

export const INDEXING: Record<string, OpLowering> = {
  constant_of_shape: constantOfShape,
  eye_like: eyeLike,
  range,
  hann_window: cosineWindow([0.5, 0.5]),
  hamming_window: cosineWindow([25 / 46, 21 / 46]),
  blackman_window: cosineWindow([0.42, 0.5, 0.08]),
  trilu,
  one_hot: oneHot,
  reverse_sequence: reverseSequence,
  gather_elements: gatherElements,
  gather_nd: gatherNd,
  scatter_elements: scatterElements,
  scatter_nd: scatterNd,
  arg_max: argLowering('max'),
  arg_min: argLowering('min'),
  hardmax,
  cum_sum: cumSum,
  topk,
  mel_weight_matrix: melWeightMatrix,
  max_pool: maxPool,
  max_unpool: maxUnpool,
  tf_idf_vectorizer: tfIdfVectorizer,
};
