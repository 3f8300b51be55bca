// The one catalog of diagnostic codes. Codes are stable: never renumber, only add.
// DSC1xxx files and formats, DSC2xxx ONNX import, DSC3xxx IR text and verifier,
// DSC4xxx running models (inputs, weights), DSC5xxx .ds language, DSC6xxx compiling for a target,
// DSC9xxx command line.

export interface CatalogEntry { severity: 'error' | 'warning'; summary: string }

export const CATALOG = {
  DSC1001: { severity: 'error', summary: 'file cannot be read' },
  DSC1002: { severity: 'error', summary: 'malformed .npy file' },
  DSC1003: { severity: 'error', summary: 'malformed .safetensors file' },
  DSC1004: { severity: 'error', summary: 'malformed protobuf / .onnx file' },
  DSC1005: { severity: 'error', summary: 'unsupported dtype in a file' },
  DSC1006: { severity: 'error', summary: 'external tensor data missing or out of bounds' },
  DSC1007: { severity: 'error', summary: 'unsupported encoding in a model file (sparse or segmented tensors)' },
  DSC2001: { severity: 'error', summary: 'unsupported ONNX operators' },
  DSC2002: { severity: 'error', summary: 'invalid ONNX model structure' },
  DSC2003: { severity: 'error', summary: 'unsupported ONNX opset' },
  DSC2004: { severity: 'error', summary: 'shape-determining input is not a constant' },
  DSC2005: { severity: 'error', summary: 'ONNX node is ill-typed' },
  DSC3001: { severity: 'error', summary: 'IR syntax error' },
  DSC3002: { severity: 'error', summary: 'IR verification failed' },
  DSC4001: { severity: 'error', summary: 'unknown model input' },
  DSC4002: { severity: 'error', summary: 'missing model input' },
  DSC4003: { severity: 'error', summary: 'input dtype mismatch' },
  DSC4004: { severity: 'error', summary: 'input shape mismatch' },
  DSC4005: { severity: 'error', summary: 'missing weight' },
  DSC4006: { severity: 'error', summary: 'weight dtype or shape mismatch' },
  DSC4007: { severity: 'error', summary: 'unexpected weight' },
  DSC4008: { severity: 'error', summary: 'runtime error in an op' },
  DSC5001: { severity: 'error', summary: '.ds: unexpected character' },
  DSC5002: { severity: 'error', summary: '.ds: syntax error' },
  DSC5003: { severity: 'error', summary: '.ds: unterminated string literal' },
  DSC5004: { severity: 'error', summary: '.ds: unterminated block comment' },
  DSC5005: { severity: 'error', summary: '.ds: unknown escape sequence in a string' },
  DSC5006: { severity: 'error', summary: '.ds: a dimension literal must be a non-negative integer' },
  DSC6001: { severity: 'error', summary: 'model cannot be compiled for a target' },
  DSC6002: { severity: 'error', summary: 'ops or dtypes the target has no kernels for' },
  DSC6101: { severity: 'error', summary: 'model interface cannot be packaged (names, dims or kernel file paths)' },
  DSC6102: { severity: 'error', summary: 'native build of a generated package failed' },
  DSC6103: { severity: 'error', summary: 'native build tools are missing' },
  DSC9001: { severity: 'error', summary: 'bad command-line usage' },
  DSC9002: { severity: 'error', summary: 'unknown model file kind' },
  DSC9003: { severity: 'error', summary: 'unknown pass or bad pass option' },
} as const satisfies Record<string, CatalogEntry>;

export type DiagCode = keyof typeof CATALOG;
