import { describe, it } from 'vitest';
import { checkPasses } from './harness.js';

describe('simplify-reshapes', () => {
  it('collapses a reshape chain into one reshape from its start', () => {
    checkPasses(`
graph @g(%x: f32[2, 3, 4]) -> (f32[4, 6]) {
  %a = reshape(%x) {shape = [6, 4]} : f32[6, 4]
  %b = reshape(%a) {shape = [24]} : f32[24]
  %y = reshape(%b) {shape = [4, -1]} : f32[4, 6]
  return %y
}
// CHECK: graph @g
// CHECK-NEXT: %y = reshape(%x) {shape = [4, 6]} : f32[4, 6]
// CHECK-NEXT: return %y
`, ['simplify-reshapes']);
  });

  it('turns flatten/squeeze/unsqueeze chains over symbolic dims into one reshape', () => {
    checkPasses(`
graph @g(%x: f32[N, 3, 1, 4]) -> (f32[N, 1, 12]) {
  %s = squeeze(%x) {axes = [2]} : f32[N, 3, 4]
  %f = flatten(%s) {axis = 1} : f32[N, 12]
  %y = unsqueeze(%f) {axes = [1]} : f32[N, 1, 12]
  return %y
}
// CHECK: %y = reshape(%x) {shape = [N, 1, 12]} : f32[N, 1, 12]
// CHECK-NOT: squeeze
// CHECK-NOT: flatten
`, ['simplify-reshapes']);
  });

  it('keeps an inner reshape that has other users', () => {
    checkPasses(`
graph @g(%x: f32[2, 6]) -> (f32[12], f32[3, 4]) {
  %a = reshape(%x) {shape = [12]} : f32[12]
  %b = reshape(%a) {shape = [3, 4]} : f32[3, 4]
  return %a, %b
}
// CHECK: %a = reshape(%x) {shape = [12]}
// CHECK-NEXT: %b = reshape(%x) {shape = [3, 4]}
`, ['simplify-reshapes']);
  });

  it('composes transposes, dropping the inner ones; inverse pairs then vanish with remove-identities', () => {
    checkPasses(`
graph @g(%x: f32[2, 3, 4]) -> (f32[4, 2, 3], f32[3, 4, 2], f32[2, 3, 4]) {
  %t = transpose(%x) {perm = [2, 0, 1]} : f32[4, 2, 3]
  %u = transpose(%t) {perm = [1, 0, 2]} : f32[2, 4, 3]
  %v = transpose(%u) : f32[3, 4, 2]
  %p = transpose(%x) {perm = [1, 2, 0]} : f32[3, 4, 2]
  %q = transpose(%p) {perm = [2, 0, 1]} : f32[2, 3, 4]
  %y = neg(%q) : f32[2, 3, 4]
  return %t, %v, %y
}
// CHECK: %t = transpose(%x) {perm = [2, 0, 1]}
// CHECK-NEXT: %v = transpose(%x) {perm = [1, 2, 0]} : f32[3, 4, 2]
// CHECK-NEXT: %y = neg(%x)
`, ['simplify-reshapes', 'remove-identities']);
  });
});
