// Ops that create tensors: constant, constant_of_shape, range, eye_like, and the shape queries
// shape and size (their values depend on the runtime shape of the input).
import { Dim } from '../dim.js';
import { DType } from '../dtype.js';
import { tensorType, typeToString } from '../graph.js';
import { defineOp, OpError } from '../registry.js';
import { Tensor } from '../tensor.js';
import { expectInputs } from './util.js';
import { Slots, moveCost, storageValue } from './shape-common.js';

defineOp({
  name: 'constant',
  summary: 'a tensor given as an attribute',
  inputs: [],
  outputs: 1,
  attrs: { value: { kind: 'tensor' } },
  infer: ({ attrs }) => {
    const t = attrs.value as Tensor;
    return [tensorType(t.dtype, t.shape)];
  },
  eval: ({ attrs }) => [attrs.value as Tensor],
  cost: moveCost,
});

function fillValue(value: Tensor | undefined): Tensor {
  const v = value ?? Tensor.scalar('f32', 0);
  if (v.size !== 1) throw new OpError(`constant_of_shape value must hold one element, got ${typeToString(v)}`);
  return v;
}

defineOp({
  name: 'constant_of_shape',
  summary: 'a tensor of the given shape filled with one value (default f32 0)',
  inputs: [],
  outputs: 1,
  attrs: { shape: { kind: 'dims' }, value: { kind: 'tensor', optional: true } },
  infer: ({ attrs }) => {
    const shape = attrs.shape as Dim[];
    if (shape.some((d) => typeof d === 'number' && (d < 0 || !Number.isInteger(d))))
      throw new OpError(`constant_of_shape shape [${shape.join(', ')}] must hold non-negative integers`);
    return [tensorType(fillValue(attrs.value as Tensor | undefined).dtype, shape)];
  },
  eval: ({ attrs }) => {
    const v = fillValue(attrs.value as Tensor | undefined);
    const out = Tensor.zeros(v.dtype, attrs.shape as number[]);
    const s: Slots = v.data, d: Slots = out.data;
    for (let i = 0; i < d.length; i++) d[i] = s[0];
    return [out];
  },
  cost: moveCost,
});

function rangeCount(start: number, limit: number, delta: number): number {
  if (delta === 0 || !Number.isFinite(delta)) throw new OpError(`range delta ${delta} must be a non-zero number`);
  return Math.max(Math.ceil((limit - start) / delta), 0);
}

defineOp({
  name: 'range',
  summary: 'start, start + delta, ... up to (not including) limit',
  inputs: [],
  outputs: 1,
  attrs: {
    start: { kind: 'float' },
    limit: { kind: 'float' },
    delta: { kind: 'float', default: 1 },
    dtype: { kind: 'dtype', default: 'f32' },
  },
  infer: ({ attrs }) => [tensorType(attrs.dtype as DType, [rangeCount(attrs.start as number, attrs.limit as number, attrs.delta as number)])],
  eval: ({ attrs }) => {
    const start = attrs.start as number, delta = attrs.delta as number;
    const n = rangeCount(start, attrs.limit as number, delta);
    return [Tensor.fromNumbers(attrs.dtype as DType, [n], Array.from({ length: n }, (_, i) => start + i * delta))];
  },
  cost: moveCost,
});

defineOp({
  name: 'eye_like',
  summary: 'a 2-D tensor of the input shape with ones on diagonal k',
  inputs: ['input'],
  outputs: 1,
  attrs: { dtype: { kind: 'dtype', optional: true }, k: { kind: 'int', default: 0 } },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('eye_like', inputs, 1);
    if (x.shape.length !== 2) throw new OpError(`eye_like needs a 2-D input, got ${typeToString(x)}`);
    return [tensorType((attrs.dtype as DType | undefined) ?? x.dtype, x.shape)];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const out = Tensor.zeros((attrs.dtype as DType | undefined) ?? x.dtype, x.shape);
    const [rows, cols] = x.shape;
    const k = attrs.k as number;
    const one = storageValue(out.dtype, 1);
    const d: Slots = out.data;
    for (let i = 0; i < rows; i++) if (i + k >= 0 && i + k < cols) d[i * cols + i + k] = one;
    return [out];
  },
  cost: moveCost,
});

/** The [start, end) axis range of shape's output, clamped as ONNX does. */
function shapeRange(rank: number, start: number, end: number | undefined): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const s = clamp(start), e = clamp(end ?? rank);
  return [s, Math.max(e, s)];
}

defineOp({
  name: 'shape',
  summary: 'the runtime shape of the input (dims start..end) as i64',
  inputs: ['data'],
  outputs: 1,
  attrs: { start: { kind: 'int', default: 0 }, end: { kind: 'int', optional: true } },
  infer: ({ inputs, attrs }) => {
    const [x] = expectInputs('shape', inputs, 1);
    const [s, e] = shapeRange(x.shape.length, attrs.start as number, attrs.end as number | undefined);
    return [tensorType('i64', [e - s])];
  },
  eval: ({ inputs, attrs }) => {
    const x = inputs[0]!;
    const [s, e] = shapeRange(x.rank, attrs.start as number, attrs.end as number | undefined);
    return [Tensor.fromNumbers('i64', [e - s], x.shape.slice(s, e))];
  },
  cost: moveCost,
});

defineOp({
  name: 'size',
  summary: 'the runtime element count of the input, as an i64 scalar',
  inputs: ['data'],
  outputs: 1,
  attrs: {},
  infer: ({ inputs }) => {
    expectInputs('size', inputs, 1);
    return [tensorType('i64', [])];
  },
  eval: ({ inputs }) => [Tensor.fromNumbers('i64', [], [inputs[0]!.size])],
  cost: moveCost,
});
