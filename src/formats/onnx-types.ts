// Plain TypeScript shapes of the ONNX protobuf messages dsc reads (onnx.proto3, IR versions 3-9).
// Decoding lives in onnx-proto.ts; only the fields dsc uses are kept.

export interface OnnxModel {
  irVersion: number;
  producerName: string;
  /** domain ('' = ai.onnx) -> opset version */
  opsets: Map<string, number>;
  graph: OnnxGraph;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  /** '' marks an omitted optional input/output */
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export type OnnxAttribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: OnnxTensor }
  | { type: 'graph'; value: OnnxGraph }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'unsupported'; onnxType: number };

/** ONNX TensorProto.DataType numbers */
export const ONNX_DTYPE = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
} as const;

export interface OnnxTensor {
  name: string;
  /** ONNX data type number (ONNX_DTYPE) */
  dataType: number;
  dims: number[];
  /** the data is in exactly one of these, as in the proto; raw is little-endian bytes */
  raw?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: bigint[];
  doubleData?: number[];
  uint64Data?: bigint[];
  stringData?: Uint8Array[];
  /** external data: location (relative to the model file), offset, length */
  external?: { location: string; offset: number; length?: number };
}

export interface OnnxValueInfo {
  name: string;
  /** undefined when the value is not a tensor (sequence, map, optional) */
  tensor?: {
    elemType: number;
    /** undefined: rank unknown; each dim a number, a symbolic name, or null (unknown) */
    shape?: (number | string | null)[];
  };
}
