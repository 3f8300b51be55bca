import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Attrs } from '../../../src/ir/graph.js';
import { Tensor } from '../../../src/ir/tensor.js';

function run(op: string, attrs: Attrs): Tensor {
  const b = new GraphBuilder(op);
  const out = b.op1(op, [], attrs);
  b.output(out);
  return runGraph(b.graph, {}).get(out.name)!;
}

function expectValues(actual: Tensor, shape: number[], expected: number[], tol = 1e-6) {
  expect(actual.shape).toEqual(shape);
  Array.from(actual.numbers()).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tol));
}

describe('window functions', () => {
  it('hann: periodic by default, symmetric with periodic false', () => {
    expectValues(run('hann_window', { size: 4 }), [4], [0, 0.5, 1, 0.5]);
    expectValues(run('hann_window', { size: 5, periodic: false }), [5], [0, 0.5, 1, 0.5, 0]);
  });

  it('hamming and blackman, in the requested dtype', () => {
    expectValues(run('hamming_window', { size: 4 }), [4], [4 / 46, 25 / 46, 1, 25 / 46]);
    const blackman = run('blackman_window', { size: 4, output_datatype: 'f64' });
    expect(blackman.dtype).toBe('f64');
    expectValues(blackman, [4], [0, 0.34, 1, 0.34], 1e-12);
  });
});

describe('mel_weight_matrix', () => {
  it('builds triangular filters between mel-spaced spectrum bins', () => {
    // bin edges 0, 1, 2, 4, 6 for 3 mel bins over 0..500 Hz at 1 kHz with a 16-point DFT
    const w = run('mel_weight_matrix', { num_mel_bins: 3, dft_length: 16, sample_rate: 1000, lower_edge_hertz: 0, upper_edge_hertz: 500 });
    expectValues(w, [9, 3], [
      0, 0, 0,
      1, 0, 0,
      0, 1, 0,
      0, 0.5, 0.5,
      0, 0, 1,
      0, 0, 0.5,
      0, 0, 0,
      0, 0, 0,
      0, 0, 0,
    ]);
  });
});
