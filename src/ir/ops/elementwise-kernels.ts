// Elementwise kernel machinery shared by the elementwise ops: dtype sets, operand broadcasting with
// fast paths (same shape, single value), number and BigInt loops, and exact storing of results.
import { DType, DTYPE_INFO, TypedArray, f32ToF16Bits, f32ToBf16Bits } from '../dtype.js';
import { Tensor, sizeOf, readNumbers, writeNumbers } from '../tensor.js';
import { TensorType, typeToString, Attrs } from '../graph.js';
import { DimEnv } from '../dim.js';
import { OpError, Cost } from '../registry.js';
import { broadcastIndex, defaultCost } from './util.js';

export const FLOATS: readonly DType[] = ['f32', 'f16', 'bf16', 'f64'];
export const SIGNED_INTS: readonly DType[] = ['i8', 'i16', 'i32', 'i64'];
export const INTS: readonly DType[] = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64'];
export const UINTS: readonly DType[] = ['u8', 'u16', 'u32', 'u64'];
export const NUMERIC: readonly DType[] = [...FLOATS, ...INTS];
export const ALL: readonly DType[] = [...NUMERIC, 'bool'];

export const isBig = (d: DType) => DTYPE_INFO[d].bigint;

/** Throws OpError unless `t` has one of the allowed dtypes. */
export function checkDType(op: string, t: TensorType, allowed: readonly DType[], what = 'input'): void {
  if (!allowed.includes(t.dtype))
    throw new OpError(`${op} does not accept ${what} of type ${typeToString(t)}; it takes ${describeDTypes(allowed)}`);
}

function describeDTypes(ds: readonly DType[]): string {
  if (ds.length === ALL.length) return 'any dtype';
  if (ds.length === NUMERIC.length && ds.every((d) => NUMERIC.includes(d))) return 'numeric dtypes';
  if (ds.length === FLOATS.length && ds.every((d) => FLOATS.includes(d))) return 'float dtypes (f32, f16, bf16, f64)';
  return ds.join(', ');
}

/** Throws OpError naming both types when two operands that ONNX types alike differ in dtype. */
export function checkSameDType(op: string, ts: readonly TensorType[]): void {
  for (const t of ts)
    if (t.dtype !== ts[0].dtype)
      throw new OpError(`${op} needs operands of one dtype, got ${ts.map(typeToString).join(' and ')}`);
}

/** Cost with flops = output elements × a per-element constant, bytes as the default. */
export function perElementCost(k: number) {
  return (ctx: { inputs: (TensorType | null)[]; outputs: TensorType[]; attrs: Attrs; env: DimEnv }): Cost => {
    const c = defaultCost(ctx.inputs, ctx.outputs, ctx.env);
    return { flops: c.flops * k, bytes: c.bytes };
  };
}

/** Values of one operand as seen from every output position. */
export interface Operand<T> {
  values: ArrayLike<T>;
  /** one value serves every position */
  single: boolean;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Broadcast `values` (of shape inShape) to outShape: no copy when shapes agree or there is one value. */
export function operand<T>(values: ArrayLike<T>, inShape: readonly number[], outShape: readonly number[]): Operand<T> {
  if (values.length === 1) return { values, single: true };
  if (sameShape(inShape, outShape)) return { values, single: false };
  const idx = broadcastIndex(inShape, outShape);
  const Ctor = (values as unknown as TypedArray).constructor as new (n: number) => { [i: number]: T; length: number };
  const full = new Ctor(idx.length);
  for (let i = 0; i < idx.length; i++) full[i] = values[idx[i]];
  return { values: full, single: false };
}

type Sink<R> = { [i: number]: R };

export function loop1<T, R>(out: Sink<R>, x: Operand<T>, n: number, f: (x: T) => R): void {
  const xv = x.values;
  if (x.single) { const v = f(xv[0]); for (let i = 0; i < n; i++) out[i] = v; return; }
  for (let i = 0; i < n; i++) out[i] = f(xv[i]);
}

export function loop2<T, U, R>(out: Sink<R>, x: Operand<T>, y: Operand<U>, n: number, f: (x: T, y: U) => R): void {
  const xv = x.values, yv = y.values;
  if (x.single && y.single) { const v = f(xv[0], yv[0]); for (let i = 0; i < n; i++) out[i] = v; }
  else if (y.single) { const s = yv[0]; for (let i = 0; i < n; i++) out[i] = f(xv[i], s); }
  else if (x.single) { const s = xv[0]; for (let i = 0; i < n; i++) out[i] = f(s, yv[i]); }
  else for (let i = 0; i < n; i++) out[i] = f(xv[i], yv[i]);
}

/** Storage written directly with JS typed-array conversion, which is exactly the cast rule for these dtypes. */
const DIRECT: ReadonlySet<DType> = new Set(['f32', 'f64', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'bool']);

/**
 * A place to write number results for an output of `dtype`: its storage where a plain store
 * converts correctly, else a double buffer converted once by `done` (f16/bf16 round once,
 * i64/u64 truncate). Bool outputs must be written as 0/1.
 */
export function numberOutput(dtype: DType, shape: readonly number[]): { buf: Sink<number>; done(): Tensor } {
  const t = Tensor.zeros(dtype, shape);
  if (DIRECT.has(dtype)) return { buf: t.data as Sink<number>, done: () => t };
  const buf = new Float64Array(t.size);
  return { buf, done: () => { storeNumbers(t, buf); return t; } };
}

/** Store double-precision values into a tensor with one rounding (f16/bf16 included). */
export function storeNumbers(t: Tensor, values: ArrayLike<number>): void {
  const n = t.size;
  // values already exact in f32 convert in one step; others are first rounded straight to the format
  if (t.dtype === 'f16') {
    const d = t.data as Uint16Array;
    for (let i = 0; i < n; i++) { const v = values[i]; d[i] = f32ToF16Bits(Math.fround(v) === v ? v : roundToFormat(v, F16)); }
  } else if (t.dtype === 'bf16') {
    const d = t.data as Uint16Array;
    for (let i = 0; i < n; i++) { const v = values[i]; d[i] = f32ToBf16Bits(Math.fround(v) === v ? v : roundToFormat(v, BF16)); }
  }
  else if (t.dtype === 'bool') { const d = t.data as Uint8Array; for (let i = 0; i < n; i++) d[i] = values[i] !== 0 ? 1 : 0; }
  else if (isBig(t.dtype)) writeNumbers(t, values);
  else { const d = t.data as Sink<number>; for (let i = 0; i < n; i++) d[i] = values[i]; }
}

/** Number values of a tensor (storage where possible). */
export const nums = (t: Tensor): ArrayLike<number> => readNumbers(t);
export const bigs = (t: Tensor): ArrayLike<bigint> => t.data as BigInt64Array;

export function mapUnary(x: Tensor, outDtype: DType, f: (x: number) => number): Tensor {
  const out = numberOutput(outDtype, x.shape);
  loop1(out.buf, operand(nums(x), x.shape, x.shape), x.size, f);
  return out.done();
}

/** BigInt kernel over i64/u64; results are BigInts for a 64-bit output, 0/1 for a bool one. */
export function mapUnaryBig(x: Tensor, outDtype: DType, f: (x: bigint) => bigint | number): Tensor {
  const t = Tensor.zeros(outDtype, x.shape);
  loop1(t.data as Sink<bigint | number>, operand(bigs(x), x.shape, x.shape), x.size, f);
  return t;
}

export function mapBinary(a: Tensor, b: Tensor, shape: readonly number[], outDtype: DType, f: (x: number, y: number) => number): Tensor {
  const out = numberOutput(outDtype, shape);
  loop2(out.buf, operand(nums(a), a.shape, shape), operand(nums(b), b.shape, shape), sizeOf(shape), f);
  return out.done();
}

export function mapBinaryBig(a: Tensor, b: Tensor, shape: readonly number[], outDtype: DType, f: (x: bigint, y: bigint) => bigint | number): Tensor {
  const t = Tensor.zeros(outDtype, shape);
  loop2(t.data as Sink<bigint | number>, operand(bigs(a), a.shape, shape), operand(bigs(b), b.shape, shape), sizeOf(shape), f);
  return t;
}

interface FloatFormat { mant: number; minExp: number; max: number }
const F16: FloatFormat = { mant: 10, minExp: -14, max: 65504 };
const BF16: FloatFormat = { mant: 7, minExp: -126, max: (2 - 2 ** -7) * 2 ** 127 };

/** Round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Round a double straight to a narrow float format (no intermediate f32 rounding). */
function roundToFormat(v: number, f: FloatFormat): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const a = Math.abs(v);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const q = 2 ** (Math.max(e, f.minExp) - f.mant);
  const r = roundHalfEven(v / q) * q;
  return Math.abs(r) > f.max ? (r < 0 ? -Infinity : Infinity) : r;
}

/** A 64-bit integer as the nearest double (ties to even), or nearest value of `bits` significant bits. */
export function bigToNumber(v: bigint, bits = 53): number {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const len = a.toString(2).length;
  if (len <= bits) return Number(v);
  const shift = BigInt(len - bits);
  let m = a >> shift;
  const rem = a - (m << shift);
  const half = 1n << (shift - 1n);
  if (rem > half || (rem === half && (m & 1n) === 1n)) m++;
  const r = Number(m) * 2 ** Number(shift);
  return neg ? -r : r;
}
