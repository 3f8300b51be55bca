// Element types of the IR and how each is stored in memory.
// f16 and bf16 are stored as their raw 16-bit patterns (Uint16Array) and converted
// exactly (round-to-nearest-even) when read or written as numbers.

export const DTYPES = ['f32', 'f16', 'bf16', 'f64', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

export interface DTypeInfo {
  bytes: number;
  float: boolean;
  signed: boolean;
  /** constructor of the storage array */
  array: { new (n: number): TypedArray; new (buf: ArrayBuffer, off: number, len: number): TypedArray };
  bigint: boolean;
}

export const DTYPE_INFO: Record<DType, DTypeInfo> = {
  f32: { bytes: 4, float: true, signed: true, array: Float32Array as any, bigint: false },
  f16: { bytes: 2, float: true, signed: true, array: Uint16Array as any, bigint: false },
  bf16: { bytes: 2, float: true, signed: true, array: Uint16Array as any, bigint: false },
  f64: { bytes: 8, float: true, signed: true, array: Float64Array as any, bigint: false },
  i8: { bytes: 1, float: false, signed: true, array: Int8Array as any, bigint: false },
  u8: { bytes: 1, float: false, signed: false, array: Uint8Array as any, bigint: false },
  i16: { bytes: 2, float: false, signed: true, array: Int16Array as any, bigint: false },
  u16: { bytes: 2, float: false, signed: false, array: Uint16Array as any, bigint: false },
  i32: { bytes: 4, float: false, signed: true, array: Int32Array as any, bigint: false },
  u32: { bytes: 4, float: false, signed: false, array: Uint32Array as any, bigint: false },
  i64: { bytes: 8, float: false, signed: true, array: BigInt64Array as any, bigint: true },
  u64: { bytes: 8, float: false, signed: false, array: BigUint64Array as any, bigint: true },
  bool: { bytes: 1, float: false, signed: false, array: Uint8Array as any, bigint: false },
};

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}
export const isFloat = (d: DType) => DTYPE_INFO[d].float;
export const isInteger = (d: DType) => !DTYPE_INFO[d].float && d !== 'bool';

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** f32 number -> IEEE binary16 bits, round to nearest even. */
export function f32ToF16Bits(v: number): number {
  f32buf[0] = v;
  const x = u32buf[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** f32 number -> bfloat16 bits, round to nearest even. */
export function f32ToBf16Bits(v: number): number {
  f32buf[0] = v;
  const x = u32buf[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff)) return ((x >>> 16) | 0x40) & 0xffff;
  const lsb = (x >>> 16) & 1;
  return ((x + 0x7fff + lsb) >>> 16) & 0xffff;
}

export function bf16BitsToF32(b: number): number {
  u32buf[0] = b << 16;
  return f32buf[0];
}

/** Round a number to the precision of a dtype (what storing then loading gives). */
export function roundTo(d: DType, v: number): number {
  switch (d) {
    case 'f32': return Math.fround(v);
    case 'f16': return f16BitsToF32(f32ToF16Bits(v));
    case 'bf16': return bf16BitsToF32(f32ToBf16Bits(v));
    default: return v;
  }
}
