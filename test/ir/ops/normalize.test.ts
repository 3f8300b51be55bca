import { describe, it, expect } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { Attrs, typeToString, tensorType } from '../../../src/ir/graph.js';
import { DType } from '../../../src/ir/dtype.js';
import { sym } from '../../../src/ir/dim.js';
import { OpError, getOp } from '../../../src/ir/registry.js';

/** Run one op through the builder (shape rule) and the interpreter (semantics). */
function run(op: string, inputs: (Tensor | null)[], attrs: Attrs = {}, outputs = 1): Tensor[] {
  const b = new GraphBuilder(op);
  const vals = inputs.map((t, i) => (t ? b.input(`in${i}`, tensorType(t.dtype, t.shape)) : null));
  const outs = b.op(op, vals, attrs, { outputs });
  b.output(...outs);
  const feed: Record<string, Tensor> = {};
  inputs.forEach((t, i) => { if (t) feed[`in${i}`] = t; });
  const res = runGraph(b.graph, feed);
  return outs.map((o) => res.get(o.name)!);
}
const run1 = (op: string, inputs: (Tensor | null)[], attrs: Attrs = {}) => run(op, inputs, attrs)[0];

const t = (dtype: DType, shape: number[], values: number[]) => Tensor.fromNumbers(dtype, shape, values);
const list = (x: Tensor) => Array.from(x.numbers());

function expectClose(actual: Tensor, shape: number[], expected: number[], tol = 1e-6) {
  expect(actual.shape).toEqual(shape);
  const got = list(actual);
  expect(got.length).toBe(expected.length);
  got.forEach((v, i) => {
    if (Number.isNaN(expected[i])) expect(v).toBeNaN();
    else expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i])));
  });
}

/** A 2x4x3 tensor with mixed signs: ((i*7) % 11 - 5) * 0.37. */
const X = t('f64', [2, 4, 3], Array.from({ length: 24 }, (_, i) => (((i * 7) % 11) - 5) * 0.37));

/** Naive reduction: gather the values of each output position, then fold them. */
function naiveReduce(x: Tensor, axes: number[], keepdims: boolean, fold: (vs: number[]) => number): { shape: number[]; values: number[] } {
  const rank = x.rank;
  const ax = axes.length ? axes.map((a) => (a < 0 ? a + rank : a)) : x.shape.map((_, i) => i);
  const outShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  const v = list(x);
  for (let flat = 0; flat < v.length; flat++) {
    let rest = flat, out = 0, mul = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rest % x.shape[d];
      rest = Math.floor(rest / x.shape[d]);
      if (!ax.includes(d)) { out += i * mul; mul *= x.shape[d]; }
    }
    if (!groups.has(out)) groups.set(out, []);
    groups.get(out)!.push(v[flat]);
  }
  const values = [...groups.keys()].sort((a, b) => a - b).map((k) => fold(groups.get(k)!));
  return { shape: keepdims ? outShape : x.shape.filter((_, i) => !ax.includes(i)), values };
}

const sum = (vs: number[]) => vs.reduce((a, b) => a + b, 0);
const FOLDS: Record<string, (vs: number[]) => number> = {
  reduce_sum: sum,
  reduce_mean: (vs) => sum(vs) / vs.length,
  reduce_max: (vs) => Math.max(...vs),
  reduce_min: (vs) => Math.min(...vs),
  reduce_prod: (vs) => vs.reduce((a, b) => a * b, 1),
  reduce_l1: (vs) => sum(vs.map(Math.abs)),
  reduce_l2: (vs) => Math.sqrt(sum(vs.map((v) => v * v))),
  reduce_log_sum: (vs) => Math.log(sum(vs)),
  reduce_log_sum_exp: (vs) => Math.log(sum(vs.map(Math.exp))),
  reduce_sum_square: (vs) => sum(vs.map((v) => v * v)),
};

describe('reductions', () => {
  const positive = t('f64', [2, 4, 3], list(X).map((v) => Math.abs(v) + 0.5));
  const axisSets: [number[], boolean][] = [[[1], true], [[-1, 0], false], [[], true], [[0, 2], true], [[-2], false], [[0, 1, 2], false]];
  for (const [op, fold] of Object.entries(FOLDS))
    for (const [axes, keepdims] of axisSets)
      it(`${op} axes [${axes}] keepdims=${keepdims}`, () => {
        const x = op === 'reduce_log_sum' ? positive : X;
        const want = naiveReduce(x, axes, keepdims, fold);
        expectClose(run1(op, [x], { axes, keepdims }), want.shape, want.values, 1e-12);
      });

  it('matches numpy on a small case', () => {
    const x = t('f32', [2, 3], [1, 2, 3, 4, 5, 6]);
    expectClose(run1('reduce_sum', [x], { axes: [1], keepdims: false }), [2], [6, 15]);
    expectClose(run1('reduce_mean', [x], { axes: [0] }), [1, 3], [2.5, 3.5, 4.5]);
    expectClose(run1('reduce_log_sum_exp', [x], { axes: [-1] }), [2, 1], [3.4076059644443806, 6.407605964444381]);
    expectClose(run1('reduce_l2', [x], {}), [1, 1], [9.539392014169456]);
  });

  it('log_sum_exp stays finite for large inputs', () => {
    expectClose(run1('reduce_log_sum_exp', [t('f32', [3], [1000, 1000, 1000])], { keepdims: false }), [], [1000 + Math.log(3)], 1e-7);
  });

  it('noop_with_empty_axes returns the input', () => {
    const x = t('f32', [2, 2], [1, 2, 3, 4]);
    const y = run1('reduce_sum', [x], { noop_with_empty_axes: true });
    expectClose(y, [2, 2], [1, 2, 3, 4]);
  });

  it('supports integers for sum/max/min/prod', () => {
    const x = t('i32', [2, 3], [1, -2, 3, 4, 5, -6]);
    const s = run1('reduce_sum', [x], { axes: [1], keepdims: false });
    expect(s.dtype).toBe('i32');
    expect(list(s)).toEqual([2, 3]);
    expect(list(run1('reduce_max', [t('i64', [2, 3], [1, -2, 3, 4, 5, -6])], { axes: [0] }))).toEqual([4, 5, 3]);
    expect(list(run1('reduce_min', [x], {}))).toEqual([-6]);
    expect(list(run1('reduce_prod', [x], { axes: [0] }))).toEqual([4, -10, -18]);
  });

  it('rejects integers for mean and repeated axes', () => {
    const b = new GraphBuilder('g');
    const xi = b.input('xi', tensorType('i32', [2, 3]));
    expect(() => b.op1('reduce_mean', [xi])).toThrow(OpError);
    const xf = b.input('xf', tensorType('f32', [2, 3]));
    expect(() => b.op1('reduce_sum', [xf], { axes: [1, -1] })).toThrow(/repeat/);
    expect(() => b.op1('reduce_sum', [xf], { axes: [2] })).toThrow(/out of range/);
  });

  it('infers symbolic shapes', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', tensorType('f32', [sym('N'), sym('S'), 64]));
    expect(typeToString(b.op1('reduce_mean', [x], { axes: [-1] }).type)).toBe('f32[N, S, 1]');
    expect(typeToString(b.op1('reduce_max', [x], { axes: [0, 2], keepdims: false }).type)).toBe('f32[S]');
    expect(typeToString(b.op1('reduce_sum', [x], { keepdims: false }).type)).toBe('f32[]');
    expect(typeToString(b.op1('arg_max', [x], { axis: 1 }).type)).toBe('i64[N, 1, 64]');
    expect(typeToString(b.op('topk', [x], { k: 5 }, { outputs: 2 })[1].type)).toBe('i64[N, S, 5]');
  });

  it('reports cost from the input size', () => {
    const x = tensorType('f32', [sym('N'), 128]);
    const out = tensorType('f32', [sym('N'), 1]);
    const c = getOp('reduce_sum')!.cost!({ inputs: [x], outputs: [out], attrs: {}, env: new Map([['N', 4]]) });
    expect(c).toEqual({ flops: 512, bytes: 4 * 512 + 4 * 4 });
  });
});

describe('arg_max / arg_min', () => {
  const x = t('f32', [2, 4], [3, 7, 7, 1, 5, 2, 5, 0]);
  it('first index by default, last with select_last_index', () => {
    const am = run1('arg_max', [x], { axis: 1 });
    expect(am.dtype).toBe('i64');
    expect(am.shape).toEqual([2, 1]);
    expect(list(am)).toEqual([1, 0]);
    expect(list(run1('arg_max', [x], { axis: -1, select_last_index: true }))).toEqual([2, 2]);
    expect(list(run1('arg_min', [x], { axis: 1, keepdims: false }))).toEqual([3, 3]);
    const am0 = run1('arg_min', [x], { axis: 0, keepdims: false });
    expect(am0.shape).toEqual([4]);
    expect(list(am0)).toEqual([0, 1, 1, 1]);
  });
});

describe('cum_sum', () => {
  const x = t('f32', [2, 3], [1, 2, 3, 4, 5, 6]);
  it('inclusive, exclusive, reverse', () => {
    expect(list(run1('cum_sum', [x], { axis: 1 }))).toEqual([1, 3, 6, 4, 9, 15]);
    expect(list(run1('cum_sum', [x], { axis: 0 }))).toEqual([1, 2, 3, 5, 7, 9]);
    expect(list(run1('cum_sum', [x], { axis: -1, exclusive: true }))).toEqual([0, 1, 3, 0, 4, 9]);
    expect(list(run1('cum_sum', [x], { axis: 1, reverse: true }))).toEqual([6, 5, 3, 15, 11, 6]);
    expect(list(run1('cum_sum', [x], { axis: 1, reverse: true, exclusive: true }))).toEqual([5, 3, 0, 11, 6, 0]);
  });
  it('keeps integer dtypes', () => {
    const y = run1('cum_sum', [t('i64', [4], [1, 2, 3, 4])], { axis: 0 });
    expect(y.dtype).toBe('i64');
    expect(list(y)).toEqual([1, 3, 6, 10]);
  });
});

describe('topk', () => {
  it('largest, ties by lower index', () => {
    const [v, i] = run('topk', [t('f32', [2, 5], [1, 4, 4, 2, 9, 0, -1, 3, 3, 3])], { k: 3 }, 2);
    expect(v.shape).toEqual([2, 3]);
    expect(list(v)).toEqual([9, 4, 4, 3, 3, 3]);
    expect(i.dtype).toBe('i64');
    expect(list(i)).toEqual([4, 1, 2, 2, 3, 4]);
  });
  it('smallest along axis 0', () => {
    const [v, i] = run('topk', [t('f32', [3, 2], [5, 1, 2, 1, 8, 0])], { k: 2, axis: 0, largest: false }, 2);
    expect(list(v)).toEqual([2, 0, 5, 1]);
    expect(list(i)).toEqual([1, 2, 0, 0]);
  });
  it('rejects k larger than the axis', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', tensorType('f32', [2, 3]));
    expect(() => b.op('topk', [x], { k: 4 }, { outputs: 2 })).toThrow(OpError);
  });
});

describe('softmax family', () => {
  it('is stable for large inputs', () => {
    const x = t('f32', [3], [1000, 1001, 1002]);
    expectClose(run1('softmax', [x]), [3], [0.09003057, 0.2447285, 0.665241]);
    expectClose(run1('log_softmax', [x]), [3], [-2.407606, -1.407606, -0.407606]);
    expectClose(run1('softmax', [t('f32', [2], [-1e30, 0])]), [2], [0, 1]);
  });
  it('softmax along a middle axis (torch.softmax(x, 1))', () => {
    expectClose(run1('softmax', [X], { axis: 1 }), [2, 4, 3], [
      0.01127604, 0.4004153, 0.4004153, 0.4560854, 0.2765806, 0.2765806, 0.3150339, 0.1910437, 0.1910437, 0.2176047, 0.1319604, 0.1319604,
      0.4004153, 0.4004153, 0.4004153, 0.2765806, 0.2765806, 0.2765806, 0.1910437, 0.1910437, 0.1910437, 0.1319604, 0.1319604, 0.1319604,
    ]);
  });
  it('hardmax marks the first maximum', () => {
    expect(list(run1('hardmax', [t('f32', [2, 3], [1, 3, 3, 2, 0, 1])]))).toEqual([0, 1, 0, 1, 0, 0]);
    expect(list(run1('hardmax', [t('f32', [2, 2], [1, 3, 2, 0])], { axis: 0 }))).toEqual([0, 1, 1, 0]);
  });
  it('rounds f16 output once', () => {
    const y = run1('softmax', [t('f16', [2], [0, 1])]);
    expect(y.dtype).toBe('f16');
    expectClose(y, [2], [0.2689, 0.7310], 1e-3);
  });
});

describe('normalizations (expected values from torch.nn.functional)', () => {
  const s4 = t('f64', [4], [1, 0.5, -1, 2]);
  const b4 = t('f64', [4], [0, 0.1, 0.2, 0.3]);
  const s3 = t('f64', [3], [1, 2, 0.5]);

  it('batch_normalization', () => {
    const y = run1('batch_normalization', [X, s4, b4, t('f64', [4], [0.1, -0.2, 0.3, 0]), t('f64', [4], [1, 0.5, 2, 0.25])]);
    expectClose(y, [2, 4, 3], [
      -1.94999, 0.6399968, -0.8399958, 1.549554, 0.5030468, -0.5434607, -0.6343839, 0.4121315, 1.458647, 4.739911, -1.17997, -7.099852,
      0.6399968, -0.8399958, 1.749991, 0.5030468, -0.5434607, 1.287928, 0.4121315, 1.458647, -0.3727551, -1.17997, -7.099852, 3.259941,
    ]);
  });

  it('layer_normalization over the last axis with bias', () => {
    expectClose(run1('layer_normalization', [X, s3, t('f64', [3], [0.1, 0.2, 0.3])]), [2, 4, 3], [
      -1.062471, 2.757437, 0.2418764, 1.324741, 0.2, -0.3123703, 1.324741, 0.2, -0.3123703, 1.324741, 0.2, -0.3123703,
      0.2162471, -2.357437, 0.8812356, 0.2162471, -2.357437, 0.8812356, 0.2162471, -2.357437, 0.8812356, 0.2162471, -2.357437, 0.8812356,
    ]);
  });

  it('layer_normalization from axis 1 with a broadcast scale and no bias', () => {
    expectClose(run1('layer_normalization', [X, s3, null], { axis: 1 }), [2, 4, 3], [
      -1.377149, 1.452266, -0.2378712, 1.62754, 0.8513284, -0.3881056, 1.327071, 0.2503907, -0.53834, 1.026602, -0.350547, -0.6885745,
      0.5956811, -1.407974, 0.785216, 0.2707641, -2.057807, 0.6227575, -0.05415283, -2.707641, 0.460299, -0.3790698, -3.357475, 0.2978406,
    ]);
  });

  it('layer_normalization rejects a scale that does not fit the normalized shape', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', tensorType('f32', [sym('N'), 8]));
    const w = b.param('w', tensorType('f32', [4]));
    expect(() => b.op1('layer_normalization', [x, w, null])).toThrow(/normalized shape/);
  });

  it('rms_normalization over the last axis and from axis 1', () => {
    expectClose(run1('rms_normalization', [X, s3]), [2, 4, 3], [
      -1.507552, 1.206041, -0.3015103, 1.463846, 0.5855382, -0.4391537, 1.224741, 0, -0.6123703, 0.8783073, -0.5855382, -0.7319228,
      0.6030207, -1.206041, 0.7537759, 0.3396817, -2.03809, 0.6793634, 0, -2.771269, 0.519613, -0.3162266, -3.162266, 0.3162266,
    ]);
    expectClose(run1('rms_normalization', [X, s3], { axis: 1 }), [2, 4, 3], [
      -1.490707, 1.192566, -0.2981414, 1.490707, 0.5962829, -0.4472121, 1.192566, 0, -0.5962829, 0.8944243, -0.5962829, -0.7453536,
      0.6488832, -1.297766, 0.811104, 0.3244416, -1.94665, 0.6488832, 0, -2.595533, 0.4866624, -0.3244416, -3.244416, 0.3244416,
    ]);
  });

  it('group_normalization with per-channel and per-group affine', () => {
    expectClose(run1('group_normalization', [X, s4, b4], { num_groups: 2 }), [2, 4, 3], [
      -1.393048, 0.6965238, -0.497517, 0.8960272, 0.2990068, -0.2980136, -1.161965, 0.04867052, 1.259306, 2.418613, -0.002658951, -2.423931,
      0.2862979, -1.087932, 1.31697, 0.07137021, -0.6157448, 0.5867065, -0.08629793, 1.287932, -1.11697, 0.1854808, -2.562979, 2.246826,
    ]);
    expectClose(run1('group_normalization', [X, t('f64', [2], [2, -0.5]), t('f64', [2], [1, -1])], { num_groups: 2 }), [2, 4, 3], [
      -1.786095, 2.393048, 0.004966048, 4.184109, 1.796027, -0.5920543, -1.680983, -1.075665, -0.4703468, -1.529653, -0.9243353, -0.3190174,
      1.572596, -1.175864, 3.633941, 0.8854808, -1.862979, 2.946826, -1.143149, -0.4560339, -1.658485, -0.9713702, -0.2842552, -1.486706,
    ]);
  });

  it('group_normalization rejects channels that do not split', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', tensorType('f32', [1, 6, 2]));
    const p = b.param('p', tensorType('f32', [6]));
    expect(() => b.op1('group_normalization', [x, p, p], { num_groups: 4 })).toThrow(/do not split/);
  });

  it('instance_normalization', () => {
    expectClose(run1('instance_normalization', [X, s4, b4]), [2, 4, 3], [
      -1.162471, 1.278718, -0.1162471, 0.7123703, 0.1, -0.5123703, -1.024741, 0.2, 1.424741, 2.749481, 0.3, -2.149481,
      0.1162471, -1.278718, 1.162471, 0.1581236, -0.5393592, 0.6812356, 0.08375288, 1.478718, -0.9624712, 0.5324942, -2.257437, 2.624942,
    ]);
  });

  it('lrn', () => {
    expectClose(run1('lrn', [X], { size: 3, alpha: 1e-2, beta: 0.75, bias: 1 }), [2, 4, 3], [
      -1.818961, 0.7387362, -0.7367246, 1.809283, 0.3693681, -1.099109, 1.455169, 0, -1.455169, 1.100596, -0.3698734, -1.824458,
      0.7387362, -0.7367246, 1.824458, 0.3693681, -1.099109, 1.455169, 0, -1.455169, 1.099109, -0.3698734, -1.824458, 0.7367246,
    ]);
  });

  it('mean_variance_normalization over axes [0, 2]', () => {
    const y = run1('mean_variance_normalization', [X], { axes: [0, 2] });
    const v = list(X);
    const want = new Array<number>(24);
    for (let c = 0; c < 4; c++) {
      const idx = [0, 1].flatMap((n) => [0, 1, 2].map((k) => n * 12 + c * 3 + k));
      const mean = sum(idx.map((i) => v[i])) / 6;
      const std = Math.sqrt(sum(idx.map((i) => (v[i] - mean) ** 2)) / 6);
      for (const i of idx) want[i] = (v[i] - mean) / (std + 1e-9);
    }
    expectClose(y, [2, 4, 3], want, 1e-12);
  });
});

/** Direct attention: scores = q k^T * scale, masked, softmax, times v (one batch, 2-D). */
function naiveAttention(q: number[][], k: number[][], v: number[][], allowed: (i: number, j: number) => boolean, bias: (i: number, j: number) => number = () => 0, scale = 1 / Math.sqrt(q[0].length)): number[][] {
  return q.map((qi, i) => {
    const s = k.map((kj, j) => (allowed(i, j) ? sum(qi.map((x, t) => x * kj[t])) * scale + bias(i, j) : -Infinity));
    const m = Math.max(...s);
    const e = s.map((x) => Math.exp(x - m));
    const z = sum(e);
    return v[0].map((_, t) => sum(e.map((p, j) => (p * v[j][t]) / z)));
  });
}

describe('scaled_dot_product_attention', () => {
  const seq = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  // q [2, 2, 3, 4] (batch, heads, Sq, D); k, v shared across the batch: [1, 2, 5, 4] and [1, 2, 5, 3]
  const qv = seq(48, (i) => Math.sin(i * 0.7));
  const kv = seq(40, (i) => Math.cos(i * 0.3));
  const vv = seq(30, (i) => ((i * 5) % 7) - 3);
  const q = t('f64', [2, 2, 3, 4], qv), k = t('f64', [1, 2, 5, 4], kv), v = t('f64', [1, 2, 5, 3], vv);
  const rows = (data: number[], off: number, n: number, w: number) => seq(n, (i) => data.slice(off + i * w, off + (i + 1) * w));
  const expected = (allowed: (b: number, i: number, j: number) => boolean, bias?: (b: number, i: number, j: number) => number, scale?: number) =>
    [0, 1].flatMap((b) => [0, 1].flatMap((h) =>
      naiveAttention(rows(qv, (b * 2 + h) * 12, 3, 4), rows(kv, h * 20, 5, 4), rows(vv, h * 15, 5, 3),
        (i, j) => allowed(b, i, j), bias && ((i, j) => bias(b, i, j)), scale).flat()));

  it('broadcasts k and v over the batch', () => {
    expectClose(run1('scaled_dot_product_attention', [q, k, v, null]), [2, 2, 3, 3], expected(() => true), 1e-12);
  });

  it('applies a bool key-padding mask [B, 1, 1, Sk]', () => {
    const keep = [[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]];
    const mask = t('bool', [2, 1, 1, 5], keep.flat());
    expectClose(run1('scaled_dot_product_attention', [q, k, v, mask]), [2, 2, 3, 3], expected((b, _i, j) => keep[b][j] === 1), 1e-12);
  });

  it('applies an additive float mask and an explicit scale', () => {
    const bias = seq(15, (i) => (i % 4) - 1.5);
    const mask = t('f64', [3, 5], bias);
    expectClose(run1('scaled_dot_product_attention', [q, k, v, mask], { scale: 0.3 }), [2, 2, 3, 3],
      expected(() => true, (_b, i, j) => bias[i * 5 + j], 0.3), 1e-12);
  });

  it('is_causal lets query i see keys j <= i (top-left aligned)', () => {
    expectClose(run1('scaled_dot_product_attention', [q, k, v, null], { is_causal: true }), [2, 2, 3, 3], expected((_b, i, j) => j <= i), 1e-12);
  });

  it('gives NaN for a row with every key masked', () => {
    const mask = t('bool', [3, 5], [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const y = list(run1('scaled_dot_product_attention', [q, k, v, mask]));
    expect(y.slice(3, 6).every(Number.isNaN)).toBe(true);
    expect(y.slice(0, 3).some(Number.isNaN)).toBe(false);
    expect(y.slice(6, 9)).toEqual(vv.slice(0, 3));
  });

  it('infers symbolic shapes and rejects mismatched head sizes', () => {
    const b = new GraphBuilder('g');
    const N = sym('N'), S = sym('S');
    const qs = b.input('q', tensorType('f32', [N, 12, S, 64]));
    const ks = b.input('k', tensorType('f32', [N, 12, S, 64]));
    const vs = b.input('v', tensorType('f32', [N, 12, S, 32]));
    const m = b.input('m', tensorType('bool', [N, 1, 1, S]));
    expect(typeToString(b.op1('scaled_dot_product_attention', [qs, ks, vs, m]).type)).toBe('f32[N, 12, S, 32]');
    const bad = b.input('bad', tensorType('f32', [N, 12, S, 48]));
    expect(() => b.op1('scaled_dot_product_attention', [qs, bad, vs, null])).toThrow(/last dim/);
  });

  it('counts flops of both products and the softmax', () => {
    const q4 = tensorType('f32', [1, 12, 128, 64]);
    const out = tensorType('f32', [1, 12, 128, 64]);
    const c = getOp('scaled_dot_product_attention')!.cost!({ inputs: [q4, q4, q4, null], outputs: [out], attrs: {}, env: new Map() });
    expect(c.flops).toBe(12 * 128 * 128 * (2 * 128 + 5));
  });
});
