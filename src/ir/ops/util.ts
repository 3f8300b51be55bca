// Helpers shared by op definitions: axis handling, symbolic broadcasting, default costs.
import { Dim, dimEq, dimToString, isUnknown, unknownDim, dimProduct, evalDim, DimEnv } from '../dim.js';
import { TensorType, typeToString } from '../graph.js';
import { OpError, Cost } from '../registry.js';
import { DTYPE_INFO } from '../dtype.js';
import { sizeOf } from '../tensor.js';

/** Normalize a possibly negative axis for a tensor of the given rank. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new OpError(`${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy-style broadcast of symbolic shapes; throws OpError on mismatch. */
export function broadcastShapes(shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const j = i - (rank - s.length);
      if (j < 0) continue;
      const e = s[j];
      if (dimEq(e, 1)) continue;
      if (dimEq(d, 1)) { d = e; continue; }
      if (dimEq(d, e)) continue;
      if (isUnknown(d) || isUnknown(e)) { d = isUnknown(d) ? e : d; continue; }
      throw new OpError(`shapes ${shapes.map((x) => `[${x.map(dimToString).join(', ')}]`).join(' and ')} do not broadcast (dim ${dimToString(d)} vs ${dimToString(e)})`);
    }
    out.push(d);
  }
  return out;
}

/** Numeric broadcast of static shapes. */
export function broadcastStatic(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const j = i - (rank - s.length);
      if (j < 0) continue;
      const e = s[j];
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (d !== e) throw new OpError(`shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(' and ')} do not broadcast`);
    }
    out.push(d);
  }
  return out;
}

/**
 * For each element of `outShape` (row-major), the flat index into a tensor of shape `inShape`
 * broadcast to it. Returned as an Int32Array of length size(outShape).
 */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = sizeOf(outShape);
  const idx = new Int32Array(n);
  const rank = outShape.length;
  const off = rank - inShape.length;
  const inStrides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    inStrides[i + off] = inShape[i] === 1 ? 0 : acc;
    acc *= inShape[i];
  }
  if (sizeOf(inShape) === n && inShape.length === rank && inShape.every((d, i) => d === outShape[i])) {
    for (let i = 0; i < n; i++) idx[i] = i;
    return idx;
  }
  const counter = new Array<number>(rank).fill(0);
  let cur = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = cur;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      cur += inStrides[d];
      if (counter[d] < outShape[d]) break;
      cur -= inStrides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return idx;
}

export function expectInputs(op: string, inputs: readonly (TensorType | null)[], n: number): TensorType[] {
  for (let i = 0; i < n; i++) if (!inputs[i]) throw new OpError(`${op} needs input ${i}`);
  return inputs as TensorType[];
}

export function sameDType(op: string, ts: readonly (TensorType | null)[]): void {
  const present = ts.filter((t): t is TensorType => !!t);
  for (const t of present)
    if (t.dtype !== present[0].dtype)
      throw new OpError(`${op} needs inputs of one dtype, got ${present.map(typeToString).join(' and ')}`);
}

export function unknownShape(rank: number): Dim[] {
  return Array.from({ length: rank }, () => unknownDim());
}

export function numel(t: TensorType, env: DimEnv): number {
  return evalDim(dimProduct(t.shape), env);
}

export function bytesOf(t: TensorType | null, env: DimEnv): number {
  return t ? numel(t, env) * DTYPE_INFO[t.dtype].bytes : 0;
}

export function defaultCost(inputs: (TensorType | null)[], outputs: TensorType[], env: DimEnv): Cost {
  let bytes = 0;
  for (const t of inputs) bytes += bytesOf(t, env);
  let flops = 0;
  for (const t of outputs) { bytes += bytesOf(t, env); flops += numel(t, env); }
  return { flops, bytes };
}
