// Indexing ops: the gather and scatter families, compress, nonzero, one_hot, trilu, reverse_sequence.
import { Dim, dimEq, dimProduct, dimToString, isUnknown, unknownDim } from '../dim.js';
import { TensorType, tensorType, typeToString } from '../graph.js';
import { defineOp, OpError } from '../registry.js';
import { Tensor, readNumbers, sizeOf, stridesOf } from '../tensor.js';
import { expectInputs, normAxis } from './util.js';
import { Reduction, Slots, combiner, copyRun, indexValues, moveCost, requireIntegerDType, staticDim, storageValue, wrapIndex } from './shape-common.js';

function sameDims(a: Dim, b: Dim): boolean {
  return dimEq(a, b) || isUnknown(a) || isUnknown(b);
}

function reductionOf(op: string, r: unknown): Reduction {
  if (r !== 'none' && r !== 'add' && r !== 'mul' && r !== 'max' && r !== 'min') throw new OpError(`${op} reduction '${String(r)}' is not none, add, mul, max or min`);
  return r;
}

/** Visit every position of `shape` in row-major order with its coordinates (reused array). */
function forEachIndex(shape: readonly number[], visit: (flat: number, coord: readonly number[]) => void): void {
  const n = sizeOf(shape);
  const coord = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    visit(i, coord);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++coord[k] < shape[k]) break;
      coord[k] = 0;
    }
  }
}

// ---------------------------------------------------------------- gather family

defineOp({
  name: 'gather',
  summary: 'pick slices along an axis by index (negative indices count from the end)',
  inputs: ['data', 'indices'],
  outputs: 1,
  attrs: { axis: { kind: 'int', default: 0 } },
  infer: ({ inputs, attrs }) => {
    const [data, indices] = expectInputs('gather', inputs, 2);
    requireIntegerDType('gather', 'indices', indices);
    const a = normAxis(attrs.axis as number, data.shape.length, 'gather axis');
    return [tensorType(data.dtype, [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)])];
  },
  eval: ({ inputs, attrs }) => {
    const [data, indices] = inputs as Tensor[];
    const a = normAxis(attrs.axis as number, data.rank, 'gather axis');
    const out = Tensor.zeros(data.dtype, [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)]);
    const outer = sizeOf(data.shape.slice(0, a));
    const inner = sizeOf(data.shape.slice(a + 1));
    const d = data.shape[a];
    const idx = indexValues(indices);
    const rows = idx.map((i) => wrapIndex('gather', i, d));
    let o = 0;
    for (let b = 0; b < outer; b++)
      for (let k = 0; k < rows.length; k++, o += inner) copyRun(out.data, o, data.data, (b * d + rows[k]) * inner, inner);
    return [out];
  },
  cost: moveCost,
});

function elementsArgs(op: string, data: TensorType, indices: TensorType, axis: number): number {
  requireIntegerDType(op, 'indices', indices);
  if (indices.shape.length !== data.shape.length)
    throw new OpError(`${op} needs indices of the data's rank, got ${typeToString(indices)} for ${typeToString(data)}`);
  return normAxis(axis, data.shape.length, `${op} axis`);
}

defineOp({
  name: 'gather_elements',
  summary: 'out[i][j][k] = data[indices[i][j][k]][j][k] (for axis 0), same shape as indices',
  inputs: ['data', 'indices'],
  outputs: 1,
  attrs: { axis: { kind: 'int', default: 0 } },
  infer: ({ inputs, attrs }) => {
    const [data, indices] = expectInputs('gather_elements', inputs, 2);
    elementsArgs('gather_elements', data, indices, attrs.axis as number);
    return [tensorType(data.dtype, indices.shape)];
  },
  eval: ({ inputs, attrs }) => {
    const [data, indices] = inputs as Tensor[];
    const a = normAxis(attrs.axis as number, data.rank, 'gather_elements axis');
    const out = Tensor.zeros(data.dtype, indices.shape);
    const st = stridesOf(data.shape);
    const idx = indexValues(indices);
    const s: Slots = data.data, d: Slots = out.data;
    forEachIndex(indices.shape, (i, c) => {
      let off = 0;
      for (let k = 0; k < c.length; k++) {
        if (k !== a && c[k] >= data.shape[k]) throw new OpError(`gather_elements indices shape [${indices.shape.join(', ')}] exceeds data [${data.shape.join(', ')}]`);
        off += (k === a ? wrapIndex('gather_elements', idx[i], data.shape[a]) : c[k]) * st[k];
      }
      d[i] = s[off];
    });
    return [out];
  },
  cost: moveCost,
});

/** Checks gather_nd/scatter_nd index shapes; returns the index tuple length. */
function ndArgs(op: string, data: TensorType, indices: TensorType, batchDims: number): number {
  requireIntegerDType(op, 'indices', indices);
  const q = indices.shape.length, r = data.shape.length;
  if (q < 1) throw new OpError(`${op} needs indices of rank >= 1, got ${typeToString(indices)}`);
  const m = staticDim(op, indices.shape[q - 1], 'last indices dim');
  if (batchDims < 0 || batchDims >= Math.min(q, r + 1)) throw new OpError(`${op} batch_dims ${batchDims} is out of range`);
  if (m < 1 || m > r - batchDims) throw new OpError(`${op} index tuples of length ${m} do not fit ${typeToString(data)} with batch_dims ${batchDims}`);
  for (let i = 0; i < batchDims; i++)
    if (!sameDims(data.shape[i], indices.shape[i]))
      throw new OpError(`${op} batch dim ${i} differs: ${typeToString(data)} vs indices ${typeToString(indices)}`);
  return m;
}

defineOp({
  name: 'gather_nd',
  summary: 'pick slices addressed by index tuples in the last indices dim',
  inputs: ['data', 'indices'],
  outputs: 1,
  attrs: { batch_dims: { kind: 'int', default: 0 } },
  infer: ({ inputs, attrs }) => {
    const [data, indices] = expectInputs('gather_nd', inputs, 2);
    const b = attrs.batch_dims as number;
    const m = ndArgs('gather_nd', data, indices, b);
    return [tensorType(data.dtype, [...indices.shape.slice(0, -1), ...data.shape.slice(b + m)])];
  },
  eval: ({ inputs, attrs }) => {
    const [data, indices] = inputs as Tensor[];
    const b = attrs.batch_dims as number;
    const m = indices.shape[indices.rank - 1];
    const out = Tensor.zeros(data.dtype, [...indices.shape.slice(0, -1), ...data.shape.slice(b + m)]);
    const batches = sizeOf(data.shape.slice(0, b));
    const tuples = sizeOf(indices.shape.slice(b, -1));
    const inner = sizeOf(data.shape.slice(b + m));
    const batchStride = sizeOf(data.shape.slice(b));
    const st = stridesOf(data.shape);
    const idx = indexValues(indices);
    for (let bi = 0; bi < batches; bi++)
      for (let t = 0; t < tuples; t++) {
        const tuple = (bi * tuples + t) * m;
        let off = bi * batchStride;
        for (let i = 0; i < m; i++) off += wrapIndex('gather_nd', idx[tuple + i], data.shape[b + i]) * st[b + i];
        copyRun(out.data, (bi * tuples + t) * inner, data.data, off, inner);
      }
    return [out];
  },
  cost: moveCost,
});

// ---------------------------------------------------------------- scatter family

defineOp({
  name: 'scatter_elements',
  summary: 'copy of data with updates written (or combined) at positions given along an axis',
  inputs: ['data', 'indices', 'updates'],
  outputs: 1,
  attrs: { axis: { kind: 'int', default: 0 }, reduction: { kind: 'string', default: 'none' } },
  infer: ({ inputs, attrs }) => {
    const [data, indices, updates] = expectInputs('scatter_elements', inputs, 3);
    elementsArgs('scatter_elements', data, indices, attrs.axis as number);
    reductionOf('scatter_elements', attrs.reduction);
    if (updates.dtype !== data.dtype) throw new OpError(`scatter_elements updates ${typeToString(updates)} must have the dtype of data ${typeToString(data)}`);
    if (updates.shape.length !== indices.shape.length || !updates.shape.every((d, i) => sameDims(d, indices.shape[i])))
      throw new OpError(`scatter_elements updates ${typeToString(updates)} must have the shape of indices ${typeToString(indices)}`);
    return [data];
  },
  eval: ({ inputs, attrs }) => {
    const [data, indices, updates] = inputs as Tensor[];
    const a = normAxis(attrs.axis as number, data.rank, 'scatter_elements axis');
    const combine = combiner(data.dtype, reductionOf('scatter_elements', attrs.reduction));
    const out = new Tensor(data.dtype, data.shape, data.data.slice());
    const st = stridesOf(data.shape);
    const idx = indexValues(indices);
    const u: Slots = updates.data, d: Slots = out.data;
    forEachIndex(indices.shape, (i, c) => {
      let off = 0;
      for (let k = 0; k < c.length; k++) off += (k === a ? wrapIndex('scatter_elements', idx[i], data.shape[a]) : c[k]) * st[k];
      d[off] = combine(d[off], u[i]);
    });
    return [out];
  },
  cost: moveCost,
});

defineOp({
  name: 'scatter_nd',
  summary: 'copy of data with update slices written (or combined) at index tuples',
  inputs: ['data', 'indices', 'updates'],
  outputs: 1,
  attrs: { reduction: { kind: 'string', default: 'none' } },
  infer: ({ inputs, attrs }) => {
    const [data, indices, updates] = expectInputs('scatter_nd', inputs, 3);
    const m = ndArgs('scatter_nd', data, indices, 0);
    reductionOf('scatter_nd', attrs.reduction);
    const want = [...indices.shape.slice(0, -1), ...data.shape.slice(m)];
    if (updates.dtype !== data.dtype || updates.shape.length !== want.length || !updates.shape.every((d, i) => sameDims(d, want[i])))
      throw new OpError(`scatter_nd updates must be ${data.dtype}[${want.map(dimToString).join(', ')}], got ${typeToString(updates)}`);
    return [data];
  },
  eval: ({ inputs, attrs }) => {
    const [data, indices, updates] = inputs as Tensor[];
    const m = indices.shape[indices.rank - 1];
    const combine = combiner(data.dtype, reductionOf('scatter_nd', attrs.reduction));
    const out = new Tensor(data.dtype, data.shape, data.data.slice());
    const tuples = sizeOf(indices.shape.slice(0, -1));
    const inner = sizeOf(data.shape.slice(m));
    const st = stridesOf(data.shape);
    const idx = indexValues(indices);
    const u: Slots = updates.data, d: Slots = out.data;
    for (let t = 0; t < tuples; t++) {
      let off = 0;
      for (let i = 0; i < m; i++) off += wrapIndex('scatter_nd', idx[t * m + i], data.shape[i]) * st[i];
      for (let j = 0; j < inner; j++) d[off + j] = combine(d[off + j], u[t * inner + j]);
    }
    return [out];
  },
  cost: moveCost,
});

// ---------------------------------------------------------------- data-dependent shapes

/** Whether each storage element is non-zero (f16/bf16 -0 counts as zero). */
function nonZeroFlags(t: Tensor): Uint8Array {
  const s: Slots = t.data;
  const out = new Uint8Array(t.size);
  const half = t.dtype === 'f16' || t.dtype === 'bf16';
  for (let i = 0; i < out.length; i++) {
    const v = s[i];
    out[i] = half ? ((v as number) & 0x7fff ? 1 : 0) : v !== 0 && v !== 0n ? 1 : 0;
  }
  return out;
}

defineOp({
  name: 'compress',
  summary: 'keep the slices along an axis (or elements of the flattened input) where condition is true',
  inputs: ['input', 'condition'],
  outputs: 1,
  attrs: { axis: { kind: 'int', optional: true } },
  infer: ({ inputs, attrs }) => {
    const [x, cond] = expectInputs('compress', inputs, 2);
    if (cond.shape.length !== 1) throw new OpError(`compress condition must be 1-D, got ${typeToString(cond)}`);
    if (attrs.axis === undefined) return [tensorType(x.dtype, [unknownDim()])];
    const a = normAxis(attrs.axis as number, x.shape.length, 'compress axis');
    return [tensorType(x.dtype, x.shape.map((d, i) => (i === a ? unknownDim() : d)))];
  },
  eval: ({ inputs, attrs }) => {
    const [input, cond] = inputs as Tensor[];
    const x = attrs.axis === undefined ? input.reshape([input.size]) : input;
    const a = attrs.axis === undefined ? 0 : normAxis(attrs.axis as number, x.rank, 'compress axis');
    const flags = nonZeroFlags(cond);
    if (flags.length > x.shape[a]) throw new OpError(`compress condition has ${flags.length} entries, the axis only ${x.shape[a]}`);
    const keep: number[] = [];
    flags.forEach((f, i) => f && keep.push(i));
    const outer = sizeOf(x.shape.slice(0, a));
    const inner = sizeOf(x.shape.slice(a + 1));
    const out = Tensor.zeros(x.dtype, x.shape.map((d, i) => (i === a ? keep.length : d)));
    let o = 0;
    for (let b = 0; b < outer; b++)
      for (const k of keep) { copyRun(out.data, o, x.data, (b * x.shape[a] + k) * inner, inner); o += inner; }
    return [out];
  },
  cost: moveCost,
});

defineOp({
  name: 'nonzero',
  summary: 'coordinates of the non-zero elements, as i64 [rank, count]',
  inputs: ['x'],
  outputs: 1,
  attrs: {},
  infer: ({ inputs }) => {
    const [x] = expectInputs('nonzero', inputs, 1);
    return [tensorType('i64', [x.shape.length, unknownDim()])];
  },
  eval: ({ inputs }) => {
    const x = inputs[0]!;
    const flags = nonZeroFlags(x);
    let count = 0;
    for (const f of flags) count += f;
    const out = Tensor.zeros('i64', [x.rank, count]);
    const d = out.data as BigInt64Array;
    let j = 0;
    forEachIndex(x.shape, (i, c) => {
      if (!flags[i]) return;
      for (let k = 0; k < c.length; k++) d[k * count + j] = BigInt(c[k]);
      j++;
    });
    return [out];
  },
  cost: moveCost,
});

// ---------------------------------------------------------------- one_hot, trilu, reverse_sequence

defineOp({
  name: 'one_hot',
  summary: 'one-hot encoding: values[1] at each index along a new axis of size depth, values[0] elsewhere',
  inputs: ['indices', 'values'],
  outputs: 1,
  attrs: { depth: { kind: 'int' }, axis: { kind: 'int', default: -1 } },
  infer: ({ inputs, attrs }) => {
    const [indices, values] = expectInputs('one_hot', inputs, 2);
    if (indices.dtype === 'bool') throw new OpError(`one_hot needs numeric indices, got ${typeToString(indices)}`);
    if (!dimEq(dimProduct(values.shape), 2)) throw new OpError(`one_hot values must hold [off, on], got ${typeToString(values)}`);
    const depth = attrs.depth as number;
    if (!Number.isInteger(depth) || depth < 1) throw new OpError(`one_hot depth ${depth} must be a positive integer`);
    const a = normAxis(attrs.axis as number, indices.shape.length + 1, 'one_hot axis');
    return [tensorType(values.dtype, [...indices.shape.slice(0, a), depth, ...indices.shape.slice(a)])];
  },
  eval: ({ inputs, attrs }) => {
    const [indices, values] = inputs as Tensor[];
    const depth = attrs.depth as number;
    const a = normAxis(attrs.axis as number, indices.rank + 1, 'one_hot axis');
    const out = Tensor.zeros(values.dtype, [...indices.shape.slice(0, a), depth, ...indices.shape.slice(a)]);
    const v: Slots = values.data, d: Slots = out.data;
    for (let i = 0; i < d.length; i++) d[i] = v[0];
    const inner = sizeOf(indices.shape.slice(a));
    // ONNX allows float indices and truncates them
    const idx = readNumbers(indices);
    for (let p = 0; p < idx.length; p++) {
      const raw = Math.trunc(idx[p]);
      const k = raw < 0 ? raw + depth : raw;
      if (k < 0 || k >= depth) continue;
      const o = Math.floor(p / inner), i = p % inner;
      d[(o * depth + k) * inner + i] = v[1];
    }
    return [out];
  },
  cost: moveCost,
});

defineOp({
  name: 'trilu',
  summary: 'upper (j - i >= k) or lower (j - i <= k) triangle of the last two dims, zeros elsewhere',
  inputs: ['input'],
  outputs: 1,
  attrs: { upper: { kind: 'bool', default: true }, k: { kind: 'int', default: 0 } },
  infer: ({ inputs }) => {
    const [x] = expectInputs('trilu', inputs, 1);
    if (x.shape.length < 2) throw new OpError(`trilu needs rank >= 2, got ${typeToString(x)}`);
    return [x];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const out = new Tensor(x.dtype, x.shape, x.data.slice());
    const rows = x.shape[x.rank - 2], cols = x.shape[x.rank - 1];
    const k = attrs.k as number, upper = attrs.upper as boolean;
    const zero = storageValue(x.dtype, 0);
    const d: Slots = out.data;
    for (let m = 0, mats = x.size / (rows * cols || 1); m < mats; m++)
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) {
          const keep = upper ? j - i >= k : j - i <= k;
          if (!keep) d[(m * rows + i) * cols + j] = zero;
        }
    return [out];
  },
  cost: moveCost,
});

defineOp({
  name: 'reverse_sequence',
  summary: 'reverse the first sequence_lens[b] steps along time_axis of each batch entry',
  inputs: ['input', 'sequence_lens'],
  outputs: 1,
  attrs: { batch_axis: { kind: 'int', default: 1 }, time_axis: { kind: 'int', default: 0 } },
  infer: ({ inputs, attrs }) => {
    const [x, lens] = expectInputs('reverse_sequence', inputs, 2);
    requireIntegerDType('reverse_sequence', 'sequence_lens', lens);
    if (x.shape.length < 2) throw new OpError(`reverse_sequence needs rank >= 2, got ${typeToString(x)}`);
    const b = normAxis(attrs.batch_axis as number, x.shape.length, 'reverse_sequence batch_axis');
    const t = normAxis(attrs.time_axis as number, x.shape.length, 'reverse_sequence time_axis');
    if (b === t || b > 1 || t > 1) throw new OpError('reverse_sequence batch_axis and time_axis must be 0 and 1 in some order');
    if (lens.shape.length !== 1 || !sameDims(lens.shape[0], x.shape[b]))
      throw new OpError(`reverse_sequence sequence_lens must be [${dimToString(x.shape[b])}], got ${typeToString(lens)}`);
    return [x];
  },
  eval: ({ inputs, attrs }) => {
    const [x, lensT] = inputs as Tensor[];
    const b = normAxis(attrs.batch_axis as number, x.rank, 'batch_axis');
    const t = normAxis(attrs.time_axis as number, x.rank, 'time_axis');
    const lens = indexValues(lensT);
    const out = new Tensor(x.dtype, x.shape, x.data.slice());
    const st = stridesOf(x.shape);
    const inner = sizeOf(x.shape.slice(2));
    for (let bi = 0; bi < x.shape[b]; bi++) {
      const len = lens[bi];
      if (len < 0 || len > x.shape[t]) throw new OpError(`reverse_sequence length ${len} is out of range for ${x.shape[t]} steps`);
      for (let ti = 0; ti < len; ti++)
        copyRun(out.data, bi * st[b] + ti * st[t], x.data, bi * st[b] + (len - 1 - ti) * st[t], inner);
    }
    return [out];
  },
  cost: moveCost,
});
