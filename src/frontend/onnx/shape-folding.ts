// Import-time evaluation of the integer "shape arithmetic" ONNX exporters emit (Shape, Gather,
// Slice, Concat, Unsqueeze, arithmetic ...) on vectors whose elements may be symbolic dims, so that
// a chain like Shape(x) -> Gather(0) -> Unsqueeze -> Concat([.., -1]) -> Reshape becomes one reshape
// with shape [N, -1]. Each folder returns undefined when it cannot decide; the node then runs.
import { DType, isInteger } from '../../ir/dtype.js';
import { Dim, dimAdd, dimEq, dimFloorDiv, dimMul, dimProduct, dimSub, isUnknown } from '../../ir/dim.js';
import { readInts } from '../../ir/tensor.js';
import { NodeCtx } from './node-context.js';
import { KnownValue, intVector, knownInts, typeOfKnown } from './values.js';

export type Folder = (cx: NodeCtx) => KnownValue[] | undefined;

/** A folder that only applies when some input is a symbolic vector (constants fold by evaluation). */
function onSymbolic(fold: Folder): Folder {
  return (cx) => (cx.node.inputs.some((_, i) => cx.known(i)?.kind === 'dims') ? fold(cx) : undefined);
}

/** Constant integers of input i or attribute `attr` (depending on opset), for folding only. */
function constInts(cx: NodeCtx, i: number, attr: string, inputSince: number): number[] | undefined {
  if (cx.opset < inputSince) return cx.intList(attr);
  const v = intVector(cx.known(i));
  if (!v || v.dims.some((d) => typeof d !== 'number')) return undefined;
  return v.dims as number[];
}

export const foldShape: Folder = (cx) => {
  const k = cx.known(0);
  if (!k) return undefined;
  const shape = typeOfKnown(k).shape;
  const rank = shape.length;
  const clamp = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  const start = cx.opset >= 15 ? clamp(cx.int('start', 0)) : 0;
  const end = cx.opset >= 15 ? clamp(cx.int('end', rank)) : rank;
  const dims = shape.slice(start, Math.max(start, end));
  if (dims.some(isUnknown)) return undefined;
  return [knownInts(dims, false, 'i64')];
};

export const foldSize: Folder = (cx) => {
  const k = cx.known(0);
  if (!k) return undefined;
  const shape = typeOfKnown(k).shape;
  if (shape.some(isUnknown)) return undefined;
  return [knownInts([dimProduct(shape)], true, 'i64')];
};

export const foldGather: Folder = onSymbolic((cx) => {
  const data = intVector(cx.known(0));
  const idx = cx.known(1);
  if (!data || data.scalar || idx?.kind !== 'const' || !isInteger(idx.tensor.dtype) || idx.tensor.rank > 1) return undefined;
  const axis = cx.int('axis', 0);
  if (axis !== 0 && axis !== -1) return undefined;
  const n = data.dims.length;
  const out: Dim[] = [];
  for (const i of readInts(idx.tensor)) {
    const j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) return undefined;
    out.push(data.dims[j]);
  }
  return [knownInts(out, idx.tensor.rank === 0, data.dtype)];
});

export const foldSlice: Folder = onSymbolic((cx) => {
  const data = intVector(cx.known(0));
  if (!data || data.scalar) return undefined;
  const starts = constInts(cx, 1, 'starts', 10);
  const ends = constInts(cx, 2, 'ends', 10);
  const axes = cx.opset >= 10 ? (cx.has(3) ? constInts(cx, 3, 'axes', 10) : [0]) : (cx.intList('axes') ?? [0]);
  const steps = cx.opset >= 10 && cx.has(4) ? constInts(cx, 4, 'steps', 10) : [1];
  if (!starts || !ends || !axes || !steps || starts.length !== 1 || ends.length !== 1) return undefined;
  if ((axes[0] !== 0 && axes[0] !== -1) || steps[0] === 0) return undefined;
  const n = data.dims.length;
  const step = steps[0];
  const clampIdx = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v < 0 ? v + n : v));
  const out: Dim[] = [];
  if (step > 0) {
    const s = clampIdx(starts[0], 0, n), e = clampIdx(ends[0], 0, n);
    for (let i = s; i < e; i += step) out.push(data.dims[i]);
  } else {
    const s = clampIdx(starts[0], -1, n - 1), e = clampIdx(ends[0], -1, n - 1);
    for (let i = s; i > e; i += step) out.push(data.dims[i]);
  }
  return [knownInts(out, false, data.dtype)];
});

export const foldConcat: Folder = onSymbolic((cx) => {
  const axis = cx.int('axis', 0);
  if (axis !== 0 && axis !== -1) return undefined;
  const parts = cx.node.inputs.map((_, i) => intVector(cx.known(i)));
  if (parts.some((p) => !p || p.scalar || p.dtype !== parts[0]!.dtype)) return undefined;
  return [knownInts(parts.flatMap((p) => p!.dims), false, parts[0]!.dtype)];
});

export const foldUnsqueeze: Folder = onSymbolic((cx) => {
  const data = intVector(cx.known(0));
  const axes = constInts(cx, 1, 'axes', 13);
  if (!data || !data.scalar || !axes || axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1)) return undefined;
  return [knownInts(data.dims, false, data.dtype)];
});

export const foldSqueeze: Folder = onSymbolic((cx) => {
  const data = intVector(cx.known(0));
  if (!data || data.scalar || data.dims.length !== 1) return undefined;
  const axes = cx.opset >= 13 ? (cx.has(1) ? constInts(cx, 1, 'axes', 13) : [0]) : (cx.intList('axes') ?? [0]);
  if (!axes || axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1)) return undefined;
  return [knownInts(data.dims, true, data.dtype)];
});

export const foldReshape: Folder = onSymbolic((cx) => {
  const data = intVector(cx.known(0));
  const shape = constInts(cx, 1, 'shape', 0);
  if (!data || !shape) return undefined;
  const n = data.dims.length;
  if (shape.length === 0 && n === 1) return [knownInts(data.dims, true, data.dtype)];
  if (shape.length === 1 && (shape[0] === -1 || shape[0] === n || (shape[0] === 0 && !data.scalar))) return [knownInts(data.dims, false, data.dtype)];
  return undefined;
});

export const foldCast: Folder = onSymbolic((cx) => {
  const data = intVector(cx.known(0));
  const to = cx.opType === 'CastLike' ? cx.type(1).dtype : cx.dtypeOf(cx.int('to', 0), 'target type');
  if (!data || !isInteger(to)) return undefined;
  return [knownInts(data.dims, data.scalar, to)];
});

type DimOp = (a: Dim, b: Dim) => Dim | undefined;

function foldElementwise(op: DimOp, resultDType?: DType): Folder {
  return onSymbolic((cx) => {
    const a = intVector(cx.known(0));
    const b = intVector(cx.known(1));
    if (!a || !b || a.dtype !== b.dtype) return undefined;
    const la = a.dims.length, lb = b.dims.length;
    if (la !== lb && la !== 1 && lb !== 1) return undefined;
    const out: Dim[] = [];
    for (let i = 0; i < Math.max(la, lb); i++) {
      const r = op(a.dims[la === 1 ? 0 : i], b.dims[lb === 1 ? 0 : i]);
      if (r === undefined) return undefined;
      out.push(r);
    }
    return [knownInts(out, a.scalar && b.scalar, resultDType ?? a.dtype)];
  });
}

/** Integer division truncates toward zero; symbolic dims are non-negative so floor agrees. */
const divDims: DimOp = (a, b) => {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? undefined : Math.trunc(a / b);
  if (typeof b === 'number') return b > 0 ? dimFloorDiv(a, b) : undefined;
  return dimEq(a, b) ? 1 : undefined;
};

/** 1 for equal, 0 for different; undefined when symbolic dims make it undecidable. */
const equalDims: DimOp = (a, b) => {
  if (dimEq(a, b)) return 1;
  if (typeof a === 'number' && typeof b === 'number') return 0;
  const other = typeof a === 'number' ? a : typeof b === 'number' ? b : undefined;
  return other !== undefined && other < 0 ? 0 : undefined;
};

export const foldAdd = foldElementwise(dimAdd);
export const foldSub = foldElementwise(dimSub);
export const foldMul = foldElementwise(dimMul);
export const foldDiv = foldElementwise(divDims);
export const foldEqual = foldElementwise(equalDims, 'bool');

export const foldWhere: Folder = onSymbolic((cx) => {
  const cond = cx.known(0);
  const x = intVector(cx.known(1));
  const y = intVector(cx.known(2));
  if (cond?.kind !== 'const' || cond.tensor.rank > 1 || !x || !y || x.dtype !== y.dtype) return undefined;
  const c = readInts(cond.tensor);
  const n = Math.max(c.length, x.dims.length, y.dims.length);
  if ([c.length, x.dims.length, y.dims.length].some((l) => l !== n && l !== 1)) return undefined;
  const pick = <T>(v: readonly T[], i: number) => v[v.length === 1 ? 0 : i];
  const out = Array.from({ length: n }, (_, i) => (pick(c, i) ? pick(x.dims, i) : pick(y.dims, i)));
  return [knownInts(out, cond.tensor.rank === 0 && x.scalar && y.scalar, x.dtype)];
});
