// Fourier transforms with ONNX semantics: dft along one axis and stft over frames of a signal. Complex
// values are a trailing dim of 2 (real, imaginary); real input has a trailing dim of 1. Transforms are
// computed directly in doubles from a table of twiddle factors.
import { defineOp, OpError, Cost } from '../registry.js';
import { TensorType, tensorType, typeToString } from '../graph.js';
import { Dim, dimAdd, dimFloorDiv, dimSub, evalDim, isStatic } from '../dim.js';
import { sizeOf } from '../tensor.js';
import { expectInputs, normAxis, defaultCost, numel } from './util.js';
import { requireFloat, readF64, tensorOf } from './reduce.js';

/** The transform of length n: cos and sin of 2πm/n for m in [0, n), indexed by (j·k) mod n. */
class Twiddles {
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  constructor(readonly n: number) {
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    for (let m = 0; m < n; m++) {
      this.cos[m] = Math.cos((2 * Math.PI * m) / n);
      this.sin[m] = Math.sin((2 * Math.PI * m) / n);
    }
  }

  /**
   * Bins [0, bins) of the transform of (re, im) (length n, zero where absent): forward uses e^{-2πijk/n};
   * inverse uses e^{+2πijk/n} and divides by n.
   */
  transform(re: Float64Array, im: Float64Array, inverse: boolean, bins: number, outRe: Float64Array, outIm: Float64Array): void {
    const n = this.n, sign = inverse ? 1 : -1, scale = inverse ? 1 / n : 1;
    for (let k = 0; k < bins; k++) {
      let sr = 0, si = 0, m = 0;
      for (let j = 0; j < n; j++) {
        const c = this.cos[m], s = sign * this.sin[m];
        sr += re[j] * c - im[j] * s;
        si += re[j] * s + im[j] * c;
        m += k;
        if (m >= n) m -= n;
      }
      outRe[k] = sr * scale;
      outIm[k] = si * scale;
    }
  }
}

function complexDim(op: string, t: TensorType): 1 | 2 {
  const last = t.shape[t.shape.length - 1];
  if (last !== 1 && last !== 2) throw new OpError(`${op} needs a last dim of 1 (real) or 2 (complex), got ${typeToString(t)}`);
  return last;
}

/** Bins a transform of length n keeps: all of them, or the non-redundant half of a real signal's. */
function binsOf(n: Dim, onesided: boolean): Dim {
  return onesided ? dimAdd(dimFloorDiv(n, 2), 1) : n;
}

defineOp({
  name: 'dft',
  summary:
    'discrete Fourier transform along axis of real [..., 1] or complex [..., 2] input, zero-padded or truncated to ' +
    'dft_length; onesided keeps bins 0..n/2; inverse transforms back and divides by n; complex [..., 2] output',
  inputs: ['input'],
  outputs: 1,
  attrs: {
    axis: { kind: 'int', default: -2, doc: 'the signal axis; not the last (real/imaginary) dim' },
    dft_length: { kind: 'int', optional: true, doc: "transform length; defaults to the axis's size" },
    inverse: { kind: 'bool', default: false },
    onesided: { kind: 'bool', default: false },
  },
  infer({ inputs, attrs }) {
    const [x] = expectInputs('dft', inputs, 1);
    requireFloat('dft', x);
    complexDim('dft', x);
    const rank = x.shape.length;
    const axis = normAxis(attrs.axis as number, rank, 'dft axis');
    if (axis === rank - 1) throw new OpError(`dft axis ${attrs.axis as number} is the real/imaginary dim of ${typeToString(x)}`);
    const length = attrs.dft_length as number | undefined;
    if (length !== undefined && (!Number.isInteger(length) || length < 1)) throw new OpError(`dft dft_length must be positive, got ${length}`);
    const shape = x.shape.slice();
    shape[axis] = binsOf(length ?? x.shape[axis], attrs.onesided as boolean);
    shape[rank - 1] = 2;
    return [tensorType(x.dtype, shape)];
  },
  eval({ inputs, attrs }) {
    const xT = inputs[0]!;
    const x = readF64(xT);
    const rank = xT.rank;
    const axis = normAxis(attrs.axis as number, rank, 'dft axis');
    const parts = xT.shape[rank - 1];
    const n = xT.shape[axis];
    const length = (attrs.dft_length as number | undefined) ?? n;
    const bins = binsOf(length, attrs.onesided as boolean) as number;
    const outer = sizeOf(xT.shape.slice(0, axis)), inner = sizeOf(xT.shape.slice(axis + 1, rank - 1));
    const tw = new Twiddles(length);
    const re = new Float64Array(length), im = new Float64Array(length);
    const outRe = new Float64Array(bins), outIm = new Float64Array(bins);
    const out = new Float64Array(outer * bins * inner * 2);
    const inverse = attrs.inverse as boolean;
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        re.fill(0);
        im.fill(0);
        for (let j = 0; j < Math.min(n, length); j++) {
          const at = ((o * n + j) * inner + i) * parts;
          re[j] = x[at];
          if (parts === 2) im[j] = x[at + 1];
        }
        tw.transform(re, im, inverse, bins, outRe, outIm);
        for (let k = 0; k < bins; k++) {
          const at = ((o * bins + k) * inner + i) * 2;
          out[at] = outRe[k];
          out[at + 1] = outIm[k];
        }
      }
    const shape = xT.shape.slice();
    shape[axis] = bins;
    shape[rank - 1] = 2;
    return [tensorOf(xT.dtype, shape, out)];
  },
  cost({ inputs, outputs, attrs, env }): Cost {
    const x = inputs[0]!;
    const axis = normAxis(attrs.axis as number, x.shape.length);
    const length = (attrs.dft_length as number | undefined) ?? evalDim(x.shape[axis], env);
    return { flops: 4 * numel(outputs[0], env) * length, bytes: defaultCost(inputs, outputs, env).bytes };
  },
});

defineOp({
  name: 'stft',
  summary:
    'short-time Fourier transform of signal [batch, length, 1 | 2]: frames of frame_length every frame_step samples, ' +
    'multiplied by window, each transformed: complex [batch, frames, bins, 2]',
  inputs: ['signal', 'window'],
  optional: ['window'],
  outputs: 1,
  attrs: {
    frame_step: { kind: 'int' },
    frame_length: { kind: 'int', optional: true, doc: "defaults to the window's length" },
    onesided: { kind: 'bool', default: true, doc: 'keep bins 0..frame_length/2 only (real signals)' },
  },
  infer({ inputs, attrs }) {
    const [signal] = expectInputs('stft', inputs, 1);
    requireFloat('stft', signal);
    if (signal.shape.length !== 3) throw new OpError(`stft needs signal [batch, length, 1 | 2], got ${typeToString(signal)}`);
    complexDim('stft', signal);
    const window = inputs[1];
    if (window && (window.shape.length !== 1 || !isStatic(window.shape[0])))
      throw new OpError(`stft needs a 1-D window of static length, got ${typeToString(window)}`);
    const frameLength = (attrs.frame_length as number | undefined) ?? (window?.shape[0] as number | undefined);
    if (frameLength === undefined) throw new OpError('stft needs frame_length or a window');
    if (window && window.shape[0] !== frameLength) throw new OpError(`stft window ${typeToString(window)} does not have frame_length ${frameLength}`);
    const step = attrs.frame_step as number;
    if (!Number.isInteger(step) || step < 1) throw new OpError(`stft frame_step must be positive, got ${step}`);
    const frames = dimAdd(dimFloorDiv(dimSub(signal.shape[1], frameLength), step), 1);
    if (isStatic(frames) && frames < 1) throw new OpError(`stft signal ${typeToString(signal)} is shorter than a frame (${frameLength})`);
    return [tensorType(signal.dtype, [signal.shape[0], frames, binsOf(frameLength, attrs.onesided as boolean), 2])];
  },
  eval({ inputs, attrs }) {
    const [sT, wT] = inputs;
    const [batch, length, parts] = sT!.shape;
    const s = readF64(sT!);
    const win = wT ? readF64(wT) : null;
    const frameLength = (attrs.frame_length as number | undefined) ?? wT!.shape[0];
    const step = attrs.frame_step as number;
    const frames = Math.floor((length - frameLength) / step) + 1;
    const bins = binsOf(frameLength, attrs.onesided as boolean) as number;
    const tw = new Twiddles(frameLength);
    const re = new Float64Array(frameLength), im = new Float64Array(frameLength);
    const outRe = new Float64Array(bins), outIm = new Float64Array(bins);
    const out = new Float64Array(batch * frames * bins * 2);
    for (let b = 0; b < batch; b++)
      for (let f = 0; f < frames; f++) {
        for (let j = 0; j < frameLength; j++) {
          const at = (b * length + f * step + j) * parts;
          const w = win ? win[j] : 1;
          re[j] = s[at] * w;
          im[j] = parts === 2 ? s[at + 1] * w : 0;
        }
        tw.transform(re, im, false, bins, outRe, outIm);
        for (let k = 0; k < bins; k++) {
          const at = ((b * frames + f) * bins + k) * 2;
          out[at] = outRe[k];
          out[at + 1] = outIm[k];
        }
      }
    return [tensorOf(sT!.dtype, [batch, frames, bins, 2], out)];
  },
  cost({ inputs, outputs, attrs, env }): Cost {
    const frameLength = (attrs.frame_length as number | undefined) ?? evalDim(inputs[1]!.shape[0], env);
    return { flops: 4 * numel(outputs[0], env) * frameLength, bytes: defaultCost(inputs, outputs, env).bytes };
  },
});
