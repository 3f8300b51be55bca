// Building blocks of the per-target op suites (test/codegen/ops.test.ts, test/codegen-wgsl/ops.test.ts):
// small graphs, one per group of ops, so one compiled model covers many ops.
import { GraphBuilder } from '../../src/ir/builder.js';
import { DType } from '../../src/ir/dtype.js';
import { Graph, tensorType } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';

export interface OpCase {
  name: string;
  graph: Graph;
  /** value range of each input, by input name (default [-2, 2)) */
  ranges?: Record<string, [number, number]>;
  /** symbol values when the graph has symbolic dims */
  syms?: Record<string, number>;
  /** a wider tolerance than the suite's, with the reason */
  tolerance?: { rtol: number; atol: number; why: string };
}

export function graphOf(name: string, build: (b: GraphBuilder) => void): Graph {
  const b = new GraphBuilder(name);
  build(b);
  return b.graph;
}

export const f32 = (...shape: number[]) => tensorType('f32', shape);
export const typed = (dtype: DType, ...shape: number[]) => tensorType(dtype, shape);

/** One graph applying each unary op to its own input `x_<op>`, giving `y_<op>`. */
export function unaryGraph(name: string, dtype: DType, ops: [string, Record<string, unknown>?][]): Graph {
  return graphOf(name, (b) => {
    for (const [op, attrs] of ops) b.output(b.op1(op, [b.input(`x_${op}`, typed(dtype, 3, 17))], (attrs ?? {}) as never, { name: `y_${op}` }));
  });
}

export const FLOAT_UNARY: [string, Record<string, unknown>?][] = [
  ['exp'], ['log'], ['sqrt'], ['rsqrt'], ['reciprocal'], ['floor'], ['ceil'], ['round'], ['erf'], ['sin'], ['cos'], ['tan'],
  ['asin'], ['acos'], ['atan'], ['sinh'], ['cosh'], ['tanh'], ['asinh'], ['acosh'], ['atanh'], ['abs'], ['neg'], ['sign'],
  ['relu'], ['leaky_relu', { alpha: 0.1 }], ['elu', { alpha: 0.7 }], ['selu'], ['celu', { alpha: 1.3 }], ['gelu'],
  ['sigmoid'], ['silu'], ['hard_sigmoid'], ['hard_swish'], ['softplus'], ['softsign'], ['mish'], ['thresholded_relu', { alpha: 0.5 }],
  ['shrink', { lambd: 0.6, bias: 0.2 }], ['clip', { min: -0.5, max: 0.75 }], ['is_nan'], ['is_inf'], ['identity'],
];

/** Input ranges inside each FLOAT_UNARY op's domain. */
export function floatUnaryRanges(): Record<string, [number, number]> {
  const positive = new Set(['log', 'sqrt', 'rsqrt']);
  const unit = new Set(['asin', 'acos', 'atanh']);
  const r: Record<string, [number, number]> = {};
  for (const [op] of FLOAT_UNARY) r[`x_${op}`] = positive.has(op) ? [0.1, 4] : unit.has(op) ? [-0.95, 0.95] : op === 'acosh' ? [1.05, 5] : [-3, 3];
  return r;
}

/** Batch/layer/RMS norms and (log-)softmax over several axes and broadcast scales. */
export const NORMALIZATIONS: OpCase = {
  name: 'normalizations',
  graph: graphOf('normalizations', (b) => {
    const x = b.input('x', f32(2, 3, 4, 5));
    const c = (n: string) => b.input(n, f32(3));
    b.output(b.op1('batch_normalization', [x, c('scale'), c('bias'), c('mean'), b.input('var', f32(3))], { epsilon: 1e-3 }, { name: 'bn' }));
    b.output(b.op1('layer_normalization', [x, b.input('ln_s', f32(5)), b.input('ln_b', f32(5))], {}, { name: 'ln' }));
    b.output(b.op1('layer_normalization', [x, b.input('ln2_s', f32(4, 1))], { axis: 2 }, { name: 'ln_broadcast' }));
    b.output(b.op1('rms_normalization', [x, b.input('rms_s', f32(4, 5))], { axis: -2, epsilon: 1e-6 }, { name: 'rms' }));
    b.output(b.op1('softmax', [x], {}, { name: 'softmax' }), b.op1('softmax', [x], { axis: 1 }, { name: 'softmax_axis1' }));
    b.output(b.op1('log_softmax', [x], { axis: 2 }, { name: 'log_softmax' }));
  }),
  ranges: { var: [0.1, 2] },
};

/** Every reduce_* op over various axes, keepdims off, all axes, an i32 sum, noop_with_empty_axes. */
export const REDUCTIONS: OpCase = {
  name: 'reductions',
  graph: graphOf('reductions', (b) => {
    const x = b.input('x', f32(3, 4, 5));
    b.output(b.op1('reduce_mean', [x], { axes: [-1] }, { name: 'mean' }));
    b.output(b.op1('reduce_sum', [x], { axes: [0, 2], keepdims: false }, { name: 'sum' }));
    b.output(b.op1('reduce_max', [x], { axes: [1] }, { name: 'max' }), b.op1('reduce_min', [x], {}, { name: 'min_all' }));
    b.output(b.op1('reduce_prod', [x], { axes: [2] }, { name: 'prod' }), b.op1('reduce_l1', [x], { axes: [1] }, { name: 'l1' }));
    b.output(b.op1('reduce_l2', [x], { axes: [0] }, { name: 'l2' }), b.op1('reduce_sum_square', [x], { axes: [2] }, { name: 'sum_square' }));
    b.output(b.op1('reduce_log_sum_exp', [x], { axes: [1, 2] }, { name: 'lse' }), b.op1('reduce_log_sum', [b.op1('abs', [x])], { axes: [2] }, { name: 'log_sum' }));
    b.output(b.op1('reduce_sum', [b.input('xi', typed('i32', 3, 4))], { axes: [1] }, { name: 'sum_i32' }));
    b.output(b.op1('reduce_sum', [x], { noop_with_empty_axes: true }, { name: 'noop' }));
  }),
  ranges: { xi: [-1000, 1000] },
};

/** Transpose, concat, slice, split, pad modes, expand, the reshape family and constants in f32; `extra` adds target-specific outputs. */
export function movementCase(name: string, extra?: (b: GraphBuilder) => void): OpCase {
  return {
    name,
    graph: graphOf(name, (b) => {
      const x = b.input('x', f32(2, 3, 4));
      b.output(b.op1('transpose', [x], { perm: [2, 0, 1] }, { name: 'transpose' }));
      b.output(b.op1('concat', [x, b.input('y', f32(2, 1, 4)), x], { axis: 1 }, { name: 'concat' }));
      b.output(b.op1('slice', [x], { starts: [3, 1], ends: [-1e10, 3], axes: [2, 1], steps: [-2, 1] }, { name: 'slice' }));
      b.output(...b.op('split', [x], { axis: 2, split: [1, 3] }, { outputs: 2, names: ['split_a', 'split_b'] }));
      for (const mode of ['constant', 'reflect', 'edge', 'wrap']) b.output(b.op1('pad', [x], { pads: [0, 1, 2, 1, 0, 3], mode, value: 1.5 }, { name: `pad_${mode}` }));
      b.output(b.op1('expand', [b.input('e', f32(3, 1))], { shape: [2, 3, 4] }, { name: 'expand' }));
      const r = b.op1('reshape', [b.op1('unsqueeze', [b.op1('flatten', [x], { axis: 1 })], { axes: [0] })], { shape: [4, 6] });
      b.output(b.op1('relu', [b.op1('squeeze', [b.op1('unsqueeze', [r], { axes: [1] })], { axes: [1] })], {}, { name: 'aliases' }));
      b.output(b.op1('add', [x, b.op1('constant', [], { value: Tensor.fromNumbers('f32', [4], [1, -2, 0.5, 1e-3]) })], {}, { name: 'constant' }));
      extra?.(b);
    }),
  };
}
