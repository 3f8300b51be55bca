import { describe, it, expect } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { Attrs, tensorType, typeToString } from '../../../src/ir/graph.js';
import { OpError } from '../../../src/ir/registry.js';

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

/** n values ((i·k) mod m − off)·s: the pattern the PyTorch expectations were computed from. */
function pattern(shape: number[], k: number, m: number, s: number, off = 5): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers('f64', shape, Array.from({ length: n }, (_, i) => (((i * k) % m) - off) * s));
}

function expectClose(actual: Tensor, shape: number[], expected: number[], tol = 1e-7) {
  expect(actual.shape).toEqual(shape);
  Array.from(actual.numbers()).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tol));
}

describe('grid_sample', () => {
  // grid points reach beyond [-1, 1] on both axes, so every padding mode matters
  const x = pattern([1, 2, 3, 4], 7, 11, 0.5);
  const grid = pattern([1, 2, 3, 2], 5, 13, 0.2, 6);

  it.each([
    ['linear', 'border', false, [-0.4, 2.5, -0.3, 0.315, 0.5, 2.25, -0.75, 0.5, -2.3, 0.185, -1.5, 0.25]],
    ['nearest', 'reflection', false, [0.5, 2.5, -0.5, 1.5, 0.5, 2.5, -1.5, 0.5, -2.5, -0.5, -1.5, 0.5]],
    ['cubic', 'zeros', true, [0.272321, 1.768421, -0.028928, 0.181436, 0.5, 1.98, -1.286677, 0.823878, -2.389728, 0.7670775, -1.5, -0.632]],
    ['linear', 'reflection', true, [-0.37, 1.28, 0.18, 0.17, 0.5, 1.5, -0.28, 0.6, -1.6, 0.48, -1.5, -0.5]],
  ] as const)('matches PyTorch: %s, %s padding, align_corners %s', (mode, padding, align, expected) => {
    expectClose(run('grid_sample', [x, grid], { mode, padding_mode: padding, align_corners: align }), [1, 2, 2, 3], [...expected]);
  });

  it('samples volumes trilinearly', () => {
    const y = run('grid_sample', [pattern([1, 1, 2, 3, 4], 7, 11, 0.5), pattern([1, 1, 2, 2, 3], 5, 13, 0.2, 6)]);
    expectClose(y, [1, 1, 1, 2, 2], [-0.0525, -0.162, 0.1575, 0.225]);
  });

  it('rejects a grid whose last dim does not match the spatial rank', () => {
    const b = new GraphBuilder('bad');
    const xv = b.input('x', tensorType('f32', [1, 1, 4, 4]));
    const g = b.input('g', tensorType('f32', [1, 2, 2, 3]));
    expect(() => b.op1('grid_sample', [xv, g])).toThrow(OpError);
  });
});

describe('roi_align', () => {
  // x = 4·row + col is linear, so every bilinear sample inside the image is exact
  const x = Tensor.fromNumbers('f64', [1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i));
  const rois = Tensor.fromNumbers('f64', [1, 4], [0, 0, 3, 3]);
  const idx = Tensor.fromNumbers('i64', [1], [0]);

  it('averages 2×2 samples per bin, with and without the half-pixel shift', () => {
    // bin [0, 3): samples at 0.75 and 2.25 on each axis; half_pixel shifts them to 0.25 and 1.75
    const plain = run('roi_align', [x, rois, idx], { coordinate_transformation_mode: 'output_half_pixel', sampling_ratio: 2 });
    expectClose(plain, [1, 1, 1, 1], [4 * 1.5 + 1.5]);
    const shifted = run('roi_align', [x, rois, idx], { coordinate_transformation_mode: 'half_pixel', sampling_ratio: 2 });
    expectClose(shifted, [1, 1, 1, 1], [4 * 1 + 1]);
  });

  it('in max mode takes the largest weighted neighbour of any sample', () => {
    // sample (2.25, 2.25): neighbour (2, 2) = 10 with weight 0.75·0.75
    const y = run('roi_align', [x, rois, idx], { coordinate_transformation_mode: 'output_half_pixel', sampling_ratio: 2, mode: 'max' });
    expectClose(y, [1, 1, 1, 1], [10 * 0.5625]);
  });

  it('pools each bin of a 2×2 output from its own region of the image', () => {
    const y = run('roi_align', [x, rois, idx], { coordinate_transformation_mode: 'output_half_pixel', sampling_ratio: 1, output_height: 2, output_width: 2 });
    // one sample per bin at the bin centres 0.75 and 2.25
    expectClose(y, [1, 1, 2, 2], [3.75, 5.25, 9.75, 11.25]);
  });
});

describe('non_max_suppression', () => {
  // boxes (y1, x1, y2, x2); box 3 is box 0 with its corners swapped
  const boxes = Tensor.fromNumbers('f32', [1, 5, 4], [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, 2, 1, 3, 1, 1, 0, 0, 5, 5, 6, 6]);
  const scores = Tensor.fromNumbers('f32', [1, 2, 5], [0.9, 0.8, 0.7, 0.95, 0.1, 0.1, 0.2, 0.3, 0.4, 0.5]);

  it('selects by score per class, suppressing overlaps, below-threshold scores and boxes beyond the limit', () => {
    const y = run('non_max_suppression', [boxes, scores], { max_output_boxes_per_class: 2, iou_threshold: 0.5, score_threshold: 0.2 });
    expect(y.dtype).toBe('i64');
    expect(y.shape).toEqual([4, 3]);
    expect(Array.from(y.numbers())).toEqual([0, 0, 3, 0, 0, 2, 0, 1, 4, 0, 1, 3]);
  });

  it('has a first dim known only at run time', () => {
    const b = new GraphBuilder('nms');
    const out = b.op1('non_max_suppression', [b.input('b', tensorType('f32', [1, 5, 4])), b.input('s', tensorType('f32', [1, 2, 5]))]);
    expect(typeToString(out.type)).toBe('i64[?, 3]');
  });
});
