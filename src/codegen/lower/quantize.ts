// Linear quantization and the integer matmul / conv family. Integer products accumulate exactly in
// i32 loop nests (the GEMM tile intrinsic is f32); requantization forms its multiplier in f32 and
// multiplies in f64 before rounding to f32, exactly as the interpreter does, so results match bit for bit.
import { Dim } from '../../ir/dim.js';
import { DType } from '../../ir/dtype.js';
import { TensorType } from '../../ir/graph.js';
import { normAxis } from '../../ir/ops/util.js';
import {
  Expr, Stmt, add, and, assign, bin, call, cast, defaultSchedule, ge, idx, ivar, letv, load, loop, lt, mul, num, select, store, sub, svar,
} from '../kernel-ir.js';
import { broadcastNest } from './elementwise.js';
import { dimExpr, productExpr } from './dims.js';
import { LowerCtx, OpLowering, Operand, req } from './context.js';
import { ConvPlan, convPlan } from './linalg.js';

const QUANT_RANGE: Partial<Record<DType, [number, number]>> = { u8: [0, 255], i8: [-128, 127], u16: [0, 65535], i16: [-32768, 32767] };
const FLOAT_DTYPES = new Set<DType>(['f32', 'f64']);

const holdsOne = (t: TensorType) => t.shape.every((d) => d === 1);

/** The per-axis parameter index of flat element `i` of a tensor of `shape` (0 for a per-tensor parameter). */
function paramAt(p: Operand | null, shape: readonly Dim[], axisAttr: number, i: Expr): Expr {
  if (!p || holdsOne(p.type)) return idx(0);
  const axis = normAxis(axisAttr, shape.length);
  return bin('rem', bin('div', i, productExpr(shape.slice(axis + 1))), dimExpr(shape[axis]));
}

/** round half to even, plus the zero point, saturated to the range; NaN gives the zero point (all in f64) */
function saturate(v: Expr, zeroPoint: Expr, [lo, hi]: [number, number]): Expr {
  const q = add(call('round_even', v), zeroPoint);
  return select(bin('ne', q, q), zeroPoint, bin('min', bin('max', q, num('f64', lo)), num('f64', hi)));
}

function elementLoop(ctx: LowerCtx, n: Expr, body: (i: Expr) => Stmt[]) {
  const i = ctx.fresh('i');
  const s = defaultSchedule(n);
  s.parallel = [i];
  return { body: [loop(i, n, body(ivar(i)))], schedule: s };
}

const quantizeLinear: OpLowering = {
  unsupported(node) {
    const x = node.inputs[0]!.type.dtype, s = node.inputs[1]!.type.dtype;
    if (!FLOAT_DTYPES.has(x) && x !== 'i32') return `dtype ${x}`;
    return FLOAT_DTYPES.has(s) ? null : `scale dtype ${s}`;
  },
  lower(ctx) {
    const X = req(ctx, 0), S = req(ctx, 1), Z = ctx.input(2), Y = ctx.output(0);
    const shape = X.type.shape, axis = ctx.attrs.axis as number;
    const sd = S.type.dtype;
    return elementLoop(ctx, productExpr(shape), (i) => {
      // the division happens in the scale's precision, as in the ONNX reference
      const v = cast(cast(bin('div', cast(load(X.buf, i, X.type.dtype), 'f64'), cast(load(S.buf, paramAt(S, shape, axis, i), sd), 'f64')), sd), 'f64');
      const zp = Z ? cast(load(Z.buf, paramAt(Z, shape, axis, i), Z.type.dtype), 'f64') : num('f64', 0);
      return [store(Y.buf, i, cast(saturate(v, zp, QUANT_RANGE[Y.type.dtype]!), Y.type.dtype))];
    });
  },
};

const dequantizeLinear: OpLowering = {
  unsupported(node) {
    const s = node.inputs[1]!.type.dtype;
    return FLOAT_DTYPES.has(s) ? null : `scale dtype ${s}`;
  },
  lower(ctx) {
    const X = req(ctx, 0), S = req(ctx, 1), Z = ctx.input(2), Y = ctx.output(0);
    const shape = X.type.shape, axis = ctx.attrs.axis as number;
    return elementLoop(ctx, productExpr(shape), (i) => {
      const zp = Z ? cast(load(Z.buf, paramAt(Z, shape, axis, i), Z.type.dtype), 'f64') : num('f64', 0);
      const x = bin('sub', cast(load(X.buf, i, X.type.dtype), 'f64'), zp);
      return [store(Y.buf, i, cast(bin('mul', x, cast(load(S.buf, paramAt(S, shape, axis, i), S.type.dtype), 'f64')), Y.type.dtype))];
    });
  },
};

/** One serial pass for the range of x (which every element's code depends on), then a parallel quantizing loop. */
const dynamicQuantizeLinear: OpLowering = {
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0), Scale = ctx.output(1), Zero = ctx.output(2);
    const n = productExpr(X.type.shape);
    const [r, i, lo, hi, scale, zp] = ['r', 'i', 'lo', 'hi', 'scale', 'zp'].map((h) => ctx.fresh(h));
    const x = (at: Expr) => load(X.buf, at, 'f32');
    const f32 = (v: number) => num('f32', v);
    const v = svar('v', 'f32');
    const body: Stmt[] = [
      letv(lo, f32(0), true), letv(hi, f32(0), true),
      loop(r, n, [letv('v', x(ivar(r))), assign(lo, select(bin('lt', v, svar(lo, 'f32')), v, svar(lo, 'f32'))), assign(hi, select(bin('gt', v, svar(hi, 'f32')), v, svar(hi, 'f32')))]),
      letv(scale, cast(bin('div', bin('sub', cast(svar(hi, 'f32'), 'f64'), cast(svar(lo, 'f32'), 'f64')), num('f64', 255)), 'f32')),
      letv(zp, select(bin('eq', svar(scale, 'f32'), f32(0)), num('f64', 0),
        bin('min', bin('max', call('round_even', cast(cast(bin('div', bin('sub', num('f64', 0), cast(svar(lo, 'f32'), 'f64')), cast(svar(scale, 'f32'), 'f64')), 'f32'), 'f64')), num('f64', 0)), num('f64', 255)))),
      store(Scale.buf, idx(0), svar(scale, 'f32')),
      store(Zero.buf, idx(0), cast(svar(zp, 'f64'), 'u8')),
      loop(i, n, [store(Y.buf, ivar(i), cast(select(bin('eq', svar(scale, 'f32'), f32(0)), svar(zp, 'f64'),
        saturate(cast(cast(bin('div', cast(x(ivar(i)), 'f64'), cast(svar(scale, 'f32'), 'f64')), 'f32'), 'f64'), svar(zp, 'f64'), [0, 255])), 'u8'))]),
    ];
    const s = defaultSchedule(n);
    s.parallel = [i];
    return { body, schedule: s };
  },
};

// ---------------------------------------------------------------- integer matmul and conv

/**
 * A zero point or scale of a matmul operand: per tensor, or 1-D per row of A (`perRow`) or per
 * column of B; the expression reads it at row `row` / column `col`.
 */
function matmulParam(p: Operand | null, perRow: boolean, row: Expr, col: Expr, type: 'f32' | 'i32'): Expr {
  if (!p) return num(type, 0);
  return cast(load(p.buf, holdsOne(p.type) ? idx(0) : perRow ? row : col, p.type.dtype), type);
}

const matmulParamShape = (p: TensorType | undefined | null) => !p || holdsOne(p) || p.shape.length === 1;

interface IntegerMatmul { a: number; b: number; aZero: number | null; bZero: number | null }

/** Integer matmul loops: per output element, sum over k of (a - a_zero) * (b - b_zero) in i32, then `finish`. */
function integerMatmul(ctx: LowerCtx, io: IntegerMatmul, finish: (acc: Expr, row: Expr, col: Expr, outIndex: Expr) => Stmt[]) {
  const A = req(ctx, io.a), B = req(ctx, io.b);
  const AZ = io.aZero === null ? null : ctx.input(io.aZero), BZ = io.bZero === null ? null : ctx.input(io.bZero);
  const Y = ctx.output(0);
  const as = A.type.shape.length === 1 ? [1, A.type.shape[0]] : A.type.shape;
  const bs = B.type.shape.length === 1 ? [B.type.shape[0], 1] : B.type.shape;
  const [M, K, N] = [as[as.length - 2], as[as.length - 1], bs[bs.length - 1]].map(dimExpr);
  const outBatch = Y.type.shape.slice(0, Y.type.shape.length - (A.type.shape.length > 1 ? 1 : 0) - (B.type.shape.length > 1 ? 1 : 0));
  const [m, n, k, acc] = ['m', 'n', 'k', 'acc'].map((h) => ctx.fresh(h));
  const nest = broadcastNest(ctx, outBatch, [as.slice(0, -2), bs.slice(0, -2)], (o, [ai, bi]) => {
    const a = bin('sub', cast(load(A.buf, add(mul(ai, mul(M, K)), add(mul(ivar(m), K), ivar(k))), A.type.dtype), 'i32'), matmulParam(AZ, true, ivar(m), ivar(k), 'i32'));
    const b = bin('sub', cast(load(B.buf, add(mul(bi, mul(K, N)), add(mul(ivar(k), N), ivar(n))), B.type.dtype), 'i32'), matmulParam(BZ, false, ivar(k), ivar(n), 'i32'));
    return [loop(m, M, [loop(n, N, [
      letv(acc, num('i32', 0), true),
      loop(k, K, [assign(acc, bin('add', svar(acc, 'i32'), bin('mul', a, b)))]),
      ...finish(svar(acc, 'i32'), ivar(m), ivar(n), add(mul(o, mul(M, N)), add(mul(ivar(m), N), ivar(n)))),
    ])])];
  });
  const s = defaultSchedule(mul(productExpr(Y.type.shape), K));
  s.parallel = nest.loops.length ? nest.loops.slice(0, 1) : [m];
  return { body: nest.stmts, schedule: s };
}

/**
 * y = saturate(round_half_even(acc * (a_scale * b_scale / y_scale)) + y_zero_point), the multiplier
 * formed in f32 and the product rounded to f32 from f64, as the interpreter does.
 */
function requantize(acc: Expr, aScale: Expr, bScale: Expr, yScale: Expr, yZero: Expr, dtype: DType): Expr {
  const multiplier = bin('div', bin('mul', aScale, bScale), yScale);
  const v = cast(cast(bin('mul', cast(acc, 'f64'), cast(multiplier, 'f64')), 'f32'), 'f64');
  return cast(saturate(v, cast(yZero, 'f64'), QUANT_RANGE[dtype]!), dtype);
}

const matmulInteger: OpLowering = {
  unsupported(node) {
    return matmulParamShape(node.inputs[2]?.type) && matmulParamShape(node.inputs[3]?.type) ? null : 'zero points that are neither per tensor nor 1-D';
  },
  lower(ctx) {
    const Y = ctx.output(0);
    return integerMatmul(ctx, { a: 0, b: 1, aZero: 2, bZero: 3 }, (acc, _r, _c, at) => [store(Y.buf, at, acc)]);
  },
};

const qlinearMatmul: OpLowering = {
  unsupported(node) {
    return [1, 2, 4, 5].every((i) => matmulParamShape(node.inputs[i]!.type)) ? null : 'scales or zero points that are neither per tensor nor 1-D';
  },
  lower(ctx) {
    const Y = ctx.output(0);
    const [AS, BS, YS, YZ] = [1, 4, 6, 7].map((i) => req(ctx, i));
    return integerMatmul(ctx, { a: 0, b: 3, aZero: 2, bZero: 5 }, (acc, row, col, at) => [
      store(Y.buf, at, requantize(acc, matmulParam(AS, true, row, col, 'f32'), matmulParam(BS, false, row, col, 'f32'), load(YS.buf, idx(0), 'f32'), load(YZ.buf, idx(0), YZ.type.dtype), Y.type.dtype)),
    ]);
  },
};

interface IntegerConv { x: number; w: number; xZero: number | null; wZero: number | null; bias: number | null }

/** Direct integer convolution: per output element, the i32 sum over its window of the zero-point-shifted operands, then `finish`. */
function integerConv(ctx: LowerCtx, io: IntegerConv, finish: (acc: Expr, m: Expr) => Expr) {
  const X = req(ctx, io.x), W = req(ctx, io.w);
  const XZ = io.xZero === null ? null : ctx.input(io.xZero), WZ = io.wZero === null ? null : ctx.input(io.wZero);
  const Bias = io.bias === null ? null : ctx.input(io.bias);
  const Y = ctx.output(0);
  const p = convPlan(ctx.node, ctx.attrs, io.x, io.w) as ConvPlan;
  const g = p.geo;
  const batch = dimExpr(X.type.shape[0]);
  const [n, m, o, c, kd, kh, kw, acc] = ['n', 'm', 'o', 'c', 'kd', 'kh', 'kw', 'acc'].map((h) => ctx.fresh(h));
  const coord = (out: Expr, k: string, s: number, pad: number, dil: number) => add(sub(mul(out, idx(s)), idx(pad)), mul(ivar(k), idx(dil)));
  const od = bin('div', ivar(o), idx(g.outH * g.outW)), oh = bin('rem', bin('div', ivar(o), idx(g.outW)), idx(g.outH)), ow = bin('rem', ivar(o), idx(g.outW));
  const [id, ih, iw] = [ctx.fresh('id'), ctx.fresh('ih'), ctx.fresh('iw')];
  const inside = (v: string, ext: number) => and(ge(ivar(v), idx(0)), lt(ivar(v), idx(ext)));
  const channel = add(mul(bin('div', ivar(m), idx(p.Mg)), idx(p.Cg)), ivar(c));
  const xIndex = add(mul(add(mul(ivar(n), idx(p.C)), channel), idx(p.inSize)), add(mul(add(mul(ivar(id), idx(g.inH)), ivar(ih)), idx(g.inW)), ivar(iw)));
  const wIndex = add(mul(add(mul(ivar(m), idx(p.Cg)), ivar(c)), idx(p.taps)), add(mul(add(mul(ivar(kd), idx(g.kH)), ivar(kh)), idx(g.kW)), ivar(kw)));
  const xZero = XZ ? cast(load(XZ.buf, idx(0), XZ.type.dtype), 'i32') : num('i32', 0);
  const wZero = WZ ? cast(load(WZ.buf, holdsOne(WZ.type) ? idx(0) : ivar(m), WZ.type.dtype), 'i32') : num('i32', 0);
  const term = bin('mul', bin('sub', cast(load(X.buf, xIndex, X.type.dtype), 'i32'), xZero), bin('sub', cast(load(W.buf, wIndex, W.type.dtype), 'i32'), wZero));
  const body = loop(n, batch, [loop(m, idx(p.M), [loop(o, idx(p.outSize), [
    letv(acc, Bias ? load(Bias.buf, ivar(m), 'i32') : num('i32', 0), true),
    loop(c, idx(p.Cg), [loop(kd, idx(g.kD), [
      letv(id, coord(od, kd, g.sD, g.pD, g.dD)),
      loop(kh, idx(g.kH), [
        letv(ih, coord(oh, kh, g.sH, g.pH, g.dH)),
        loop(kw, idx(g.kW), [
          letv(iw, coord(ow, kw, g.sW, g.pW, g.dW)),
          // padding reads the zero point, so it contributes nothing
          { k: 'if', cond: and(and(inside(id, g.inD), inside(ih, g.inH)), inside(iw, g.inW)), then: [assign(acc, bin('add', svar(acc, 'i32'), term))], else: [] },
        ]),
      ]),
    ])]),
    store(Y.buf, add(mul(add(mul(ivar(n), idx(p.M)), ivar(m)), idx(p.outSize)), ivar(o)), finish(svar(acc, 'i32'), ivar(m))),
  ])])]);
  const s = defaultSchedule(mul(batch, idx(p.M * p.outSize * p.Cg * p.taps)));
  s.parallel = [n, m, o];
  return { body: [body], schedule: s };
}

const convInteger: OpLowering = {
  unsupported: (node, attrs) => {
    const p = convPlan(node, attrs, 0, 1);
    return typeof p === 'string' ? p : null;
  },
  lower: (ctx) => integerConv(ctx, { x: 0, w: 1, xZero: 2, wZero: 3, bias: null }, (acc) => acc),
};

const qlinearConv: OpLowering = {
  unsupported: (node, attrs) => {
    const p = convPlan(node, attrs, 0, 3);
    return typeof p === 'string' ? p : null;
  },
  lower(ctx) {
    const [XS, WS, YS, YZ] = [1, 4, 6, 7].map((i) => req(ctx, i));
    const dtype = ctx.output(0).type.dtype;
    return integerConv(ctx, { x: 0, w: 3, xZero: 2, wZero: 5, bias: 8 }, (acc, m) =>
      requantize(acc, load(XS.buf, idx(0), 'f32'), load(WS.buf, holdsOne(WS.type) ? idx(0) : m, 'f32'), load(YS.buf, idx(0), 'f32'), load(YZ.buf, idx(0), YZ.type.dtype), dtype));
  },
};

export const QUANTIZE: Record<string, OpLowering> = {
  quantize_linear: quantizeLinear,
  dequantize_linear: dequantizeLinear,
  dynamic_quantize_linear: dynamicQuantizeLinear,
  matmul_integer: matmulInteger,
  qlinear_matmul: qlinearMatmul,
  conv_integer: convInteger,
  qlinear_conv: qlinearConv,
};
