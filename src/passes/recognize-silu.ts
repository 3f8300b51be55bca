// SiLU (swish) as exporters write it, x * sigmoid(x) in either operand order: one silu op, so
// the sigmoid is not materialized and the activation fuses as one epilogue.
import { Node } from '../ir/graph.js';
import { definePass } from './pass.js';
import { Match, fits, operandOrders, producedBy, rewriteMatches } from './recognize-match.js';

export const recognizeSilu = definePass({
  name: 'recognize-silu',
  summary: 'replace x * sigmoid(x) by silu',
  run(graph) {
    rewriteMatches(graph, matchSilu);
  },
});

function matchSilu(root: Node): Match | null {
  if (root.op !== 'mul') return null;
  for (const [x, s] of operandOrders(root)) {
    const sigmoid = producedBy(s, 'sigmoid');
    if (sigmoid?.inputs[0] === x && fits('silu', [x.type], {}, root.outputs))
      return { nodes: [sigmoid, root], build: () => [new Node('silu', [x], {}, root.outputs, root.loc)] };
  }
  return null;
}
