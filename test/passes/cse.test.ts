import { describe, it } from 'vitest';
import { checkPasses } from './harness.js';

describe('cse', () => {
  it('merges repeated computations and points their users at the first one', () => {
    checkPasses(`
graph @g(%x: f32[2]) -> (f32[2]) {
  %a = relu(%x) : f32[2]
  %b = relu(%x) : f32[2]
  %c = exp(%a) : f32[2]
  %d = exp(%b) : f32[2]
  %y = add(%c, %d) : f32[2]
  return %y
}
// CHECK: %a = relu(%x)
// CHECK-NEXT: %c = exp(%a)
// CHECK-NEXT: %y = add(%c, %c)
// CHECK-NEXT: return %y
`, ['cse']);
  });

  it('compares attributes with defaults filled in, and keeps nodes whose attributes differ', () => {
    checkPasses(`
graph @g(%a: f32[2, 3], %b: f32[3, 4]) -> (f32[2, 4]) {
  %p = gemm(%a, %b) : f32[2, 4]
  %q = gemm(%a, %b) {alpha = 1.0, trans_a = false} : f32[2, 4]
  %r = gemm(%a, %b) {alpha = 2.0} : f32[2, 4]
  %s = add(%p, %q) : f32[2, 4]
  %y = add(%s, %r) : f32[2, 4]
  return %y
}
// CHECK: %p = gemm(%a, %b) : f32[2, 4]
// CHECK-NEXT: %r = gemm(%a, %b) {alpha = 2.0}
// CHECK-NEXT: %s = add(%p, %p)
`, ['cse']);
  });

  it('merges constants with equal tensors only', () => {
    checkPasses(`
graph @g(%x: f32[2]) -> (f32[2]) {
  %c1 = constant() {value = dense<f32[2]: [1.0, 2.0]>} : f32[2]
  %c2 = constant() {value = dense<f32[2]: [1.0, 2.0]>} : f32[2]
  %c3 = constant() {value = dense<f32[2]: [1.0, 3.0]>} : f32[2]
  %a = add(%x, %c1) : f32[2]
  %b = add(%a, %c2) : f32[2]
  %y = add(%b, %c3) : f32[2]
  return %y
}
// CHECK: %c1 = constant()
// CHECK-NEXT: %c3 = constant() {value = dense<f32[2]: [1.0, 3.0]>}
// CHECK-NEXT: %a = add(%x, %c1)
// CHECK-NEXT: %b = add(%a, %c1)
`, ['cse']);
  });

  it('keeps every output name when two outputs compute the same thing', () => {
    checkPasses(`
graph @g(%x: f32[2]) -> (f32[2], f32[2]) {
  %first = neg(%x) : f32[2]
  %second = neg(%x) : f32[2]
  return %first, %second
}
// CHECK: %first = neg(%x)
// CHECK-NEXT: %second = identity(%first)
// CHECK-NEXT: return %first, %second
`, ['cse']);
  });
});
