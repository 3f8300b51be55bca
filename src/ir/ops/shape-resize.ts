// resize (ONNX Resize, opset 19 without antialias): nearest, linear and cubic, applied one axis at a
// time (N-d linear is separable). Nearest copies storage elements, so every dtype stays exact.
import { Dim, dimFloorDiv, dimMul, dimToString, isStatic } from '../dim.js';
import { Attrs, TensorType, tensorType, typeToString } from '../graph.js';
import { defineOp, OpError } from '../registry.js';
import { Tensor, readNumbers, sizeOf } from '../tensor.js';
import { expectInputs, normAxis } from './util.js';
import { gatherByAxisMaps, storageValue } from './shape-common.js';

const MODES = ['nearest', 'linear', 'cubic'];
const COORD_MODES = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize', 'tf_half_pixel_for_nn'];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const ASPECT_POLICIES = ['stretch', 'not_larger', 'not_smaller'];

function checkChoice(name: string, v: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(v as string)) throw new OpError(`resize ${name} '${String(v)}' is not one of ${allowed.join(', ')}`);
}

/** Normalized axes that scales/sizes refer to. */
function resizeAxes(attrs: Attrs, rank: number): number[] {
  const axes = (attrs.axes as number[] | undefined)?.map((a) => normAxis(a, rank, 'resize axis')) ?? Array.from({ length: rank }, (_, i) => i);
  if (new Set(axes).size !== axes.length) throw new OpError(`resize axes [${(attrs.axes as number[]).join(', ')}] repeat an axis`);
  return axes;
}

function checkAttrs(attrs: Attrs, rank: number): number[] {
  checkChoice('mode', attrs.mode, MODES);
  checkChoice('coordinate_transformation_mode', attrs.coordinate_transformation_mode, COORD_MODES);
  checkChoice('nearest_mode', attrs.nearest_mode, NEAREST_MODES);
  checkChoice('keep_aspect_ratio_policy', attrs.keep_aspect_ratio_policy, ASPECT_POLICIES);
  const axes = resizeAxes(attrs, rank);
  const given = (attrs.scales !== undefined ? 1 : 0) + (attrs.sizes !== undefined ? 1 : 0);
  if (given !== 1) throw new OpError('resize needs exactly one of scales and sizes');
  const list = (attrs.scales ?? attrs.sizes) as readonly unknown[];
  if (list.length !== axes.length) throw new OpError(`resize has ${list.length} ${attrs.scales ? 'scales' : 'sizes'} for ${axes.length} axes`);
  if (attrs.scales && (attrs.scales as number[]).some((s) => !(s > 0))) throw new OpError(`resize scales [${(attrs.scales as number[]).join(', ')}] must be positive`);
  return axes;
}

/** Per-axis scale (as used by the coordinate transform) and output size, for static input dims. */
function staticPlan(attrs: Attrs, shape: readonly number[], axes: readonly number[]): { scales: number[]; sizes: number[] } {
  const scales = shape.map(() => 1), sizes = [...shape];
  if (attrs.scales) {
    (attrs.scales as number[]).forEach((s, i) => { scales[axes[i]] = s; sizes[axes[i]] = Math.floor(shape[axes[i]] * s); });
    return { scales, sizes };
  }
  const wanted = attrs.sizes as number[];
  const policy = attrs.keep_aspect_ratio_policy as string;
  if (policy === 'stretch') {
    wanted.forEach((n, i) => { sizes[axes[i]] = n; scales[axes[i]] = n / shape[axes[i]]; });
    return { scales, sizes };
  }
  const ratios = wanted.map((n, i) => n / shape[axes[i]]);
  const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  for (const a of axes) { scales[a] = s; sizes[a] = Math.round(s * shape[a]); }
  return { scales, sizes };
}

function outputShape(x: TensorType, attrs: Attrs): Dim[] {
  const axes = checkAttrs(attrs, x.shape.length);
  if (x.shape.every(isStatic) && (attrs.scales !== undefined || (attrs.sizes as Dim[]).every(isStatic)))
    return staticPlan(attrs, x.shape as number[], axes).sizes;
  const shape = [...x.shape];
  if (attrs.sizes) {
    if (attrs.keep_aspect_ratio_policy !== 'stretch') throw new OpError(`resize keep_aspect_ratio_policy '${attrs.keep_aspect_ratio_policy}' needs static dims, got ${typeToString(x)}`);
    (attrs.sizes as Dim[]).forEach((d, i) => { shape[axes[i]] = d; });
    return shape;
  }
  (attrs.scales as number[]).forEach((s, i) => {
    const d = x.shape[axes[i]];
    if (isStatic(d)) shape[axes[i]] = Math.floor(d * s);
    else if (Number.isInteger(s)) shape[axes[i]] = dimMul(d, s);
    else if (Number.isInteger(1 / s)) shape[axes[i]] = dimFloorDiv(d, 1 / s);
    else throw new OpError(`resize scale ${s} of symbolic dim ${dimToString(d)} needs an integer scale or its reciprocal`);
  });
  return shape;
}

/** Input coordinate of output coordinate x along one axis (ONNX coordinate_transformation_mode). */
function sourceCoord(mode: string, x: number, scale: number, inLen: number, outLen: number, roiStart: number, roiEnd: number): number {
  switch (mode) {
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      const adjustment = outLen / (scale * inLen);
      const offset = (inLen / 2) * (1 - adjustment);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel': return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0;
    case 'align_corners': {
      // ONNX aligns the corners of the scaled length, before it is floored to whole elements
      const resized = scale * inLen;
      return resized === 1 ? 0 : (x * (inLen - 1)) / (resized - 1);
    }
    case 'asymmetric': return x / scale;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
    default: // tf_crop_and_resize
      return outLen > 1
        ? roiStart * (inLen - 1) + (x * (roiEnd - roiStart) * (inLen - 1)) / (outLen - 1)
        : 0.5 * (roiStart + roiEnd) * (inLen - 1);
  }
}

function roundNearest(mode: string, x: number): number {
  switch (mode) {
    case 'round_prefer_floor': return Math.ceil(x - 0.5);
    case 'round_prefer_ceil': return Math.floor(x + 0.5);
    case 'floor': return Math.floor(x);
    default: return Math.ceil(x);
  }
}

function cubicCoeffs(r: number, a: number): number[] {
  const s = r + 1, t = 1 - r, u = 2 - r;
  return [
    ((a * s - 5 * a) * s + 8 * a) * s - 4 * a,
    ((a + 2) * r - (a + 3)) * r * r + 1,
    ((a + 2) * t - (a + 3)) * t * t + 1,
    ((a * u - 5 * a) * u + 8 * a) * u - 4 * a,
  ];
}

interface Taps { index: number[]; weight: number[] }

/** Source taps of each output position along one axis; null marks a position outside the roi. */
function axisTaps(attrs: Attrs, coords: Float64Array, inLen: number): (Taps | null)[] {
  const mode = attrs.mode as string;
  const crop = attrs.coordinate_transformation_mode === 'tf_crop_and_resize';
  const last = inLen - 1;
  return Array.from(coords, (x) => {
    if (crop && (x < 0 || x > last)) return null;
    if (mode === 'linear') {
      const c = Math.min(Math.max(x, 0), last);
      const i0 = Math.floor(c), i1 = Math.min(i0 + 1, last), w = c - i0;
      return { index: [i0, i1], weight: [1 - w, w] };
    }
    const i0 = Math.floor(x);
    const weight = cubicCoeffs(x - i0, attrs.cubic_coeff_a as number);
    const raw = [i0 - 1, i0, i0 + 1, i0 + 2];
    if (attrs.exclude_outside) {
      raw.forEach((i, k) => { if (i < 0 || i > last) weight[k] = 0; });
      const sum = weight.reduce((p, q) => p + q, 0);
      for (let k = 0; k < 4; k++) weight[k] /= sum;
    }
    return { index: raw.map((i) => Math.min(Math.max(i, 0), last)), weight };
  });
}

/** Interpolate `src` (of `shape`) along `axis` with per-output taps; returns the new buffer. */
function interpolateAxis(src: Float64Array, shape: readonly number[], axis: number, taps: (Taps | null)[]): Float64Array {
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const inLen = shape[axis], outLen = taps.length;
  // taps flattened to typed arrays: k taps per output position, weight 0 where outside the roi
  const k = Math.max(1, ...taps.map((t) => t?.index.length ?? 0));
  const index = new Int32Array(outLen * k), weight = new Float64Array(outLen * k);
  taps.forEach((t, j) => t?.index.forEach((i, q) => { index[j * k + q] = i; weight[j * k + q] = t.weight[q]; }));
  const dst = new Float64Array(outer * outLen * inner);
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const s = o * inLen, d = o * outLen;
      for (let j = 0; j < outLen; j++) {
        let acc = 0;
        for (let q = j * k, e = q + k; q < e; q++) acc += weight[q] * src[s + index[q]];
        dst[d + j] = acc;
      }
    }
    return dst;
  }
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < outLen; j++) {
      const d = (o * outLen + j) * inner;
      for (let q = j * k; q < (j + 1) * k; q++) {
        const w = weight[q];
        if (w === 0) continue;
        const s = (o * inLen + index[q]) * inner;
        for (let i = 0; i < inner; i++) dst[d + i] += w * src[s + i];
      }
    }
  return dst;
}

function resizeEval(x: Tensor, attrs: Attrs): Tensor {
  const rank = x.rank;
  const axes = checkAttrs(attrs, rank);
  const { scales, sizes } = staticPlan(attrs, x.shape, axes);
  const coordMode = attrs.coordinate_transformation_mode as string;
  const roi = attrs.roi as number[] | undefined;
  if (roi && roi.length !== 2 * axes.length) throw new OpError(`resize roi needs ${2 * axes.length} values (starts then ends), got ${roi.length}`);
  const coordsOf = (axis: number): Float64Array => {
    const k = axes.indexOf(axis);
    const [rs, re] = roi && k >= 0 ? [roi[k], roi[k + axes.length]] : [0, 1];
    const c = new Float64Array(sizes[axis]);
    for (let o = 0; o < c.length; o++) c[o] = sourceCoord(coordMode, o, scales[axis], x.shape[axis], sizes[axis], rs, re);
    return c;
  };
  const identity = (axis: number) => sizes[axis] === x.shape[axis] && scales[axis] === 1 && coordMode !== 'tf_crop_and_resize';

  if (attrs.mode === 'nearest') {
    const maps = x.shape.map((len, axis) => {
      const m = new Int32Array(sizes[axis]);
      if (identity(axis)) { m.forEach((_, i) => { m[i] = i; }); return m; }
      const coords = coordsOf(axis);
      for (let o = 0; o < m.length; o++) {
        const c = coords[o];
        m[o] = coordMode === 'tf_crop_and_resize' && (c < 0 || c > len - 1) ? -1 : Math.min(Math.max(roundNearest(attrs.nearest_mode as string, c), 0), len - 1);
      }
      return m;
    });
    return gatherByAxisMaps(x, maps, storageValue(x.dtype, attrs.extrapolation_value as number));
  }

  let buf: Float64Array = Float64Array.from(readNumbers(x));
  const shape = [...x.shape];
  const outside: (Uint8Array | null)[] = shape.map(() => null);
  for (let axis = 0; axis < rank; axis++) {
    if (identity(axis)) continue;
    const taps = axisTaps(attrs, coordsOf(axis), x.shape[axis]);
    if (taps.some((t) => t === null)) outside[axis] = Uint8Array.from(taps, (t) => (t ? 0 : 1));
    buf = interpolateAxis(buf, shape, axis, taps);
    shape[axis] = sizes[axis];
  }
  if (outside.some((m) => m)) {
    // tf_crop_and_resize: a position outside the roi on any axis takes extrapolation_value
    const strides = shape.map((_, k) => sizeOf(shape.slice(k + 1)));
    const fill = attrs.extrapolation_value as number;
    for (let i = 0; i < buf.length; i++)
      for (let k = 0; k < rank; k++) {
        const m = outside[k];
        if (m && m[Math.floor(i / strides[k]) % shape[k]]) { buf[i] = fill; break; }
      }
  }
  return Tensor.fromNumbers(x.dtype, sizes, buf);
}

defineOp({
  name: 'resize',
  summary: 'resample spatial axes by scales or to sizes: nearest, (multi)linear or cubic',
  inputs: ['x'],
  outputs: 1,
  attrs: {
    scales: { kind: 'floats', optional: true },
    sizes: { kind: 'dims', optional: true },
    axes: { kind: 'ints', optional: true },
    roi: { kind: 'floats', optional: true, doc: 'tf_crop_and_resize region: starts then ends, normalized' },
    mode: { kind: 'string', default: 'nearest' },
    coordinate_transformation_mode: { kind: 'string', default: 'half_pixel' },
    nearest_mode: { kind: 'string', default: 'round_prefer_floor' },
    cubic_coeff_a: { kind: 'float', default: -0.75 },
    exclude_outside: { kind: 'bool', default: false },
    extrapolation_value: { kind: 'float', default: 0 },
    keep_aspect_ratio_policy: { kind: 'string', default: 'stretch' },
  },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('resize', inputs, 1);
    return [tensorType(x.dtype, outputShape(x, attrs))];
  },
  eval: ({ inputs, attrs }) => [resizeEval(inputs[0]!, attrs)],
});
