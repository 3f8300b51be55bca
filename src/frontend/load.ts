// Loading a model file of any kind the compiler reads, by extension.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { parseGraph } from '../ir/parser.js';
import { importOnnxFile } from './onnx/import.js';
import { diag } from '../diag/diagnostic.js';

export interface LoadOptions {
  /** values for graph inputs that determine shapes (ONNX models only) */
  knownInputs?: ReadonlyMap<string, Tensor>;
}

export const MODEL_KINDS = '.onnx (ONNX model) or .ir (dsc IR text)';

export function readSourceFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw diag('DSC1001', `cannot read ${path}: ${why}`, { file: path });
  }
}

export function loadModel(path: string, opts: LoadOptions = {}): Graph {
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx') return importOnnxFile(path, { knownInputs: opts.knownInputs });
  if (ext === '.ir') return parseGraph(new TextDecoder().decode(readSourceFile(path)), path);
  if (ext === '.ds') throw diag('DSC9002', `${path}: the .ds language frontend is not available in this version; use ${MODEL_KINDS}`, { file: path });
  throw diag('DSC9002', `${path}: unknown model file kind '${ext || '(no extension)'}'; expected ${MODEL_KINDS}`, { file: path });
}
