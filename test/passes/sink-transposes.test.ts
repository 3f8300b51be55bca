// sink-transposes: a transpose moves below a matmul with a 2-D weight and below elementwise ops
// whose other operands broadcast alike, meets the next transpose and composes with it; anything
// else stays where it is. Random graphs keep their outputs through the pass.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkPasses } from './harness.js';
import { buildGraph, recipeArb } from './random-graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { runPasses } from '../../src/passes/registry.js';

describe('sink-transposes', () => {
  it('moves a transpose that keeps the last axis below the matmul and the bias add after it', () => {
    checkPasses(`
graph @g(%x: f32[2, 3, 4]) -> (f32[3, 2, 5]) {
  param %w: f32[4, 5]
  param %b: f32[5]
  %t = transpose(%x) {perm = [1, 0, 2]} : f32[3, 2, 4]
  %m = matmul(%t, %w) : f32[3, 2, 5]
  %y = add(%b, %m) : f32[3, 2, 5]
  return %y
}
// CHECK: %[[M:m.pre_transpose]] = matmul(%x, %w) : f32[2, 3, 5]
// CHECK-NEXT: %[[A:y.pre_transpose]] = add(%b, %[[M]]) : f32[2, 3, 5]
// CHECK-NEXT: %y = transpose(%[[A]]) {perm = [1, 0, 2]} : f32[3, 2, 5]
// CHECK-NEXT: return %y
`, ['sink-transposes']);
  });

  it('composes the sunk transpose with the next one, and drops the pair when they cancel', () => {
    checkPasses(`
graph @g(%x: f32[2, 3, 4]) -> (f32[2, 3, 4], f32[4, 3, 2]) {
  %t = transpose(%x) {perm = [1, 0, 2]} : f32[3, 2, 4]
  %r = relu(%t) : f32[3, 2, 4]
  %u = transpose(%r) {perm = [1, 0, 2]} : f32[2, 3, 4]
  %e = exp(%u) : f32[2, 3, 4]
  %s = transpose(%x) {perm = [1, 0, 2]} : f32[3, 2, 4]
  %n = neg(%s) : f32[3, 2, 4]
  %v = transpose(%n) {perm = [2, 0, 1]} : f32[4, 3, 2]
  return %e, %v
}
// CHECK: %[[R:r.pre_transpose]] = relu(%x) : f32[2, 3, 4]
// CHECK-NEXT: %e = exp(%[[R]]) : f32[2, 3, 4]
// CHECK-NEXT: %[[N:n.pre_transpose]] = neg(%x) : f32[2, 3, 4]
// CHECK-NEXT: %v = transpose(%[[N]]) {perm = [2, 1, 0]} : f32[4, 3, 2]
// CHECK-NOT: transpose
`, ['sink-transposes']);
  });

  it('leaves transposes with other readers, moving the last axis of a matmul operand, before a 3-D weight, or under an operand that broadcasts along a moved axis', () => {
    checkPasses(`
graph @g(%x: f32[2, 3, 4], %c: f32[3, 1, 4]) -> (f32[3, 2, 5], f32[3, 2, 4], f32[4, 3, 5], f32[3, 2, 5], f32[3, 2, 4]) {
  param %w: f32[4, 5]
  param %w2: f32[2, 5]
  param %w3: f32[3, 4, 5]
  %t = transpose(%x) {perm = [1, 0, 2]} : f32[3, 2, 4]
  %m = matmul(%t, %w) : f32[3, 2, 5]
  %l = transpose(%x) {perm = [2, 1, 0]} : f32[4, 3, 2]
  %lm = matmul(%l, %w2) : f32[4, 3, 5]
  %t3 = transpose(%x) {perm = [1, 0, 2]} : f32[3, 2, 4]
  %m3 = matmul(%t3, %w3) : f32[3, 2, 5]
  %tc = transpose(%x) {perm = [1, 0, 2]} : f32[3, 2, 4]
  %ac = add(%tc, %c) : f32[3, 2, 4]
  return %m, %t, %lm, %m3, %ac
}
// CHECK: %t = transpose(%x)
// CHECK-NEXT: %m = matmul(%t, %w)
// CHECK-NEXT: %l = transpose(%x) {perm = [2, 1, 0]}
// CHECK-NEXT: %lm = matmul(%l, %w2)
// CHECK-NEXT: %t3 = transpose(%x)
// CHECK-NEXT: %m3 = matmul(%t3, %w3)
// CHECK-NEXT: %tc = transpose(%x)
// CHECK-NEXT: %ac = add(%tc, %c)
`, ['sink-transposes']);
  });

  it('sinks below an elementwise op whose other operand broadcasts only along kept axes', () => {
    checkPasses(`
graph @g(%x: bool[2, 3, 4], %y: f32[2, 3, 4], %c: f32[1, 1, 4]) -> (f32[3, 2, 4]) {
  %tx = transpose(%x) {perm = [1, 0, 2]} : bool[3, 2, 4]
  %ty = transpose(%y) {perm = [1, 0, 2]} : f32[3, 2, 4]
  %s = where(%tx, %ty, %c) : f32[3, 2, 4]
  return %s
}
// CHECK: %[[S:s.pre_transpose]] = where(%x, %y, %c) : f32[2, 3, 4]
// CHECK-NEXT: %s = transpose(%[[S]]) {perm = [1, 0, 2]} : f32[3, 2, 4]
`, ['sink-transposes']);
  });

  it('keeps the outputs of random graphs, and sinks transposes in some of them', () => {
    let sunk = 0;
    fc.assert(fc.property(recipeArb, (recipe) => {
      const { graph, inputs } = buildGraph(recipe);
      const want = runGraph(graph, inputs);
      runPasses(graph, ['sink-transposes'], { verify: true });
      expect(runGraph(graph, inputs)).toEqual(want);
      if (graph.nodes.some((n) => n.outputs[0].name.endsWith('.pre_transpose'))) sunk++;
    }), { numRuns: 400 });
    expect(sunk).toBeGreaterThan(5);
  });
});
