// Helpers shared by the data-movement ops. These ops copy storage elements (Tensor.data) and never
// read them as numbers, so i64 values beyond 2^53 and f16/bf16 bit patterns pass through exactly.
import { Dim, DimEnv, dimToString, isStatic } from '../dim.js';
import { TensorType } from '../graph.js';
import { Cost, OpError } from '../registry.js';
import { DType, DTYPE_INFO, TypedArray, f16BitsToF32, f32ToF16Bits, bf16BitsToF32, f32ToBf16Bits, isInteger } from '../dtype.js';
import { Tensor, stridesOf } from '../tensor.js';
import { defaultCost } from './util.js';

/** Storage seen as plain slots: element copies move numbers or bigints unchanged. */
export type Slots = { [i: number]: number | bigint; length: number };

/** Pure data movement costs no arithmetic; bytes are the default (every input and output once). */
export function moveCost(ctx: { inputs: (TensorType | null)[]; outputs: TensorType[]; env: DimEnv }): Cost {
  return { flops: 0, bytes: defaultCost(ctx.inputs, ctx.outputs, ctx.env).bytes };
}

export function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map(dimToString).join(', ')}]`;
}

/** A dim that an op needs as a number at compile time. */
export function staticDim(op: string, d: Dim, what: string): number {
  if (!isStatic(d)) throw new OpError(`${op} needs a static ${what}, got ${dimToString(d)}`);
  return d;
}

export function requireIntegerDType(op: string, what: string, t: TensorType): void {
  if (!isInteger(t.dtype)) throw new OpError(`${op} needs integer ${what}, got ${t.dtype}`);
}

/** Copy n consecutive elements between storages of the same array type. */
export function copyRun(dst: TypedArray, dstOff: number, src: TypedArray, srcOff: number, n: number): void {
  if (n < 16) {
    const d: Slots = dst, s: Slots = src;
    for (let i = 0; i < n; i++) d[dstOff + i] = s[srcOff + i];
    return;
  }
  // both arrays have one constructor, so set() is a plain memory copy
  (dst as Uint8Array).set((src as Uint8Array).subarray(srcOff, srcOff + n), dstOff);
}

/**
 * Copy a strided view of `src` into a fresh contiguous tensor: output element at index (o_0..o_k)
 * reads src[base + sum o_i * strides[i]]. Transpose, slice, reverse and depth/space all reduce to it.
 * Dims that are contiguous in the source are merged first so the inner loop copies long runs.
 */
export function stridedCopy(src: Tensor, outShape: readonly number[], strides: readonly number[], base: number): Tensor {
  const out = Tensor.zeros(src.dtype, outShape);
  const n = out.size;
  if (n === 0) return out;
  const shape: number[] = [];
  const st: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    if (outShape[i] === 1) continue;
    const k = shape.length - 1;
    if (k >= 0 && st[k] === strides[i] * outShape[i]) { shape[k] *= outShape[i]; st[k] = strides[i]; }
    else { shape.push(outShape[i]); st.push(strides[i]); }
  }
  const rank = shape.length;
  const s: Slots = src.data, d: Slots = out.data;
  if (rank === 0) { d[0] = s[base]; return out; }
  const inner = shape[rank - 1], innerStride = st[rank - 1];
  const rows = n / inner;
  const counter = new Array<number>(rank).fill(0);
  let off = base;
  let o = 0;
  for (let r = 0; r < rows; r++) {
    if (innerStride === 1) { copyRun(out.data, o, src.data, off, inner); o += inner; }
    else for (let j = 0, p = off; j < inner; j++, p += innerStride) d[o++] = s[p];
    for (let k = rank - 2; k >= 0; k--) {
      counter[k]++;
      off += st[k];
      if (counter[k] < shape[k]) break;
      off -= st[k] * shape[k];
      counter[k] = 0;
    }
  }
  return out;
}

/**
 * Build a tensor whose element at (o_0..o_k) is src at (maps[0][o_0], ..., maps[k][o_k]); a map entry
 * of -1 means "outside", and such elements take `fill` (a storage value). Used by pad and nearest resize.
 */
export function gatherByAxisMaps(src: Tensor, maps: readonly Int32Array[], fill: number | bigint): Tensor {
  const outShape = maps.map((m) => m.length);
  const out = Tensor.zeros(src.dtype, outShape);
  const n = out.size;
  if (n === 0) return out;
  const rank = outShape.length;
  const s: Slots = src.data, d: Slots = out.data;
  if (rank === 0) { d[0] = s[0]; return out; }
  const strides = stridesOf(src.shape);
  const innerStride = strides[rank - 1];
  const innerLen = outShape[rank - 1];
  const innerMap = maps[rank - 1];
  const segments = mapSegments(innerMap);
  // short runs (nearest upsampling) are cheaper element by element
  const bySegment = segments.length * 4 <= innerLen;
  const counter = new Array<number>(rank).fill(0);
  let o = 0;
  let prevOff = -1;
  for (let r = 0, rows = n / innerLen; r < rows; r++) {
    let off = 0;
    let outside = false;
    for (let k = 0; k < rank - 1; k++) {
      const m = maps[k][counter[k]];
      if (m < 0) { outside = true; break; }
      off += m * strides[k];
    }
    if (outside) { for (let j = 0; j < innerLen; j++) d[o++] = fill; prevOff = -1; }
    else if (off === prevOff) { copyRun(out.data, o, out.data, o - innerLen, innerLen); o += innerLen; }
    else if (!bySegment)
      for (let j = 0; j < innerLen; j++) { const m = innerMap[j]; d[o++] = m < 0 ? fill : s[off + m * innerStride]; }
    else
      for (const [from, len] of segments) {
        if (from < 0) for (let j = 0; j < len; j++) d[o++] = fill;
        else if (innerStride === 1) { copyRun(out.data, o, src.data, off + from, len); o += len; }
        else for (let j = 0; j < len; j++) d[o++] = s[off + (from + j) * innerStride];
      }
    if (!outside) prevOff = off;
    for (let k = rank - 2; k >= 0; k--) {
      if (++counter[k] < outShape[k]) break;
      counter[k] = 0;
    }
  }
  return out;
}

/** An index map as runs [first source index or -1, length] of consecutive sources or of fills. */
function mapSegments(map: Int32Array): [number, number][] {
  const segs: [number, number][] = [];
  for (let j = 0; j < map.length; ) {
    let len = 1;
    if (map[j] < 0) while (j + len < map.length && map[j + len] < 0) len++;
    else while (j + len < map.length && map[j + len] === map[j] + len) len++;
    segs.push([map[j], len]);
    j += len;
  }
  return segs;
}

/** The storage value that a number becomes in a dtype (with cast rules). */
export function storageValue(dtype: DType, v: number): number | bigint {
  const t = Tensor.fromNumbers(dtype, [1], [v]);
  return (t.data as Slots)[0];
}

/** Integer indices of an index tensor as numbers. */
export function indexValues(t: Tensor): Float64Array | Int32Array {
  if (t.dtype === 'i32') return t.data as Int32Array;
  const out = new Float64Array(t.size);
  const s: Slots = t.data;
  for (let i = 0; i < out.length; i++) out[i] = Number(s[i]);
  return out;
}

/** Wrap a possibly negative index into [0, n) or throw. */
export function wrapIndex(op: string, i: number, n: number): number {
  const j = i < 0 ? i + n : i;
  if (!(j >= 0 && j < n)) throw new OpError(`${op} index ${i} is out of range for a dim of size ${n}`);
  return j;
}

export type Reduction = 'none' | 'add' | 'mul' | 'max' | 'min';

/**
 * How scatter combines an existing storage value with an update, in the dtype's own arithmetic:
 * bigint for i64/u64, f16/bf16 decoded to numbers and re-rounded.
 */
export function combiner(dtype: DType, reduction: Reduction): (a: number | bigint, b: number | bigint) => number | bigint {
  if (reduction === 'none') return (_a, b) => b;
  if (DTYPE_INFO[dtype].bigint) {
    const wrap = dtype === 'i64' ? (v: bigint) => BigInt.asIntN(64, v) : (v: bigint) => BigInt.asUintN(64, v);
    switch (reduction) {
      case 'add': return (a, b) => wrap((a as bigint) + (b as bigint));
      case 'mul': return (a, b) => wrap((a as bigint) * (b as bigint));
      case 'max': return (a, b) => ((a as bigint) > (b as bigint) ? a : b);
      case 'min': return (a, b) => ((a as bigint) < (b as bigint) ? a : b);
    }
  }
  const f = ({
    add: (a: number, b: number) => a + b,
    mul: (a: number, b: number) => a * b,
    max: (a: number, b: number) => Math.max(a, b),
    min: (a: number, b: number) => Math.min(a, b),
  } as const)[reduction];
  if (dtype === 'f16') return (a, b) => f32ToF16Bits(f(f16BitsToF32(a as number), f16BitsToF32(b as number)));
  if (dtype === 'bf16') return (a, b) => f32ToBf16Bits(f(bf16BitsToF32(a as number), bf16BitsToF32(b as number)));
  if (dtype === 'bool') return (a, b) => (f(a as number, b as number) !== 0 ? 1 : 0);
  // typed-array stores apply the dtype's own wrapping and rounding
  return (a, b) => f(a as number, b as number);
}
