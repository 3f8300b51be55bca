// Scaled dot-product attention as exporters write it:
//   s = matmul(q, kᵀ)          kᵀ a transpose of k, or k given already transposed
//   s = s * c | s / c          the scale, here or on q or kᵀ before the matmul (PyTorch scales q)
//   s = s + mask | where(m, s, -inf) | where(m, -inf, s)
//   out = matmul(softmax(s, axis = -1), v)
// becomes scaled_dot_product_attention(q, k, v, mask) {scale}, one op whose kernel never
// materializes the [.., Sq, Sk] score matrix. Only a -inf fill makes `where` a boolean mask: a
// finite fill gives a different result on a row where every key is masked.
import { Graph, Node, TensorType, Value, typeEq } from '../ir/graph.js';
import { definePass } from './pass.js';
import {
  Match, MatchContext, fits, inferred, newNode, operandOrders, producedBy, rewriteMatches, scalarValue, soleUser,
} from './recognize-match.js';

export const recognizeAttention = definePass({
  name: 'recognize-attention',
  summary: 'replace matmul(softmax(matmul(q, transpose(k)) * scale + mask), v) by scaled_dot_product_attention',
  run(graph) {
    rewriteMatches(graph, matchAttention);
  },
});

/** A value with the constant factors peeled off its producers: v = value * scale. */
interface Scaled { value: Value; scale: number; nodes: Node[] }

/** How the softmax input adds the mask: the scores before it, the mask, and whether `where` selects with the mask negated. */
interface Masked { scores: Value; mask: Value | null; negate: boolean; nodes: Node[] }

/** Multiplications and divisions by one-element constants above v, each result read only by the next step. */
function peelScale(graph: Graph, v: Value, reader: Node, ctx: MatchContext): Scaled {
  const s: Scaled = { value: v, scale: 1, nodes: [] };
  for (let next = reader; ;) {
    const n = producedBy(s.value, 'mul', 'div');
    if (!n || soleUser(s.value, ctx) !== next) return s;
    const factor = operandOrders(n)
      .map(([a, c]) => ({ a, c: scalarValue(graph, c) }))
      .find(({ a, c }) => c !== undefined && typeEq(a.type, s.value.type));
    if (!factor) return s;
    s.scale = n.op === 'div' ? s.scale / factor.c! : s.scale * factor.c!;
    s.value = factor.a;
    s.nodes.push(n);
    next = n;
  }
}

function maskings(graph: Graph, softmax: Node): Masked[] {
  const s = softmax.inputs[0]!;
  const found: Masked[] = [{ scores: s, mask: null, negate: false, nodes: [] }];
  const p = s.producer;
  if (p?.op === 'add') for (const [scores, mask] of operandOrders(p)) found.push({ scores, mask, negate: false, nodes: [p] });
  if (p?.op === 'where') {
    const [cond, a, b] = p.inputs as Value[];
    if (scalarValue(graph, b) === -Infinity) found.push({ scores: a, mask: cond, negate: false, nodes: [p] });
    if (scalarValue(graph, a) === -Infinity) found.push({ scores: b, mask: cond, negate: true, nodes: [p] });
  }
  return found;
}

const rank = (v: Value) => v.type.shape.length;

/** The permutation that swaps the last two axes of a rank-r tensor. */
function swapLastTwo(perm: readonly number[]): number[] {
  const p = [...perm];
  [p[p.length - 2], p[p.length - 1]] = [p[p.length - 1], p[p.length - 2]];
  return p;
}

/** How k is obtained from kᵀ: a value already there, or a transpose to add. */
interface KeySource { value: Value; perm?: number[]; absorbed: Node[] }

/** k from kᵀ: kᵀ = transpose(src, perm) gives k = transpose(src, perm with the last two swapped), or src itself. */
function keyFrom(kt: Value, reader: Node, ctx: MatchContext): KeySource {
  const t = producedBy(kt, 'transpose');
  const r = rank(kt);
  if (t && soleUser(kt, ctx) === reader) {
    const perm = swapLastTwo((t.attrs.perm as number[] | undefined) ?? [...Array(r).keys()].reverse());
    const src = t.inputs[0]!;
    return perm.every((p, i) => p === i) ? { value: src, absorbed: [t] } : { value: src, perm, absorbed: [t] };
  }
  return { value: kt, perm: swapLastTwo([...Array(r).keys()]), absorbed: [] };
}

function matchAttention(root: Node, ctx: MatchContext): Match | null {
  if (root.op !== 'matmul') return null;
  const [p, v] = root.inputs as Value[];
  const softmax = producedBy(p, 'softmax');
  if (!softmax || rank(p) < 2 || rank(v) < 2) return null;
  const axis = softmax.attrs.axis as number | undefined ?? -1;
  if (axis !== -1 && axis !== rank(p) - 1) return null;
  for (const masked of maskings(ctx.graph, softmax)) {
    const reader = masked.nodes[0] ?? softmax;
    const scores = peelScale(ctx.graph, masked.scores, reader, ctx);
    const qk = producedBy(scores.value, 'matmul');
    if (!qk || soleUser(scores.value, ctx) !== (scores.nodes[scores.nodes.length - 1] ?? reader)) continue;
    const q = peelScale(ctx.graph, qk.inputs[0]!, qk, ctx);
    const kt = peelScale(ctx.graph, qk.inputs[1]!, qk, ctx);
    if (rank(q.value) < 2 || rank(kt.value) < 2) continue;
    const key = keyFrom(kt.value, kt.nodes[kt.nodes.length - 1] ?? qk, ctx);
    const keyType = key.perm ? inferred('transpose', [key.value.type], { perm: key.perm })?.[0] : key.value.type;
    const maskType: TensorType | null = masked.mask?.type ?? null;
    const attrs = { scale: scores.scale * q.scale * kt.scale };
    if (!keyType || !fits('scaled_dot_product_attention', [q.value.type, keyType, v.type, maskType], attrs, root.outputs)) continue;
    const nodes = [root, softmax, ...masked.nodes, ...scores.nodes, qk, ...q.nodes, ...kt.nodes, ...key.absorbed];
    return {
      nodes,
      build(names) {
        const base = root.outputs[0].name;
        const added: Node[] = [];
        let k = key.value;
        if (key.perm) {
          added.push(newNode('transpose', [k], { perm: key.perm }, keyType, names, `${base}.key`, root.loc));
          k = added[added.length - 1].outputs[0];
        }
        let mask = masked.mask;
        if (mask && masked.negate) {
          added.push(newNode('not', [mask], {}, mask.type, names, `${base}.mask`, root.loc));
          mask = added[added.length - 1].outputs[0];
        }
        const inputs = mask ? [q.value, k, v, mask] : [q.value, k, v];
        return [...added, new Node('scaled_dot_product_attention', inputs, attrs, root.outputs, root.loc)];
      },
    };
  }
  return null;
}
