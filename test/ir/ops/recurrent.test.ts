import { describe, it, expect } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { Attrs, tensorType, typeToString } from '../../../src/ir/graph.js';
import { sym } from '../../../src/ir/dim.js';

/** Run one op through the builder (shape rule) and the interpreter (semantics). */
function run(op: string, inputs: (Tensor | null)[], attrs: Attrs, outputs: number): Tensor[] {
  const b = new GraphBuilder(op);
  const vals = inputs.map((t, i) => (t ? b.input(`in${i}`, tensorType(t.dtype, t.shape)) : null));
  const outs = b.op(op, vals, attrs, { outputs });
  b.output(...outs);
  const feed: Record<string, Tensor> = {};
  inputs.forEach((t, i) => { if (t) feed[`in${i}`] = t; });
  const res = runGraph(b.graph, feed);
  return outs.map((o) => res.get(o.name)!);
}

/** n values ((i·k) mod m − 5)·s: the same pattern the expectations were computed from (PyTorch, float64). */
function pattern(shape: number[], k: number, m: number, s: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers('f64', shape, Array.from({ length: n }, (_, i) => (((i * k) % m) - 5) * s));
}

function expectClose(actual: Tensor, shape: number[], expected: number[], tol = 1e-7) {
  expect(actual.shape).toEqual(shape);
  Array.from(actual.numbers()).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tol));
}

const S = 3, B = 2, I = 2, H = 2;
const X = pattern([S, B, I], 7, 11, 0.1);

describe('lstm', () => {
  it('matches PyTorch for a bidirectional layer (gates reordered to ONNX i, o, f, c)', () => {
    const [y, yh, yc] = run('lstm', [X, pattern([2, 4 * H, I], 5, 13, 0.15), pattern([2, 4 * H, H], 3, 7, 0.2), pattern([2, 8 * H], 4, 9, 0.05)],
      { hidden_size: H, direction: 'bidirectional' }, 3);
    expectClose(y, [S, 2, B, H], [
      -0.12455234, 0.0, -0.15199423, 0.04425313, -0.07716415, -0.03271016, -0.04416042, 0.07246144,
      0.00194128, -0.05410649, -0.01938252, 0.01831389, 0.00255579, -0.05304198, 0.07981004, -0.01536351,
      -0.13468207, -0.0072189, 0.03500695, -0.08558129, -0.07232725, 0.02333298, 0.03229312, -0.0745897,
    ]);
    expectClose(yh, [2, B, H], [-0.13468207, -0.0072189, 0.03500695, -0.08558129, -0.07716415, -0.03271016, -0.04416042, 0.07246144]);
    expectClose(yc, [2, B, H], [-0.23493851, -0.01233866, 0.09125075, -0.19795379, -0.22391272, -0.07305793, -0.1312607, 0.13992403]);
  });

  it('keeps symbolic sequence and batch dims in its shape rule', () => {
    const b = new GraphBuilder('shapes');
    const x = b.input('x', tensorType('f32', [sym('T'), sym('N'), 4]));
    const w = b.input('w', tensorType('f32', [1, 12, 4]));
    const r = b.input('r', tensorType('f32', [1, 12, 3]));
    const outs = b.op('lstm', [x, w, r], { layout: 0 }, { outputs: 3 });
    expect(outs.map((o) => typeToString(o.type))).toEqual(['f32[T, 1, N, 3]', 'f32[1, N, 3]', 'f32[1, N, 3]']);
  });
});

describe('gru', () => {
  it('matches PyTorch with linear_before_reset, bidirectional, from an initial state', () => {
    const [y, yh] = run('gru', [X, pattern([2, 3 * H, I], 5, 13, 0.15), pattern([2, 3 * H, H], 3, 7, 0.2), pattern([2, 6 * H], 4, 9, 0.05), null, pattern([2, B, H], 2, 5, 0.3)],
      { hidden_size: H, direction: 'bidirectional', linear_before_reset: true }, 2);
    expectClose(y, [S, 2, B, H], [
      -1.25712827, -0.27339828, -0.15270429, -0.71876473, 0.1323161, -0.57072013, -0.32493004, -0.01274139,
      -0.89097292, 0.10827704, -0.19183231, -0.30773064, 0.31155302, -0.90850811, -0.17750687, -0.19658766,
      -0.49808715, -0.1546375, -0.07382544, -0.14593145, -0.02011711, -1.2076421, -0.51609896, -0.32203517,
    ]);
    expectClose(yh, [2, B, H], [-0.49808715, -0.1546375, -0.07382544, -0.14593145, 0.1323161, -0.57072013, -0.32493004, -0.01274139]);
  });
});

describe('rnn', () => {
  // hidden and input size 1, W = 1, R = 0.5, so each step is h = act(x + 0.5·h)
  const x = Tensor.fromNumbers('f64', [3, 2, 1], [0.1, -0.4, 0.7, 0.2, -0.3, 0.9]);
  const w = Tensor.fromNumbers('f64', [1, 1, 1], [1]);
  const r = Tensor.fromNumbers('f64', [1, 1, 1], [0.5]);

  it('runs in reverse over each batch row\'s own length and zeroes the steps beyond it', () => {
    const lens = Tensor.fromNumbers('i32', [2], [2, 3]);
    const [y, yh] = run('rnn', [x, w, r, null, lens], { direction: 'reverse' }, 2);
    // row 0 has length 2: steps 1 then 0; row 1 has all three: steps 2, 1, 0
    const a1 = Math.tanh(0.7), a0 = Math.tanh(0.1 + 0.5 * a1);
    const b2 = Math.tanh(0.9), b1 = Math.tanh(0.2 + 0.5 * b2), b0 = Math.tanh(-0.4 + 0.5 * b1);
    expectClose(y, [3, 1, 2, 1], [a0, b0, a1, b1, 0, b2], 1e-12);
    expectClose(yh, [1, 2, 1], [a0, b0], 1e-12);
  });

  it('applies the named activation with its alpha, clipping its input, batch-first with layout 1', () => {
    const xb = Tensor.fromNumbers('f64', [1, 3, 1], [2, -2, 3]);
    const [y, yh] = run('rnn', [xb, w, r], { activations: ['LeakyRelu'], activation_alpha: [0.1], clip: 2.5, layout: 1 }, 2);
    const h0 = 2, h1 = 0.1 * (-2 + 0.5 * h0), h2 = Math.min(3 + 0.5 * h1, 2.5);
    expectClose(y, [1, 3, 1, 1], [h0, h1, h2], 1e-12);
    expectClose(yh, [1, 1, 1], [h2], 1e-12);
  });
});
