import { describe, expect, test } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { tensorType, typeToString, Attrs } from '../../../src/ir/graph.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { DType } from '../../../src/ir/dtype.js';
import { sym } from '../../../src/ir/dim.js';
import { getOp, withDefaults } from '../../../src/ir/registry.js';

/** Build a one-node graph over concrete inputs and run it with the reference interpreter. */
function run(op: string, inputs: Tensor[], attrs: Attrs = {}): Tensor {
  const b = new GraphBuilder('t');
  const vs = inputs.map((t, i) => b.input(`x${i}`, tensorType(t.dtype, t.shape)));
  const y = b.op1(op, vs, attrs, { name: 'y' });
  b.output(y);
  const feeds = Object.fromEntries(inputs.map((t, i) => [`x${i}`, t]));
  return runGraph(b.graph, feeds).get('y')!;
}

const t = (dtype: DType, shape: number[], values: number[]) => Tensor.fromNumbers(dtype, shape, values);
const big = (dtype: 'i64' | 'u64', values: bigint[]) => {
  const x = Tensor.zeros(dtype, [values.length]);
  (x.data as BigInt64Array).set(values);
  return x;
};
const values = (x: Tensor) => Array.from(x.numbers());
const bigValues = (x: Tensor) => Array.from(x.data as BigInt64Array);

function expectClose(actual: ArrayLike<number>, expected: number[], rel: number) {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    if (Math.abs(a - e) > rel * Math.max(Math.abs(e), 1e-300)) expect.fail(`element ${i}: ${a} vs ${e}`);
  });
}

describe('broadcasting', () => {
  test('symbolic shapes broadcast in the shape rule', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', tensorType('f32', [sym('N'), 1, 4]));
    const y = b.input('y', tensorType('f32', [3, 1]));
    expect(typeToString(b.op1('add', [x, y]).type)).toBe('f32[N, 3, 4]');
    const c = b.input('c', tensorType('bool', [sym('N'), 3, 1]));
    expect(typeToString(b.op1('where', [c, x, y]).type)).toBe('f32[N, 3, 4]');
    const s = b.input('s', tensorType('f32', [sym('S'), 1]));
    expect(() => b.op1('add', [s, y])).toThrow(/do not broadcast \(dim S vs 3\)/);
    expect(typeToString(b.op1('less', [x, y]).type)).toBe('bool[N, 3, 4]');
    expect(() => b.op1('add', [x, b.input('z', tensorType('f32', [5]))])).toThrow(/do not broadcast/);
  });

  test('column plus row, scalar operands and same shapes', () => {
    const col = t('f32', [2, 1], [1, 2]);
    const row = t('f32', [3], [10, 20, 30]);
    const r = run('add', [col, row]);
    expect(r.shape).toEqual([2, 3]);
    expect(values(r)).toEqual([11, 21, 31, 12, 22, 32]);
    expect(values(run('sub', [t('f32', [], [100]), row]))).toEqual([90, 80, 70]);
    expect(values(run('mul', [row, t('f32', [1], [2])]))).toEqual([20, 40, 60]);
    expect(values(run('div', [row, row]))).toEqual([1, 1, 1]);
    const r3 = run('mul', [t('f64', [2, 1, 2], [1, 2, 3, 4]), t('f64', [3, 1], [1, 10, 100])]);
    expect(r3.shape).toEqual([2, 3, 2]);
    expect(values(r3)).toEqual([1, 2, 10, 20, 100, 200, 3, 4, 30, 40, 300, 400]);
  });

  test('where broadcasts three ways and keeps the dtype of x', () => {
    const c = Tensor.fromNumbers('bool', [2, 1], [1, 0]);
    const r = run('where', [c, t('i32', [3], [1, 2, 3]), t('i32', [], [-1])]);
    expect(r.dtype).toBe('i32');
    expect(values(r)).toEqual([1, 2, 3, -1, -1, -1]);
  });

  test('prelu broadcasts a per-channel slope to x', () => {
    const x = t('f32', [1, 2, 2], [-1, 2, -3, 4]);
    const r = run('prelu', [x, t('f32', [2, 1], [0.5, 0.25])]);
    expect(values(r)).toEqual([-0.5, 2, -0.75, 4]);
    expect(() => run('prelu', [t('f32', [2], [1, 2]), t('f32', [3, 1], [1, 2, 3])])).toThrow(/must broadcast to x/);
  });
});

describe('dtype checks', () => {
  test('mismatched operands name both types', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', tensorType('f32', [2]));
    const y = b.input('y', tensorType('i64', [2]));
    expect(() => b.op1('add', [x, y])).toThrow('add needs operands of one dtype, got f32[2] and i64[2]');
    expect(() => b.op1('exp', [y])).toThrow('exp does not accept input of type i64[2]; it takes float dtypes (f32, f16, bf16, f64)');
    expect(() => b.op1('and', [x, x])).toThrow(/and does not accept input of type f32\[2\]; it takes bool/);
    expect(() => b.op1('mod', [x, x])).toThrow(/needs fmod=1/);
    expect(() => b.op1('bit_shift', [y, y], { direction: 'LEFT' })).toThrow(/bit_shift does not accept/);
  });

  test('pow takes an exponent of another dtype and keeps the base dtype', () => {
    const r = run('pow', [t('f32', [3], [2, 4, 9]), t('i64', [3], [3, -1, 0])]);
    expect(r.dtype).toBe('f32');
    expect(values(r)).toEqual([8, 0.25, 1]);
    expect(values(run('pow', [t('i32', [2], [4, 2]), t('f32', [1], [0.5])]))).toEqual([2, 1]);
  });
});

describe('integer semantics', () => {
  test('division truncates toward zero; mod follows the divisor sign unless fmod=1', () => {
    const a = t('i32', [4], [-7, 7, -7, 7]);
    const d = t('i32', [4], [2, 2, -2, -2]);
    expect(values(run('div', [a, d]))).toEqual([-3, 3, 3, -3]);
    expect(values(run('mod', [a, d]))).toEqual([1, 1, -1, -1]);
    expect(values(run('mod', [a, d], { fmod: 1 }))).toEqual([-1, 1, -1, 1]);
    expect(values(run('mod', [t('f32', [2], [5.5, -5.5]), t('f32', [1], [-2])], { fmod: 1 }))).toEqual([1.5, -1.5]);
  });

  test('32-bit arithmetic wraps like C', () => {
    expect(values(run('mul', [t('i32', [2], [123456789, 65537]), t('i32', [2], [987654321, 65537])]))).toEqual([-67153019, 131073]);
    expect(values(run('add', [t('i32', [1], [2147483647]), t('i32', [1], [1])]))).toEqual([-2147483648]);
    expect(values(run('abs', [t('i8', [2], [-128, -5])]))).toEqual([-128, 5]);
    expect(values(run('sub', [t('u8', [1], [1]), t('u8', [1], [2])]))).toEqual([255]);
  });

  test('i64 arithmetic is exact beyond 2^53', () => {
    const p53 = 2n ** 53n;
    expect(bigValues(run('add', [big('i64', [p53 + 1n]), big('i64', [1n])]))).toEqual([p53 + 2n]);
    expect(bigValues(run('mul', [big('i64', [3037000499n]), big('i64', [3037000499n])]))).toEqual([9223372030926249001n]);
    expect(bigValues(run('div', [big('i64', [2n ** 62n + 12345n]), big('i64', [-7n])]))).toEqual([-658812288346771464n]);
    expect(bigValues(run('mod', [big('i64', [2n ** 62n + 12345n]), big('i64', [-7n])]))).toEqual([-6n]);
    expect(bigValues(run('mod', [big('i64', [-(2n ** 62n) - 5n]), big('i64', [7n])], { fmod: 1 }))).toEqual([-2n]);
    expect(values(run('equal', [big('i64', [p53, p53]), big('i64', [p53 + 1n, p53])]))).toEqual([0, 1]);
    expect(values(run('less', [big('i64', [p53]), big('i64', [p53 + 1n])]))).toEqual([1]);
    expect(bigValues(run('max', [big('i64', [p53 + 1n, -5n]), big('i64', [p53, -(p53 + 3n)])]))).toEqual([p53 + 1n, -5n]);
    expect(bigValues(run('neg', [big('i64', [-(2n ** 63n), p53 + 1n])]))).toEqual([-(2n ** 63n), -(p53 + 1n)]);
    expect(bigValues(run('pow', [big('i64', [3n]), t('i32', [1], [39])]))).toEqual([4052555153018976267n]);
    expect(bigValues(run('clip', [big('i64', [p53 + 7n, -10n, 4n])], { min: -2, max: 2 ** 53 }))).toEqual([p53, -2n, 4n]);
    expect(bigValues(run('bitwise_xor', [big('i64', [p53 + 1n]), big('i64', [1n])]))).toEqual([p53]);
  });

  test('bit shifts and bitwise ops', () => {
    expect(values(run('bit_shift', [t('u8', [3], [1, 3, 255]), t('u8', [3], [7, 8, 1])], { direction: 'LEFT' }))).toEqual([128, 0, 254]);
    expect(values(run('bit_shift', [t('u32', [2], [0xffffffff, 16]), t('u32', [1], [4])], { direction: 'RIGHT' }))).toEqual([0x0fffffff, 1]);
    const r = run('bit_shift', [big('u64', [1n << 63n, 5n]), big('u64', [62n, 1n])], { direction: 'RIGHT' });
    expect(Array.from(r.data as BigUint64Array)).toEqual([2n, 2n]);
    expect(values(run('bitwise_and', [t('u32', [1], [0xf0f0f0f0]), t('u32', [1], [0xffff0000])]))).toEqual([0xf0f00000]);
    expect(values(run('bitwise_not', [t('u8', [2], [0, 0x0f])]))).toEqual([255, 0xf0]);
    expect(Array.from(run('bitwise_not', [big('u64', [0n])]).data as BigUint64Array)).toEqual([2n ** 64n - 1n]);
  });
});

describe('cast', () => {
  test('f64 to f16 rounds once, half to even, with overflow and subnormals', () => {
    const src = t('f64', [10], [1.0009765625, 1.00048828125, 1.00146484375, 65519, 65520, 1e-8, 3e-8, -2.5, 1 + 2 ** -11 + 2 ** -40, 0.1]);
    const r = run('cast', [src], { to: 'f16' });
    expect(r.dtype).toBe('f16');
    expect(values(r)).toEqual([1.0009765625, 1, 1.001953125, 65504, Infinity, 0, 5.960464477539063e-8, -2.5, 1.0009765625, 0.0999755859375]);
  });

  test('f32 to bf16 and back', () => {
    const r = run('cast', [t('f32', [3], [0.1, 1 / 3, 1.00390625 + 2 ** -9])], { to: 'bf16' });
    expect(values(r)).toEqual([0.10009765625, 0.333984375, 1.0078125]);
    expect(values(run('cast', [r], { to: 'f32' }))).toEqual([0.10009765625, 0.333984375, 1.0078125]);
  });

  test('floats to integers truncate; to bool NaN is true', () => {
    const x = t('f32', [5], [1.5, -1.7, NaN, 300.7, -0]);
    expect(values(run('cast', [x], { to: 'bool' }))).toEqual([1, 1, 1, 1, 0]);
    expect(values(run('cast', [x], { to: 'i32' }))).toEqual([1, -1, 0, 300, 0]);
    expect(values(run('cast', [x], { to: 'u8' }))).toEqual([1, 255, 0, 44, 0]);
    expect(bigValues(run('cast', [t('f64', [2], [-2.9, 2 ** 60])], { to: 'i64' }))).toEqual([-2n, 2n ** 60n]);
    expect(values(run('cast', [Tensor.fromNumbers('bool', [2], [1, 0])], { to: 'f16' }))).toEqual([1, 0]);
  });

  test('64-bit integers convert without passing through a double', () => {
    const x = big('i64', [2n ** 32n + 5n, 2n ** 31n, -1n, 9007199254740993n, 2n ** 60n + 2n ** 36n + 1n]);
    expect(values(run('cast', [x], { to: 'i32' }))).toEqual([5, -2147483648, -1, 1, 1]);
    expect(values(run('cast', [x], { to: 'f64' }))).toEqual([4294967301, 2147483648, -1, 9007199254740992, 2 ** 60 + 2 ** 36]);
    // f32 has 24 significant bits: 2^60 + 2^36 + 1 is just above the tie, so it rounds up
    expect(values(run('cast', [x], { to: 'f32' }))[4]).toBe(2 ** 60 + 2 ** 37);
    expect(Array.from(run('cast', [x], { to: 'u64' }).data as BigUint64Array)[2]).toBe(2n ** 64n - 1n);
    expect(bigValues(run('cast', [big('u64', [2n ** 64n - 2n])], { to: 'i64' }))).toEqual([-2n]);
    expect(bigValues(run('cast', [t('u32', [1], [4294967295])], { to: 'i64' }))).toEqual([4294967295n]);
  });
});

describe('math and activations', () => {
  test('erf and gelu match double-precision references', () => {
    const x = [-3, -1, -0.5, 0, 0.5, 1, 2.5, 4];
    expectClose(run('erf', [t('f64', [5], [-2, -0.7, 0.1, 1.3, 3.5])]).numbers(),
      [-0.9953222650189527, -0.6778011938374184, 0.1124629160182849, 0.9340079449406524, 0.9999992569016276], 1e-14);
    expectClose(run('gelu', [t('f64', [8], x)]).numbers(),
      [-0.00404969409489031, -0.15865525393145702, -0.15426876936299344, 0, 0.34573123063700656, 0.841344746068543, 2.4844758366855597, 3.9998733150326675], 1e-12);
    expectClose(run('gelu', [t('f64', [8], x)], { approximate: 'tanh' }).numbers(),
      [-0.0036373920817729943, -0.1588080093917233, -0.15428599017485606, 0, 0.34571400982514394, 0.8411919906082768, 2.484915733910001, 3.9999297540518075], 1e-12);
    const f32 = run('gelu', [t('f32', [2], [-1, 1])]);
    expect(values(f32)).toEqual([Math.fround(-0.15865525393145702), Math.fround(0.841344746068543)]);
  });

  test('selu (ONNX default constants), mish and softplus', () => {
    const x = t('f64', [8], [-3, -1, -0.5, 0, 0.5, 1, 2.5, 4]);
    expectClose(run('selu', [x]).numbers(),
      [-1.670568733989153, -1.1113307412864784, -0.6917581899652425, 0, 0.5253505110740662, 1.0507010221481323, 2.626752555370331, 4.202804088592529], 1e-14);
    expectClose(run('mish', [x]).numbers(),
      [-0.1456474612756246, -0.30340146137410895, -0.22074377465173, 0, 0.37524521130489513, 0.8650983882673103, 2.471392304557881, 3.9974128069762385], 1e-14);
    expectClose(run('softplus', [x]).numbers(),
      [0.04858735157374206, 0.31326168751822286, 0.4740769841801067, 0.6931471805599453, 0.9740769841801067, 1.3132616875182228, 2.5788897342925496, 4.0181499279178094], 1e-14);
    expect(values(run('softplus', [t('f64', [2], [1000, -1000])]))).toEqual([1000, 0]);
  });

  test('piecewise activations and their attributes', () => {
    const x = t('f32', [5], [-2, -0.5, 0, 0.5, 2]);
    expect(values(run('relu', [x]))).toEqual([0, 0, 0, 0.5, 2]);
    expect(values(run('leaky_relu', [x], { alpha: 0.5 }))).toEqual([-1, -0.25, 0, 0.5, 2]);
    expect(values(run('hard_sigmoid', [x]))).toEqual([0.1, 0.4, 0.5, 0.6, 0.9].map(Math.fround));
    expect(values(run('hard_swish', [t('f32', [4], [-4, -1.5, 1.5, 4])]))).toEqual([-0, -0.375, 1.125, 4]);
    expect(values(run('thresholded_relu', [x], { alpha: 0.25 }))).toEqual([0, 0, 0, 0.5, 2]);
    expect(values(run('shrink', [x], { bias: 0.25, lambd: 0.4 }))).toEqual([-1.75, -0.25, 0, 0.25, 1.75]);
    expect(values(run('clip', [x], { max: 0.25 }))).toEqual([-2, -0.5, 0, 0.25, 0.25]);
    expect(values(run('clip', [t('i32', [3], [-9, 3, 9])], { min: -1.5, max: 5 }))).toEqual([-1, 3, 5]);
    expect(values(run('relu', [t('i32', [2], [-3, 3])]))).toEqual([0, 3]);
  });

  test('round is half to even; sign; is_inf and is_nan', () => {
    expect(values(run('round', [t('f32', [6], [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])]))).toEqual([-2, -2, -0, 0, 2, 2]);
    expect(values(run('sign', [t('f32', [3], [-3, 0, 7])]))).toEqual([-1, 0, 1]);
    expect(bigValues(run('sign', [big('i64', [-(2n ** 60n), 0n, 2n ** 60n])]))).toEqual([-1n, 0n, 1n]);
    const v = t('f32', [4], [Infinity, -Infinity, NaN, 1]);
    expect(values(run('is_inf', [v]))).toEqual([1, 1, 0, 0]);
    expect(values(run('is_inf', [v], { detect_negative: false }))).toEqual([1, 0, 0, 0]);
    expect(values(run('is_nan', [v]))).toEqual([0, 0, 1, 0]);
  });

  test('f16 arithmetic rounds the exact result once', () => {
    // 1 + 2^-11 is a tie between 1 and 1 + 2^-10 in f16 and goes to the even 1
    expect(values(run('add', [t('f16', [2], [1, 1]), t('f16', [2], [2 ** -11, 3 * 2 ** -11])]))).toEqual([1, 1.001953125]);
    expect(values(run('sqrt', [t('bf16', [1], [2])]))).toEqual([1.4140625]);
  });
});

describe('logic and comparisons', () => {
  test('comparisons give bool, NaN compares false', () => {
    const a = t('f32', [3], [1, NaN, 3]);
    const b = t('f32', [3], [2, NaN, 3]);
    const r = run('less_or_equal', [a, b]);
    expect(r.dtype).toBe('bool');
    expect(values(r)).toEqual([1, 0, 1]);
    expect(values(run('equal', [a, b]))).toEqual([0, 0, 1]);
    expect(values(run('greater', [a, t('f32', [], [1.5])]))).toEqual([0, 0, 1]);
  });

  test('logical ops on bool', () => {
    const p = Tensor.fromNumbers('bool', [4], [0, 0, 1, 1]);
    const q = Tensor.fromNumbers('bool', [4], [0, 1, 0, 1]);
    expect(values(run('and', [p, q]))).toEqual([0, 0, 0, 1]);
    expect(values(run('or', [p, q]))).toEqual([0, 1, 1, 1]);
    expect(values(run('xor', [p, q]))).toEqual([0, 1, 1, 0]);
    expect(values(run('not', [p]))).toEqual([1, 1, 0, 0]);
  });
});

describe('variadic', () => {
  test('max, min, sum, mean broadcast over any number of inputs', () => {
    const a = t('f32', [2, 1], [1, 5]);
    const b = t('f32', [3], [0, 2, 6]);
    const c = t('f32', [], [3]);
    expect(values(run('max', [a, b, c]))).toEqual([3, 3, 6, 5, 5, 6]);
    expect(values(run('min', [a, b]))).toEqual([0, 1, 1, 0, 2, 5]);
    expect(values(run('sum', [a, b, c]))).toEqual([4, 6, 10, 8, 10, 14]);
    expect(values(run('mean', [a, b, c]))).toEqual([4, 6, 10, 8, 10, 14].map((v) => Math.fround(v / 3)));
    expect(values(run('sum', [b]))).toEqual([0, 2, 6]);
    expect(values(run('max', [t('f32', [2], [NaN, 1]), t('f32', [2], [0, 2])]))).toEqual([NaN, 2]);
  });
});

describe('cost', () => {
  test('flops scale with elements and a per-op constant; bytes count inputs and output', () => {
    const f32x = tensorType('f32', [2, 8]);
    const env = new Map<string, number>();
    const add = getOp('add')!;
    expect(add.cost!({ inputs: [f32x, tensorType('f32', [8])], outputs: [f32x], attrs: {}, env })).toEqual({ flops: 16, bytes: 64 + 32 + 64 });
    const gelu = getOp('gelu')!;
    const sum = getOp('sum')!;
    expect(sum.cost!({ inputs: [f32x, f32x, f32x], outputs: [f32x], attrs: {}, env }).flops).toBe(32);
    expect(gelu.cost!({ inputs: [f32x], outputs: [f32x], attrs: withDefaults(gelu, {}), env })).toEqual({ flops: 256, bytes: 128 });
  });
});
