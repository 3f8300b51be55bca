import { describe, expect, it } from 'vitest';
import { checkPasses, parseWithWeights } from './harness.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor, readNumbers } from '../../src/ir/tensor.js';
import { Graph } from '../../src/ir/graph.js';

const f32 = (shape: number[], values: number[]) => Tensor.fromNumbers('f32', shape, values);
const BN_WEIGHTS = {
  'bn.weight': f32([3], [1.5, -0.5, 2]),
  'bn.bias': f32([3], [0.1, 0.2, -0.3]),
  'bn.running_mean': f32([3], [0.5, -1, 0.25]),
  'bn.running_var': f32([3], [4, 0.25, 1]),
};
const BN_PARAMS = `  param %bn.weight: f32[3]
  param %bn.bias: f32[3]
  param %bn.running_mean: f32[3]
  param %bn.running_var: f32[3]`;

function expectSameOutputs(before: Graph, after: Graph, inputs: Record<string, Tensor>) {
  const want = runGraph(before, inputs);
  const got = runGraph(after, inputs);
  for (const [name, t] of want) {
    const g = readNumbers(got.get(name)!), w = readNumbers(t);
    expect(g.length).toBe(w.length);
    for (let i = 0; i < w.length; i++) expect(Math.abs(g[i] - w[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(w[i])));
  }
}

const ramp = (shape: number[], k = 0.37) => f32(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * k + 1)));

describe('fold-batchnorm', () => {
  const CONV = `
graph @g(%x: f32[1, 2, 3, 3]) -> (f32[1, 3, 3, 3]) {
  param %conv.weight: f32[3, 2, 1, 1]
${BN_PARAMS}
  %c = conv(%x, %conv.weight, _) : f32[1, 3, 3, 3]
  %y = batch_normalization(%c, %bn.weight, %bn.bias, %bn.running_mean, %bn.running_var) {epsilon = 0.001} : f32[1, 3, 3, 3]
  return %y
}
// CHECK: param %conv.weight.folded: f32[3, 2, 1, 1]
// CHECK-NEXT: param %bn.bias.folded: f32[3]
// CHECK-NEXT: %y = conv(%x, %conv.weight.folded, %bn.bias.folded) : f32[1, 3, 3, 3]
// CHECK-NEXT: return %y
// CHECK-NOT: batch_normalization
`;

  it('folds into a conv without bias: new params, the batch norm and the old params gone, same results', () => {
    const weights = { 'conv.weight': ramp([3, 2, 1, 1]), ...BN_WEIGHTS };
    const after = checkPasses(CONV, ['fold-batchnorm'], weights);
    expect(after.params.map((p) => p.name)).toEqual(['conv.weight.folded', 'bn.bias.folded']);
    expect([...after.weights.keys()].sort()).toEqual(['bn.bias.folded', 'conv.weight.folded']);
    expectSameOutputs(parseWithWeights(CONV, weights), after, { x: ramp([1, 2, 3, 3], 0.9) });
  });

  it('leaves the graph unchanged when the weights are not in the graph', () => {
    const text = CONV.replace(/\/\/ CHECK[^\n]*\n/g, '') + '// CHECK: %c = conv(%x, %conv.weight, _)\n// CHECK-NEXT: %y = batch_normalization(%c,\n';
    checkPasses(text, ['fold-batchnorm'], BN_WEIGHTS);
  });

  it('folds into a conv with a constant weight and bias, producing constants', () => {
    const text = `
graph @g(%x: f32[1, 1, 2, 2]) -> (f32[1, 2, 2, 2]) {
  %w = constant() {value = dense<f32[2, 1, 1, 1]: [2.0, -1.0]>} : f32[2, 1, 1, 1]
  %b = constant() {value = dense<f32[2]: [0.5, 1.0]>} : f32[2]
  %s = constant() {value = dense<f32[2]: [1.0, 3.0]>} : f32[2]
  %z = constant() {value = dense<f32[2]: [0.0, 0.0]>} : f32[2]
  %v = constant() {value = dense<f32[2]: [1.0, 1.0]>} : f32[2]
  %c = conv(%x, %w, %b) : f32[1, 2, 2, 2]
  %y = batch_normalization(%c, %s, %z, %z, %v) {epsilon = 0.0} : f32[1, 2, 2, 2]
  return %y
}
// CHECK: %w.folded = constant() {value = dense<f32[2, 1, 1, 1]: [2.0, -3.0]>}
// CHECK-NEXT: %b.folded = constant() {value = dense<f32[2]: [0.5, 3.0]>}
// CHECK-NEXT: %y = conv(%x, %w.folded, %b.folded)
// CHECK-NEXT: return %y
`;
    const after = checkPasses(text, ['fold-batchnorm']);
    expectSameOutputs(parseWithWeights(text), after, { x: ramp([1, 1, 2, 2]) });
  });

  it('folds into gemm (transposed weight, bias, beta) and turns a 2-D matmul into gemm', () => {
    const text = `
graph @g(%x: f32[4, 5]) -> (f32[4, 3], f32[4, 3]) {
  param %fc.weight: f32[3, 5]
  param %fc.bias: f32[3]
  param %m.weight: f32[5, 3]
${BN_PARAMS}
  %g = gemm(%x, %fc.weight, %fc.bias) {alpha = 0.5, beta = 2.0, trans_b = true} : f32[4, 3]
  %y = batch_normalization(%g, %bn.weight, %bn.bias, %bn.running_mean, %bn.running_var) : f32[4, 3]
  %m = matmul(%x, %m.weight) : f32[4, 3]
  %z = batch_normalization(%m, %bn.weight, %bn.bias, %bn.running_mean, %bn.running_var) : f32[4, 3]
  return %y, %z
}
// CHECK: %y = gemm(%x, %fc.weight.folded, %fc.bias.folded) {alpha = 0.5, trans_b = true} : f32[4, 3]
// CHECK-NEXT: %z = gemm(%x, %m.weight.folded, %bn.bias.folded) : f32[4, 3]
// CHECK-NOT: batch_normalization
`;
    const weights = { 'fc.weight': ramp([3, 5]), 'fc.bias': f32([3], [1, -2, 0.5]), 'm.weight': ramp([5, 3], 0.7), ...BN_WEIGHTS };
    const after = checkPasses(text, ['fold-batchnorm'], weights);
    expectSameOutputs(parseWithWeights(text, weights), after, { x: ramp([4, 5], 1.3) });
  });

  it('does not fold when the weight or the unnormalized result has another user', () => {
    const weights = { 'conv.weight': ramp([3, 2, 1, 1]), ...BN_WEIGHTS };
    const graph = (outputs: string, extra: string) => `
graph @g(%x: f32[1, 2, 3, 3]) -> (f32[1, 3, 3, 3], f32[1, 3, 3, 3]) {
  param %conv.weight: f32[3, 2, 1, 1]
${BN_PARAMS}
  %c = conv(%x, %conv.weight, _) : f32[1, 3, 3, 3]
  %y = batch_normalization(%c, %bn.weight, %bn.bias, %bn.running_mean, %bn.running_var) : f32[1, 3, 3, 3]
${extra}
  return ${outputs}
}
// CHECK: %y = batch_normalization(%c,
`;
    checkPasses(graph('%y, %d', '  %d = conv(%x, %conv.weight, _) {strides = [1, 1]} : f32[1, 3, 3, 3]'), ['fold-batchnorm'], weights);
    checkPasses(graph('%y, %c', ''), ['fold-batchnorm'], weights);
  });
});
