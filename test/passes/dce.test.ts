import { describe, expect, it } from 'vitest';
import { checkPasses } from './harness.js';
import { Tensor } from '../../src/ir/tensor.js';

describe('dce', () => {
  it('removes nodes that reach no output, however deep, and keeps the rest in order', () => {
    checkPasses(`
graph @g(%x: f32[2]) -> (f32[2]) {
  %a = relu(%x) : f32[2]
  %dead1 = exp(%a) : f32[2]
  %dead2 = neg(%dead1) : f32[2]
  %y = neg(%a) : f32[2]
  return %y
}
// CHECK: %a = relu(%x)
// CHECK-NEXT: %y = neg(%a)
// CHECK-NEXT: return %y
// CHECK-NOT: dead
`, ['dce']);
  });

  it('removes params no node reads, with their weights, but never graph inputs', () => {
    const g = checkPasses(`
graph @g(%x: f32[2], %unused: f32[3]) -> (f32[2]) {
  param %w: f32[2]
  param %stale: f32[4]
  %y = mul(%x, %w) : f32[2]
  return %y
}
// CHECK: graph @g(%x: f32[2], %unused: f32[3])
// CHECK-NEXT: param %w: f32[2]
// CHECK-NOT: stale
// CHECK: return %y
`, ['dce'], { w: Tensor.fromNumbers('f32', [2], [1, 2]), stale: Tensor.zeros('f32', [4]) });
    expect([...g.weights.keys()]).toEqual(['w']);
  });

  it('keeps a multi-output node when any of its outputs is used', () => {
    checkPasses(`
graph @g(%x: f32[4]) -> (f32[1]) {
  %p, %q = split(%x) {axis = 0, split = [3, 1]} : f32[3], f32[1]
  return %q
}
// CHECK: %p, %q = split(%x)
// CHECK-NEXT: return %q
`, ['dce']);
  });
});
