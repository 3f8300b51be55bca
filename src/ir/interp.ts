// The reference interpreter: runs any verified graph on concrete tensors. It is the numerical
// truth every backend is compared against, so it checks everything it can: input dtypes and
// shapes (binding symbolic dims), weights, and that each op's result has the inferred type.
import { Graph, Value, Node, Attrs, TensorType, typeToString } from './graph.js';
import { getOp, withDefaults, OpError, OpDef } from './registry.js';
import { Tensor } from './tensor.js';
import { Dim, DimEnv, evalDim, isUnknown, dimToString } from './dim.js';
import { diag } from '../diag/diagnostic.js';
import './ops/index.js';

export interface RunOptions {
  /** parameter data by name; falls back to graph.weights */
  weights?: ReadonlyMap<string, Tensor>;
  /** label for messages, e.g. the model file */
  source?: string;
}

/** Bind symbolic dims of `type` against a concrete shape; returns an error text or null. */
export function bindShape(type: TensorType, shape: readonly number[], env: Map<string, number>): string | null {
  if (type.shape.length !== shape.length) return `rank ${shape.length}, expected ${type.shape.length} (${typeToString(type)})`;
  const deferred: [Dim, number, number][] = [];
  for (let i = 0; i < shape.length; i++) {
    const d = type.shape[i];
    if (typeof d === 'number') {
      if (d !== shape[i]) return `dim ${i} is ${shape[i]}, expected ${d} (${typeToString(type)})`;
    } else if (isUnknown(d)) {
      continue;
    } else if (d.poly.size === 1 && d.poly.get(d.key) === 1 && d.atoms.get(d.key)?.k === 'sym') {
      const name = d.key;
      const bound = env.get(name);
      if (bound === undefined) env.set(name, shape[i]);
      else if (bound !== shape[i]) return `dim ${i} is ${shape[i]}, but ${name} is already ${bound} (${typeToString(type)})`;
    } else deferred.push([d, i, shape[i]]);
  }
  for (const [d, i, actual] of deferred) {
    let v: number;
    try { v = evalDim(d, env); } catch { continue; }
    if (v !== actual) return `dim ${i} is ${actual}, but ${dimToString(d)} = ${v} (${typeToString(type)})`;
  }
  return null;
}

/** Attributes with defaults, and 'dims' attributes evaluated under env. */
export function resolveAttrs(def: OpDef, attrs: Attrs, env: DimEnv): Attrs {
  const full = withDefaults(def, attrs);
  for (const [k, spec] of Object.entries(def.attrs))
    if (spec.kind === 'dims' && full[k] !== undefined) full[k] = (full[k] as Dim[]).map((d) => evalDim(d, env));
  return full;
}

export function evalNode(node: Node, inputs: (Tensor | null)[], env: Map<string, number>): Tensor[] {
  const def = getOp(node.op);
  if (!def) throw new OpError(`unknown op ${node.op}`);
  const attrs = resolveAttrs(def, node.attrs, env);
  const outs = def.eval({ inputs, attrs, nOutputs: node.outputs.length, outTypes: node.outputs.map((o) => o.type), env });
  if (outs.length !== node.outputs.length) throw new OpError(`${node.op} produced ${outs.length} outputs, node declares ${node.outputs.length}`);
  for (let i = 0; i < outs.length; i++) {
    const want = node.outputs[i].type;
    if (outs[i].dtype !== want.dtype) throw new OpError(`${node.op} produced ${outs[i].dtype} for %${node.outputs[i].name}, its type says ${typeToString(want)}`);
    const err = bindShape(want, outs[i].shape, env);
    if (err) throw new OpError(`${node.op} produced shape [${outs[i].shape.join(', ')}] for %${node.outputs[i].name}: ${err}`);
  }
  return outs;
}

/** Run a graph. Inputs by graph input name; returns outputs by output value name. */
export function runGraph(graph: Graph, inputs: ReadonlyMap<string, Tensor> | Record<string, Tensor>, opts: RunOptions = {}): Map<string, Tensor> {
  const given = inputs instanceof Map ? inputs : new Map(Object.entries(inputs));
  const source = opts.source ?? graph.name;
  const env = new Map<string, number>();
  const vals = new Map<Value, Tensor>();
  const declared = new Set(graph.inputs.map((v) => v.name));
  for (const name of given.keys())
    if (!declared.has(name))
      throw diag('DSC4001', `'${name}' is not an input of ${source}; inputs are: ${graph.inputs.map((v) => v.name).join(', ') || '(none)'}`, { file: source });
  for (const v of graph.inputs) {
    const t = given.get(v.name);
    if (!t) throw diag('DSC4002', `input '${v.name}' (${typeToString(v.type)}) is missing`, { file: source });
    if (t.dtype !== v.type.dtype) throw diag('DSC4003', `input '${v.name}' has dtype ${t.dtype}, expected ${v.type.dtype}`, { file: source });
    const err = bindShape(v.type, t.shape, env);
    if (err) throw diag('DSC4004', `input '${v.name}' has shape [${t.shape.join(', ')}]: ${err}`, { file: source });
    vals.set(v, t);
  }
  const weights = opts.weights ?? graph.weights;
  for (const p of graph.params) {
    const t = weights.get(p.name);
    if (!t) throw diag('DSC4005', `weight '${p.name}' (${typeToString(p.type)}) is missing`, { file: source });
    if (t.dtype !== p.type.dtype) throw diag('DSC4006', `weight '${p.name}' has dtype ${t.dtype}, expected ${p.type.dtype}`, { file: source });
    const err = bindShape(p.type, t.shape, env);
    if (err) throw diag('DSC4006', `weight '${p.name}' has shape [${t.shape.join(', ')}]: ${err}`, { file: source });
    vals.set(p, t);
  }
  // free each value after its last use so large models fit
  const lastUse = new Map<Value, number>();
  graph.nodes.forEach((n, i) => n.inputs.forEach((v) => v && lastUse.set(v, i)));
  const keep = new Set(graph.outputs);
  graph.nodes.forEach((node, i) => {
    const ins = node.inputs.map((v) => {
      if (!v) return null;
      const t = vals.get(v);
      if (!t) throw new OpError(`internal error: %${v.name} used before it is defined`);
      return t;
    });
    let outs: Tensor[];
    try {
      outs = evalNode(node, ins, env);
    } catch (e) {
      if (e instanceof OpError || e instanceof RangeError)
        throw diag('DSC4008', `${node.op}${node.loc ? ` (${node.loc})` : ''} -> %${node.outputs.map((o) => o.name).join(', %')}: ${e.message}`, { file: source });
      throw e;
    }
    node.outputs.forEach((o, j) => vals.set(o, outs[j]));
    for (const v of node.inputs) if (v && lastUse.get(v) === i && !keep.has(v) && v.producer) vals.delete(v);
  });
  const out = new Map<string, Tensor>();
  for (const v of graph.outputs) out.set(v.name, vals.get(v)!);
  return out;
}
