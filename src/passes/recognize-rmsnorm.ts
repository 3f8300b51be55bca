// RMSNorm as exporters write it (LLaMA-style blocks, torch.nn.RMSNorm before ONNX opset 23):
//   n = x * rsqrt(reduce_mean(x²) + eps)   (or x / sqrt(·), x * reciprocal(sqrt(·)))
//   y = n * weight
// One rms_normalization reads x once per row instead of materializing four intermediates.
import { Graph, Node, Value } from '../ir/graph.js';
import { definePass } from './pass.js';
import {
  Match, MatchContext, NormCore, matchScaledNorm, plusScalar, producedBy, rewriteMatches, sqrtQuotients,
  squaredOperand, trailingReduceAxis,
} from './recognize-match.js';

export const recognizeRmsnorm = definePass({
  name: 'recognize-rmsnorm',
  summary: 'replace the decomposed RMSNorm (square, reduce_mean, + eps, rsqrt or sqrt and div, then * weight) by rms_normalization',
  run(graph) {
    rewriteMatches(graph, matchRmsNorm);
  },
});

function matchRmsNorm(root: Node, { graph }: MatchContext): Match | null {
  return matchScaledNorm('rms_normalization', root, (v) => rmsNormCore(graph, v), false);
}

/** x / sqrt(mean(x²) + eps) computed into v, or undefined. */
function rmsNormCore(graph: Graph, v: Value): NormCore | undefined {
  for (const { numerator: x, radicand, nodes } of sqrtQuotients(graph, v)) {
    const withEps = plusScalar(graph, radicand);
    const meanSquare = producedBy(withEps?.[0], 'reduce_mean');
    const axis = meanSquare && trailingReduceAxis(meanSquare);
    if (!withEps || !meanSquare || axis === undefined || squaredOperand(graph, meanSquare.inputs[0]!) !== x) continue;
    return { x, axis, eps: withEps[1], nodes: [meanSquare.inputs[0]!.producer!, meanSquare, radicand!, ...nodes] };
  }
  return undefined;
}
