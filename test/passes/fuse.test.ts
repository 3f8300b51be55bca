// The fuse pass: each fusion rule and each legality limit as IR text with CHECK lines, the
// verifier's check that a group is contiguous, and the invariants of groups on random graphs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { QKV_HEADS, checkPasses } from './harness.js';
import { buildGraph, recipeArb } from './random-graph.js';
import { Graph, Node } from '../../src/ir/graph.js';
import { parseGraph } from '../../src/ir/parser.js';
import { printGraph } from '../../src/ir/printer.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { runPasses } from '../../src/passes/registry.js';
import { pipelineFor } from '../../src/codegen/targets/registry.js';
import { bufferCount } from '../../src/passes/fuse-groups.js';
import { groupViews } from '../../src/analysis/views.js';
import { scheduleKernels } from '../../src/analysis/kernel-launches.js';

const groupsOf = (g: Graph) => g.nodes.map((n) => n.group);

describe('fuse: elementwise chains', () => {
  it('puts a chain with a broadcast input into one group', () => {
    checkPasses(`
graph @g(%x: f32[2, 8], %b: f32[8]) -> (f32[2, 8]) {
  %a = exp(%x) : f32[2, 8]
  %c = add(%a, %b) : f32[2, 8]
  %y = relu(%c) : f32[2, 8]
  return %y
}
// CHECK: %a = exp(%x) : f32[2, 8] group(0)
// CHECK-NEXT: %c = add(%a, %b) : f32[2, 8] group(0)
// CHECK-NEXT: %y = relu(%c) : f32[2, 8] group(0)
`, ['fuse']);
  });

  it('merges two chains where they meet, and makes the group contiguous', () => {
    checkPasses(`
graph @g(%x: f32[4], %y: f32[4], %z: f32[3, 2]) -> (f32[4], f32[2, 3]) {
  %a = exp(%x) : f32[4]
  %t = transpose(%z) : f32[2, 3]
  %b = neg(%y) : f32[4]
  %c = add(%a, %b) : f32[4]
  return %c, %t
}
// CHECK: %a = exp(%x) : f32[4] group(0)
// CHECK-NEXT: %b = neg(%y) : f32[4] group(0)
// CHECK-NEXT: %c = add(%a, %b) : f32[4] group(0)
// CHECK-NEXT: %t = transpose(%z) : f32[2, 3] group(1)
`, ['fuse']);
  });

  it('stops at a change of shape and at ops that are kernels of their own', () => {
    checkPasses(`
graph @g(%x: f32[2, 8]) -> (f32[2, 8]) {
  %a = exp(%x) : f32[2, 8]
  %s = reduce_sum(%a) {axes = [1]} : f32[2, 1]
  %r = sqrt(%s) : f32[2, 1]
  %p = softmax(%x) : f32[2, 8]
  %m = mul(%p, %r) : f32[2, 8]
  %y = neg(%m) : f32[2, 8]
  return %y
}
// CHECK: %a = exp(%x) : f32[2, 8] group(0)
// CHECK-NEXT: %s = reduce_sum(%a) {axes = [1]} : f32[2, 1] group(1)
// CHECK-NEXT: %r = sqrt(%s) : f32[2, 1] group(2)
// CHECK-NEXT: %p = softmax(%x) : f32[2, 8] group(3)
// CHECK-NEXT: %m = mul(%p, %r) : f32[2, 8] group(4)
// CHECK-NEXT: %y = neg(%m) : f32[2, 8] group(4)
`, ['fuse']);
  });
});

describe('fuse: epilogues', () => {
  it('fuses bias, activation and residual add into the conv, and scale and activation into matmul and gemm', () => {
    checkPasses(`
graph @g(%x: f32[1, 4, 5, 5], %m: f32[3, 6]) -> (f32[1, 4, 5, 5], f32[3, 2], f32[3, 2]) {
  param %w: f32[4, 4, 1, 1]
  param %b: f32[4, 1, 1]
  param %fc: f32[6, 2]
  %half = constant() {value = dense<f32[]: [0.5]>} : f32[]
  %c = conv(%x, %w, _) : f32[1, 4, 5, 5]
  %cb = add(%b, %c) : f32[1, 4, 5, 5]
  %r = clip(%cb) {max = 6.0, min = 0.0} : f32[1, 4, 5, 5]
  %res = add(%r, %x) : f32[1, 4, 5, 5]
  %mm = matmul(%m, %fc) : f32[3, 2]
  %sc = mul(%mm, %half) : f32[3, 2]
  %act = sigmoid(%sc) : f32[3, 2]
  %ge = gemm(%m, %fc) : f32[3, 2]
  %gg = gelu(%ge) : f32[3, 2]
  return %res, %act, %gg
}
// CHECK: %half = constant() {value = dense<f32[]: [0.5]>} : f32[] group(0)
// CHECK-NEXT: %c = conv(%x, %w, _) : f32[1, 4, 5, 5] group([[C:[0-9]+]])
// CHECK-NEXT: %cb = add(%b, %c) : f32[1, 4, 5, 5] group([[C]])
// CHECK-NEXT: %r = clip(%cb) {max = 6.0, min = 0.0} : f32[1, 4, 5, 5] group([[C]])
// CHECK-NEXT: %res = add(%r, %x) : f32[1, 4, 5, 5] group([[C]])
// CHECK-NEXT: %mm = matmul(%m, %fc) : f32[3, 2] group([[M:[0-9]+]])
// CHECK-NEXT: %sc = mul(%mm, %half) : f32[3, 2] group([[M]])
// CHECK-NEXT: %act = sigmoid(%sc) : f32[3, 2] group([[M]])
// CHECK-NEXT: %ge = gemm(%m, %fc) : f32[3, 2] group([[G:[0-9]+]])
// CHECK-NEXT: %gg = gelu(%ge) : f32[3, 2] group([[G]])
`, ['fuse']);
  });

  it('gives a batch norm that was not folded a group of its own with its elementwise tail, as code generators lower it (Conv | BN+ReLU)', () => {
    checkPasses(`
graph @g(%x: f32[1, 2, 3, 3]) -> (f32[1, 2, 3, 3]) {
  param %w: f32[2, 2, 1, 1]
  param %s: f32[2]
  %c = conv(%x, %w, _) : f32[1, 2, 3, 3]
  %n = batch_normalization(%c, %s, %s, %s, %s) : f32[1, 2, 3, 3]
  %y = relu(%n) : f32[1, 2, 3, 3]
  return %y
}
// CHECK: %c = conv(%x, %w, _) : f32[1, 2, 3, 3] group(0)
// CHECK-NEXT: %n = batch_normalization(%c, %s, %s, %s, %s) : f32[1, 2, 3, 3] group(1)
// CHECK-NEXT: %y = relu(%n) : f32[1, 2, 3, 3] group(1)
`, ['fuse']);
  });

  it('joins the residual add to the conv computed just before it, not to the downsample conv', () => {
    checkPasses(`
graph @g(%x: f32[1, 2, 4, 4]) -> (f32[1, 3, 4, 4]) {
  param %w1: f32[3, 2, 1, 1]
  param %wd: f32[3, 2, 1, 1]
  param %w2: f32[3, 3, 1, 1]
  %c1 = conv(%x, %w1, _) : f32[1, 3, 4, 4]
  %r1 = relu(%c1) : f32[1, 3, 4, 4]
  %d = conv(%x, %wd, _) : f32[1, 3, 4, 4]
  %c2 = conv(%r1, %w2, _) : f32[1, 3, 4, 4]
  %s = add(%c2, %d) : f32[1, 3, 4, 4]
  %y = relu(%s) : f32[1, 3, 4, 4]
  return %y
}
// CHECK: %c1 = conv(%x, %w1, _) : f32[1, 3, 4, 4] group(0)
// CHECK-NEXT: %r1 = relu(%c1) : f32[1, 3, 4, 4] group(0)
// CHECK-NEXT: %d = conv(%x, %wd, _) : f32[1, 3, 4, 4] group(1)
// CHECK-NEXT: %c2 = conv(%r1, %w2, _) : f32[1, 3, 4, 4] group(2)
// CHECK-NEXT: %s = add(%c2, %d) : f32[1, 3, 4, 4] group(2)
// CHECK-NEXT: %y = relu(%s) : f32[1, 3, 4, 4] group(2)
`, ['fuse']);
  });
});

describe('fuse: windows after a conv', () => {
  const CONV_POOL = `
graph @g(%x: f32[1, 2, 8, 8]) -> (f32[1, 2, 4, 4]) {
  param %w: f32[2, 2, 3, 3]
  %c = conv(%x, %w, _) {pads = [1, 1, 1, 1]} : f32[1, 2, 8, 8]
  %r = relu(%c) : f32[1, 2, 8, 8]
  %p = max_pool(%r) {kernel_shape = [2, 2], strides = [2, 2]} : f32[1, 2, 4, 4]
  %y = conv(%p, %w, _) {pads = [1, 1, 1, 1]} : f32[1, 2, 4, 4]
  return %y
}`;

  it('fuses Conv+ReLU+MaxPool into one group; the next conv starts another', () => {
    checkPasses(`${CONV_POOL}
// CHECK: %c = conv(%x, %w, _) {pads = [1, 1, 1, 1]} : f32[1, 2, 8, 8] group(0)
// CHECK-NEXT: %r = relu(%c) : f32[1, 2, 8, 8] group(0)
// CHECK-NEXT: %p = max_pool(%r) {kernel_shape = [2, 2], strides = [2, 2]} : f32[1, 2, 4, 4] group(0)
// CHECK-NEXT: %y = conv(%p, %w, _) {pads = [1, 1, 1, 1]} : f32[1, 2, 4, 4] group(1)
`, ['fuse']);
  });

  const INVERTED_RESIDUAL = `
graph @g(%x: f32[1, 2, 6, 6]) -> (f32[1, 2, 6, 6]) {
  param %expand: f32[6, 2, 1, 1]
  param %dw: f32[6, 1, 3, 3]
  param %project: f32[2, 6, 1, 1]
  %e = conv(%x, %expand, _) : f32[1, 6, 6, 6]
  %e6 = clip(%e) {max = 6.0, min = 0.0} : f32[1, 6, 6, 6]
  %d = conv(%e6, %dw, _) {group = 6, pads = [1, 1, 1, 1]} : f32[1, 6, 6, 6]
  %d6 = clip(%d) {max = 6.0, min = 0.0} : f32[1, 6, 6, 6]
  %p = conv(%d6, %project, _) : f32[1, 2, 6, 6]
  %y = add(%p, %x) : f32[1, 2, 6, 6]
  return %y
}`;

  it('fuses the depthwise conv of an inverted residual block into the expanding conv, and can be turned off', () => {
    checkPasses(`${INVERTED_RESIDUAL}
// CHECK: %e = conv(%x, %expand, _) : f32[1, 6, 6, 6] group(0)
// CHECK-NEXT: %e6 = clip(%e) {max = 6.0, min = 0.0} : f32[1, 6, 6, 6] group(0)
// CHECK-NEXT: %d = conv(%e6, %dw, _) {group = 6, pads = [1, 1, 1, 1]} : f32[1, 6, 6, 6] group(0)
// CHECK-NEXT: %d6 = clip(%d) {max = 6.0, min = 0.0} : f32[1, 6, 6, 6] group(0)
// CHECK-NEXT: %p = conv(%d6, %project, _) : f32[1, 2, 6, 6] group(1)
// CHECK-NEXT: %y = add(%p, %x) : f32[1, 2, 6, 6] group(1)
`, ['fuse']);
    checkPasses(`${INVERTED_RESIDUAL}
// CHECK: %e6 = clip(%e) {max = 6.0, min = 0.0} : f32[1, 6, 6, 6] group(0)
// CHECK-NEXT: %d = conv(%e6, %dw, _) {group = 6, pads = [1, 1, 1, 1]} : f32[1, 6, 6, 6] group(1)
// CHECK-NEXT: %d6 = clip(%d) {max = 6.0, min = 0.0} : f32[1, 6, 6, 6] group(1)
// CHECK-NEXT: %p = conv(%d6, %project, _) : f32[1, 2, 6, 6] group(2)
`, ['fuse{windows=false}']);
  });

  it('takes one window per group, and none after a group without a conv', () => {
    checkPasses(`
graph @g(%x: f32[1, 2, 8, 8]) -> (f32[1, 2, 2, 2]) {
  param %w: f32[2, 2, 1, 1]
  %c = conv(%x, %w, _) : f32[1, 2, 8, 8]
  %p = max_pool(%c) {kernel_shape = [2, 2], strides = [2, 2]} : f32[1, 2, 4, 4]
  %q = average_pool(%p) {kernel_shape = [2, 2], strides = [2, 2]} : f32[1, 2, 2, 2]
  %r = relu(%q) : f32[1, 2, 2, 2]
  %s = max_pool(%r) {kernel_shape = [1, 1]} : f32[1, 2, 2, 2]
  return %s
}
// CHECK: %p = max_pool(%c) {kernel_shape = [2, 2], strides = [2, 2]} : f32[1, 2, 4, 4] group(0)
// CHECK-NEXT: %q = average_pool(%p) {kernel_shape = [2, 2], strides = [2, 2]} : f32[1, 2, 2, 2] group(1)
// CHECK-NEXT: %r = relu(%q) : f32[1, 2, 2, 2] group(2)
// CHECK-NEXT: %s = max_pool(%r) {kernel_shape = [1, 1]} : f32[1, 2, 2, 2] group(3)
`, ['fuse']);
  });
});

describe('fuse: fused ops, views and constants', () => {
  it('keeps softmax, layer norm and attention as groups of one, and gives views and constants groups of their own', () => {
    checkPasses(`
graph @g(%x: f32[2, 3, 4]) -> (f32[2, 3, 4], f32[24]) {
  param %s: f32[4]
  %c = constant() {value = dense<f32[]: [2.0]>} : f32[]
  %p = softmax(%x) : f32[2, 3, 4]
  %m = mul(%p, %c) : f32[2, 3, 4]
  %n = layer_normalization(%m, %s) : f32[2, 3, 4]
  %a = scaled_dot_product_attention(%n, %x, %x) : f32[2, 3, 4]
  %r = relu(%a) : f32[2, 3, 4]
  %f = reshape(%r) {shape = [24]} : f32[24]
  %y = neg(%f) : f32[24]
  return %r, %y
}
// CHECK: %c = constant() {value = dense<f32[]: [2.0]>} : f32[] group(0)
// CHECK-NEXT: %p = softmax(%x) : f32[2, 3, 4] group(1)
// CHECK-NEXT: %m = mul(%p, %c) : f32[2, 3, 4] group(2)
// CHECK-NEXT: %n = layer_normalization(%m, %s) : f32[2, 3, 4] group(3)
// CHECK-NEXT: %a = scaled_dot_product_attention(%n, %x, %x) : f32[2, 3, 4] group(4)
// CHECK-NEXT: %r = relu(%a) : f32[2, 3, 4] group(5)
// CHECK-NEXT: %f = reshape(%r) {shape = [24]} : f32[24] group(6)
// CHECK-NEXT: %y = neg(%f) : f32[24] group(7)
`, ['fuse']);
  });
});

describe('fuse: data movement as views', () => {
  it('puts the slices, reshapes and transposes that feed attention into its group, and the transpose of its result', () => {
    const g = checkPasses(`
graph @g(%x: f32[N, 4, 24]) -> (f32[4, 2*N, 4]) {
${QKV_HEADS}
  %a = scaled_dot_product_attention(%qh, %kh, %vh) : f32[2*N, 4, 4]
  %y = transpose(%a) {perm = [1, 0, 2]} : f32[4, 2*N, 4]
  return %y
}
// CHECK: %t = transpose(%x) {perm = [1, 0, 2]} : f32[4, N, 24] group(0)
// CHECK-NEXT: %q = slice(%t) {{.*}} group(0)
// CHECK: %a = scaled_dot_product_attention(%qh, %kh, %vh) : f32[2*N, 4, 4] group(0)
// CHECK-NEXT: %y = transpose(%a) {perm = [1, 0, 2]} : f32[4, 2*N, 4] group(0)
// CHECK-NEXT: return %y
`, ['fuse']);
    expect(new Set(groupsOf(g))).toEqual(new Set([0]));
    expect(scheduleKernels(g)).toHaveLength(1);
  });

  it('lets an elementwise chain read through a transpose after a reshape of a gemm result, and a softmax store through a transpose', () => {
    checkPasses(`
graph @g(%x: f32[N, 4, 6], %h: f32[4*N, 6]) -> (f32[N, 4, 6], f32[N, 6, 4]) {
  %r = reshape(%h) {shape = [4, N, 6]} : f32[4, N, 6]
  %t = transpose(%r) {perm = [1, 0, 2]} : f32[N, 4, 6]
  %a = add(%x, %t) : f32[N, 4, 6]
  %y = relu(%a) : f32[N, 4, 6]
  %s = softmax(%y) : f32[N, 4, 6]
  %z = transpose(%s) {perm = [0, 2, 1]} : f32[N, 6, 4]
  return %y, %z
}
// CHECK: %r = reshape(%h) {shape = [4, N, 6]} : f32[4, N, 6] group(0)
// CHECK-NEXT: %t = transpose(%r) {perm = [1, 0, 2]} : f32[N, 4, 6] group(1)
// CHECK-NEXT: %a = add(%x, %t) : f32[N, 4, 6] group(1)
// CHECK-NEXT: %y = relu(%a) : f32[N, 4, 6] group(1)
// CHECK-NEXT: %s = softmax(%y) : f32[N, 4, 6] group(2)
// CHECK-NEXT: %z = transpose(%s) {perm = [0, 2, 1]} : f32[N, 6, 4] group(2)
`, ['fuse']);
  });

  it('keeps movement a kernel before a contraction, with readers in two groups, as a graph output, and a lone reshape an alias', () => {
    checkPasses(`
graph @g(%x: f32[4, 6], %w: f32[4, 3], %s: f32[4]) -> (f32[6, 3], f32[6, 4], f32[6, 4], f32[6, 4], f32[24]) {
  %t = transpose(%x) : f32[6, 4]
  %m = matmul(%t, %w) : f32[6, 3]
  %u = transpose(%x) : f32[6, 4]
  %e = exp(%u) : f32[6, 4]
  %n = layer_normalization(%u, %s) : f32[6, 4]
  %o = transpose(%x) : f32[6, 4]
  %f = reshape(%x) {shape = [24]} : f32[24]
  %y = neg(%f) : f32[24]
  return %m, %e, %n, %o, %y
}
// CHECK: %t = transpose(%x) : f32[6, 4] group(0)
// CHECK-NEXT: %m = matmul(%t, %w) : f32[6, 3] group(1)
// CHECK-NEXT: %u = transpose(%x) : f32[6, 4] group(2)
// CHECK-NEXT: %e = exp(%u) : f32[6, 4] group(3)
// CHECK-NEXT: %n = layer_normalization(%u, %s) {{.*}} group(4)
// CHECK-NEXT: %o = transpose(%x) : f32[6, 4] group(5)
// CHECK-NEXT: %f = reshape(%x) {shape = [24]} : f32[24] group(6)
// CHECK-NEXT: %y = neg(%f) : f32[24] group(7)
`, ['fuse']);
  });
  it('keeps a batch norm out of an elementwise chain, which then reads through a view', () => {
    checkPasses(`
graph @g(%x: f32[1, 2, 3, 4]) -> (f32[1, 3, 2, 4]) {
  param %s: f32[3]
  param %b: f32[3]
  param %m: f32[3]
  param %v: f32[3]
  %t = transpose(%x) {perm = [0, 2, 1, 3]} : f32[1, 3, 2, 4]
  %r = relu(%t) : f32[1, 3, 2, 4]
  %y = batch_normalization(%r, %s, %b, %m, %v) : f32[1, 3, 2, 4]
  return %y
}
// CHECK: %t = transpose(%x) {perm = [0, 2, 1, 3]} : f32[1, 3, 2, 4] group(0)
// CHECK-NEXT: %r = relu(%t) : f32[1, 3, 2, 4] group(0)
// CHECK-NEXT: %y = batch_normalization(%r, %s, %b, %m, %v) : f32[1, 3, 2, 4] group(1)
`, ['fuse']);
  });
});

describe('fuse: legality', () => {
  it('does not fuse past an intermediate that is also read elsewhere or is a graph output', () => {
    checkPasses(`
graph @g(%x: f32[1, 2, 3, 3]) -> (f32[1, 2, 3, 3], f32[1, 2, 3, 3], f32[1, 2, 3, 3]) {
  param %w: f32[2, 2, 1, 1]
  %c = conv(%x, %w, _) : f32[1, 2, 3, 3]
  %r = relu(%c) : f32[1, 2, 3, 3]
  %d = conv(%c, %w, _) : f32[1, 2, 3, 3]
  %e = exp(%d) : f32[1, 2, 3, 3]
  %a = tanh(%e) : f32[1, 2, 3, 3]
  return %r, %e, %a
}
// CHECK: %c = conv(%x, %w, _) : f32[1, 2, 3, 3] group(0)
// CHECK-NEXT: %r = relu(%c) : f32[1, 2, 3, 3] group(1)
// CHECK-NEXT: %d = conv(%c, %w, _) : f32[1, 2, 3, 3] group(2)
// CHECK-NEXT: %e = exp(%d) : f32[1, 2, 3, 3] group(2)
// CHECK-NEXT: %a = tanh(%e) : f32[1, 2, 3, 3] group(3)
`, ['fuse']);
  });

  const CHAIN = `
graph @g(%x: f32[8], %a: f32[8], %b: f32[8], %c: f32[8], %d: f32[8]) -> (f32[8]) {
  %s1 = add(%x, %a) : f32[8]
  %s2 = add(%s1, %b) : f32[8]
  %s3 = add(%s2, %c) : f32[8]
  %s4 = add(%s3, %d) : f32[8]
  return %s4
}`;

  it('splits a group at max-inputs distinct buffers read and written; 0 is no limit', () => {
    checkPasses(`${CHAIN}
// CHECK: %s1 = add(%x, %a) : f32[8] group(0)
// CHECK-NEXT: %s2 = add(%s1, %b) : f32[8] group(0)
// CHECK-NEXT: %s3 = add(%s2, %c) : f32[8] group(1)
// CHECK-NEXT: %s4 = add(%s3, %d) : f32[8] group(1)
`, ['fuse{max-inputs=4}']);
    const g = checkPasses(`${CHAIN}\n// CHECK: %s4 = add(%s3, %d) : f32[8] group(0)\n`, ['fuse{max-inputs=0}']);
    expect(new Set(groupsOf(g))).toEqual(new Set([0]));
  });

  it('takes the limit of the target from its pipeline: 8 buffers for wgsl, none for cpu', () => {
    const inputs = Array.from({ length: 10 }, (_, i) => `%i${i}: f32[8]`).join(', ');
    const adds = Array.from({ length: 9 }, (_, i) => `  %s${i + 1} = add(${i === 0 ? '%i0' : `%s${i}`}, %i${i + 1}) : f32[8]`).join('\n');
    const text = `graph @g(${inputs}) -> (f32[8]) {\n${adds}\n  return %s9\n}\n`;
    const fuseOf = (target: string) => pipelineFor(target, 1).filter((p) => p.startsWith('fuse'));
    const wgsl = runPasses(parseGraph(text), fuseOf('wgsl'), { verify: true });
    expect(groupsOf(wgsl)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const cpu = runPasses(parseGraph(text), fuseOf('cpu'), { verify: true });
    expect(new Set(groupsOf(cpu))).toEqual(new Set([0]));
  });

  it('keeps elementwise tails out of contraction groups where the target has no epilogues (wgsl)', () => {
    const text = `graph @g(%x: f32[4, 8], %w: f32[8, 8], %b: f32[8]) -> (f32[4, 8]) {
  %m = matmul(%x, %w) : f32[4, 8]
  %a = add(%m, %b) : f32[4, 8]
  %r = relu(%a) : f32[4, 8]
  return %r
}
`;
    checkPasses(`${text}// CHECK: %m = matmul(%x, %w) : f32[4, 8] group(0)\n// CHECK-NEXT: %a = add(%m, %b) : f32[4, 8] group(1)\n// CHECK-NEXT: %r = relu(%a) : f32[4, 8] group(1)\n`, ['fuse{epilogues=false}']);
    checkPasses(`${text}// CHECK: %m = matmul(%x, %w) : f32[4, 8] group(0)\n// CHECK-NEXT: %a = add(%m, %b) : f32[4, 8] group(0)\n// CHECK-NEXT: %r = relu(%a) : f32[4, 8] group(0)\n`, ['fuse']);
  });
});

describe('verifier: fusion groups', () => {
  it('reports a group whose nodes are not adjacent', () => {
    const g = parseGraph(`
graph @g(%x: f32[4]) -> (f32[4]) {
  %a = exp(%x) : f32[4] group(0)
  %b = neg(%x) : f32[4] group(1)
  %c = add(%a, %b) : f32[4] group(0)
  return %c
}`);
    expect(verifyGraph(g).map((d) => d.message)).toEqual(['%c: fusion group 0 is split: other nodes come between its nodes']);
    g.nodes[1].group = 0;
    expect(verifyGraph(g)).toEqual([]);
  });
});

/** Whether some path from a node of the group leaves it and comes back (checked from the definition). */
function leavesAndReenters(graph: Graph, group: ReadonlySet<Node>): boolean {
  const readers = new Map<Node, Node[]>();
  for (const n of graph.nodes) for (const v of n.inputs) if (v?.producer) readers.set(v.producer, [...(readers.get(v.producer) ?? []), n]);
  const work = [...group].flatMap((n) => (readers.get(n) ?? []).filter((u) => !group.has(u)));
  const seen = new Set<Node>();
  while (work.length > 0) {
    const n = work.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const u of readers.get(n) ?? []) {
      if (group.has(u)) return true;
      work.push(u);
    }
  }
  return false;
}

describe('fuse on random graphs', () => {
  it('groups every node, convex and contiguous, storing only results, within the buffer limit', () => {
    let fusedSome = false;
    fc.assert(fc.property(recipeArb, fc.constantFrom(0, 3, 5), (recipe, limit) => {
      const { graph } = buildGraph(recipe);
      runPasses(graph, ['recognize-layernorm', 'recognize-gelu', `fuse{max-inputs=${limit}}`], { verify: true });
      expect(verifyGraph(graph)).toEqual([]);
      const ids = groupsOf(graph);
      expect(ids.every((id) => id !== undefined)).toBe(true);
      expect([...new Set(ids)]).toEqual([...Array(new Set(ids).size).keys()]);
      const users = graph.users();
      const outputs = new Set(graph.outputs);
      const text = printGraph(graph);
      for (const id of new Set(ids)) {
        const group = new Set(graph.nodes.filter((n) => n.group === id));
        if (group.size > 1) fusedSome = true;
        expect(leavesAndReenters(graph, group), text).toBe(false);
        for (const n of group)
          for (const o of n.outputs) {
            const readers = users.get(o) ?? [];
            if (readers.some((u) => group.has(u))) expect(!outputs.has(o) && readers.every((u) => group.has(u)), text).toBe(true);
          }
        // views bind their source instead of their result, so only fusing computations can pass the limit
        if (limit > 0 && groupViews([...group]).compute.length > 1) expect(bufferCount(group, users, outputs), text).toBeLessThanOrEqual(limit);
      }
    }), { numRuns: 300 });
    expect(fusedSome).toBe(true);
  });
});
