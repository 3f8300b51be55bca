// grid_sample, roi_align, dft and stft: per output position, source coordinates computed in f64 and the
// interpolation taps around them; positions run in parallel, channels inside reuse the taps.
import { isStatic } from '../../ir/dim.js';
import { DType } from '../../ir/dtype.js';
import {
  Expr, Stmt, add, and, assign, bin, call, cast, defaultSchedule, ge, idx, ivar, letv, load, loop, lt, mul, num, select, store, svar, when,
} from '../kernel-ir.js';
import { normAxis } from '../../ir/ops/util.js';
import { dimExpr, productExpr } from './dims.js';
import { INDEX_OUT_OF_RANGE, LowerCtx, OpLowering, req } from './context.js';
import { cubicWeights } from './movement.js';

const f64 = (v: number) => num('f64', v);
const FLOATS = new Set(['f32', 'f64']);

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

/**
 * roi_align: per region (in parallel), channel and output bin, the average (or max) of bilinear samples
 * on a grid of sampling_ratio (or ceil(region / bins)) points per bin, as the interpreter takes them.
 */
const roiAlign: OpLowering = {
  unsupported(node) {
    const x = node.inputs[0]!.type;
    if (!FLOATS.has(x.dtype)) return `dtype ${x.dtype}`;
    return x.shape.slice(1).every(isStatic) ? null : 'the channels and spatial dims of x must be static';
  },
  lower(ctx) {
    const X = req(ctx, 0), Rois = req(ctx, 1), I = req(ctx, 2), Y = ctx.output(0);
    const d = X.type.dtype;
    const [batch, channels, h, w] = X.type.shape.map(dimExpr);
    const [H, W] = X.type.shape.slice(2) as number[];
    const ph = ctx.attrs.output_height as number, pw = ctx.attrs.output_width as number;
    const scale = ctx.attrs.spatial_scale as number, ratio = ctx.attrs.sampling_ratio as number;
    const halfPixel = ctx.attrs.coordinate_transformation_mode === 'half_pixel';
    const max = ctx.attrs.mode === 'max';
    const nRois = dimExpr(Rois.type.shape[0]);
    const [r, b, c, i, j, iy, ix, acc] = ['r', 'b', 'c', 'i', 'j', 'iy', 'ix', 'acc'].map((n) => ctx.fresh(n));
    const F = (name: string) => svar(name, 'f64');
    const roi = (k: number) => bin('sub', bin('mul', cast(load(Rois.buf, add(mul(ivar(r), idx(4)), idx(k)), Rois.type.dtype), 'f64'), f64(scale)), f64(halfPixel ? 0.5 : 0));
    const [x1, y1, roiW, roiH, binH, binW, gridH, gridW, count] = ['x1', 'y1', 'roi_w', 'roi_h', 'bin_h', 'bin_w', 'grid_h', 'grid_w', 'count'].map((n) => ctx.fresh(n));
    const region: Stmt[] = [
      letv(b, cast(load(I.buf, ivar(r), I.type.dtype), 'index')),
      letv(x1, roi(0)), letv(y1, roi(1)),
      // without the half-pixel shift, ONNX keeps regions at least one pixel wide
      letv(roiW, halfPixel ? bin('sub', roi(2), F(x1)) : bin('max', bin('sub', roi(2), F(x1)), f64(1))),
      letv(roiH, halfPixel ? bin('sub', roi(3), F(y1)) : bin('max', bin('sub', roi(3), F(y1)), f64(1))),
      letv(binH, bin('div', F(roiH), f64(ph))), letv(binW, bin('div', F(roiW), f64(pw))),
      letv(gridH, ratio > 0 ? idx(ratio) : cast(call('ceil', bin('div', F(roiH), f64(ph))), 'index')),
      letv(gridW, ratio > 0 ? idx(ratio) : cast(call('ceil', bin('div', F(roiW), f64(pw))), 'index')),
      letv(count, cast(bin('max', mul(ivar(gridH), ivar(gridW)), idx(1)), 'f64')),
    ];
    // one bilinear sample at (y, x): zero weight outside [-1, size], clamped to the last row/column
    const [y, x, yl, xl, yh, xh, ly, lx] = ['y', 'x', 'y_lo', 'x_lo', 'y_hi', 'x_hi', 'ly', 'lx'].map((n) => ctx.fresh(n));
    const plane = mul(add(mul(ivar(b), channels), ivar(c)), mul(h, w));
    const v = (row: string, col: string, weight: Expr) => bin('mul', weight, cast(load(X.buf, add(plane, add(mul(ivar(row), w), ivar(col))), d), 'f64'));
    const [hy, hx] = [bin('sub', f64(1), F(ly)), bin('sub', f64(1), F(lx))];
    const terms = [v(yl, xl, bin('mul', hy, hx)), v(yl, xh, bin('mul', hy, F(lx))), v(yh, xl, bin('mul', F(ly), hx)), v(yh, xh, bin('mul', F(ly), F(lx)))];
    const [m, taken] = ['m', 'taken'].map((n) => ctx.fresh(n));
    const fmax = (p: Expr, q: Expr) => select(bin('gt', q, p), q, p);
    const take = (vals: Expr[]): Stmt[] => max
      ? [letv(m, vals.reduce(fmax)), assign(acc, select(svar(taken, 'bool'), fmax(F(acc), F(m)), F(m))), assign(taken, num('bool', 1))]
      : [assign(acc, add(F(acc), vals.reduce((p, q) => add(p, q))))];
    const sample: Stmt[] = [
      letv(y, add(add(F(y1), bin('mul', cast(ivar(i), 'f64'), F(binH))), bin('div', bin('mul', add(cast(ivar(iy), 'f64'), f64(0.5)), F(binH)), cast(ivar(gridH), 'f64'))), true),
      letv(x, add(add(F(x1), bin('mul', cast(ivar(j), 'f64'), F(binW))), bin('div', bin('mul', add(cast(ivar(ix), 'f64'), f64(0.5)), F(binW)), cast(ivar(gridW), 'f64'))), true),
      when(bin('or', bin('or', lt(F(y), f64(-1)), bin('gt', F(y), f64(H))), bin('or', lt(F(x), f64(-1)), bin('gt', F(x), f64(W)))), take([f64(0), f64(0), f64(0), f64(0)]), [
        assign(y, bin('max', F(y), f64(0))), assign(x, bin('max', F(x), f64(0))),
        letv(yl, cast(F(y), 'index'), true), letv(xl, cast(F(x), 'index'), true),
        letv(yh, add(ivar(yl), idx(1)), true), letv(xh, add(ivar(xl), idx(1)), true),
        when(ge(ivar(yl), idx(H - 1)), [assign(yl, idx(H - 1)), assign(yh, idx(H - 1)), assign(y, f64(H - 1))]),
        when(ge(ivar(xl), idx(W - 1)), [assign(xl, idx(W - 1)), assign(xh, idx(W - 1)), assign(x, f64(W - 1))]),
        letv(ly, bin('sub', F(y), cast(ivar(yl), 'f64'))), letv(lx, bin('sub', F(x), cast(ivar(xl), 'f64'))),
        ...take(terms),
      ]),
    ];
    const bin_: Stmt[] = [
      letv(acc, f64(0), true),
      ...(max ? [letv(taken, num('bool', 0), true)] : []),
      loop(iy, ivar(gridH), [loop(ix, ivar(gridW), sample)]),
      store(Y.buf, add(mul(add(mul(add(mul(ivar(r), channels), ivar(c)), idx(ph)), ivar(i)), idx(pw)), ivar(j)), cast(max ? F(acc) : bin('div', F(acc), F(count)), d)),
    ];
    const k = ctx.fresh('k');
    const index = cast(load(I.buf, ivar(k), I.type.dtype), 'index');
    // a region naming no image stops the run before any region reads
    const check = loop(k, nRois, [{ k: 'check', cond: and(ge(index, idx(0)), lt(index, batch)), code: INDEX_OUT_OF_RANGE, message: 'roi_align batch index out of range' }]);
    const body = loop(r, nRois, [...region, loop(c, channels, [loop(i, idx(ph), [loop(j, idx(pw), bin_)])])]);
    const s = defaultSchedule(mul(mul(nRois, channels), idx(ph * pw * 4)));
    s.parallel = [r];
    return { body: [check, body], schedule: s };
  },
};

/**
 * One Fourier transform as the interpreter computes it: bins [0, bins) of the length-n transform of
 * the samples `read(j)` (re, im) for j < count (zeros beyond), stored as (re, im) pairs at `out(k)`.
 * The twiddle table is spelled out as literals: exact here, and accurate where sin/cos are not (WGSL).
 */
function transformStmts(ctx: LowerCtx, n: number, inverse: boolean, bins: number, count: number, read: (j: Expr) => [Expr, Expr], out: (k: Expr) => Expr, Y: string, d: DType): Stmt[] {
  const [k, j, sr, si, m, re, im, cosT, sinT] = ['k', 'j', 'sr', 'si', 'm', 're', 'im', 'cos', 'sin'].map((h) => ctx.fresh(h));
  const F = (name: string) => svar(name, 'f64');
  const cos = load(cosT, ivar(m), 'f64'), sin = bin('mul', f64(inverse ? 1 : -1), load(sinT, ivar(m), 'f64'));
  const [reJ, imJ] = read(ivar(j));
  const scale = f64(inverse ? 1 / n : 1);
  return [
    { k: 'alloc', name: cosT, dtype: 'f64', size: idx(n), scope: 'local' },
    { k: 'alloc', name: sinT, dtype: 'f64', size: idx(n), scope: 'local' },
    ...Array.from({ length: n }, (_, q) => [store(cosT, idx(q), f64(Math.cos((2 * Math.PI * q) / n))), store(sinT, idx(q), f64(Math.sin((2 * Math.PI * q) / n)))]).flat(),
    loop(k, idx(bins), [
      letv(sr, f64(0), true), letv(si, f64(0), true),
      loop(j, idx(count), [
        letv(m, bin('rem', mul(ivar(j), ivar(k)), idx(n))),
        letv(re, reJ), letv(im, imJ),
        assign(sr, add(F(sr), bin('sub', bin('mul', F(re), cos), bin('mul', F(im), sin)))),
        assign(si, add(F(si), add(bin('mul', F(re), sin), bin('mul', F(im), cos)))),
      ]),
      store(Y, out(ivar(k)), cast(bin('mul', F(sr), scale), d)),
      store(Y, add(out(ivar(k)), idx(1)), cast(bin('mul', F(si), scale), d)),
    ]),
  ];
}

/** Longest transform whose twiddle table the kernel spells out. */
const MAX_TRANSFORM = 1024;
const tooLong = (n: number) => (n <= MAX_TRANSFORM ? null : `transform length ${n} (the twiddle table holds at most ${MAX_TRANSFORM})`);

/** dft: each signal's bins as direct sums (zero-padded or truncated to dft_length); signals in parallel. */
const dft: OpLowering = {
  unsupported(node, attrs) {
    const x = node.inputs[0]!.type;
    if (!FLOATS.has(x.dtype)) return `dtype ${x.dtype}`;
    if (!x.shape.slice(1).every(isStatic)) return 'the dims after the first must be static';
    return tooLong((attrs.dft_length as number | undefined) ?? (x.shape[normAxis(attrs.axis as number, x.shape.length)] as number));
  },
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const d = X.type.dtype;
    const rank = X.type.shape.length;
    const axis = normAxis(ctx.attrs.axis as number, rank);
    const parts = X.type.shape[rank - 1] as number, n = X.type.shape[axis] as number;
    const length = (ctx.attrs.dft_length as number | undefined) ?? n;
    const bins = Y.type.shape[axis] as number;
    const outer = productExpr(X.type.shape.slice(0, axis)), inner = productExpr(X.type.shape.slice(axis + 1, rank - 1));
    const [o, i] = [ctx.fresh('o'), ctx.fresh('i')];
    const at = (j: Expr) => mul(add(mul(add(mul(ivar(o), idx(n)), j), inner), ivar(i)), idx(parts));
    const read = (j: Expr): [Expr, Expr] => [cast(load(X.buf, at(j), d), 'f64'), parts === 2 ? cast(load(X.buf, add(at(j), idx(1)), d), 'f64') : f64(0)];
    const out = (k: Expr) => mul(add(mul(add(mul(ivar(o), idx(bins)), k), inner), ivar(i)), idx(2));
    const body = loop(o, outer, [loop(i, inner, transformStmts(ctx, length, ctx.attrs.inverse === true, bins, Math.min(n, length), read, out, Y.buf, d))]);
    const s = defaultSchedule(mul(mul(outer, inner), idx(bins * length)));
    s.parallel = [o, i];
    return { body: [body], schedule: s };
  },
};

/** stft: each frame (times the window) transformed as dft does; frames run in parallel. */
const stft: OpLowering = {
  unsupported(node, attrs) {
    const x = node.inputs[0]!.type;
    if (!FLOATS.has(x.dtype)) return `dtype ${x.dtype}`;
    if (!x.shape.slice(1).every(isStatic)) return 'the signal length must be static';
    return tooLong((attrs.frame_length as number | undefined) ?? (node.inputs[1]!.type.shape[0] as number));
  },
  lower(ctx) {
    const S = req(ctx, 0), Win = ctx.input(1), Y = ctx.output(0);
    const d = S.type.dtype;
    const [, length, parts] = S.type.shape as number[];
    const [batch, frames, bins] = Y.type.shape;
    const frameLength = (ctx.attrs.frame_length as number | undefined) ?? (Win!.type.shape[0] as number);
    const step = ctx.attrs.frame_step as number;
    const [b, f] = [ctx.fresh('b'), ctx.fresh('f')];
    const at = (j: Expr) => mul(add(add(mul(ivar(b), idx(length)), mul(ivar(f), idx(step))), j), idx(parts));
    const windowed = (v: Expr, j: Expr) => (Win ? bin('mul', v, cast(load(Win.buf, j, Win.type.dtype), 'f64')) : v);
    const read = (j: Expr): [Expr, Expr] => [windowed(cast(load(S.buf, at(j), d), 'f64'), j), parts === 2 ? windowed(cast(load(S.buf, add(at(j), idx(1)), d), 'f64'), j) : f64(0)];
    const out = (k: Expr) => mul(add(mul(add(mul(ivar(b), idx(frames as number)), ivar(f)), idx(bins as number)), k), idx(2));
    const body = loop(b, dimExpr(batch), [loop(f, idx(frames as number), transformStmts(ctx, frameLength, false, bins as number, frameLength, read, out, Y.buf, d))]);
    const s = defaultSchedule(mul(dimExpr(batch), idx((frames as number) * (bins as number) * frameLength)));
    s.parallel = [b, f];
    return { body: [body], schedule: s };
  },
};

export const SAMPLING: Record<string, OpLowering> = { grid_sample: gridSample, roi_align: roiAlign, dft, stft };
