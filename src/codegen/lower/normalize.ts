// Normalizations, softmax, reductions, pooling and attention: loop nests whose outer loops run in
// parallel over independent rows (planes, heads, queries) and whose inner loops reduce. Statistics of
// f32 data accumulate in f64, as the interpreter's do, so long rows keep their precision.
import { Dim, dimEq, dimProduct } from '../../ir/dim.js';
import { DType, DTYPE_INFO, isFloat, isInteger } from '../../ir/dtype.js';
import { Node, TensorType } from '../../ir/graph.js';
import { normAxis } from '../../ir/ops/util.js';
import { readWindow, resolvePads, geometry3, windowOutDim } from '../../ir/ops/linalg-window.js';
import {
  Expr, ScalarType, Stmt, add, and, assign, bin, call, cast, defaultSchedule, ge, idx, ivar, letv, lit, load, loop, lt, mul, num, select, store,
  sub, svar, when,
} from '../kernel-ir.js';
import { broadcastNest } from './elementwise.js';
import { broadcastCoords, broadcastStrides, dimExpr, linearIndex, productExpr, stridesExpr, unflatten } from './dims.js';
import { LowerCtx, LoweredKernel, OpLowering, Operand, elementIndex, req } from './context.js';
import { REDUCE_KINDS } from '../../analysis/views.js';

const FLOAT_KERNEL = (d: DType) => d === 'f32' || d === 'f64';
const floatOnly = (node: Node): string | null => {
  const d = node.inputs[0]!.type.dtype;
  return FLOAT_KERNEL(d) ? null : `dtype ${d}`;
};
const f = (t: ScalarType, v: number) => num(t, v);

/** Nested serial loops over `extents` with fresh variables; returns the statement and the variables. */
function nest(ctx: LowerCtx, hint: string, extents: Expr[], body: (vars: Expr[]) => Stmt[]): { stmts: Stmt[]; vars: string[] } {
  const vars = extents.map(() => ctx.fresh(hint));
  let stmts = body(vars.map(ivar));
  for (let k = extents.length - 1; k >= 0; k--) stmts = [loop(vars[k], extents[k], stmts)];
  return { stmts, vars };
}

/** Sizes before, along and after one axis. */
function splitAxis(shape: readonly Dim[], axis: number): { outer: Expr; n: Expr; inner: Expr } {
  return { outer: productExpr(shape.slice(0, axis)), n: dimExpr(shape[axis]), inner: productExpr(shape.slice(axis + 1)) };
}

function parallelSchedule(work: Expr, parallel: string[], vector: string[] = []) {
  const s = defaultSchedule(work);
  s.parallel = parallel;
  s.vector = vector;
  return s;
}

// ---------------------------------------------------------------- softmax family

function softmaxLowering(log: boolean): OpLowering {
  return {
    unsupported: floatOnly,
    lower(ctx) {
      const X = req(ctx, 0), Y = ctx.output(0);
      const d = X.type.dtype;
      const axis = normAxis(ctx.attrs.axis as number, X.type.shape.length);
      const { outer, n, inner } = splitAxis(X.type.shape, axis);
      const [o, i, j] = [ctx.fresh('o'), ctx.fresh('i'), ctx.fresh('j')];
      const at = add(mul(add(mul(ivar(o), n), ivar(j)), inner), ivar(i));
      const shape = X.type.shape;
      const coords = [...unflatten(ivar(o), shape.slice(0, axis)), ivar(j), ...unflatten(ivar(i), shape.slice(axis + 1))];
      const [xAt, yAt] = [X, Y].map((op) => elementIndex(op, coords, at));
      const [mx, total] = [ctx.fresh('max'), ctx.fresh('sum')];
      const x = load(X.buf, xAt, d);
      const e = call('exp', bin('sub', x, svar(mx, d)));
      const body: Stmt[] = [
        letv(mx, lit(d, -Infinity), true),
        loop(j, n, [assign(mx, select(bin('gt', x, svar(mx, d)), x, svar(mx, d)))]),
        letv(total, f('f64', 0), true),
      ];
      if (log) {
        body.push(loop(j, n, [assign(total, add(svar(total, 'f64'), cast(e, 'f64')))]));
        const shift = ctx.fresh('shift');
        body.push(letv(shift, add(svar(mx, d), cast(call('log', svar(total, 'f64')), d))));
        body.push(loop(j, n, [store(Y.buf, yAt, bin('sub', x, svar(shift, d)))]));
      } else {
        body.push(loop(j, n, [letv('e', e), store(Y.buf, yAt, svar('e', d)), assign(total, add(svar(total, 'f64'), cast(svar('e', d), 'f64')))]));
        const inv = ctx.fresh('inv');
        body.push(letv(inv, cast(bin('div', f('f64', 1), svar(total, 'f64')), d)));
        body.push(loop(j, n, [store(Y.buf, yAt, bin('mul', load(Y.buf, yAt, d), svar(inv, d)))]));
      }
      const stmts = [loop(o, outer, [loop(i, inner, body)])];
      return { body: stmts, schedule: parallelSchedule(mul(mul(outer, inner), n), [o, i]) };
    },
  };
}

// ---------------------------------------------------------------- normalizations

const batchNormalization: OpLowering = {
  unsupported: floatOnly,
  lower(ctx) {
    const [X, S, B, M, V] = [0, 1, 2, 3, 4].map((i) => req(ctx, i));
    const Y = ctx.output(0);
    const d = X.type.dtype;
    const shape = X.type.shape;
    const batch = dimExpr(shape[0]), channels = dimExpr(shape[1]), inner = productExpr(shape.slice(2));
    const [n, c, i, a, shift] = [ctx.fresh('n'), ctx.fresh('c'), ctx.fresh('i'), ctx.fresh('a'), ctx.fresh('shift')];
    const ch = ivar(c);
    const at = add(mul(add(mul(ivar(n), channels), ch), inner), ivar(i));
    const eps = ctx.attrs.epsilon as number;
    const body = loop(n, batch, [loop(c, channels, [
      letv(a, cast(bin('div', cast(load(S.buf, ch, d), 'f64'), call('sqrt', add(cast(load(V.buf, ch, d), 'f64'), f('f64', eps)))), d)),
      letv(shift, bin('sub', load(B.buf, ch, d), bin('mul', load(M.buf, ch, d), svar(a, d)))),
      loop(i, inner, [store(Y.buf, at, add(bin('mul', load(X.buf, at, d), svar(a, d)), svar(shift, d)))]),
    ])]);
    return { body: [body], schedule: parallelSchedule(productExpr(shape), [n, c], [i]) };
  },
};

/** Index of a trailing-shape parameter (scale/bias) for element j of a normalized row. */
function rowParamIndex(p: TensorType, row: readonly Dim[], j: Expr): Expr {
  if (dimEq(dimProduct(p.shape), dimProduct(row))) return j;
  return linearIndex(unflatten(j, row), broadcastStrides(p.shape, row));
}

function trailingNorm(center: boolean): OpLowering {
  return {
    unsupported: floatOnly,
    lower(ctx) {
      const X = req(ctx, 0), S = req(ctx, 1), B = center ? ctx.input(2) : null, Y = ctx.output(0);
      const d = X.type.dtype;
      const axis = normAxis(ctx.attrs.axis as number, X.type.shape.length);
      const rowShape = X.type.shape.slice(axis);
      const rows = productExpr(X.type.shape.slice(0, axis)), D = productExpr(rowShape);
      const [r, j, mean, sq, inv] = [ctx.fresh('r'), ctx.fresh('j'), ctx.fresh('mean'), ctx.fresh('sq'), ctx.fresh('inv')];
      const at = add(mul(ivar(r), D), ivar(j));
      const coords = [...unflatten(ivar(r), X.type.shape.slice(0, axis)), ...unflatten(ivar(j), rowShape)];
      const [xAt, yAt] = [X, Y].map((op) => elementIndex(op, coords, at));
      const x64 = cast(load(X.buf, xAt, d), 'f64');
      const body: Stmt[] = [letv(mean, f('f64', 0), true)];
      if (center) {
        body.push(loop(j, D, [assign(mean, add(svar(mean, 'f64'), x64))]));
        body.push(assign(mean, bin('div', svar(mean, 'f64'), cast(D, 'f64'))));
      }
      body.push(letv(sq, f('f64', 0), true));
      body.push(loop(j, D, [letv('t', bin('sub', x64, svar(mean, 'f64'))), assign(sq, add(svar(sq, 'f64'), bin('mul', svar('t', 'f64'), svar('t', 'f64'))))]));
      body.push(letv(inv, call('rsqrt', add(bin('div', svar(sq, 'f64'), cast(D, 'f64')), f('f64', ctx.attrs.epsilon as number)))));
      const jv = ivar(j);
      let y: Expr = bin('mul', cast(bin('mul', bin('sub', x64, svar(mean, 'f64')), svar(inv, 'f64')), d), load(S.buf, rowParamIndex(S.type, rowShape, jv), d));
      if (B) y = add(y, load(B.buf, rowParamIndex(B.type, rowShape, jv), d));
      body.push(loop(j, D, [store(Y.buf, yAt, y)]));
      return { body: [loop(r, rows, body)], schedule: parallelSchedule(mul(rows, D), [r]) };
    },
  };
}

/** Each (n, c) plane normalized over its spatial elements, then scale[c] and B[c]. */
const instanceNormalization: OpLowering = {
  unsupported: floatOnly,
  lower(ctx) {
    const [X, S, B] = [0, 1, 2].map((i) => req(ctx, i));
    const Y = ctx.output(0);
    const d = X.type.dtype;
    const shape = X.type.shape;
    const channels = dimExpr(shape[1]), planes = mul(dimExpr(shape[0]), channels), D = productExpr(shape.slice(2));
    const [r, j, mean, sq, a, shift] = ['r', 'j', 'mean', 'sq', 'a', 'shift'].map((h) => ctx.fresh(h));
    const at = add(mul(ivar(r), D), ivar(j));
    const x64 = cast(load(X.buf, at, d), 'f64');
    const ch = bin('rem', ivar(r), channels);
    const body: Stmt[] = [
      letv(mean, f('f64', 0), true),
      loop(j, D, [assign(mean, add(svar(mean, 'f64'), x64))]),
      assign(mean, bin('div', svar(mean, 'f64'), cast(D, 'f64'))),
      letv(sq, f('f64', 0), true),
      loop(j, D, [letv('t', bin('sub', x64, svar(mean, 'f64'))), assign(sq, add(svar(sq, 'f64'), bin('mul', svar('t', 'f64'), svar('t', 'f64'))))]),
      letv(a, bin('mul', call('rsqrt', add(bin('div', svar(sq, 'f64'), cast(D, 'f64')), f('f64', ctx.attrs.epsilon as number))), cast(load(S.buf, ch, d), 'f64'))),
      letv(shift, cast(load(B.buf, ch, d), 'f64')),
      loop(j, D, [store(Y.buf, at, cast(add(bin('mul', bin('sub', x64, svar(mean, 'f64')), svar(a, 'f64')), svar(shift, 'f64')), d))]),
    ];
    return { body: [loop(r, planes, body)], schedule: parallelSchedule(mul(planes, D), [r]) };
  },
};

/** Local response normalization: each element over the squares of its `size` neighbouring channels. */
const lrn: OpLowering = {
  unsupported: floatOnly,
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const d = X.type.dtype;
    const { outer, n: channels, inner } = splitAxis(X.type.shape, 1);
    const size = ctx.attrs.size as number;
    const before = Math.floor((size - 1) / 2), after = Math.ceil((size - 1) / 2);
    const [o, c, i, k, sq] = ['o', 'c', 'i', 'k', 'sq'].map((h) => ctx.fresh(h));
    const at = (ch: Expr) => add(mul(add(mul(ivar(o), channels), ch), inner), ivar(i));
    const xk = cast(load(X.buf, at(ivar(k)), d), 'f64');
    const base = add(f('f64', ctx.attrs.bias as number), bin('mul', f('f64', (ctx.attrs.alpha as number) / size), svar(sq, 'f64')));
    const body = loop(o, outer, [loop(c, channels, [loop(i, inner, [
      letv(sq, f('f64', 0), true),
      loop(k, bin('min', add(ivar(c), idx(after + 1)), channels), [assign(sq, add(svar(sq, 'f64'), bin('mul', xk, xk)))], bin('max', sub(ivar(c), idx(before)), idx(0))),
      store(Y.buf, at(ivar(c)), cast(bin('div', cast(load(X.buf, at(ivar(c)), d), 'f64'), call('pow', base, f('f64', ctx.attrs.beta as number))), d)),
    ])])]);
    return { body: [body], schedule: parallelSchedule(mul(productExpr(X.type.shape), idx(size)), [o, c]) };
  },
};

/** (x - mean) / (sqrt(variance) + 1e-9), with mean and variance over `axes` (ONNX MeanVarianceNormalization). */
const meanVarianceNormalization: OpLowering = {
  unsupported: floatOnly,
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const d = X.type.dtype;
    const shape = X.type.shape;
    const axes = (ctx.attrs.axes as number[]).map((a) => normAxis(a, shape.length));
    const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const st = stridesExpr(shape);
    const count = cast(productExpr(axes.map((i) => shape[i])), 'f64');
    const [mean, sq, inv] = [ctx.fresh('mean'), ctx.fresh('sq'), ctx.fresh('inv')];
    const outer = nest(ctx, 'o', kept.map((i) => dimExpr(shape[i])), (ov) => {
      const base = linearIndex(ov, kept.map((i) => st[i]));
      const scan = (step: (at: Expr) => Stmt[]) => nest(ctx, 'r', axes.map((i) => dimExpr(shape[i])), (rv) => step(add(base, linearIndex(rv, axes.map((i) => st[i]))))).stmts;
      const x64 = (at: Expr) => cast(load(X.buf, at, d), 'f64');
      return [
        letv(mean, f('f64', 0), true),
        ...scan((at) => [assign(mean, add(svar(mean, 'f64'), x64(at)))]),
        assign(mean, bin('div', svar(mean, 'f64'), count)),
        letv(sq, f('f64', 0), true),
        ...scan((at) => [letv('t', bin('sub', x64(at), svar(mean, 'f64'))), assign(sq, add(svar(sq, 'f64'), bin('mul', svar('t', 'f64'), svar('t', 'f64'))))]),
        letv(inv, bin('div', f('f64', 1), add(call('sqrt', bin('div', svar(sq, 'f64'), count)), f('f64', 1e-9)))),
        ...scan((at) => [store(Y.buf, at, cast(bin('mul', bin('sub', x64(at), svar(mean, 'f64')), svar(inv, 'f64')), d))]),
      ];
    });
    return { body: outer.stmts, schedule: parallelSchedule(productExpr(shape), outer.vars.slice(0, 1)) };
  },
};

// ---------------------------------------------------------------- reductions

type ReduceKind = (typeof REDUCE_KINDS)[number];

function lowestOf(d: DType): number { return isInteger(d) ? (DTYPE_INFO[d].signed ? -(2 ** (DTYPE_INFO[d].bytes * 8 - 1)) : 0) : -Infinity; }
function highestOf(d: DType): number { return isInteger(d) ? (DTYPE_INFO[d].signed ? 2 ** (DTYPE_INFO[d].bytes * 8 - 1) - 1 : 2 ** (DTYPE_INFO[d].bytes * 8) - 1) : Infinity; }

function reduceLowering(kind: ReduceKind): OpLowering {
  const intKinds = kind === 'sum' || kind === 'max' || kind === 'min' || kind === 'prod';
  return {
    unsupported(node) {
      const d = node.inputs[0]!.type.dtype;
      if (FLOAT_KERNEL(d)) return null;
      if (intKinds && isInteger(d) && DTYPE_INFO[d].bytes <= 4) return null;
      return `dtype ${d}`;
    },
    lower(ctx) {
      const X = req(ctx, 0), Y = ctx.output(0);
      const d = X.type.dtype;
      const rank = X.type.shape.length;
      const axesAttr = ctx.attrs.axes as number[] | undefined;
      if ((!axesAttr || axesAttr.length === 0) && ctx.attrs.noop_with_empty_axes === true) return copyLowering(ctx);
      const axes = !axesAttr || axesAttr.length === 0 ? X.type.shape.map((_, i) => i) : axesAttr.map((a) => normAxis(a, rank));
      const kept = X.type.shape.map((_, i) => i).filter((i) => !axes.includes(i));
      const st = stridesExpr(X.type.shape);
      const acc = ctx.fresh('acc');
      const at: ScalarType = isFloat(d) ? 'f64' : 'i64';
      const outer = nest(ctx, 'o', kept.map((i) => dimExpr(X.type.shape[i])), (ov) => {
        const outIndex = linearIndex(ov, stridesExpr(kept.map((i) => X.type.shape[i])));
        const base = linearIndex(ov, kept.map((i) => st[i]));
        const scan = (update: (x: Expr) => Stmt[]) => nest(ctx, 'r', axes.map((i) => dimExpr(X.type.shape[i])), (rv) => {
          const coords = X.type.shape.map((_, i) => (axes.includes(i) ? rv[axes.indexOf(i)] : ov[kept.indexOf(i)]));
          const x = load(X.buf, elementIndex(X, coords, add(base, linearIndex(rv, axes.map((i) => st[i])))), d);
          return update(x);
        }).stmts;
        const a = svar(acc, at);
        const count = cast(productExpr(axes.map((i) => X.type.shape[i])), at);
        const stmts: Stmt[] = [];
        const fold = (init: number, step: (x: Expr) => Expr) => {
          stmts.push(letv(acc, f(at, init), true));
          stmts.push(...scan((x) => [assign(acc, step(cast(x, at)))]));
        };
        let result: Expr = a;
        switch (kind) {
          case 'sum': case 'mean': case 'log_sum': fold(0, (x) => add(a, x)); break;
          case 'l1': fold(0, (x) => add(a, call('abs', x))); break;
          case 'l2': case 'sum_square': fold(0, (x) => add(a, bin('mul', x, x))); break;
          case 'prod': fold(1, (x) => bin('mul', a, x)); break;
          case 'max': fold(lowestOf(d), (x) => select(bin('or', bin('gt', x, a), bin('ne', x, x)), x, a)); break;
          case 'min': fold(highestOf(d), (x) => select(bin('or', bin('lt', x, a), bin('ne', x, x)), x, a)); break;
          case 'log_sum_exp': {
            const mx = ctx.fresh('max');
            stmts.push(letv(mx, f('f64', -Infinity), true));
            stmts.push(...scan((x) => [assign(mx, select(bin('or', bin('gt', cast(x, 'f64'), svar(mx, 'f64')), bin('ne', x, x)), cast(x, 'f64'), svar(mx, 'f64')))]));
            // an infinite or NaN max cannot be subtracted; exp of the raw values gives the right limit there
            const maxIs = (fn: 'is_inf' | 'is_nan'): Expr => ({ k: 'call', fn, args: [svar(mx, 'f64')], type: 'bool' });
            stmts.push(assign(mx, select(bin('or', maxIs('is_inf'), maxIs('is_nan')), f('f64', 0), svar(mx, 'f64'))));
            fold(0, (x) => add(a, call('exp', bin('sub', x, svar(mx, 'f64')))));
            result = add(call('log', a), svar(mx, 'f64'));
            break;
          }
        }
        if (kind === 'mean') result = bin('div', a, count);
        if (kind === 'l2') result = call('sqrt', a);
        if (kind === 'log_sum') result = call('log', a);
        stmts.push(store(Y.buf, outIndex, cast(result, d)));
        return stmts;
      });
      return { body: outer.stmts, schedule: parallelSchedule(productExpr(X.type.shape), outer.vars.slice(0, 1)) };
    },
  };
}

function copyLowering(ctx: LowerCtx): LoweredKernel {
  const X = req(ctx, 0), Y = ctx.output(0);
  const i = ctx.fresh('i');
  const n = productExpr(X.type.shape);
  const at = elementIndex(X, unflatten(ivar(i), X.type.shape), ivar(i));
  return { body: [loop(i, n, [store(Y.buf, ivar(i), load(X.buf, at, X.type.dtype))])], schedule: parallelSchedule(n, [i]) };
}

// ---------------------------------------------------------------- pooling

const POOL_DTYPES = (d: DType) => FLOAT_KERNEL(d) || d === 'i8' || d === 'u8';

function windowed(node: Node, attrs: Record<string, unknown>) {
  const x = node.inputs[0]!.type;
  const inSp = x.shape.slice(2) as number[];
  const win = readWindow(node.op, attrs as never, inSp.length, null);
  const outSp = inSp.map((d, i) => windowOutDim(node.op, d, win, i) as number);
  return geometry3(win, inSp, outSp, resolvePads(win, inSp, outSp));
}

function poolLowering(kind: 'max' | 'avg'): OpLowering {
  return {
    unsupported(node) {
      const x = node.inputs[0]!.type;
      if (!(kind === 'max' ? POOL_DTYPES : FLOAT_KERNEL)(x.dtype)) return `dtype ${x.dtype}`;
      if (node.outputs.length > 1) return 'the indices output';
      if (!x.shape.slice(1).every((d) => typeof d === 'number')) return 'channels and spatial dims must be static';
      return null;
    },
    lower(ctx) {
      const X = req(ctx, 0), Y = ctx.output(0);
      const d = X.type.dtype;
      const g = windowed(ctx.node, ctx.attrs);
      const planes = mul(dimExpr(X.type.shape[0]), dimExpr(X.type.shape[1]));
      const [p, od, oh, ow, kd, kh, kw] = ['p', 'od', 'oh', 'ow', 'kd', 'kh', 'kw'].map((h) => ctx.fresh(h));
      const [best, total, taken, padded] = ['best', 'sum', 'taken', 'padded'].map((h) => ctx.fresh(h));
      const accT: ScalarType = isFloat(d) ? 'f64' : d;
      const coord = (o: string, k: string, s: number, pad: number, dil: number) => add(sub(mul(ivar(o), idx(s)), idx(pad)), mul(ivar(k), idx(dil)));
      const inPad = (v: Expr, pad: number, len: number, end: number) => and(ge(v, idx(-pad)), lt(v, idx(len + end)));
      const inside = (v: Expr, len: number) => and(ge(v, idx(0)), lt(v, idx(len)));
      const [iz, iy, ix] = [coord(od, kd, g.sD, g.pD, g.dD), coord(oh, kh, g.sH, g.pH, g.dH), coord(ow, kw, g.sW, g.pW, g.dW)];
      const inSize = g.inD * g.inH * g.inW;
      const xIndex = add(mul(ivar(p), idx(inSize)), add(mul(add(mul(iz, idx(g.inH)), iy), idx(g.inW)), ix));
      const x = load(X.buf, xIndex, d);
      const takeTap: Stmt[] = kind === 'max'
        ? [letv('v', x), assign(best, select(bin('or', bin('eq', svar(taken, 'index'), idx(0)), bin('gt', svar('v', d), svar(best, d))), svar('v', d), svar(best, d)))]
        : [assign(total, add(svar(total, accT), cast(x, accT)))];
      const tap: Stmt[] = [
        { k: 'if', cond: and(inPad(iz, g.pD, g.inD, g.eD), and(inPad(iy, g.pH, g.inH, g.eH), inPad(ix, g.pW, g.inW, g.eW))), then: [
          assign(padded, add(ivar(padded), idx(1))),
          { k: 'if', cond: and(inside(iz, g.inD), and(inside(iy, g.inH), inside(ix, g.inW))), then: [...takeTap, assign(taken, add(ivar(taken), idx(1)))], else: [] },
        ], else: [] },
      ];
      const outIndex = add(mul(ivar(p), idx(g.outD * g.outH * g.outW)), add(mul(add(mul(ivar(od), idx(g.outH)), ivar(oh)), idx(g.outW)), ivar(ow)));
      const divisor = ctx.attrs.count_include_pad === true ? padded : taken;
      const result = kind === 'max' ? svar(best, d) : cast(bin('div', svar(total, accT), cast(ivar(divisor), accT)), d);
      const body = loop(p, planes, [loop(od, idx(g.outD), [loop(oh, idx(g.outH), [loop(ow, idx(g.outW), [
        kind === 'max' ? letv(best, lit(d, lowestOf(d)), true) : letv(total, f(accT, 0), true),
        letv(taken, idx(0), true),
        letv(padded, idx(0), true),
        loop(kd, idx(g.kD), [loop(kh, idx(g.kH), [loop(kw, idx(g.kW), tap)])]),
        store(Y.buf, outIndex, result),
      ])])])]);
      return { body: [body], schedule: parallelSchedule(mul(planes, idx(g.outD * g.outH * g.outW * g.kD * g.kH * g.kW)), [p]) };
    },
  };
}

function globalPoolLowering(kind: 'max' | 'avg'): OpLowering {
  return {
    unsupported(node) {
      const d = node.inputs[0]!.type.dtype;
      return (kind === 'max' ? POOL_DTYPES : FLOAT_KERNEL)(d) ? null : `dtype ${d}`;
    },
    lower(ctx) {
      const X = req(ctx, 0), Y = ctx.output(0);
      const d = X.type.dtype;
      const planes = mul(dimExpr(X.type.shape[0]), dimExpr(X.type.shape[1]));
      const size = productExpr(X.type.shape.slice(2));
      const [p, i, acc] = [ctx.fresh('p'), ctx.fresh('i'), ctx.fresh('acc')];
      const at = add(mul(ivar(p), size), ivar(i));
      const accT: ScalarType = kind === 'max' ? d : 'f64';
      const a = svar(acc, accT);
      const x = cast(load(X.buf, at, d), accT);
      const body: Stmt[] = kind === 'max'
        ? [letv(acc, load(X.buf, mul(ivar(p), size), d), true), loop(i, size, [assign(acc, select(bin('gt', x, a), x, a))], idx(1)), store(Y.buf, ivar(p), a)]
        : [letv(acc, f('f64', 0), true), loop(i, size, [assign(acc, add(a, x))]), store(Y.buf, ivar(p), cast(bin('div', a, cast(size, 'f64')), d))];
      return { body: [loop(p, planes, body)], schedule: parallelSchedule(mul(planes, size), [p]) };
    },
  };
}

// ---------------------------------------------------------------- attention

const attention: OpLowering = {
  unsupported(node) {
    const d = node.inputs[0]!.type.dtype;
    const m = node.inputs[3];
    if (!FLOAT_KERNEL(d)) return `dtype ${d}`;
    if (m && m.type.dtype !== 'bool' && m.type.dtype !== d) return `mask dtype ${m.type.dtype}`;
    return null;
  },
  lower(ctx) {
    const Q = req(ctx, 0), K = req(ctx, 1), V = req(ctx, 2), Mask: Operand | null = ctx.input(3), Y = ctx.output(0);
    const d = Q.type.dtype;
    const last2 = (t: TensorType) => t.shape.slice(-2);
    const [Sq, D] = last2(Q.type).map(dimExpr), [Sk] = last2(K.type).map(dimExpr), Dv = dimExpr(V.type.shape[V.type.shape.length - 1]);
    const lead = Y.type.shape.slice(0, -2);
    const maskShape = Mask ? [...Array(Math.max(0, 2 - Mask.type.shape.length)).fill(1), ...Mask.type.shape] as Dim[] : [];
    const leadShapes = [Q, K, V].map((t) => t.type.shape.slice(0, -2));
    if (Mask) leadShapes.push(maskShape.slice(0, -2));
    const scale = (ctx.attrs.scale as number | undefined) ?? null;
    const causal = ctx.attrs.is_causal === true;
    const [i, j, t, dd] = [ctx.fresh('i'), ctx.fresh('j'), ctx.fresh('t'), ctx.fresh('d')];
    const [acc, mx, total, dot, s] = ['acc', 'max', 'sum', 'dot', 's'].map((h) => ctx.fresh(h));
    const maskRowStride = Mask ? (maskShape[maskShape.length - 2] === 1 ? idx(0) : dimExpr(maskShape[maskShape.length - 1])) : idx(0);
    const maskColStride = Mask ? (maskShape[maskShape.length - 1] === 1 ? idx(0) : idx(1)) : idx(0);
    const maskSize = Mask ? productExpr(maskShape.slice(-2)) : idx(0);
    // operands read or stored through views are indexed by coordinates, so batch dims are not merged
    const viewed = [Q, K, V, Mask, Y].some((op) => op?.view);
    const nestStmts = broadcastNest(ctx, lead, leadShapes, (o, [qb, kb, vb, mb], c) => {
      const qRow = add(mul(qb, mul(Sq, D)), mul(ivar(i), D));
      const kOff = mul(kb, mul(Sk, D)), vOff = mul(vb, mul(Sk, Dv));
      const at = (op: Operand, shape: readonly Dim[], row: Expr, col: Expr, flat: Expr) =>
        elementIndex(op, [...broadcastCoords(c, shape.slice(0, -2), lead), row, col].slice(shape.length - op.type.shape.length), flat);
      const qAt = at(Q, Q.type.shape, ivar(i), ivar(dd), add(qRow, ivar(dd)));
      const kAt = at(K, K.type.shape, ivar(j), ivar(dd), add(add(kOff, mul(ivar(j), D)), ivar(dd)));
      const vAt = at(V, V.type.shape, ivar(j), ivar(t), add(add(vOff, mul(ivar(j), Dv)), ivar(t)));
      const yAt = at(Y, Y.type.shape, ivar(i), ivar(t), add(mul(add(mul(o, Sq), ivar(i)), Dv), ivar(t)));
      const mAt = Mask
        ? at(Mask, maskShape, maskShape[maskShape.length - 2] === 1 ? idx(0) : ivar(i), maskShape[maskShape.length - 1] === 1 ? idx(0) : ivar(j),
          add(add(mul(mb, maskSize), mul(ivar(i), maskRowStride)), mul(ivar(j), maskColStride)))
        : idx(0);
      const scaleExpr = scale === null ? cast(bin('div', f('f64', 1), call('sqrt', cast(D, 'f64'))), d) : f(d, scale);
      let visible: Expr = causal ? lt(ivar(j), add(ivar(i), idx(1))) : lit('bool', 1);
      if (Mask && Mask.type.dtype === 'bool') visible = and(visible, bin('ne', load(Mask.buf, mAt, 'bool'), lit('bool', 0)));
      let score: Expr = bin('mul', cast(svar(dot, 'f64'), d), svar('scale', d));
      if (Mask && Mask.type.dtype !== 'bool') score = add(score, load(Mask.buf, mAt, d));
      // one pass over the keys with a running maximum (online softmax): no per-row array of Sk scores,
      // so a symbolic sequence length needs no dynamic per-invocation memory on the GPU targets
      const [mv, tv] = [svar(mx, d), svar(total, 'f64')];
      const row: Stmt[] = [
        { k: 'alloc', name: acc, dtype: d, size: Dv, scope: 'local' },
        letv(mx, lit(d, -Infinity), true),
        letv(total, f('f64', 0), true),
        loop(t, Dv, [store(acc, ivar(t), f(d, 0))]),
        loop(j, Sk, [
          letv(s, lit(d, -Infinity), true),
          { k: 'if', cond: visible, then: [
            letv(dot, f('f64', 0), true),
            loop(dd, D, [assign(dot, add(svar(dot, 'f64'), cast(bin('mul', load(Q.buf, qAt, d), load(K.buf, kAt, d)), 'f64')))]),
            assign(s, score),
          ], else: [] },
          // a key of weight exp(-inf) adds nothing; skipping it keeps exp(-inf - -inf) out of the rescale
          when(bin('ne', svar(s, d), lit(d, -Infinity)), [
            when(bin('gt', svar(s, d), mv), [
              letv('rescale', call('exp', bin('sub', mv, svar(s, d)))),
              assign(total, bin('mul', tv, cast(svar('rescale', d), 'f64'))),
              loop(t, Dv, [store(acc, ivar(t), bin('mul', load(acc, ivar(t), d), svar('rescale', d)))]),
              assign(mx, svar(s, d)),
            ]),
            letv('p', call('exp', bin('sub', svar(s, d), mv))),
            assign(total, add(tv, cast(svar('p', d), 'f64'))),
            loop(t, Dv, [store(acc, ivar(t), add(load(acc, ivar(t), d), bin('mul', svar('p', d), load(V.buf, vAt, d))))]),
          ]),
        ]),
        // with every key masked, total is 0 and 0 * (1 / 0) is NaN: the PyTorch result
        letv('inv', cast(bin('div', f('f64', 1), tv), d)),
        loop(t, Dv, [store(Y.buf, yAt, bin('mul', load(acc, ivar(t), d), svar('inv', d)))]),
      ];
      return [letv('scale', scaleExpr), loop(i, Sq, row)];
    }, !viewed);
    const work = mul(productExpr(Y.type.shape.slice(0, -1)), mul(Sk, add(D, Dv)));
    const sched = parallelSchedule(work, nestStmts.loops.length ? nestStmts.loops : [i]);
    return { body: nestStmts.stmts, schedule: sched };
  },
};

export const NORMALIZE: Record<string, OpLowering> = {
  softmax: softmaxLowering(false),
  log_softmax: softmaxLowering(true),
  batch_normalization: batchNormalization,
  layer_normalization: trailingNorm(true),
  rms_normalization: trailingNorm(false),
  instance_normalization: instanceNormalization,
  lrn,
  mean_variance_normalization: meanVarianceNormalization,
  ...Object.fromEntries(REDUCE_KINDS.map((k) => [`reduce_${k}`, reduceLowering(k)])),
  max_pool: poolLowering('max'),
  average_pool: poolLowering('avg'),
  global_average_pool: globalPoolLowering('avg'),
  global_max_pool: globalPoolLowering('max'),
  scaled_dot_product_attention: attention,
};
