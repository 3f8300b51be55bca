// Detection and sampling ops with ONNX semantics: non_max_suppression (box selection, a data-dependent
// number of results), roi_align (pooling bilinear samples over regions of interest) and grid_sample
// (sampling an image at normalized coordinates).
import { defineOp, OpError, Cost } from '../registry.js';
import { TensorType, tensorType, typeToString } from '../graph.js';
import { Dim, isStatic, unknownDim } from '../dim.js';
import { requireIntegerDType } from './shape-common.js';
import { Tensor, readInts, sizeOf } from '../tensor.js';
import { expectInputs, defaultCost, numel } from './util.js';
import { requireFloat, readF64, tensorOf } from './reduce.js';
import { roundHalfEven } from './elementwise-kernels.js';

function checkChoice(op: string, name: string, v: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(v as string)) throw new OpError(`${op} ${name} must be one of ${allowed.join(', ')}, got '${String(v)}'`);
}

function needRank(op: string, what: string, t: TensorType, rank: number): void {
  if (t.shape.length !== rank) throw new OpError(`${op} needs a rank-${rank} ${what}, got ${typeToString(t)}`);
}

/** Whether two dims are both known numbers and differ (symbolic dims are checked at run time). */
function staticMismatch(a: Dim, b: Dim): boolean {
  return isStatic(a) && isStatic(b) && a !== b;
}

// ---------------------------------------------------------------------------------------------------
// non_max_suppression

/** Corners (y1, x1, y2, x2) of box i, ordered so that y1 <= y2 and x1 <= x2. */
function corners(boxes: Float64Array, i: number, centerPoint: boolean): [number, number, number, number] {
  const o = 4 * i;
  if (centerPoint) {
    const [xc, yc, w, h] = [boxes[o], boxes[o + 1], boxes[o + 2], boxes[o + 3]];
    return [yc - h / 2, xc - w / 2, yc + h / 2, xc + w / 2];
  }
  const [a, b, c, d] = [boxes[o], boxes[o + 1], boxes[o + 2], boxes[o + 3]];
  return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
}

/** Whether the intersection over union of two boxes exceeds the threshold; degenerate boxes never do. */
function overlaps(p: readonly number[], q: readonly number[], threshold: number): boolean {
  const ih = Math.min(p[2], q[2]) - Math.max(p[0], q[0]);
  const iw = Math.min(p[3], q[3]) - Math.max(p[1], q[1]);
  if (ih <= 0 || iw <= 0) return false;
  const inter = ih * iw;
  const areaP = (p[2] - p[0]) * (p[3] - p[1]), areaQ = (q[2] - q[0]) * (q[3] - q[1]);
  const union = areaP + areaQ - inter;
  if (areaP <= 0 || areaQ <= 0 || union <= 0) return false;
  return inter / union > threshold;
}

defineOp({
  name: 'non_max_suppression',
  summary:
    'per batch and class, greedily select boxes by descending score (ties: lower index first), dropping those whose IoU ' +
    'with a selected box exceeds iou_threshold; i64 [selected, 3] rows of (batch, class, box)',
  inputs: ['boxes', 'scores'],
  outputs: 1,
  attrs: {
    center_point_box: { kind: 'bool', default: false, doc: 'boxes are (x_center, y_center, width, height), else (y1, x1, y2, x2)' },
    max_output_boxes_per_class: { kind: 'int', default: 0, doc: 'at most this many boxes per batch and class' },
    iou_threshold: { kind: 'float', default: 0 },
    score_threshold: { kind: 'float', optional: true, doc: 'only boxes scoring above it are candidates' },
  },
  infer({ inputs }) {
    const [boxes, scores] = expectInputs('non_max_suppression', inputs, 2);
    requireFloat('non_max_suppression', boxes, 'boxes');
    needRank('non_max_suppression', 'boxes', boxes, 3);
    needRank('non_max_suppression', 'scores', scores, 3);
    if (staticMismatch(boxes.shape[2], 4)) throw new OpError(`non_max_suppression boxes ${typeToString(boxes)} need 4 coordinates in the last dim`);
    if (staticMismatch(boxes.shape[0], scores.shape[0]) || staticMismatch(boxes.shape[1], scores.shape[2]))
      throw new OpError(`non_max_suppression scores ${typeToString(scores)} do not match boxes ${typeToString(boxes)} ([batch, classes, boxes])`);
    return [tensorType('i64', [unknownDim(), 3])];
  },
  eval({ inputs, attrs }) {
    const [boxesT, scoresT] = inputs as Tensor[];
    const [batches, classes, n] = scoresT.shape;
    const boxes = readF64(boxesT), scores = readF64(scoresT);
    const limit = attrs.max_output_boxes_per_class as number;
    const iou = attrs.iou_threshold as number;
    const minScore = attrs.score_threshold as number | undefined;
    const centerPoint = attrs.center_point_box as boolean;
    const rows: number[] = [];
    for (let b = 0; b < batches; b++) {
      const box = Array.from({ length: n }, (_, i) => corners(boxes, b * n + i, centerPoint));
      for (let c = 0; c < classes; c++) {
        const base = (b * classes + c) * n;
        const candidates: number[] = [];
        for (let i = 0; i < n; i++) if (minScore === undefined || scores[base + i] > minScore) candidates.push(i);
        candidates.sort((i, j) => scores[base + j] - scores[base + i] || i - j);
        const kept: number[] = [];
        for (const i of candidates) {
          if (kept.length >= limit) break;
          if (kept.every((k) => !overlaps(box[k], box[i], iou))) kept.push(i);
        }
        for (const i of kept) rows.push(b, c, i);
      }
    }
    return [Tensor.fromNumbers('i64', [rows.length / 3, 3], rows)];
  },
  cost({ inputs, env }): Cost {
    // sorting the scores dominates; the output's size is unknown, so only the inputs count as bytes
    const n = numel(inputs[1]!, env);
    return { flops: n * Math.ceil(Math.log2(Math.max(2, n))), bytes: defaultCost(inputs, [], env).bytes };
  },
});

// ---------------------------------------------------------------------------------------------------
// roi_align

interface Sample {
  /** flat offsets of the four neighbours within one channel, and their bilinear weights */
  pos: [number, number, number, number];
  w: [number, number, number, number];
}

/** A bilinear sample at (y, x) of an h×w plane, as ONNX Runtime takes it: zero weight outside [-1, size]. */
function bilinearSample(y: number, x: number, h: number, w: number): Sample {
  if (y < -1 || y > h || x < -1 || x > w) return { pos: [0, 0, 0, 0], w: [0, 0, 0, 0] };
  y = Math.max(y, 0);
  x = Math.max(x, 0);
  let yLow = Math.trunc(y), xLow = Math.trunc(x), yHigh: number, xHigh: number;
  if (yLow >= h - 1) { yHigh = yLow = h - 1; y = yLow; } else yHigh = yLow + 1;
  if (xLow >= w - 1) { xHigh = xLow = w - 1; x = xLow; } else xHigh = xLow + 1;
  const ly = y - yLow, lx = x - xLow, hy = 1 - ly, hx = 1 - lx;
  return {
    pos: [yLow * w + xLow, yLow * w + xHigh, yHigh * w + xLow, yHigh * w + xHigh],
    w: [hy * hx, hy * lx, ly * hx, ly * lx],
  };
}

defineOp({
  name: 'roi_align',
  summary:
    'for each region (x1, y1, x2, y2) of rois in the image batch_indices names, average (or max) of bilinear samples ' +
    'over an output_height × output_width grid of bins: [num_rois, C, output_height, output_width]',
  inputs: ['x', 'rois', 'batch_indices'],
  outputs: 1,
  attrs: {
    coordinate_transformation_mode: { kind: 'string', default: 'half_pixel', doc: 'half_pixel shifts roi corners by -0.5; output_half_pixel does not' },
    mode: { kind: 'string', default: 'avg', doc: 'avg or max' },
    output_height: { kind: 'int', default: 1 },
    output_width: { kind: 'int', default: 1 },
    sampling_ratio: { kind: 'int', default: 0, doc: 'samples per bin and axis; 0: ceil(roi size / output size)' },
    spatial_scale: { kind: 'float', default: 1, doc: 'scale from roi coordinates to x coordinates' },
  },
  infer({ inputs, attrs }) {
    const [x, rois, idx] = expectInputs('roi_align', inputs, 3);
    requireFloat('roi_align', x);
    needRank('roi_align', 'x', x, 4);
    needRank('roi_align', 'rois', rois, 2);
    needRank('roi_align', 'batch_indices', idx, 1);
    if (rois.dtype !== x.dtype) throw new OpError(`roi_align rois ${typeToString(rois)} must have x's dtype ${x.dtype}`);
    if (staticMismatch(rois.shape[1], 4)) throw new OpError(`roi_align rois ${typeToString(rois)} need 4 coordinates per region`);
    requireIntegerDType('roi_align', 'batch_indices', idx);
    if (staticMismatch(idx.shape[0], rois.shape[0]))
      throw new OpError(`roi_align batch_indices ${typeToString(idx)} need one index per region of ${typeToString(rois)}`);
    checkChoice('roi_align', 'mode', attrs.mode, ['avg', 'max']);
    checkChoice('roi_align', 'coordinate_transformation_mode', attrs.coordinate_transformation_mode, ['half_pixel', 'output_half_pixel']);
    return [tensorType(x.dtype, [rois.shape[0], x.shape[1], attrs.output_height as number, attrs.output_width as number])];
  },
  eval({ inputs, attrs }) {
    const [xT, roisT, idxT] = inputs as Tensor[];
    const [batch, channels, h, w] = xT.shape;
    const x = readF64(xT), rois = readF64(roisT), idx = readInts(idxT);
    const ph = attrs.output_height as number, pw = attrs.output_width as number;
    const scale = attrs.spatial_scale as number, ratio = attrs.sampling_ratio as number;
    const halfPixel = attrs.coordinate_transformation_mode === 'half_pixel';
    const max = attrs.mode === 'max';
    const offset = halfPixel ? 0.5 : 0;
    const nRois = roisT.shape[0];
    const out = new Float64Array(nRois * channels * ph * pw);
    for (let r = 0; r < nRois; r++) {
      const b = idx[r];
      if (b < 0 || b >= batch) throw new OpError(`roi_align batch index ${b} is outside [0, ${batch})`);
      const x1 = rois[4 * r] * scale - offset, y1 = rois[4 * r + 1] * scale - offset;
      let roiW = rois[4 * r + 2] * scale - offset - x1, roiH = rois[4 * r + 3] * scale - offset - y1;
      // without the half-pixel shift, ONNX keeps regions at least one pixel wide
      if (!halfPixel) { roiW = Math.max(roiW, 1); roiH = Math.max(roiH, 1); }
      const binH = roiH / ph, binW = roiW / pw;
      const gridH = ratio > 0 ? ratio : Math.ceil(roiH / ph), gridW = ratio > 0 ? ratio : Math.ceil(roiW / pw);
      const count = Math.max(gridH * gridW, 1);
      for (let i = 0; i < ph; i++)
        for (let j = 0; j < pw; j++) {
          const samples: Sample[] = [];
          for (let iy = 0; iy < gridH; iy++)
            for (let ix = 0; ix < gridW; ix++)
              samples.push(bilinearSample(y1 + i * binH + ((iy + 0.5) * binH) / gridH, x1 + j * binW + ((ix + 0.5) * binW) / gridW, h, w));
          for (let c = 0; c < channels; c++) {
            const plane = (b * channels + c) * h * w;
            let acc = 0;
            samples.forEach((s, k) => {
              const v = s.pos.map((p, q) => s.w[q] * x[plane + p]);
              if (!max) acc += v[0] + v[1] + v[2] + v[3];
              else {
                // ONNX's max mode takes the largest weighted neighbour, not the interpolated value
                const m = Math.max(v[0], v[1], v[2], v[3]);
                acc = k === 0 ? m : Math.max(acc, m);
              }
            });
            out[((r * channels + c) * ph + i) * pw + j] = max ? acc : acc / count;
          }
        }
    }
    return [tensorOf(xT.dtype, [nRois, channels, ph, pw], out)];
  },
});

// ---------------------------------------------------------------------------------------------------
// grid_sample

const GRID_MODES = ['linear', 'nearest', 'cubic'] as const;
const PADDING_MODES = ['zeros', 'border', 'reflection'] as const;
const CUBIC_A = -0.75;

/** Position of a normalized coordinate in [-1, 1] along an axis of `size` pixels. */
function denormalize(v: number, size: number, alignCorners: boolean): number {
  return alignCorners ? ((v + 1) / 2) * (size - 1) : ((v + 1) * size - 1) / 2;
}

/** Fold x into [lo, hi] by reflecting at the bounds, as often as needed. */
function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const dx = lo - x, n = Math.trunc(dx / range), r = dx - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi, n = Math.trunc(dx / range), r = dx - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

/** Keys' cubic convolution weights (a = -0.75) of the four taps around a point at fraction t. */
function cubicWeights(t: number): number[] {
  const a = CUBIC_A;
  const w = (d: number) => {
    const x = Math.abs(d);
    if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0;
  };
  return [w(t + 1), w(t), w(1 - t), w(2 - t)];
}

/** Taps (pixel index, weight) along one axis; an index of -1 marks a tap that reads zero padding. */
interface Taps { index: number[]; weight: number[] }

function axisTaps(v: number, size: number, mode: string, padding: string, alignCorners: boolean): Taps {
  let x = denormalize(v, size, alignCorners);
  const [lo, hi] = alignCorners ? [0, size - 1] : [-0.5, size - 0.5];
  if (mode === 'nearest') x = roundHalfEven(x);
  // a point beyond the image's edges is first moved back onto it; the taps around it are padded again below
  if (x < lo || x > hi) {
    if (padding === 'border') x = Math.min(Math.max(x, 0), size - 1);
    else if (padding === 'reflection') x = reflect(x, lo, hi);
  }
  let first: number, weight: number[];
  if (mode === 'nearest') { first = Math.trunc(x); weight = [1]; }
  else if (mode === 'linear') { first = Math.floor(x); weight = [first + 1 - x, x - first]; }
  else { first = Math.floor(x) - 1; weight = cubicWeights(x - first - 1); }
  const index = weight.map((_, k) => {
    const i = first + k;
    if (padding === 'border') return Math.min(Math.max(i, 0), size - 1);
    if (padding === 'reflection') return Math.trunc(reflect(i, lo, hi));
    return i >= 0 && i < size ? i : -1;
  });
  return { index, weight };
}

defineOp({
  name: 'grid_sample',
  summary:
    'sample x [N, C, D1..Dk] at the normalized coordinates of grid [N, H1..Hk, k] (last entry: innermost axis, -1..1 spans ' +
    'the image) by nearest, linear or cubic interpolation: [N, C, H1..Hk]',
  inputs: ['x', 'grid'],
  outputs: 1,
  attrs: {
    align_corners: { kind: 'bool', default: false, doc: '-1 and 1 are the centres of the corner pixels, else their outer edges' },
    mode: { kind: 'string', default: 'linear', doc: 'linear, nearest or cubic' },
    padding_mode: { kind: 'string', default: 'zeros', doc: 'outside the image: zeros, the border value, or reflection' },
  },
  infer({ inputs, attrs }) {
    const [x, grid] = expectInputs('grid_sample', inputs, 2);
    requireFloat('grid_sample', x);
    requireFloat('grid_sample', grid, 'grid');
    const k = x.shape.length - 2;
    if (k < 1) throw new OpError(`grid_sample needs x of rank >= 3, got ${typeToString(x)}`);
    needRank('grid_sample', 'grid', grid, k + 2);
    if (staticMismatch(grid.shape[k + 1], k)) throw new OpError(`grid_sample grid ${typeToString(grid)} needs ${k} coordinates in the last dim`);
    if (staticMismatch(grid.shape[0], x.shape[0])) throw new OpError(`grid_sample grid ${typeToString(grid)} and x ${typeToString(x)} differ in batch`);
    checkChoice('grid_sample', 'mode', attrs.mode, GRID_MODES);
    checkChoice('grid_sample', 'padding_mode', attrs.padding_mode, PADDING_MODES);
    return [tensorType(x.dtype, [x.shape[0], x.shape[1], ...grid.shape.slice(1, k + 1)])];
  },
  eval({ inputs, attrs }) {
    const [xT, gridT] = inputs as Tensor[];
    const x = readF64(xT), grid = readF64(gridT);
    const [batch, channels, ...inSpatial] = xT.shape;
    const outSpatial = gridT.shape.slice(1, -1);
    const k = inSpatial.length;
    const mode = attrs.mode as string, padding = attrs.padding_mode as string, align = attrs.align_corners as boolean;
    const inPlane = sizeOf(inSpatial), outPlane = sizeOf(outSpatial);
    const inStrides = inSpatial.map((_, a) => sizeOf(inSpatial.slice(a + 1)));
    const out = new Float64Array(batch * channels * outPlane);
    for (let n = 0; n < batch; n++)
      for (let p = 0; p < outPlane; p++) {
        const g = (n * outPlane + p) * k;
        // grid entries run innermost axis first (x, y, z): axis a of x reads entry k-1-a
        const taps = inSpatial.map((size, a) => axisTaps(grid[g + k - 1 - a], size, mode, padding, align));
        const offsets: number[] = [], weights: number[] = [];
        const walk = (a: number, off: number, wt: number) => {
          if (a === k) { offsets.push(off); weights.push(wt); return; }
          const t = taps[a];
          for (let q = 0; q < t.index.length; q++)
            walk(a + 1, t.index[q] < 0 || off < 0 ? -1 : off + t.index[q] * inStrides[a], wt * t.weight[q]);
        };
        walk(0, 0, 1);
        for (let c = 0; c < channels; c++) {
          const plane = (n * channels + c) * inPlane;
          let acc = 0;
          for (let q = 0; q < offsets.length; q++) if (offsets[q] >= 0) acc += weights[q] * x[plane + offsets[q]];
          out[(n * channels + c) * outPlane + p] = acc;
        }
      }
    return [tensorOf(xT.dtype, [batch, channels, ...outSpatial], out)];
  },
  cost({ inputs, outputs, attrs, env }): Cost {
    const c = defaultCost(inputs, outputs, env);
    const k = inputs[0]!.shape.length - 2;
    const tapsPerAxis = attrs.mode === 'nearest' ? 1 : attrs.mode === 'linear' ? 2 : 4;
    return { flops: 2 * numel(outputs[0], env) * tapsPerAxis ** k, bytes: c.bytes };
  },
});
