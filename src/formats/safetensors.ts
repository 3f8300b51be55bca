// safetensors files: an 8-byte little-endian header length, a JSON header naming each tensor's
// dtype, shape and byte range, then the data section. Every field of the header is checked.
import { DType, DTYPE_INFO } from '../ir/dtype.js';
import { Tensor, sizeOf } from '../ir/tensor.js';
import { diag } from '../diag/diagnostic.js';
import { bytesOfTensor, tensorFromBytes } from './tensor-bytes.js';

const DTYPE_OF_NAME: Record<string, DType> = {
  F32: 'f32', F16: 'f16', BF16: 'bf16', F64: 'f64', I8: 'i8', U8: 'u8', I16: 'i16', U16: 'u16',
  I32: 'i32', U32: 'u32', I64: 'i64', U64: 'u64', BOOL: 'bool',
};
const NAME_OF_DTYPE = Object.fromEntries(Object.entries(DTYPE_OF_NAME).map(([k, v]) => [v, k])) as Record<DType, string>;

/** Larger headers are refused before they are decoded (the reference implementation caps at 100 MB too). */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

export interface SafetensorsContents {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

/** Reads every tensor of a safetensors file, in header order. */
export function readSafetensors(bytes: Uint8Array, file: string): Map<string, Tensor> {
  return readSafetensorsWithMetadata(bytes, file).tensors;
}

/**
 * Reads tensors and the `__metadata__` string map. Tensors whose data is aligned in `bytes` share
 * its memory; the others are copied.
 */
export function readSafetensorsWithMetadata(bytes: Uint8Array, file: string): SafetensorsContents {
  const fail = (message: string) => diag('DSC1003', `${file}: ${message}`, { file });
  if (bytes.length < 8) throw fail(`truncated: ${bytes.length} bytes, the header length alone takes 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthLow = view.getUint32(0, true);
  const lengthHigh = view.getUint32(4, true);
  const headerLength = lengthHigh * 4294967296 + lengthLow;
  if (headerLength > MAX_HEADER_BYTES) throw fail(`header length ${headerLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  if (headerLength > bytes.length - 8) throw fail(`header length ${headerLength} runs past the end of the file (${bytes.length - 8} bytes after the length field)`);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw fail('the header is not valid UTF-8 JSON');
  }
  if (!isPlainObject(header)) throw fail('the header is not a JSON object');

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata = readMetadata(header[METADATA_KEY], fail);

  interface Entry { name: string; dtype: DType; shape: number[]; begin: number; end: number }
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) continue;
    const bad = (what: string) => fail(`tensor '${name}': ${what}`);
    if (!isPlainObject(info)) throw bad('its entry is not an object');
    const dtypeName = info.dtype;
    if (typeof dtypeName !== 'string') throw bad('dtype is missing');
    const dtype = DTYPE_OF_NAME[dtypeName];
    if (!dtype) throw diag('DSC1005', `${file}: tensor '${name}' has dtype ${dtypeName}, which dsc does not support`, { file });
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every(isCount)) throw bad('shape is not a list of non-negative integers');
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) throw bad('data_offsets is not a pair of non-negative integers');
    const [begin, end] = offsets as number[];
    if (begin > end) throw bad(`data_offsets [${begin}, ${end}] begin after they end`);
    if (end > dataLength) throw bad(`data_offsets [${begin}, ${end}] run past the data section (${dataLength} bytes)`);
    const need = sizeOf(shape) * DTYPE_INFO[dtype].bytes;
    if (end - begin !== need) throw bad(`data holds ${end - begin} bytes, shape [${shape.join(', ')}] of ${dtypeName} needs ${need}`);
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }

  // The format allows neither holes nor overlaps: sorted by offset, each range starts where the last ended.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Entry | undefined;
  for (const e of byOffset) {
    if (e.begin < covered) throw fail(`tensors '${previous!.name}' and '${e.name}' overlap (bytes ${e.begin} to ${covered})`);
    if (e.begin > covered) throw fail(`bytes ${covered} to ${e.begin} of the data section belong to no tensor`);
    covered = e.end;
    previous = e;
  }
  if (covered !== dataLength) throw fail(`the data section has ${dataLength - covered} bytes after the last tensor`);

  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    tensors.set(e.name, tensorFromBytes(e.dtype, e.shape, bytes.subarray(dataStart + e.begin, dataStart + e.end), true));
  }
  return { tensors, metadata };
}

/**
 * Writes a safetensors file. The output is deterministic: header keys sorted, data ordered by item
 * size (largest first) then name so every tensor is aligned to its item size without padding.
 */
export function writeSafetensors(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  for (const [name] of entries) {
    if (name === '' || name === METADATA_KEY) throw diag('DSC1003', `cannot write a safetensors tensor named '${name}'`);
  }
  const byName = (a: [string, Tensor], b: [string, Tensor]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  const dataOrder = [...entries].sort((a, b) => DTYPE_INFO[b[1].dtype].bytes - DTYPE_INFO[a[1].dtype].bytes || byName(a, b));
  const offsets = new Map<string, [number, number]>();
  let size = 0;
  for (const [name, t] of dataOrder) {
    offsets.set(name, [size, size + t.data.byteLength]);
    size += t.data.byteLength;
  }

  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    header[METADATA_KEY] = Object.fromEntries(Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  for (const [name, t] of [...entries].sort(byName)) {
    header[name] = { dtype: NAME_OF_DTYPE[t.dtype], shape: [...t.shape], data_offsets: offsets.get(name) };
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Spaces pad the header so the data section starts 8-byte aligned.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + size);
  new DataView(out.buffer).setUint32(0, headerLength, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  for (const [name, t] of dataOrder) out.set(bytesOfTensor(t), 8 + headerLength + offsets.get(name)![0]);
  return out;
}

function readMetadata(value: unknown, fail: (m: string) => Error): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw fail('__metadata__ is not an object of strings');
  }
  return { ...(value as Record<string, string>) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
