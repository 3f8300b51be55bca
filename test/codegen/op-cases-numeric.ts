// The numeric, linear-algebra, recurrent and quantization op cases, shared by the CPU suite
// (test/codegen/ops-numeric.test.ts) and the WGSL suite (test/codegen-wgsl/ops-numeric.test.ts).
import { sym } from '../../src/ir/dim.js';
import { tensorType } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor } from './harness.js';
import { OpCase, f32, graphOf, typed } from './op-cases.js';

/** An op case and the targets it runs on (both unless it names one: WGSL stores no 64-bit or 16-bit-float data). */
export interface NumericCase extends OpCase { only?: 'cpu' | 'wgsl' }

/** conv_transpose over 1, 2 and 3 spatial dims with every attribute the interpreter takes. */
const CONV_TRANSPOSE: [string, number[], number[], Record<string, unknown>, boolean][] = [
  ['plain_2d', [1, 3, 4, 5], [3, 2, 3, 3], {}, true],
  ['strided_padded', [2, 4, 5, 4], [4, 3, 3, 2], { strides: [2, 3], pads: [1, 0, 2, 1] }, true],
  ['grouped_dilated', [1, 4, 5, 5], [4, 3, 3, 3], { group: 2, dilations: [2, 1], strides: [2, 2] }, false],
  ['output_padding', [1, 2, 3, 3], [2, 3, 3, 3], { strides: [3, 2], output_padding: [1, 1] }, true],
  ['output_shape', [1, 2, 3, 4], [2, 2, 3, 3], { strides: [2, 2], output_shape: [8, 10] }, true],
  ['same_lower', [1, 2, 3, 3], [2, 1, 2, 3], { strides: [2, 2], auto_pad: 'SAME_LOWER' }, false],
  ['valid_1d', [2, 3, 7], [3, 2, 4], { strides: [2], auto_pad: 'VALID' }, true],
  ['depthwise_3d', [1, 2, 3, 2, 3], [2, 1, 2, 3, 2], { group: 2, strides: [1, 2, 2], pads: [1, 0, 1, 0, 1, 0] }, true],
];

export const NUMERIC_CASES: NumericCase[] = [
  {
    name: 'conv_transpose',
    graph: graphOf('conv_transpose', (b) => {
      for (const [name, xs, ws, attrs, bias] of CONV_TRANSPOSE) {
        const x = b.input(`x_${name}`, f32(...xs)), w = b.input(`w_${name}`, f32(...ws));
        const channels = ws[1] * ((attrs.group as number | undefined) ?? 1);
        b.output(b.op1('conv_transpose', [x, w, bias ? b.input(`b_${name}`, f32(channels)) : null], attrs as never, { name }));
      }
    }),
  },
  {
    name: 'normalizations_numeric',
    graph: graphOf('normalizations_numeric', (b) => {
      const x = b.input('x', f32(2, 3, 4, 5));
      b.output(b.op1('instance_normalization', [x, b.input('scale', f32(3)), b.input('bias', f32(3))], { epsilon: 1e-3 }, { name: 'instance' }));
      b.output(b.op1('lrn', [x], { size: 3 }, { name: 'lrn' }));
      b.output(b.op1('lrn', [b.input('x5', f32(1, 6, 3))], { size: 4, alpha: 0.2, beta: 0.5, bias: 2 }, { name: 'lrn_even' }));
      b.output(b.op1('mean_variance_normalization', [x], {}, { name: 'mvn' }));
      b.output(b.op1('mean_variance_normalization', [x], { axes: [1, -1] }, { name: 'mvn_axes' }));
    }),
  },
  {
    name: 'normalizations_f64',
    only: 'cpu',
    graph: graphOf('normalizations_f64', (b) => {
      const x = b.input('x', typed('f64', 2, 3, 6));
      b.output(b.op1('instance_normalization', [x, b.input('scale', typed('f64', 3)), b.input('bias', typed('f64', 3))], {}, { name: 'instance' }));
      b.output(b.op1('lrn', [x], { size: 5 }, { name: 'lrn' }));
      b.output(b.op1('mean_variance_normalization', [x], { axes: [2] }, { name: 'mvn' }));
    }),
  },
  {
    name: 'conv_transpose_symbolic_batch',
    graph: graphOf('conv_transpose_symbolic_batch', (b) => {
      const x = b.input('x', tensorType('f32', [sym('N'), 3, 4, 4]));
      b.output(b.op1('conv_transpose', [x, b.input('w', f32(3, 2, 2, 2)), b.input('bias', f32(2))], { strides: [2, 2] }, { name: 'y' }));
    }),
    syms: { N: 2 },
  },
];

/** Seeded random inputs of a case, each in its stated range (default [-2, 2)). */
export function numericInputs(c: OpCase): Map<string, Tensor> {
  return new Map(c.graph.inputs.map((v, i) => {
    const [lo, hi] = c.ranges?.[v.name] ?? [-2, 2];
    const shape = v.type.shape.map((d) => (typeof d === 'number' ? d : c.syms![String(d)]));
    return [v.name, randomTensor(v.type.dtype, shape, 1000 + i * 17, lo, hi)];
  }));
}
