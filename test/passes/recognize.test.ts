// The recognize-* passes: each rule as IR text with CHECK lines, the same results before and after
// (within 1e-5), the cases that must stay as they are, and the PyTorch transformer exports.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPasses, parseWithWeights } from './harness.js';
import { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { printGraph } from '../../src/ir/printer.js';
import { Tensor, readNumbers, sizeOf } from '../../src/ir/tensor.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { readNpy } from '../../src/formats/npy.js';
import { runPasses } from '../../src/passes/registry.js';

const f32 = (shape: number[], values: number[]) => Tensor.fromNumbers('f32', shape, values);
const ramp = (shape: number[], k = 0.37) => f32(shape, Array.from({ length: sizeOf(shape) }, (_, i) => Math.sin(i * k + 1)));

function expectSameOutputs(before: Graph, after: Graph, inputs: Record<string, Tensor>): void {
  const want = runGraph(before, inputs);
  const got = runGraph(after, inputs);
  for (const [name, t] of want) {
    const g = readNumbers(got.get(name)!), w = readNumbers(t);
    expect(g.length).toBe(w.length);
    for (let i = 0; i < w.length; i++) expect(Math.abs(g[i] - w[i]), `${name}[${i}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(w[i])));
  }
}

/** Run the pass on the text, check its CHECK lines, and compare results with the unchanged graph on `inputs`. */
function checkRewrite(text: string, pass: string, inputs: Record<string, Tensor>, weights: Record<string, Tensor> = {}): Graph {
  const after = checkPasses(text, [pass], weights);
  expectSameOutputs(parseWithWeights(text, weights), after, inputs);
  return after;
}

/** The pass leaves the graph's text as it was. */
function expectUnchanged(text: string, pass: string, weights: Record<string, Tensor> = {}): void {
  const g = parseWithWeights(text, weights);
  const before = printGraph(g);
  runPasses(g, [pass], { verify: true });
  expect(printGraph(g)).toBe(before);
}

const scalar = (name: string, v: string) => `  %${name} = constant() {value = dense<f32[]: [${v}]>} : f32[]`;

describe('recognize-layernorm', () => {
  const PYTORCH = `
graph @g(%x: f32[2, 3, 4]) -> (f32[2, 3, 4]) {
  param %g: f32[4]
  param %b: f32[4]
  %mean = reduce_mean(%x) {axes = [-1]} : f32[2, 3, 1]
  %d = sub(%x, %mean) : f32[2, 3, 4]
${scalar('two', '2.0')}
  %sq = pow(%d, %two) : f32[2, 3, 4]
  %var = reduce_mean(%sq) {axes = [-1]} : f32[2, 3, 1]
${scalar('eps', '0.001')}
  %ve = add(%var, %eps) : f32[2, 3, 1]
  %s = sqrt(%ve) : f32[2, 3, 1]
  %n = div(%d, %s) : f32[2, 3, 4]
  %m = mul(%n, %g) : f32[2, 3, 4]
  %y = add(%b, %m) : f32[2, 3, 4]
  return %y
}
// CHECK: %y = layer_normalization(%x, %g, %b) {axis = -1, epsilon = 0.001} : f32[2, 3, 4]
// CHECK-NEXT: return %y
// CHECK-NOT: reduce_mean
`;
  const weights = { g: f32([4], [1, -2, 0.5, 3]), b: f32([4], [0.1, 0.2, -0.3, 0]) };

  it('replaces the PyTorch export (pow, div, * gamma, beta + _) and keeps the results', () => {
    checkRewrite(PYTORCH, 'recognize-layernorm', { x: ramp([2, 3, 4]) }, weights);
  });

  it('reads d*d, rsqrt, gamma on the left, two trailing axes and an epsilon held by a one-element param', () => {
    const text = `
graph @g(%x: f32[2, 3, 4]) -> (f32[2, 3, 4]) {
  param %g: f32[3, 4]
  param %eps: f32[1]
  %mean = reduce_mean(%x) {axes = [2, 1]} : f32[2, 1, 1]
  %d = sub(%x, %mean) : f32[2, 3, 4]
  %sq = mul(%d, %d) : f32[2, 3, 4]
  %var = reduce_mean(%sq) {axes = [-2, -1]} : f32[2, 1, 1]
  %ve = add(%eps, %var) : f32[2, 1, 1]
  %r = rsqrt(%ve) : f32[2, 1, 1]
  %n = mul(%r, %d) : f32[2, 3, 4]
  %y = mul(%g, %n) : f32[2, 3, 4]
  return %y
}
// CHECK: %y = layer_normalization(%x, %g) {axis = -2, epsilon = 0.01} : f32[2, 3, 4]
// CHECK-NEXT: return %y
`;
    checkRewrite(text, 'recognize-layernorm', { x: ramp([2, 3, 4], 0.9) }, { g: ramp([3, 4], 0.3), eps: f32([1], [0.01]) });
  });

  it('gives a norm without gamma and beta a scale of ones', () => {
    const text = PYTORCH.replace(/ {2}%m = .*\n {2}%y = .*\n/, '  %y = div(%d, %s) : f32[2, 3, 4]\n').replace(/ {2}%n = .*\n/, '')
      .replace(/\/\/ CHECK[^\n]*\n/g, '') + `
// CHECK: %y.scale = constant() {value = dense<f32[4]: [1.0, 1.0, 1.0, 1.0]>} : f32[4]
// CHECK-NEXT: %y = layer_normalization(%x, %y.scale) {axis = -1, epsilon = 0.001}
`;
    checkRewrite(text, 'recognize-layernorm', { x: ramp([2, 3, 4]) }, weights);
  });

  it('leaves the pattern when an intermediate is used elsewhere, or the reduction is not over trailing axes', () => {
    expectUnchanged(PYTORCH.replace('-> (f32[2, 3, 4])', '-> (f32[2, 3, 4], f32[2, 3, 4])').replace('return %y', 'return %y, %d'), 'recognize-layernorm', weights);
    expectUnchanged(PYTORCH.replace(/\{axes = \[-1\]\} : f32\[2, 3, 1\]/g, '{axes = [1]} : f32[2, 1, 4]').replace(/f32\[2, 3, 1\]/g, 'f32[2, 1, 4]'), 'recognize-layernorm', weights);
  });
});

describe('recognize-rmsnorm', () => {
  const RSQRT = `
graph @g(%x: f32[3, 8]) -> (f32[3, 8]) {
  param %w: f32[8]
${scalar('two', '2.0')}
  %sq = pow(%x, %two) : f32[3, 8]
  %ms = reduce_mean(%sq) {axes = [-1]} : f32[3, 1]
${scalar('eps', '0.000001')}
  %ve = add(%ms, %eps) : f32[3, 1]
  %r = rsqrt(%ve) : f32[3, 1]
  %n = mul(%x, %r) : f32[3, 8]
  %y = mul(%w, %n) : f32[3, 8]
  return %y
}
// CHECK: %y = rms_normalization(%x, %w) {axis = -1, epsilon = 0.000001} : f32[3, 8]
// CHECK-NEXT: return %y
// CHECK-NOT: rsqrt
`;
  const w = { w: ramp([8], 0.5) };

  it('replaces x * rsqrt(mean(x^2) + eps) * weight', () => {
    checkRewrite(RSQRT, 'recognize-rmsnorm', { x: ramp([3, 8]) }, w);
  });

  it('replaces x / sqrt(mean(x*x) + eps) and x * reciprocal(sqrt(...)) times weight', () => {
    const div = RSQRT.replace('%sq = pow(%x, %two)', '%sq = mul(%x, %x)').replace('%r = rsqrt(%ve) : f32[3, 1]', '%r = sqrt(%ve) : f32[3, 1]')
      .replace('%n = mul(%x, %r)', '%n = div(%x, %r)').replace('// CHECK-NOT: rsqrt', '// CHECK-NOT: sqrt');
    checkRewrite(div, 'recognize-rmsnorm', { x: ramp([3, 8], 1.1) }, w);
    const reciprocal = RSQRT.replace('%r = rsqrt(%ve) : f32[3, 1]', '%s = sqrt(%ve) : f32[3, 1]\n  %r = reciprocal(%s) : f32[3, 1]')
      .replace('// CHECK-NOT: rsqrt', '// CHECK-NOT: reciprocal');
    checkRewrite(reciprocal, 'recognize-rmsnorm', { x: ramp([3, 8], 1.3) }, w);
  });

  it('leaves a square of another value, and a mean over a leading axis', () => {
    const other = RSQRT.replace('(%x: f32[3, 8])', '(%x: f32[3, 8], %z: f32[3, 8])').replace('%sq = pow(%x, %two)', '%sq = pow(%z, %two)');
    expectUnchanged(other, 'recognize-rmsnorm', w);
    expectUnchanged(RSQRT.replace('{axes = [-1]} : f32[3, 1]', '{axes = [0]} : f32[1, 8]').replace(/f32\[3, 1\]/g, 'f32[1, 8]'), 'recognize-rmsnorm', w);
  });
});

describe('recognize-gelu', () => {
  const ERF = `
graph @g(%x: f32[4, 6]) -> (f32[4, 6]) {
${scalar('sqrt2', '1.4142135')}
  %a = div(%x, %sqrt2) : f32[4, 6]
  %e = erf(%a) : f32[4, 6]
${scalar('one', '1.0')}
  %p = add(%e, %one) : f32[4, 6]
  %m = mul(%x, %p) : f32[4, 6]
${scalar('half', '0.5')}
  %y = mul(%m, %half) : f32[4, 6]
  return %y
}
// CHECK: %y = gelu(%x) : f32[4, 6]
// CHECK-NEXT: return %y
// CHECK-NOT: erf
`;
  const x = { x: f32([4, 6], Array.from({ length: 24 }, (_, i) => (i - 12) / 3)) };

  it('replaces the PyTorch erf form', () => {
    checkRewrite(ERF, 'recognize-gelu', x);
  });

  it('replaces the erf form associated the other way, with x * (1/sqrt 2)', () => {
    const text = `
graph @g(%x: f32[4, 6]) -> (f32[4, 6]) {
${scalar('half', '0.5')}
${scalar('inv', '0.70710677')}
${scalar('one', '1.0')}
  %h = mul(%half, %x) : f32[4, 6]
  %a = mul(%x, %inv) : f32[4, 6]
  %e = erf(%a) : f32[4, 6]
  %p = add(%one, %e) : f32[4, 6]
  %y = mul(%h, %p) : f32[4, 6]
  return %y
}
// CHECK: %y = gelu(%x) : f32[4, 6]
`;
    checkRewrite(text, 'recognize-gelu', x);
  });

  it('replaces the tanh approximation, with x^3 as pow or as x*x*x', () => {
    const tanh = (cube: string) => `
graph @g(%x: f32[4, 6]) -> (f32[4, 6]) {
${scalar('half', '0.5')}
${scalar('one', '1.0')}
${scalar('k', '0.7978846')}
${scalar('c', '0.044715')}
${cube}
  %t1 = mul(%c, %x3) : f32[4, 6]
  %inner = add(%x, %t1) : f32[4, 6]
  %arg = mul(%k, %inner) : f32[4, 6]
  %t = tanh(%arg) : f32[4, 6]
  %p = add(%t, %one) : f32[4, 6]
  %h = mul(%x, %p) : f32[4, 6]
  %y = mul(%half, %h) : f32[4, 6]
  return %y
}
// CHECK: %y = gelu(%x) {approximate = "tanh"} : f32[4, 6]
// CHECK-NOT: tanh(
`;
    checkRewrite(tanh(`${scalar('three', '3.0')}\n  %x3 = pow(%x, %three) : f32[4, 6]`), 'recognize-gelu', x);
    checkRewrite(tanh('  %x2 = mul(%x, %x) : f32[4, 6]\n  %x3 = mul(%x2, %x) : f32[4, 6]'), 'recognize-gelu', x);
  });

  it('leaves other constants, and a pattern whose inner value is used elsewhere', () => {
    expectUnchanged(ERF.replace("[0.5]", "[0.6]"), 'recognize-gelu');
    expectUnchanged(ERF.replace('-> (f32[4, 6])', '-> (f32[4, 6], f32[4, 6])').replace('return %y', 'return %y, %p'), 'recognize-gelu');
  });
});

describe('recognize-silu', () => {
  it('replaces x * sigmoid(x) in either order', () => {
    const text = `
graph @g(%x: f32[5], %z: f32[5]) -> (f32[5], f32[5]) {
  %s = sigmoid(%x) : f32[5]
  %y = mul(%x, %s) : f32[5]
  %t = sigmoid(%z) : f32[5]
  %w = mul(%t, %z) : f32[5]
  return %y, %w
}
// CHECK: %y = silu(%x) : f32[5]
// CHECK-NEXT: %w = silu(%z) : f32[5]
// CHECK-NOT: sigmoid
`;
    checkRewrite(text, 'recognize-silu', { x: ramp([5]), z: ramp([5], 2.1) });
  });

  it('leaves x * sigmoid(z), and a sigmoid that is also used elsewhere', () => {
    const text = (second: string, outputs: string) => `
graph @g(%x: f32[5], %z: f32[5]) -> (${outputs}) {
  %s = sigmoid(%z) : f32[5]
  %y = mul(${second}, %s) : f32[5]
  return %y${outputs.includes(',') ? ', %s' : ''}
}`;
    expectUnchanged(text('%x', 'f32[5]'), 'recognize-silu');
    expectUnchanged(text('%z', 'f32[5], f32[5]'), 'recognize-silu');
  });
});

describe('recognize-attention', () => {
  it('replaces the PyTorch MultiheadAttention form: q divided before the matmul, k transposed from [S, B, D]', () => {
    const text = `
graph @g(%q: f32[2, 3, 4], %kr: f32[3, 2, 4], %v: f32[2, 3, 4]) -> (f32[2, 3, 4]) {
${scalar('c', '2.0')}
  %qs = div(%q, %c) : f32[2, 3, 4]
  %kt = transpose(%kr) {perm = [1, 2, 0]} : f32[2, 4, 3]
  %s = matmul(%qs, %kt) : f32[2, 3, 3]
  %p = softmax(%s) {axis = -1} : f32[2, 3, 3]
  %y = matmul(%p, %v) : f32[2, 3, 4]
  return %y
}
// CHECK: %y.key = transpose(%kr) {perm = [1, 0, 2]} : f32[2, 3, 4]
// CHECK-NEXT: %y = scaled_dot_product_attention(%q, %y.key, %v) {scale = 0.5} : f32[2, 3, 4]
// CHECK-NEXT: return %y
// CHECK-NOT: softmax
`;
    checkRewrite(text, 'recognize-attention', { q: ramp([2, 3, 4]), kr: ramp([3, 2, 4], 0.8), v: ramp([2, 3, 4], 1.7) });
  });

  it('takes the scale on the scores and an additive mask, with k given already transposed', () => {
    const text = `
graph @g(%q: f32[2, 3, 4], %kt: f32[2, 4, 5], %v: f32[2, 5, 4], %mask: f32[3, 5]) -> (f32[2, 3, 4]) {
  %s = matmul(%q, %kt) : f32[2, 3, 5]
${scalar('c', '0.25')}
  %ss = mul(%c, %s) : f32[2, 3, 5]
  %sm = add(%mask, %ss) : f32[2, 3, 5]
  %p = softmax(%sm) {axis = 2} : f32[2, 3, 5]
  %y = matmul(%p, %v) : f32[2, 3, 4]
  return %y
}
// CHECK: %y.key = transpose(%kt) {perm = [0, 2, 1]} : f32[2, 5, 4]
// CHECK-NEXT: %y = scaled_dot_product_attention(%q, %y.key, %v, %mask) {scale = 0.25} : f32[2, 3, 4]
`;
    checkRewrite(text, 'recognize-attention', { q: ramp([2, 3, 4]), kt: ramp([2, 4, 5], 0.8), v: ramp([2, 5, 4], 1.7), mask: ramp([3, 5], 2.3) });
  });

  const WHERE = (select: string) => `
graph @g(%q: f32[1, 3, 4], %k: f32[1, 3, 4], %v: f32[1, 3, 4], %m: bool[3, 3]) -> (f32[1, 3, 4]) {
  %kt = transpose(%k) {perm = [0, 2, 1]} : f32[1, 4, 3]
  %s = matmul(%q, %kt) : f32[1, 3, 3]
${scalar('ninf', '-inf')}
  %sm = ${select} : f32[1, 3, 3]
  %p = softmax(%sm) {axis = -1} : f32[1, 3, 3]
  %y = matmul(%p, %v) : f32[1, 3, 4]
  return %y
}`;
  const mask = Tensor.fromNumbers('bool', [3, 3], [1, 0, 0, 1, 1, 0, 0, 1, 1]);
  const qkv = { q: ramp([1, 3, 4]), k: ramp([1, 3, 4], 0.8), v: ramp([1, 3, 4], 1.7), m: mask };

  it('turns where(mask, scores, -inf) into a boolean mask, negated when the branches are swapped', () => {
    checkRewrite(`${WHERE('where(%m, %s, %ninf)')}
// CHECK: %y = scaled_dot_product_attention(%q, %k, %v, %m) {scale = 1.0} : f32[1, 3, 4]
// CHECK-NOT: transpose
`, 'recognize-attention', qkv);
    checkRewrite(`${WHERE('where(%m, %ninf, %s)')}
// CHECK: %y.mask = not(%m) : bool[3, 3]
// CHECK-NEXT: %y = scaled_dot_product_attention(%q, %k, %v, %y.mask) {scale = 1.0}
`, 'recognize-attention', qkv);
  });

  it('leaves a finite fill, a softmax over another axis, and scores used elsewhere', () => {
    expectUnchanged(WHERE('where(%m, %s, %ninf)').replace('[-inf]', '[-10000.0]'), 'recognize-attention');
    expectUnchanged(WHERE('where(%m, %s, %ninf)').replace('{axis = -1}', '{axis = 1}'), 'recognize-attention');
    expectUnchanged(WHERE('where(%m, %s, %ninf)').replace('-> (f32[1, 3, 4])', '-> (f32[1, 3, 4], f32[1, 3, 3])').replace('return %y', 'return %y, %s'), 'recognize-attention');
  });
});

describe('recognition on the PyTorch transformer encoder exports', () => {
  const FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
  const RECOGNIZE = ['recognize-layernorm', 'recognize-rmsnorm', 'recognize-gelu', 'recognize-silu', 'recognize-attention', 'dce'];

  for (const name of ['transformer_opset13', 'transformer_opset17'])
    it(`${name}: one op per LayerNorm, GELU and attention, same outputs within 1e-5`, () => {
      const file = `${FIXTURES}${name}.onnx`;
      const input = readNpy(readFileSync(`${FIXTURES}${name}.input.npy`), name);
      const before = importOnnxFile(file);
      const after = runPasses(importOnnxFile(file), ['fold-constants', ...RECOGNIZE], { verify: true });
      const count = (op: string) => after.nodes.filter((n) => n.op === op).length;
      expect([count('layer_normalization'), count('scaled_dot_product_attention'), count('gelu')]).toEqual([4, 2, 2]);
      expect([count('reduce_mean'), count('softmax'), count('erf')]).toEqual([0, 0, 0]);
      const inputs = { [before.inputs[0].name]: input };
      expectSameOutputs(before, after, inputs);
    }, 60_000);
});
