// Normalization ops (batch, layer, RMS, group, instance, LRN, mean-variance) and the softmax family.
// Reductions, arg max/min, cum_sum and topk are in reduce.ts; attention in attention.ts.
import { defineOp, OpError, InferCtx } from '../registry.js';
import { TensorType, typeToString } from '../graph.js';
import { Dim, dimToString, DimEnv } from '../dim.js';
import { Tensor, sizeOf } from '../tensor.js';
import { normAxis, expectInputs, broadcastShapes, broadcastIndex, numel, defaultCost } from './util.js';
import { requireFloat, tensorOf, readF64, dimsCompatible, splitAt, forEachRun, reductionAxes } from './reduce.js';
import './attention.js';

/** A per-channel parameter must be a float vector of length C. */
function checkChannelParam(op: string, what: string, p: TensorType, channels: Dim, lengths: readonly Dim[] = [channels]): void {
  requireFloat(op, p, what);
  if (p.shape.length !== 1 || !lengths.some((l) => dimsCompatible(p.shape[0], l)))
    throw new OpError(`${op} ${what} must have shape [${lengths.map(dimToString).join('] or [')}], got ${typeToString(p)}`);
}

function channelInput(op: string, x: TensorType): Dim {
  requireFloat(op, x);
  if (x.shape.length < 2) throw new OpError(`${op} needs an input of rank >= 2 ([N, C, ...]), got ${typeToString(x)}`);
  return x.shape[1];
}

/** cost of an op that reads its input a few times and does `perElement` operations on each element */
function perElementCost(perElement: number) {
  return ({ inputs, outputs, env }: { inputs: (TensorType | null)[]; outputs: TensorType[]; env: DimEnv }) => {
    const c = defaultCost(inputs, outputs, env);
    return { flops: perElement * numel(outputs[0], env), bytes: c.bytes };
  };
}

/** y = x * a[c] + b[c] for the channel c of each element of an [N, C, ...] tensor */
function channelAffine(x: Tensor, a: Float64Array, b: Float64Array): Tensor {
  const { outer, n: channels, inner } = splitAt(x.shape, 1);
  const v = readF64(x);
  const out = new Float64Array(v.length);
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < channels; c++) {
      const s = (o * channels + c) * inner, ac = a[c], bc = b[c];
      for (let i = s; i < s + inner; i++) out[i] = v[i] * ac + bc;
    }
  return tensorOf(x.dtype, x.shape, out);
}

defineOp({
  name: 'batch_normalization',
  traits: { channelAffine: true },
  summary: 'inference-mode batch norm over [N, C, ...]: (x - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + B[c]',
  inputs: ['X', 'scale', 'B', 'input_mean', 'input_var'],
  outputs: 1,
  attrs: { epsilon: { kind: 'float', default: 1e-5 } },
  infer({ inputs }) {
    const [x, ...params] = expectInputs('batch_normalization', inputs, 5);
    const c = channelInput('batch_normalization', x);
    params.forEach((p, i) => checkChannelParam('batch_normalization', ['scale', 'B', 'input_mean', 'input_var'][i], p, c));
    return [x];
  },
  eval({ inputs, attrs }) {
    const [x, scale, bias, mean, variance] = inputs as Tensor[];
    const eps = attrs.epsilon as number;
    const [s, b, m, vr] = [scale, bias, mean, variance].map(readF64);
    const a = new Float64Array(x.shape[1]);
    const shift = new Float64Array(x.shape[1]);
    for (let c = 0; c < a.length; c++) {
      a[c] = s[c] / Math.sqrt(vr[c] + eps);
      shift[c] = b[c] - m[c] * a[c];
    }
    return [channelAffine(x, a, shift)];
  },
  cost: perElementCost(2),
});

defineOp({
  name: 'instance_normalization',
  summary: 'normalize each (n, c) slice of [N, C, ...] over its spatial elements, then scale[c] and B[c]',
  inputs: ['input', 'scale', 'B'],
  outputs: 1,
  attrs: { epsilon: { kind: 'float', default: 1e-5 } },
  infer({ inputs }) {
    const [x, scale, bias] = expectInputs('instance_normalization', inputs, 3);
    const c = channelInput('instance_normalization', x);
    checkChannelParam('instance_normalization', 'scale', scale, c);
    checkChannelParam('instance_normalization', 'B', bias, c);
    return [x];
  },
  eval({ inputs, attrs }) {
    const [x, scale, bias] = inputs as Tensor[];
    const channels = x.shape[1];
    const out = normalizeRows(x, sizeOf(x.shape.slice(2)), attrs.epsilon as number, true,
      (row) => row % channels, readF64(scale), readF64(bias));
    return [tensorOf(x.dtype, x.shape, out)];
  },
  cost: perElementCost(6),
});

/**
 * Normalize each contiguous row of `rowSize` elements of x: subtract the row mean (when `center`),
 * divide by sqrt(mean square + eps), then multiply by scale and add bias. With `rowParam`, row r uses
 * scale/bias entry rowParam(r); without, scale and bias hold one entry per row element.
 */
function normalizeRows(
  x: Tensor, rowSize: number, eps: number, center: boolean,
  rowParam: ((row: number) => number) | null, scale: Float64Array, bias: Float64Array | null,
): Float64Array {
  const d = rowSize;
  const v = readF64(x);
  const out = new Float64Array(v.length);
  const rows = d === 0 ? 0 : v.length / d;
  for (let r = 0; r < rows; r++) {
    const s = r * d, e = s + d;
    let mean = 0;
    if (center) {
      for (let i = s; i < e; i++) mean += v[i];
      mean /= d;
    }
    let sq = 0;
    for (let i = s; i < e; i++) { const t = v[i] - mean; sq += t * t; }
    const inv = 1 / Math.sqrt(sq / d + eps);
    if (rowParam) {
      const p = rowParam(r);
      const a = inv * scale[p], b = bias ? bias[p] : 0;
      for (let i = s; i < e; i++) out[i] = (v[i] - mean) * a + b;
    } else if (bias) {
      for (let i = s; i < e; i++) out[i] = (v[i] - mean) * inv * scale[i - s] + bias[i - s];
    } else {
      for (let i = s; i < e; i++) out[i] = (v[i] - mean) * inv * scale[i - s];
    }
  }
  return out;
}

/** Check that a scale/bias broadcasts to the normalized trailing shape. */
function checkTrailingParam(op: string, what: string, p: TensorType, trailing: readonly Dim[]): void {
  requireFloat(op, p, what);
  let fits = p.shape.length <= trailing.length;
  if (fits) {
    try { fits = broadcastShapes([trailing, p.shape]).every((d, i) => dimsCompatible(d, trailing[i])); } catch { fits = false; }
  }
  if (!fits)
    throw new OpError(`${op} ${what} ${typeToString(p)} does not broadcast to the normalized shape [${trailing.map(dimToString).join(', ')}]`);
}

function trailingNorm(name: 'layer_normalization' | 'rms_normalization', center: boolean, summary: string) {
  defineOp({
    name,
    summary,
    traits: { viewInputs: [0], storeView: true },
    inputs: center ? ['X', 'Scale', 'B'] : ['X', 'scale'],
    optional: center ? ['B'] : [],
    outputs: 1,
    attrs: {
      axis: { kind: 'int', default: -1, doc: 'first normalized axis; all axes from it on are normalized' },
      epsilon: { kind: 'float', default: 1e-5 },
    },
    infer({ inputs, attrs }: InferCtx) {
      const [x, scale] = expectInputs(name, inputs, 2);
      requireFloat(name, x);
      const axis = normAxis(attrs.axis as number, x.shape.length);
      const trailing = x.shape.slice(axis);
      checkTrailingParam(name, 'scale', scale, trailing);
      if (inputs[2]) checkTrailingParam(name, 'bias', inputs[2], trailing);
      return [x];
    },
    eval({ inputs, attrs }) {
      const x = inputs[0]!;
      const axis = normAxis(attrs.axis as number, x.rank);
      const rowShape = x.shape.slice(axis);
      const rowSize = sizeOf(rowShape);
      // parameters smaller than the row are broadcast to it once, up front
      const perElement = (t: Tensor) => {
        const values = readF64(t);
        return t.size === rowSize ? values : Float64Array.from(broadcastIndex(t.shape, rowShape), (k) => values[k]);
      };
      const bias = inputs[2] ? perElement(inputs[2]) : null;
      const out = normalizeRows(x, rowSize, attrs.epsilon as number, center, null, perElement(inputs[1]!), bias);
      return [tensorOf(x.dtype, x.shape, out)];
    },
    cost: perElementCost(center ? 8 : 5),
  });
}
trailingNorm('layer_normalization', true,
  'normalize over the axes from axis on: (x - mean) / sqrt(var + epsilon) * Scale + B; only the Y output');
trailingNorm('rms_normalization', false,
  'x / sqrt(mean(x^2 over the axes from axis on) + epsilon) * scale (ONNX 23 RMSNormalization)');

defineOp({
  name: 'group_normalization',
  summary: 'split the C channels of [N, C, ...] into num_groups groups, normalize each group, then scale and bias per channel (or per group when they have num_groups != C entries, as in opset 18)',
  inputs: ['X', 'scale', 'bias'],
  outputs: 1,
  attrs: {
    epsilon: { kind: 'float', default: 1e-5 },
    num_groups: { kind: 'int' },
  },
  infer({ inputs, attrs }) {
    const [x, scale, bias] = expectInputs('group_normalization', inputs, 3);
    const c = channelInput('group_normalization', x);
    const g = attrs.num_groups as number;
    if (!Number.isInteger(g) || g < 1) throw new OpError(`group_normalization num_groups must be a positive integer, got ${g}`);
    if (typeof c === 'number' && c % g !== 0) throw new OpError(`group_normalization: ${c} channels do not split into ${g} groups`);
    checkChannelParam('group_normalization', 'scale', scale, c, [c, g]);
    checkChannelParam('group_normalization', 'bias', bias, c, [c, g]);
    if (!dimsCompatible(scale.shape[0], bias.shape[0])) throw new OpError(`group_normalization scale and bias lengths differ: ${typeToString(scale)}, ${typeToString(bias)}`);
    return [x];
  },
  eval({ inputs, attrs }) {
    const [x, scale, bias] = inputs as Tensor[];
    const g = attrs.num_groups as number;
    const [n, c] = x.shape;
    if (c % g !== 0) throw new OpError(`group_normalization: ${c} channels do not split into ${g} groups`);
    const spatial = sizeOf(x.shape.slice(2));
    const perGroup = c / g;
    const eps = attrs.epsilon as number;
    const sc = readF64(scale), bi = readF64(bias);
    const perChannel = !(scale.size === g && g !== c);
    const v = readF64(x);
    const out = new Float64Array(v.length);
    const groupSize = perGroup * spatial;
    for (let r = 0; r < n * g; r++) {
      const s = r * groupSize, e = s + groupSize;
      let mean = 0;
      for (let i = s; i < e; i++) mean += v[i];
      mean /= groupSize;
      let sq = 0;
      for (let i = s; i < e; i++) { const t = v[i] - mean; sq += t * t; }
      const inv = 1 / Math.sqrt(sq / groupSize + eps);
      for (let k = 0; k < perGroup; k++) {
        const p = perChannel ? (r % g) * perGroup + k : r % g;
        const a = inv * sc[p], b = bi[p], cs = s + k * spatial;
        for (let i = cs; i < cs + spatial; i++) out[i] = (v[i] - mean) * a + b;
      }
    }
    return [tensorOf(x.dtype, x.shape, out)];
  },
  cost: perElementCost(8),
});

defineOp({
  name: 'lrn',
  summary: 'local response normalization across channels: x / (bias + alpha / size * sum of x^2 over size neighbouring channels)^beta',
  inputs: ['X'],
  outputs: 1,
  attrs: {
    alpha: { kind: 'float', default: 1e-4 },
    beta: { kind: 'float', default: 0.75 },
    bias: { kind: 'float', default: 1 },
    size: { kind: 'int' },
  },
  infer({ inputs, attrs }) {
    const [x] = expectInputs('lrn', inputs, 1);
    channelInput('lrn', x);
    if (!Number.isInteger(attrs.size) || (attrs.size as number) < 1) throw new OpError(`lrn size must be a positive integer, got ${attrs.size}`);
    return [x];
  },
  eval({ inputs, attrs }) {
    const x = inputs[0]!;
    const { outer, n: channels, inner } = splitAt(x.shape, 1);
    const size = attrs.size as number;
    const alpha = attrs.alpha as number, beta = attrs.beta as number, bias = attrs.bias as number;
    const before = Math.floor((size - 1) / 2), after = Math.ceil((size - 1) / 2);
    const v = readF64(x);
    const out = new Float64Array(v.length);
    const sq = new Float64Array(inner);
    for (let o = 0; o < outer; o++)
      for (let c = 0; c < channels; c++) {
        sq.fill(0);
        for (let k = Math.max(0, c - before); k <= Math.min(channels - 1, c + after); k++) {
          const s = (o * channels + k) * inner;
          for (let i = 0; i < inner; i++) sq[i] += v[s + i] * v[s + i];
        }
        const s = (o * channels + c) * inner;
        for (let i = 0; i < inner; i++) out[s + i] = v[s + i] / Math.pow(bias + (alpha / size) * sq[i], beta);
      }
    return [tensorOf(x.dtype, x.shape, out)];
  },
  cost({ inputs, outputs, attrs, env }) {
    const c = defaultCost(inputs, outputs, env);
    return { flops: (2 * (attrs.size as number) + 4) * numel(outputs[0], env), bytes: c.bytes };
  },
});

defineOp({
  name: 'mean_variance_normalization',
  summary: '(x - mean) / (sqrt(variance) + 1e-9) with mean and variance over axes, as ONNX MeanVarianceNormalization',
  inputs: ['X'],
  outputs: 1,
  attrs: { axes: { kind: 'ints', default: [0, 2, 3] } },
  infer({ inputs, attrs }) {
    const [x] = expectInputs('mean_variance_normalization', inputs, 1);
    requireFloat('mean_variance_normalization', x);
    reductionAxes('mean_variance_normalization', attrs.axes as number[], x.shape.length);
    return [x];
  },
  eval({ inputs, attrs }) {
    const x = inputs[0]!;
    const axes = reductionAxes('mean_variance_normalization', attrs.axes as number[], x.rank);
    const reduced = x.shape.map((_, i) => axes.includes(i));
    let groups = 1, count = 1;
    x.shape.forEach((d, i) => { if (reduced[i]) count *= d; else groups *= d; });
    const v = readF64(x);
    const mean = new Float64Array(groups), sq = new Float64Array(groups);
    forEachRun(x.shape, reduced, (s, o, len, runReduced) => {
      if (runReduced) { let a = 0; for (let i = s; i < s + len; i++) a += v[i]; mean[o] += a; }
      else for (let i = 0; i < len; i++) mean[o + i] += v[s + i];
    });
    for (let g = 0; g < groups; g++) mean[g] /= count;
    forEachRun(x.shape, reduced, (s, o, len, runReduced) => {
      for (let i = 0; i < len; i++) { const t = v[s + i] - mean[runReduced ? o : o + i]; sq[runReduced ? o : o + i] += t * t; }
    });
    for (let g = 0; g < groups; g++) sq[g] = 1 / (Math.sqrt(sq[g] / count) + 1e-9);
    const out = new Float64Array(v.length);
    forEachRun(x.shape, reduced, (s, o, len, runReduced) => {
      for (let i = 0; i < len; i++) { const g = runReduced ? o : o + i; out[s + i] = (v[s + i] - mean[g]) * sq[g]; }
    });
    return [tensorOf(x.dtype, x.shape, out)];
  },
  cost: perElementCost(6),
});

type SoftmaxKind = 'softmax' | 'log_softmax' | 'hardmax';

/** softmax, log_softmax or hardmax of each line along `axis`, subtracting the line's maximum first */
export function softmaxAlong(kind: SoftmaxKind, v: Float64Array, shape: readonly number[], axis: number): Float64Array {
  const { outer, n, inner } = splitAt(shape, axis);
  const out = new Float64Array(v.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const s = o * n * inner + i, e = s + n * inner;
      let max = -Infinity, at = s;
      for (let j = s; j < e; j += inner) if (v[j] > max) { max = v[j]; at = j; }
      if (kind === 'hardmax') { out[at] = 1; continue; }
      let sum = 0;
      if (kind === 'softmax') {
        for (let j = s; j < e; j += inner) { const t = Math.exp(v[j] - max); out[j] = t; sum += t; }
        const inv = 1 / sum;
        for (let j = s; j < e; j += inner) out[j] *= inv;
      } else {
        for (let j = s; j < e; j += inner) sum += Math.exp(v[j] - max);
        const shift = max + Math.log(sum);
        for (let j = s; j < e; j += inner) out[j] = v[j] - shift;
      }
    }
  return out;
}

const SOFTMAX_SUMMARIES: Record<SoftmaxKind, string> = {
  softmax: 'exp(x - max) / sum(exp(x - max)) along axis (opset 13: one axis)',
  log_softmax: 'x - max - log(sum(exp(x - max))) along axis (opset 13: one axis)',
  hardmax: '1 at the first maximum along axis, 0 elsewhere (opset 13: one axis)',
};

for (const kind of Object.keys(SOFTMAX_SUMMARIES) as SoftmaxKind[]) {
  defineOp({
    name: kind,
    summary: SOFTMAX_SUMMARIES[kind],
    traits: kind === 'hardmax' ? {} : { viewInputs: [0], storeView: true },
    inputs: ['input'],
    outputs: 1,
    attrs: { axis: { kind: 'int', default: -1 } },
    infer({ inputs, attrs }) {
      const [x] = expectInputs(kind, inputs, 1);
      requireFloat(kind, x);
      normAxis(attrs.axis as number, x.shape.length);
      return [x];
    },
    eval({ inputs, attrs }) {
      const x = inputs[0]!;
      const axis = normAxis(attrs.axis as number, x.rank);
      return [tensorOf(x.dtype, x.shape, softmaxAlong(kind, readF64(x), x.shape, axis))];
    },
    cost: perElementCost(kind === 'hardmax' ? 1 : 5),
  });
}
