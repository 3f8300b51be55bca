// The IR verifier: the invariants every pass may assume and must keep. It re-runs each op's shape
// rule on the declared input types, so a graph read from text or rewritten by a pass is checked
// against the registry, not trusted.
import { Graph, Node, Value, AttrValue, TensorType, typeEq, typeToString } from './graph.js';
import { isDType } from './dtype.js';
import { Dim, SymDim, dimEq, isUnknown, isFreshUnknown, unknownDimMark } from './dim.js';
import { Tensor } from './tensor.js';
import { AttrKind, OpDef, OpError, getOp, withDefaults } from './registry.js';
import { DimSpeller, dimSpellerOf, formatAttr, formatName } from './printer.js';
import { Diagnostic, DiagnosticError, SourceLoc } from '../diag/diagnostic.js';
import './ops/index.js';

const ref = (v: Value) => `%${formatName(v.name)}`;

/** A node as messages name it: its first output, then where it came from. */
function nodeLabel(node: Node, index: number): string {
  const head = node.outputs.length ? ref(node.outputs[0]) : `node #${index}`;
  return node.loc !== undefined ? `${head} (${node.loc})` : head;
}

/** A `file:line:col` node (or kernel) location becomes a source location, so the diagnostic shows a caret. */
export function sourceLoc(node: { readonly loc?: string }): SourceLoc | undefined {
  const m = node.loc !== undefined ? /^(.+):(\d+):(\d+)$/.exec(node.loc) : null;
  return m ? { file: m[1], line: Number(m[2]), col: Number(m[3]) } : undefined;
}

const isIntNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isDim = (v: unknown): v is Dim => isIntNumber(v) || v instanceof SymDim;

function fitsKind(v: AttrValue, kind: AttrKind): boolean {
  const list = (ok: (e: unknown) => boolean) => Array.isArray(v) && (v as readonly unknown[]).every(ok);
  switch (kind) {
    case 'int': return isIntNumber(v);
    case 'float': return typeof v === 'number';
    case 'bool': return typeof v === 'boolean';
    case 'string': return typeof v === 'string';
    case 'ints': return list(isIntNumber);
    case 'floats': return list((e) => typeof e === 'number');
    case 'strings': return list((e) => typeof e === 'string');
    case 'dims': return list(isDim);
    case 'dtype': return typeof v === 'string' && isDType(v);
    case 'tensor': return v instanceof Tensor;
  }
}

function describeAttr(v: AttrValue): string {
  if (v instanceof Tensor) return `a ${v.dtype} tensor`;
  if (v === null || v === undefined) return String(v);
  return formatAttr(v);
}

/** What is wrong with a value's type, or undefined. */
function typeProblem(t: TensorType): string | undefined {
  if (!isDType(t.dtype)) return `has unknown dtype '${t.dtype}'`;
  const bad = t.shape.find((d) => !(d instanceof SymDim) && !(isIntNumber(d) && d >= 0));
  return bad !== undefined ? `has invalid dim ${String(bad)} in its type` : undefined;
}

function inputCountProblem(def: OpDef, n: number): string | undefined {
  const max = def.inputs.length;
  if (def.variadic) {
    const min = max - 1 + (def.minInputs ?? 1);
    return n < min ? `takes at least ${min} input${min === 1 ? '' : 's'}, got ${n}` : undefined;
  }
  const optional = new Set(def.optional ?? []);
  let min = max;
  while (min > 0 && optional.has(def.inputs[min - 1])) min--;
  if (n >= min && n <= max) return undefined;
  const range = min === max ? `${max}` : `${min} to ${max}`;
  return `takes ${range} input${max === 1 ? '' : 's'}, got ${n}`;
}

/** All verification failures of a graph, in graph order; empty when the graph is valid. */
export function verifyGraph(g: Graph): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (message: string, loc?: SourceLoc) => out.push(new Diagnostic('DSC3002', message, loc));
  // built only when a message shows a type, so a valid graph is never printed
  let speller: DimSpeller | undefined;
  const spell = (t: TensorType) => (speller ??= dimSpellerOf(g)).type(t);

  // every value the graph defines, to tell "used too early" from "not in this graph at all"
  const everywhere = new Set<Value>([...g.inputs, ...g.params, ...g.nodes.flatMap((n) => n.outputs)]);
  const defined = new Set<Value>();
  const badlyTyped = new Set<Value>();
  const definedAs = new Map<string, string>();
  const defineValue = (v: Value, as: string, label: string, loc?: SourceLoc) => {
    const first = definedAs.get(v.name);
    if (first !== undefined) report(`${label}: ${ref(v)} is defined twice (first as ${first})`, loc);
    else definedAs.set(v.name, as);
    const problem = typeProblem(v.type);
    if (problem) { report(`${label}: ${ref(v)} ${problem}`, loc); badlyTyped.add(v); }
    defined.add(v);
  };

  for (const v of g.inputs) {
    if (v.producer) report(`graph input ${ref(v)} also records a producing node (${v.producer.op})`);
    defineValue(v, 'a graph input', `graph input ${ref(v)}`);
  }
  for (const v of g.params) {
    if (v.producer) report(`param ${ref(v)} also records a producing node (${v.producer.op})`);
    defineValue(v, 'a param', `param ${ref(v)}`);
    const w = g.weights.get(v.name);
    if (w && (w.dtype !== v.type.dtype || w.rank !== v.type.shape.length || w.shape.some((d, i) => isIntNumber(v.type.shape[i]) && d !== v.type.shape[i])))
      report(`param ${ref(v)}: its weight is ${typeToString({ dtype: w.dtype, shape: w.shape })} but the param declares ${spell(v.type)}`);
  }

  g.nodes.forEach((node, index) => {
    const label = nodeLabel(node, index);
    const loc = sourceLoc(node);
    const at = (message: string) => report(`${label}: ${message}`, loc);
    let inputsOk = true;
    node.inputs.forEach((v, i) => {
      if (v && badlyTyped.has(v)) inputsOk = false;
      if (!v || defined.has(v)) return;
      inputsOk = false;
      if (everywhere.has(v)) at(`${node.op} uses ${ref(v)} (input #${i}) before its definition`);
      else at(`${node.op} uses ${ref(v)} (input #${i}), which is not defined in the graph`);
    });
    for (const o of node.outputs) {
      if (o.producer !== node) at(`${node.op} output ${ref(o)} records another producing node`);
      defineValue(o, `an output of ${node.op}`, label, loc);
    }

    const def = getOp(node.op);
    if (!def) { at(`unknown op '${node.op}'`); return; }
    let ok = inputsOk;
    const countProblem = inputCountProblem(def, node.inputs.length);
    if (countProblem) { at(`${node.op} ${countProblem}`); ok = false; }
    const optional = new Set(def.optional ?? []);
    node.inputs.forEach((v, i) => {
      const name = def.variadic && i >= def.inputs.length ? def.inputs[def.inputs.length - 1] : def.inputs[i];
      if (v === null && name !== undefined && !optional.has(name)) { at(`${node.op} input '${name}' (#${i}) is required but omitted`); ok = false; }
    });

    for (const [k, v] of Object.entries(node.attrs)) {
      const spec = def.attrs[k];
      if (!spec) { at(`${node.op} has no attribute '${k}'`); ok = false; }
      else if (!fitsKind(v, spec.kind)) { at(`${node.op} attribute '${k}' must be ${spec.kind}, got ${describeAttr(v)}`); ok = false; }
    }
    for (const [k, spec] of Object.entries(def.attrs))
      if (!(k in node.attrs) && spec.default === undefined && !spec.optional) { at(`${node.op} needs attribute '${k}'`); ok = false; }

    if (def.outputs === 'variadic' ? node.outputs.length === 0 : node.outputs.length !== def.outputs) {
      const want = def.outputs === 'variadic' ? 'at least 1' : String(def.outputs);
      at(`${node.op} declares ${node.outputs.length} output${node.outputs.length === 1 ? '' : 's'}, the op has ${want}`);
      ok = false;
    }
    if (!ok) return;

    let inferred: TensorType[];
    const mark = unknownDimMark();
    try {
      inferred = def.infer({ inputs: node.inputs.map((v) => v?.type ?? null), attrs: withDefaults(def, node.attrs), nOutputs: node.outputs.length });
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      at(e instanceof OpError ? `${node.op} rejects its inputs: ${e.message}` : `internal error in the shape rule of ${node.op}: ${e.message}`);
      return;
    }
    if (inferred.length !== node.outputs.length) {
      at(`${node.op} infers ${inferred.length} outputs but the node declares ${node.outputs.length}`);
      return;
    }
    node.outputs.forEach((o, i) => {
      if (!typeMatches(inferred[i], o.type, mark))
        report(`${ref(o)}${node.loc !== undefined ? ` (${node.loc})` : ''}: ${node.op} infers ${spell(inferred[i])} but the node declares ${spell(o.type)}`, loc);
    });
  });

  for (const v of g.outputs)
    if (!everywhere.has(v)) report(`graph output ${ref(v)} is not defined in the graph`);
  checkGroupsContiguous(g, report);
  return out;
}

/**
 * A fusion group is one kernel, run at one point of the schedule, so its nodes must be adjacent
 * in node order; that also makes the group convex (no path leaves it and comes back).
 */
function checkGroupsContiguous(g: Graph, report: (message: string, loc?: SourceLoc) => void): void {
  const closed = new Set<number>();
  let current: number | undefined;
  g.nodes.forEach((node, index) => {
    if (node.group === current) return;
    if (current !== undefined) closed.add(current);
    current = node.group;
    if (current !== undefined && closed.has(current))
      report(`${nodeLabel(node, index)}: fusion group ${current} is split: other nodes come between its nodes`, sourceLoc(node));
  });
}

/**
 * Throw when the graph is invalid. After a pass, an invalid graph is the compiler's own fault,
 * so the messages say "internal error" and name the pass.
 */
export function assertValid(g: Graph, passName?: string): void {
  const diags = verifyGraph(g);
  if (diags.length === 0) return;
  throw new DiagnosticError(passName === undefined ? diags
    : diags.map((d) => new Diagnostic(d.code, `internal error: after pass '${passName}': ${d.message}`, d.loc, d.notes)));
}

/**
 * Declared type agrees with the inferred one. A data-dependent op infers a fresh unknown dim on
 * every call, so an inferred unknown dim accepts any declared unknown dim.
 */
function typeMatches(inferred: TensorType, declared: TensorType, mark: number): boolean {
  if (typeEq(inferred, declared)) return true;
  return inferred.dtype === declared.dtype && inferred.shape.length === declared.shape.length &&
    inferred.shape.every((d, i) => dimEq(d, declared.shape[i]) || (isFreshUnknown(d, mark) && isUnknown(declared.shape[i])));
}
