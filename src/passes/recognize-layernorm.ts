// LayerNorm as exporters before ONNX opset 17 write it:
//   mean = reduce_mean(x); d = x - mean; var = reduce_mean(d²); n = d / sqrt(var + eps)
//   y = n * gamma + beta
// with d² as pow(d, 2) or d * d, and the division as d * reciprocal(sqrt(·)) or d * rsqrt(·).
// One layer_normalization reads x once per row instead of materializing five intermediates.
import { Graph, Node, Value } from '../ir/graph.js';
import { definePass } from './pass.js';
import {
  Match, MatchContext, NormCore, matchScaledNorm, plusScalar, producedBy, rewriteMatches, sqrtQuotients,
  squaredOperand, trailingReduceAxis,
} from './recognize-match.js';

export const recognizeLayernorm = definePass({
  name: 'recognize-layernorm',
  summary: 'replace the decomposed LayerNorm (reduce_mean, sub, square, reduce_mean, + eps, sqrt, div, then * gamma + beta) by layer_normalization',
  run(graph) {
    rewriteMatches(graph, matchLayerNorm);
  },
});

function matchLayerNorm(root: Node, { graph }: MatchContext): Match | null {
  return matchScaledNorm('layer_normalization', root, (v) => layerNormCore(graph, v), true);
}

/** (x - mean(x)) / sqrt(mean((x - mean(x))²) + eps) computed into v, or undefined. */
function layerNormCore(graph: Graph, v: Value): NormCore | undefined {
  for (const { numerator: d, radicand, nodes } of sqrtQuotients(graph, v)) {
    const sub = producedBy(d, 'sub');
    const mean = producedBy(sub?.inputs[1], 'reduce_mean');
    if (!sub || !mean || mean.inputs[0] !== sub.inputs[0]) continue;
    const axis = trailingReduceAxis(mean);
    const withEps = plusScalar(graph, radicand);
    const variance = producedBy(withEps?.[0], 'reduce_mean');
    if (axis === undefined || !withEps || !variance || trailingReduceAxis(variance) !== axis) continue;
    if (squaredOperand(graph, variance.inputs[0]!) !== d) continue;
    return { x: sub.inputs[0]!, axis, eps: withEps[1], nodes: [mean, sub, variance.inputs[0]!.producer!, variance, radicand!, ...nodes] };
  }
  return undefined;
}
