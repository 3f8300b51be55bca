// Concrete tensors: a dtype, a static shape and a storage array (see dtype.ts for layouts).
import { DType, DTYPE_INFO, TypedArray, f16BitsToF32, f32ToF16Bits, bf16BitsToF32, f32ToBf16Bits } from './dtype.js';

export class Tensor {
  constructor(readonly dtype: DType, readonly shape: readonly number[], readonly data: TypedArray) {
    const n = sizeOf(shape);
    if (data.length !== n) throw new Error(`tensor data has ${data.length} elements, shape [${shape.join(', ')}] needs ${n}`);
  }
  get size(): number { return this.data.length; }
  get rank(): number { return this.shape.length; }

  static zeros(dtype: DType, shape: readonly number[]): Tensor {
    return new Tensor(dtype, shape, new DTYPE_INFO[dtype].array(sizeOf(shape)));
  }
  /** Build from numbers, converting with the cast rules of `dtype` (see writeNumbers). */
  static fromNumbers(dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor {
    const t = Tensor.zeros(dtype, shape);
    writeNumbers(t, values);
    return t;
  }
  static scalar(dtype: DType, v: number): Tensor {
    return Tensor.fromNumbers(dtype, [], [v]);
  }
  /** Values as JS numbers (i64/u64 beyond 2^53 lose precision; use `data` for exact access). */
  numbers(): ArrayLike<number> { return readNumbers(this); }
  /** Same data, other shape (no copy). */
  reshape(shape: readonly number[]): Tensor { return new Tensor(this.dtype, shape, this.data); }
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

/** A number view of the tensor: the storage itself where it already holds numbers, else a converted copy. */
export function readNumbers(t: Tensor): ArrayLike<number> {
  switch (t.dtype) {
    case 'f16': { const src = t.data as Uint16Array; const out = new Float32Array(src.length); for (let i = 0; i < src.length; i++) out[i] = f16BitsToF32(src[i]); return out; }
    case 'bf16': { const src = t.data as Uint16Array; const out = new Float32Array(src.length); for (let i = 0; i < src.length; i++) out[i] = bf16BitsToF32(src[i]); return out; }
    case 'i64': case 'u64': { const src = t.data as BigInt64Array; const out = new Float64Array(src.length); for (let i = 0; i < src.length; i++) out[i] = Number(src[i]); return out; }
    default: return t.data as ArrayLike<number>;
  }
}

/**
 * Store numbers into a tensor with cast semantics: floats round to the dtype, integers truncate
 * toward zero and wrap (NaN -> 0), bool is `v != 0`.
 */
export function writeNumbers(t: Tensor, values: ArrayLike<number>): void {
  const n = t.data.length;
  if (values.length !== n) throw new Error(`expected ${n} values, got ${values.length}`);
  switch (t.dtype) {
    case 'f16': { const d = t.data as Uint16Array; for (let i = 0; i < n; i++) d[i] = f32ToF16Bits(values[i]); return; }
    case 'bf16': { const d = t.data as Uint16Array; for (let i = 0; i < n; i++) d[i] = f32ToBf16Bits(values[i]); return; }
    case 'bool': { const d = t.data as Uint8Array; for (let i = 0; i < n; i++) d[i] = values[i] !== 0 && !Number.isNaN(values[i]) ? 1 : 0; return; }
    case 'i64': { const d = t.data as BigInt64Array; for (let i = 0; i < n; i++) d[i] = toBigInt(values[i]); return; }
    case 'u64': { const d = t.data as BigUint64Array; for (let i = 0; i < n; i++) d[i] = BigInt.asUintN(64, toBigInt(values[i])); return; }
    case 'f32': case 'f64': { const d = t.data as Float32Array; for (let i = 0; i < n; i++) d[i] = values[i]; return; }
    default: { const d = t.data as Int32Array; for (let i = 0; i < n; i++) { const v = values[i]; d[i] = Number.isFinite(v) ? Math.trunc(v) % 4294967296 : 0; } return; }
  }
}

function toBigInt(v: number): bigint {
  if (!Number.isFinite(v)) return 0n;
  const t = Math.trunc(v);
  if (t >= 9.223372036854776e18) return 9223372036854775807n;
  if (t < -9.223372036854776e18) return -9223372036854775808n;
  return BigInt(t);
}

/** Integer values of an i32/i64/... tensor as JS numbers (for indices, shapes). */
export function readInts(t: Tensor): number[] {
  return Array.from(readNumbers(t), (v) => Math.trunc(v));
}

export function tensorFromInts(dtype: 'i64' | 'i32', values: readonly number[], shape: readonly number[] = [values.length]): Tensor {
  return Tensor.fromNumbers(dtype, shape, values);
}
