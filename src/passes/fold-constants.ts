// Constant folding: a node whose inputs are all `constant` nodes is evaluated at compile time
// with the op's reference semantics and becomes `constant` nodes that define the same values.
// Params are not folded: their data may be replaced when weights are loaded.
import { Node, Value } from '../ir/graph.js';
import { evalNode } from '../ir/interp.js';
import { OpError, getOp } from '../ir/registry.js';
import { Tensor, sizeOf } from '../ir/tensor.js';
import { SymDim, isStatic } from '../ir/dim.js';
import { definePass } from './pass.js';
import { Substitution, constantTensor, finishRewrite } from './rewrite.js';

export const foldConstants = definePass({
  name: 'fold-constants',
  summary: 'evaluate nodes whose inputs are all constants and replace them by constants',
  options: {
    'max-elements': {
      kind: 'int',
      default: 1 << 16,
      doc: 'largest result (in elements, per output) that is materialized; bigger results stay computed at run time',
    },
  },
  run(graph, options) {
    const dropped: (Value | null)[] = [];
    graph.nodes = graph.nodes.flatMap((node) => {
      const folded = fold(node, options['max-elements']);
      if (!folded) return [node];
      dropped.push(...node.inputs);
      return folded;
    });
    finishRewrite(graph, new Substitution(), dropped);
  },
});

/** One constant node per output of `node`, or null when it cannot or should not be folded. */
function fold(node: Node, maxElements: number): Node[] | null {
  if (node.op === 'constant' || !getOp(node.op)) return null;
  const inputs = node.inputs.map((v) => (v ? constantTensor(v) : null));
  if (inputs.some((t) => t === undefined)) return null;
  for (const o of node.outputs) {
    if (!o.type.shape.every(isStatic)) return null;
    if (sizeOf(o.type.shape as number[]) > maxElements) return null;
  }
  if (Object.values(node.attrs).some((a) => Array.isArray(a) && a.some((d) => d instanceof SymDim))) return null;
  let results: Tensor[];
  try {
    results = evalNode(node, inputs as (Tensor | null)[], new Map());
  } catch (e) {
    // an op that fails on these constants fails the same way at run time, where it is reported
    if (e instanceof OpError || e instanceof RangeError) return null;
    throw e;
  }
  return node.outputs.map((o, i) => new Node('constant', [], { value: results[i] }, [o], node.loc));
}
