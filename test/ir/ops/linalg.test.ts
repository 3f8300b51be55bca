import { describe, expect, it } from 'vitest';
import { getOp, withDefaults, OpError } from '../../../src/ir/registry.js';
import { Tensor, sizeOf, stridesOf } from '../../../src/ir/tensor.js';
import { Attrs, TensorType, tensorType, typeToString } from '../../../src/ir/graph.js';
import { DType } from '../../../src/ir/dtype.js';
import { sym } from '../../../src/ir/dim.js';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import '../../../src/ir/ops/index.js';

/** Infer output types from the concrete inputs, evaluate, and check the results match the inferred types. */
function run(op: string, inputs: (Tensor | null)[], attrs: Attrs = {}, nOutputs = 1): Tensor[] {
  const def = getOp(op)!;
  const full = withDefaults(def, attrs);
  const types = def.infer({ inputs: inputs.map((t) => t && tensorType(t.dtype, t.shape)), attrs: full, nOutputs });
  const outs = def.eval({ inputs, attrs: full, nOutputs, outTypes: types, env: new Map() });
  outs.forEach((o, i) => expect(typeToString(tensorType(o.dtype, o.shape))).toBe(typeToString(types[i])));
  return outs;
}

function infer(op: string, inputs: (TensorType | null)[], attrs: Attrs = {}, nOutputs = 1): string[] {
  const def = getOp(op)!;
  return def.infer({ inputs, attrs: withDefaults(def, attrs), nOutputs }).map(typeToString);
}

const t = (shape: number[], values: number[], dtype: DType = 'f32') => Tensor.fromNumbers(dtype, shape, values);
const ty = (dtype: DType, shape: (number | string)[]) => tensorType(dtype, shape.map((d) => (typeof d === 'string' ? sym(d) : d)));

/** Deterministic pseudo-random values in [-1, 1). */
function rand(shape: number[], seed: number): Tensor {
  let s = seed >>> 0;
  const v = Array.from({ length: sizeOf(shape) }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
  return t(shape, v);
}

function expectClose(actual: Tensor, expected: ArrayLike<number>, tol = 1e-5) {
  const a = Array.from(actual.numbers());
  expect(a.length).toBe(expected.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - expected[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i])));
}

function* indices(shape: readonly number[]): Generator<number[]> {
  const n = sizeOf(shape);
  const st = stridesOf(shape);
  for (let i = 0; i < n; i++) yield shape.map((d, k) => Math.floor(i / st[k]) % d);
}

/** Direct-definition convolution: y[n, m, o] = b[m] + sum_{c, k} x[n, g*Cg + c, o*s - p + k*d] * w[m, c, k]. */
function naiveConv(x: Tensor, w: Tensor, b: Tensor | null, o: { strides: number[]; pads: number[]; dilations: number[]; group: number; outSp: number[] }): number[] {
  const N = x.shape[0];
  const [M, Cg] = w.shape;
  const ks = w.shape.slice(2);
  const xv = x.numbers(), wv = w.numbers(), xs = stridesOf(x.shape), ws = stridesOf(w.shape);
  const out: number[] = [];
  for (const [n, m, ...pos] of indices([N, M, ...o.outSp])) {
    const g = Math.floor(m / (M / o.group));
    let acc = b ? b.numbers()[m] : 0;
    for (let c = 0; c < Cg; c++)
      for (const k of indices(ks)) {
        const ip = pos.map((p, i) => p * o.strides[i] - o.pads[i] + k[i] * o.dilations[i]);
        if (ip.some((v, i) => v < 0 || v >= x.shape[2 + i])) continue;
        let xi = n * xs[0] + (g * Cg + c) * xs[1];
        ip.forEach((v, i) => (xi += v * xs[2 + i]));
        let wi = m * ws[0] + c * ws[1];
        k.forEach((v, i) => (wi += v * ws[2 + i]));
        acc += xv[xi] * wv[wi];
      }
    out.push(acc);
  }
  return out;
}

/** Direct-definition transposed convolution: every input element scatters x * w into the output. */
function naiveConvTranspose(x: Tensor, w: Tensor, b: Tensor | null, o: { strides: number[]; padsBegin: number[]; dilations: number[]; group: number; outSp: number[] }): number[] {
  const [N, C] = x.shape;
  const Mg = w.shape[1];
  const M = Mg * o.group;
  const Cg = C / o.group;
  const ks = w.shape.slice(2);
  const out = new Array<number>(N * M * sizeOf(o.outSp)).fill(0);
  const os = stridesOf([N, M, ...o.outSp]);
  const xv = x.numbers(), wv = w.numbers(), ws = stridesOf(w.shape);
  let xi = 0;
  for (const [n, c, ...pos] of indices(x.shape)) {
    const g = Math.floor(c / Cg);
    for (let mg = 0; mg < Mg; mg++)
      for (const k of indices(ks)) {
        const op = pos.map((p, i) => p * o.strides[i] - o.padsBegin[i] + k[i] * o.dilations[i]);
        if (op.some((v, i) => v < 0 || v >= o.outSp[i])) continue;
        let oi = n * os[0] + (g * Mg + mg) * os[1];
        op.forEach((v, i) => (oi += v * os[2 + i]));
        let wi = c * ws[0] + mg * ws[1];
        k.forEach((v, i) => (wi += v * ws[2 + i]));
        out[oi] += xv[xi] * wv[wi];
      }
    xi++;
  }
  if (b) for (let i = 0; i < out.length; i++) out[i] += b.numbers()[Math.floor(i / os[1]) % M];
  return out;
}

function naiveMatmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

describe('matmul', () => {
  it('multiplies 2-D matrices', () => {
    const [y] = run('matmul', [t([2, 3], [1, 2, 3, 4, 5, 6]), t([3, 2], [7, 8, 9, 10, 11, 12])]);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.numbers())).toEqual([58, 64, 139, 154]);
  });

  it('promotes 1-D operands and removes the promoted dim', () => {
    const m = t([2, 3], [1, 2, 3, 4, 5, 6]);
    const v = t([3], [1, 0, -1]);
    const [mv] = run('matmul', [m, v]);
    expect(mv.shape).toEqual([2]);
    expect(Array.from(mv.numbers())).toEqual([-2, -2]);
    const [vm] = run('matmul', [t([2], [1, -1]), m]);
    expect(vm.shape).toEqual([3]);
    expect(Array.from(vm.numbers())).toEqual([-3, -3, -3]);
    const [dot] = run('matmul', [v, t([3], [4, 5, 6])]);
    expect(dot.shape).toEqual([]);
    expect(Array.from(dot.numbers())).toEqual([-2]);
  });

  it('broadcasts batch dims', () => {
    const a = rand([2, 1, 5, 3], 1);
    const b = rand([4, 3, 6], 2);
    const [y] = run('matmul', [a, b]);
    expect(y.shape).toEqual([2, 4, 5, 6]);
    const av = a.numbers(), bv = b.numbers();
    const expected: number[] = [];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 4; j++) {
        const am = Array.from({ length: 5 }, (_, r) => Array.from({ length: 3 }, (_, c) => av[i * 15 + r * 3 + c]));
        const bm = Array.from({ length: 3 }, (_, r) => Array.from({ length: 6 }, (_, c) => bv[j * 18 + r * 6 + c]));
        expected.push(...naiveMatmul(am, bm).flat());
      }
    expectClose(y, expected);
  });

  it('folds a batched left operand against one weight matrix', () => {
    const a = rand([3, 7, 9], 3);
    const w = rand([9, 5], 4);
    const [y] = run('matmul', [a, w]);
    const av = a.numbers(), wv = w.numbers();
    const rows = Array.from({ length: 21 }, (_, r) => Array.from({ length: 9 }, (_, c) => av[r * 9 + c]));
    const wm = Array.from({ length: 9 }, (_, r) => Array.from({ length: 5 }, (_, c) => wv[r * 5 + c]));
    expectClose(y, naiveMatmul(rows, wm).flat());
  });

  it('computes integer products exactly and rounds f16 once', () => {
    const [yi] = run('matmul', [t([1, 2], [100000, 3], 'i64'), t([2, 1], [30000, -7], 'i64')]);
    expect(yi.dtype).toBe('i64');
    expect(Array.from(yi.data as BigInt64Array)).toEqual([2999999979n]);
    // 2049 is not an f16 value: the exact sum 2048 + 1 rounds to 2048 on store
    const [yh] = run('matmul', [t([1, 2], [2048, 1], 'f16'), t([2, 1], [1, 1], 'f16')]);
    expect(Array.from(yh.numbers())).toEqual([2048]);
  });

  it('infers symbolic shapes', () => {
    expect(infer('matmul', [ty('f32', ['N', 'S', 64]), ty('f32', [64, 128])])).toEqual(['f32[N, S, 128]']);
    expect(infer('matmul', [ty('f32', ['N', 1, 'S', 64]), ty('f32', [8, 64, 'S'])])).toEqual(['f32[N, 8, S, S]']);
    expect(infer('matmul', [ty('f32', [64]), ty('f32', ['N', 64, 10])])).toEqual(['f32[N, 10]']);
  });

  it('rejects mismatched inner dims and dtypes', () => {
    expect(() => infer('matmul', [ty('f32', [2, 3]), ty('f32', [4, 5])])).toThrow('matmul inner dims differ: f32[2, 3] x f32[4, 5] (3 vs 4)');
    expect(() => infer('matmul', [ty('f32', [2, 3]), ty('f16', [3, 5])])).toThrow(OpError);
    expect(() => infer('matmul', [ty('bool', [2, 3]), ty('bool', [3, 5])])).toThrow('does not support dtype bool');
  });

  it('counts two flops per multiply-add', () => {
    const cost = getOp('matmul')!.cost!({ inputs: [ty('f32', ['N', 'S', 64]), ty('f32', [64, 128])], outputs: [ty('f32', ['N', 'S', 128])], attrs: {}, env: new Map([['N', 2], ['S', 10]]) });
    expect(cost).toEqual({ flops: 2 * 2 * 10 * 128 * 64, bytes: 4 * (2 * 10 * 64 + 64 * 128 + 2 * 10 * 128) });
  });
});

describe('gemm', () => {
  const a = t([3, 2], [1, 2, 3, 4, 5, 6]); // used as Aᵀ: [2, 3]
  const b = t([4, 3], [1, 0, 2, -1, 1, 0, 0, 3, 1, 2, 2, 2]); // used as Bᵀ: [3, 4]
  const at = [[1, 3, 5], [2, 4, 6]];
  const bt = [[1, -1, 0, 2], [0, 1, 3, 2], [2, 0, 1, 2]];
  const ab = naiveMatmul(at, bt);

  it('applies trans_a, trans_b, alpha and a row-vector C', () => {
    const c = t([4], [1, 2, 3, 4]);
    const [y] = run('gemm', [a, b, c], { trans_a: true, trans_b: true, alpha: 0.5, beta: 2 });
    expect(y.shape).toEqual([2, 4]);
    expect(Array.from(y.numbers())).toEqual(ab.flatMap((row) => row.map((v, j) => 0.5 * v + 2 * (j + 1))));
  });

  it('broadcasts a column C and a scalar C, and works without C', () => {
    const aa = t([2, 3], at.flat());
    const bb = t([3, 4], bt.flat());
    const [col] = run('gemm', [aa, bb, t([2, 1], [10, 20])]);
    expect(Array.from(col.numbers())).toEqual(ab.flatMap((row, i) => row.map((v) => v + 10 * (i + 1))));
    const [scalar] = run('gemm', [aa, bb, t([], [-1])], { beta: 3 });
    expect(Array.from(scalar.numbers())).toEqual(ab.flat().map((v) => v - 3));
    const [none] = run('gemm', [aa, bb, null]);
    expect(Array.from(none.numbers())).toEqual(ab.flat());
  });

  it('rejects a C that does not broadcast to [M, N]', () => {
    expect(() => infer('gemm', [ty('f32', ['M', 3]), ty('f32', [3, 4]), ty('f32', [3])])).toThrow('gemm: C f32[3] does not broadcast to [M, 4]');
    expect(() => infer('gemm', [ty('f32', [2, 3]), ty('f32', [3, 4])], { trans_a: true })).toThrow('gemm inner dims differ: f32[2, 3]ᵀ x f32[3, 4] (2 vs 3)');
  });
});

describe('conv', () => {
  it('matches PyTorch on a padded, strided 2-D case', () => {
    const x = t([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i + 1));
    const w = t([1, 1, 2, 2], [1, 0, -1, 2]);
    const [y] = run('conv', [x, w, null], { pads: [1, 1, 1, 1], strides: [2, 2] });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect(Array.from(y.numbers())).toEqual([2, 4, -4, 18, 18, -4, 0, 14, 16]);
  });

  const cases: { name: string; x: number[]; w: number[]; bias: boolean; attrs: Attrs; strides: number[]; pads: number[]; dilations: number[]; group: number; outSp: number[] }[] = [
    { name: '1-d with stride, dilation and asymmetric pads', x: [2, 3, 11], w: [4, 3, 3], bias: true, attrs: { strides: [2], dilations: [2], pads: [2, 1] }, strides: [2], pads: [2], dilations: [2], group: 1, outSp: [5] },
    { name: '2-d grouped', x: [2, 4, 7, 6], w: [6, 2, 3, 2], bias: true, attrs: { group: 2, pads: [1, 0, 1, 1], strides: [1, 2] }, strides: [1, 2], pads: [1, 0], dilations: [1, 1], group: 2, outSp: [7, 3] },
    { name: '2-d pointwise', x: [1, 5, 4, 3], w: [7, 5, 1, 1], bias: false, attrs: {}, strides: [1, 1], pads: [0, 0], dilations: [1, 1], group: 1, outSp: [4, 3] },
    { name: '2-d depthwise with channel multiplier', x: [2, 3, 6, 5], w: [6, 1, 3, 3], bias: true, attrs: { group: 3, pads: [1, 1, 1, 1], strides: [2, 1], dilations: [1, 2] }, strides: [2, 1], pads: [1, 1], dilations: [1, 2], group: 3, outSp: [3, 3] },
    { name: '2-d SAME_LOWER', x: [1, 2, 5, 6], w: [3, 2, 2, 3], bias: false, attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] }, strides: [2, 2], pads: [1, 1], dilations: [1, 1], group: 1, outSp: [3, 3] },
    { name: '2-d SAME_UPPER', x: [1, 2, 5, 6], w: [3, 2, 2, 3], bias: false, attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, strides: [2, 2], pads: [0, 0], dilations: [1, 1], group: 1, outSp: [3, 3] },
    { name: '3-d with padding', x: [1, 2, 4, 5, 3], w: [3, 2, 2, 3, 2], bias: true, attrs: { pads: [1, 0, 1, 0, 1, 0], strides: [1, 2, 1] }, strides: [1, 2, 1], pads: [1, 0, 1], dilations: [1, 1, 1], group: 1, outSp: [4, 2, 3] },
  ];
  for (const c of cases)
    it(`agrees with the direct definition: ${c.name}`, () => {
      const x = rand(c.x, 11), w = rand(c.w, 12), b = c.bias ? rand([c.w[0]], 13) : null;
      const [y] = run('conv', [x, w, b], c.attrs);
      expect(y.shape).toEqual([c.x[0], c.w[0], ...c.outSp]);
      expectClose(y, naiveConv(x, w, b, c));
    });

  it('computes an f16 conv with one rounding on store', () => {
    const x = t([1, 1, 1, 3], [2048, 1, 1], 'f16');
    const [y] = run('conv', [x, t([1, 1, 1, 3], [1, 1, 1], 'f16'), null]);
    expect(y.dtype).toBe('f16');
    expect(Array.from(y.numbers())).toEqual([2050]);
  });

  it('infers symbolic output dims', () => {
    const x = ty('f32', ['N', 3, 'H', 'W']);
    expect(infer('conv', [x, ty('f32', [64, 3, 7, 7]), null], { pads: [3, 3, 3, 3], strides: [2, 2] })).toEqual(['f32[N, 64, floor(H - 1, 2) + 1, floor(W - 1, 2) + 1]']);
    expect(infer('conv', [x, ty('f32', [64, 3, 3, 3]), ty('f32', [64])], { pads: [1, 1, 1, 1] })).toEqual(['f32[N, 64, H, W]']);
    expect(infer('conv', [x, ty('f32', [64, 3, 3, 3]), null], { auto_pad: 'SAME_UPPER', strides: [2, 2] })).toEqual(['f32[N, 64, floor(H + 1, 2), floor(W + 1, 2)]']);
    expect(infer('conv', [x, ty('f32', [64, 3, 3, 3]), null], { auto_pad: 'VALID', dilations: [2, 2] })).toEqual(['f32[N, 64, H - 4, W - 4]']);
    expect(infer('conv', [ty('f32', [1, 3, 224, 224]), ty('f32', [64, 3, 7, 7]), null], { pads: [3, 3, 3, 3], strides: [2, 2] })).toEqual(['f32[1, 64, 112, 112]']);
  });

  it('names both shapes on a channel mismatch, and rejects bad attributes', () => {
    expect(() => infer('conv', [ty('f32', ['N', 3, 'H', 'W']), ty('f32', [64, 4, 3, 3]), null])).toThrow(
      'conv: input f32[N, 3, H, W] has 3 channels but weight f32[64, 4, 3, 3] with group 1 expects 4');
    expect(() => infer('conv', [ty('f32', [1, 4, 8, 8]), ty('f32', [6, 1, 3, 3]), null], { group: 4 })).toThrow('not divisible by group 4');
    expect(() => infer('conv', [ty('f32', [1, 3, 8, 8]), ty('f32', [6, 3, 3, 3]), ty('f32', [5])])).toThrow('bias f32[5] must have shape [6]');
    expect(() => infer('conv', [ty('f32', [1, 3, 8, 8]), ty('f32', [6, 3, 3, 3]), null], { kernel_shape: [5, 5] })).toThrow('kernel_shape [5, 5] disagrees');
    expect(() => infer('conv', [ty('f32', [1, 3, 2, 2]), ty('f32', [6, 3, 3, 3]), null])).toThrow('does not fit spatial dim 0 of size 2');
    expect(() => infer('conv', [ty('f32', [1, 3, 8, 8]), ty('f32', [6, 3, 3, 3]), null], { pads: [1, 1] })).toThrow('pads has 2 values');
    expect(() => infer('conv', [ty('f32', [1, 3, 8, 8]), ty('f32', [6, 3, 3, 3]), null], { auto_pad: 'SAME' })).toThrow("auto_pad 'SAME'");
  });

  it('costs two flops per multiply-add plus the bias add', () => {
    const outputs = [ty('f32', [1, 64, 112, 112])];
    const cost = getOp('conv')!.cost!({ inputs: [ty('f32', [1, 3, 224, 224]), ty('f32', [64, 3, 7, 7]), ty('f32', [64])], outputs, attrs: {}, env: new Map() });
    expect(cost.flops).toBe(2 * 64 * 112 * 112 * 3 * 49 + 64 * 112 * 112);
    expect(cost.bytes).toBe(4 * (3 * 224 * 224 + 64 * 3 * 49 + 64 + 64 * 112 * 112));
  });

  it('runs in a graph with symbolic dims', () => {
    const b = new GraphBuilder('convnet');
    const x = b.input('x', ty('f32', ['N', 2, 'H', 'W']));
    const w = b.param('w', ty('f32', [4, 2, 3, 3]), rand([4, 2, 3, 3], 5));
    const y = b.op1('conv', [x, w, null], { strides: [2, 2], pads: [1, 1, 1, 1] });
    const [p, idx] = b.op('max_pool', [y], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: true }, { outputs: 2 });
    b.output(p, idx);
    expect(typeToString(p.type)).toBe('f32[N, 4, floor(floor(H - 1, 2), 2) + 1, floor(floor(W - 1, 2), 2) + 1]');
    const out = runGraph(b.graph, { x: rand([2, 2, 9, 7], 6) });
    expect(out.get(p.name)!.shape).toEqual([2, 4, 3, 2]);
    expect(out.get(idx.name)!.dtype).toBe('i64');
  });
});

describe('conv_transpose', () => {
  it('matches PyTorch with stride, pads and output_padding', () => {
    const x = t([1, 1, 2, 2], [1, 2, 3, 4]);
    const w = t([1, 1, 3, 3], [1, 2, 3, 0, 1, -1, 2, 0, 1]);
    const [y] = run('conv_transpose', [x, w, null], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] });
    expect(y.shape).toEqual([1, 1, 4, 4]);
    expect(Array.from(y.numbers())).toEqual([1, -1, 2, -2, 6, 18, 8, 14, 3, -3, 4, -4, 0, 11, 0, 4]);
  });

  it('agrees with the direct definition for groups, dilations and bias', () => {
    const x = rand([2, 4, 4, 3], 21), w = rand([4, 3, 3, 2], 22), b = rand([6], 23);
    const [y] = run('conv_transpose', [x, w, b], { strides: [2, 3], output_padding: [1, 2], pads: [1, 0, 0, 1], group: 2, dilations: [1, 2] });
    expect(y.shape).toEqual([2, 6, 9, 10]);
    expectClose(y, naiveConvTranspose(x, w, b, { strides: [2, 3], padsBegin: [1, 0], dilations: [1, 2], group: 2, outSp: [9, 10] }));
  });

  it('derives pads from output_shape, extra padding at the start unless SAME_UPPER', () => {
    const x = rand([1, 2, 5, 5], 31), w = rand([2, 3, 3, 3], 32);
    // the full output is 11 wide; 10 requested leaves one pad
    const [lower] = run('conv_transpose', [x, w, null], { strides: [2, 2], output_shape: [10, 10] });
    expect(lower.shape).toEqual([1, 3, 10, 10]);
    expectClose(lower, naiveConvTranspose(x, w, null, { strides: [2, 2], padsBegin: [1, 1], dilations: [1, 1], group: 1, outSp: [10, 10] }));
    const [upper] = run('conv_transpose', [x, w, null], { strides: [2, 2], output_shape: [10, 10], auto_pad: 'SAME_UPPER' });
    expectClose(upper, naiveConvTranspose(x, w, null, { strides: [2, 2], padsBegin: [0, 0], dilations: [1, 1], group: 1, outSp: [10, 10] }));
    // larger than the kernel reaches: the rest is zero
    const [wide] = run('conv_transpose', [x, w, null], { strides: [2, 2], output_shape: [12, 11] });
    expectClose(wide, naiveConvTranspose(x, w, null, { strides: [2, 2], padsBegin: [0, 0], dilations: [1, 1], group: 1, outSp: [12, 11] }));
  });

  it('infers symbolic output dims', () => {
    const x = ty('f32', ['N', 3, 'H', 'W']);
    expect(infer('conv_transpose', [x, ty('f32', [3, 8, 4, 4]), null], { strides: [2, 2], pads: [1, 1, 1, 1] })).toEqual(['f32[N, 8, 2*H, 2*W]']);
    expect(infer('conv_transpose', [x, ty('f32', [3, 8, 3, 3]), null], { strides: [2, 2], auto_pad: 'SAME_UPPER' })).toEqual(['f32[N, 8, 2*H, 2*W]']);
    expect(infer('conv_transpose', [ty('f32', ['N', 4, 'H', 'W']), ty('f32', [4, 4, 3, 3]), null], { group: 2 })).toEqual(['f32[N, 8, H + 2, W + 2]']);
    expect(() => infer('conv_transpose', [x, ty('f32', [4, 8, 3, 3]), null])).toThrow('conv_transpose: input f32[N, 3, H, W] has 3 channels but weight f32[4, 8, 3, 3] expects 4');
  });
});

describe('pooling', () => {
  const x = t([1, 1, 5, 5], [1, 5, 2, 0, 3, 4, -1, 7, 8, 2, 0, 3, 6, 1, 9, 2, 2, -3, 4, 5, 1, 0, 8, 6, 7]);

  it('max_pool with ceil_mode keeps partial windows (PyTorch values)', () => {
    const [y] = run('max_pool', [x], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: true });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect(Array.from(y.numbers())).toEqual([5, 8, 3, 3, 6, 9, 1, 8, 7]);
    const [floorMode] = run('max_pool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
    expect(Array.from(floorMode.numbers())).toEqual([5, 8, 3, 6]);
  });

  it('max_pool drops a ceil_mode window that would start in the padding', () => {
    const [y] = run('max_pool', [t([1, 1, 1, 4], [1, 2, 3, 4])], { kernel_shape: [1, 1], strides: [1, 2], ceil_mode: true });
    expect(y.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(y.numbers())).toEqual([1, 3]);
  });

  it('max_pool gives flat indices, row- or column-major', () => {
    const [v, i] = run('max_pool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 2);
    expect(Array.from(v.numbers())).toEqual([5, 8, 8, 4, 8, 9, 2, 8, 7]);
    expect(Array.from(i.data as BigInt64Array, Number)).toEqual([1, 8, 8, 5, 8, 14, 15, 22, 24]);
    const two = t([2, 1, 2, 3], [1, 9, 2, 3, 4, 5, 6, 0, 7, 8, 1, 2]);
    const [, rowMajor] = run('max_pool', [two], { kernel_shape: [2, 2] }, 2);
    expect(Array.from(rowMajor.data as BigInt64Array, Number)).toEqual([1, 1, 9, 8]);
    const [, colMajor] = run('max_pool', [two], { kernel_shape: [2, 2], storage_order: 1 }, 2);
    // column-major position of (h, w) in a 2x3 plane is h + 2*w, plus the plane offset
    expect(Array.from(colMajor.data as BigInt64Array, Number)).toEqual([2, 2, 6 + 1, 6 + 4]);
  });

  it('average_pool divides by taps in the input or in the padded input (PyTorch values)', () => {
    const attrs = { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] };
    const [incl] = run('average_pool', [x], { ...attrs, count_include_pad: true });
    expectClose(incl, [1, 2.3333333, 1.4444444, 1.1111112, 3, 3.2222223, 0.5555556, 1.8888888, 2.4444444], 1e-6);
    const [excl] = run('average_pool', [x], attrs);
    expectClose(excl, [2.25, 3.5, 3.25, 1.6666666, 3, 4.8333335, 1.25, 2.8333333, 5.5], 1e-6);
    const [ceil] = run('average_pool', [x], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: true });
    expect(Array.from(ceil.numbers())).toEqual([2.25, 4.25, 2.5, 1.75, 2, 7, 0.5, 7, 7]);
  });

  it('pools 1-d and 3-d inputs', () => {
    const [y1] = run('average_pool', [t([1, 2, 5], [1, 2, 3, 4, 5, 10, 20, 30, 40, 50])], { kernel_shape: [2], strides: [2], dilations: [2] });
    expect(Array.from(y1.numbers())).toEqual([2, 4, 20, 40]);
    const cube = t([1, 1, 2, 2, 2], [1, 8, 3, 4, 5, 6, 7, 2]);
    const [y3] = run('max_pool', [cube], { kernel_shape: [2, 2, 1] });
    expect(Array.from(y3.numbers())).toEqual([7, 8]);
  });

  it('lp_pool and the global pools', () => {
    const [lp] = run('lp_pool', [t([1, 1, 2, 2], [3, -4, 0, 0])], { kernel_shape: [2, 2], p: 2 });
    expect(Array.from(lp.numbers())).toEqual([5]);
    const g = t([2, 2, 2, 2], [1, 2, 3, 4, -1, -2, -3, -8, 0, 0, 0, 4, 5, 5, 5, 5]);
    const [avg] = run('global_average_pool', [g]);
    expect(avg.shape).toEqual([2, 2, 1, 1]);
    expect(Array.from(avg.numbers())).toEqual([2.5, -3.5, 1, 5]);
    const [mx] = run('global_max_pool', [g]);
    expect(Array.from(mx.numbers())).toEqual([4, -1, 4, 5]);
    const [glp] = run('global_lp_pool', [t([1, 1, 1, 2], [6, 8])]);
    expect(Array.from(glp.numbers())).toEqual([10]);
  });

  it('max_pool keeps integer dtypes', () => {
    const [y] = run('max_pool', [t([1, 1, 1, 4], [200, 3, 7, 250], 'u8')], { kernel_shape: [1, 2], strides: [1, 2] });
    expect(y.dtype).toBe('u8');
    expect(Array.from(y.numbers())).toEqual([200, 250]);
  });

  it('infers symbolic output dims', () => {
    const x4 = ty('f32', ['N', 64, 'H', 'W']);
    expect(infer('max_pool', [x4], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 2)).toEqual([
      'f32[N, 64, floor(H - 1, 2) + 1, floor(W - 1, 2) + 1]', 'i64[N, 64, floor(H - 1, 2) + 1, floor(W - 1, 2) + 1]']);
    expect(infer('average_pool', [x4], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: true })).toEqual(['f32[N, 64, floor(H - 1, 2) + 1, floor(W - 1, 2) + 1]']);
    // whether the last ceil_mode window is dropped depends on H, so the dim is unknown until run time
    expect(infer('max_pool', [x4], { kernel_shape: [1, 1], strides: [2, 2], ceil_mode: true })).toEqual(['f32[N, 64, ?, ?]']);
    expect(infer('global_average_pool', [x4])).toEqual(['f32[N, 64, 1, 1]']);
  });

  it('rejects bad pooling attributes', () => {
    const x4 = ty('f32', [1, 3, 8, 8]);
    expect(() => infer('max_pool', [x4], {})).toThrow("needs attribute 'kernel_shape'");
    expect(() => infer('max_pool', [x4], { kernel_shape: [2, 2] }, 3)).toThrow('max_pool has 1 or 2 outputs');
    expect(() => infer('average_pool', [x4], { kernel_shape: [2, 2], pads: [1, 1, 1, 1], auto_pad: 'SAME_UPPER' })).toThrow('pads and auto_pad SAME_UPPER cannot both be given');
    expect(() => infer('average_pool', [ty('f32', [3, 8])], { kernel_shape: [2] })).toThrow('needs an input of rank 3 to 5');
    expect(() => infer('lp_pool', [x4], { kernel_shape: [2, 2], p: 0 })).toThrow('p must be a positive integer');
  });
});
