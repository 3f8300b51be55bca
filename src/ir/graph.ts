// The SSA graph IR: a graph has typed inputs, parameters (named weights, e.g. PyTorch
// state_dict keys), nodes in a valid topological order, and outputs. Every value is defined
// exactly once, by a graph input, a parameter or one node output.
import { DType } from './dtype.js';
import { Dim, dimEq, dimToString } from './dim.js';
import { Tensor } from './tensor.js';

export interface TensorType {
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

export function tensorType(dtype: DType, shape: readonly Dim[]): TensorType {
  return { dtype, shape };
}

export function typeToString(t: TensorType): string {
  return `${t.dtype}[${t.shape.map(dimToString).join(', ')}]`;
}

export function typeEq(a: TensorType, b: TensorType): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => dimEq(d, b.shape[i]));
}

/** Attribute values are plain data; the op's attribute schema says how to read and print them. */
export type AttrValue = number | boolean | string | DType | readonly number[] | readonly string[] | readonly Dim[] | Tensor;
export type Attrs = Record<string, AttrValue>;

/**
 * A hint for the passes from the source, by the state_dict-style path it applies to: an `@annotation`
 * (`precision`, `quantize`, `sparsity`) or a `choose` search point (args: the options; named.chosen).
 */
export interface PathAnnotation {
  path: string;
  name: string;
  args: AttrValue[];
  named: Record<string, AttrValue>;
  /** for an annotated statement: the values its nodes produce */
  values?: string[];
}

export class Value {
  /** the node that defines it; undefined for graph inputs and params */
  producer: Node | undefined;
  constructor(public name: string, public type: TensorType) {}
  toString() { return `%${this.name}: ${typeToString(this.type)}`; }
}

export class Node {
  /**
   * Fusion group: nodes with the same number are computed by one kernel (set by the fusion pass,
   * read by code generators; the interpreter ignores it). Printed as `group(n)`.
   */
  group?: number;
  constructor(
    public op: string,
    /** null marks an omitted optional input */
    public inputs: (Value | null)[],
    public attrs: Attrs,
    public outputs: Value[],
    /** where the node came from (ONNX node name, .ds source location); for diagnostics only */
    public loc?: string,
  ) {
    for (const o of outputs) o.producer = this;
  }
}

export class Graph {
  inputs: Value[] = [];
  params: Value[] = [];
  nodes: Node[] = [];
  outputs: Value[] = [];
  /** parameter data by parameter name; may be absent (weights are supplied at load time) */
  weights = new Map<string, Tensor>();
  /** annotations and search points from a .ds source, in source order */
  annotations: PathAnnotation[] = [];
  /** inputs the source model declares but nothing reads (ONNX CastLike's `like`): a caller may give them and they are ignored */
  unreadInputs: string[] = [];
  constructor(public name: string) {}

  /** every value name in use */
  valueNames(): Set<string> {
    const s = new Set<string>();
    for (const v of this.inputs) s.add(v.name);
    for (const v of this.params) s.add(v.name);
    for (const n of this.nodes) for (const o of n.outputs) s.add(o.name);
    return s;
  }

  /** users of each value, in node order */
  users(): Map<Value, Node[]> {
    const m = new Map<Value, Node[]>();
    for (const n of this.nodes)
      for (const i of n.inputs) if (i) {
        const l = m.get(i);
        if (l) { if (l[l.length - 1] !== n) l.push(n); } else m.set(i, [n]);
      }
    return m;
  }
}
