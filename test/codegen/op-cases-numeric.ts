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
    name: 'quantize',
    only: 'cpu',
    graph: graphOf('quantize', (b) => {
      const x = b.input('x', f32(2, 3, 4));
      const scalar = (dtype: 'f32' | 'u8' | 'i8', v: number) => b.op1('constant', [], { value: Tensor.fromNumbers(dtype, [], [v]) });
      const perAxis = (dtype: 'f32' | 'u8' | 'i8', vs: number[]) => b.op1('constant', [], { value: Tensor.fromNumbers(dtype, [vs.length], vs) });
      b.output(b.op1('quantize_linear', [x, scalar('f32', 0.02), scalar('u8', 128)], {}, { name: 'q_u8' }));
      b.output(b.op1('quantize_linear', [x, perAxis('f32', [0.01, 0.05, 0.1]), perAxis('i8', [-3, 0, 7])], { axis: 1 }, { name: 'q_i8_axis' }));
      b.output(b.op1('quantize_linear', [x, b.input('s', f32())], {}, { name: 'q_default_zero' }));
      b.output(b.op1('dequantize_linear', [b.input('qu', typed('u8', 2, 3, 4)), scalar('f32', 0.5), scalar('u8', 100)], {}, { name: 'dq_u8' }));
      b.output(b.op1('dequantize_linear', [b.input('qi', typed('i8', 2, 4)), perAxis('f32', [0.1, 0.2, 0.3, 0.4]), perAxis('i8', [1, -2, 3, 0])], { axis: -1 }, { name: 'dq_i8_axis' }));
      b.output(b.op1('dequantize_linear', [b.input('q32', typed('i32', 5)), scalar('f32', 0.25)], {}, { name: 'dq_i32' }));
      b.output(...b.op('dynamic_quantize_linear', [b.input('xd', f32(3, 5))], {}, { outputs: 3, names: ['dq_y', 'dq_scale', 'dq_zero'] }));
    }),
    ranges: { s: [0.01, 0.05], qu: [0, 256], qi: [-128, 128], q32: [-1000, 1000], xd: [-1, 3] },
  },
  {
    name: 'integer_linalg',
    only: 'cpu',
    graph: graphOf('integer_linalg', (b) => {
      const u = (n: string, ...shape: number[]) => b.input(n, typed('u8', ...shape));
      const i8 = (n: string, ...shape: number[]) => b.input(n, typed('i8', ...shape));
      b.output(b.op1('matmul_integer', [u('a', 3, 4), u('b', 4, 5), u('az', 3), u('bz', 5)], {}, { name: 'mm_int_axis' }));
      b.output(b.op1('matmul_integer', [i8('a3', 2, 3, 4), i8('b2', 4, 2)], {}, { name: 'mm_int_batched' }));
      b.output(b.op1('conv_integer', [u('x', 1, 2, 5, 5), u('w', 3, 2, 3, 3), u('xz'), u('wz', 3)], { pads: [1, 1, 1, 1] }, { name: 'conv_int' }));
      b.output(b.op1('conv_integer', [i8('xg', 2, 4, 6), i8('wg', 4, 2, 3)], { group: 2, strides: [2], dilations: [2] }, { name: 'conv_int_grouped' }));
      const f = (n: string, ...shape: number[]) => b.input(n, f32(...shape));
      b.output(b.op1('qlinear_matmul', [u('qa', 2, 3, 4), f('qa_s'), u('qa_z'), u('qb', 4, 3), f('qb_s', 3), u('qb_z', 3), f('qy_s'), u('qy_z')], {}, { name: 'qmm' }));
      b.output(b.op1('qlinear_conv', [u('qx', 1, 2, 4, 4), f('qx_s'), u('qx_z'), i8('qw', 3, 2, 2, 2), f('qw_s', 3), i8('qw_z', 3), f('qc_s'), i8('qc_z'), b.input('qc_b', typed('i32', 3))], { strides: [2, 1] }, { name: 'qconv' }));
    }),
    ranges: {
      a: [0, 256], b: [0, 256], az: [0, 256], bz: [0, 256], a3: [-128, 128], b2: [-128, 128], x: [0, 256], w: [0, 256], xz: [0, 256], wz: [0, 256],
      xg: [-128, 128], wg: [-128, 128], qa: [0, 256], qb: [0, 256], qa_z: [100, 150], qb_z: [100, 150], qy_z: [0, 256], qa_s: [0.01, 0.05], qb_s: [0.01, 0.05], qy_s: [0.05, 0.2],
      qx: [0, 256], qw: [-128, 128], qx_z: [100, 150], qw_z: [-5, 5], qc_z: [-20, 20], qx_s: [0.01, 0.05], qw_s: [0.01, 0.05], qc_s: [0.05, 0.2], qc_b: [-500, 500],
    },
  },
  {
    name: 'half_floats',
    only: 'cpu',
    graph: graphOf('half_floats', (b) => {
      for (const d of ['f16', 'bf16'] as const) {
        const x = b.input(`x_${d}`, typed(d, 3, 7)), y = b.input(`y_${d}`, typed(d, 7));
        for (const op of ['add', 'mul', 'div', 'max', 'min']) b.output(b.op1(op, [x, y], {}, { name: `${op}_${d}` }));
        b.output(b.op1('mod', [x, y], { fmod: 1 }, { name: `fmod_${d}` }));
        for (const op of ['exp', 'tanh', 'sigmoid', 'sqrt', 'round']) b.output(b.op1(op, [b.op1('abs', [x])], {}, { name: `${op}_${d}` }));
        // a fused chain rounds after every node, as the interpreter does
        b.output(b.op1('relu', [b.op1('sub', [b.op1('mul', [x, x]), y])], {}, { name: `chain_${d}` }));
        b.output(b.op1('less', [x, y], {}, { name: `less_${d}` }), b.op1('where', [b.op1('greater', [x, y]), x, y], {}, { name: `where_${d}` }));
        for (const to of ['f32', 'f64', 'i32', 'bool', d === 'f16' ? 'bf16' : 'f16'] as const) b.output(b.op1('cast', [x], { to }, { name: `${d}_to_${to}` }));
        b.output(b.op1('cast', [b.input(`f32_${d}`, f32(4, 9))], { to: d }, { name: `f32_to_${d}` }));
        b.output(b.op1('cast', [b.input(`f64_${d}`, typed('f64', 9))], { to: d }, { name: `f64_to_${d}` }));
        b.output(b.op1('cast', [b.input(`i32_${d}`, typed('i32', 9))], { to: d }, { name: `i32_to_${d}` }));
        b.output(b.op1('cast', [b.input(`big_${d}`, f32(9))], { to: d }, { name: `overflow_to_${d}` }));
        b.output(b.op1('cast', [b.input(`tiny_${d}`, f32(9))], { to: d }, { name: `subnormal_to_${d}` }));
      }
    }),
    ranges: {
      y_f16: [0.5, 3], y_bf16: [0.5, 3], i32_f16: [-70000, 70000], i32_bf16: [-2e9, 2e9],
      big_f16: [60000, 70000], big_bf16: [3.38e38, 3.4e38], tiny_f16: [-1e-6, 1e-6], tiny_bf16: [-1e-39, 1e-39],
    },
  },
  {
    name: 'einsum_det',
    graph: graphOf('einsum_det', (b) => {
      const x = b.input('x', f32(2, 3, 4)), y = b.input('y', f32(2, 4, 5)), sq = b.input('sq', f32(2, 4, 4));
      b.output(b.op1('einsum', [x, y], { equation: 'bij,bjk->bik' }, { name: 'batch_matmul' }));
      b.output(b.op1('einsum', [x], { equation: 'bij->jb' }, { name: 'transpose_sum' }));
      b.output(b.op1('einsum', [sq], { equation: '...ii->...i' }, { name: 'diagonal' }));
      b.output(b.op1('einsum', [sq, sq], { equation: 'bij,bij' }, { name: 'implicit_inner' }));
      b.output(b.op1('einsum', [x, b.input('row', f32(1, 1, 4))], { equation: 'bij,bij->bi' }, { name: 'broadcast' }));
      b.output(b.op1('det', [sq], {}, { name: 'det_batched' }));
      b.output(b.op1('det', [b.input('m', f32(3, 3))], {}, { name: 'det_2d' }));
      b.output(b.op1('det', [b.op1('constant', [], { value: Tensor.fromNumbers('f32', [3, 3], [1, 2, 3, 2, 4, 6, 0, 1, 5]) })], {}, { name: 'det_singular' }));
    }),
  },
  {
    name: 'einsum_det_wide',
    only: 'cpu',
    graph: graphOf('einsum_det_wide', (b) => {
      const x = b.input('x', typed('f64', 3, 4)), y = b.input('y', typed('f64', 4));
      b.output(b.op1('einsum', [x, y], { equation: 'ij,j->i' }, { name: 'matvec_f64' }));
      b.output(b.op1('einsum', [x], { equation: 'ij->' }, { name: 'sum_f64' }));
      b.output(b.op1('einsum', [b.input('xi', typed('i32', 3, 4)), b.input('yi', typed('i32', 4, 2))], { equation: 'ij,jk' }, { name: 'matmul_i32' }));
      b.output(b.op1('det', [b.input('m', typed('f64', 2, 5, 5))], {}, { name: 'det_f64' }));
    }),
    ranges: { xi: [-50, 50], yi: [-50, 50] },
  },
  {
    name: 'recurrent',
    graph: graphOf('recurrent', (b) => {
      const [seq, batch, inSize, H] = [4, 3, 5, 3];
      const x = b.input('x', f32(seq, batch, inSize)), xb = b.input('x_batch_first', f32(batch, seq, inSize));
      const lens = b.op1('constant', [], { value: Tensor.fromNumbers('i32', [batch], [4, 2, 0]) });
      const weights = (kind: string, gates: number, nDir: number) => [
        b.input(`w_${kind}${nDir}`, f32(nDir, gates * H, inSize)), b.input(`r_${kind}${nDir}`, f32(nDir, gates * H, H)), b.input(`b_${kind}${nDir}`, f32(nDir, 2 * gates * H)),
      ];
      const state = (name: string, nDir: number, batchFirst = false) => b.input(name, batchFirst ? f32(batch, nDir, H) : f32(nDir, batch, H));
      const run = (op: string, outs: number, inputs: (ReturnType<typeof b.input> | null)[], attrs: Record<string, unknown>, name: string) =>
        b.output(...b.op(op, inputs, attrs as never, { outputs: outs, names: Array.from({ length: outs }, (_, i) => `${name}_${['y', 'h', 'c'][i]}`) }));
      run('rnn', 2, [x, ...weights('rnn', 1, 2)], { direction: 'bidirectional', hidden_size: H }, 'rnn_bidirectional');
      run('rnn', 2, [x, ...weights('rnn', 1, 1), lens, state('h0_rnn', 1)], { activations: ['Relu'], clip: 1.5 }, 'rnn_lens_relu_clip');
      run('gru', 2, [x, ...weights('gru', 3, 1)], {}, 'gru');
      run('gru', 2, [xb, ...weights('gru', 3, 2), null, state('h0_gru', 2, true)], { direction: 'bidirectional', layout: 1, linear_before_reset: true }, 'gru_linear_before_reset');
      run('gru', 2, [x, ...weights('gru', 3, 1).slice(0, 2)], { direction: 'reverse', activations: ['HardSigmoid', 'LeakyRelu'], activation_alpha: [0.3, 0.1], activation_beta: [0.4] }, 'gru_reverse_activations');
      const [w, r, bias] = weights('lstm', 4, 1);
      run('lstm', 3, [x, w, r, bias, lens, state('h0_lstm', 1), state('c0_lstm', 1), b.input('p', f32(1, 3 * H))], {}, 'lstm_peepholes');
      run('lstm', 3, [xb, ...weights('lstm', 4, 2)], { direction: 'bidirectional', layout: 1, input_forget: true, activations: ['Sigmoid', 'ScaledTanh', 'Affine', 'Softsign', 'Elu', 'Softplus'], activation_alpha: [0.9, 0.5, 1.1], activation_beta: [1.2, 0.1] }, 'lstm_bidirectional');
    }),
    ranges: Object.fromEntries(['rnn1', 'rnn2', 'gru1', 'gru2', 'lstm1', 'lstm2'].flatMap((k) => ['w', 'r', 'b'].map((p) => [`${p}_${k}`, [-0.6, 0.6]]))),
  },
  {
    name: 'resize_modes',
    graph: graphOf('resize_modes', (b) => {
      const x = b.input('x', f32(1, 2, 4, 5));
      b.output(b.op1('resize', [x], { scales: [1, 1, 2, 1.5], mode: 'cubic' }, { name: 'cubic_up' }));
      b.output(b.op1('resize', [x], { scales: [1, 1, 0.6, 0.8], mode: 'cubic', cubic_coeff_a: -0.5, exclude_outside: true }, { name: 'cubic_down_exclude' }));
      b.output(b.op1('resize', [x], { sizes: [7, 3], axes: [2, 3], mode: 'cubic', coordinate_transformation_mode: 'align_corners' }, { name: 'cubic_align' }));
      b.output(b.op1('resize', [x], { scales: [1, 1, 1.7, 0.6], mode: 'nearest', coordinate_transformation_mode: 'tf_half_pixel_for_nn' }, { name: 'nearest_tf_half_pixel' }));
      const crop = { coordinate_transformation_mode: 'tf_crop_and_resize', roi: [0, 0, 0.3, 0.1, 1, 1, 1.2, 0.8], extrapolation_value: 9 };
      b.output(b.op1('resize', [x], { sizes: [1, 2, 5, 6], mode: 'linear', ...crop }, { name: 'crop_linear' }));
      b.output(b.op1('resize', [x], { sizes: [1, 2, 3, 4], mode: 'nearest', nearest_mode: 'round_prefer_ceil', ...crop }, { name: 'crop_nearest' }));
      b.output(b.op1('resize', [x], { sizes: [1, 2, 6, 3], mode: 'cubic', ...crop }, { name: 'crop_cubic' }));
    }),
  },
  {
    name: 'grid_sample',
    graph: graphOf('grid_sample', (b) => {
      const x = b.input('x', f32(2, 3, 4, 5)), grid = b.input('grid', f32(2, 3, 6, 2));
      for (const mode of ['linear', 'nearest', 'cubic'])
        for (const padding of ['zeros', 'border', 'reflection'])
          for (const align of [false, true]) b.output(b.op1('grid_sample', [x, grid], { mode, padding_mode: padding, align_corners: align }, { name: `${mode}_${padding}${align ? '_align' : ''}` }));
      b.output(b.op1('grid_sample', [b.input('x3', f32(1, 2, 3, 4, 2)), b.input('grid3', f32(1, 2, 2, 3, 3))], { padding_mode: 'reflection' }, { name: 'volumetric' }));
    }),
    // coordinates past the edges exercise every padding mode
    ranges: { grid: [-1.6, 1.6], grid3: [-2.5, 2.5] },
  },
  {
    name: 'roi_align',
    graph: graphOf('roi_align', (b) => {
      const x = b.input('x', f32(2, 3, 6, 7));
      const rois = b.op1('constant', [], { value: Tensor.fromNumbers('f32', [4, 4], [0, 0, 5, 4, 1.5, 2.2, 6.5, 5.9, -2, -1, 3, 8, 4.1, 0.3, 4.6, 1.2]) });
      const which = b.op1('constant', [], { value: Tensor.fromNumbers('i64', [4], [0, 1, 1, 0]) });
      b.output(b.op1('roi_align', [x, rois, which], { output_height: 3, output_width: 2 }, { name: 'avg_adaptive' }));
      b.output(b.op1('roi_align', [x, rois, which], { output_height: 2, output_width: 3, sampling_ratio: 2, spatial_scale: 0.8, mode: 'max' }, { name: 'max_ratio' }));
      b.output(b.op1('roi_align', [x, rois, which], { output_height: 2, output_width: 2, coordinate_transformation_mode: 'output_half_pixel' }, { name: 'output_half_pixel' }));
    }),
  },
  {
    name: 'dft',
    graph: graphOf('dft', (b) => {
      const real = b.input('real', f32(2, 6, 3, 1)), complex = b.input('complex', f32(3, 5, 2));
      b.output(b.op1('dft', [real], { axis: 1 }, { name: 'real_axis1' }));
      b.output(b.op1('dft', [real], { axis: 1, onesided: true, dft_length: 8 }, { name: 'real_onesided_padded' }));
      b.output(b.op1('dft', [complex], { axis: 1, inverse: true }, { name: 'complex_inverse' }));
      b.output(b.op1('dft', [complex], { axis: 0, dft_length: 2 }, { name: 'complex_truncated' }));
      b.output(b.op1('stft', [b.input('signal', f32(2, 20, 1)), b.input('window', f32(6))], { frame_step: 3 }, { name: 'stft_window' }));
      b.output(b.op1('stft', [b.input('signal_c', f32(1, 11, 2))], { frame_step: 2, frame_length: 4, onesided: false }, { name: 'stft_complex' }));
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
