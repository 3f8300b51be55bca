// A safetensors reader for the WebGPU runtime (no Node imports, so it bundles for browsers): an 8-byte
// little-endian header length, a JSON header of dtype/shape/data_offsets per tensor, then the data.
// Tensors come back as views of the file's bytes, copied only where their alignment forbids a view.
import type { HostTensor } from './executor.js';

const DTYPES: Record<string, { dtype: string; bytes: number }> = {
  F32: { dtype: 'f32', bytes: 4 }, I32: { dtype: 'i32', bytes: 4 }, U32: { dtype: 'u32', bytes: 4 }, BOOL: { dtype: 'bool', bytes: 1 },
  F64: { dtype: 'f64', bytes: 8 }, I64: { dtype: 'i64', bytes: 8 }, F16: { dtype: 'f16', bytes: 2 }, BF16: { dtype: 'bf16', bytes: 2 },
  I8: { dtype: 'i8', bytes: 1 }, U8: { dtype: 'u8', bytes: 1 }, I16: { dtype: 'i16', bytes: 2 }, U16: { dtype: 'u16', bytes: 2 },
};

export function readSafetensorsTensors(bytes: Uint8Array): Map<string, HostTensor> {
  if (bytes.byteLength < 8) throw new Error('weights: not a safetensors file (shorter than its 8-byte header length)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength) throw new Error('weights: safetensors header runs past the end of the file');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const start = 8 + headerLength;
  const out = new Map<string, HostTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const kind = DTYPES[entry.dtype];
    if (!kind) throw new Error(`weights: tensor ${name} has dtype ${entry.dtype}, which this runtime does not read`);
    const [from, to] = entry.data_offsets;
    const raw = bytes.subarray(start + from, start + to);
    const aligned = raw.byteOffset % kind.bytes === 0 ? raw : raw.slice();
    out.set(name, { dtype: kind.dtype, shape: entry.shape, data: aligned });
  }
  return out;
}
