// einsum (general Einstein summation), det (batched determinants) and max_unpool (the scatter
// that undoes max_pool given its indices), ONNX semantics.
import { Dim, dimAdd, dimEq, dimMul, dimToString, isUnknown } from '../dim.js';
import { Attrs, tensorType, typeToString } from '../graph.js';
import { defineOp, OpError } from '../registry.js';
import { Tensor, readNumbers, sizeOf, stridesOf } from '../tensor.js';
import { bytesOf, expectInputs, numel, sameDType } from './util.js';
import { FLOATS, NUMERIC, checkDType, perElementCost } from './elementwise-kernels.js';
import { dimsCompatible, tensorOf } from './reduce.js';
import { Slots, shapeText } from './shape-common.js';

/** An einsum equation with each operand's subscripts spelled out: letters, and `.k` for ellipsis dim k. */
export interface Einsum {
  inputs: string[][];
  output: string[];
}

/**
 * Parse an equation such as `bij,bjk->bik`, `...ii->...i` or `i,i` for operands of the given ranks.
 * Ellipsis dims align from the right across operands (numpy broadcasting); without `->` the output is
 * the ellipsis dims followed by the letters used once, in alphabetical order.
 */
export function parseEinsum(equation: string, ranks: readonly number[]): Einsum {
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) throw new OpError(`einsum equation '${equation}' has ${terms.length} operand(s), the node has ${ranks.length}`);
  const split = (term: string, what: string): { letters: string[]; ellipsis: number } => {
    const at = term.indexOf('...');
    const letters = (at < 0 ? term : term.slice(0, at) + term.slice(at + 3)).split('');
    if (letters.some((c) => !/[A-Za-z]/.test(c))) throw new OpError(`einsum equation '${equation}': ${what} '${term}' may hold only letters and one '...'`);
    return { letters, ellipsis: at < 0 ? -1 : at };
  };
  const parsed = terms.map((t, k) => split(t, `operand ${k}`));
  const ellipsisDims = parsed.map((p, k) => {
    const extra = ranks[k] - p.letters.length;
    if (extra < 0 || (p.ellipsis < 0 && extra !== 0))
      throw new OpError(`einsum equation '${equation}': operand ${k} has rank ${ranks[k]}, its subscripts '${terms[k]}' name ${p.letters.length} dims`);
    return extra;
  });
  const nEllipsis = Math.max(0, ...ellipsisDims);
  const expand = (p: { letters: string[]; ellipsis: number }, n: number): string[] =>
    p.ellipsis < 0 ? p.letters : [...p.letters.slice(0, p.ellipsis), ...Array.from({ length: n }, (_, j) => `.${nEllipsis - n + j}`), ...p.letters.slice(p.ellipsis)];
  const inputs = parsed.map((p, k) => expand(p, ellipsisDims[k]));
  let output: string[];
  if (arrow >= 0) {
    const out = split(eq.slice(arrow + 2), 'output');
    output = expand(out, nEllipsis);
    const seen = new Set<string>();
    for (const l of out.letters) {
      if (seen.has(l)) throw new OpError(`einsum equation '${equation}': output letter '${l}' repeats`);
      if (!inputs.some((s) => s.includes(l))) throw new OpError(`einsum equation '${equation}': output letter '${l}' is not in any operand`);
      seen.add(l);
    }
  } else {
    const counts = new Map<string, number>();
    for (const s of parsed) for (const l of s.letters) counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts].filter(([, c]) => c === 1).map(([l]) => l).sort();
    output = [...Array.from({ length: nEllipsis }, (_, j) => `.${j}`), ...once];
  }
  return { inputs, output };
}

/** The size of every subscript; a size-1 dim broadcasts against a larger one. */
export function labelDims(equation: string, e: Einsum, shapes: readonly (readonly Dim[])[]): Map<string, Dim> {
  const dims = new Map<string, Dim>();
  e.inputs.forEach((labels, k) => labels.forEach((l, i) => {
    const d = shapes[k][i];
    const prev = dims.get(l);
    if (prev === undefined || dimEq(prev, 1) || isUnknown(prev)) dims.set(l, d);
    else if (!dimEq(d, prev) && !dimEq(d, 1) && !isUnknown(d))
      throw new OpError(`einsum equation '${equation}': subscript ${l.startsWith('.') ? '...' : `'${l}'`} is ${dimToString(prev)} in one place and ${dimToString(d)} in operand ${k} ${shapeText(shapes[k])}`);
  }));
  return dims;
}

defineOp({
  name: 'einsum',
  summary: 'Einstein summation over the operands as the equation says (explicit or implicit output, ellipsis, repeated subscripts for diagonals)',
  inputs: ['Inputs'],
  variadic: true,
  minInputs: 1,
  outputs: 1,
  attrs: { equation: { kind: 'string' } },
  infer({ inputs, attrs }) {
    const ts = expectInputs('einsum', inputs, inputs.length);
    if (ts.length === 0) throw new OpError('einsum needs at least one operand');
    sameDType('einsum', ts);
    checkDType('einsum', ts[0], NUMERIC);
    const equation = attrs.equation as string;
    const e = parseEinsum(equation, ts.map((t) => t.shape.length));
    const dims = labelDims(equation, e, ts.map((t) => t.shape));
    return [tensorType(ts[0].dtype, e.output.map((l) => dims.get(l)!))];
  },
  eval({ inputs, attrs, outTypes }) {
    const ts = inputs as Tensor[];
    const equation = attrs.equation as string;
    const e = parseEinsum(equation, ts.map((t) => t.rank));
    const dims = labelDims(equation, e, ts.map((t) => t.shape)) as Map<string, number>;
    // loop over the output subscripts, then the summed ones: the output index advances once per
    // `inner` steps of the whole odometer
    const summed = [...dims.keys()].filter((l) => !e.output.includes(l));
    const labels = [...e.output, ...summed];
    const sizes = labels.map((l) => dims.get(l)!);
    const inner = sizeOf(summed.map((l) => dims.get(l)!));
    // stride of each operand per subscript: repeated subscripts add up (a diagonal), broadcast dims are 0
    const strides = ts.map((t, k) => {
      const s = stridesOf(t.shape);
      return labels.map((l) => e.inputs[k].reduce((acc, m, i) => (m === l && t.shape[i] !== 1 ? acc + s[i] : acc), 0));
    });
    const values = ts.map((t) => readNumbers(t));
    const outShape = e.output.map((l) => dims.get(l)!);
    const out = new Float64Array(sizeOf(outShape));
    const total = sizeOf(sizes);
    const counter = new Array<number>(labels.length).fill(0);
    const offsets = new Array<number>(ts.length).fill(0);
    for (let step = 0; step < total; step++) {
      let p = 1;
      for (let k = 0; k < ts.length; k++) p *= values[k][offsets[k]];
      out[Math.floor(step / inner)] += p;
      for (let d = labels.length - 1; d >= 0; d--) {
        counter[d]++;
        for (let k = 0; k < ts.length; k++) offsets[k] += strides[k][d];
        if (counter[d] < sizes[d]) break;
        for (let k = 0; k < ts.length; k++) offsets[k] -= strides[k][d] * counter[d];
        counter[d] = 0;
      }
    }
    return [tensorOf(outTypes[0].dtype, outShape, out)];
  },
  cost({ inputs, outputs, attrs, env }) {
    const ts = inputs as NonNullable<(typeof inputs)[number]>[];
    const e = parseEinsum(attrs.equation as string, ts.map((t) => t.shape.length));
    const dims = labelDims(attrs.equation as string, e, ts.map((t) => t.shape));
    const steps = numel(tensorType(ts[0].dtype, [...dims.values()]), env);
    let bytes = bytesOf(outputs[0], env);
    for (const t of ts) bytes += bytesOf(t, env);
    return { flops: steps * ts.length, bytes };
  },
});

/** Determinant of the n x n matrix at m[off..], by LU decomposition with partial pivoting. */
function determinant(m: ArrayLike<number>, off: number, n: number): number {
  const a = Float64Array.from({ length: n * n }, (_, i) => m[off + i]);
  let det = 1;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[pivot * n + c])) pivot = r;
    if (a[pivot * n + c] === 0) return 0;
    if (pivot !== c) {
      for (let j = 0; j < n; j++) { const t = a[c * n + j]; a[c * n + j] = a[pivot * n + j]; a[pivot * n + j] = t; }
      det = -det;
    }
    const d = a[c * n + c];
    det *= d;
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / d;
      for (let j = c + 1; j < n; j++) a[r * n + j] -= f * a[c * n + j];
    }
  }
  return det;
}

defineOp({
  name: 'det',
  summary: 'determinant of each square matrix in the last two dims: [..., M, M] -> [...]',
  inputs: ['X'],
  outputs: 1,
  attrs: {},
  infer({ inputs }) {
    const [x] = expectInputs('det', inputs, 1);
    checkDType('det', x, FLOATS);
    const r = x.shape.length;
    if (r < 2 || !dimsCompatible(x.shape[r - 1], x.shape[r - 2]))
      throw new OpError(`det needs square matrices in the last two dims, got ${typeToString(x)}`);
    return [tensorType(x.dtype, x.shape.slice(0, -2))];
  },
  eval({ inputs }) {
    const x = inputs[0]!;
    const n = x.shape[x.rank - 1];
    if (x.shape[x.rank - 2] !== n) throw new OpError(`det needs square matrices, got [${x.shape.join(', ')}]`);
    const shape = x.shape.slice(0, -2);
    const v = readNumbers(x);
    const out = Float64Array.from({ length: sizeOf(shape) }, (_, b) => determinant(v, b * n * n, n));
    return [tensorOf(x.dtype, shape, out)];
  },
  cost({ inputs, outputs, env }) {
    const x = inputs[0]!;
    const n = numel(tensorType(x.dtype, [x.shape[x.shape.length - 1]]), env);
    return { flops: numel(outputs[0], env) * Math.ceil((2 * n ** 3) / 3), bytes: bytesOf(x, env) + bytesOf(outputs[0], env) };
  },
});

/** The shape max_pool read: (in - 1) * stride + kernel - pads per spatial dim. */
function poolInputShape(x: readonly Dim[], attrs: Attrs): Dim[] {
  const n = x.length - 2;
  const kernel = attrs.kernel_shape as readonly number[];
  const strides = (attrs.strides as readonly number[] | undefined) ?? new Array<number>(n).fill(1);
  const pads = (attrs.pads as readonly number[] | undefined) ?? new Array<number>(2 * n).fill(0);
  if (kernel.length !== n || strides.length !== n || pads.length !== 2 * n)
    throw new OpError(`max_unpool: kernel_shape, strides and pads must describe the ${n} spatial dims of ${shapeText(x)}`);
  return [x[0], x[1], ...x.slice(2).map((d, i) => dimAdd(dimMul(dimAdd(d, -1), strides[i]), kernel[i] - pads[i] - pads[i + n]))];
}

function unpooledShape(x: readonly Dim[], attrs: Attrs): Dim[] {
  const given = attrs.output_shape as readonly Dim[] | undefined;
  if (!given) return poolInputShape(x, attrs);
  if (given.length !== x.length) throw new OpError(`max_unpool: output_shape ${shapeText(given)} must have the rank of X ${shapeText(x)}`);
  return [...given];
}

/**
 * The flat position in shape `to` of flat index `index` of shape `from` (same rank), keeping its
 * coordinates: max_pool's indices count positions in the shape it read, and a larger output_shape
 * only adds room. -1 when the coordinates do not fit.
 */
function relocate(index: number, from: readonly number[], to: readonly number[]): number {
  if (!(index >= 0 && index < sizeOf(from))) return -1;
  const fromStrides = stridesOf(from), toStrides = stridesOf(to);
  let at = 0;
  let rest = index;
  for (let d = 0; d < from.length; d++) {
    const c = Math.floor(rest / fromStrides[d]);
    rest -= c * fromStrides[d];
    if (c >= to[d]) return -1;
    at += c * toStrides[d];
  }
  return at;
}

defineOp({
  name: 'max_unpool',
  summary: 'zeros of the unpooled shape with each X value placed at the flat index I gives (the inverse of max_pool with indices)',
  inputs: ['X', 'I'],
  outputs: 1,
  attrs: {
    kernel_shape: { kind: 'ints' },
    strides: { kind: 'ints', optional: true },
    pads: { kind: 'ints', optional: true, doc: '[x1_begin, x2_begin, ..., x1_end, x2_end, ...]' },
    output_shape: { kind: 'dims', optional: true, doc: 'the full output shape; defaults to the shape max_pool was applied to' },
  },
  infer({ inputs, attrs }) {
    const [x, idx] = expectInputs('max_unpool', inputs, 2);
    checkDType('max_unpool', x, FLOATS);
    checkDType('max_unpool', idx, ['i64'], 'indices');
    if (x.shape.length < 3) throw new OpError(`max_unpool needs an input of rank >= 3 ([N, C, spatial...]), got ${typeToString(x)}`);
    if (idx.shape.length !== x.shape.length || !idx.shape.every((d, i) => dimsCompatible(d, x.shape[i])))
      throw new OpError(`max_unpool: indices ${typeToString(idx)} must have the shape of X ${typeToString(x)}`);
    return [tensorType(x.dtype, unpooledShape(x.shape, attrs))];
  },
  eval({ inputs, attrs }) {
    const [x, idx] = inputs as [Tensor, Tensor];
    const read = poolInputShape(x.shape, attrs) as number[];
    const out = Tensor.zeros(x.dtype, unpooledShape(x.shape, attrs) as number[]);
    const at = readNumbers(idx);
    const src: Slots = x.data, dst: Slots = out.data;
    for (let i = 0; i < x.size; i++) {
      const j = relocate(at[i], read, out.shape);
      if (j < 0) throw new OpError(`max_unpool: index ${at[i]} does not fit the output [${out.shape.join(', ')}]`);
      dst[j] = src[i];
    }
    return [out];
  },
  cost: perElementCost(1),
});
