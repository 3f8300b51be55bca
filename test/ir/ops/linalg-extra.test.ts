import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Attrs, tensorType, typeToString } from '../../../src/ir/graph.js';
import { sym } from '../../../src/ir/dim.js';
import { Tensor } from '../../../src/ir/tensor.js';

function run(op: string, inputs: Tensor[], attrs: Attrs = {}): Tensor {
  const b = new GraphBuilder(op);
  const vals = inputs.map((t, i) => b.input(`in${i}`, tensorType(t.dtype, t.shape)));
  const out = b.op1(op, vals, attrs);
  b.output(out);
  const feed: Record<string, Tensor> = {};
  inputs.forEach((t, i) => { feed[`in${i}`] = t; });
  return runGraph(b.graph, feed).get(out.name)!;
}

function expectValues(actual: Tensor, shape: number[], expected: number[], tol = 1e-9) {
  expect(actual.shape).toEqual(shape);
  Array.from(actual.numbers()).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tol));
}

const m = (shape: number[], values: number[]) => Tensor.fromNumbers('f64', shape, values);
const einsum = (equation: string, ...xs: Tensor[]) => run('einsum', xs, { equation });

describe('einsum', () => {
  const a = m([2, 2], [1, 2, 3, 4]);
  const b = m([2, 2], [5, 6, 7, 8]);

  it('contracts, transposes and takes outer products', () => {
    expectValues(einsum('ij,jk->ik', a, b), [2, 2], [19, 22, 43, 50]);
    expectValues(einsum('ij -> ji', a), [2, 2], [1, 3, 2, 4]);
    expectValues(einsum('i,j', m([2], [1, 2]), m([3], [1, 10, 100])), [2, 3], [1, 10, 100, 2, 20, 200]);
    expectValues(einsum('ij->', a), [], [10]);
  });

  it('takes diagonals and traces from repeated subscripts', () => {
    expectValues(einsum('ii->i', a), [2], [1, 4]);
    expectValues(einsum('ii', a), [], [5]);
    expectValues(einsum('...ii->...i', m([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])), [2, 2], [1, 4, 5, 8]);
  });

  it('orders an implicit output alphabetically after the ellipsis dims', () => {
    expectValues(einsum('ba', m([2, 3], [1, 2, 3, 4, 5, 6])), [3, 2], [1, 4, 2, 5, 3, 6]);
    expectValues(einsum('...j,j', m([2, 2], [1, 2, 3, 4]), m([2], [1, 1])), [2], [3, 7]);
  });

  it('types symbolic batch dims and rejects mismatched subscripts', () => {
    const g = new GraphBuilder('e');
    const x = g.input('x', tensorType('f32', [sym('B'), 2, 3]));
    const y = g.input('y', tensorType('f32', [sym('B'), 3, 4]));
    expect(typeToString(g.op1('einsum', [x, y], { equation: 'bij,bjk->bik' }).type)).toBe('f32[B, 2, 4]');
    expect(() => g.op1('einsum', [x, y], { equation: 'bij,bik->bjk' })).toThrow("subscript 'i' is 2 in one place and 3");
    expect(() => g.op1('einsum', [x], { equation: 'ij->i' })).toThrow('its subscripts');
  });
});

describe('det', () => {
  it('computes determinants of a batch of matrices, pivoting where needed', () => {
    expectValues(run('det', [m([2, 2], [1, 2, 3, 4])]), [], [-2]);
    const batch = m([3, 2, 2], [0, 1, 1, 0, 2, 4, 1, 2, 3, 1, 1, 3]);
    expectValues(run('det', [batch]), [3], [-1, 0, 8]);
    expectValues(run('det', [m([3, 3], [2, 0, 1, 1, 3, 2, 1, 1, 2])]), [], [6]);
  });
});

describe('max_unpool', () => {
  const x = Tensor.fromNumbers('f32', [1, 1, 2, 2], [5, 6, 7, 8]);
  const indices = Tensor.fromNumbers('i64', [1, 1, 2, 2], [5, 7, 13, 15]);

  it('places values at the max_pool indices in the unpooled shape', () => {
    expectValues(run('max_unpool', [x, indices], { kernel_shape: [2, 2], strides: [2, 2] }), [1, 1, 4, 4],
      [0, 0, 0, 0, 0, 5, 0, 6, 0, 0, 0, 0, 0, 7, 0, 8]);
  });

  it('keeps positions when output_shape is larger than the shape max_pool read', () => {
    expectValues(run('max_unpool', [x, indices], { kernel_shape: [2, 2], strides: [2, 2], output_shape: [1, 1, 5, 5] }), [1, 1, 5, 5],
      [0, 0, 0, 0, 0, 0, 5, 0, 6, 0, 0, 0, 0, 0, 0, 0, 7, 0, 8, 0, 0, 0, 0, 0, 0]);
  });
});
