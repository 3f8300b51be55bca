// Linear quantization (ONNX semantics): quantize_linear, dequantize_linear, dynamic_quantize_linear,
// and the integer and quantized forms of matmul and conv. The integer ops subtract zero points, run
// the matmul / conv reference kernels on the (exact) differences as doubles, and requantize.
import { dimEq } from '../dim.js';
import { DType, roundTo } from '../dtype.js';
import { TensorType, tensorType, typeToString } from '../graph.js';
import { Cost, EvalCtx, InferCtx, OpDef, OpError, defineOp, getOp } from '../registry.js';
import { Tensor, readNumbers, sizeOf } from '../tensor.js';
import { broadcastIndex, expectInputs, normAxis } from './util.js';
import { FLOATS, checkDType, perElementCost, roundHalfEven } from './elementwise-kernels.js';
import { dimsCompatible } from './reduce.js';
import './linalg-matmul.js';
import './linalg-conv.js';

/** Storage range of each quantized dtype; results saturate to it. */
const QUANT_RANGE: Partial<Record<DType, [number, number]>> = {
  u8: [0, 255], i8: [-128, 127], u16: [0, 65535], i16: [-32768, 32767],
};
const QUANT_DTYPES = Object.keys(QUANT_RANGE) as DType[];
/** 8-bit operands of the integer matmul and conv */
const INT8_DTYPES: readonly DType[] = ['u8', 'i8'];

/** round(v) half to even, plus the zero point, saturated to the dtype's range */
function quantizeValue(v: number, zeroPoint: number, [lo, hi]: [number, number]): number {
  const q = roundHalfEven(v) + zeroPoint;
  return Number.isNaN(q) ? zeroPoint : Math.min(hi, Math.max(lo, q));
}

const holdsOneValue = (t: TensorType) => t.shape.every((d) => dimEq(d, 1));

/**
 * Checks a scale or zero point: one value (per-tensor) or 1-D with one value per slice of x along
 * `axis` (per-axis).
 */
function checkQuantParam(op: string, what: string, p: TensorType, x: TensorType, axisAttr: number): void {
  if (holdsOneValue(p)) return;
  if (p.shape.length !== 1) throw new OpError(`${op}: ${what} ${typeToString(p)} must be a scalar or 1-D (per-axis)`);
  const axis = normAxis(axisAttr, x.shape.length);
  if (!dimsCompatible(x.shape[axis], p.shape[0]))
    throw new OpError(`${op}: ${what} ${typeToString(p)} must hold one value per slice of axis ${axis} of ${typeToString(x)}`);
}

/** For each element of a tensor of `shape`, the index of its per-axis parameter (0 when per-tensor). */
function paramIndex(shape: readonly number[], axis: number): (i: number) => number {
  if (axis < 0) return () => 0;
  const inner = sizeOf(shape.slice(axis + 1));
  const n = shape[axis];
  return (i) => Math.floor(i / inner) % n;
}

function checkQuantParams(op: string, x: TensorType, scale: TensorType, zeroPoint: TensorType | null, axis: number): void {
  checkQuantParam(op, 'scale', scale, x, axis);
  if (zeroPoint) checkQuantParam(op, 'zero point', zeroPoint, x, axis);
}

defineOp({
  name: 'quantize_linear',
  summary: 'y = saturate(round_half_even(x / y_scale) + y_zero_point); per-tensor or per-axis; u8 unless the zero point says otherwise',
  inputs: ['x', 'y_scale', 'y_zero_point'],
  optional: ['y_zero_point'],
  outputs: 1,
  attrs: { axis: { kind: 'int', default: 1, doc: 'the axis a 1-D scale runs along' } },
  infer({ inputs, attrs }) {
    const [x, scale] = expectInputs('quantize_linear', inputs, 2);
    const zp = inputs[2] ?? null;
    checkDType('quantize_linear', x, [...FLOATS, 'i32']);
    checkDType('quantize_linear', scale, FLOATS, 'y_scale');
    if (zp) checkDType('quantize_linear', zp, QUANT_DTYPES, 'y_zero_point');
    checkQuantParams('quantize_linear', x, scale, zp, attrs.axis as number);
    return [tensorType(zp?.dtype ?? 'u8', x.shape)];
  },
  eval({ inputs, attrs, outTypes }) {
    const [x, scale, zp] = inputs as [Tensor, Tensor, Tensor | null];
    const dtype = outTypes[0].dtype;
    const xs = readNumbers(x), ss = readNumbers(scale), zs = zp ? readNumbers(zp) : [0];
    const sAt = paramIndex(x.shape, scale.size === 1 ? -1 : normAxis(attrs.axis as number, x.rank));
    const zAt = paramIndex(x.shape, zs.length === 1 ? -1 : normAxis(attrs.axis as number, x.rank));
    const out = new Float64Array(x.size);
    // the division happens in the scale's precision, as in the ONNX reference
    for (let i = 0; i < out.length; i++) out[i] = quantizeValue(roundTo(scale.dtype, xs[i] / ss[sAt(i)]), zs[zAt(i)], QUANT_RANGE[dtype]!);
    return [Tensor.fromNumbers(dtype, x.shape, out)];
  },
  cost: perElementCost(3),
});

defineOp({
  name: 'dequantize_linear',
  summary: 'y = (x - x_zero_point) * x_scale in the scale\'s dtype; per-tensor or per-axis',
  inputs: ['x', 'x_scale', 'x_zero_point'],
  optional: ['x_zero_point'],
  outputs: 1,
  attrs: { axis: { kind: 'int', default: 1, doc: 'the axis a 1-D scale runs along' } },
  infer({ inputs, attrs }) {
    const [x, scale] = expectInputs('dequantize_linear', inputs, 2);
    const zp = inputs[2] ?? null;
    checkDType('dequantize_linear', x, [...QUANT_DTYPES, 'i32']);
    checkDType('dequantize_linear', scale, FLOATS, 'x_scale');
    if (zp && zp.dtype !== x.dtype) throw new OpError(`dequantize_linear: zero point ${typeToString(zp)} must have the dtype of x ${typeToString(x)}`);
    checkQuantParams('dequantize_linear', x, scale, zp, attrs.axis as number);
    return [tensorType(scale.dtype, x.shape)];
  },
  eval({ inputs, attrs, outTypes }) {
    const [x, scale, zp] = inputs as [Tensor, Tensor, Tensor | null];
    const xs = readNumbers(x), ss = readNumbers(scale), zs = zp ? readNumbers(zp) : [0];
    const sAt = paramIndex(x.shape, scale.size === 1 ? -1 : normAxis(attrs.axis as number, x.rank));
    const zAt = paramIndex(x.shape, zs.length === 1 ? -1 : normAxis(attrs.axis as number, x.rank));
    const out = new Float64Array(x.size);
    for (let i = 0; i < out.length; i++) out[i] = (xs[i] - zs[zAt(i)]) * ss[sAt(i)];
    return [Tensor.fromNumbers(outTypes[0].dtype, x.shape, out)];
  },
  cost: perElementCost(2),
});

defineOp({
  name: 'dynamic_quantize_linear',
  summary: 'u8 quantization of x with scale and zero point chosen so that [min(x, 0), max(x, 0)] spans 0..255; outputs y, y_scale, y_zero_point',
  inputs: ['x'],
  outputs: 3,
  attrs: {},
  infer({ inputs }) {
    const [x] = expectInputs('dynamic_quantize_linear', inputs, 1);
    checkDType('dynamic_quantize_linear', x, ['f32']);
    return [tensorType('u8', x.shape), tensorType('f32', []), tensorType('u8', [])];
  },
  eval({ inputs }) {
    const x = inputs[0]!;
    const xs = readNumbers(x);
    let min = 0, max = 0;
    for (let i = 0; i < xs.length; i++) { if (xs[i] < min) min = xs[i]; if (xs[i] > max) max = xs[i]; }
    // f32 arithmetic throughout, as the ONNX definition computes it
    const scale = Math.fround((max - min) / 255);
    const zeroPoint = scale === 0 ? 0 : Math.min(255, Math.max(0, roundHalfEven(Math.fround(-min / scale))));
    const y = new Float64Array(xs.length);
    for (let i = 0; i < y.length; i++) y[i] = scale === 0 ? zeroPoint : quantizeValue(Math.fround(xs[i] / scale), zeroPoint, [0, 255]);
    return [Tensor.fromNumbers('u8', x.shape, y), Tensor.scalar('f32', scale), Tensor.scalar('u8', zeroPoint)];
  },
  cost: perElementCost(4),
});

const asF64 = (t: TensorType): TensorType => tensorType('f64', t.shape);

/** Evaluate a float op on f64 operands (exact for the integer values the integer ops feed it). */
function evalAsF64(def: OpDef, inputs: (Tensor | null)[], attrs: EvalCtx['attrs'], env: EvalCtx['env']): Tensor {
  return def.eval({ inputs, attrs, nOutputs: 1, outTypes: [tensorType('f64', [])], env })[0];
}

/**
 * The shape a matmul quantization parameter broadcasts with: one value is per-tensor; a 1-D one
 * holds one value per row of the left operand ([M] → [M, 1]) or per column of the right one.
 */
function paramShape(p: Tensor | null, perRow: boolean): readonly number[] {
  if (!p || p.size === 1) return [];
  return perRow && p.rank === 1 ? [p.size, 1] : p.shape;
}

/** `x - zeroPoint` as f64, the zero point broadcast from `zShape` (per-tensor when absent). */
function centered(x: Tensor, zeroPoint: Tensor | null, zShape: readonly number[] = []): Tensor {
  const xs = readNumbers(x);
  const zs = zeroPoint ? readNumbers(zeroPoint) : [0];
  const idx = broadcastIndex(zShape, x.shape);
  const out = new Float64Array(x.size);
  for (let i = 0; i < out.length; i++) out[i] = xs[i] - zs[idx[i]];
  return new Tensor('f64', x.shape, out);
}

/** The shape a per-output-channel conv parameter ([M]) broadcasts with over a rank-`rank` weight or output. */
function channelShape(p: Tensor | null, rank: number, channelAxis: number): number[] {
  if (!p || p.size === 1) return [];
  return [p.size, ...new Array<number>(rank - 1 - channelAxis).fill(1)];
}

function checkZeroPoint(op: string, zp: TensorType | null, operand: TensorType, what: string): void {
  if (zp && zp.dtype !== operand.dtype) throw new OpError(`${op}: ${what} ${typeToString(zp)} must have the dtype of its operand ${typeToString(operand)}`);
}

const matmulDef = (): OpDef => getOp('matmul')!;
const convDef = (): OpDef => getOp('conv')!;

function inferAs(def: OpDef, ctx: InferCtx, operands: TensorType[], dtype: DType): TensorType[] {
  const [t] = def.infer({ inputs: operands.map(asF64), attrs: ctx.attrs, nOutputs: 1 });
  return [tensorType(dtype, t.shape)];
}

function costAs(def: OpDef, ctx: { inputs: (TensorType | null)[]; outputs: TensorType[]; attrs: EvalCtx['attrs']; env: EvalCtx['env'] }, operands: (TensorType | null)[]): Cost {
  return def.cost!({ ...ctx, inputs: operands });
}

defineOp({
  name: 'matmul_integer',
  summary: 'i32 matmul of (A - a_zero_point) and (B - b_zero_point) for u8/i8 operands; zero points per tensor, per row of A or per column of B',
  inputs: ['A', 'B', 'a_zero_point', 'b_zero_point'],
  optional: ['a_zero_point', 'b_zero_point'],
  outputs: 1,
  attrs: {},
  infer(ctx) {
    const [a, b] = expectInputs('matmul_integer', ctx.inputs, 2);
    checkDType('matmul_integer', a, INT8_DTYPES, 'A');
    checkDType('matmul_integer', b, INT8_DTYPES, 'B');
    checkZeroPoint('matmul_integer', ctx.inputs[2] ?? null, a, 'a_zero_point');
    checkZeroPoint('matmul_integer', ctx.inputs[3] ?? null, b, 'b_zero_point');
    return inferAs(matmulDef(), ctx, [a, b], 'i32');
  },
  eval({ inputs, env }) {
    const [a, b, az, bz] = inputs as [Tensor, Tensor, Tensor | null, Tensor | null];
    const y = evalAsF64(matmulDef(), [centered(a, az, paramShape(az, true)), centered(b, bz, paramShape(bz, false))], {}, env);
    return [Tensor.fromNumbers('i32', y.shape, y.data as Float64Array)];
  },
  cost: (ctx) => costAs(matmulDef(), ctx, ctx.inputs.slice(0, 2)),
});

defineOp({
  name: 'conv_integer',
  summary: 'i32 convolution of (x - x_zero_point) and (w - w_zero_point) for u8/i8 operands; w_zero_point per tensor or per output channel',
  inputs: ['x', 'w', 'x_zero_point', 'w_zero_point'],
  optional: ['x_zero_point', 'w_zero_point'],
  outputs: 1,
  attrs: convDef().attrs,
  infer(ctx) {
    const [x, w] = expectInputs('conv_integer', ctx.inputs, 2);
    checkDType('conv_integer', x, INT8_DTYPES, 'x');
    checkDType('conv_integer', w, INT8_DTYPES, 'w');
    checkZeroPoint('conv_integer', ctx.inputs[2] ?? null, x, 'x_zero_point');
    checkZeroPoint('conv_integer', ctx.inputs[3] ?? null, w, 'w_zero_point');
    return inferAs(convDef(), ctx, [x, w], 'i32');
  },
  eval({ inputs, attrs, env }) {
    const [x, w, xz, wz] = inputs as [Tensor, Tensor, Tensor | null, Tensor | null];
    const y = evalAsF64(convDef(), [centered(x, xz), centered(w, wz, channelShape(wz, w.rank, 0))], attrs, env);
    return [Tensor.fromNumbers('i32', y.shape, y.data as Float64Array)];
  },
  cost: (ctx) => costAs(convDef(), ctx, [ctx.inputs[0], ctx.inputs[1], null]),
});

/**
 * Requantize integer accumulators: y = saturate(round_half_even(acc * a_scale * b_scale / y_scale) +
 * y_zero_point), the multiplier formed in f32 as ONNX Runtime does. The two operands' scales
 * broadcast from `aShape` and `bShape` to the accumulator's shape.
 */
function requantize(
  acc: Tensor, aScale: Tensor, aShape: readonly number[], bScale: Tensor, bShape: readonly number[],
  yScale: Tensor, yZeroPoint: Tensor, dtype: DType,
): Tensor {
  const ia = broadcastIndex(aShape, acc.shape), ib = broadcastIndex(bShape, acc.shape);
  const as = readNumbers(aScale), bs = readNumbers(bScale);
  const ys = readNumbers(yScale)[0], yz = readNumbers(yZeroPoint)[0];
  const av = acc.data as Float64Array;
  const out = new Float64Array(av.length);
  for (let i = 0; i < out.length; i++) {
    const multiplier = Math.fround(Math.fround(as[ia[i]] * bs[ib[i]]) / ys);
    out[i] = quantizeValue(Math.fround(av[i] * multiplier), yz, QUANT_RANGE[dtype]!);
  }
  return Tensor.fromNumbers(dtype, acc.shape, out);
}

function checkQLinear(op: string, inputs: (TensorType | null)[]): TensorType[] {
  const ts = expectInputs(op, inputs, 8);
  const [a, aScale, aZero, b, bScale, bZero, yScale, yZero] = ts;
  checkDType(op, a, INT8_DTYPES, 'input 0');
  checkDType(op, b, INT8_DTYPES, 'input 3');
  checkDType(op, yZero, INT8_DTYPES, 'y_zero_point');
  for (const s of [aScale, bScale, yScale]) checkDType(op, s, ['f32'], 'scale');
  checkZeroPoint(op, aZero, a, 'zero point of input 0');
  checkZeroPoint(op, bZero, b, 'zero point of input 3');
  if (!holdsOneValue(yScale) || !holdsOneValue(yZero))
    throw new OpError(`${op}: y_scale ${typeToString(yScale)} and y_zero_point ${typeToString(yZero)} must hold one value`);
  return ts;
}

defineOp({
  name: 'qlinear_matmul',
  summary: 'quantized matmul: integer product of the zero-point-shifted operands, requantized with a_scale * b_scale / y_scale and y_zero_point',
  inputs: ['a', 'a_scale', 'a_zero_point', 'b', 'b_scale', 'b_zero_point', 'y_scale', 'y_zero_point'],
  outputs: 1,
  attrs: {},
  infer(ctx) {
    const [a, , , b, , , , yZero] = checkQLinear('qlinear_matmul', ctx.inputs);
    return inferAs(matmulDef(), ctx, [a, b], yZero.dtype);
  },
  eval({ inputs, env, outTypes }) {
    const [a, aScale, aZero, b, bScale, bZero, yScale, yZero] = inputs as Tensor[];
    const acc = evalAsF64(matmulDef(), [centered(a, aZero, paramShape(aZero, true)), centered(b, bZero, paramShape(bZero, false))], {}, env);
    return [requantize(acc, aScale, paramShape(aScale, true), bScale, paramShape(bScale, false), yScale, yZero, outTypes[0].dtype)];
  },
  cost: (ctx) => costAs(matmulDef(), ctx, [ctx.inputs[0], ctx.inputs[3]]),
});

defineOp({
  name: 'qlinear_conv',
  summary: 'quantized conv: integer conv of the zero-point-shifted operands plus the i32 bias, requantized with x_scale * w_scale / y_scale and y_zero_point; w_scale and w_zero_point per tensor or per output channel',
  inputs: ['x', 'x_scale', 'x_zero_point', 'w', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point', 'B'],
  optional: ['B'],
  outputs: 1,
  attrs: convDef().attrs,
  infer(ctx) {
    const [x, , , w, , , , yZero] = checkQLinear('qlinear_conv', ctx.inputs);
    const bias = ctx.inputs[8] ?? null;
    if (bias) checkDType('qlinear_conv', bias, ['i32'], 'B');
    return inferAs(convDef(), ctx, bias ? [x, w, bias] : [x, w], yZero.dtype);
  },
  eval({ inputs, attrs, env, outTypes }) {
    const [x, xScale, xZero, w, wScale, wZero, yScale, yZero, bias] = inputs as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor | null];
    const b64 = bias ? new Tensor('f64', bias.shape, Float64Array.from(readNumbers(bias))) : null;
    const acc = evalAsF64(convDef(), [centered(x, xZero), centered(w, wZero, channelShape(wZero, w.rank, 0)), b64], attrs, env);
    return [requantize(acc, xScale, [], wScale, channelShape(wScale, acc.rank, 1), yScale, yZero, outTypes[0].dtype)];
  },
  cost: (ctx) => costAs(convDef(), ctx, [ctx.inputs[0], ctx.inputs[3], ctx.inputs[8] ?? null]),
});
