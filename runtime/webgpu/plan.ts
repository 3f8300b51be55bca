// The contract between generated WGSL and the WebGPU executor: plain data (JSON-serializable) that
// says which shaders to dispatch in which order, over how many invocations, and where every tensor
// lives in the two storage buffers. Sizes and offsets depending on symbolic dims (the batch N) are
// index expressions over the symbols, evaluated per run.
//
// Memory: `params` (read-only) holds the weights and the graph's constants at static word offsets;
// `data` (read-write) holds a status word, then inputs, outputs and the workspace arena. Every element
// is one 32-bit word (f32, i32, u32; bool as u32 0/1), so shaders address both buffers as array<u32>.

/** An index expression: the kernel IR's index subset (constants, symbol variables, + - * / % min max). */
export type IndexExpr =
  | { k: 'const'; value: number | bigint }
  | { k: 'var'; name: string }
  | { k: 'binary'; op: 'add' | 'sub' | 'mul' | 'div' | 'rem' | 'min' | 'max'; a: IndexExpr; b: IndexExpr };

/** Element types at the executor's boundary. */
export type WgslDType = 'f32' | 'i32' | 'u32' | 'bool';

export interface WgslTensorSlot {
  name: string;
  dtype: WgslDType;
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

/** The bindings a shader declares, in group 0. */
export type WgslBinding = 'params' | 'data' | 'symbols';

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
