// GELU as exporters write it:
//   erf form   x * 0.5 * (1 + erf(x / √2))                             → gelu(x)
//   tanh form  0.5 * x * (1 + tanh(√(2/π) * (x + 0.044715 * x³)))     → gelu(x) {approximate = "tanh"}
// Products are read as a bag of factors (any nesting and operand order of mul, division by a
// constant as a factor, pow(x, k) as k factors), so every association the exporters produce
// matches one rule.
import { Attrs, Node, Value } from '../ir/graph.js';
import { definePass } from './pass.js';
import { Match, MatchContext, fits, near, operandOrders, producedBy, rewriteMatches, scalarValue, soleUser } from './recognize-match.js';

export const recognizeGelu = definePass({
  name: 'recognize-gelu',
  summary: 'replace x * 0.5 * (1 + erf(x / sqrt 2)) and the tanh approximation by gelu',
  run(graph) {
    rewriteMatches(graph, matchGelu);
  },
});

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_TANH_CUBIC = 0.044715;

/** A product: the constant factor, each non-constant factor with its power, and the nodes that multiply. */
interface Product { constant: number; factors: Map<Value, number>; nodes: Node[] }

/**
 * v as a product. A mul, a division by a constant or a pow by a constant integer is looked into
 * when it is v's own producer or its result feeds only the product (so no shared value is absorbed).
 */
function productOf(v: Value, ctx: MatchContext): Product {
  const p: Product = { constant: 1, factors: new Map(), nodes: [] };
  const visit = (x: Value, parent: Node | undefined, power: number) => {
    const c = scalarValue(ctx.graph, x);
    if (c !== undefined) { p.constant *= c ** power; return; }
    const node = x.producer;
    const expandable = node && (parent === undefined || soleUser(x, ctx) === parent);
    if (expandable && node.op === 'mul') {
      p.nodes.push(node);
      visit(node.inputs[0]!, node, power);
      visit(node.inputs[1]!, node, power);
      return;
    }
    const divisor = expandable && node.op === 'div' ? scalarValue(ctx.graph, node.inputs[1]) : undefined;
    if (expandable && divisor !== undefined) {
      p.nodes.push(node);
      p.constant /= divisor ** power;
      visit(node.inputs[0]!, node, power);
      return;
    }
    const exponent = expandable && node.op === 'pow' ? scalarValue(ctx.graph, node.inputs[1]) : undefined;
    if (expandable && exponent !== undefined && Number.isInteger(exponent) && exponent > 0) {
      p.nodes.push(node);
      visit(node.inputs[0]!, node, power * exponent);
      return;
    }
    p.factors.set(x, (p.factors.get(x) ?? 0) + power);
  };
  visit(v, undefined, 1);
  return p;
}

/** The factors other than `x` (to the first power), or undefined when x is not exactly one factor. */
function besides(p: Product, x: Value): Value[] | undefined {
  if (p.factors.get(x) !== 1) return undefined;
  const rest = [...p.factors].filter(([v]) => v !== x);
  return rest.every(([, k]) => k === 1) ? rest.map(([v]) => v) : undefined;
}

/** `1 + f(u)` for a unary f in either operand order: the f node, or undefined. */
function onePlus(v: Value, op: string, ctx: MatchContext): { add: Node; f: Node } | undefined {
  const add = producedBy(v, 'add');
  if (!add) return undefined;
  for (const [a, one] of operandOrders(add)) {
    const f = producedBy(a, op);
    if (f && scalarValue(ctx.graph, one) === 1) return { add, f };
  }
  return undefined;
}

function matchGelu(root: Node, ctx: MatchContext): Match | null {
  if (root.op !== 'mul' && root.op !== 'div') return null;
  const outer = productOf(root.outputs[0], ctx);
  if (!near(outer.constant, 0.5) || outer.factors.size !== 2) return null;
  for (const x of outer.factors.keys()) {
    const rest = besides(outer, x);
    if (rest?.length !== 1) continue;
    const erf = onePlus(rest[0], 'erf', ctx);
    if (erf) {
      const arg = productOf(erf.f.inputs[0]!, ctx);
      if (near(arg.constant, Math.SQRT1_2) && besides(arg, x)?.length === 0)
        return geluMatch(root, x, 'none', [...outer.nodes, erf.add, erf.f, ...arg.nodes]);
    }
    const tanh = onePlus(rest[0], 'tanh', ctx);
    if (tanh) {
      const arg = productOf(tanh.f.inputs[0]!, ctx);
      const [only] = arg.factors;
      const sum = near(arg.constant, SQRT_2_OVER_PI) && arg.factors.size === 1 && only[1] === 1 ? producedBy(only[0], 'add') : undefined;
      const cubic = sum && cubicTerm(sum, x, ctx);
      if (cubic) return geluMatch(root, x, 'tanh', [...outer.nodes, tanh.add, tanh.f, ...arg.nodes, sum, ...cubic]);
    }
  }
  return null;
}

/** `x + 0.044715 * x³` (either order) in the add node: the nodes of the cubic term, or undefined. */
function cubicTerm(sum: Node, x: Value, ctx: MatchContext): Node[] | undefined {
  for (const [a, term] of operandOrders(sum)) {
    if (a !== x) continue;
    const p = productOf(term, ctx);
    if (near(p.constant, GELU_TANH_CUBIC) && p.factors.size === 1 && p.factors.get(x) === 3) return p.nodes;
  }
  return undefined;
}

function geluMatch(root: Node, x: Value, approximate: 'none' | 'tanh', nodes: Node[]): Match | null {
  const attrs: Attrs = approximate === 'tanh' ? { approximate } : {};
  if (!fits('gelu', [x.type], attrs, root.outputs)) return null;
  return { nodes: [...new Set([...nodes, root])], build: () => [new Node('gelu', [x], attrs, root.outputs, root.loc)] };
}
