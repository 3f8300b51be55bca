// Every op the WGSL target lowers, as small graphs: each shader validated by Dawn's null backend, then
// run on lavapipe and compared with the reference interpreter (f32 within rtol 1e-4 / atol 1e-5,
// integers and bool exactly; GPU-specific differences are named where a case widens them).
import { describe, expect, it } from 'vitest';
import { generateWgsl } from '../../src/codegen/wgsl/generate.js';
import { sym } from '../../src/ir/dim.js';
import { tensorType } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor } from '../codegen/harness.js';
import { FLOAT_UNARY, NORMALIZATIONS, OpCase, REDUCTIONS, f32, floatUnaryRanges, graphOf, movementCase, typed, unaryGraph } from '../codegen/op-cases.js';
import { lavapipeGpu, validateShader } from './harness.js';
import { expectWgslCaseMatches } from '../codegen/op-suite.js';

const CASES: OpCase[] = [
  {
    name: 'unary_f32', graph: unaryGraph('unary_f32', 'f32', FLOAT_UNARY),
    ranges: floatUnaryRanges(),
    tolerance: { rtol: 2e-4, atol: 1e-5, why: "WGSL's transcendental builtins are specified to a few ulp less than libm; erf is a 1.2e-7 fit" },
  },
  { name: 'gelu_tanh', graph: unaryGraph('gelu_tanh', 'f32', [['gelu', { approximate: 'tanh' }]]) },
  {
    name: 'unary_i32',
    graph: unaryGraph('unary_i32', 'i32', [['abs'], ['neg'], ['sign'], ['relu'], ['clip', { min: -3.5, max: 20 }], ['bitwise_not']]),
    ranges: Object.fromEntries(['abs', 'neg', 'sign', 'relu', 'clip', 'bitwise_not'].map((o) => [`x_${o}`, [-50, 50]])),
  },
  {
    name: 'binary_f32_broadcast',
    graph: graphOf('binary_f32_broadcast', (b) => {
      const x = b.input('x', f32(2, 3, 4)), y = b.input('y', f32(3, 1)), z = b.input('z', f32(4));
      for (const op of ['add', 'sub', 'mul', 'div']) b.output(b.op1(op, [x, y], {}, { name: op }));
      b.output(b.op1('pow', [b.op1('abs', [x]), z], {}, { name: 'pow' }));
      b.output(b.op1('mod', [x, y], { fmod: 1 }, { name: 'fmod' }));
      b.output(b.op1('prelu', [x, z], {}, { name: 'prelu' }));
      for (const op of ['max', 'min', 'sum', 'mean']) b.output(b.op1(op, [x, y, z], {}, { name: op }));
      for (const op of ['equal', 'less', 'less_or_equal', 'greater', 'greater_or_equal']) b.output(b.op1(op, [x, z], {}, { name: op }));
      const lt = b.op1('less', [x, y]), gt = b.op1('greater', [x, z]);
      b.output(b.op1('and', [lt, gt], {}, { name: 'and' }), b.op1('or', [lt, gt], {}, { name: 'or' }), b.op1('xor', [lt, gt], {}, { name: 'xor' }), b.op1('not', [lt], {}, { name: 'not' }));
      b.output(b.op1('where', [lt, x, z], {}, { name: 'where' }));
    }),
    ranges: { y: [0.5, 2] },
  },
  {
    name: 'integer_ops',
    graph: graphOf('integer_ops', (b) => {
      const x = b.input('x', typed('i32', 4, 5)), y = b.input('y', typed('i32', 5));
      for (const op of ['add', 'sub', 'mul', 'div', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'equal', 'less', 'greater']) b.output(b.op1(op, [x, y], {}, { name: op }));
      b.output(b.op1('mod', [x, y], { fmod: 0 }, { name: 'mod' }), b.op1('mod', [x, y], { fmod: 1 }, { name: 'fmod' }));
      b.output(b.op1('pow', [b.input('base', typed('i32', 4, 5)), b.input('exponent', typed('i32', 5))], {}, { name: 'pow' }));
      const u = b.input('u', typed('u32', 4, 5)), s = b.input('s', typed('u32', 5));
      b.output(b.op1('bit_shift', [u, s], { direction: 'LEFT' }, { name: 'shl' }), b.op1('bit_shift', [u, s], { direction: 'RIGHT' }, { name: 'shr' }));
      const f = b.input('f', f32(4, 5));
      b.output(b.op1('cast', [f], { to: 'i32' }, { name: 'f2i' }), b.op1('cast', [x], { to: 'f32' }, { name: 'i2f' }));
      b.output(b.op1('cast', [f], { to: 'bool' }, { name: 'f2b' }), b.op1('cast', [x], { to: 'u32' }, { name: 'i2u' }));
    }),
    ranges: { x: [-1000, 1000], y: [-9, 9], base: [-20, 20], exponent: [-1, 6], u: [0, 256], s: [0, 40], f: [-300, 300] },
  },
  ...(['none', 'folded', 'batched', 'vector_left', 'vector_right'] as const).map((kind) => ({
    name: `matmul_${kind}`,
    graph: graphOf(`matmul_${kind}`, (b) => {
      const shapes = { none: [[7, 5], [5, 9]], folded: [[2, 3, 4, 5], [5, 6]], batched: [[2, 1, 4, 5], [3, 5, 6]], vector_left: [[5], [2, 5, 6]], vector_right: [[2, 4, 5], [5]] }[kind];
      b.output(b.op1('matmul', [b.input('a', f32(...shapes[0])), b.input('b', f32(...shapes[1]))]));
    }),
  })),
  {
    name: 'gemm_variants',
    graph: graphOf('gemm_variants', (b) => {
      const a = b.input('a', f32(4, 6)), at = b.input('at', f32(6, 4)), w = b.input('w', f32(6, 5)), wt = b.input('wt', f32(5, 6));
      b.output(b.op1('gemm', [a, w], {}, { name: 'plain' }));
      b.output(b.op1('gemm', [at, wt, b.input('c_row', f32(5))], { trans_a: true, trans_b: true, alpha: 0.5, beta: 2 }, { name: 'transposed' }));
      b.output(b.op1('gemm', [a, w, b.input('c_col', f32(4, 1))], { beta: -1 }, { name: 'column_bias' }));
      b.output(b.op1('gemm', [a, w, b.input('c_full', f32(4, 5))], {}, { name: 'full_bias' }));
    }),
  },
  ...([
    ['conv2d', [1, 4, 9, 9], [6, 4, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] }, true],
    ['conv2d_dilated', [2, 3, 10, 8], [5, 3, 3, 2], { dilations: [2, 1], pads: [0, 1, 2, 0] }, false],
    ['conv2d_grouped', [1, 6, 7, 7], [4, 3, 3, 3], { group: 2, pads: [1, 1, 1, 1] }, true],
    ['conv2d_depthwise', [2, 4, 8, 8], [8, 1, 3, 3], { group: 4, pads: [1, 1, 1, 1], strides: [2, 2] }, true],
    ['conv2d_pointwise', [1, 8, 5, 5], [3, 8, 1, 1], {}, true],
    ['conv1d', [2, 3, 20], [4, 3, 5], { pads: [2, 2] }, true],
    ['conv3d', [1, 2, 5, 6, 4], [3, 2, 3, 3, 2], { pads: [1, 0, 1, 1, 0, 1] }, true],
  ] as [string, number[], number[], Record<string, unknown>, boolean][]).map(([name, xs, ws, attrs, bias]) => ({
    name,
    graph: graphOf(name, (b) => {
      b.output(b.op1('conv', [b.input('x', f32(...xs)), b.input('w', f32(...ws)), bias ? b.input('b', f32(ws[0])) : null], attrs as never));
    }),
  })),
  {
    name: 'pools',
    graph: graphOf('pools', (b) => {
      const x = b.input('x', f32(2, 3, 9, 8));
      b.output(b.op1('max_pool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'max' }));
      b.output(b.op1('max_pool', [x], { kernel_shape: [2, 3], strides: [2, 2], ceil_mode: true, dilations: [2, 1] }, { name: 'max_ceil' }));
      b.output(b.op1('average_pool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'avg' }));
      b.output(b.op1('average_pool', [x], { kernel_shape: [3, 2], pads: [1, 0, 1, 1], count_include_pad: true }, { name: 'avg_pad' }));
      b.output(b.op1('global_average_pool', [x], {}, { name: 'gavg' }), b.op1('global_max_pool', [x], {}, { name: 'gmax' }));
    }),
  },
  NORMALIZATIONS,
  REDUCTIONS,
  movementCase('movement', (b) => b.output(b.op1('transpose', [b.input('flags', typed('bool', 2, 3))], {}, { name: 'bool_transpose' }))),
  {
    name: 'gather',
    graph: graphOf('gather', (b) => {
      const x = b.input('x', f32(5, 4, 3));
      b.output(b.op1('gather', [x, b.op1('constant', [], { value: Tensor.fromNumbers('i64', [2, 2], [0, -1, 4, 2]) })], { axis: 0 }, { name: 'axis0' }));
      b.output(b.op1('gather', [x, b.op1('constant', [], { value: Tensor.fromNumbers('i32', [3], [3, 0, -4]) })], { axis: 1 }, { name: 'axis1' }));
      b.output(b.op1('gather', [x, b.input('ids', typed('i32', 4))], { axis: 2 }, { name: 'ids' }));
    }),
    ranges: { ids: [-3, 3] },
  },
  {
    name: 'resize',
    graph: graphOf('resize', (b) => {
      const x = b.input('x', f32(1, 2, 4, 5));
      b.output(b.op1('resize', [x], { scales: [1, 1, 2, 2], mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, { name: 'nearest' }));
      b.output(b.op1('resize', [x], { scales: [1, 1, 2, 1.5], mode: 'linear' }, { name: 'linear' }));
      b.output(b.op1('resize', [x], { sizes: [7, 3], axes: [2, 3], mode: 'linear', coordinate_transformation_mode: 'align_corners' }, { name: 'align' }));
    }),
  },
  {
    name: 'attention',
    graph: graphOf('attention', (b) => {
      const q = b.input('q', f32(2, 3, 5, 8)), k = b.input('k', f32(2, 1, 7, 8)), v = b.input('v', f32(2, 3, 7, 6));
      // two variants only: lavapipe spends ~13 s compiling each attention shader (per-invocation arrays)
      b.output(b.op1('scaled_dot_product_attention', [q, k, v, b.input('bias', f32(5, 7))], { scale: 0.3 }, { name: 'float_mask' }));
      b.output(b.op1('scaled_dot_product_attention', [q, k, v, b.input('keep', typed('bool', 2, 1, 1, 7))], { is_causal: true }, { name: 'bool_mask_causal' }));
    }),
  },
  {
    name: 'symbolic_batch',
    graph: graphOf('symbolic_batch', (b) => {
      const x = b.input('x', tensorType('f32', [sym('N'), 3, 6, 6]));
      const c = b.op1('conv', [x, b.param('w', f32(4, 3, 3, 3), randomTensor('f32', [4, 3, 3, 3], 7))], { pads: [1, 1, 1, 1] });
      const s = b.op1('softmax', [b.op1('flatten', [b.op1('max_pool', [c], { kernel_shape: [2, 2], strides: [2, 2] })])]);
      b.output(b.op1('slice', [b.op1('concat', [s, s], { axis: 0 })], { starts: [1], ends: [1e10], axes: [0] }, { name: 'y' }));
    }),
    syms: { N: 3 },
  },
];

const programs = new Map(CASES.map((c) => [c.name, generateWgsl(c.graph)]));

describe('wgsl target: shaders pass validation', () => {
  it.each(CASES.map((c) => c.name))('%s', async (name) => {
    for (const s of programs.get(name)!.shaders) expect(await validateShader(s)).toBe('');
  });
});

describe('wgsl target: single ops on lavapipe vs the interpreter', () => {
  const gpu = lavapipeGpu();
  it.skipIf(!gpu).each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => expectWgslCaseMatches(gpu!, programs.get(c.name)!.plan, c), 120_000);
});
