// grid_sample and roi_align: per output position, source coordinates computed in f64 and the
// interpolation taps around them; positions run in parallel, channels inside reuse the taps.
import { isStatic } from '../../ir/dim.js';
import {
  Expr, Stmt, add, and, assign, bin, call, cast, defaultSchedule, ge, idx, ivar, letv, load, loop, lt, mul, num, select, store, svar, when,
} from '../kernel-ir.js';
import { dimExpr, productExpr } from './dims.js';
import { LowerCtx, OpLowering, req } from './context.js';
import { cubicWeights } from './movement.js';

const f64 = (v: number) => num('f64', v);
const FLOATS = new Set(['f32', 'f64']);
/** the run's status when an index names no element (as for gather's indices) */
const INDEX_OUT_OF_RANGE = 4;

/** Statements that fold `x` (f64) into [lo, hi] by reflecting at the bounds as often as needed; returns the folded value. */
function reflect(ctx: LowerCtx, stmts: Stmt[], x: Expr, lo: number, hi: number): Expr {
  const range = hi - lo;
  if (range <= 0) return f64(lo);
  const [v, dx, n, r] = ['refl', 'dx', 'n', 'r'].map((h) => ctx.fresh(h));
  const fold = (distance: Expr, even: (r: Expr) => Expr, odd: (r: Expr) => Expr): Stmt[] => [
    letv(dx, distance),
    letv(n, call('floor', bin('div', svar(dx, 'f64'), f64(range)))),
    letv(r, bin('sub', svar(dx, 'f64'), bin('mul', svar(n, 'f64'), f64(range)))),
    assign(v, select(bin('eq', call('fmod', svar(n, 'f64'), f64(2)), f64(0)), even(svar(r, 'f64')), odd(svar(r, 'f64')))),
  ];
  stmts.push(letv(v, x, true));
  stmts.push(when(bin('lt', svar(v, 'f64'), f64(lo)), fold(bin('sub', f64(lo), svar(v, 'f64')), (q) => bin('add', f64(lo), q), (q) => bin('sub', f64(hi), q)),
    [when(bin('gt', svar(v, 'f64'), f64(hi)), fold(bin('sub', svar(v, 'f64'), f64(hi)), (q) => bin('sub', f64(hi), q), (q) => bin('add', f64(lo), q)))]));
  return svar(v, 'f64');
}

/** The taps of one axis: pixel index (negative: zero padding) and weight. */
interface Taps { index: Expr[]; weight: Expr[] }

function gridAxisTaps(ctx: LowerCtx, stmts: Stmt[], v: Expr, size: number, mode: string, padding: string, align: boolean): Taps {
  const x = ctx.fresh('x');
  stmts.push(letv(x, align ? bin('mul', bin('div', add(v, f64(1)), f64(2)), f64(size - 1)) : bin('div', bin('sub', bin('mul', add(v, f64(1)), f64(size)), f64(1)), f64(2)), true));
  const [lo, hi] = align ? [0, size - 1] : [-0.5, size - 0.5];
  if (mode === 'nearest') stmts.push(assign(x, call('round_even', svar(x, 'f64'))));
  // a point beyond the image's edges is first moved back onto it; the taps around it are padded again below
  const xv = svar(x, 'f64');
  if (padding === 'border')
    stmts.push(when(bin('or', bin('lt', xv, f64(lo)), bin('gt', xv, f64(hi))), [assign(x, call('fmin_nan', call('fmax_nan', xv, f64(0)), f64(size - 1)))]));
  else if (padding === 'reflection') stmts.push(assign(x, reflect(ctx, stmts, xv, lo, hi)));
  const first = ctx.fresh('first');
  let weight: Expr[];
  if (mode === 'nearest') {
    stmts.push(letv(first, call('floor', xv)));
    weight = [f64(1)];
  } else if (mode === 'linear') {
    stmts.push(letv(first, call('floor', xv)));
    weight = [bin('sub', add(svar(first, 'f64'), f64(1)), xv), bin('sub', xv, svar(first, 'f64'))];
  } else {
    stmts.push(letv(first, bin('sub', call('floor', xv), f64(1))));
    weight = cubicWeights(bin('sub', bin('sub', xv, svar(first, 'f64')), f64(1)), -0.75);
  }
  const weights = weight.map((w) => {
    const n = ctx.fresh('tw');
    stmts.push(letv(n, w));
    return svar(n, 'f64');
  });
  // clamped in f64 first, so that a far-off coordinate stays a small index
  const firstIndex = ctx.fresh('fi');
  stmts.push(letv(firstIndex, cast(call('fmin_nan', call('fmax_nan', svar(first, 'f64'), f64(-8)), f64(size + 8)), 'index')));
  const index = weight.map((_, k) => {
    const i = add(ivar(firstIndex), idx(k));
    const n = ctx.fresh('ti');
    if (padding === 'border') stmts.push(letv(n, select(lt(i, idx(0)), idx(0), select(bin('gt', i, idx(size - 1)), idx(size - 1), i))));
    else if (padding === 'reflection') stmts.push(letv(n, cast(reflect(ctx, stmts, cast(i, 'f64'), lo, hi), 'index')));
    else stmts.push(letv(n, select(and(ge(i, idx(0)), lt(i, idx(size))), i, idx(-1))));
    return ivar(n);
  });
  return { index, weight: weights };
}

const gridSample: OpLowering = {
  unsupported(node) {
    const x = node.inputs[0]!.type, g = node.inputs[1]!.type;
    if (!FLOATS.has(x.dtype) || !FLOATS.has(g.dtype)) return `dtype ${x.dtype}`;
    return x.shape.slice(2).every(isStatic) ? null : 'the spatial dims of x must be static';
  },
  lower(ctx) {
    const X = req(ctx, 0), G = req(ctx, 1), Y = ctx.output(0);
    const d = X.type.dtype;
    const inSpatial = X.type.shape.slice(2) as number[];
    const k = inSpatial.length;
    const channels = dimExpr(X.type.shape[1]);
    const outPlane = productExpr(G.type.shape.slice(1, -1)), inPlane = inSpatial.reduce((a, b) => a * b, 1);
    const inStrides = inSpatial.map((_, a) => inSpatial.slice(a + 1).reduce((p, q) => p * q, 1));
    const mode = ctx.attrs.mode as string, padding = ctx.attrs.padding_mode as string, align = ctx.attrs.align_corners === true;
    const [n, p, c, acc] = ['n', 'p', 'c', 'acc'].map((h) => ctx.fresh(h));
    const stmts: Stmt[] = [];
    const g = mul(add(mul(ivar(n), outPlane), ivar(p)), idx(k));
    // grid entries run innermost axis first (x, y, z): axis a of x reads entry k-1-a
    const taps = inSpatial.map((size, a) => gridAxisTaps(ctx, stmts, cast(load(G.buf, add(g, idx(k - 1 - a)), G.type.dtype), 'f64'), size, mode, padding, align));
    const T = taps[0].index.length;
    const plane = mul(add(mul(ivar(n), channels), ivar(c)), idx(inPlane));
    const perChannel: Stmt[] = [letv(acc, f64(0), true)];
    // taps in the interpreter's order (axis 0 outermost), weights multiplied from axis 0 on
    for (let q = 0; q < T ** k; q++) {
      const digit = (a: number) => Math.floor(q / T ** (k - 1 - a)) % T;
      const inside = taps.map((t, a) => ge(t.index[digit(a)], idx(0))).reduce((x, y) => and(x, y));
      const offset = taps.map((t, a) => mul(t.index[digit(a)], idx(inStrides[a]))).reduce((x, y) => add(x, y));
      const weight = taps.map((t, a) => t.weight[digit(a)]).reduce((x, y) => bin('mul', x, y), f64(1));
      const term = bin('mul', weight, cast(load(X.buf, add(plane, offset), d), 'f64'));
      perChannel.push(padding === 'zeros' ? when(inside, [assign(acc, add(svar(acc, 'f64'), term))]) : assign(acc, add(svar(acc, 'f64'), term)));
    }
    perChannel.push(store(Y.buf, add(mul(add(mul(ivar(n), channels), ivar(c)), outPlane), ivar(p)), cast(svar(acc, 'f64'), d)));
    const body = loop(n, dimExpr(X.type.shape[0]), [loop(p, outPlane, [...stmts, loop(c, channels, perChannel)])]);
    const s = defaultSchedule(mul(mul(dimExpr(X.type.shape[0]), outPlane), mul(channels, idx(T ** k))));
    s.parallel = [n, p];
    return { body: [body], schedule: s };
  },
};

export const SAMPLING: Record<string, OpLowering> = { grid_sample: gridSample };
