// Matching helpers shared by the recognize-* passes, which replace the decomposed subgraphs that
// exporters write (PyTorch's ONNX export spells LayerNorm, GELU and attention out of primitive
// ops) by single ops with their own reference semantics and kernels.
//
// A recognizer is a pure function from a candidate root node to a Match: the pattern's nodes and
// a builder for the replacement. rewriteMatches applies the matches in one sweep: the replacement
// takes the root's place and produces the root's own output value (so names and users stay), and
// the rest of the pattern is erased once it is dead.
import { Attrs, Graph, Node, TensorType, Value, typeEq } from '../ir/graph.js';
import { Dim, isStatic } from '../ir/dim.js';
import { getOp, withDefaults } from '../ir/registry.js';
import { Tensor, readNumbers } from '../ir/tensor.js';
import { Substitution, finishRewrite, freshName, knownTensor } from './rewrite.js';

export interface MatchContext {
  graph: Graph;
  /** users of each value when the sweep started */
  users: Map<Value, Node[]>;
  outputs: ReadonlySet<Value>;
}

export interface Match {
  /** every node of the pattern, the root included */
  nodes: Node[];
  /**
   * The nodes that replace the root, the last one producing the root's output. Called only to
   * commit the rewrite (a Node claims its output values), so recognizers check types with `fits`.
   */
  build(names: Set<string>): Node[];
}

export type Recognizer = (root: Node, ctx: MatchContext) => Match | null;

/**
 * Replace every match of `recognize` (roots tried in node order). A match is skipped when the
 * root's only user roots a larger match that contains it, so `mul(norm, gamma)` followed by
 * `add(_, beta)` becomes one op with a bias rather than an op and an add. The pattern's inner
 * values must have no users outside it, so the rewrite never duplicates work.
 */
export function rewriteMatches(graph: Graph, recognize: Recognizer): void {
  const ctx: MatchContext = { graph, users: graph.users(), outputs: new Set(graph.outputs) };
  const names = graph.valueNames();
  const dropped: (Value | null)[] = [];
  graph.nodes = graph.nodes.flatMap((root) => {
    const match = recognize(root, ctx);
    if (!match || !innerValuesStayInside(match, root, ctx)) return [root];
    const only = soleUser(root.outputs[0], ctx);
    const larger = only && recognize(only, ctx);
    if (larger && larger.nodes.includes(root) && innerValuesStayInside(larger, only, ctx)) return [root];
    dropped.push(...root.inputs);
    return match.build(names);
  });
  finishRewrite(graph, new Substitution(), dropped);
}

function innerValuesStayInside(match: Match, root: Node, ctx: MatchContext): boolean {
  const inside = new Set(match.nodes);
  return match.nodes.every((n) => n === root || n.outputs.every((o) => !ctx.outputs.has(o) && (ctx.users.get(o) ?? []).every((u) => inside.has(u))));
}

/** The one node that reads v, when v is no graph output and has exactly one user. */
export function soleUser(v: Value, ctx: MatchContext): Node | undefined {
  const users = ctx.users.get(v);
  return users?.length === 1 && !ctx.outputs.has(v) ? users[0] : undefined;
}

/** The producer of v when it is one of `ops`. */
export function producedBy(v: Value | null | undefined, ...ops: string[]): Node | undefined {
  const p = v?.producer;
  return p && ops.includes(p.op) ? p : undefined;
}

/** The operand orders to try: both for commutative ops, as written otherwise. */
export function operandOrders(node: Node): [Value, Value][] {
  const [a, b] = node.inputs;
  if (!a || !b || node.inputs.length !== 2) return [];
  return node.op === 'add' || node.op === 'mul' ? [[a, b], [b, a]] : [[a, b]];
}

/** The number a value holds at compile time when it is a one-element constant or param with data. */
export function scalarValue(graph: Graph, v: Value | null | undefined): number | undefined {
  const t = knownTensor(graph, v ?? null);
  return t && t.size === 1 && t.dtype !== 'bool' ? readNumbers(t)[0] : undefined;
}

/** |a - b| within `rel` of |b|: constants written in decimal and stored as f32 differ from the exact value. */
export function near(a: number | undefined, b: number, rel = 1e-6): boolean {
  return a !== undefined && Math.abs(a - b) <= rel * Math.abs(b);
}

/**
 * An epsilon read from a tensor, as the shortest decimal that rounds to the same f32 (1e-5, not
 * 9.99999974737875e-6) when the tensor is f32; the difference is far below f32 resolution.
 */
export function readableFloat(v: number, dtype: string): number {
  if (dtype !== 'f32') return v;
  for (let p = 1; p <= 17; p++) {
    const x = Number(v.toPrecision(p));
    if (Math.fround(x) === Math.fround(v)) return x;
  }
  return v;
}

/**
 * The first axis of a reduction over trailing axes with kept dims (axes [k, ..., rank-1]), as a
 * negative axis; undefined for any other reduction.
 */
export function trailingReduceAxis(reduce: Node): number | undefined {
  const rank = reduce.inputs[0]!.type.shape.length;
  const axes = reduce.attrs.axes as readonly number[] | undefined;
  if (reduce.attrs.keepdims === false || !axes || axes.length === 0 || rank === 0) return undefined;
  const sorted = axes.map((a) => (a < 0 ? a + rank : a)).sort((x, y) => x - y);
  if (sorted.some((a, i) => a !== rank - sorted.length + i)) return undefined;
  return -sorted.length;
}

/** x² written as pow(x, 2) or mul(x, x): x, or undefined. */
export function squaredOperand(graph: Graph, v: Value): Value | undefined {
  const p = producedBy(v, 'pow', 'mul');
  if (!p) return undefined;
  if (p.op === 'mul') return p.inputs[0] === p.inputs[1] ? p.inputs[0]! : undefined;
  return scalarValue(graph, p.inputs[1]) === 2 ? p.inputs[0]! : undefined;
}

/** `add(v, eps)` in either order with a scalar eps: [v, eps]. */
export function plusScalar(graph: Graph, add: Node | undefined): [Value, number] | undefined {
  if (!add || add.op !== 'add') return undefined;
  for (const [v, c] of operandOrders(add)) {
    const eps = scalarValue(graph, c);
    if (eps !== undefined && v.type.shape.length >= c.type.shape.length) return [v, eps];
  }
  return undefined;
}

/** A division by sqrt(s) found in v: the numerator, the node computing s, and the nodes from there to v. */
export interface SqrtQuotient { numerator: Value; radicand: Node | undefined; nodes: Node[] }

/**
 * The readings of v as numerator / sqrt(s), as the exports write it: div(n, sqrt(s)), or n times
 * reciprocal(sqrt(s)), rsqrt(s) or div(1, sqrt(s)) in either operand order.
 */
export function sqrtQuotients(graph: Graph, v: Value): SqrtQuotient[] {
  const out = producedBy(v, 'div', 'mul');
  if (!out) return [];
  const found: SqrtQuotient[] = [];
  const sqrtOf = (d: Value | null) => producedBy(d, 'sqrt');
  if (out.op === 'div') {
    const sqrt = sqrtOf(out.inputs[1]);
    if (sqrt) found.push({ numerator: out.inputs[0]!, radicand: sqrt.inputs[0]!.producer, nodes: [sqrt, out] });
    return found;
  }
  for (const [n, r] of operandOrders(out)) {
    const rsqrt = producedBy(r, 'rsqrt');
    if (rsqrt) { found.push({ numerator: n, radicand: rsqrt.inputs[0]!.producer, nodes: [rsqrt, out] }); continue; }
    const inverse = producedBy(r, 'reciprocal', 'div');
    if (!inverse || (inverse.op === 'div' && scalarValue(graph, inverse.inputs[0]) !== 1)) continue;
    const sqrt = sqrtOf(inverse.inputs[inverse.op === 'div' ? 1 : 0]);
    if (sqrt) found.push({ numerator: n, radicand: sqrt.inputs[0]!.producer, nodes: [sqrt, inverse, out] });
  }
  return found;
}

/** The output types of `op` on these input types, or undefined when its shape rule rejects them. */
export function inferred(op: string, inputs: (TensorType | null)[], attrs: Attrs): TensorType[] | undefined {
  const def = getOp(op)!;
  try {
    return def.infer({ inputs, attrs: withDefaults(def, attrs), nOutputs: 1 });
  } catch {
    return undefined;
  }
}

/** Whether `op` on these input types gives exactly the types of `outputs` (a rewrite must not change a type). */
export function fits(op: string, inputs: (TensorType | null)[], attrs: Attrs, outputs: readonly Value[]): boolean {
  const types = inferred(op, inputs, attrs);
  return types !== undefined && types.length === outputs.length && types.every((t, i) => typeEq(t, outputs[i].type));
}

/** A new node computing one fresh value named after `hint`. */
export function newNode(op: string, inputs: (Value | null)[], attrs: Attrs, type: TensorType, names: Set<string>, hint: string, loc?: string): Node {
  return new Node(op, inputs, attrs, [new Value(freshName(names, hint), type)], loc);
}

/** A constant of ones over static dims (the scale of a norm exported without one). */
export function onesConstant(type: TensorType, names: Set<string>, hint: string): Node {
  const t = Tensor.fromNumbers(type.dtype, type.shape as number[], new Array<number>(type.shape.reduce<number>((a, d) => a * (d as number), 1)).fill(1));
  return newNode('constant', [], { value: t }, type, names, hint);
}

/** The trailing dims from `axis` (negative) on, when they are all static. */
export function staticTrailing(shape: readonly Dim[], axis: number): Dim[] | undefined {
  const dims = shape.slice(shape.length + axis);
  return dims.every(isStatic) ? dims : undefined;
}

/** A normalization over the trailing axes from `axis` (negative) on, as the pattern computes it. */
export interface NormCore { x: Value; axis: number; eps: number; nodes: Node[] }

/**
 * A trailing normalization rooted at `root`: core(x) alone, core(x) * gamma, or (with `bias`)
 * core(x) * gamma + beta, in either operand order; `core` recognizes the unscaled normalization.
 */
export function matchScaledNorm(
  op: 'layer_normalization' | 'rms_normalization', root: Node, core: (v: Value) => NormCore | undefined, bias: boolean,
): Match | null {
  if (bias && root.op === 'add')
    for (const [y, beta] of operandOrders(root)) {
      const scale = producedBy(y, 'mul');
      if (!scale) continue;
      for (const [n, gamma] of operandOrders(scale)) {
        const c = core(n);
        if (c) return normMatch(op, root, c, [...c.nodes, scale, root], gamma, beta);
      }
    }
  if (root.op === 'mul')
    for (const [n, gamma] of operandOrders(root)) {
      const c = core(n);
      if (c) return normMatch(op, root, c, [...c.nodes, root], gamma, null);
    }
  const c = core(root.outputs[0]);
  return c ? normMatch(op, root, c, c.nodes, null, null) : null;
}

/**
 * The match of a trailing normalization (layer_normalization or rms_normalization) of core.x with
 * the given scale and bias; a norm written without a scale gets a constant of ones.
 */
export function normMatch(
  op: 'layer_normalization' | 'rms_normalization', root: Node, core: NormCore, nodes: Node[], gamma: Value | null, beta: Value | null,
): Match | null {
  const attrs = { axis: core.axis, epsilon: readableFloat(core.eps, core.x.type.dtype) };
  const xType = core.x.type;
  const onesShape = gamma ? undefined : staticTrailing(xType.shape, core.axis);
  if (!gamma && !onesShape) return null;
  const scaleType = gamma?.type ?? { dtype: xType.dtype, shape: onesShape! };
  if (!fits(op, [xType, scaleType, ...(beta ? [beta.type] : [])], attrs, root.outputs)) return null;
  return {
    nodes,
    build(names) {
      const ones = gamma ? undefined : onesConstant(scaleType, names, `${root.outputs[0].name}.scale`);
      const norm = new Node(op, [core.x, gamma ?? ones!.outputs[0], ...(beta ? [beta] : [])], attrs, root.outputs, root.loc);
      return ones ? [ones, norm] : [norm];
    },
  };
}
