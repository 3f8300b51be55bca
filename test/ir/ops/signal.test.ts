import { describe, it, expect } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { Attrs, tensorType, typeToString } from '../../../src/ir/graph.js';
import { sym } from '../../../src/ir/dim.js';

/** Run one op through the builder (shape rule) and the interpreter (semantics). */
function run(op: string, inputs: Tensor[], attrs: Attrs = {}): Tensor {
  const b = new GraphBuilder(op);
  const vals = inputs.map((t, i) => b.input(`in${i}`, tensorType(t.dtype, t.shape)));
  const out = b.op1(op, vals, attrs);
  b.output(out);
  const feed: Record<string, Tensor> = {};
  inputs.forEach((t, i) => { feed[`in${i}`] = t; });
  return runGraph(b.graph, feed).get(out.name)!;
}

function expectClose(actual: Tensor, shape: number[], expected: number[], tol = 1e-9) {
  expect(actual.shape).toEqual(shape);
  Array.from(actual.numbers()).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tol));
}

// expectations from numpy.fft, as interleaved (real, imaginary) pairs
describe('dft', () => {
  const real = Tensor.fromNumbers('f64', [1, 5, 1], [1, -2, 0.5, 3, -1.5]);

  it('transforms a real signal like numpy.fft.fft', () => {
    expectClose(run('dft', [real], { axis: 1 }), [1, 5, 2], [
      1, 0, -2.9131189606, 1.9449913889, 4.9131189606, -2.0837486646, 4.9131189606, 2.0837486646, -2.9131189606, -1.9449913889,
    ], 1e-9);
  });

  it('zero-pads to dft_length and keeps the one-sided half', () => {
    expectClose(run('dft', [real], { axis: 1, dft_length: 8, onesided: true }), [1, 5, 2], [
      1, 0, -1.0355339059, -1.2071067812, -1, 5, 6.0355339059, -0.2071067812, -1, 0,
    ], 1e-9);
  });

  it('inverts a complex signal like numpy.fft.ifft, along the default axis -2', () => {
    const z = Tensor.fromNumbers('f64', [4, 2], [1, 2, -1, 0.5, 0.25, -1, 2, 0]);
    expectClose(run('dft', [z], { inverse: true }), [4, 2], [0.5625, 0.375, 0.0625, 0, 0.0625, 0.125, 0.3125, 1.5], 1e-12);
  });

  it('computes its output shape from symbolic dims', () => {
    const b = new GraphBuilder('shape');
    const out = b.op1('dft', [b.input('x', tensorType('f32', [sym('N'), sym('L'), 1]))], { axis: 1, onesided: true });
    expect(typeToString(out.type)).toBe('f32[N, floor(L, 2) + 1, 2]');
  });
});

describe('stft', () => {
  it('transforms windowed frames like numpy.fft.rfft of each frame', () => {
    const signal = Tensor.fromNumbers('f64', [1, 10, 1], Array.from({ length: 10 }, (_, i) => i * i * 0.1));
    const window = Tensor.fromNumbers('f64', [4], [0.5, 1, 1, 0.5]);
    // frames start at 0, 3 and 6: (10 - 4) / 3 + 1 = 3 frames of 4 / 2 + 1 = 3 bins
    expectClose(run('stft', [signal, window], { frame_step: 3 }), [1, 3, 3, 2], [
      0.95, 0, -0.4, 0.35, -0.15, 0, 6.35, 0, -2.05, 0.2, -0.45, 0, 17.15, 0, -4.6, -0.85, -0.75, 0,
    ], 1e-9);
  });
});
