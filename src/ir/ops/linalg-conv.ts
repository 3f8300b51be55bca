// conv and conv_transpose over 1, 2 or 3 spatial dims (ONNX semantics).
import { Dim, dimAdd, dimEq, dimMul, dimSub, dimToString, isStatic, isUnknown } from '../dim.js';
import { DType } from '../dtype.js';
import { Attrs, TensorType, tensorType, typeToString } from '../graph.js';
import { defineOp, OpError, AttrSpec } from '../registry.js';
import { Tensor, readNumbers, sizeOf } from '../tensor.js';
import { bytesOf, expectInputs, numel, sameDType } from './util.js';
import { Geometry3, Window, effectiveKernel, geometry3, readWindow, resolvePads, windowOutDim } from './linalg-window.js';
import { convDirectSingleChannel, gemmPacked, im2colPacked, packA, packB } from './linalg-kernels.js';
import { checkDType, resultBuffer } from './linalg-matmul.js';

const FLOAT_DTYPES: readonly DType[] = ['f32', 'f16', 'bf16', 'f64'];

const WINDOW_ATTRS: Record<string, AttrSpec> = {
  auto_pad: { kind: 'string', default: 'NOTSET', doc: 'NOTSET, SAME_UPPER, SAME_LOWER or VALID' },
  dilations: { kind: 'ints', optional: true },
  group: { kind: 'int', default: 1 },
  kernel_shape: { kind: 'ints', optional: true, doc: 'defaults to the weight spatial dims' },
  pads: { kind: 'ints', optional: true, doc: '[x1_begin, x2_begin, ..., x1_end, x2_end, ...]' },
  strides: { kind: 'ints', optional: true },
};

interface ConvOperands { x: TensorType; w: TensorType; b: TensorType | null; group: number; nSpatial: number }

function checkOperands(op: string, inputs: (TensorType | null)[], attrs: Attrs): ConvOperands {
  const [x, w] = expectInputs(op, inputs, 2);
  const b = inputs[2] ?? null;
  sameDType(op, [x, w, b]);
  checkDType(op, x, FLOAT_DTYPES);
  if (x.shape.length < 3 || x.shape.length > 5) throw new OpError(`${op} needs an input of rank 3 to 5 ([N, C, spatial...]), got ${typeToString(x)}`);
  if (w.shape.length !== x.shape.length) throw new OpError(`${op}: weight ${typeToString(w)} must have the rank of the input ${typeToString(x)}`);
  const group = attrs.group as number;
  if (!Number.isInteger(group) || group < 1) throw new OpError(`${op}: group must be a positive integer, got ${group}`);
  return { x, w, b, group, nSpatial: x.shape.length - 2 };
}

function checkBias(op: string, b: TensorType | null, channels: Dim): void {
  if (b && (b.shape.length !== 1 || !(dimEq(b.shape[0], channels) || isUnknown(b.shape[0]) || isUnknown(channels))))
    throw new OpError(`${op}: bias ${typeToString(b)} must have shape [${dimToString(channels)}]`);
}

defineOp({
  name: 'conv',
  traits: { contraction: true },
  summary: 'N-d convolution (cross-correlation) with groups, strides, dilations and padding.',
  inputs: ['X', 'W', 'B'],
  optional: ['B'],
  outputs: 1,
  attrs: WINDOW_ATTRS,
  infer({ inputs, attrs }) {
    const { x, w, b, group, nSpatial } = checkOperands('conv', inputs, attrs);
    const c = x.shape[1];
    const wc = dimMul(w.shape[1], group);
    if (!dimEq(c, wc) && !isUnknown(c) && !isUnknown(w.shape[1]))
      throw new OpError(`conv: input ${typeToString(x)} has ${dimToString(c)} channels but weight ${typeToString(w)} with group ${group} expects ${dimToString(wc)}`);
    const m = w.shape[0];
    if (isStatic(m) && m % group !== 0) throw new OpError(`conv: weight ${typeToString(w)} has ${m} output channels, not divisible by group ${group}`);
    checkBias('conv', b, m);
    const win = readWindow('conv', attrs, nSpatial, w.shape.slice(2));
    const spatial = x.shape.slice(2).map((d, i) => windowOutDim('conv', d, win, i));
    return [tensorType(x.dtype, [x.shape[0], m, ...spatial])];
  },
  eval({ inputs, attrs, outTypes }) {
    const [xt, wt, bt] = inputs as [Tensor, Tensor, Tensor | null];
    const nSpatial = xt.rank - 2;
    const win = readWindow('conv', attrs, nSpatial, wt.shape.slice(2));
    const group = attrs.group as number;
    const [Nb, C] = xt.shape;
    const M = wt.shape[0];
    if (wt.shape[1] * group !== C) throw new OpError(`conv: input [${xt.shape.join(', ')}] has ${C} channels but weight [${wt.shape.join(', ')}] with group ${group} expects ${wt.shape[1] * group}`);
    const inSp = xt.shape.slice(2);
    const outSp = inSp.map((d, i) => windowOutDim('conv', d, win, i) as number);
    const geo = geometry3(win, inSp, outSp, resolvePads(win, inSp, outSp));
    const shape = [Nb, M, ...outSp];
    const out = resultBuffer(outTypes[0].dtype, shape);
    const x = readNumbers(xt);
    const w = readNumbers(wt);
    const bias = bt ? readNumbers(bt) : null;
    const Cg = C / group;
    const Mg = M / group;
    if (Cg === 1) {
      convDirectSingleChannel(x, w, bias, Nb, C, M, geo, out.buf);
      return [out.finish()];
    }
    const K = Cg * geo.kD * geo.kH * geo.kW;
    const inSize = sizeOf(inSp);
    const outSize = sizeOf(outSp);
    const pointwise = K === Cg && geo.sD * geo.sH * geo.sW === 1 && inSize === outSize;
    const packedW = Array.from({ length: group }, (_, g) => packA(w, g * Mg * K, Mg, K, K, 1));
    for (let n = 0; n < Nb; n++)
      for (let g = 0; g < group; g++) {
        const xOff = (n * C + g * Cg) * inSize;
        const cols = pointwise ? packB(x, xOff, Cg, inSize, inSize, 1) : im2colPacked(x, xOff, Cg, geo);
        gemmPacked(packedW[g], cols, Mg, outSize, K, out.buf, (n * M + g * Mg) * outSize, bias, g * Mg);
      }
    return [out.finish()];
  },
  cost({ inputs, outputs, env }) {
    const w = inputs[1]!;
    const macsPerOut = numel(tensorType(w.dtype, w.shape.slice(1)), env);
    const outs = numel(outputs[0], env);
    let bytes = bytesOf(outputs[0], env);
    for (const t of inputs) bytes += bytesOf(t, env);
    return { flops: 2 * outs * macsPerOut + (inputs[2] ? outs : 0), bytes };
  },
});

function transposeWindow(attrs: Attrs, nSpatial: number, wKernel: readonly Dim[]): { win: Window; outputPadding: number[]; outputShape: number[] | null } {
  const win = readWindow('conv_transpose', attrs, nSpatial, wKernel);
  const op = (attrs.output_padding as readonly number[] | undefined) ?? new Array<number>(nSpatial).fill(0);
  if (op.length !== nSpatial || op.some((v) => !Number.isInteger(v) || v < 0))
    throw new OpError(`conv_transpose: output_padding [${op.join(', ')}] must hold ${nSpatial} integers >= 0`);
  let os = attrs.output_shape as readonly number[] | undefined;
  // some exporters write the full [N, C, spatial...] shape
  if (os && os.length === nSpatial + 2) os = os.slice(2);
  if (os && os.length !== nSpatial) throw new OpError(`conv_transpose: output_shape [${os.join(', ')}] must hold ${nSpatial} spatial sizes`);
  return { win, outputPadding: [...op], outputShape: os ? [...os] : null };
}

/** Output size and begin/end pads of spatial dim i (ONNX ConvTranspose rules). */
function transposeDim(input: Dim, i: number, win: Window, outputPadding: number[], outputShape: number[] | null): { out: Dim; begin: Dim; end: Dim } {
  const n = win.kernel.length;
  const full = dimAdd(dimMul(win.strides[i], dimSub(input, 1)), outputPadding[i] + effectiveKernel(win, i));
  let target: Dim | null = outputShape ? outputShape[i] : null;
  if (target === null && (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER')) target = dimMul(input, win.strides[i]);
  if (target === null) {
    const [b, e] = win.autoPad === 'VALID' ? [0, 0] : [win.pads[i], win.pads[i + n]];
    return { out: dimSub(full, b + e), begin: b, end: e };
  }
  const total = dimSub(full, target);
  if (!isStatic(total)) return { out: target, begin: 0, end: 0 };
  // a requested size beyond what the kernel reaches leaves zeros (plus bias) at the end, as in ONNX Runtime
  const pads = Math.max(0, total);
  const half = Math.floor(pads / 2);
  const begin = win.autoPad === 'SAME_UPPER' ? half : pads - half;
  return { out: target, begin, end: pads - begin };
}

/** The geometry of a conv_transpose over static spatial sizes: output position = input * stride - pad + tap * dilation. */
export function convTransposeGeometry(attrs: Attrs, inSp: readonly number[], wKernel: readonly Dim[]): Geometry3 {
  const { win, outputPadding, outputShape } = transposeWindow(attrs, inSp.length, wKernel);
  const dims = inSp.map((d, i) => transposeDim(d, i, win, outputPadding, outputShape));
  return geometry3(win, inSp, dims.map((d) => d.out as number), { begin: dims.map((d) => d.begin as number), end: dims.map((d) => d.end as number) });
}

defineOp({
  name: 'conv_transpose',
  traits: { contraction: true },
  summary: 'N-d transposed convolution (gradient of conv with respect to its input).',
  inputs: ['X', 'W', 'B'],
  optional: ['B'],
  outputs: 1,
  attrs: {
    ...WINDOW_ATTRS,
    output_padding: { kind: 'ints', optional: true },
    output_shape: { kind: 'ints', optional: true, doc: 'spatial output sizes; pads are then derived' },
  },
  infer({ inputs, attrs }) {
    const { x, w, b, group, nSpatial } = checkOperands('conv_transpose', inputs, attrs);
    if (!dimEq(x.shape[1], w.shape[0]) && !isUnknown(x.shape[1]) && !isUnknown(w.shape[0]))
      throw new OpError(`conv_transpose: input ${typeToString(x)} has ${dimToString(x.shape[1])} channels but weight ${typeToString(w)} expects ${dimToString(w.shape[0])}`);
    if (isStatic(w.shape[0]) && w.shape[0] % group !== 0) throw new OpError(`conv_transpose: weight ${typeToString(w)} has ${w.shape[0]} input channels, not divisible by group ${group}`);
    const m = dimMul(w.shape[1], group);
    checkBias('conv_transpose', b, m);
    const { win, outputPadding, outputShape } = transposeWindow(attrs, nSpatial, w.shape.slice(2));
    const spatial = x.shape.slice(2).map((d, i) => {
      const { out } = transposeDim(d, i, win, outputPadding, outputShape);
      if (isStatic(out) && out < 1) throw new OpError(`conv_transpose: spatial dim ${i} of the output would be ${out}`);
      return out;
    });
    return [tensorType(x.dtype, [x.shape[0], m, ...spatial])];
  },
  eval({ inputs, attrs, outTypes }) {
    const [xt, wt, bt] = inputs as [Tensor, Tensor, Tensor | null];
    const nSpatial = xt.rank - 2;
    const group = attrs.group as number;
    const [Nb, C] = xt.shape;
    if (wt.shape[0] !== C) throw new OpError(`conv_transpose: input [${xt.shape.join(', ')}] has ${C} channels but weight [${wt.shape.join(', ')}] expects ${wt.shape[0]}`);
    const Cg = C / group;
    const Mg = wt.shape[1];
    const M = Mg * group;
    const inSp = xt.shape.slice(2);
    const geo = convTransposeGeometry(attrs, inSp, wt.shape.slice(2));
    const outSp = [geo.outD, geo.outH, geo.outW].slice(3 - nSpatial);
    const x = readNumbers(xt);
    const w = readNumbers(wt);
    const bias = bt ? readNumbers(bt) : null;
    const kSize = geo.kD * geo.kH * geo.kW;
    const R = Mg * kSize;
    const inSize = sizeOf(inSp);
    const outSize = sizeOf(outSp);
    const acc = new Float64Array(Nb * M * outSize);
    const cols = new Float64Array(R * inSize);
    for (let g = 0; g < group; g++) {
      // column matrix [Mg * kSize, inSize] = W_gᵀ x X_g, then scattered (col2im) into the output
      const wg = packA(w, g * Cg * R, R, Cg, 1, R);
      for (let n = 0; n < Nb; n++) {
        gemmPacked(wg, packB(x, (n * C + g * Cg) * inSize, Cg, inSize, inSize, 1), R, inSize, Cg, cols, 0, null, 0);
        col2im(cols, Mg, geo, acc, (n * M + g * Mg) * outSize);
      }
    }
    if (bias)
      for (let nm = 0; nm < Nb * M; nm++) {
        const bv = bias[nm % M];
        for (let p = nm * outSize, e = p + outSize; p < e; p++) acc[p] += bv;
      }
    const out = resultBuffer(outTypes[0].dtype, [Nb, M, ...outSp]);
    out.buf.set(acc);
    return [out.finish()];
  },
  cost({ inputs, outputs, env }) {
    const [x, w] = inputs as [TensorType, TensorType];
    const macs = numel(x, env) * numel(tensorType(w.dtype, w.shape.slice(1)), env);
    let bytes = bytesOf(outputs[0], env);
    for (const t of inputs) bytes += bytesOf(t, env);
    return { flops: 2 * macs + (inputs[2] ? numel(outputs[0], env) : 0), bytes };
  },
});

/** Scatter-add columns [(m, kz, ky, kx), input position] into out[outOff + m*outSize + output position]. */
function col2im(cols: Float64Array, Mg: number, g: Geometry3, out: Float64Array, outOff: number): void {
  const { inD, inH, inW, outD, outH, outW, kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW } = g;
  const inSize = inD * inH * inW;
  const outSize = outD * outH * outW;
  let r = 0;
  for (let m = 0; m < Mg; m++) {
    const om = outOff + m * outSize;
    for (let kz = 0; kz < kD; kz++)
      for (let ky = 0; ky < kH; ky++)
        for (let kx = 0; kx < kW; kx++, r++) {
          const cr = r * inSize;
          for (let iz = 0; iz < inD; iz++) {
            const oz = iz * sD - pD + kz * dD;
            if (oz < 0 || oz >= outD) continue;
            for (let iy = 0; iy < inH; iy++) {
              const oy = iy * sH - pH + ky * dH;
              if (oy < 0 || oy >= outH) continue;
              const orow = om + (oz * outH + oy) * outW;
              const crow = cr + (iz * inH + iy) * inW;
              for (let ix = 0, ox = kx * dW - pW; ix < inW; ix++, ox += sW)
                if (ox >= 0 && ox < outW) out[orow + ox] += cols[crow + ix];
            }
          }
        }
  }
}
