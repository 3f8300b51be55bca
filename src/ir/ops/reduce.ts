// Reductions (reduce_*), arg_max/arg_min, cum_sum and topk, plus the axis-layout helpers that the
// normalization, softmax and attention ops share. Values are read as numbers and accumulated in doubles.
import { defineOp, OpError, InferCtx, EvalCtx, Cost } from '../registry.js';
import { TensorType, typeToString, Attrs } from '../graph.js';
import { Dim, dimEq, evalDim, isStatic, isUnknown } from '../dim.js';
import { DType, isFloat, isInteger } from '../dtype.js';
import { Tensor, readNumbers, sizeOf } from '../tensor.js';
import { normAxis, expectInputs, numel, defaultCost } from './util.js';

/** Dims that may be equal: equal, or one of them unknown until run time. */
export const dimsCompatible = (a: Dim, b: Dim) => dimEq(a, b) || isUnknown(a) || isUnknown(b);

export function requireFloat(op: string, t: TensorType, what = 'input'): void {
  if (!isFloat(t.dtype)) throw new OpError(`${op} needs a float ${what}, got ${typeToString(t)}`);
}

export function requireNumeric(op: string, t: TensorType): void {
  if (!isFloat(t.dtype) && !isInteger(t.dtype)) throw new OpError(`${op} needs a numeric input, got ${typeToString(t)}`);
}

/** The tensor's values as doubles; kernels read only Float64Array so their loops stay monomorphic. */
export function readF64(t: Tensor): Float64Array {
  if (t.dtype === 'f64') return t.data as Float64Array;
  const v = readNumbers(t);
  return v instanceof Float64Array ? v : Float64Array.from(v);
}

/** A tensor of `dtype` holding `values` with the dtype's rounding. */
export function tensorOf(dtype: DType, shape: readonly number[], values: Float64Array): Tensor {
  if (dtype === 'f64') return new Tensor(dtype, shape, values);
  if (dtype === 'f32') return new Tensor(dtype, shape, new Float32Array(values));
  return Tensor.fromNumbers(dtype, shape, values);
}

/** Sizes before, along and after one axis: element (o, j, i) is at (o * n + j) * inner + i. */
export function splitAt(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), n: shape[axis], inner: sizeOf(shape.slice(axis + 1)) };
}

/**
 * Walk a row-major tensor of `shape` in contiguous runs, for a reduction over the axes flagged in
 * `reduced`. Size-1 axes are dropped and neighbouring axes of the same kind merged, so the runs are as
 * long as the layout allows. For each run, `visit(inStart, outStart, len, runReduced)` is called:
 * when `runReduced` the run's elements all reduce into output `outStart`, else element j of the run
 * belongs to output `outStart + j`.
 */
export function forEachRun(
  shape: readonly number[], reduced: readonly boolean[],
  visit: (inStart: number, outStart: number, len: number, runReduced: boolean) => void,
): void {
  const total = sizeOf(shape);
  if (total === 0) return;
  const dims: number[] = [];
  const red: boolean[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    if (dims.length > 0 && red[red.length - 1] === reduced[i]) dims[dims.length - 1] *= shape[i];
    else { dims.push(shape[i]); red.push(reduced[i]); }
  }
  if (dims.length === 0) { visit(0, 0, 1, true); return; }
  const k = dims.length;
  const outStride = new Array<number>(k).fill(0);
  let acc = 1;
  for (let i = k - 1; i >= 0; i--) if (!red[i]) { outStride[i] = acc; acc *= dims[i]; }
  const len = dims[k - 1];
  const lastReduced = red[k - 1];
  const counter = new Array<number>(k - 1).fill(0);
  let out = 0;
  for (let start = 0; start < total; start += len) {
    visit(start, out, len, lastReduced);
    for (let d = k - 2; d >= 0; d--) {
      counter[d]++;
      out += outStride[d];
      if (counter[d] < dims[d]) break;
      out -= outStride[d] * counter[d];
      counter[d] = 0;
    }
  }
}

/** Normalized, sorted, duplicate-free reduction axes; all axes when `axes` is absent or empty. */
export function reductionAxes(op: string, axes: readonly number[] | undefined, rank: number): number[] {
  if (!axes || axes.length === 0) return Array.from({ length: rank }, (_, i) => i);
  const norm = axes.map((a) => normAxis(a, rank, `${op} axis`));
  if (new Set(norm).size !== norm.length) throw new OpError(`${op} axes [${axes.join(', ')}] repeat an axis`);
  return norm.sort((a, b) => a - b);
}

type ReduceKind = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'l1' | 'l2' | 'log_sum' | 'log_sum_exp' | 'sum_square';

/** Fold runs of `x` into `acc` with one of the elementary folds. `offset` is subtracted before exp. */
function foldRuns(
  kind: 'sum' | 'max' | 'min' | 'prod' | 'abs' | 'square' | 'exp', x: Float64Array,
  shape: readonly number[], reduced: readonly boolean[], acc: Float64Array, offset?: Float64Array,
): void {
  forEachRun(shape, reduced, (s, o, len, runReduced) => {
    const e = s + len;
    if (runReduced) {
      let a = acc[o];
      switch (kind) {
        case 'sum': for (let i = s; i < e; i++) a += x[i]; break;
        case 'abs': for (let i = s; i < e; i++) a += Math.abs(x[i]); break;
        case 'square': for (let i = s; i < e; i++) a += x[i] * x[i]; break;
        case 'prod': for (let i = s; i < e; i++) a *= x[i]; break;
        case 'max': for (let i = s; i < e; i++) { const v = x[i]; if (v > a || v !== v) a = v; } break;
        case 'min': for (let i = s; i < e; i++) { const v = x[i]; if (v < a || v !== v) a = v; } break;
        case 'exp': { const m = offset![o]; for (let i = s; i < e; i++) a += Math.exp(x[i] - m); break; }
      }
      acc[o] = a;
    } else {
      const d = o - s;
      switch (kind) {
        case 'sum': for (let i = s; i < e; i++) acc[i + d] += x[i]; break;
        case 'abs': for (let i = s; i < e; i++) acc[i + d] += Math.abs(x[i]); break;
        case 'square': for (let i = s; i < e; i++) acc[i + d] += x[i] * x[i]; break;
        case 'prod': for (let i = s; i < e; i++) acc[i + d] *= x[i]; break;
        case 'max': for (let i = s; i < e; i++) { const v = x[i]; if (v > acc[i + d] || v !== v) acc[i + d] = v; } break;
        case 'min': for (let i = s; i < e; i++) { const v = x[i]; if (v < acc[i + d] || v !== v) acc[i + d] = v; } break;
        case 'exp': for (let i = s; i < e; i++) acc[i + d] += Math.exp(x[i] - offset![i + d]); break;
      }
    }
  });
}

/** Reduce `x` over the flagged axes; result has one double per output element. */
export function reduceNumbers(kind: ReduceKind, x: Float64Array, shape: readonly number[], reduced: readonly boolean[]): Float64Array {
  let outSize = 1;
  let count = 1;
  shape.forEach((d, i) => { if (reduced[i]) count *= d; else outSize *= d; });
  const acc = new Float64Array(outSize);
  switch (kind) {
    case 'sum': case 'mean': case 'log_sum': foldRuns('sum', x, shape, reduced, acc); break;
    case 'l1': foldRuns('abs', x, shape, reduced, acc); break;
    case 'l2': case 'sum_square': foldRuns('square', x, shape, reduced, acc); break;
    case 'prod': acc.fill(1); foldRuns('prod', x, shape, reduced, acc); break;
    case 'max': acc.fill(-Infinity); foldRuns('max', x, shape, reduced, acc); break;
    case 'min': acc.fill(Infinity); foldRuns('min', x, shape, reduced, acc); break;
    case 'log_sum_exp': {
      const max = new Float64Array(outSize).fill(-Infinity);
      foldRuns('max', x, shape, reduced, max);
      // an infinite or NaN max cannot be subtracted; exp of the raw values gives the right limit there
      for (let i = 0; i < outSize; i++) if (!Number.isFinite(max[i])) max[i] = 0;
      foldRuns('exp', x, shape, reduced, acc, max);
      for (let i = 0; i < outSize; i++) acc[i] = Math.log(acc[i]) + max[i];
      break;
    }
  }
  switch (kind) {
    case 'mean': for (let i = 0; i < outSize; i++) acc[i] /= count; break;
    case 'l2': for (let i = 0; i < outSize; i++) acc[i] = Math.sqrt(acc[i]); break;
    case 'log_sum': for (let i = 0; i < outSize; i++) acc[i] = Math.log(acc[i]); break;
  }
  return acc;
}

/** Shape of a reduction's result, symbolic or static. */
function reducedShape<D extends Dim>(shape: readonly D[], axes: readonly number[], keepdims: boolean): (D | 1)[] {
  const out: (D | 1)[] = [];
  shape.forEach((d, i) => { if (!axes.includes(i)) out.push(d); else if (keepdims) out.push(1); });
  return out;
}

function isNoop(attrs: Attrs): boolean {
  const axes = attrs.axes as number[] | undefined;
  return (!axes || axes.length === 0) && attrs.noop_with_empty_axes === true;
}

const REDUCE_ATTRS = {
  axes: { kind: 'ints', optional: true, doc: 'axes to reduce; absent or empty means all axes unless noop_with_empty_axes' },
  keepdims: { kind: 'bool', default: true },
  noop_with_empty_axes: { kind: 'bool', default: false, doc: 'with no axes, return the input unchanged' },
} as const;

const REDUCE_SUMMARIES: Record<ReduceKind, string> = {
  sum: 'sum over axes',
  mean: 'arithmetic mean over axes',
  max: 'maximum over axes (NaN propagates; empty gives -inf)',
  min: 'minimum over axes (NaN propagates; empty gives +inf)',
  prod: 'product over axes',
  l1: 'sum of absolute values over axes',
  l2: 'square root of the sum of squares over axes',
  log_sum: 'log of the sum over axes',
  log_sum_exp: 'log of the sum of exponentials over axes, computed stably by subtracting the maximum',
  sum_square: 'sum of squares over axes',
};

const INT_REDUCTIONS: ReadonlySet<ReduceKind> = new Set(['sum', 'max', 'min', 'prod']);

for (const kind of Object.keys(REDUCE_SUMMARIES) as ReduceKind[]) {
  const name = `reduce_${kind}`;
  defineOp({
    name,
    summary: REDUCE_SUMMARIES[kind],
    traits: { reduction: true, viewInputs: [0] },
    inputs: ['data'],
    outputs: 1,
    attrs: { ...REDUCE_ATTRS },
    infer({ inputs, attrs }: InferCtx) {
      const [x] = expectInputs(name, inputs, 1);
      if (INT_REDUCTIONS.has(kind)) requireNumeric(name, x);
      else requireFloat(name, x);
      if (isNoop(attrs)) return [x];
      const axes = reductionAxes(name, attrs.axes as number[] | undefined, x.shape.length);
      return [{ dtype: x.dtype, shape: reducedShape(x.shape, axes, attrs.keepdims as boolean) }];
    },
    eval({ inputs, attrs }: EvalCtx) {
      const x = inputs[0]!;
      if (isNoop(attrs)) return [x];
      const axes = reductionAxes(name, attrs.axes as number[] | undefined, x.rank);
      const reduced = x.shape.map((_, i) => axes.includes(i));
      const values = reduceNumbers(kind, readF64(x), x.shape, reduced);
      return [tensorOf(x.dtype, reducedShape(x.shape, axes, attrs.keepdims as boolean), values)];
    },
    cost({ inputs, outputs, env }) {
      const c = defaultCost(inputs, outputs, env);
      const perElement = kind === 'log_sum_exp' ? 3 : 1;
      return { flops: perElement * numel(inputs[0]!, env), bytes: c.bytes };
    },
  });
}

function argReduce(name: 'arg_max' | 'arg_min') {
  const better = name === 'arg_max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  defineOp({
    name,
    summary: `index (i64) of the ${name === 'arg_max' ? 'largest' : 'smallest'} element along axis; the first one unless select_last_index; NaN wins`,
    inputs: ['data'],
    outputs: 1,
    attrs: {
      axis: { kind: 'int', default: 0 },
      keepdims: { kind: 'bool', default: true },
      select_last_index: { kind: 'bool', default: false },
    },
    infer({ inputs, attrs }) {
      const [x] = expectInputs(name, inputs, 1);
      requireNumeric(name, x);
      const axis = normAxis(attrs.axis as number, x.shape.length);
      return [{ dtype: 'i64', shape: reducedShape(x.shape, [axis], attrs.keepdims as boolean) }];
    },
    eval({ inputs, attrs }) {
      const x = inputs[0]!;
      const axis = normAxis(attrs.axis as number, x.rank);
      const { outer, n, inner } = splitAt(x.shape, axis);
      if (n === 0) throw new OpError(`${name} over an empty axis`);
      const last = attrs.select_last_index as boolean;
      const v = readF64(x);
      const out = new BigInt64Array(outer * inner);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const base = o * n * inner + i;
          let best = v[base];
          let at = 0;
          if (best === best)
            for (let j = 1; j < n; j++) {
              const c = v[base + j * inner];
              if (c !== c) { best = c; at = j; break; }
              if (better(c, best) || (last && c === best)) { best = c; at = j; }
            }
          out[o * inner + i] = BigInt(at);
        }
      return [new Tensor('i64', reducedShape(x.shape, [axis], attrs.keepdims as boolean), out)];
    },
  });
}
argReduce('arg_max');
argReduce('arg_min');

defineOp({
  name: 'cum_sum',
  summary: 'cumulative sum along axis; exclusive leaves out the element itself, reverse sums from the end',
  inputs: ['x'],
  outputs: 1,
  attrs: {
    axis: { kind: 'int' },
    exclusive: { kind: 'bool', default: false },
    reverse: { kind: 'bool', default: false },
  },
  infer({ inputs, attrs }) {
    const [x] = expectInputs('cum_sum', inputs, 1);
    requireNumeric('cum_sum', x);
    normAxis(attrs.axis as number, x.shape.length);
    return [x];
  },
  eval({ inputs, attrs }) {
    const x = inputs[0]!;
    const axis = normAxis(attrs.axis as number, x.rank);
    const { outer, n, inner } = splitAt(x.shape, axis);
    const exclusive = attrs.exclusive as boolean;
    const reverse = attrs.reverse as boolean;
    const v = readF64(x);
    const out = new Float64Array(v.length);
    const sums = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      sums.fill(0);
      for (let step = 0; step < n; step++) {
        const j = reverse ? n - 1 - step : step;
        const base = (o * n + j) * inner;
        for (let i = 0; i < inner; i++) {
          const xi = v[base + i];
          if (exclusive) { out[base + i] = sums[i]; sums[i] += xi; }
          else { sums[i] += xi; out[base + i] = sums[i]; }
        }
      }
    }
    return [tensorOf(x.dtype, x.shape, out)];
  },
});

defineOp({
  name: 'topk',
  summary: 'the k largest (or smallest) elements along axis and their i64 indices, sorted; equal values keep the lower index first; NaN counts as largest',
  inputs: ['x'],
  outputs: 2,
  attrs: {
    k: { kind: 'int' },
    axis: { kind: 'int', default: -1 },
    largest: { kind: 'bool', default: true },
    sorted: { kind: 'bool', default: true, doc: 'results are always sorted; unsorted order is unspecified by ONNX' },
  },
  infer({ inputs, attrs }) {
    const [x] = expectInputs('topk', inputs, 1);
    requireNumeric('topk', x);
    const axis = normAxis(attrs.axis as number, x.shape.length);
    const k = attrs.k as number;
    if (!Number.isInteger(k) || k < 0) throw new OpError(`topk k must be a non-negative integer, got ${k}`);
    const d = x.shape[axis];
    if (isStatic(d) && k > d) throw new OpError(`topk k = ${k} exceeds dim ${axis} of ${typeToString(x)}`);
    const shape = x.shape.slice();
    shape[axis] = k;
    return [{ dtype: x.dtype, shape }, { dtype: 'i64', shape }];
  },
  eval({ inputs, attrs }) {
    const x = inputs[0]!;
    const axis = normAxis(attrs.axis as number, x.rank);
    const k = attrs.k as number;
    const { outer, n, inner } = splitAt(x.shape, axis);
    if (k > n) throw new OpError(`topk k = ${k} exceeds dim ${axis} (${n})`);
    const largest = attrs.largest as boolean;
    const v = readF64(x);
    const shape = x.shape.slice();
    shape[axis] = k;
    const vals = new Float64Array(outer * k * inner);
    const idx = new BigInt64Array(outer * k * inner);
    const row = new Float64Array(n);
    const order = Array.from({ length: n }, (_, j) => j);
    // NaN orders as the largest value, as in ONNX Runtime; equal values keep index order
    const first = largest ? -1 : 1;
    const cmp = (a: number, b: number) => {
      const p = row[a], q = row[b];
      const pNaN = p !== p, qNaN = q !== q;
      if (pNaN || qNaN) return pNaN && qNaN ? a - b : pNaN ? first : -first;
      if (p === q) return a - b;
      return p > q ? first : -first;
    };
    // small k: keep a sorted buffer of the best k (most elements are rejected by one comparison)
    const useBuffer = k <= 64 && k < n;
    const best = new Int32Array(k);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        for (let j = 0; j < n; j++) row[j] = v[base + j * inner];
        let chosen: ArrayLike<number>;
        if (useBuffer) {
          let count = 0;
          for (let j = 0; j < n; j++) {
            if (count === k && cmp(j, best[k - 1]) >= 0) continue;
            let at = count < k ? count++ : k - 1;
            while (at > 0 && cmp(j, best[at - 1]) < 0) { best[at] = best[at - 1]; at--; }
            best[at] = j;
          }
          chosen = best;
        } else {
          for (let j = 0; j < n; j++) order[j] = j;
          order.sort(cmp);
          chosen = order;
        }
        const outBase = o * k * inner + i;
        for (let j = 0; j < k; j++) {
          vals[outBase + j * inner] = row[chosen[j]];
          idx[outBase + j * inner] = BigInt(chosen[j]);
        }
      }
    return [tensorOf(x.dtype, shape, vals), new Tensor('i64', shape, idx)];
  },
  cost({ inputs, outputs, attrs, env }): Cost {
    const c = defaultCost(inputs, outputs, env);
    const n = inputs[0]!.shape[normAxis(attrs.axis as number, inputs[0]!.shape.length)];
    const rowLength = evalDim(n, env);
    return { flops: numel(inputs[0]!, env) * Math.ceil(Math.log2(Math.max(2, rowLength))), bytes: c.bytes };
  },
});
