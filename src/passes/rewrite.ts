// Graph-editing helpers shared by the passes. Passes sweep the nodes once in topological order,
// record "value A now stands for value B" in a Substitution, rebuild nodes in place, and finish
// with finishRewrite, which keeps graph output names stable and erases what became dead.
import { Attrs, Graph, Node, Value, typeEq } from '../ir/graph.js';
import { getOp, withDefaults } from '../ir/registry.js';
import { Tensor } from '../ir/tensor.js';
import '../ir/ops/index.js';

/** Values replaced by other values; lookups follow chains (a→b, b→c gives a→c). */
export class Substitution {
  private readonly map = new Map<Value, Value>();

  replace(from: Value, to: Value): void {
    if (from === to) return;
    if (!typeEq(from.type, to.type)) throw new Error(`cannot replace %${from.name} by %${to.name}: their types differ`);
    this.map.set(from, this.get(to));
  }

  get(v: Value): Value {
    let r = v;
    for (let next = this.map.get(r); next !== undefined; next = this.map.get(r)) r = next;
    return r;
  }

  get size(): number { return this.map.size; }

  /** the replaced values */
  sources(): IterableIterator<Value> { return this.map.keys(); }

  /** Point the node's inputs at their replacements. */
  applyTo(node: Node): void {
    if (this.map.size === 0) return;
    node.inputs = node.inputs.map((v) => (v ? this.get(v) : v));
  }
}

/**
 * Whether replacing graph output `from` by `to` needs an identity node to keep the output's name:
 * `to` is a graph input or param (whose names are user-visible too) or is already an output.
 */
export function replacementNeedsIdentity(graph: Graph, from: Value, to: Value): boolean {
  return graph.outputs.includes(from) && (to.producer === undefined || graph.outputs.includes(to));
}

/**
 * Apply a substitution to every node and to the graph outputs, then erase what became dead: the
 * replaced values, and `maybeDead` (typically the inputs of nodes the pass dropped). A replaced
 * graph output keeps its name: the replacement takes the name when it can, otherwise an identity
 * node named like the output is added.
 */
export function finishRewrite(graph: Graph, subst: Substitution, maybeDead: Iterable<Value | null> = []): void {
  for (const n of graph.nodes) subst.applyTo(n);
  const replaced = new Map<Value, Value>();
  for (const v of graph.outputs) {
    const to = subst.get(v);
    if (to !== v) replaced.set(v, to);
  }
  const taken = new Set(graph.outputs.filter((v) => !replaced.has(v)));
  let names: Set<string> | undefined;
  for (const [from, to] of replaced) {
    if (to.producer !== undefined && !taken.has(to)) {
      [to.name, from.name] = [from.name, to.name];
      taken.add(to);
      continue;
    }
    names ??= graph.valueNames();
    const outputName = from.name;
    from.name = freshName(names, outputName);
    const kept = new Value(outputName, to.type);
    graph.nodes.push(new Node('identity', [to], {}, [kept]));
    replaced.set(from, kept);
  }
  graph.outputs = graph.outputs.map((v) => replaced.get(v) ?? v);
  const candidates: Value[] = [...subst.sources()];
  for (const v of maybeDead) if (v) candidates.push(v);
  eraseDeadNodes(graph, candidates);
}

/** A name not in `names` (which it then joins): `hint_1`, `hint_2`, ... */
export function freshName(names: Set<string>, hint: string): string {
  let name = hint;
  for (let i = 1; names.has(name); i++) name = `${hint}_${i}`;
  names.add(name);
  return name;
}

/**
 * Erase nodes whose outputs reach no graph output, and params without users. Only `candidates`
 * (default: every node output and param) and what their erasure makes dead are looked at, so a
 * pass cleans up after itself without touching dead code it did not make.
 */
export function eraseDeadNodes(graph: Graph, candidates: Iterable<Value> = [...graph.nodes.flatMap((n) => n.outputs), ...graph.params]): void {
  const uses = useCounts(graph);
  const params = new Set(graph.params);
  const dead = new Set<Node>();
  const deadParams = new Set<Value>();
  const work = [...candidates];
  while (work.length > 0) {
    const v = work.pop()!;
    if ((uses.get(v) ?? 0) > 0) continue;
    const n = v.producer;
    if (!n) {
      if (params.has(v)) deadParams.add(v);
      continue;
    }
    if (dead.has(n) || n.outputs.some((o) => (uses.get(o) ?? 0) > 0)) continue;
    dead.add(n);
    for (const i of n.inputs)
      if (i) {
        uses.set(i, uses.get(i)! - 1);
        work.push(i);
      }
  }
  if (dead.size > 0) graph.nodes = graph.nodes.filter((n) => !dead.has(n));
  if (deadParams.size > 0) removeParams(graph, deadParams);
}

export function removeParams(graph: Graph, params: ReadonlySet<Value>): void {
  graph.params = graph.params.filter((p) => !params.has(p));
  for (const p of params) graph.weights.delete(p.name);
}

/**
 * A node of `op` that produces the given existing values, or null when the op's shape rule
 * rejects the inputs or gives other types. Rewrites build replacement nodes through this, so a
 * rewrite that would change a type (a symbolic dim it cannot prove equal) is simply not made.
 */
export function nodeProducing(op: string, inputs: (Value | null)[], attrs: Attrs, outputs: Value[], loc?: string): Node | null {
  const def = getOp(op);
  if (!def) return null;
  let types;
  try {
    types = def.infer({ inputs: inputs.map((v) => v?.type ?? null), attrs: withDefaults(def, attrs), nOutputs: outputs.length });
  } catch {
    return null;
  }
  if (types.length !== outputs.length || !types.every((t, i) => typeEq(t, outputs[i].type))) return null;
  return new Node(op, inputs, attrs, outputs, loc);
}

/** The tensor a value holds at compile time when a `constant` node defines it. */
export function constantTensor(v: Value | null): Tensor | undefined {
  return v?.producer?.op === 'constant' ? (v.producer.attrs.value as Tensor) : undefined;
}

/** The data a value holds at compile time: a constant's tensor, or a param's weight when the graph carries it. */
export function knownTensor(graph: Graph, v: Value | null): Tensor | undefined {
  if (!v) return undefined;
  if (v.producer) return constantTensor(v);
  return graph.params.includes(v) ? graph.weights.get(v.name) : undefined;
}

/** Number of uses of each value by nodes and graph outputs. */
export function useCounts(graph: Graph): Map<Value, number> {
  const uses = new Map<Value, number>();
  for (const n of graph.nodes) for (const v of n.inputs) if (v) uses.set(v, (uses.get(v) ?? 0) + 1);
  for (const v of graph.outputs) uses.set(v, (uses.get(v) ?? 0) + 1);
  return uses;
}
