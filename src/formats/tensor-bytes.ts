// Conversions between tensors and their little-endian byte images, shared by the file formats.
import { DType, DTYPE_INFO } from '../ir/dtype.js';
import { Tensor, sizeOf } from '../ir/tensor.js';

/**
 * A tensor over `bytes` (exactly numel * itemsize little-endian bytes). With `share`, the tensor
 * views the same memory when it is aligned for the dtype; otherwise the bytes are copied.
 */
export function tensorFromBytes(dtype: DType, shape: readonly number[], bytes: Uint8Array, share = false): Tensor {
  const info = DTYPE_INFO[dtype];
  const n = sizeOf(shape);
  if (share && bytes.byteOffset % info.bytes === 0) {
    return new Tensor(dtype, shape, new info.array(bytes.buffer as ArrayBuffer, bytes.byteOffset, n));
  }
  const copy = new Uint8Array(n * info.bytes);
  copy.set(bytes.subarray(0, n * info.bytes));
  return new Tensor(dtype, shape, new info.array(copy.buffer, 0, n));
}

/** The tensor's storage as bytes (a view, no copy). */
export function bytesOfTensor(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Reverses the byte order of every `itemSize`-byte element, in place. */
export function byteSwap(bytes: Uint8Array, itemSize: number): void {
  for (let i = 0; i + itemSize <= bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** Shape as Python prints a tuple: (), (3,), (3, 4). */
export function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}
