// Pooling over 1, 2 or 3 spatial dims: max_pool (with optional indices), average_pool, lp_pool,
// and their global forms (ONNX semantics).
import { DType } from '../dtype.js';
import { Attrs, TensorType, tensorType, typeToString } from '../graph.js';
import { AttrSpec, Cost, defineOp, OpError } from '../registry.js';
import { DimEnv } from '../dim.js';
import { Tensor, readNumbers, sizeOf } from '../tensor.js';
import { bytesOf, expectInputs, numel } from './util.js';
import { Geometry3, Window, geometry3, readWindow, resolvePads, windowOutDim } from './linalg-window.js';
import { checkDType } from './linalg-matmul.js';

const FLOAT_DTYPES: readonly DType[] = ['f32', 'f16', 'bf16', 'f64'];
const MAX_POOL_DTYPES: readonly DType[] = [...FLOAT_DTYPES, 'i8', 'u8'];

const POOL_ATTRS: Record<string, AttrSpec> = {
  auto_pad: { kind: 'string', default: 'NOTSET', doc: 'NOTSET, SAME_UPPER, SAME_LOWER or VALID' },
  ceil_mode: { kind: 'bool', default: false },
  dilations: { kind: 'ints', optional: true },
  kernel_shape: { kind: 'ints' },
  pads: { kind: 'ints', optional: true, doc: '[x1_begin, x2_begin, ..., x1_end, x2_end, ...]' },
  strides: { kind: 'ints', optional: true },
};

function poolInput(op: string, inputs: (TensorType | null)[], dtypes: readonly DType[], maxRank: number): TensorType {
  const [x] = expectInputs(op, inputs, 1);
  checkDType(op, x, dtypes);
  if (x.shape.length < 3 || x.shape.length > maxRank)
    throw new OpError(`${op} needs an input of rank 3 to ${maxRank} ([N, C, spatial...]), got ${typeToString(x)}`);
  return x;
}

function inferWindowed(op: string, x: TensorType, attrs: Attrs): TensorType {
  const win = readWindow(op, attrs, x.shape.length - 2, null);
  return tensorType(x.dtype, [x.shape[0], x.shape[1], ...x.shape.slice(2).map((d, i) => windowOutDim(op, d, win, i))]);
}

function windowedCost(inputs: (TensorType | null)[], outputs: TensorType[], attrs: Attrs, env: DimEnv): Cost {
  const taps = sizeOf(attrs.kernel_shape as number[]);
  let bytes = bytesOf(inputs[0], env);
  for (const t of outputs) bytes += bytesOf(t, env);
  return { flops: numel(outputs[0], env) * taps, bytes };
}

type PoolMode = { kind: 'max' } | { kind: 'avg'; countIncludePad: boolean } | { kind: 'lp'; p: number };

interface PoolResult { values: Float64Array; indices: Float64Array | null; shape: number[] }

/**
 * Run a window reduction over every (n, c) plane. Taps outside the input are skipped; for
 * average pooling with count_include_pad they still count when they lie in the declared padding.
 */
function pool(op: string, x: Tensor, attrs: Attrs, mode: PoolMode, wantIndices: boolean, columnMajor: boolean): PoolResult {
  const win: Window = readWindow(op, attrs, x.rank - 2, null);
  const inSp = x.shape.slice(2);
  const outSp = inSp.map((d, i) => windowOutDim(op, d, win, i) as number);
  const g: Geometry3 = geometry3(win, inSp, outSp, resolvePads(win, inSp, outSp));
  const { inD, inH, inW, outD, outH, outW, kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW, eD, eH, eW } = g;
  const planes = x.shape[0] * x.shape[1];
  const inSize = inD * inH * inW;
  const outSize = outD * outH * outW;
  const xv = readNumbers(x);
  const values = new Float64Array(planes * outSize);
  const indices = wantIndices ? new Float64Array(planes * outSize) : null;
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * inSize;
    for (let oz = 0; oz < outD; oz++)
      for (let oy = 0; oy < outH; oy++)
        for (let ox = 0; ox < outW; ox++, o++) {
          let best = -Infinity;
          let bestAt = -1;
          let sum = 0;
          let taken = 0;
          let padded = 0;
          for (let kz = 0; kz < kD; kz++) {
            const iz = oz * sD - pD + kz * dD;
            if (iz < -pD || iz >= inD + eD) continue;
            for (let ky = 0; ky < kH; ky++) {
              const iy = oy * sH - pH + ky * dH;
              if (iy < -pH || iy >= inH + eH) continue;
              for (let kx = 0; kx < kW; kx++) {
                const ix = ox * sW - pW + kx * dW;
                if (ix < -pW || ix >= inW + eW) continue;
                padded++;
                if (iz < 0 || iz >= inD || iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
                const at = (iz * inH + iy) * inW + ix;
                const v = xv[base + at];
                taken++;
                if (mode.kind === 'max') {
                  if (bestAt < 0 || v > best) { best = v; bestAt = at; }
                } else if (mode.kind === 'avg') sum += v;
                else sum += Math.abs(v) ** mode.p;
              }
            }
          }
          if (mode.kind === 'max') {
            values[o] = best;
            if (indices) {
              const z = Math.floor(bestAt / (inH * inW)), y = Math.floor(bestAt / inW) % inH, xx = bestAt % inW;
              indices[o] = base + (columnMajor ? z + y * inD + xx * inD * inH : bestAt);
            }
          } else if (mode.kind === 'avg') values[o] = sum / (mode.countIncludePad ? padded : taken);
          else values[o] = sum ** (1 / mode.p);
        }
  }
  return { values, indices, shape: [x.shape[0], x.shape[1], ...outSp] };
}

defineOp({
  name: 'max_pool',
  traits: { window: true },
  summary: 'Max over sliding windows; the optional second output gives flat i64 indices of the maxima.',
  inputs: ['X'],
  outputs: 'variadic',
  attrs: {
    ...POOL_ATTRS,
    storage_order: { kind: 'int', default: 0, doc: '0: indices row-major, 1: column-major over the spatial dims' },
  },
  infer({ inputs, attrs, nOutputs }) {
    const x = poolInput('max_pool', inputs, MAX_POOL_DTYPES, 5);
    if (nOutputs !== 1 && nOutputs !== 2) throw new OpError(`max_pool has 1 or 2 outputs (values, indices), not ${nOutputs}`);
    if (attrs.storage_order !== 0 && attrs.storage_order !== 1) throw new OpError(`max_pool: storage_order must be 0 or 1, got ${String(attrs.storage_order)}`);
    const y = inferWindowed('max_pool', x, attrs);
    return nOutputs === 2 ? [y, tensorType('i64', y.shape)] : [y];
  },
  eval({ inputs, attrs, nOutputs, outTypes }) {
    const r = pool('max_pool', inputs[0]!, attrs, { kind: 'max' }, nOutputs === 2, attrs.storage_order === 1);
    const y = Tensor.fromNumbers(outTypes[0].dtype, r.shape, r.values);
    return r.indices ? [y, Tensor.fromNumbers('i64', r.shape, r.indices)] : [y];
  },
  cost: ({ inputs, outputs, attrs, env }) => windowedCost(inputs, outputs, attrs, env),
});

defineOp({
  name: 'average_pool',
  traits: { window: true },
  summary: 'Mean over sliding windows; count_include_pad decides whether padding counts in the divisor.',
  inputs: ['X'],
  outputs: 1,
  attrs: { ...POOL_ATTRS, count_include_pad: { kind: 'bool', default: false } },
  infer({ inputs, attrs }) {
    return [inferWindowed('average_pool', poolInput('average_pool', inputs, FLOAT_DTYPES, 5), attrs)];
  },
  eval({ inputs, attrs, outTypes }) {
    const r = pool('average_pool', inputs[0]!, attrs, { kind: 'avg', countIncludePad: attrs.count_include_pad === true }, false, false);
    return [Tensor.fromNumbers(outTypes[0].dtype, r.shape, r.values)];
  },
  cost: ({ inputs, outputs, attrs, env }) => windowedCost(inputs, outputs, attrs, env),
});

function checkP(op: string, p: number): void {
  if (!Number.isInteger(p) || p < 1) throw new OpError(`${op}: p must be a positive integer, got ${p}`);
}

defineOp({
  name: 'lp_pool',
  summary: 'p-norm over sliding windows: (sum |x|^p)^(1/p).',
  inputs: ['X'],
  outputs: 1,
  attrs: { ...POOL_ATTRS, p: { kind: 'int', default: 2 } },
  infer({ inputs, attrs }) {
    checkP('lp_pool', attrs.p as number);
    return [inferWindowed('lp_pool', poolInput('lp_pool', inputs, FLOAT_DTYPES, 5), attrs)];
  },
  eval({ inputs, attrs, outTypes }) {
    const r = pool('lp_pool', inputs[0]!, attrs, { kind: 'lp', p: attrs.p as number }, false, false);
    return [Tensor.fromNumbers(outTypes[0].dtype, r.shape, r.values)];
  },
  cost: ({ inputs, outputs, attrs, env }) => windowedCost(inputs, outputs, attrs, env),
});

type GlobalReduce = (plane: ArrayLike<number>, start: number, size: number, attrs: Attrs) => number;

function defineGlobalPool(name: string, summary: string, dtypes: readonly DType[], attrs: Record<string, AttrSpec>, reduce: GlobalReduce): void {
  defineOp({
    name,
    summary,
    inputs: ['X'],
    outputs: 1,
    attrs,
    infer({ inputs, attrs: a }) {
      if (a.p !== undefined) checkP(name, a.p as number);
      const x = poolInput(name, inputs, dtypes, Infinity);
      return [tensorType(x.dtype, [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)])];
    },
    eval({ inputs, attrs: a, outTypes }) {
      const x = inputs[0]!;
      const planes = x.shape[0] * x.shape[1];
      const size = sizeOf(x.shape.slice(2));
      const xv = readNumbers(x);
      const out = new Float64Array(planes);
      for (let p = 0; p < planes; p++) out[p] = reduce(xv, p * size, size, a);
      return [Tensor.fromNumbers(outTypes[0].dtype, [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)], out)];
    },
    cost({ inputs, outputs, env }) {
      return { flops: numel(inputs[0]!, env), bytes: bytesOf(inputs[0], env) + bytesOf(outputs[0], env) };
    },
  });
}

defineGlobalPool('global_average_pool', 'Mean over all spatial dims, keeping them as size 1.', FLOAT_DTYPES, {}, (v, s, n) => {
  let sum = 0;
  for (let i = s; i < s + n; i++) sum += v[i];
  return sum / n;
});

defineGlobalPool('global_max_pool', 'Max over all spatial dims, keeping them as size 1.', MAX_POOL_DTYPES, {}, (v, s, n) => {
  let best = v[s];
  for (let i = s + 1; i < s + n; i++) if (v[i] > best) best = v[i];
  return best;
});

defineGlobalPool('global_lp_pool', 'p-norm over all spatial dims, keeping them as size 1.', FLOAT_DTYPES, { p: { kind: 'int', default: 2 } }, (v, s, n, a) => {
  const p = a.p as number;
  let sum = 0;
  for (let i = s; i < s + n; i++) sum += Math.abs(v[i]) ** p;
  return sum ** (1 / p);
});
