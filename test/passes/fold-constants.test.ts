import { describe, expect, it } from 'vitest';
import { checkPasses, parseWithWeights } from './harness.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor, readNumbers } from '../../src/ir/tensor.js';

describe('fold-constants', () => {
  it('folds a chain of constant arithmetic into one constant with the computed values', () => {
    const g = checkPasses(`
graph @g(%x: f32[3]) -> (f32[3]) {
  %a = constant() {value = dense<f32[3]: [1.0, 2.0, 3.0]>} : f32[3]
  %b = constant() {value = dense<f32[]: [0.5]>} : f32[]
  %s = add(%a, %b) : f32[3]
  %m = mul(%s, %s) : f32[3]
  %y = add(%x, %m) : f32[3]
  return %y
}
// CHECK: graph @g
// CHECK-NEXT: %m = constant() {value = dense<f32[3]: [2.25, 6.25, 12.25]>} : f32[3]
// CHECK-NEXT: %y = add(%x, %m) : f32[3]
// CHECK-NOT: constant
// CHECK: return %y
`, ['fold-constants']);
    expect(g.nodes.map((n) => n.op)).toEqual(['constant', 'add']);
  });

  it('keeps the name of a folded graph output and folds multi-output nodes', () => {
    checkPasses(`
graph @g() -> (i64[2], i64[1]) {
  %c = constant() {value = dense<i64[3]: [7, 8, 9]>} : i64[3]
  %p, %q = split(%c) {axis = 0, split = [2, 1]} : i64[2], i64[1]
  return %p, %q
}
// CHECK: %p = constant() {value = dense<i64[2]: [7, 8]>} : i64[2]
// CHECK-NEXT: %q = constant() {value = dense<i64[1]: [9]>} : i64[1]
// CHECK-NEXT: return %p, %q
`, ['fold-constants']);
  });

  it('leaves nodes with a run-time input alone', () => {
    checkPasses(`
graph @g(%x: f32[2]) -> (f32[2]) {
  %c = constant() {value = dense<f32[2]: [1.0, 2.0]>} : f32[2]
  %y = mul(%x, %c) : f32[2]
  return %y
}
// CHECK: %c = constant()
// CHECK-NEXT: %y = mul(%x, %c)
`, ['fold-constants']);
  });

  it('does not materialize results above max-elements', () => {
    const text = `
graph @g() -> (f32[2, 3]) {
  %c = constant() {value = dense<f32[3]: [1.0, 2.0, 3.0]>} : f32[3]
  %y = expand(%c) {shape = [2, 3]} : f32[2, 3]
  return %y
}
// CHECK: %y = expand(%c)
`;
    checkPasses(text, ['fold-constants{max-elements=5}']);
    expect(() => checkPasses(text, ['fold-constants{max-elements=6}'])).toThrow(/CHECK: %y = expand/);
  });

  it('leaves a node whose evaluation fails for the run time to report', () => {
    const g = checkPasses(`
graph @g() -> (f32[1]) {
  %d = constant() {value = dense<f32[2]: [1.0, 2.0]>} : f32[2]
  %i = constant() {value = dense<i64[1]: [5]>} : i64[1]
  %y = gather(%d, %i) {axis = 0} : f32[1]
  return %y
}
// CHECK: %y = gather(%d, %i)
`, ['fold-constants']);
    expect(() => runGraph(g, {})).toThrow(/DSC4008|out of range|index/);
  });

  it('gives the same results as the unfolded graph', () => {
    const text = `
graph @g(%x: f32[2, 2]) -> (f32[2, 2]) {
  %w = constant() {value = dense<f32[2, 2]: [1.0, -2.0, 3.0, 0.25]>} : f32[2, 2]
  %wt = transpose(%w) {perm = [1, 0]} : f32[2, 2]
  %e = exp(%wt) : f32[2, 2]
  %y = matmul(%x, %e) : f32[2, 2]
  return %y
}
// CHECK-NOT: transpose
// CHECK: %y = matmul(%x, %e)
`;
    const x = Tensor.fromNumbers('f32', [2, 2], [0.5, -1, 2, 3]);
    const before = runGraph(parseWithWeights(text), { x }).get('y')!;
    const after = runGraph(checkPasses(text, ['fold-constants']), { x }).get('y')!;
    expect(Array.from(readNumbers(after))).toEqual(Array.from(readNumbers(before)));
  });
});
