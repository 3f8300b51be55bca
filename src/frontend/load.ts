// Loading a model file of any kind the compiler reads, by extension.
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { parseGraph } from '../ir/parser.js';
import { importOnnxFile } from './onnx/import.js';
import { diag, DiagnosticError } from '../diag/diagnostic.js';
import { compileDsFile } from './ds/compile.js';

export interface LoadOptions {
  /** values for graph inputs that determine shapes (ONNX models only) */
  knownInputs?: ReadonlyMap<string, Tensor>;
  /** search point choices by path (.ds models only) */
  choose?: ReadonlyMap<string, string | number>;
}

export const MODEL_KINDS = '.ds (dsc language), .onnx (ONNX model) or .ir (dsc IR text)';

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
  if (ext === '.ds') {
    const text = new TextDecoder().decode(readSourceFile(path));
    const r = compileDsFile(path, { choose: opts.choose, sources: new Map([[resolve(path), text]]) });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length || !r.graph) throw new DiagnosticError(errors.length ? errors : r.diagnostics);
    return r.graph;
  }
  throw diag('DSC9002', `${path}: unknown model file kind '${ext || '(no extension)'}'; expected ${MODEL_KINDS}`, { file: path });
}
