import { describe, it } from 'vitest';
import { checkPasses } from './harness.js';

describe('remove-identities', () => {
  it('removes identity, same-dtype cast, same-shape reshape and identity-perm transpose', () => {
    checkPasses(`
graph @g(%x: f32[2, 3]) -> (f32[2, 3]) {
  %a = relu(%x) : f32[2, 3]
  %b = identity(%a) : f32[2, 3]
  %c = cast(%b) {to = f32} : f32[2, 3]
  %d = reshape(%c) {shape = [2, -1]} : f32[2, 3]
  %e = transpose(%d) {perm = [0, 1]} : f32[2, 3]
  %y = neg(%e) : f32[2, 3]
  return %y
}
// CHECK: %a = relu(%x)
// CHECK-NEXT: %y = neg(%a)
// CHECK-NEXT: return %y
`, ['remove-identities']);
  });

  it('keeps ops that change the value or its type', () => {
    checkPasses(`
graph @g(%x: f32[3, 3]) -> (f32[3, 3], f16[3, 3], f32[9]) {
  %t = transpose(%x) {perm = [1, 0]} : f32[3, 3]
  %h = cast(%x) {to = f16} : f16[3, 3]
  %r = reshape(%x) {shape = [9]} : f32[9]
  return %t, %h, %r
}
// CHECK: %t = transpose(%x)
// CHECK-NEXT: %h = cast(%x)
// CHECK-NEXT: %r = reshape(%x)
`, ['remove-identities']);
  });

  it('removes x + 0, 0 + x, x * 1, x - 0 and x / 1, but not a constant that broadcasts x', () => {
    checkPasses(`
graph @g(%x: f32[3]) -> (f32[1, 3]) {
  %zero = constant() {value = dense<f32[]: [0.0]>} : f32[]
  %one = constant() {value = dense<f32[1]: [1.0]>} : f32[1]
  %wide = constant() {value = dense<f32[1, 1]: [0.0]>} : f32[1, 1]
  %a = add(%x, %zero) : f32[3]
  %b = add(%zero, %a) : f32[3]
  %c = mul(%one, %b) : f32[3]
  %d = sub(%c, %zero) : f32[3]
  %e = div(%d, %one) : f32[3]
  %y = add(%e, %wide) : f32[1, 3]
  return %y
}
// CHECK-NOT: mul
// CHECK-NOT: sub
// CHECK-NOT: div
// CHECK: %y = add(%x, %wide) : f32[1, 3]
// CHECK-NEXT: return %y
`, ['remove-identities', 'dce']);
  });

  it('keeps graph output names: the producer takes the name, or an identity stays', () => {
    checkPasses(`
graph @g(%x: f32[2]) -> (f32[2], f32[2], f32[2]) {
  %r = relu(%x) : f32[2]
  %out = identity(%r) : f32[2]
  %same = identity(%x) : f32[2]
  %twice = identity(%out) : f32[2]
  return %out, %same, %twice
}
// CHECK: %out = relu(%x)
// CHECK-NEXT: %same = identity(%x)
// CHECK-NEXT: %twice = identity(%out)
// CHECK-NEXT: return %out, %same, %twice
`, ['remove-identities']);
  });
});
