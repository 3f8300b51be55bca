import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Attrs, tensorType, typeToString } from '../../../src/ir/graph.js';
import { sym } from '../../../src/ir/dim.js';
import { Tensor } from '../../../src/ir/tensor.js';

function runAll(op: string, inputs: Tensor[], attrs: Attrs = {}, outputs = 1): Tensor[] {
  const b = new GraphBuilder(op);
  const vals = inputs.map((t, i) => b.input(`in${i}`, tensorType(t.dtype, t.shape)));
  const outs = b.op(op, vals, attrs, { outputs });
  b.output(...outs);
  const feed: Record<string, Tensor> = {};
  inputs.forEach((t, i) => { feed[`in${i}`] = t; });
  const results = runGraph(b.graph, feed);
  return outs.map((o) => results.get(o.name)!);
}
const run = (op: string, inputs: Tensor[], attrs: Attrs = {}) => runAll(op, inputs, attrs)[0];

function expectClose(actual: Tensor, shape: number[], expected: number[], tol = 1e-6) {
  expect(actual.shape).toEqual(shape);
  Array.from(actual.numbers()).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tol));
}

describe('negative_log_likelihood_loss', () => {
  const logProb = Tensor.fromNumbers('f32', [2, 3], [-1, -2, -3, -0.5, -1.5, -2.5]);
  const target = Tensor.fromNumbers('i64', [2], [2, 0]);
  const weight = Tensor.fromNumbers('f32', [3], [1, 2, 4]);

  it('picks -input at each target and reduces by none, sum or mean', () => {
    expectClose(run('negative_log_likelihood_loss', [logProb, target], { reduction: 'none' }), [2], [3, 0.5]);
    expectClose(run('negative_log_likelihood_loss', [logProb, target], { reduction: 'sum' }), [], [3.5]);
    expectClose(run('negative_log_likelihood_loss', [logProb, target]), [], [1.75]);
  });

  it('weights each class, and the mean divides by the weights applied', () => {
    expectClose(run('negative_log_likelihood_loss', [logProb, target, weight], { reduction: 'none' }), [2], [12, 0.5]);
    expectClose(run('negative_log_likelihood_loss', [logProb, target, weight]), [], [12.5 / 5]);
  });

  it('skips ignore_index, even in the divisor', () => {
    expectClose(run('negative_log_likelihood_loss', [logProb, target], { reduction: 'none', ignore_index: 2 }), [2], [0, 0.5]);
    expectClose(run('negative_log_likelihood_loss', [logProb, target, weight], { ignore_index: 2 }), [], [0.5]);
  });

  it('handles spatial dims: target [N, d...] indexes the classes of input [N, C, d...]', () => {
    const x = Tensor.fromNumbers('f64', [1, 2, 2], [-1, -2, -3, -4]);
    expectClose(run('negative_log_likelihood_loss', [x, Tensor.fromNumbers('i64', [1, 2], [1, 0])], { reduction: 'none' }), [1, 2], [3, 2]);
  });

  it('types the loss and rejects a target of the wrong shape', () => {
    const b = new GraphBuilder('nll');
    const x = b.input('x', tensorType('f32', [sym('N'), 5, 7]));
    const t = b.input('t', tensorType('i64', [sym('N'), 7]));
    expect(typeToString(b.op1('negative_log_likelihood_loss', [x, t], { reduction: 'none' }).type)).toBe('f32[N, 7]');
    expect(typeToString(b.op1('negative_log_likelihood_loss', [x, t]).type)).toBe('f32[]');
    expect(() => b.op1('negative_log_likelihood_loss', [x, b.input('u', tensorType('i64', [sym('N'), 5]))])).toThrow('must have shape [N, 7]');
  });
});

describe('softmax_cross_entropy_loss', () => {
  it('is the nll loss of log_softmax over the classes, with log_prob as an optional output', () => {
    // softmax of [0, ln 2, ln 3] is [1/6, 2/6, 3/6]
    const scores = Tensor.fromNumbers('f32', [1, 3], [0, Math.LN2, Math.log(3)]);
    const [loss, logProb] = runAll('softmax_cross_entropy_loss', [scores, Tensor.fromNumbers('i64', [1], [2])], {}, 2);
    expectClose(loss, [], [Math.LN2]);
    expectClose(logProb, [1, 3], [Math.log(1 / 6), Math.log(2 / 6), Math.log(3 / 6)]);
    const uniform = Tensor.fromNumbers('f32', [2, 3], [0, 0, 0, 5, 5, 5]);
    expectClose(run('softmax_cross_entropy_loss', [uniform, Tensor.fromNumbers('i32', [2], [0, 1])], { reduction: 'sum' }), [], [2 * Math.log(3)]);
  });
});
