// Import rules for quantization, loss and linear-algebra extras (see op-table.ts for the shape of a rule).
import { Attrs } from '../../ir/graph.js';
import { OpRule, oneToOne } from './op-table.js';
import { NodeCtx } from './node-context.js';

/** The window ops take their size from input 0. */
const windowRule = (ir: string) => () => oneToOne(ir, { attrInputs: (cx: NodeCtx) => [{ index: 0, attrs: { size: cx.ints(0, 'size')[0] } }] });

export const QUANT_RULES: Record<string, () => OpRule | undefined> = {
  MatMulInteger: () => oneToOne('matmul_integer'),
  QLinearMatMul: () => oneToOne('qlinear_matmul'),
  QLinearConv: () => oneToOne('qlinear_conv'),
  HannWindow: windowRule('hann_window'),
  HammingWindow: windowRule('hamming_window'),
  BlackmanWindow: windowRule('blackman_window'),
  MelWeightMatrix: () => oneToOne('mel_weight_matrix', {
    attrInputs: (cx): { index: number; attrs: Attrs }[] => [
      { index: 0, attrs: { num_mel_bins: cx.ints(0, 'num_mel_bins')[0] } },
      { index: 1, attrs: { dft_length: cx.ints(1, 'dft_length')[0] } },
      { index: 2, attrs: { sample_rate: cx.ints(2, 'sample_rate')[0] } },
      { index: 3, attrs: { lower_edge_hertz: cx.scalar(3, 'lower_edge_hertz') } },
      { index: 4, attrs: { upper_edge_hertz: cx.scalar(4, 'upper_edge_hertz') } },
    ],
  }),
  MaxUnpool: () => oneToOne('max_unpool', {
    attrInputs: (cx) => (cx.has(2) ? [{ index: 2, attrs: { output_shape: cx.dims(2, 'output_shape') } }] : []),
  }),
};
