// NumPy .npy files (format versions 1.0, 2.0 and 3.0): one array, a Python-literal header, raw data.
// The header is read with a small strict parser of Python literals; nothing is evaluated.
import { DType, DTYPE_INFO } from '../ir/dtype.js';
import { Tensor, sizeOf } from '../ir/tensor.js';
import { diag } from '../diag/diagnostic.js';
import { byteSwap, bytesOfTensor, pythonTuple, tensorFromBytes } from './tensor-bytes.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy type code (kind + item size, no byte order) -> dtype */
const DTYPE_OF_CODE: Record<string, DType> = {
  f2: 'f16', f4: 'f32', f8: 'f64', i1: 'i8', u1: 'u8', i2: 'i16', u2: 'u16',
  i4: 'i32', u4: 'u32', i8: 'i64', u8: 'u64', b1: 'bool',
};

const DESCR_OF_DTYPE: Record<Exclude<DType, 'bf16'>, string> = {
  f16: '<f2', f32: '<f4', f64: '<f8', i8: '|i1', u8: '|u1', i16: '<i2', u16: '<u2',
  i32: '<i4', u32: '<u4', i64: '<i8', u64: '<u8', bool: '|b1',
};

/** Reads a .npy file into a C-order, little-endian tensor (Fortran order and big-endian data are converted). */
export function readNpy(bytes: Uint8Array, file: string): Tensor {
  const fail = (message: string) => diag('DSC1002', `${file}: ${message}`, { file });
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw fail('not a .npy file (the magic string \\x93NUMPY is missing)');
  const major = bytes[6];
  if (major < 1 || major > 3) throw fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw fail('truncated header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lengthBytes;
  if (headerLength > bytes.length - headerStart) {
    throw fail(`truncated header: it declares ${headerLength} bytes, the file has ${bytes.length - headerStart} after the length field`);
  }
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLength);
  let headerText: string;
  try {
    headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(headerBytes);
  } catch {
    throw fail('the header is not valid text');
  }
  let header: PyValue;
  try {
    header = parsePythonLiteral(headerText);
  } catch (e) {
    if (e instanceof LiteralError) throw fail(`malformed header ${JSON.stringify(headerText.trim())}: ${e.message}`);
    throw e;
  }
  const { descr, fortranOrder, shape } = headerFields(header, fail, (m) => diag('DSC1005', `${file}: ${m}`, { file }));

  const code = descr.slice(1);
  const order = descr[0];
  const dtype = DTYPE_OF_CODE[code];
  if (!dtype || !'<>|='.includes(order)) {
    throw diag('DSC1005', `${file}: dtype '${descr}' is not supported (dsc reads f2 f4 f8 i1 u1 i2 u2 i4 u4 i8 u8 b1)`, { file });
  }
  const itemSize = DTYPE_INFO[dtype].bytes;
  const dataStart = headerStart + headerLength;
  const have = bytes.length - dataStart;
  const need = sizeOf(shape) * itemSize;
  if (have !== need) throw fail(`data holds ${have} bytes, shape ${pythonTuple(shape)} of ${descr} needs ${need}`);

  let data = bytes.subarray(dataStart);
  if (order === '>' && itemSize > 1) {
    data = data.slice();
    byteSwap(data, itemSize);
  }
  if (fortranOrder && shape.length > 1) data = fortranToC(data, shape, itemSize);
  return tensorFromBytes(dtype, shape, data);
}

/** Writes a tensor as a version 1.0 .npy file (2.0 when the header outgrows 64 KiB). */
export function writeNpy(t: Tensor, name = 'tensor'): Uint8Array {
  if (t.dtype === 'bf16') {
    throw diag('DSC1005', `tensor '${name}' has dtype bf16, which .npy cannot hold (numpy has no bfloat16); convert it to f32 or write safetensors`);
  }
  const dict = `{'descr': '${DESCR_OF_DTYPE[t.dtype]}', 'fortran_order': False, 'shape': ${pythonTuple(t.shape)}, }`;
  // numpy pads the header with spaces so that the data starts on a 64-byte boundary.
  const paddedLength = (prefix: number) => Math.ceil((prefix + dict.length + 1) / 64) * 64 - prefix;
  const major = paddedLength(10) > 0xffff ? 2 : 1;
  const prefix = major === 1 ? 10 : 12;
  const headerLength = paddedLength(prefix);
  const header = dict.padEnd(headerLength - 1, ' ') + '\n';
  const data = bytesOfTensor(t);
  const out = new Uint8Array(prefix + headerLength + data.length);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(data, prefix + headerLength);
  return out;
}

function headerFields(
  header: PyValue, fail: (m: string) => Error, unsupported: (m: string) => Error,
): { descr: string; fortranOrder: boolean; shape: number[] } {
  if (!(header instanceof Map)) throw fail('the header is not a dict');
  const keys = [...header.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') throw fail(`the header has keys ${keys}; expected descr, fortran_order, shape`);
  const descr = header.get('descr');
  const fortranOrder = header.get('fortran_order');
  const shape = header.get('shape');
  if (Array.isArray(descr)) throw unsupported('structured dtypes (a descr list) are not supported');
  if (typeof descr !== 'string') throw fail('descr is not a string');
  if (typeof fortranOrder !== 'boolean') throw fail('fortran_order is not True or False');
  if (!(shape instanceof PyTuple) || !shape.items.every((d) => typeof d === 'number')) throw fail('shape is not a tuple of integers');
  return { descr, fortranOrder, shape: shape.items as number[] };
}

/** Reorders column-major element bytes into row-major order. */
function fortranToC(src: Uint8Array, shape: readonly number[], itemSize: number): Uint8Array {
  const rank = shape.length;
  const n = sizeOf(shape);
  const out = new Uint8Array(n * itemSize);
  const fStride = new Array<number>(rank);
  for (let k = 0, acc = 1; k < rank; k++) { fStride[k] = acc; acc *= shape[k]; }
  const idx = new Array<number>(rank).fill(0);
  let s = 0;
  for (let i = 0; i < n; i++) {
    out.set(src.subarray(s * itemSize, (s + 1) * itemSize), i * itemSize);
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]++;
      s += fStride[k];
      if (idx[k] < shape[k]) break;
      s -= fStride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

// ---- a strict parser of the Python literals a .npy header uses ----

class PyTuple { constructor(readonly items: PyValue[]) {} }
type PyValue = string | number | boolean | null | PyValue[] | PyTuple | Map<string, PyValue>;

class LiteralError extends Error {}

function parsePythonLiteral(text: string): PyValue {
  let pos = 0;
  const skipSpace = () => { while (pos < text.length && ' \t\r\n'.includes(text[pos])) pos++; };
  const error = (what: string): never => { throw new LiteralError(`${what} at character ${pos}`); };
  const eat = (ch: string): boolean => {
    skipSpace();
    if (text[pos] === ch) { pos++; return true; }
    return false;
  };
  const expectChar = (ch: string) => { if (!eat(ch)) error(`expected '${ch}'`); };

  // Items of a bracketed sequence up to `close`, with the optional trailing comma Python allows.
  const sequence = <T>(close: string, item: () => T): { items: T[]; trailingComma: boolean } => {
    const items: T[] = [];
    let trailingComma = false;
    while (!eat(close)) {
      if (items.length && !trailingComma) error(`expected ',' or '${close}'`);
      items.push(item());
      trailingComma = eat(',');
    }
    return { items, trailingComma };
  };

  const value = (depth: number): PyValue => {
    if (depth > 16) error('nesting too deep');
    skipSpace();
    const c = text[pos];
    if (c === undefined) return error('unexpected end');
    if (c === '{') {
      pos++;
      const map = new Map<string, PyValue>();
      sequence('}', () => {
        const key = value(depth + 1);
        if (typeof key !== 'string') error('dict key is not a string');
        if (map.has(key as string)) error(`duplicate key '${key}'`);
        expectChar(':');
        map.set(key as string, value(depth + 1));
      });
      return map;
    }
    if (c === '(') {
      pos++;
      const { items, trailingComma } = sequence(')', () => value(depth + 1));
      if (items.length === 1 && !trailingComma) return items[0];
      return new PyTuple(items);
    }
    if (c === '[') {
      pos++;
      return sequence(']', () => value(depth + 1)).items;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) error('unterminated string');
      const s = text.slice(pos + 1, end);
      if (s.includes('\\')) error('escapes in strings are not supported');
      pos = end + 1;
      return s;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*|^-?[0-9]+/.exec(text.slice(pos, pos + 32))?.[0];
    if (!word) return error(`unexpected '${c}'`);
    pos += word.length;
    if (word === 'True') return true;
    if (word === 'False') return false;
    if (word === 'None') return null;
    const n = Number(word);
    if (!/^-?[0-9]+$/.test(word) || !Number.isSafeInteger(n) || n < 0) return error(`unexpected '${word}'`);
    return n;
  };

  const result = value(0);
  skipSpace();
  if (pos !== text.length) error('unexpected text after the dict');
  return result;
}
