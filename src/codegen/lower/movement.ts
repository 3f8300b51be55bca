// Data movement: transpose, slice, concat, split, gather, pad, expand, resize, tile, depth_to_space,
// space_to_depth. These copy storage elements without reading them as numbers, so they serve every
// dtype (f16/bf16 bit patterns and i64 included), except linear resize, which interpolates f32/f64.
import { Dim, dimAdd, isStatic } from '../../ir/dim.js';
import { Node, TensorType } from '../../ir/graph.js';
import { normAxis } from '../../ir/ops/util.js';
import {
  Expr, Stmt, add, and, bin, call, cast, defaultSchedule, div, ge, idx, ivar, letv, load, loop, lt, mul, num, rem, select, store, sub, svar,
} from '../kernel-ir.js';
import { broadcastNest } from './elementwise.js';
import { dimExpr, linearIndex, productExpr, stridesExpr } from './dims.js';
import { LowerCtx, LoweredKernel, OpLowering, req } from './context.js';

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
    const check = loop(c, count, [{ k: 'check', cond: and(ge(index, sub(idx(0), d)), lt(index, d)), code: 4, message: 'gather index out of range' }]);
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

const COORD_MODES = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];

/** One axis of a resize: input and output length and the scale; inLen -1 for an axis left as it is. */
interface AxisPlan { inLen: number; outLen: number; scale: number }

/** The axis plans for static resized dims (ONNX Resize, opset 19), or why there is none. */
function resizePlan(node: Node, attrs: Record<string, unknown>): AxisPlan[] | string {
  const x = node.inputs[0]!.type, y = node.outputs[0].type;
  const rank = x.shape.length;
  const axes = ((attrs.axes as number[] | undefined) ?? x.shape.map((_, i) => i)).map((a) => normAxis(a, rank));
  const plan: AxisPlan[] = [];
  const scales = attrs.scales as number[] | undefined;
  const sizes = attrs.sizes as Dim[] | undefined;
  let uniform: number | null = null;
  if (sizes && attrs.keep_aspect_ratio_policy !== 'stretch') {
    const ratios = axes.map((a, k) => (sizes[k] as number) / (x.shape[a] as number));
    uniform = attrs.keep_aspect_ratio_policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  }
  for (let a = 0; a < rank; a++) {
    const k = axes.indexOf(a);
    const inLen = x.shape[a], outLen = y.shape[a];
    if (k < 0 || (scales && scales[k] === 1)) { plan.push({ inLen: -1, outLen: -1, scale: 1 }); continue; }
    if (!isStatic(inLen) || !isStatic(outLen)) return `resized axis ${a} must be static`;
    const scale = scales ? scales[k] : uniform ?? outLen / inLen;
    plan.push({ inLen, outLen, scale });
  }
  return plan;
}

const resize: OpLowering = {
  unsupported(node, attrs) {
    const d = node.inputs[0]!.type.dtype;
    if (attrs.mode !== 'nearest' && attrs.mode !== 'linear') return `mode '${attrs.mode}'`;
    if (!COORD_MODES.includes(attrs.coordinate_transformation_mode as string)) return `coordinate_transformation_mode '${attrs.coordinate_transformation_mode}'`;
    if (attrs.mode === 'linear' && d !== 'f32' && d !== 'f64') return `linear mode on dtype ${d}`;
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
      const { inLen, outLen, scale } = plan[a] as { inLen: number; outLen: number; scale: number };
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
        default: return bin('div', x, f64(scale));
      }
    };
    const resized = plan.map((p, a) => (p.inLen >= 0 ? a : -1)).filter((a) => a >= 0);
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
        const src = c.map((ci, a) => {
          if (!resized.includes(a)) return ci;
          const last = plan[a].inLen - 1;
          const r = cast(round(coord(ci, a)), 'index');
          return select(lt(r, idx(0)), idx(0), select(bin('gt', r, idx(last)), idx(last), r));
        });
        return [store(Y.buf, linearIndex(c, outSt), load(X.buf, linearIndex(src, inSt), d))];
      });
    }
    // linear: the weighted sum over the 2^k corners of the source cell, weights in f64
    return copyNest(ctx, Y.type.shape, (c) => {
      const stmts: Stmt[] = [];
      const lo: Expr[] = [...c], hi: Expr[] = [...c], w: Expr[] = c.map(() => f64(1));
      for (const a of resized) {
        const last = plan[a].inLen - 1;
        const [cv, i0, wv] = [ctx.fresh('x'), ctx.fresh('lo'), ctx.fresh('w')];
        stmts.push(letv(cv, call('fmin_nan', call('fmax_nan', coord(c[a], a), f64(0)), f64(last))));
        stmts.push(letv(i0, cast(call('floor', svar(cv, 'f64')), 'index')));
        stmts.push(letv(wv, bin('sub', svar(cv, 'f64'), cast(ivar(i0), 'f64'))));
        lo[a] = ivar(i0);
        hi[a] = select(lt(ivar(i0), idx(last)), add(ivar(i0), idx(1)), ivar(i0));
        w[a] = svar(wv, 'f64');
      }
      let total: Expr = f64(0);
      for (let corner = 0; corner < 1 << resized.length; corner++) {
        const at = c.map((_, a) => {
          const k = resized.indexOf(a);
          return k < 0 ? c[a] : corner & (1 << k) ? hi[a] : lo[a];
        });
        let weight: Expr = f64(1);
        resized.forEach((a, k) => { weight = bin('mul', weight, corner & (1 << k) ? w[a] : bin('sub', f64(1), w[a])); });
        total = bin('add', total, bin('mul', weight, cast(load(X.buf, linearIndex(at, inSt), d), 'f64')));
      }
      stmts.push(store(Y.buf, linearIndex(c, outSt), cast(total, d)));
      return stmts;
    });
  },
};

// ---------------------------------------------------------------- tile, depth_to_space, space_to_depth

const tile: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const inSt = stridesExpr(X.type.shape), outSt = stridesExpr(Y.type.shape);
    return copyNest(ctx, Y.type.shape, (c) => [
      store(Y.buf, linearIndex(c, outSt), load(X.buf, linearIndex(c.map((ci, k) => rem(ci, dimExpr(X.type.shape[k]))), inSt), X.type.dtype)),
    ]);
  },
};

/** Output element (n, c, y, x) of depth_to_space reads input channel `channel(c, y % b, x % b)` at (y / b, x / b). */
const depthToSpace: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const b = idx(ctx.attrs.blocksize as number);
    const co = dimExpr(Y.type.shape[1]);
    const inSt = stridesExpr(X.type.shape), outSt = stridesExpr(Y.type.shape);
    return copyNest(ctx, Y.type.shape, ([n, c, y, x]) => {
      const [by, bx] = [rem(y, b), rem(x, b)];
      const channel = ctx.attrs.mode === 'DCR' ? add(mul(add(mul(by, b), bx), co), c) : add(mul(c, mul(b, b)), add(mul(by, b), bx));
      return [store(Y.buf, linearIndex([n, c, y, x], outSt), load(X.buf, linearIndex([n, channel, div(y, b), div(x, b)], inSt), X.type.dtype))];
    });
  },
};

/** Output channel (by * b + bx) * C + c of space_to_depth holds input channel c at (y * b + by, x * b + bx). */
const spaceToDepth: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const b = idx(ctx.attrs.blocksize as number);
    const channels = dimExpr(X.type.shape[1]);
    const inSt = stridesExpr(X.type.shape), outSt = stridesExpr(Y.type.shape);
    return copyNest(ctx, Y.type.shape, ([n, oc, y, x]) => {
      const block = div(oc, channels);
      const src = [n, rem(oc, channels), add(mul(y, b), div(block, b)), add(mul(x, b), rem(block, b))];
      return [store(Y.buf, linearIndex([n, oc, y, x], outSt), load(X.buf, linearIndex(src, inSt), X.type.dtype))];
    });
  },
};

export const MOVEMENT: Record<string, OpLowering> = {
  transpose, slice, concat, split, gather, pad, expand, resize, tile, depth_to_space: depthToSpace, space_to_depth: spaceToDepth,
};
