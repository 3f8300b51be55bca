// Building graphs: every node added through the builder gets its output types from the op's
// shape rule, so a built graph is well-typed by construction.
import { Graph, Node, Value, Attrs, TensorType } from './graph.js';
import { getOp, withDefaults, OpError } from './registry.js';
import { Tensor } from './tensor.js';
import './ops/index.js';

export class GraphBuilder {
  readonly graph: Graph;
  private used = new Set<string>();
  private counter = 0;

  constructor(nameOrGraph: string | Graph) {
    this.graph = typeof nameOrGraph === 'string' ? new Graph(nameOrGraph) : nameOrGraph;
    for (const n of this.graph.valueNames()) this.used.add(n);
  }

  /** A fresh value name: `hint` if free, else `hint_1`, ...; numbered `t0, t1, ...` without a hint. */
  freshName(hint?: string): string {
    if (hint !== undefined && hint !== '' && !this.used.has(hint)) { this.used.add(hint); return hint; }
    const base = hint ? `${hint}_` : 't';
    for (;;) {
      const n = `${base}${this.counter++}`;
      if (!this.used.has(n)) { this.used.add(n); return n; }
    }
  }

  input(name: string, type: TensorType): Value {
    const v = new Value(this.freshName(name), type);
    this.graph.inputs.push(v);
    return v;
  }

  param(name: string, type: TensorType, data?: Tensor): Value {
    const v = new Value(this.freshName(name), type);
    this.graph.params.push(v);
    if (data) this.graph.weights.set(v.name, data);
    return v;
  }

  /**
   * Add a node; output types come from the op's shape rule. Throws OpError when the op is unknown
   * or the rule rejects the inputs.
   */
  op(op: string, inputs: (Value | null)[], attrs: Attrs = {}, opts: { outputs?: number; names?: string[]; loc?: string } = {}): Value[] {
    const def = getOp(op);
    if (!def) throw new OpError(`unknown op '${op}'`);
    const full = withDefaults(def, attrs);
    const nOutputs = opts.outputs ?? (typeof def.outputs === 'number' ? def.outputs : 1);
    const types = def.infer({ inputs: inputs.map((v) => v?.type ?? null), attrs: full, nOutputs });
    if (types.length !== nOutputs) throw new OpError(`${op} gives ${types.length} outputs, ${nOutputs} requested`);
    const outs = types.map((t, i) => new Value(this.freshName(opts.names?.[i]), t));
    this.graph.nodes.push(new Node(op, inputs, attrs, outs, opts.loc));
    return outs;
  }

  /** Single-output convenience form of `op`. */
  op1(op: string, inputs: (Value | null)[], attrs: Attrs = {}, opts: { name?: string; loc?: string } = {}): Value {
    return this.op(op, inputs, attrs, { outputs: 1, names: opts.name ? [opts.name] : undefined, loc: opts.loc })[0];
  }

  output(...values: Value[]): void {
    this.graph.outputs.push(...values);
  }
}
