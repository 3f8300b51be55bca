// The ONNX backend conformance runner: imports each case of the ONNX test suite (as Debian's
// libonnx-testdata ships it), runs it in the reference interpreter and compares with the suite's
// expected outputs. Every case ends in exactly one outcome; nothing a case does stops the run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DiagnosticError } from '../../src/diag/diagnostic.js';
import { decodeModel, decodeTensorProto, onnxTensorToTensor } from '../../src/formats/onnx-proto.js';
import { OnnxGraph, OnnxModel, OnnxValueInfo, ONNX_DTYPE } from '../../src/formats/onnx-types.js';
import { importOnnx } from '../../src/frontend/onnx/import.js';
import { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from './compare.js';

export const TESTDATA_ROOT = '/usr/share/libonnx-testdata/data';
/** The suites that hold runnable cases ('real' only has download links to model zoo files). */
export const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'] as const;

export interface ConformanceCase {
  /** suite/case, e.g. node/test_add */
  id: string;
  dir: string;
}

export type Outcome = 'pass' | 'fail' | 'unsupported' | 'error' | 'not-tensor-only';

/** One data set of a passing case, as imported: what a compiled target runs and must match. */
export interface DataSetCheck {
  /** test_data_set_N */
  set: string;
  graph: Graph;
  /** values of graph.inputs, in order */
  inputs: Tensor[];
  /** the suite's expected outputs, by position */
  expected: Tensor[];
}

export interface CaseResult {
  id: string;
  outcome: Outcome;
  /** operator types the model uses (subgraphs included), sorted; 'domain.Op' outside ai.onnx */
  ops: string[];
  /** fail: which output differs and by how much; unsupported: the ops; error: the first line */
  reason: string;
  /** for 'unsupported': the case's operators that the importer named as unsupported */
  unsupportedOps: string[];
  /** wall time of the case; for spotting slow cases, never written to the report */
  ms: number;
  /** for 'pass': every data set with its imported graph, so compiled targets can run the same checks */
  checks: DataSetCheck[];
}

/**
 * Only the cases whose id matches this regular expression (case-insensitive), when set, to iterate on a few ops:
 * `DSC_CONFORMANCE_FILTER='convtranspose|instancenorm' npx vitest run test/conformance/onnx-suite.test.ts`
 * (the suite then checks its baselines on those cases only and never rewrites them).
 */
export const CASE_FILTER = process.env.DSC_CONFORMANCE_FILTER ? new RegExp(process.env.DSC_CONFORMANCE_FILTER, 'i') : null;

/** Every case directory of the suites under `root` (those CASE_FILTER matches), sorted by id. */
export function listCases(root: string = TESTDATA_ROOT): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const suite of SUITES) {
    const suiteDir = join(root, suite);
    if (!existsSync(suiteDir)) continue;
    for (const name of readdirSync(suiteDir)) {
      const dir = join(suiteDir, name);
      const id = `${suite}/${name}`;
      if (existsSync(join(dir, 'model.onnx')) && (!CASE_FILTER || CASE_FILTER.test(id))) cases.push({ id, dir });
    }
  }
  return cases.sort((a, b) => compareStrings(a.id, b.id));
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Operator types of a graph and of every subgraph in its attributes (If, Loop, Scan bodies). */
export function opTypesOf(graph: OnnxGraph, into: Set<string> = new Set()): Set<string> {
  for (const node of graph.nodes) {
    into.add(node.domain === '' || node.domain === 'ai.onnx' ? node.opType : `${node.domain}.${node.opType}`);
    for (const attr of node.attributes.values()) if (attr.type === 'graph') opTypesOf(attr.value, into);
  }
  return into;
}

const NON_TENSOR_ELEMENTS: ReadonlySet<number> = new Set([ONNX_DTYPE.STRING, ONNX_DTYPE.COMPLEX64, ONNX_DTYPE.COMPLEX128]);

/**
 * Whether all graph inputs and outputs are numeric tensors. Cases with sequences, optionals, maps or
 * string/complex tensors are outside what dsc models; the suite's 896 tensor-only node cases are the
 * figure onnxruntime-node is measured on.
 */
export function isTensorOnly(model: OnnxModel): boolean {
  return [...model.graph.inputs, ...model.graph.outputs].every((v) => v.tensor !== undefined && !NON_TENSOR_ELEMENTS.has(v.tensor.elemType));
}

interface DataSet {
  dir: string;
  inputs: Tensor[];
  outputs: Tensor[];
}

function readTensorFiles(dir: string, prefix: 'input' | 'output'): Tensor[] {
  const tensors: Tensor[] = [];
  for (let i = 0; existsSync(join(dir, `${prefix}_${i}.pb`)); i++) {
    const file = join(dir, `${prefix}_${i}.pb`);
    tensors.push(onnxTensorToTensor(decodeTensorProto(readFileSync(file), file), { file }));
  }
  return tensors;
}

function readDataSets(caseDir: string): DataSet[] {
  return readdirSync(caseDir)
    .filter((name) => name.startsWith('test_data_set_'))
    .sort((a, b) => Number(a.slice('test_data_set_'.length)) - Number(b.slice('test_data_set_'.length)))
    .map((name) => {
      const dir = join(caseDir, name);
      return { dir, inputs: readTensorFiles(dir, 'input'), outputs: readTensorFiles(dir, 'output') };
    });
}

/**
 * numpy has no bfloat16, so the suite stores bf16 data as UINT16 tensors of the same bits; read them
 * as the bf16 the model declares.
 */
function asDeclared(t: Tensor, declared: OnnxValueInfo | undefined): Tensor {
  return t.dtype === 'u16' && declared?.tensor?.elemType === ONNX_DTYPE.BFLOAT16 ? new Tensor('bf16', t.shape, t.data) : t;
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

/** Runs one case to its outcome; never throws. */
export function runCase(c: ConformanceCase): CaseResult {
  const start = performance.now();
  const result = runCaseUntimed(c);
  return { ...result, ms: performance.now() - start };
}

function runCaseUntimed(c: ConformanceCase): Omit<CaseResult, 'ms'> {
  const modelFile = join(c.dir, 'model.onnx');
  let ops: string[] = [];
  const checks: DataSetCheck[] = [];
  // messages name files by absolute path; the case id already says where
  const outcome = (o: Outcome, reason = '', unsupportedOps: string[] = []) =>
    ({ id: c.id, outcome: o, ops, reason: reason.split(`${c.dir}/`).join(''), unsupportedOps, checks: o === 'pass' ? checks : [] });
  try {
    const model = decodeModel(readFileSync(modelFile), modelFile);
    ops = [...opTypesOf(model.graph)].sort(compareStrings);
    if (!isTensorOnly(model)) return outcome('not-tensor-only');
    const sets = readDataSets(c.dir);
    if (sets.length === 0) return outcome('error', 'the case has no test_data_set');
    const initializers = new Set(model.graph.initializers.map((t) => t.name));
    // The suite feeds input_i.pb to the i-th graph input that is not an initializer.
    const graphInputs = model.graph.inputs.filter((v) => !initializers.has(v.name));
    const inputNames = graphInputs.map((v) => v.name);
    for (const set of sets) {
      set.inputs = set.inputs.map((t, i) => asDeclared(t, graphInputs[i]));
      set.outputs = set.outputs.map((t, i) => asDeclared(t, model.graph.outputs[i]));
      if (set.inputs.length > inputNames.length)
        return outcome('error', `${set.inputs.length} input files, but the model has ${inputNames.length} inputs`);
      const given = new Map(set.inputs.map((t, i) => [inputNames[i], t] as const));
      const graph = importOnnx(model, { file: modelFile, baseDir: c.dir, knownInputs: given });
      // An input the importer folded into the graph as a constant is no longer a graph input.
      const declared = new Set(graph.inputs.map((v) => v.name));
      const runInputs = new Map([...given].filter(([name]) => declared.has(name)));
      const results = runGraph(graph, runInputs, { source: c.id });
      if (graph.outputs.length !== set.outputs.length)
        return outcome('fail', `${graph.outputs.length} outputs, expected ${set.outputs.length}`);
      for (let i = 0; i < set.outputs.length; i++) {
        const name = graph.outputs[i].name;
        const cmp = compareTensors(results.get(name)!, set.outputs[i]);
        if (!cmp.ok) return outcome('fail', `output ${i} '${name}' (${setName(set.dir)}): ${cmp.reason}`);
      }
      checks.push({ set: setName(set.dir), graph, inputs: graph.inputs.map((v) => runInputs.get(v.name)!), expected: set.outputs });
    }
    return outcome('pass');
  } catch (e) {
    if (e instanceof DiagnosticError) {
      const d = e.diagnostics[0];
      if (d.code === 'DSC2001') {
        // the importer's message names the operators; keep those of this case that it mentions
        const named = ops.filter((op) => new RegExp(`\\b${op.replace(/\./g, '\\.')}\\b`).test(e.message));
        return outcome('unsupported', named.length ? named.join(', ') : firstLine(d.message), named);
      }
      return outcome('error', `${d.code}: ${firstLine(d.message)}`);
    }
    const err = e instanceof Error ? e : new Error(String(e));
    return outcome('error', `${err.name}: ${firstLine(err.message)}`);
  }
}

function setName(dir: string): string {
  return dir.slice(dir.lastIndexOf('/') + 1);
}

/**
 * Runs every case in order, in this process: the whole suite takes seconds. A case that never
 * returns cannot be interrupted from synchronous code, so `onCase` (progress, timings) is where a
 * slow case shows up first.
 */
export function runSuite(cases: readonly ConformanceCase[], onCase?: (r: CaseResult) => void): CaseResult[] {
  return cases.map((c) => {
    const r = runCase(c);
    onCase?.(r);
    return r;
  });
}
