// The contract between generated WGSL and the WebGPU executor: plain data (JSON-serializable) that
// says which shaders to dispatch in which order, over how many invocations, and where every tensor
// lives in the two storage buffers. Sizes and offsets depending on symbolic dims (the batch N) are
// index expressions over the symbols, evaluated per run.
//
// Memory: `params` (read-only) holds the weights and the graph's constants at static word offsets;
// `data` (read-write) holds a status word, then inputs, outputs and the workspace arena. Every element
// is one 32-bit word (f32, i32, u32; bool as u32 0/1), so shaders address both buffers as array<u32>;
// at precision f16, f32 tensors are f16 pairs in their words, addressed through array<f16> views.

/** An index expression: the kernel IR's index subset (constants, symbol variables, + - * / % min max). */
export type IndexExpr =
  | { k: 'const'; value: number | bigint }
  | { k: 'var'; name: string }
  | { k: 'binary'; op: 'add' | 'sub' | 'mul' | 'div' | 'rem' | 'min' | 'max'; a: IndexExpr; b: IndexExpr };

/** Element types the buffers store. */
export type WgslDType = 'f32' | 'i32' | 'u32' | 'bool';

/**
 * Element types of tensors on the host: the stored ones; i64, which travels as i32 words (the executor
 * checks that each input value fits); and the 8- and 16-bit types, one word per element (integers
 * sign- or zero-extended, f16/bf16 as the f32 of their value).
 */
export type WgslHostDType = WgslDType | 'i64' | 'u8' | 'i8' | 'u16' | 'i16' | 'f16' | 'bf16';

export interface WgslTensorSlot {
  name: string;
  dtype: WgslHostDType;
  /** dims as expressions over the symbols */
  shape: IndexExpr[];
  /** first word in its buffer */
  offset: IndexExpr;
}

export interface WgslConstant {
  dtype: WgslDType;
  /** first word in the params buffer */
  offset: number;
  values: number[];
}

/**
 * The bindings a shader declares, in group 0: the two storage buffers as array<u32>, the symbols, and
 * at precision f16 the same two buffers again as array<f16> (bindings 3 and 4), which f16 tensors use.
 */
export type WgslBinding = 'params' | 'data' | 'symbols' | 'params16' | 'data16';

export interface WgslShader {
  name: string;
  code: string;
  workgroupSize: number;
  bindings: WgslBinding[];
  /** invocations to launch (the grid); the executor derives the workgroup counts */
  invocations: IndexExpr;
}

export interface WgslPlan {
  name: string;
  /** the symbolic dims, in the order of the symbols uniform: name, the variable expressions use, and the input axis that binds it */
  symbols: { name: string; variable: string; from: { input: number; axis: number } }[];
  params: WgslTensorSlot[];
  constants: WgslConstant[];
  /** words of the params buffer */
  paramsWords: number;
  inputs: WgslTensorSlot[];
  outputs: WgslTensorSlot[];
  /** words of the data buffer */
  dataWords: IndexExpr;
  /** word of the data buffer that a failed check sets to its nonzero code */
  statusWord: number;
  /**
   * f32: every element is a 32-bit word. f16: every f32 tensor (weights, constants, inputs, outputs,
   * intermediates) is stored as f16, two per word, from its word offset; the executor converts at the
   * boundary, so the host still sees f32. Needs the adapter's shader-f16 feature.
   */
  precision: 'f32' | 'f16';
  shaders: WgslShader[];
}

/** Evaluate an index expression for symbol values (by name). Integer division truncates, as in the kernels. */
export function evalIndex(e: IndexExpr, syms: Record<string, number>): number {
  switch (e.k) {
    case 'const': return Number(e.value);
    case 'var': {
      const v = syms[e.name];
      if (v === undefined) throw new Error(`internal error: symbol ${e.name} has no value`);
      return v;
    }
    case 'binary': {
      const a = evalIndex(e.a, syms), b = evalIndex(e.b, syms);
      switch (e.op) {
        case 'add': return a + b;
        case 'sub': return a - b;
        case 'mul': return a * b;
        case 'div': return b === 0 ? 0 : Math.trunc(a / b);
        case 'rem': return b === 0 ? 0 : a % b;
        case 'min': return Math.min(a, b);
        case 'max': return Math.max(a, b);
      }
    }
  }
}

/** Most workgroups along one dispatch dimension (the WebGPU default limit). */
export const MAX_WORKGROUPS_PER_DIM = 65535;

/** Workgroup counts for `invocations` threads: x first, spilling into y; shaders fold (x, y) back to one index. */
export function workgroupCounts(invocations: number, workgroupSize: number): [number, number, number] {
  const groups = Math.ceil(invocations / workgroupSize);
  if (groups <= MAX_WORKGROUPS_PER_DIM) return [groups, 1, 1];
  return [MAX_WORKGROUPS_PER_DIM, Math.ceil(groups / MAX_WORKGROUPS_PER_DIM), 1];
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** The f16 bit pattern nearest to x (ties to even; beyond the f16 range, infinity). */
export function f16Bits(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal (or zero): the 24-bit significand shifted into 10 bits, rounded to nearest even
    if (e < -10) return sign;
    const m = mant | 0x800000, shift = 14 - e;
    const half = 1 << (shift - 1), rest = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rest > half || (rest === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // a carry out of the mantissa steps the exponent, up to infinity: both are right
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1))) r++;
  return sign | r;
}

/** The value of an f16 bit pattern. */
export function f16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f, mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** bfloat16 bits of an f32 value, rounded to nearest even (NaN stays a quiet NaN). */
export function bf16Bits(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0];
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16Value(b: number): number {
  u32Scratch[0] = b << 16;
  return f32Scratch[0];
}
