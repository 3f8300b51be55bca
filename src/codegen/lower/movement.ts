// Data movement: transpose, slice, concat, split, gather, pad, expand, resize, tile, depth_to_space,
// space_to_depth. These copy storage elements without reading them as numbers, so they serve every
// dtype (f16/bf16 bit patterns and i64 included), except linear and cubic resize, which interpolate f32/f64.
import { Dim, dimAdd, isStatic } from '../../ir/dim.js';
import { Node, TensorType } from '../../ir/graph.js';
import { normAxis } from '../../ir/ops/util.js';
import {
  Expr, Stmt, add, and, assign, bin, call, cast, defaultSchedule, div, ge, idx, ivar, letv, load, loop, lt, mul, num, rem, select, store, sub, svar,
} from '../kernel-ir.js';
import { broadcastNest } from './elementwise.js';
import { dimExpr, linearIndex, productExpr, stridesExpr } from './dims.js';
import { INDEX_OUT_OF_RANGE, LowerCtx, LoweredKernel, OpLowering, req } from './context.js';

/** Loop nest over `shape` (size-1 dims dropped): outer two loops parallel, innermost vectorized. */
export function copyNest(ctx: LowerCtx, shape: readonly Dim[], body: (coords: Expr[]) => Stmt[]): LoweredKernel {
  const kept = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  const vars = kept.map(() => ctx.fresh('i'));
  const coords = shape.map((): Expr => idx(0));
  kept.forEach((i, k) => { coords[i] = ivar(vars[k]); });
  let stmts = body(coords);
  for (let k = kept.length - 1; k >= 0; k--) stmts = [loop(vars[k], dimExpr(shape[kept[k]]), stmts)];
  const s = defaultSchedule(productExpr(shape));
  s.parallel = vars.slice(0, Math.min(2, Math.max(1, vars.length - 1)));
  if (vars.length > 1) s.vector = vars.slice(-1);
  return { body: stmts, schedule: s };
}

const transpose: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const rank = X.type.shape.length;
    const perm = (ctx.attrs.perm as number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inSt = stridesExpr(X.type.shape);
    const outSt = stridesExpr(Y.type.shape);
    return copyNest(ctx, Y.type.shape, (c) => [store(Y.buf, linearIndex(c, outSt), load(X.buf, linearIndex(c, perm.map((p) => inSt[p])), X.type.dtype))]);
  },
};

/** Bounds at or beyond this magnitude mean "to the end" (exporters write INT64_MAX or INT32_MAX). */
const HUGE = 2 ** 31 - 1;

/** First index and step of a slice along one axis (ONNX clamping), symbolic where the IR allows it. */
export function sliceStart(start: number, end: number, step: number, d: Dim): Expr {
  if (isStatic(d)) {
    let s = start < 0 ? start + d : start;
    s = step > 0 ? Math.min(Math.max(s, 0), d) : Math.min(Math.max(s, 0), d - 1);
    return idx(s);
  }
  if (step === 1 && end >= HUGE && start > -HUGE) return start >= 0 ? idx(start) : sub(dimExpr(d), idx(-start));
  if (step === 1) return idx(0);
  return sub(dimExpr(d), idx(1));
}

const slice: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const rank = X.type.shape.length;
    const starts = ctx.attrs.starts as number[], ends = ctx.attrs.ends as number[];
    const axes = ((ctx.attrs.axes as number[] | undefined) ?? starts.map((_, i) => i)).map((a) => normAxis(a, rank));
    const steps = (ctx.attrs.steps as number[] | undefined) ?? starts.map(() => 1);
    const inSt = stridesExpr(X.type.shape);
    const first: Expr[] = X.type.shape.map(() => idx(0));
    const step = X.type.shape.map(() => 1);
    axes.forEach((a, k) => { first[a] = sliceStart(starts[k], ends[k], steps[k], X.type.shape[a]); step[a] = steps[k]; });
    const outSt = stridesExpr(Y.type.shape);
    return copyNest(ctx, Y.type.shape, (c) => [
      store(Y.buf, linearIndex(c, outSt), load(X.buf, linearIndex(c.map((ci, i) => add(first[i], mul(ci, idx(step[i])))), inSt), X.type.dtype)),
    ]);
  },
};

/** Concatenation and its inverse: each operand is a run of (outer, len·inner) inside the joined tensor. */
function joinRuns(ctx: LowerCtx, joined: TensorType, axis: number, parts: { buf: string; type: TensorType }[], into: boolean): LoweredKernel {
  const outer = productExpr(joined.shape.slice(0, axis));
  const inner = productExpr(joined.shape.slice(axis + 1));
  const rowLen = mul(dimExpr(joined.shape[axis]), inner);
  const stmts: Stmt[] = [];
  const parallel: string[] = [];
  const vector: string[] = [];
  let offset: Dim = 0;
  const joinedBuf = into ? ctx.output(0).buf : req(ctx, 0).buf;
  for (const part of parts) {
    const run = mul(dimExpr(part.type.shape[axis]), inner);
    const [o, r] = [ctx.fresh('o'), ctx.fresh('r')];
    const at = add(add(mul(ivar(o), rowLen), mul(dimExpr(offset), inner)), ivar(r));
    const partAt = add(mul(ivar(o), run), ivar(r));
    const copy = into ? store(joinedBuf, at, load(part.buf, partAt, part.type.dtype)) : store(part.buf, partAt, load(joinedBuf, at, part.type.dtype));
    stmts.push({ k: 'comment', text: `${into ? 'from' : 'into'} ${part.buf}` }, loop(o, outer, [loop(r, run, [copy])]));
    parallel.push(o);
    vector.push(r);
    offset = dimAdd(offset, part.type.shape[axis]);
  }
  const s = defaultSchedule(productExpr(joined.shape));
  s.parallel = parallel;
  s.vector = vector;
  return { body: stmts, schedule: s };
}

const concat: OpLowering = {
  lower(ctx) {
    const Y = ctx.output(0);
    const axis = normAxis(ctx.attrs.axis as number, Y.type.shape.length);
    return joinRuns(ctx, Y.type, axis, ctx.inputs().map((o) => o!), true);
  },
};

const split: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0);
    const axis = normAxis(ctx.attrs.axis as number, X.type.shape.length);
    return joinRuns(ctx, X.type, axis, ctx.node.outputs.map((_, i) => ctx.output(i)), false);
  },
};

const gather: OpLowering = {
  unsupported(node) {
    const d = node.inputs[1]!.type.dtype;
    return d === 'i32' || d === 'i64' ? null : `indices dtype ${d}`;
  },
  lower(ctx) {
    const X = req(ctx, 0), I = req(ctx, 1), Y = ctx.output(0);
    const axis = normAxis(ctx.attrs.axis as number, X.type.shape.length);
    const outer = productExpr(X.type.shape.slice(0, axis));
    const d = dimExpr(X.type.shape[axis]);
    const inner = productExpr(X.type.shape.slice(axis + 1));
    const count = productExpr(I.type.shape);
    const [c, o, k, i] = [ctx.fresh('c'), ctx.fresh('o'), ctx.fresh('k'), ctx.fresh('i')];
    const index = cast(load(I.buf, ivar(c), I.type.dtype), 'index');
    const check = loop(c, count, [{ k: 'check', cond: and(ge(index, sub(idx(0), d)), lt(index, d)), code: INDEX_OUT_OF_RANGE, message: 'gather index out of range' }]);
    const raw = cast(load(I.buf, ivar(k), I.type.dtype), 'index');
    const row = select(lt(raw, idx(0)), add(raw, d), raw);
    const copy = loop(o, outer, [loop(k, count, [
      letv('row', row),
      loop(i, inner, [store(Y.buf, add(mul(add(mul(ivar(o), count), ivar(k)), inner), ivar(i)),
        load(X.buf, add(mul(add(mul(ivar(o), d), svar('row', 'index')), inner), ivar(i)), X.type.dtype))]),
    ])]);
    const s = defaultSchedule(productExpr(Y.type.shape));
    s.parallel = [o, k];
    s.vector = [i];
    return { body: [check, copy], schedule: s };
  },
};

type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

const pad: OpLowering = {
  unsupported(node) {
    const d = node.inputs[0]!.type.dtype;
    return d === 'f16' || d === 'bf16' ? `constant padding of dtype ${d}` : null;
  },
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const rank = X.type.shape.length;
    const pads = ctx.attrs.pads as number[];
    const mode = ctx.attrs.mode as PadMode;
    const inSt = stridesExpr(X.type.shape);
    const outSt = stridesExpr(Y.type.shape);
    return copyNest(ctx, Y.type.shape, (c) => {
      const conds: Expr[] = [];
      const src = c.map((ci, k) => {
        const d = dimExpr(X.type.shape[k]);
        const i = sub(ci, idx(pads[k]));
        if (pads[k] === 0 && pads[k + rank] <= 0) return i;
        switch (mode) {
          case 'constant': conds.push(and(ge(i, idx(0)), lt(i, d))); return i;
          case 'edge': return select(lt(i, idx(0)), idx(0), select(ge(i, d), sub(d, idx(1)), i));
          case 'wrap': return rem(add(rem(i, d), d), d);
          case 'reflect': {
            const period = mul(idx(2), sub(d, idx(1)));
            const m = rem(add(rem(i, period), period), period);
            return select(bin('eq', d, idx(1)), idx(0), select(lt(m, d), m, sub(period, m)));
          }
        }
      });
      const at = linearIndex(src, inSt);
      const fill = num(X.type.dtype, ctx.attrs.value as number);
      const mask = conds.length ? conds.reduce((a, b) => and(a, b)) : undefined;
      return [store(Y.buf, linearIndex(c, outSt), load(X.buf, at, X.type.dtype, mask, mask ? fill : undefined))];
    });
  },
};

const expand: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const nest = broadcastNest(ctx, Y.type.shape, [X.type.shape], (o, [i]) => [store(Y.buf, o, load(X.buf, i, X.type.dtype))]);
    const s = defaultSchedule(productExpr(Y.type.shape));
    s.parallel = nest.loops.slice(0, 1);
    if (nest.loops.length > 1) s.vector = nest.loops.slice(-1);
    return { body: nest.stmts, schedule: s };
  },
};

// ---------------------------------------------------------------- resize

const COORD_MODES = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];

/**
 * One axis of a resize: input and output length, the scale and the roi (tf_crop_and_resize);
 * inLen -1 for an axis left as it is.
 */
interface AxisPlan { inLen: number; outLen: number; scale: number; roi: [number, number] }

/** The axis plans for static resized dims (ONNX Resize, opset 19), or why there is none. */
function resizePlan(node: Node, attrs: Record<string, unknown>): AxisPlan[] | string {
  const x = node.inputs[0]!.type, y = node.outputs[0].type;
  const rank = x.shape.length;
  const axes = ((attrs.axes as number[] | undefined) ?? x.shape.map((_, i) => i)).map((a) => normAxis(a, rank));
  const plan: AxisPlan[] = [];
  const scales = attrs.scales as number[] | undefined;
  const sizes = attrs.sizes as Dim[] | undefined;
  const roi = attrs.roi as number[] | undefined;
  // a crop moves even the axes it does not scale
  const crop = attrs.coordinate_transformation_mode === 'tf_crop_and_resize';
  let uniform: number | null = null;
  if (sizes && attrs.keep_aspect_ratio_policy !== 'stretch') {
    const ratios = axes.map((a, k) => (sizes[k] as number) / (x.shape[a] as number));
    uniform = attrs.keep_aspect_ratio_policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  }
  for (let a = 0; a < rank; a++) {
    const k = axes.indexOf(a);
    const inLen = x.shape[a], outLen = y.shape[a];
    if (k < 0 || (scales && scales[k] === 1 && !crop)) { plan.push({ inLen: -1, outLen: -1, scale: 1, roi: [0, 1] }); continue; }
    if (!isStatic(inLen) || !isStatic(outLen)) return `resized axis ${a} must be static`;
    const scale = scales ? scales[k] : uniform ?? outLen / inLen;
    plan.push({ inLen, outLen, scale, roi: roi ? [roi[k], roi[k + axes.length]] : [0, 1] });
  }
  return plan;
}

/** Keys' cubic convolution weights of the four taps around a source coordinate r past the left one. */
export function cubicWeights(r: Expr, a: number): Expr[] {
  const f64 = (v: number) => num('f64', v);
  const [A, A5, A8, A4] = [a, 5 * a, 8 * a, 4 * a].map(f64);
  const m = (x: Expr, y: Expr) => bin('mul', x, y);
  const outer = (x: Expr) => bin('sub', m(bin('add', m(bin('sub', m(A, x), A5), x), A8), x), A4);
  const inner = (x: Expr) => bin('add', m(m(bin('sub', m(f64(a + 2), x), f64(a + 3)), x), x), f64(1));
  return [outer(bin('add', r, f64(1))), inner(r), inner(bin('sub', f64(1), r)), outer(bin('sub', f64(2), r))];
}

const resize: OpLowering = {
  unsupported(node, attrs) {
    const d = node.inputs[0]!.type.dtype;
    if (!['nearest', 'linear', 'cubic'].includes(attrs.mode as string)) return `mode '${attrs.mode}'`;
    if (!COORD_MODES.includes(attrs.coordinate_transformation_mode as string)) return `coordinate_transformation_mode '${attrs.coordinate_transformation_mode}'`;
    if (attrs.mode !== 'nearest' && d !== 'f32' && d !== 'f64') return `${attrs.mode} mode on dtype ${d}`;
    const p = resizePlan(node, attrs);
    return typeof p === 'string' ? p : null;
  },
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const d = X.type.dtype;
    const plan = resizePlan(ctx.node, ctx.attrs) as AxisPlan[];
    const mode = ctx.attrs.coordinate_transformation_mode as string;
    const inSt = stridesExpr(X.type.shape), outSt = stridesExpr(Y.type.shape);
    const f64 = (v: number) => num('f64', v);
    /** the source coordinate of output coordinate c along axis a, in f64 */
    const coord = (c: Expr, a: number): Expr => {
      const { inLen, outLen, scale, roi: [r0, r1] } = plan[a];
      const x = cast(c, 'f64');
      switch (mode) {
        case 'half_pixel': return bin('sub', bin('div', bin('add', x, f64(0.5)), f64(scale)), f64(0.5));
        case 'half_pixel_symmetric': {
          const offset = (inLen / 2) * (1 - outLen / (scale * inLen));
          return bin('add', f64(offset), bin('sub', bin('div', bin('add', x, f64(0.5)), f64(scale)), f64(0.5)));
        }
        case 'pytorch_half_pixel': return outLen > 1 ? bin('sub', bin('div', bin('add', x, f64(0.5)), f64(scale)), f64(0.5)) : f64(0);
        case 'align_corners': {
          // ONNX aligns the corners of the scaled length, before it is floored to whole elements
          const resizedLen = scale * inLen;
          return resizedLen === 1 ? f64(0) : bin('div', bin('mul', x, f64(inLen - 1)), f64(resizedLen - 1));
        }
        case 'tf_half_pixel_for_nn': return bin('div', bin('add', x, f64(0.5)), f64(scale));
        case 'tf_crop_and_resize':
          return outLen > 1
            ? bin('add', f64(r0 * (inLen - 1)), bin('div', bin('mul', bin('mul', x, f64(r1 - r0)), f64(inLen - 1)), f64(outLen - 1)))
            : f64(0.5 * (r0 + r1) * (inLen - 1));
        default: return bin('div', x, f64(scale));
      }
    };
    const resized = plan.map((p, a) => (p.inLen >= 0 ? a : -1)).filter((a) => a >= 0);
    const crop = mode === 'tf_crop_and_resize';
    const fill = ctx.attrs.extrapolation_value as number;
    /** a crop's positions outside the source take extrapolation_value */
    const cropped = (stmts: Stmt[], coords: Map<number, Expr>, c: Expr[], value: Expr): Stmt[] => {
      if (!crop) return [...stmts, store(Y.buf, linearIndex(c, outSt), value)];
      const outside = resized.map((a) => bin('or', bin('lt', coords.get(a)!, f64(0)), bin('gt', coords.get(a)!, f64(plan[a].inLen - 1)))).reduce((p, q) => bin('or', p, q));
      return [...stmts, store(Y.buf, linearIndex(c, outSt), select(outside, num(d, fill), value))];
    };
    const coordLets = (c: Expr[], stmts: Stmt[]) => {
      const coords = new Map<number, Expr>();
      for (const a of resized) {
        const v = ctx.fresh('x');
        stmts.push(letv(v, coord(c[a], a)));
        coords.set(a, svar(v, 'f64'));
      }
      return coords;
    };
    if (ctx.attrs.mode === 'nearest') {
      const nearest = ctx.attrs.nearest_mode as string;
      const round = (x: Expr): Expr => {
        switch (nearest) {
          case 'round_prefer_floor': return call('ceil', bin('sub', x, f64(0.5)));
          case 'round_prefer_ceil': return call('floor', bin('add', x, f64(0.5)));
          case 'floor': return call('floor', x);
          default: return call('ceil', x);
        }
      };
      return copyNest(ctx, Y.type.shape, (c) => {
        const stmts: Stmt[] = [];
        const coords = coordLets(c, stmts);
        const src = c.map((ci, a) => {
          if (!resized.includes(a)) return ci;
          const last = plan[a].inLen - 1;
          // clamped in f64 first, so a coordinate far outside (a crop) converts to a valid index
          const r = cast(call('fmin_nan', call('fmax_nan', round(coords.get(a)!), f64(0)), f64(last)), 'index');
          return select(lt(r, idx(0)), idx(0), select(bin('gt', r, idx(last)), idx(last), r));
        });
        return cropped(stmts, coords, c, load(X.buf, linearIndex(src, inSt), d));
      });
    }
    // linear and cubic: the weighted sum over the taps' product grid, weights in f64
    const cubic = ctx.attrs.mode === 'cubic';
    const T = cubic ? 4 : 2;
    return copyNest(ctx, Y.type.shape, (c) => {
      const stmts: Stmt[] = [];
      const coords = coordLets(c, stmts);
      const taps = new Map<number, { index: Expr[]; weight: Expr[] }>();
      for (const a of resized) {
        const last = plan[a].inLen - 1;
        const [i0, wv] = [ctx.fresh('lo'), ctx.fresh('w')];
        if (!cubic) {
          const cv = ctx.fresh('c');
          stmts.push(letv(cv, call('fmin_nan', call('fmax_nan', coords.get(a)!, f64(0)), f64(last))));
          stmts.push(letv(i0, cast(call('floor', svar(cv, 'f64')), 'index')));
          stmts.push(letv(wv, bin('sub', svar(cv, 'f64'), cast(ivar(i0), 'f64'))));
          const w = svar(wv, 'f64');
          taps.set(a, { index: [ivar(i0), select(lt(ivar(i0), idx(last)), add(ivar(i0), idx(1)), ivar(i0))], weight: [bin('sub', f64(1), w), w] });
          continue;
        }
        // the floor is taken in f64 and clamped, so that a crop's far-off coordinate stays a small index
        stmts.push(letv(wv, call('floor', coords.get(a)!)));
        stmts.push(letv(i0, cast(call('fmin_nan', call('fmax_nan', svar(wv, 'f64'), f64(-4)), f64(last + 4)), 'index')));
        const ws = cubicWeights(bin('sub', coords.get(a)!, svar(wv, 'f64')), ctx.attrs.cubic_coeff_a as number).map((w) => {
          const n = ctx.fresh('cw');
          stmts.push(letv(n, w));
          return svar(n, 'f64');
        });
        const raw = [-1, 0, 1, 2].map((o) => add(ivar(i0), idx(o)));
        const inside = (i: Expr) => and(ge(i, idx(0)), bin('le', i, idx(last)));
        let weight = ws;
        if (ctx.attrs.exclude_outside === true) {
          const kept = ws.map((w, k) => select(inside(raw[k]), w, f64(0)));
          const total = ctx.fresh('wsum');
          stmts.push(letv(total, kept.reduce((p, q) => bin('add', p, q))));
          weight = kept.map((w) => bin('div', w, svar(total, 'f64')));
        }
        const index = raw.map((i) => {
          const n = ctx.fresh('ci');
          stmts.push(letv(n, select(lt(i, idx(0)), idx(0), select(bin('gt', i, idx(last)), idx(last), i))));
          return ivar(n);
        });
        taps.set(a, { index, weight });
      }
      // accumulated statement by statement: one expression of 4^k terms is too deep for WGSL's parser
      const total = ctx.fresh('sum');
      stmts.push(letv(total, f64(0), true));
      for (let corner = 0; corner < T ** resized.length; corner++) {
        const digit = (k: number) => Math.floor(corner / T ** k) % T;
        const at = c.map((ci, a) => {
          const k = resized.indexOf(a);
          return k < 0 ? ci : taps.get(a)!.index[digit(k)];
        });
        let weight: Expr = f64(1);
        resized.forEach((a, k) => { weight = bin('mul', weight, taps.get(a)!.weight[digit(k)]); });
        stmts.push(assign(total, bin('add', svar(total, 'f64'), bin('mul', weight, cast(load(X.buf, linearIndex(at, inSt), d), 'f64')))));
      }
      return cropped(stmts, coords, c, cast(svar(total, 'f64'), d));
    });
  },
};

// ---------------------------------------------------------------- tile, depth_to_space, space_to_depth

/** Y[c] = X[source(c)] over Y's shape: a movement op given by its index map. */
function mappedCopy(ctx: LowerCtx, source: (c: Expr[]) => Expr[]): LoweredKernel {
  const X = req(ctx, 0), Y = ctx.output(0);
  const inSt = stridesExpr(X.type.shape), outSt = stridesExpr(Y.type.shape);
  return copyNest(ctx, Y.type.shape, (c) => [store(Y.buf, linearIndex(c, outSt), load(X.buf, linearIndex(source(c), inSt), X.type.dtype))]);
}

const tile: OpLowering = {
  lower: (ctx) => mappedCopy(ctx, (c) => c.map((ci, k) => rem(ci, dimExpr(req(ctx, 0).type.shape[k])))),
};

/** Output element (n, c, y, x) of depth_to_space reads the input channel of block (y % b, x % b) at (y / b, x / b). */
const depthToSpace: OpLowering = {
  lower(ctx) {
    const b = idx(ctx.attrs.blocksize as number);
    const co = dimExpr(ctx.output(0).type.shape[1]);
    return mappedCopy(ctx, ([n, c, y, x]) => {
      const [by, bx] = [rem(y, b), rem(x, b)];
      const channel = ctx.attrs.mode === 'DCR' ? add(mul(add(mul(by, b), bx), co), c) : add(mul(c, mul(b, b)), add(mul(by, b), bx));
      return [n, channel, div(y, b), div(x, b)];
    });
  },
};

/** Output channel (by * b + bx) * C + c of space_to_depth holds input channel c at (y * b + by, x * b + bx). */
const spaceToDepth: OpLowering = {
  lower(ctx) {
    const b = idx(ctx.attrs.blocksize as number);
    const channels = dimExpr(req(ctx, 0).type.shape[1]);
    return mappedCopy(ctx, ([n, oc, y, x]) => {
      const block = div(oc, channels);
      return [n, rem(oc, channels), add(mul(y, b), div(block, b)), add(mul(x, b), rem(block, b))];
    });
  },
};

export const MOVEMENT: Record<string, OpLowering> = {
  transpose, slice, concat, split, gather, pad, expand, resize, tile, depth_to_space: depthToSpace, space_to_depth: spaceToDepth,
};
