// ONNX model -> IR graph. Initializers become parameters (named as in the model, so PyTorch
// state_dict names survive); shape arithmetic is folded at import time on symbolic dims, so the
// IR keeps only the computation; unsupported operators are reported together, before any work.
import { basename, dirname, extname } from 'node:path';
import { GraphBuilder } from '../../ir/builder.js';
import { Dim, sym } from '../../ir/dim.js';
import { Graph, Node, Value } from '../../ir/graph.js';
import { getOp } from '../../ir/registry.js';
import { runGraph } from '../../ir/interp.js';
import { Tensor, sizeOf } from '../../ir/tensor.js';
import { decodeModel, onnxDTypeName, onnxDTypeToDType, onnxTensorToTensor } from '../../formats/onnx-proto.js';
import { OnnxModel, OnnxNode } from '../../formats/onnx-types.js';
import { DiagnosticError, diag } from '../../diag/diagnostic.js';
import { readSourceFile } from '../load.js';
import { ImportState, NodeCtx } from './node-context.js';
import { OpRule, ruleFor } from './op-table.js';
import { KnownValue } from './values.js';

export interface ImportOptions {
  /** the model file, named in diagnostics */
  file: string;
  /** where external tensor data is found; defaults to the folder of `file` */
  baseDir?: string;
  /** data for graph inputs that determine shapes (Reshape targets, Slice bounds, ...) */
  knownInputs?: ReadonlyMap<string, Tensor>;
  /** symbol names for ONNX dims: keyed by dim_param, or by `input:axis` for a dim the model leaves unnamed */
  dimNames?: ReadonlyMap<string, string>;
}

export const MIN_OPSET = 1;
export const MAX_OPSET = 18;

/** Initializers up to this many elements (and every int64 one) are also constants for folding. */
const SMALL_CONSTANT = 64;
/** Results larger than this are computed at run time rather than stored in the graph. */
const MAX_FOLDED_ELEMENTS = 1_000_000;
/** Unsupported-operator messages name this many nodes per operator. */
const NAMED_NODES = 3;

/** Graph names exporters write when the user gave none (PyTorch: torch_jit, torch-jit-export; dynamo: main_graph). */
const EXPORTER_DEFAULT_NAMES = new Set(['', 'torch_jit', 'torch-jit-export', 'main_graph', 'graph', 'model']);

/** The model's name: the graph's own, or for an exporter's default the file's name (`lenet5.onnx` → `Lenet5`). */
export function modelName(graphName: string, file: string): string {
  if (!EXPORTER_DEFAULT_NAMES.has(graphName)) return graphName;
  const words = basename(file, extname(file)).split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const name = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return /^[A-Za-z]/.test(name) ? name : `Model${name}`;
}

export function importOnnx(model: OnnxModel, opts: ImportOptions): Graph {
  return new OnnxImporter(model, opts).run();
}

export function importOnnxFile(path: string, opts: { knownInputs?: ReadonlyMap<string, Tensor>; dimNames?: ReadonlyMap<string, string> } = {}): Graph {
  const model = decodeModel(readSourceFile(path), path);
  return importOnnx(model, { file: path, baseDir: dirname(path), ...opts });
}

class OnnxImporter implements ImportState {
  readonly file: string;
  readonly baseDir: string;
  readonly opset: number;
  private readonly b: GraphBuilder;
  private readonly values = new Map<string, KnownValue>();
  /** run-time IR values made for constants and symbolic vectors, once per ONNX value */
  private readonly materialized = new Map<string, Value>();
  private readonly producers = new Map<string, OnnxNode>();
  private readonly nodeIndex = new Map<OnnxNode, number>();
  private readonly rules = new Map<OnnxNode, OpRule>();
  private readonly graphInputs = new Set<string>();
  private readonly initializers: ReadonlySet<string>;
  private readonly used = new Set<string>();
  /** values whose data (not just dtype) a live node or a graph output needs */
  private readonly dataRead = new Set<string>();
  private freshDims = 0;
  /** dataOf results, null for values not computable at import time */
  private readonly data = new Map<string, Tensor | null>();

  constructor(private readonly model: OnnxModel, private readonly opts: ImportOptions) {
    this.file = opts.file;
    this.baseDir = opts.baseDir ?? dirname(opts.file);
    this.opset = checkOpset(model, opts.file);
    this.initializers = new Set(model.graph.initializers.map((t) => t.name));
    this.b = new GraphBuilder(modelName(model.graph.name, opts.file));
  }

  run(): Graph {
    const g = this.model.graph;
    g.nodes.forEach((n, i) => {
      this.nodeIndex.set(n, i);
      for (const o of n.outputs) if (o !== '') this.producers.set(o, n);
    });
    const live = this.liveNodes();
    this.checkSupported(live);
    this.addInputsAndParams();
    for (const node of g.nodes) if (live.has(node)) this.importNode(node);
    for (const out of g.outputs) this.addOutput(out.name);
    removeDeadCode(this.b.graph);
    return this.b.graph;
  }

  // ---- ImportState ----

  known(name: string): KnownValue | undefined { return this.values.get(name); }

  isUsed(name: string): boolean { return this.used.has(name); }

  nodeLabel(node: OnnxNode): string {
    return `${node.opType} node ${node.name ? `'${node.name}'` : `#${this.nodeIndex.get(node)}`}`;
  }

  materialize(name: string): Value {
    const done = this.materialized.get(name);
    if (done) return done;
    const k = this.values.get(name);
    if (!k) throw diag('DSC2002', `value '${name}' is used before it is defined`, { file: this.file });
    let v: Value;
    if (k.kind === 'runtime') v = k.value;
    else if (k.kind === 'const') v = k.param ?? this.b.op1('constant', [], { value: k.tensor }, { name });
    else {
      // a symbolic vector needed as data: emit the nodes that compute it
      const node = this.producers.get(name)!;
      const outs = this.rules.get(node)!.translate(new NodeCtx(this, node, this.b, false));
      node.outputs.forEach((o, i) => { const x = outs[i]; if (o !== '' && x) this.materialized.set(o, x); });
      v = this.materialized.get(name)!;
    }
    this.materialized.set(name, v);
    return v;
  }

  dataOf(name: string): Tensor | undefined {
    const done = this.data.get(name);
    if (done !== undefined) return done ?? undefined;
    this.data.set(name, null);
    const k = this.values.get(name);
    let t: Tensor | undefined;
    if (k?.kind === 'const') t = k.tensor;
    else if (k?.kind === 'runtime') {
      t = k.known ?? this.b.graph.weights.get(k.value.name);
      const node = this.producers.get(name);
      if (!t && node && node.inputs.every((i) => i === '' || this.dataOf(i))) {
        const outs = this.evaluate(node, this.rules.get(node)!);
        node.outputs.forEach((o, j) => { const x = outs?.[j]; if (o !== '' && x?.kind === 'const') this.data.set(o, x.tensor); });
        t = this.data.get(name) ?? undefined;
      }
    }
    this.data.set(name, t ?? null);
    return t;
  }

  whyNotConstant(name: string): string {
    const seen = new Set<string>();
    const queue = [name];
    while (queue.length > 0) {
      const n = queue.shift()!;
      if (seen.has(n)) continue;
      seen.add(n);
      if (this.graphInputs.has(n)) return `it depends on graph input '${n}'`;
      const p = this.producers.get(n);
      if (p) for (const i of p.inputs) if (i !== '' && this.values.get(i)?.kind === 'runtime') queue.push(i);
    }
    const p = this.producers.get(name);
    return p ? `it is computed at run time by ${this.nodeLabel(p)}` : `it is only known at run time`;
  }

  // ---- phases ----

  /** Nodes that contribute to a graph output; the others are not imported. */
  private liveNodes(): Set<OnnxNode> {
    const live = new Set<OnnxNode>();
    const stack = this.model.graph.outputs.map((o) => o.name);
    for (const n of stack) { this.used.add(n); this.dataRead.add(n); }
    while (stack.length > 0) {
      const node = this.producers.get(stack.pop()!);
      if (!node || live.has(node)) continue;
      live.add(node);
      const typeOnly = ruleFor(node.opType)?.typeOnlyInputs ?? [];
      node.inputs.forEach((i, k) => {
        if (i === '') return;
        this.used.add(i);
        if (!typeOnly.includes(k)) this.dataRead.add(i);
        stack.push(i);
      });
    }
    return live;
  }

  /** Every node must have a translation; all that do not are reported in one diagnostic. */
  private checkSupported(live: Set<OnnxNode>): void {
    const problems = new Map<string, string[]>();
    let count = 0;
    for (const node of this.model.graph.nodes) {
      if (!live.has(node)) continue;
      const problem = this.ruleProblem(node);
      if (problem === undefined) continue;
      count++;
      const names = problems.get(problem) ?? [];
      names.push(node.name ? `'${node.name}'` : `#${this.nodeIndex.get(node)}`);
      problems.set(problem, names);
    }
    if (count === 0) return;
    const parts = [...problems].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([what, names]) => {
      const shown = names.slice(0, NAMED_NODES).join(', ');
      const more = names.length > NAMED_NODES ? ` and ${names.length - NAMED_NODES} more` : '';
      return `${what} (${names.length === 1 ? 'node' : 'nodes'} ${shown}${more})`;
    });
    throw diag('DSC2001', `${count} unsupported operator${count === 1 ? '' : 's'}: ${parts.join(', ')}`, { file: this.file });
  }

  /** undefined when the node can be imported, else how to name what is missing (e.g. "LSTM"). */
  private ruleProblem(node: OnnxNode): string | undefined {
    if (node.domain !== '' && node.domain !== 'ai.onnx') return `${node.domain}.${node.opType}`;
    const rule = ruleFor(node.opType);
    if (!rule || rule.irOps.some((op) => !getOp(op))) return node.opType;
    const reason = rule.unsupported?.(node, {
      opset: this.opset,
      used: (i) => i < node.outputs.length && node.outputs[i] !== '' && this.used.has(node.outputs[i]),
      isConstant: (name) => this.initializers.has(name) || this.producers.get(name)?.opType === 'Constant',
    });
    if (reason) return `${node.opType} with ${reason}`;
    this.rules.set(node, rule);
    return undefined;
  }

  private addInputsAndParams(): void {
    const g = this.model.graph;
    const initNames = new Set(g.initializers.map((t) => t.name));
    const taken = new Set<string>();
    for (const vi of g.inputs) for (const d of vi.tensor?.shape ?? []) if (typeof d === 'string') taken.add(this.symbolName(d));
    for (const vi of g.inputs) {
      if (initNames.has(vi.name)) continue;
      const where = { file: this.file };
      if (!vi.tensor) throw diag('DSC2002', `graph input '${vi.name}' is not a tensor (sequences, maps and optionals are not supported)`, where);
      const dtype = onnxDTypeToDType(vi.tensor.elemType);
      if (!dtype) throw diag('DSC1005', `graph input '${vi.name}' has dtype ${onnxDTypeName(vi.tensor.elemType)}, which dsc does not support`, where);
      const knownData = this.opts.knownInputs?.get(vi.name);
      const onnxShape = vi.tensor.shape ?? knownData?.shape;
      if (!onnxShape) throw diag('DSC2002', `graph input '${vi.name}' has no shape; dsc needs the rank of every input`, where);
      const shape: Dim[] = onnxShape.map((d, axis) => {
        if (typeof d === 'number') return d;
        if (typeof d === 'string' && d !== '') return sym(this.symbolName(d));
        const named = this.opts.dimNames?.get(`${vi.name}:${axis}`);
        if (named) return sym(named);
        let s: string;
        do s = `d${this.freshDims++}`; while (taken.has(s));
        return sym(s);
      });
      if (!this.dataRead.has(vi.name)) {
        // nothing reads its data: it keeps a type for dtype-only uses but is not an input of the IR graph
        this.values.set(vi.name, { kind: 'runtime', value: new Value(vi.name, { dtype, shape }) });
        this.b.graph.unreadInputs.push(vi.name);
        continue;
      }
      const value = this.b.input(vi.name, { dtype, shape });
      this.graphInputs.add(vi.name);
      this.values.set(vi.name, { kind: 'runtime', value, ...(knownData ? { known: knownData } : {}) });
    }
    for (const t of g.initializers) {
      const tensor = onnxTensorToTensor(t, { file: this.file, baseDir: this.baseDir });
      const param = this.b.param(t.name, { dtype: tensor.dtype, shape: tensor.shape }, tensor);
      const small = tensor.size <= SMALL_CONSTANT || tensor.dtype === 'i64';
      this.values.set(t.name, small ? { kind: 'const', tensor, param } : { kind: 'runtime', value: param });
    }
  }

  private symbolName(dimParam: string): string {
    const named = this.opts.dimNames?.get(dimParam);
    if (named) return named;
    const s = dimParam.replace(/[^A-Za-z0-9_]/g, '_');
    return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
  }

  private importNode(node: OnnxNode): void {
    for (const i of node.inputs)
      if (i !== '' && !this.values.has(i)) throw diag('DSC2002', `${this.nodeLabel(node)} uses '${i}' before it is defined`, { file: this.file });
    const rule = this.rules.get(node)!;
    if (rule.passThrough) {
      this.values.set(node.outputs[0], this.values.get(node.inputs[0])!);
      return;
    }
    const cx = new NodeCtx(this, node, this.b, false);
    const folded = rule.fold?.(cx) ?? this.foldConstants(node, rule);
    if (folded) {
      node.outputs.forEach((o, i) => { if (o !== '' && folded[i]) this.values.set(o, folded[i]); });
      return;
    }
    const outs = rule.translate(cx);
    node.outputs.forEach((o, i) => {
      const v = outs[i];
      if (o !== '' && v) this.values.set(o, { kind: 'runtime', value: v });
    });
  }

  /** Fold a node whose inputs are all constants. */
  private foldConstants(node: OnnxNode, rule: OpRule): KnownValue[] | undefined {
    const inputs = node.inputs.filter((i) => i !== '');
    if (inputs.length === 0 || inputs.some((i) => this.values.get(i)!.kind !== 'const')) return undefined;
    return this.evaluate(node, rule);
  }

  /** Evaluate a node whose inputs all have data by translating it into a scratch graph and running that. */
  private evaluate(node: OnnxNode, rule: OpRule): KnownValue[] | undefined {
    const scratch = new GraphBuilder('fold');
    const outs = rule.translate(new NodeCtx(this, node, scratch, true));
    const present = outs.filter((v): v is Value => v !== null);
    const staticSize = (v: Value) => (v.type.shape.every((d) => typeof d === 'number') ? sizeOf(v.type.shape as number[]) : Infinity);
    if (present.some((v) => staticSize(v) > MAX_FOLDED_ELEMENTS)) return undefined;
    scratch.output(...present);
    let results: Map<string, Tensor>;
    try {
      results = runGraph(scratch.graph, {});
    } catch (e) {
      if (e instanceof DiagnosticError) throw diag('DSC2005', `${this.nodeLabel(node)}: ${e.diagnostics[0].message}`, { file: this.file });
      throw e;
    }
    return outs.map((v) => (v ? { kind: 'const', tensor: results.get(v.name)! } : undefined)) as KnownValue[];
  }

  /** Graph outputs keep their ONNX names; a value that is already an input, parameter or output is copied. */
  private addOutput(name: string): void {
    if (!this.values.has(name)) throw diag('DSC2002', `graph output '${name}' is not produced by any node`, { file: this.file });
    let v = this.materialize(name);
    const g = this.b.graph;
    if (!v.producer || g.outputs.includes(v)) {
      v = this.b.op1(getOp('identity') ? 'identity' : 'reshape', [v], getOp('identity') ? {} : { shape: [...v.type.shape] }, { name });
    }
    if (v.name !== name) {
      const holder = g.nodes.flatMap((n) => n.outputs).find((x) => x.name === name);
      if (holder) holder.name = this.b.freshName(name);
      // an input or parameter keeps its name; the copy made above then has a fresh one
      if (holder || ![...g.inputs, ...g.params].some((x) => x.name === name)) v.name = name;
    }
    g.outputs.push(v);
  }
}

function checkOpset(model: OnnxModel, file: string): number {
  const v = model.opsets.get('') ?? model.opsets.get('ai.onnx');
  if (v === undefined) {
    // a graph of other domains' operators only: the unsupported-operator check reports them
    if (model.graph.nodes.every((n) => n.domain !== '' && n.domain !== 'ai.onnx')) return MAX_OPSET;
    throw diag('DSC2003', `the model imports no opset of the default ONNX domain`, { file });
  }
  if (v < MIN_OPSET || v > MAX_OPSET) throw diag('DSC2003', `opset ${v} of the default ONNX domain is not supported (dsc imports opsets ${MIN_OPSET} to ${MAX_OPSET})`, { file });
  return v;
}

/** Drop nodes whose results reach no output, and parameters nothing uses (shape constants folded away). */
function removeDeadCode(g: Graph): void {
  const live = new Set<Value>(g.outputs);
  const kept: Node[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if (!n.outputs.some((o) => live.has(o))) continue;
    kept.push(n);
    for (const v of n.inputs) if (v) live.add(v);
  }
  g.nodes = kept.reverse();
  g.params = g.params.filter((p) => live.has(p));
  const paramNames = new Set(g.params.map((p) => p.name));
  for (const name of [...g.weights.keys()]) if (!paramNames.has(name)) g.weights.delete(name);
}
