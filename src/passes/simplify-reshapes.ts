// Layout chains collapse to one op: a chain of reshape-family ops (reshape, flatten, squeeze,
// unsqueeze) becomes one reshape from the chain's start, and transpose of a transpose becomes one
// transpose by the composed permutation. The new node must infer exactly the old result type
// (symbolic dims included); where it would not, the chain is left alone.
import { isUnknown } from '../ir/dim.js';
import { Node, Value } from '../ir/graph.js';
import { definePass } from './pass.js';
import { Substitution, finishRewrite, nodeProducing } from './rewrite.js';
import { opTraits } from '../ir/registry.js';

export const simplifyReshapes = definePass({
  name: 'simplify-reshapes',
  summary: 'collapse reshape/flatten/squeeze/unsqueeze chains into one reshape and transpose pairs into one transpose',
  run(graph) {
    const replacedInputs: (Value | null)[] = [];
    for (let i = 0; i < graph.nodes.length; i++) {
      const node = graph.nodes[i];
      const simpler = collapseReshapes(node) ?? composeTransposes(node);
      if (!simpler) continue;
      graph.nodes[i] = simpler;
      replacedInputs.push(...node.inputs);
    }
    finishRewrite(graph, new Substitution(), replacedInputs);
  },
});

function collapseReshapes(node: Node): Node | null {
  const inner = node.inputs[0]?.producer;
  if (!opTraits(node.op).reshape || !inner || !opTraits(inner.op).reshape) return null;
  const shape = node.outputs[0].type.shape;
  if (shape.some(isUnknown)) return null;
  return nodeProducing('reshape', [inner.inputs[0]], { shape }, node.outputs, node.loc);
}

/** transpose(transpose(x, p), q) as one transpose of x, or null when `node` is not such a pair. */
export function composeTransposes(node: Node): Node | null {
  const inner = node.inputs[0]?.producer;
  if (node.op !== 'transpose' || inner?.op !== 'transpose') return null;
  const rank = node.outputs[0].type.shape.length;
  const outer = permOf(node, rank);
  const first = permOf(inner, rank);
  return nodeProducing('transpose', [inner.inputs[0]], { perm: outer.map((p) => first[p]) }, node.outputs, node.loc);
}

/** A transpose's permutation; without `perm` it reverses the axes. */
export function permOf(node: Node, rank: number): number[] {
  const perm = node.attrs.perm as readonly number[] | undefined;
  return perm ? [...perm] : Array.from({ length: rank }, (_, i) => rank - 1 - i);
}
