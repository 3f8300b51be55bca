// Window functions and the mel filter bank (ONNX semantics). Their ONNX inputs only determine the
// result, so here they are attributes and the ops have no inputs.
import { DType } from '../dtype.js';
import { tensorType } from '../graph.js';
import { defineOp, OpError } from '../registry.js';
import { moveCost } from './shape-common.js';
import { FLOATS, INTS } from './elementwise-kernels.js';
import { tensorOf } from './reduce.js';

const WINDOW_DTYPES: readonly DType[] = [...FLOATS, ...INTS];

function checkOutputDType(op: string, dtype: DType): void {
  if (!WINDOW_DTYPES.includes(dtype)) throw new OpError(`${op}: output_datatype ${dtype} is not numeric`);
}

function checkSize(op: string, size: number): void {
  if (!Number.isInteger(size) || size < 0) throw new OpError(`${op}: size ${size} must be a non-negative integer`);
}

/**
 * A generalized cosine window: w[n] = sum_k (-1)^k a_k cos(2 pi k n / N), with N = size when
 * periodic (the window of size + 1 without its last point) and size - 1 when symmetric.
 */
function defineCosineWindow(name: string, summary: string, coeffs: readonly number[]): void {
  defineOp({
    name,
    summary,
    inputs: [],
    outputs: 1,
    attrs: {
      size: { kind: 'int', doc: 'number of points (the ONNX size input)' },
      periodic: { kind: 'bool', default: true },
      output_datatype: { kind: 'dtype', default: 'f32' },
    },
    infer({ attrs }) {
      checkSize(name, attrs.size as number);
      checkOutputDType(name, attrs.output_datatype as DType);
      return [tensorType(attrs.output_datatype as DType, [attrs.size as number])];
    },
    eval({ attrs }) {
      const size = attrs.size as number;
      const period = attrs.periodic ? size : size - 1;
      const out = new Float64Array(size);
      for (let n = 0; n < size; n++) {
        let v = 0;
        coeffs.forEach((a, k) => { v += (k % 2 === 0 ? a : -a) * Math.cos((2 * Math.PI * k * n) / period); });
        out[n] = v;
      }
      return [tensorOf(attrs.output_datatype as DType, [size], out)];
    },
    cost: moveCost,
  });
}

defineCosineWindow('hann_window', 'Hann window: 0.5 - 0.5 cos(2 pi n / N)', [0.5, 0.5]);
defineCosineWindow('hamming_window', 'Hamming window: 25/46 - 21/46 cos(2 pi n / N)', [25 / 46, 21 / 46]);
defineCosineWindow('blackman_window', 'Blackman window: 0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N)', [0.42, 0.5, 0.08]);

const hzToMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number) => 700 * (10 ** (mel / 2595) - 1);

defineOp({
  name: 'mel_weight_matrix',
  summary: 'triangular mel filter bank: [dft_length / 2 + 1, num_mel_bins] weights mapping a one-sided spectrum to mel bins',
  inputs: [],
  outputs: 1,
  attrs: {
    num_mel_bins: { kind: 'int' },
    dft_length: { kind: 'int' },
    sample_rate: { kind: 'int' },
    lower_edge_hertz: { kind: 'float' },
    upper_edge_hertz: { kind: 'float' },
    output_datatype: { kind: 'dtype', default: 'f32' },
  },
  infer({ attrs }) {
    const bins = attrs.num_mel_bins as number, dft = attrs.dft_length as number;
    checkSize('mel_weight_matrix', bins);
    checkSize('mel_weight_matrix', dft);
    if (!((attrs.sample_rate as number) > 0)) throw new OpError(`mel_weight_matrix: sample_rate ${String(attrs.sample_rate)} must be positive`);
    checkOutputDType('mel_weight_matrix', attrs.output_datatype as DType);
    return [tensorType(attrs.output_datatype as DType, [Math.floor(dft / 2) + 1, bins])];
  },
  eval({ attrs }) {
    const bins = attrs.num_mel_bins as number, dft = attrs.dft_length as number, rate = attrs.sample_rate as number;
    const rows = Math.floor(dft / 2) + 1;
    const low = hzToMel(attrs.lower_edge_hertz as number), high = hzToMel(attrs.upper_edge_hertz as number);
    // bins + 2 points spaced evenly on the mel scale (ONNX divides the span by bins + 2), as spectrum bins
    const step = (high - low) / (bins + 2);
    const edges = Array.from({ length: bins + 2 }, (_, i) => Math.floor(((dft + 1) * melToHz(low + i * step)) / rate));
    const out = new Float64Array(rows * bins);
    const set = (row: number, col: number, v: number) => {
      if (row < 0 || row >= rows) throw new OpError(`mel_weight_matrix: mel bin ${col} reaches spectrum bin ${row}, beyond the ${rows} bins of dft_length ${dft}`);
      out[row * bins + col] = v;
    };
    for (let m = 0; m < bins; m++) {
      const [left, center, right] = [edges[m], edges[m + 1], edges[m + 2]];
      if (center === left) set(center, m, 1);
      else for (let j = left; j <= center; j++) set(j, m, (j - left) / (center - left));
      for (let j = center; j < right; j++) set(j, m, (right - j) / (right - center));
    }
    return [tensorOf(attrs.output_datatype as DType, [rows, bins], out)];
  },
  cost: moveCost,
});
