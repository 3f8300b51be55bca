// Sliding-window geometry shared by conv, conv_transpose and the pooling ops: reading the
// kernel/stride/dilation/pad attributes, output sizes (symbolic or static) and the padding
// that auto_pad implies once shapes are concrete.
import { Dim, dimAdd, dimCeilDiv, dimFloorDiv, dimSub, isStatic, unknownDim } from '../dim.js';
import { Attrs } from '../graph.js';
import { OpError } from '../registry.js';

export const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const;
export type AutoPad = (typeof AUTO_PADS)[number];

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** explicit pads as [begin..., end...]; all zero when absent */
  pads: number[];
  autoPad: AutoPad;
  ceilMode: boolean;
}

function intList(op: string, attrs: Attrs, name: string, n: number, fill: number, min: number): number[] {
  const v = attrs[name] as readonly number[] | undefined;
  if (v === undefined) return new Array<number>(n).fill(fill);
  if (v.length !== n) throw new OpError(`${op}: ${name} has ${v.length} values, the input has ${n} spatial dims${name === 'pads' ? ' (pads needs begin and end values)' : ''}`);
  for (const x of v) if (!Number.isInteger(x) || x < min) throw new OpError(`${op}: ${name} [${v.join(', ')}] must be integers >= ${min}`);
  return [...v];
}

/**
 * Read window attributes for `nSpatial` spatial dims. `weightKernel` is the kernel taken from the
 * weight shape (conv); pooling passes null and requires kernel_shape.
 */
export function readWindow(op: string, attrs: Attrs, nSpatial: number, weightKernel: readonly Dim[] | null): Window {
  const autoPad = (attrs.auto_pad ?? 'NOTSET') as AutoPad;
  if (!AUTO_PADS.includes(autoPad)) throw new OpError(`${op}: auto_pad '${autoPad}' is not one of ${AUTO_PADS.join(', ')}`);
  let kernel: number[];
  if (attrs.kernel_shape !== undefined) {
    kernel = intList(op, attrs, 'kernel_shape', nSpatial, 1, 1);
    if (weightKernel)
      weightKernel.forEach((d, i) => {
        if (isStatic(d) && d !== kernel[i])
          throw new OpError(`${op}: kernel_shape [${kernel.join(', ')}] disagrees with the weight's spatial dims [${weightKernel.join(', ')}]`);
      });
  } else if (weightKernel) {
    if (!weightKernel.every(isStatic)) throw new OpError(`${op}: the weight's spatial dims must be static numbers`);
    kernel = weightKernel as number[];
  } else throw new OpError(`${op} needs attribute 'kernel_shape'`);
  if (attrs.pads !== undefined && autoPad !== 'NOTSET' && (attrs.pads as number[]).some((p) => p !== 0))
    throw new OpError(`${op}: pads and auto_pad ${autoPad} cannot both be given`);
  return {
    kernel,
    strides: intList(op, attrs, 'strides', nSpatial, 1, 1),
    dilations: intList(op, attrs, 'dilations', nSpatial, 1, 1),
    pads: intList(op, attrs, 'pads', 2 * nSpatial, 0, 0),
    autoPad,
    ceilMode: attrs.ceil_mode === true,
  };
}

export function effectiveKernel(w: Window, i: number): number {
  return (w.kernel[i] - 1) * w.dilations[i] + 1;
}

/** Output size of spatial dim i of a strided window (conv and pooling). */
export function windowOutDim(op: string, input: Dim, w: Window, i: number): Dim {
  const s = w.strides[i];
  const ek = effectiveKernel(w, i);
  let out: Dim;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') out = dimCeilDiv(input, s);
  else {
    const padded = w.autoPad === 'VALID' ? input : dimAdd(input, w.pads[i] + w.pads[i + w.kernel.length]);
    const span = dimSub(padded, ek);
    if (!w.ceilMode || w.autoPad === 'VALID') out = dimAdd(dimFloorDiv(span, s), 1);
    else if (isStatic(span)) {
      out = Math.ceil(span / s) + 1;
      // a last window that would start inside the end padding is dropped (PyTorch and ONNX Runtime agree)
      if ((out - 1) * s >= (input as number) + w.pads[i]) out--;
    } else out = ek - w.pads[i + w.kernel.length] >= s ? dimAdd(dimCeilDiv(span, s), 1) : unknownDim();
  }
  if (isStatic(out) && out < 1)
    throw new OpError(`${op}: window of ${ek} (kernel ${w.kernel[i]}, dilation ${w.dilations[i]}) does not fit spatial dim ${i} of size ${String(input)} with the given padding`);
  return out;
}

/** Begin/end pads per spatial dim for concrete sizes, resolving auto_pad. */
export function resolvePads(w: Window, input: readonly number[], output: readonly number[]): { begin: number[]; end: number[] } {
  const n = w.kernel.length;
  if (w.autoPad === 'NOTSET') return { begin: w.pads.slice(0, n), end: w.pads.slice(n) };
  if (w.autoPad === 'VALID') return { begin: new Array<number>(n).fill(0), end: new Array<number>(n).fill(0) };
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < n; i++) {
    const total = Math.max(0, (output[i] - 1) * w.strides[i] + effectiveKernel(w, i) - input[i]);
    const small = Math.floor(total / 2);
    begin.push(w.autoPad === 'SAME_UPPER' ? small : total - small);
    end.push(total - begin[i]);
  }
  return { begin, end };
}

/**
 * Geometry normalised to three spatial dims (leading dims of size 1), so one kernel serves 1-d,
 * 2-d and 3-d windows.
 */
export interface Geometry3 {
  inD: number; inH: number; inW: number;
  outD: number; outH: number; outW: number;
  kD: number; kH: number; kW: number;
  sD: number; sH: number; sW: number;
  dD: number; dH: number; dW: number;
  pD: number; pH: number; pW: number;
  /** end pads, used by pooling to bound the padded region */
  eD: number; eH: number; eW: number;
}

export function geometry3(w: Window, input: readonly number[], output: readonly number[], pads: { begin: number[]; end: number[] }): Geometry3 {
  const n = input.length;
  if (n > 3) throw new OpError(`windows over ${n} spatial dims are not supported (at most 3)`);
  const lead = 3 - n;
  const at = (xs: readonly number[], i: number, fill: number) => (i < lead ? fill : xs[i - lead]);
  return {
    inD: at(input, 0, 1), inH: at(input, 1, 1), inW: at(input, 2, 1),
    outD: at(output, 0, 1), outH: at(output, 1, 1), outW: at(output, 2, 1),
    kD: at(w.kernel, 0, 1), kH: at(w.kernel, 1, 1), kW: at(w.kernel, 2, 1),
    sD: at(w.strides, 0, 1), sH: at(w.strides, 1, 1), sW: at(w.strides, 2, 1),
    dD: at(w.dilations, 0, 1), dH: at(w.dilations, 1, 1), dW: at(w.dilations, 2, 1),
    pD: at(pads.begin, 0, 0), pH: at(pads.begin, 1, 0), pW: at(pads.begin, 2, 0),
    eD: at(pads.end, 0, 0), eH: at(pads.end, 1, 0), eW: at(pads.end, 2, 0),
  };
}
