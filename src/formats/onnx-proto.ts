// Decoding of ONNX protobuf messages (onnx.proto3) into the shapes of onnx-types.ts, and conversion
// of ONNX tensors (raw, typed fields or external data) into IR tensors.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { DType, DTYPE_INFO } from '../ir/dtype.js';
import { Tensor, sizeOf } from '../ir/tensor.js';
import { diag } from '../diag/diagnostic.js';
import {
  OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo, ONNX_DTYPE,
} from './onnx-types.js';
import {
  ProtoReader, ProtobufError, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT,
} from './protobuf.js';
import { tensorFromBytes } from './tensor-bytes.js';

const DTYPE_OF_ONNX: Record<number, DType> = {
  [ONNX_DTYPE.FLOAT]: 'f32', [ONNX_DTYPE.UINT8]: 'u8', [ONNX_DTYPE.INT8]: 'i8', [ONNX_DTYPE.UINT16]: 'u16',
  [ONNX_DTYPE.INT16]: 'i16', [ONNX_DTYPE.INT32]: 'i32', [ONNX_DTYPE.INT64]: 'i64', [ONNX_DTYPE.BOOL]: 'bool',
  [ONNX_DTYPE.FLOAT16]: 'f16', [ONNX_DTYPE.DOUBLE]: 'f64', [ONNX_DTYPE.UINT32]: 'u32', [ONNX_DTYPE.UINT64]: 'u64',
  [ONNX_DTYPE.BFLOAT16]: 'bf16',
};

/** The IR dtype of an ONNX TensorProto.DataType number, or undefined when dsc has none. */
export function onnxDTypeToDType(n: number): DType | undefined {
  return DTYPE_OF_ONNX[n];
}

/** The ONNX name of a data type number ('FLOAT', 'STRING', ...). */
export function onnxDTypeName(n: number): string {
  const extra: Record<number, string> = {
    17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4',
  };
  for (const [name, v] of Object.entries(ONNX_DTYPE)) if (v === n) return name;
  return extra[n] ?? `data type ${n}`;
}

/** Field names per message, so a protobuf error can say where it happened. */
const FIELD_NAMES: Record<string, Record<number, string>> = {
  ModelProto: { 1: 'ir_version', 2: 'producer_name', 3: 'producer_version', 4: 'domain', 5: 'model_version', 6: 'doc_string', 7: 'graph', 8: 'opset_import', 14: 'metadata_props', 20: 'training_info', 25: 'functions' },
  OperatorSetIdProto: { 1: 'domain', 2: 'version' },
  GraphProto: { 1: 'node', 2: 'name', 5: 'initializer', 10: 'doc_string', 11: 'input', 12: 'output', 13: 'value_info', 14: 'quantization_annotation', 15: 'sparse_initializer' },
  NodeProto: { 1: 'input', 2: 'output', 3: 'name', 4: 'op_type', 5: 'attribute', 6: 'doc_string', 7: 'domain' },
  AttributeProto: { 1: 'name', 2: 'f', 3: 'i', 4: 's', 5: 't', 6: 'g', 7: 'floats', 8: 'ints', 9: 'strings', 10: 'tensors', 11: 'graphs', 13: 'doc_string', 14: 'tp', 15: 'type_protos', 20: 'type', 21: 'ref_attr_name', 22: 'sparse_tensor', 23: 'sparse_tensors' },
  ValueInfoProto: { 1: 'name', 2: 'type', 3: 'doc_string' },
  TypeProto: { 1: 'tensor_type', 4: 'sequence_type', 5: 'map_type', 6: 'denotation', 8: 'sparse_tensor_type', 9: 'optional_type' },
  'TypeProto.Tensor': { 1: 'elem_type', 2: 'shape' },
  TensorShapeProto: { 1: 'dim' },
  'TensorShapeProto.Dimension': { 1: 'dim_value', 2: 'dim_param', 3: 'denotation' },
  TensorProto: { 1: 'dims', 2: 'data_type', 3: 'segment', 4: 'float_data', 5: 'int32_data', 6: 'string_data', 7: 'int64_data', 8: 'name', 9: 'raw_data', 10: 'double_data', 11: 'uint64_data', 12: 'doc_string', 13: 'external_data', 14: 'data_location' },
  StringStringEntryProto: { 1: 'key', 2: 'value' },
};

/** ONNX AttributeProto.AttributeType numbers */
const ATTR = { UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const UTF8 = new TextDecoder('utf-8');

/** Decodes a serialized ModelProto (the bytes of a .onnx file). */
export function decodeModel(bytes: Uint8Array, file: string): OnnxModel {
  return withProtobufErrors(file, () => {
    const model = readModel(new ProtoReader(bytes, 'ModelProto'), file);
    if (!model) throw diag('DSC1004', `${file}: the model has no graph (is this an ONNX model?)`, { file });
    return model;
  });
}

/** Decodes a serialized TensorProto (the .pb files of the ONNX test suite). */
export function decodeTensorProto(bytes: Uint8Array, file: string): OnnxTensor {
  return withProtobufErrors(file, () => readTensor(new ProtoReader(bytes, 'TensorProto'), file));
}

function withProtobufErrors<T>(file: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (!(e instanceof ProtobufError)) throw e;
    const field = FIELD_NAMES[e.messageName]?.[e.field];
    const where = e.field > 0 ? `${e.messageName}.${field ?? `field ${e.field}`}` : e.messageName;
    throw diag('DSC1004', `${file}: truncated or corrupt protobuf at byte ${e.offset} (in ${where}): ${e.reason}`, { file });
  }
}

function readModel(r: ProtoReader, file: string): OnnxModel | undefined {
  let irVersion = 0;
  let producerName = '';
  const opsets = new Map<string, number>();
  let graph: OnnxGraph | undefined;
  while (!r.done()) {
    const { field, wireType } = r.tag();
    switch (field) {
      case 1: r.expect(wireType, WIRE_VARINT); irVersion = r.int64(); break;
      case 2: r.expect(wireType, WIRE_LEN); producerName = r.string(); break;
      case 7: r.expect(wireType, WIRE_LEN); graph = readGraph(r.message('GraphProto'), file); break;
      case 8: {
        r.expect(wireType, WIRE_LEN);
        const [domain, version] = readOpset(r.message('OperatorSetIdProto'));
        opsets.set(domain === 'ai.onnx' ? '' : domain, version);
        break;
      }
      default: r.skip(wireType);
    }
  }
  return graph && { irVersion, producerName, opsets, graph };
}

function readOpset(r: ProtoReader): [string, number] {
  let domain = '';
  let version = 0;
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1) { r.expect(wireType, WIRE_LEN); domain = r.string(); }
    else if (field === 2) { r.expect(wireType, WIRE_VARINT); version = r.int64(); }
    else r.skip(wireType);
  }
  return [domain, version];
}

function readGraph(r: ProtoReader, file: string): OnnxGraph {
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
  let sparse = false;
  while (!r.done()) {
    const { field, wireType } = r.tag();
    switch (field) {
      case 1: r.expect(wireType, WIRE_LEN); g.nodes.push(readNode(r.message('NodeProto'), file)); break;
      case 2: r.expect(wireType, WIRE_LEN); g.name = r.string(); break;
      case 5: r.expect(wireType, WIRE_LEN); g.initializers.push(readTensor(r.message('TensorProto'), file)); break;
      case 11: r.expect(wireType, WIRE_LEN); g.inputs.push(readValueInfo(r.message('ValueInfoProto'))); break;
      case 12: r.expect(wireType, WIRE_LEN); g.outputs.push(readValueInfo(r.message('ValueInfoProto'))); break;
      case 13: r.expect(wireType, WIRE_LEN); g.valueInfo.push(readValueInfo(r.message('ValueInfoProto'))); break;
      case 15: r.expect(wireType, WIRE_LEN); r.skip(wireType); sparse = true; break;
      default: r.skip(wireType);
    }
  }
  if (sparse) {
    throw diag('DSC1007', `${file}: graph '${g.name}' has sparse initializers, which dsc does not support`, { file });
  }
  return g;
}

function readNode(r: ProtoReader, file: string): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  while (!r.done()) {
    const { field, wireType } = r.tag();
    switch (field) {
      case 1: r.expect(wireType, WIRE_LEN); n.inputs.push(r.string()); break;
      case 2: r.expect(wireType, WIRE_LEN); n.outputs.push(r.string()); break;
      case 3: r.expect(wireType, WIRE_LEN); n.name = r.string(); break;
      case 4: r.expect(wireType, WIRE_LEN); n.opType = r.string(); break;
      case 7: r.expect(wireType, WIRE_LEN); n.domain = r.string(); break;
      case 5: {
        r.expect(wireType, WIRE_LEN);
        const [name, attr] = readAttribute(r.message('AttributeProto'), file);
        n.attributes.set(name, attr);
        break;
      }
      default: r.skip(wireType);
    }
  }
  if (n.domain === 'ai.onnx') n.domain = '';
  return n;
}

function readAttribute(r: ProtoReader, file: string): [string, OnnxAttribute] {
  let name = '';
  let type: number = ATTR.UNDEFINED;
  let f: number | undefined;
  let i: number | undefined;
  let s: Uint8Array | undefined;
  let t: OnnxTensor | undefined;
  let g: OnnxGraph | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  let otherKind = 0;
  while (!r.done()) {
    const { field, wireType } = r.tag();
    switch (field) {
      case 1: r.expect(wireType, WIRE_LEN); name = r.string(); break;
      case 20: r.expect(wireType, WIRE_VARINT); type = r.int32(); break;
      case 2: r.expect(wireType, WIRE_FIXED32); f = r.float(); break;
      case 3: r.expect(wireType, WIRE_VARINT); i = r.int64(); break;
      case 4: r.expect(wireType, WIRE_LEN); s = r.bytes(); break;
      case 5: r.expect(wireType, WIRE_LEN); t = readTensor(r.message('TensorProto'), file); break;
      case 6: r.expect(wireType, WIRE_LEN); g = readGraph(r.message('GraphProto'), file); break;
      case 7: r.repeated(wireType, WIRE_FIXED32, (p) => p.float(), floats); break;
      case 8: r.repeated(wireType, WIRE_VARINT, (p) => p.int64(), ints); break;
      case 9: r.expect(wireType, WIRE_LEN); strings.push(r.string()); break;
      case 10: case 11: case 14: case 15: case 22: case 23: otherKind = field; r.skip(wireType); break;
      default: r.skip(wireType);
    }
  }
  // IR version 1 files carry no type; the field that is present says it.
  if (type === ATTR.UNDEFINED) {
    type = f !== undefined ? ATTR.FLOAT : i !== undefined ? ATTR.INT : s !== undefined ? ATTR.STRING
      : t ? ATTR.TENSOR : g ? ATTR.GRAPH : floats.length ? ATTR.FLOATS : ints.length ? ATTR.INTS
      : strings.length ? ATTR.STRINGS : otherKind ? -otherKind : ATTR.UNDEFINED;
  }
  switch (type) {
    case ATTR.FLOAT: return [name, { type: 'float', value: f ?? 0 }];
    case ATTR.INT: return [name, { type: 'int', value: i ?? 0 }];
    case ATTR.STRING: return [name, { type: 'string', value: s ? UTF8.decode(s) : '' }];
    case ATTR.TENSOR:
      if (!t) throw diag('DSC1004', `${file}: tensor attribute '${name}' holds no tensor`, { file });
      return [name, { type: 'tensor', value: t }];
    case ATTR.GRAPH:
      if (!g) throw diag('DSC1004', `${file}: graph attribute '${name}' holds no graph`, { file });
      return [name, { type: 'graph', value: g }];
    case ATTR.FLOATS: return [name, { type: 'floats', value: floats }];
    case ATTR.INTS: return [name, { type: 'ints', value: ints }];
    case ATTR.STRINGS: return [name, { type: 'strings', value: strings }];
    default: return [name, { type: 'unsupported', onnxType: type }];
  }
}

function readValueInfo(r: ProtoReader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '' };
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1) { r.expect(wireType, WIRE_LEN); v.name = r.string(); }
    else if (field === 2) { r.expect(wireType, WIRE_LEN); v.tensor = readTypeProto(r.message('TypeProto')); }
    else r.skip(wireType);
  }
  return v;
}

/** The tensor part of a TypeProto; undefined for sequence, map, optional and sparse types. */
function readTypeProto(r: ProtoReader): OnnxValueInfo['tensor'] {
  let tensor: OnnxValueInfo['tensor'];
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1) {
      r.expect(wireType, WIRE_LEN);
      const tr = r.message('TypeProto.Tensor');
      tensor = { elemType: 0 };
      while (!tr.done()) {
        const tag = tr.tag();
        if (tag.field === 1) { tr.expect(tag.wireType, WIRE_VARINT); tensor.elemType = tr.int32(); }
        else if (tag.field === 2) { tr.expect(tag.wireType, WIRE_LEN); tensor.shape = readShape(tr.message('TensorShapeProto')); }
        else tr.skip(tag.wireType);
      }
    } else r.skip(wireType);
  }
  return tensor;
}

function readShape(r: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field !== 1) { r.skip(wireType); continue; }
    r.expect(wireType, WIRE_LEN);
    const dr = r.message('TensorShapeProto.Dimension');
    let dim: number | string | null = null;
    while (!dr.done()) {
      const tag = dr.tag();
      if (tag.field === 1) { dr.expect(tag.wireType, WIRE_VARINT); dim = dr.int64(); }
      else if (tag.field === 2) { dr.expect(tag.wireType, WIRE_LEN); dim = dr.string(); }
      else dr.skip(tag.wireType);
    }
    dims.push(dim);
  }
  return dims;
}

function readTensor(r: ProtoReader, file: string): OnnxTensor {
  const t: OnnxTensor = { name: '', dataType: 0, dims: [] };
  const floatData: number[] = [];
  const int32Data: number[] = [];
  const int64Data: bigint[] = [];
  const doubleData: number[] = [];
  const uint64Data: bigint[] = [];
  const stringData: Uint8Array[] = [];
  const externalEntries: [string, string][] = [];
  let external = false;
  let segmented = false;
  while (!r.done()) {
    const { field, wireType } = r.tag();
    switch (field) {
      case 1: r.repeated(wireType, WIRE_VARINT, (p) => p.int64(), t.dims); break;
      case 2: r.expect(wireType, WIRE_VARINT); t.dataType = r.int32(); break;
      case 3: r.skip(wireType); segmented = true; break;
      case 4: r.repeated(wireType, WIRE_FIXED32, (p) => p.float(), floatData); break;
      case 5: r.repeated(wireType, WIRE_VARINT, (p) => p.int32(), int32Data); break;
      case 6: r.expect(wireType, WIRE_LEN); stringData.push(r.bytes()); break;
      case 7: r.repeated(wireType, WIRE_VARINT, (p) => p.int64Big(), int64Data); break;
      case 8: r.expect(wireType, WIRE_LEN); t.name = r.string(); break;
      case 9: r.expect(wireType, WIRE_LEN); t.raw = r.bytes(); break;
      case 10: r.repeated(wireType, WIRE_FIXED64, (p) => p.double(), doubleData); break;
      case 11: r.repeated(wireType, WIRE_VARINT, (p) => p.uint64Big(), uint64Data); break;
      case 13: r.expect(wireType, WIRE_LEN); externalEntries.push(readStringPair(r.message('StringStringEntryProto'))); break;
      case 14: r.expect(wireType, WIRE_VARINT); external = r.int32() === 1; break;
      default: r.skip(wireType);
    }
  }
  if (segmented) throw diag('DSC1007', `${file}: tensor '${t.name}' is segmented, which dsc does not support`, { file });
  if (floatData.length) t.floatData = floatData;
  if (int32Data.length) t.int32Data = int32Data;
  if (int64Data.length) t.int64Data = int64Data;
  if (doubleData.length) t.doubleData = doubleData;
  if (uint64Data.length) t.uint64Data = uint64Data;
  if (stringData.length) t.stringData = stringData;
  if (external) t.external = externalLocation(t.name, externalEntries, file);
  return t;
}

function readStringPair(r: ProtoReader): [string, string] {
  let key = '';
  let value = '';
  while (!r.done()) {
    const { field, wireType } = r.tag();
    if (field === 1) { r.expect(wireType, WIRE_LEN); key = r.string(); }
    else if (field === 2) { r.expect(wireType, WIRE_LEN); value = r.string(); }
    else r.skip(wireType);
  }
  return [key, value];
}

function externalLocation(tensor: string, entries: [string, string][], file: string): NonNullable<OnnxTensor['external']> {
  const get = (key: string) => entries.find(([k]) => k === key)?.[1];
  const location = get('location');
  if (!location) throw diag('DSC1006', `tensor '${tensor}' in ${file} has external data without a location`, { file });
  const integer = (key: string): number | undefined => {
    const text = get(key);
    if (text === undefined) return undefined;
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n)) {
      throw diag('DSC1006', `tensor '${tensor}' in ${file} has external data ${key} '${text}', which is not a byte count`, { file });
    }
    return n;
  };
  const length = integer('length');
  return { location, offset: integer('offset') ?? 0, ...(length === undefined ? {} : { length }) };
}

export interface TensorConversionOptions {
  /** the model (or .pb) file, named in messages; external data is found next to it */
  file: string;
  /** where external data locations are resolved; defaults to the directory of `file` */
  baseDir?: string;
  /** reads an external data file; defaults to fs.readFileSync */
  readFile?: (path: string) => Uint8Array;
}

/** Converts a decoded ONNX tensor into an IR tensor, reading external data when the tensor has it. */
export function onnxTensorToTensor(t: OnnxTensor, opts: TensorConversionOptions): Tensor {
  const { file } = opts;
  const what = t.name ? `tensor '${t.name}' in ${file}` : `unnamed tensor in ${file}`;
  const dtype = onnxDTypeToDType(t.dataType);
  if (!dtype) throw diag('DSC1005', `${what} has dtype ${onnxDTypeName(t.dataType)}, which dsc does not support`, { file });
  for (const d of t.dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw diag('DSC1004', `${what} has invalid dims [${t.dims.join(', ')}]`, { file });
  }
  const shape = t.dims;
  const numel = sizeOf(shape);
  const itemSize = DTYPE_INFO[dtype].bytes;
  const needBytes = numel * itemSize;
  const describe = `dims [${shape.join(', ')}] of ${onnxDTypeName(t.dataType)} needs ${needBytes}`;

  if (t.external) {
    const bytes = readExternal(t.external, needBytes, what, opts);
    return tensorFromBytes(dtype, shape, bytes);
  }
  if (t.raw) {
    if (t.raw.length !== needBytes) throw diag('DSC1004', `${what}: raw_data holds ${t.raw.length} bytes, ${describe}`, { file });
    return tensorFromBytes(dtype, shape, t.raw);
  }
  const typed = typedFieldOf(t, dtype);
  const count = typed?.values.length ?? 0;
  if (count !== numel) {
    const holds = typed ? `${typed.field} holds ${count} values` : 'holds no data';
    throw diag('DSC1004', `${what}: ${holds}, dims [${shape.join(', ')}] need ${numel}`, { file });
  }
  const out = Tensor.zeros(dtype, shape);
  if (!typed) return out;
  const values = typed.values;
  switch (dtype) {
    case 'f16': case 'bf16': { const d = out.data as Uint16Array; for (let k = 0; k < numel; k++) d[k] = (values[k] as number) & 0xffff; break; }
    case 'bool': { const d = out.data as Uint8Array; for (let k = 0; k < numel; k++) d[k] = values[k] !== 0 ? 1 : 0; break; }
    case 'i64': { const d = out.data as BigInt64Array; for (let k = 0; k < numel; k++) d[k] = values[k] as bigint; break; }
    case 'u64': { const d = out.data as BigUint64Array; for (let k = 0; k < numel; k++) d[k] = BigInt.asUintN(64, values[k] as bigint); break; }
    case 'u32': { const d = out.data as Uint32Array; for (let k = 0; k < numel; k++) d[k] = Number(BigInt.asUintN(32, values[k] as bigint)); break; }
    default: { const d = out.data as Float32Array; for (let k = 0; k < numel; k++) d[k] = values[k] as number; }
  }
  return out;
}

/** The typed field that holds values of `dtype`, as the ONNX spec assigns them. */
function typedFieldOf(t: OnnxTensor, dtype: DType): { field: string; values: readonly (number | bigint)[] } | undefined {
  switch (dtype) {
    case 'f32': return t.floatData && { field: 'float_data', values: t.floatData };
    case 'f64': return t.doubleData && { field: 'double_data', values: t.doubleData };
    case 'i64': return t.int64Data && { field: 'int64_data', values: t.int64Data };
    case 'u32': case 'u64': return t.uint64Data && { field: 'uint64_data', values: t.uint64Data };
    default: return t.int32Data && { field: 'int32_data', values: t.int32Data };
  }
}

function readExternal(ext: NonNullable<OnnxTensor['external']>, needBytes: number, what: string, opts: TensorConversionOptions): Uint8Array {
  const { file } = opts;
  const { location } = ext;
  if (isAbsolute(location) || /^[a-zA-Z]:/.test(location) || location.startsWith('\\')) {
    throw diag('DSC1006', `${what} has external data at the absolute path '${location}'; only paths relative to the model are allowed`, { file });
  }
  if (location.split(/[\\/]/).includes('..')) {
    throw diag('DSC1006', `${what} has external data at '${location}', which leaves the model's directory`, { file });
  }
  const path = join(opts.baseDir ?? dirname(file), location);
  let data: Uint8Array;
  try {
    data = (opts.readFile ?? readFileSync)(path);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw diag('DSC1006', `${what}: external data file '${location}' cannot be read (${reason})`, { file });
  }
  const length = ext.length ?? needBytes;
  if (length !== needBytes) {
    throw diag('DSC1006', `${what}: external data length is ${length} bytes, but the tensor needs ${needBytes}`, { file });
  }
  if (ext.offset > data.length || length > data.length - ext.offset) {
    throw diag('DSC1006', `${what}: external data at offset ${ext.offset} with length ${length} runs past the end of '${location}' (${data.length} bytes)`, { file });
  }
  return data.subarray(ext.offset, ext.offset + length);
}
