// What the importer knows about each ONNX value: a run-time IR value, a constant tensor, or a
// small integer vector whose elements are (symbolic) dims, such as the result of Shape(x).
import { DType, isInteger } from '../../ir/dtype.js';
import { Dim } from '../../ir/dim.js';
import { TensorType, Value } from '../../ir/graph.js';
import { Tensor, readInts } from '../../ir/tensor.js';

export type KnownValue =
  /** computed at run time; `known` holds data the caller supplied for a graph input */
  | { kind: 'runtime'; value: Value; known?: Tensor }
  /** a constant; `param` is the graph parameter when it came from an initializer */
  | { kind: 'const'; tensor: Tensor; param?: Value }
  /** an integer scalar or 1-D vector with at least one symbolic element */
  | { kind: 'dims'; dims: Dim[]; scalar: boolean; dtype: DType };

export function typeOfKnown(k: KnownValue): TensorType {
  switch (k.kind) {
    case 'runtime': return k.value.type;
    case 'const': return { dtype: k.tensor.dtype, shape: k.tensor.shape };
    case 'dims': return { dtype: k.dtype, shape: k.scalar ? [] : [k.dims.length] };
  }
}

/** Integer vectors small enough to reason about element by element. */
const MAX_VECTOR = 1024;

/** The elements of an integer scalar or vector, when they are known at import time. */
export function intVector(k: KnownValue | undefined): { dims: Dim[]; scalar: boolean; dtype: DType } | undefined {
  if (!k) return undefined;
  if (k.kind === 'dims') return k;
  if (k.kind === 'const' && isInteger(k.tensor.dtype) && k.tensor.rank <= 1 && k.tensor.size <= MAX_VECTOR)
    return { dims: readInts(k.tensor), scalar: k.tensor.rank === 0, dtype: k.tensor.dtype };
  return undefined;
}

/** A constant when every element is a number, else a symbolic vector. */
export function knownInts(dims: readonly Dim[], scalar: boolean, dtype: DType): KnownValue {
  if (dims.every((d) => typeof d === 'number'))
    return { kind: 'const', tensor: Tensor.fromNumbers(dtype, scalar ? [] : [dims.length], dims as number[]) };
  return { kind: 'dims', dims: [...dims], scalar, dtype };
}
