// Import rules for recurrent, signal-processing and detection operators (see op-table.ts for the shape of a rule).
// RNN, GRU, LSTM, Unique and TfIdfVectorizer map one to one; the rules here turn configuration inputs into
// attributes and translate opset differences.
import { Attrs } from '../../ir/graph.js';
import { OpRule, oneToOne } from './op-table.js';
import { NodeCtx } from './node-context.js';

/** GridSample before opset 20 spelled its modes bilinear and bicubic. */
const GRID_SAMPLE_MODES: Record<string, string> = { bilinear: 'linear', bicubic: 'cubic' };

/** An optional scalar input as an attribute, or nothing when the input is omitted. */
function scalarAttr(cx: NodeCtx, index: number, name: string): Attrs {
  return cx.has(index) ? { [name]: cx.scalar(index, name) } : {};
}

export const SEQUENCE_MODEL_RULES: Record<string, () => OpRule | undefined> = {
  GridSample: () => oneToOne('grid_sample', {
    handledAttrs: ['mode'],
    attrInputs: (cx) => {
      const mode = cx.string('mode', cx.opset < 20 ? 'bilinear' : 'linear');
      return [{ index: -1, attrs: { mode: GRID_SAMPLE_MODES[mode] ?? mode } }];
    },
  }),
  NonMaxSuppression: () => oneToOne('non_max_suppression', {
    attrInputs: (cx) => [
      { index: 2, attrs: scalarAttr(cx, 2, 'max_output_boxes_per_class') },
      { index: 3, attrs: scalarAttr(cx, 3, 'iou_threshold') },
      { index: 4, attrs: scalarAttr(cx, 4, 'score_threshold') },
    ],
  }),
  // RoiAlign-10 had no coordinate_transformation_mode and did not shift by half a pixel
  RoiAlign: () => oneToOne('roi_align', {
    attrInputs: (cx) => (cx.opset < 16 ? [{ index: -1, attrs: { coordinate_transformation_mode: 'output_half_pixel' } }] : []),
  }),
  // DFT-17 has axis as an attribute (default 1); from opset 20 it is input 2 (default -2)
  DFT: () => oneToOne('dft', {
    handledAttrs: ['axis'],
    attrInputs: (cx) => [
      { index: 1, attrs: scalarAttr(cx, 1, 'dft_length') },
      { index: 2, attrs: cx.opset < 20 ? { axis: cx.int('axis', 1) } : cx.has(2) ? { axis: cx.scalar(2, 'axis') } : {} },
    ],
  }),
  STFT: () => oneToOne('stft', {
    attrInputs: (cx) => [
      { index: 1, attrs: scalarAttr(cx, 1, 'frame_step') },
      { index: 3, attrs: scalarAttr(cx, 3, 'frame_length') },
    ],
  }),
};
