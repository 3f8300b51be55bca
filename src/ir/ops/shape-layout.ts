// Layout ops: reshape family, transpose, expand, concat, split, slice, tile, pad, depth/space.
import { Dim, SymDim, dimAdd, dimEq, dimFloorDiv, dimMul, dimProduct, dimSub, dimToString, isStatic, isUnknown, unknownDim } from '../dim.js';
import { TensorType, tensorType, typeToString } from '../graph.js';
import { defineOp, OpError } from '../registry.js';
import { Tensor, sizeOf, stridesOf } from '../tensor.js';
import { broadcastIndex, broadcastShapes, broadcastStatic, expectInputs, normAxis, sameDType } from './util.js';
import { Slots, copyRun, gatherByAxisMaps, moveCost, shapeText, storageValue, stridedCopy } from './shape-common.js';

// ---------------------------------------------------------------- reshape family

/**
 * a / b when b is a single monomial (c * x * y ...) dividing every term of a; null otherwise. Reads
 * dim.ts's polynomial form (monomial keys join atom names with '·'); the product check guards it.
 */
function divideByMonomial(a: Dim, b: SymDim): Dim | null {
  if (b.poly.size !== 1 || typeof a === 'number') return null;
  const [[bMono, bCoef]] = [...b.poly];
  const bAtoms = bMono.split('·');
  const poly = new Map<string, number>();
  for (const [mono, coef] of a.poly) {
    if (coef % bCoef !== 0) return null;
    const rest = mono === '' ? [] : mono.split('·');
    for (const x of bAtoms) {
      const i = rest.indexOf(x);
      if (i < 0) return null;
      rest.splice(i, 1);
    }
    poly.set(rest.join('·'), coef / bCoef);
  }
  const q = SymDim.make(poly, new Map([...a.atoms, ...b.atoms]));
  return dimEq(dimMul(q, b), a) ? q : null;
}

/** The dim that -1 stands for in a reshape of `input` to `target`, or null when it cannot be derived. */
function inferredDim(input: readonly Dim[], target: readonly Dim[]): Dim | null {
  // cancel dims that appear on both sides, so [N, 512, 1, 1] -> [N, -1] leaves 512 / 1
  const num = [...input];
  const den: Dim[] = [];
  for (const t of target) {
    if (dimEq(t, -1)) continue;
    const i = num.findIndex((d) => dimEq(d, t));
    if (i >= 0 && !isStatic(t)) num.splice(i, 1);
    else den.push(t);
  }
  const total = dimProduct(num);
  const known = dimProduct(den);
  if (isStatic(known)) {
    if (known === 0) return null;
    const q = dimFloorDiv(total, known);
    return dimEq(dimMul(q, known), total) ? q : null;
  }
  return divideByMonomial(total, known as SymDim);
}

function reshapeType(x: TensorType, shape: readonly Dim[]): TensorType {
  const fail = (why: string): never => { throw new OpError(`reshape cannot make ${typeToString(x)} into ${shapeText(shape)}: ${why}`); };
  const minusOnes = shape.filter((d) => dimEq(d, -1)).length;
  if (minusOnes > 1) fail('-1 may appear only once');
  for (const d of shape) if (isStatic(d) && d < -1) fail(`dim ${d} is negative`);
  const total = dimProduct(x.shape);
  const anyUnknown = x.shape.some(isUnknown) || shape.some(isUnknown);
  if (minusOnes === 1) {
    const q = inferredDim(x.shape, shape);
    if (q === null) {
      if (!anyUnknown) fail(`${dimToString(total)} elements do not divide evenly`);
      return tensorType(x.dtype, shape.map((d) => (dimEq(d, -1) ? unknownDim() : d)));
    }
    if (isStatic(q) && q < 0) fail('the inferred dim is negative');
    return tensorType(x.dtype, shape.map((d) => (dimEq(d, -1) ? q : d)));
  }
  if (!anyUnknown && !dimEq(dimProduct(shape), total))
    fail(`${dimToString(total)} elements vs ${dimToString(dimProduct(shape))}`);
  return tensorType(x.dtype, shape);
}

function reshapeEval(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d));
  if (sizeOf(out) !== x.size || !out.every(Number.isInteger))
    throw new OpError(`reshape cannot make [${x.shape.join(', ')}] (${x.size} elements) into [${shape.join(', ')}]`);
  // tensors are immutable once produced, so the storage can be shared
  return x.reshape(out);
}

defineOp({
  name: 'reshape',
  traits: { alias: true, reshape: true, movement: true },
  summary: 'same elements, new shape; one dim may be -1 (inferred, symbolically too)',
  inputs: ['data'],
  outputs: 1,
  attrs: { shape: { kind: 'dims' } },
  infer: ({ inputs, attrs }) => [reshapeType(expectInputs('reshape', inputs, 1)[0], attrs.shape as Dim[])],
  eval: ({ inputs, attrs }) => [reshapeEval(inputs[0]!, attrs.shape as number[])],
  cost: moveCost,
});

function flattenAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a > rank) throw new OpError(`flatten axis ${axis} is out of range for rank ${rank}`);
  return a;
}

defineOp({
  name: 'flatten',
  traits: { alias: true, reshape: true, movement: true },
  summary: 'reshape to 2-D: dims before axis times dims from axis on',
  inputs: ['input'],
  outputs: 1,
  attrs: { axis: { kind: 'int', default: 1 } },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('flatten', inputs, 1);
    const a = flattenAxis(attrs.axis as number, x.shape.length);
    return [tensorType(x.dtype, [dimProduct(x.shape.slice(0, a)), dimProduct(x.shape.slice(a))])];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const a = flattenAxis(attrs.axis as number, x.rank);
    return [x.reshape([sizeOf(x.shape.slice(0, a)), sizeOf(x.shape.slice(a))])];
  },
  cost: moveCost,
});

function normAxes(op: string, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => normAxis(a, rank, `${op} axis`));
  if (new Set(out).size !== out.length) throw new OpError(`${op} axes [${axes.join(', ')}] repeat an axis`);
  return out;
}

defineOp({
  name: 'squeeze',
  traits: { alias: true, reshape: true, movement: true },
  summary: 'remove dims of size 1 (the listed axes, or every static 1)',
  inputs: ['data'],
  outputs: 1,
  attrs: { axes: { kind: 'ints', optional: true } },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('squeeze', inputs, 1);
    if (attrs.axes === undefined) return [tensorType(x.dtype, x.shape.filter((d) => !dimEq(d, 1)))];
    const axes = normAxes('squeeze', attrs.axes as number[], x.shape.length);
    for (const a of axes)
      if (!dimEq(x.shape[a], 1) && !isUnknown(x.shape[a]))
        throw new OpError(`squeeze axis ${a} of ${typeToString(x)} has size ${dimToString(x.shape[a])}, not 1`);
    return [tensorType(x.dtype, x.shape.filter((_, i) => !axes.includes(i)))];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const axes = attrs.axes === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normAxes('squeeze', attrs.axes as number[], x.rank);
    for (const a of axes) if (x.shape[a] !== 1) throw new OpError(`squeeze axis ${a} of [${x.shape.join(', ')}] is not 1`);
    return [x.reshape(x.shape.filter((_, i) => !axes.includes(i)))];
  },
  cost: moveCost,
});

function unsqueezeShape<D>(shape: readonly D[], axes: readonly number[], one: D): D[] {
  const rank = shape.length + axes.length;
  const at = normAxes('unsqueeze', axes, rank);
  const out: D[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(at.includes(i) ? one : shape[j++]);
  return out;
}

defineOp({
  name: 'unsqueeze',
  traits: { alias: true, reshape: true, movement: true },
  summary: 'insert dims of size 1 at the given axes (negative axes count from the output rank)',
  inputs: ['data'],
  outputs: 1,
  attrs: { axes: { kind: 'ints' } },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('unsqueeze', inputs, 1);
    return [tensorType(x.dtype, unsqueezeShape<Dim>(x.shape, attrs.axes as number[], 1))];
  },
  eval: ({ inputs, attrs }) => [inputs[0]!.reshape(unsqueezeShape(inputs[0]!.shape, attrs.axes as number[], 1))],
  cost: moveCost,
});

// ---------------------------------------------------------------- transpose, expand

function permOf(perm: readonly number[] | undefined, rank: number): number[] {
  if (perm === undefined) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const ok = perm.length === rank && new Set(perm).size === rank && perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank);
  if (!ok) throw new OpError(`transpose perm [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  return [...perm];
}

defineOp({
  name: 'transpose',
  traits: { movement: true },
  summary: 'permute axes (default: reverse them)',
  inputs: ['data'],
  outputs: 1,
  attrs: { perm: { kind: 'ints', optional: true } },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('transpose', inputs, 1);
    const perm = permOf(attrs.perm as number[] | undefined, x.shape.length);
    return [tensorType(x.dtype, perm.map((p) => x.shape[p]))];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const perm = permOf(attrs.perm as number[] | undefined, x.rank);
    const st = stridesOf(x.shape);
    return [stridedCopy(x, perm.map((p) => x.shape[p]), perm.map((p) => st[p]), 0)];
  },
  cost: moveCost,
});

defineOp({
  name: 'expand',
  traits: { movement: true },
  summary: 'broadcast to a shape (bidirectional: the result is the broadcast of both shapes)',
  inputs: ['input'],
  outputs: 1,
  attrs: { shape: { kind: 'dims' } },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('expand', inputs, 1);
    return [tensorType(x.dtype, broadcastShapes([x.shape, attrs.shape as Dim[]]))];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const shape = broadcastStatic([x.shape, attrs.shape as number[]]);
    const out = Tensor.zeros(x.dtype, shape);
    const idx = broadcastIndex(x.shape, shape);
    const s: Slots = x.data, d: Slots = out.data;
    for (let i = 0; i < idx.length; i++) d[i] = s[idx[i]];
    return [out];
  },
  cost: moveCost,
});

// ---------------------------------------------------------------- concat, split

defineOp({
  name: 'concat',
  summary: 'join tensors along an axis',
  inputs: ['inputs'],
  variadic: true,
  minInputs: 1,
  outputs: 1,
  attrs: { axis: { kind: 'int' } },
  infer: ({ inputs, attrs }) => {
    const xs = expectInputs('concat', inputs, inputs.length);
    if (xs.length === 0) throw new OpError('concat needs at least one input');
    sameDType('concat', xs);
    const rank = xs[0].shape.length;
    const a = normAxis(attrs.axis as number, rank, 'concat axis');
    let total: Dim = 0;
    for (const x of xs) {
      if (x.shape.length !== rank) throw new OpError(`concat needs inputs of one rank, got ${xs.map(typeToString).join(' and ')}`);
      for (let i = 0; i < rank; i++)
        if (i !== a && !dimEq(x.shape[i], xs[0].shape[i]) && !isUnknown(x.shape[i]) && !isUnknown(xs[0].shape[i]))
          throw new OpError(`concat along axis ${a}: ${typeToString(x)} and ${typeToString(xs[0])} differ in dim ${i}`);
      total = dimAdd(total, x.shape[a]);
    }
    return [tensorType(xs[0].dtype, xs[0].shape.map((d, i) => (i === a ? total : d)))];
  },
  eval: ({ inputs, attrs }) => {
    const xs = inputs as Tensor[];
    const a = normAxis(attrs.axis as number, xs[0].rank, 'concat axis');
    const shape = [...xs[0].shape];
    shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
    for (const x of xs)
      if (x.rank !== shape.length || x.shape.some((d, i) => i !== a && d !== shape[i]))
        throw new OpError(`concat along axis ${a}: shapes ${xs.map((t) => `[${t.shape.join(', ')}]`).join(' and ')} differ`);
    const out = Tensor.zeros(xs[0].dtype, shape);
    const outer = sizeOf(shape.slice(0, a));
    const inner = sizeOf(shape.slice(a + 1));
    const rowLen = shape[a] * inner;
    let colOff = 0;
    for (const x of xs) {
      const run = x.shape[a] * inner;
      for (let o = 0; o < outer; o++) copyRun(out.data, o * rowLen + colOff, x.data, o * run, run);
      colOff += run;
    }
    return [out];
  },
  cost: moveCost,
});

function splitSizes(op: string, dim: Dim, split: readonly number[] | undefined, n: number): Dim[] {
  if (split !== undefined) {
    if (split.length !== n) throw new OpError(`${op} has ${split.length} sizes but ${n} outputs`);
    if (split.some((s) => !Number.isInteger(s) || s < 0)) throw new OpError(`${op} sizes [${split.join(', ')}] must be non-negative integers`);
    const sum = split.reduce((a, b) => a + b, 0);
    if (!isUnknown(dim) && !dimEq(dim, sum)) throw new OpError(`${op} sizes [${split.join(', ')}] sum to ${sum}, but the dim is ${dimToString(dim)}`);
    return [...split];
  }
  // equal parts, the last one smaller when the dim does not divide (ONNX num_outputs)
  if (!isStatic(dim)) {
    const q = dimFloorDiv(dim, n);
    if (!dimEq(dimMul(q, n), dim)) throw new OpError(`${op} cannot divide symbolic dim ${dimToString(dim)} into ${n} equal parts`);
    return new Array<Dim>(n).fill(q);
  }
  const part = Math.ceil(dim / n);
  return Array.from({ length: n }, (_, i) => Math.max(0, Math.min(part, dim - i * part)));
}

defineOp({
  name: 'split',
  summary: 'cut a tensor along an axis into parts of the given sizes (equal parts when absent)',
  inputs: ['input'],
  outputs: 'variadic',
  attrs: { axis: { kind: 'int', default: 0 }, split: { kind: 'ints', optional: true } },
  infer: ({ inputs, attrs, nOutputs }) => {
    const [x] = expectInputs('split', inputs, 1);
    const a = normAxis(attrs.axis as number, x.shape.length, 'split axis');
    const sizes = splitSizes('split', x.shape[a], attrs.split as number[] | undefined, nOutputs);
    return sizes.map((s) => tensorType(x.dtype, x.shape.map((d, i) => (i === a ? s : d))));
  },
  eval: ({ inputs, attrs, nOutputs }) => {
    const x = inputs[0]!;
    const a = normAxis(attrs.axis as number, x.rank, 'split axis');
    const sizes = splitSizes('split', x.shape[a], attrs.split as number[] | undefined, nOutputs) as number[];
    const outer = sizeOf(x.shape.slice(0, a));
    const inner = sizeOf(x.shape.slice(a + 1));
    const rowLen = x.shape[a] * inner;
    let colOff = 0;
    return sizes.map((s) => {
      const out = Tensor.zeros(x.dtype, x.shape.map((d, i) => (i === a ? s : d)));
      const run = s * inner;
      for (let o = 0; o < outer; o++) copyRun(out.data, o * run, x.data, o * rowLen + colOff, run);
      colOff += run;
      return out;
    });
  },
  cost: moveCost,
});

// ---------------------------------------------------------------- slice

/** Bounds at or beyond this magnitude mean "to the end" (exporters write INT64_MAX or INT32_MAX). */
const HUGE = 2 ** 31 - 1;

interface AxisSlice { axis: number; start: number; end: number; step: number }

function sliceSpecs(attrs: Record<string, unknown>, rank: number): AxisSlice[] {
  const starts = attrs.starts as number[], ends = attrs.ends as number[];
  const axes = (attrs.axes as number[] | undefined) ?? starts.map((_, i) => i);
  const steps = (attrs.steps as number[] | undefined) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length)
    throw new OpError(`slice starts, ends, axes and steps must have one length, got ${starts.length}, ${ends.length}, ${axes.length}, ${steps.length}`);
  const norm = normAxes('slice', axes, rank);
  return norm.map((axis, i) => {
    if (steps[i] === 0 || !Number.isInteger(steps[i])) throw new OpError(`slice step ${steps[i]} on axis ${axis} must be a non-zero integer`);
    return { axis, start: starts[i], end: ends[i], step: steps[i] };
  });
}

/** ONNX clamping: the first index and the element count of a slice of a dim of size d. */
function sliceRange(s: AxisSlice, d: number): { first: number; count: number } {
  let start = s.start < 0 ? s.start + d : s.start;
  let end = s.end < 0 ? s.end + d : s.end;
  if (s.step > 0) {
    start = Math.min(Math.max(start, 0), d);
    end = Math.min(Math.max(end, 0), d);
  } else {
    start = Math.min(Math.max(start, 0), d - 1);
    end = Math.min(Math.max(end, -1), d - 1);
  }
  return { first: start, count: Math.max(0, Math.ceil((end - start) / s.step)) };
}

/**
 * The sliced size of a symbolic dim. Full-range slices keep the dim; a slice from a fixed start to
 * the end gives d - start (or -start for a negative start); other symbolic slices are rejected.
 */
function symbolicSliceDim(s: AxisSlice, d: Dim, x: TensorType): Dim {
  if (s.step === 1 && s.end >= HUGE && s.start > -HUGE) return s.start >= 0 ? dimSub(d, s.start) : -s.start;
  if (s.step === 1 && s.start <= -HUGE && s.end >= HUGE) return d;
  if (s.step === -1 && (s.start === -1 || s.start >= HUGE) && s.end <= -HUGE) return d;
  throw new OpError(`slice [${s.start}:${s.end}:${s.step}] of symbolic dim ${dimToString(d)} (axis ${s.axis} of ${typeToString(x)}) needs a static dim`);
}

defineOp({
  name: 'slice',
  traits: { movement: true },
  summary: 'strided sub-range along some axes (ONNX clamping; negative steps walk backwards)',
  inputs: ['data'],
  outputs: 1,
  attrs: {
    starts: { kind: 'ints' },
    ends: { kind: 'ints' },
    axes: { kind: 'ints', optional: true },
    steps: { kind: 'ints', optional: true },
  },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('slice', inputs, 1);
    const shape = [...x.shape];
    for (const s of sliceSpecs(attrs, x.shape.length)) {
      const d = x.shape[s.axis];
      shape[s.axis] = isStatic(d) ? sliceRange(s, d).count : symbolicSliceDim(s, d, x);
    }
    return [tensorType(x.dtype, shape)];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const st = stridesOf(x.shape);
    const shape = [...x.shape];
    const strides = [...st];
    let base = 0;
    for (const s of sliceSpecs(attrs, x.rank)) {
      const { first, count } = sliceRange(s, x.shape[s.axis]);
      shape[s.axis] = count;
      strides[s.axis] = st[s.axis] * s.step;
      if (count > 0) base += first * st[s.axis];
    }
    return [stridedCopy(x, shape, strides, base)];
  },
  cost: moveCost,
});

// ---------------------------------------------------------------- tile, pad

defineOp({
  name: 'tile',
  summary: 'repeat the tensor along each axis',
  inputs: ['input'],
  outputs: 1,
  attrs: { repeats: { kind: 'ints' } },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('tile', inputs, 1);
    const reps = attrs.repeats as number[];
    if (reps.length !== x.shape.length || reps.some((r) => !Number.isInteger(r) || r < 0))
      throw new OpError(`tile repeats [${reps.join(', ')}] must be ${x.shape.length} non-negative integers for ${typeToString(x)}`);
    return [tensorType(x.dtype, x.shape.map((d, i) => dimMul(d, reps[i])))];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const reps = attrs.repeats as number[];
    const shape = x.shape.map((d, i) => d * reps[i]);
    const out = Tensor.zeros(x.dtype, shape);
    if (out.size === 0) return [out];
    const inSt = stridesOf(x.shape), outSt = stridesOf(shape);
    const rank = shape.length;
    if (rank === 0) { copyRun(out.data, 0, x.data, 0, 1); return [out]; }
    // fill the first copy of each block from the input, then duplicate the finished block
    const fill = (k: number, src: number, dst: number): void => {
      if (k === rank - 1) copyRun(out.data, dst, x.data, src, x.shape[k]);
      else for (let i = 0; i < x.shape[k]; i++) fill(k + 1, src + i * inSt[k], dst + i * outSt[k]);
      const block = x.shape[k] * outSt[k];
      for (let r = 1; r < reps[k]; r++) copyRun(out.data, dst + r * block, out.data, dst, block);
    };
    fill(0, 0, 0);
    return [out];
  },
  cost: moveCost,
});

type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

/** Source index for padded position i (relative to the original start) of a dim of size d; -1 = fill. */
function padSource(mode: PadMode, i: number, d: number): number {
  if (i >= 0 && i < d) return i;
  switch (mode) {
    case 'constant': return -1;
    case 'edge': return i < 0 ? 0 : d - 1;
    case 'wrap': return ((i % d) + d) % d;
    case 'reflect': {
      if (d === 1) return 0;
      const period = 2 * (d - 1);
      const m = ((i % period) + period) % period;
      return m < d ? m : period - m;
    }
  }
}

function padArgs(op: string, pads: readonly number[], rank: number, mode: string): PadMode {
  if (pads.length !== 2 * rank) throw new OpError(`${op} needs ${2 * rank} pads (begins then ends) for rank ${rank}, got ${pads.length}`);
  if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode)) throw new OpError(`${op} mode '${mode}' is not constant, reflect, edge or wrap`);
  return mode as PadMode;
}

defineOp({
  name: 'pad',
  summary: 'pad (or, with negative pads, crop) each axis; constant, reflect, edge or wrap',
  inputs: ['data'],
  outputs: 1,
  attrs: {
    pads: { kind: 'ints' },
    mode: { kind: 'string', default: 'constant' },
    value: { kind: 'float', default: 0 },
  },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('pad', inputs, 1);
    const r = x.shape.length;
    const pads = attrs.pads as number[];
    const mode = padArgs('pad', pads, r, attrs.mode as string);
    const shape = x.shape.map((d, i) => {
      const out = dimAdd(d, pads[i] + pads[i + r]);
      if (isStatic(out) && out < 0) throw new OpError(`pad [${pads.join(', ')}] crops axis ${i} of ${typeToString(x)} below zero`);
      if (mode !== 'constant' && dimEq(d, 0) && !dimEq(out, 0)) throw new OpError(`pad mode '${mode}' cannot pad an empty axis ${i}`);
      return out;
    });
    return [tensorType(x.dtype, shape)];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const r = x.rank;
    const pads = attrs.pads as number[];
    const mode = padArgs('pad', pads, r, attrs.mode as string);
    const maps = x.shape.map((d, k) => {
      const n = d + pads[k] + pads[k + r];
      if (n < 0) throw new OpError(`pad [${pads.join(', ')}] crops axis ${k} of [${x.shape.join(', ')}] below zero`);
      if (mode !== 'constant' && d === 0 && n > 0) throw new OpError(`pad mode '${mode}' cannot pad an empty axis ${k}`);
      const m = new Int32Array(n);
      for (let o = 0; o < n; o++) m[o] = padSource(mode, o - pads[k], d);
      return m;
    });
    return [gatherByAxisMaps(x, maps, storageValue(x.dtype, attrs.value as number))];
  },
  cost: moveCost,
});

// ---------------------------------------------------------------- depth_to_space, space_to_depth

function blockOf(op: string, attrs: Record<string, unknown>): number {
  const b = attrs.blocksize as number;
  if (!Number.isInteger(b) || b < 1) throw new OpError(`${op} blocksize ${b} must be a positive integer`);
  return b;
}

function exactDiv(op: string, d: Dim, by: number, what: string): Dim {
  const q = dimFloorDiv(d, by);
  if (!dimEq(dimMul(q, by), d)) throw new OpError(`${op} needs ${what} ${dimToString(d)} divisible by ${by}`);
  return q;
}

function rank4(op: string, x: TensorType): void {
  if (x.shape.length !== 4) throw new OpError(`${op} needs a 4-D [N, C, H, W] input, got ${typeToString(x)}`);
}

defineOp({
  name: 'depth_to_space',
  summary: 'move channel blocks into spatial blocks (mode DCR or CRD)',
  inputs: ['input'],
  outputs: 1,
  attrs: { blocksize: { kind: 'int' }, mode: { kind: 'string', default: 'DCR' } },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('depth_to_space', inputs, 1);
    rank4('depth_to_space', x);
    const b = blockOf('depth_to_space', attrs);
    if (attrs.mode !== 'DCR' && attrs.mode !== 'CRD') throw new OpError(`depth_to_space mode '${attrs.mode}' is not DCR or CRD`);
    const [n, c, h, w] = x.shape;
    return [tensorType(x.dtype, [n, exactDiv('depth_to_space', c, b * b, 'channels'), dimMul(h, b), dimMul(w, b)])];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const b = blockOf('depth_to_space', attrs);
    const [n, c, h, w] = x.shape;
    const co = c / (b * b);
    const hw = h * w;
    // strides of the (block, block, channel) split of the input channels, per mode
    const [sb1, sb2, sc] = attrs.mode === 'DCR' ? [b * co * hw, co * hw, hw] : [b * hw, hw, b * b * hw];
    return [stridedCopy(x, [n, co, h, b, w, b], [c * hw, sc, w, sb1, 1, sb2], 0).reshape([n, co, h * b, w * b])];
  },
  cost: moveCost,
});

defineOp({
  name: 'space_to_depth',
  summary: 'move spatial blocks into channels',
  inputs: ['input'],
  outputs: 1,
  attrs: { blocksize: { kind: 'int' } },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('space_to_depth', inputs, 1);
    rank4('space_to_depth', x);
    const b = blockOf('space_to_depth', attrs);
    const [n, c, h, w] = x.shape;
    return [tensorType(x.dtype, [n, dimMul(c, b * b), exactDiv('space_to_depth', h, b, 'height'), exactDiv('space_to_depth', w, b, 'width')])];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const b = blockOf('space_to_depth', attrs);
    const [n, c, h, w] = x.shape;
    const ho = h / b, wo = w / b;
    return [stridedCopy(x, [n, b, b, c, ho, wo], [c * h * w, w, 1, h * w, b * w, b], 0).reshape([n, c * b * b, ho, wo])];
  },
  cost: moveCost,
});
