// Ops registered only for the IR text and verifier tests, so those tests do not depend on the
// real op set. Names start with `test.`; each has a real shape rule and reference semantics.
import { defineOp, OpError } from '../../src/ir/registry.js';
import { Dim, evalDim } from '../../src/ir/dim.js';
import { Tensor, readNumbers, sizeOf } from '../../src/ir/tensor.js';
import { broadcastShapes, broadcastStatic, broadcastIndex, expectInputs, sameDType, normAxis } from '../../src/ir/ops/util.js';

defineOp({
  name: 'test.add',
  summary: 'elementwise sum with numpy broadcasting',
  inputs: ['a', 'b'],
  outputs: 1,
  attrs: {},
  infer({ inputs }) {
    const [a, b] = expectInputs('test.add', inputs, 2);
    sameDType('test.add', [a, b]);
    return [{ dtype: a.dtype, shape: broadcastShapes([a.shape, b.shape]) }];
  },
  eval({ inputs }) {
    const [a, b] = inputs as Tensor[];
    const shape = broadcastStatic([a.shape, b.shape]);
    const ia = broadcastIndex(a.shape, shape), ib = broadcastIndex(b.shape, shape);
    const x = readNumbers(a), y = readNumbers(b);
    return [Tensor.fromNumbers(a.dtype, shape, Array.from(ia, (j, i) => x[j] + y[ib[i]]))];
  },
});

defineOp({
  name: 'test.relu',
  summary: 'max(x, 0)',
  inputs: ['x'],
  outputs: 1,
  attrs: {},
  infer({ inputs }) {
    const [x] = expectInputs('test.relu', inputs, 1);
    return [x];
  },
  eval({ inputs }) {
    const x = inputs[0]!;
    return [Tensor.fromNumbers(x.dtype, x.shape, Array.from(readNumbers(x), (v) => Math.max(v, 0)))];
  },
});

/** y = alpha * x * w (+ b): an op with an optional input and a float attribute. */
defineOp({
  name: 'test.scale',
  summary: 'alpha * x * w + b, b optional',
  inputs: ['x', 'w', 'b'],
  optional: ['b'],
  outputs: 1,
  attrs: { alpha: { kind: 'float', default: 1.0 } },
  infer({ inputs }) {
    const [x, w] = expectInputs('test.scale', inputs, 2);
    sameDType('test.scale', inputs);
    const shapes = [x.shape, w.shape];
    if (inputs[2]) shapes.push(inputs[2].shape);
    return [{ dtype: x.dtype, shape: broadcastShapes(shapes) }];
  },
  eval({ inputs, attrs }) {
    const [x, w, b] = inputs;
    const all = [x!, w!, ...(b ? [b] : [])];
    const shape = broadcastStatic(all.map((t) => t.shape));
    const idx = all.map((t) => broadcastIndex(t.shape, shape));
    const vals = all.map((t) => readNumbers(t));
    const alpha = attrs.alpha as number;
    const out = Array.from({ length: sizeOf(shape) }, (_, i) =>
      alpha * vals[0][idx[0][i]] * vals[1][idx[1][i]] + (b ? vals[2][idx[2][i]] : 0));
    return [Tensor.fromNumbers(x!.dtype, shape, out)];
  },
});

/** Split along an axis into pieces of the given sizes: variadic outputs. */
defineOp({
  name: 'test.split',
  summary: 'split along axis',
  inputs: ['x'],
  outputs: 'variadic',
  attrs: { axis: { kind: 'int', default: 0 }, split: { kind: 'ints' } },
  infer({ inputs, attrs, nOutputs }) {
    const [x] = expectInputs('test.split', inputs, 1);
    const axis = normAxis(attrs.axis as number, x.shape.length);
    const sizes = attrs.split as number[];
    if (sizes.length !== nOutputs) throw new OpError(`split has ${sizes.length} sizes for ${nOutputs} outputs`);
    return sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? s : d)) }));
  },
  eval({ inputs, attrs }) {
    const x = inputs[0]!;
    const axis = normAxis(attrs.axis as number, x.rank);
    const outer = sizeOf(x.shape.slice(0, axis)), inner = sizeOf(x.shape.slice(axis + 1));
    const src = readNumbers(x);
    let start = 0;
    return (attrs.split as number[]).map((s) => {
      const out: number[] = [];
      for (let o = 0; o < outer; o++)
        for (let k = start; k < start + s; k++)
          for (let i = 0; i < inner; i++) out.push(src[(o * x.shape[axis] + k) * inner + i]);
      start += s;
      return Tensor.fromNumbers(x.dtype, x.shape.map((d, i) => (i === axis ? s : d)), out);
    });
  },
});

/** Concatenate along an axis: variadic inputs. */
defineOp({
  name: 'test.concat',
  summary: 'concatenate along axis',
  inputs: ['inputs'],
  variadic: true,
  minInputs: 1,
  outputs: 1,
  attrs: { axis: { kind: 'int' } },
  infer({ inputs, attrs }) {
    const xs = expectInputs('test.concat', inputs, inputs.length);
    sameDType('test.concat', xs);
    const axis = normAxis(attrs.axis as number, xs[0].shape.length);
    let total: Dim = 0;
    for (const x of xs) {
      if (typeof x.shape[axis] !== 'number' || typeof total !== 'number') throw new OpError('test.concat needs static sizes on the axis');
      total += x.shape[axis] as number;
    }
    return [{ dtype: xs[0].dtype, shape: xs[0].shape.map((d, i) => (i === axis ? total : d)) }];
  },
  eval() {
    throw new OpError('test.concat has no reference semantics');
  },
});

/** A constant tensor held in an attribute. */
defineOp({
  name: 'test.const',
  summary: 'constant tensor',
  inputs: [],
  outputs: 1,
  attrs: { value: { kind: 'tensor' } },
  infer({ attrs }) {
    const t = attrs.value as Tensor;
    return [{ dtype: t.dtype, shape: t.shape }];
  },
  eval({ attrs }) {
    return [attrs.value as Tensor];
  },
});

/** Reshape to a `dims` attribute that may be symbolic. */
defineOp({
  name: 'test.reshape',
  summary: 'reshape to the given dims',
  inputs: ['x'],
  outputs: 1,
  attrs: { shape: { kind: 'dims' } },
  infer({ inputs, attrs }) {
    const [x] = expectInputs('test.reshape', inputs, 1);
    return [{ dtype: x.dtype, shape: attrs.shape as Dim[] }];
  },
  eval({ inputs, attrs, env }) {
    return [inputs[0]!.reshape((attrs.shape as Dim[]).map((d) => evalDim(d, env)))];
  },
});

/** Identity that carries one optional attribute of every kind, for printing and parsing. */
defineOp({
  name: 'test.every_attr',
  summary: 'identity with attributes of every kind',
  inputs: ['x'],
  outputs: 1,
  attrs: {
    i: { kind: 'int', optional: true },
    f: { kind: 'float', optional: true },
    b: { kind: 'bool', optional: true },
    s: { kind: 'string', optional: true },
    is: { kind: 'ints', optional: true },
    fs: { kind: 'floats', optional: true },
    ss: { kind: 'strings', optional: true },
    ds: { kind: 'dims', optional: true },
    dt: { kind: 'dtype', optional: true },
    t: { kind: 'tensor', optional: true },
  },
  infer({ inputs }) {
    const [x] = expectInputs('test.every_attr', inputs, 1);
    return [x];
  },
  eval({ inputs }) {
    return [inputs[0]!];
  },
});

