// Binary and n-ary elementwise ops with numpy broadcasting: arithmetic, pow, mod, bit ops,
// comparisons, logic, prelu, where, and the variadic max/min/sum/mean.
import { DType, isFloat, isInteger } from '../dtype.js';
import { Attrs, TensorType, tensorType, typeToString } from '../graph.js';
import { Tensor, sizeOf } from '../tensor.js';
import { dimEq } from '../dim.js';
import { defineOp, OpError, AttrSpec } from '../registry.js';
import { broadcastShapes, broadcastStatic, expectInputs } from './util.js';
import {
  FLOATS, NUMERIC, INTS, UINTS, ALL, isBig, checkDType, checkSameDType, perElementCost, mapBinary, mapBinaryBig,
  operand, loop1, loop2, storeNumbers, nums, bigs,
} from './elementwise-kernels.js';

export type BinaryKernel = { num: (x: number, y: number) => number } | { big: (x: bigint, y: bigint) => bigint | number };

interface BinarySpec {
  name: string;
  summary: string;
  dtypes: readonly DType[];
  /** output dtype when not the operands' */
  out?: DType;
  attrs?: Record<string, AttrSpec>;
  flops: number;
  check?(dtype: DType, attrs: Attrs): void;
  kernel(dtype: DType, attrs: Attrs): BinaryKernel;
}

function checkOperands(spec: BinarySpec, a: TensorType, b: TensorType, attrs: Attrs): void {
  checkSameDType(spec.name, [a, b]);
  checkDType(spec.name, a, spec.dtypes);
  spec.check?.(a.dtype, attrs);
}

function defineBinary(spec: BinarySpec): void {
  defineOp({
    name: spec.name,
    summary: spec.summary,
    traits: { elementwise: true },
    inputs: ['a', 'b'],
    outputs: 1,
    attrs: spec.attrs ?? {},
    infer({ inputs, attrs }) {
      const [a, b] = expectInputs(spec.name, inputs, 2);
      checkOperands(spec, a, b, attrs);
      return [tensorType(spec.out ?? a.dtype, broadcastShapes([a.shape, b.shape]))];
    },
    eval({ inputs, attrs }) {
      const a = inputs[0]!, b = inputs[1]!;
      checkOperands(spec, a, b, attrs);
      const shape = broadcastStatic([a.shape, b.shape]);
      const k = spec.kernel(a.dtype, attrs);
      const out = spec.out ?? a.dtype;
      return ['num' in k ? mapBinary(a, b, shape, out, k.num) : mapBinaryBig(a, b, shape, out, k.big)];
    },
    cost: perElementCost(spec.flops),
  });
}

// Arithmetic. Small integer results wrap when stored (two's complement), as in C.
defineBinary({
  name: 'add', summary: 'a + b', dtypes: NUMERIC, flops: 1,
  kernel: (d) => (isBig(d) ? { big: (x, y) => x + y } : { num: (x, y) => x + y }),
});
defineBinary({
  name: 'sub', summary: 'a - b', dtypes: NUMERIC, flops: 1,
  kernel: (d) => (isBig(d) ? { big: (x, y) => x - y } : { num: (x, y) => x - y }),
});
defineBinary({
  name: 'mul', summary: 'a · b', dtypes: NUMERIC, flops: 1,
  // 32-bit products can exceed 2^53, so they take the exact low-32-bit multiply
  kernel: (d) => (isBig(d) ? { big: (x, y) => x * y } : d === 'i32' || d === 'u32' ? { num: Math.imul } : { num: (x, y) => x * y }),
});
defineBinary({
  name: 'div', summary: 'a / b; integer division truncates toward zero (x / 0 gives 0)', dtypes: NUMERIC, flops: 1,
  kernel: (d) => {
    if (isBig(d)) return { big: (x, y) => (y === 0n ? 0n : x / y) };
    if (isInteger(d)) return { num: (x, y) => (y === 0 ? 0 : Math.trunc(x / y)) };
    return { num: (x, y) => x / y };
  },
});
defineBinary({
  name: 'mod', summary: 'remainder: sign of the divisor (fmod=0, integers) or of the dividend (fmod=1)', dtypes: NUMERIC, flops: 2,
  attrs: { fmod: { kind: 'int', default: 0 } },
  check: (d, a) => {
    if (a.fmod !== 0 && a.fmod !== 1) throw new OpError(`mod fmod must be 0 or 1, got ${a.fmod}`);
    if (isFloat(d) && a.fmod === 0) throw new OpError(`mod of ${d} needs fmod=1 (fmod=0 is for integer dtypes)`);
  },
  kernel: (d, a) => {
    const fmod = a.fmod === 1;
    if (isBig(d))
      return fmod
        ? { big: (x, y) => (y === 0n ? 0n : x % y) }
        : { big: (x, y) => { if (y === 0n) return 0n; const r = x % y; return r !== 0n && (r < 0n) !== (y < 0n) ? r + y : r; } };
    if (isFloat(d)) return { num: (x, y) => x % y };
    return fmod
      ? { num: (x, y) => (y === 0 ? 0 : x % y) }
      : { num: (x, y) => { if (y === 0) return 0; const r = x % y; return r !== 0 && (r < 0) !== (y < 0) ? r + y : r; } };
  },
});

const BITS: Partial<Record<DType, number>> = { u8: 8, u16: 16, u32: 32, u64: 64 };
defineBinary({
  name: 'bit_shift', summary: 'a shifted left or right by b bits (unsigned; shifting out every bit gives 0)', dtypes: UINTS, flops: 1,
  attrs: { direction: { kind: 'string' } },
  check: (_d, a) => {
    if (a.direction !== 'LEFT' && a.direction !== 'RIGHT') throw new OpError(`bit_shift direction must be 'LEFT' or 'RIGHT', got '${a.direction}'`);
  },
  kernel: (d, a) => {
    const left = a.direction === 'LEFT';
    const bits = BITS[d]!;
    if (isBig(d)) return left ? { big: (x, y) => (y >= 64n ? 0n : x << y) } : { big: (x, y) => (y >= 64n ? 0n : x >> y) };
    return left ? { num: (x, y) => (y >= bits ? 0 : x << y) } : { num: (x, y) => (y >= bits ? 0 : x >>> y) };
  },
});
defineBinary({
  name: 'bitwise_and', summary: 'a & b', dtypes: INTS, flops: 1,
  kernel: (d) => (isBig(d) ? { big: (x, y) => x & y } : { num: (x, y) => x & y }),
});
defineBinary({
  name: 'bitwise_or', summary: 'a | b', dtypes: INTS, flops: 1,
  kernel: (d) => (isBig(d) ? { big: (x, y) => x | y } : { num: (x, y) => x | y }),
});
defineBinary({
  name: 'bitwise_xor', summary: 'a ^ b', dtypes: INTS, flops: 1,
  kernel: (d) => (isBig(d) ? { big: (x, y) => x ^ y } : { num: (x, y) => x ^ y }),
});

// Comparisons and logic (bool results).
function comparison(name: string, summary: string, dtypes: readonly DType[], num: (x: number, y: number) => number, big: (x: bigint, y: bigint) => number): void {
  defineBinary({ name, summary, dtypes, out: 'bool', flops: 1, kernel: (d) => (isBig(d) ? { big } : { num }) });
}
comparison('equal', 'a == b', ALL, (x, y) => (x === y ? 1 : 0), (x, y) => (x === y ? 1 : 0));
comparison('less', 'a < b', NUMERIC, (x, y) => (x < y ? 1 : 0), (x, y) => (x < y ? 1 : 0));
comparison('less_or_equal', 'a <= b', NUMERIC, (x, y) => (x <= y ? 1 : 0), (x, y) => (x <= y ? 1 : 0));
comparison('greater', 'a > b', NUMERIC, (x, y) => (x > y ? 1 : 0), (x, y) => (x > y ? 1 : 0));
comparison('greater_or_equal', 'a >= b', NUMERIC, (x, y) => (x >= y ? 1 : 0), (x, y) => (x >= y ? 1 : 0));
defineBinary({ name: 'and', summary: 'logical and', dtypes: ['bool'], flops: 1, kernel: () => ({ num: (x, y) => (x && y ? 1 : 0) }) });
defineBinary({ name: 'or', summary: 'logical or', dtypes: ['bool'], flops: 1, kernel: () => ({ num: (x, y) => (x || y ? 1 : 0) }) });
defineBinary({ name: 'xor', summary: 'logical exclusive or', dtypes: ['bool'], flops: 1, kernel: () => ({ num: (x, y) => (!x !== !y ? 1 : 0) }) });

/** base^e in 64-bit wrapping arithmetic; negative exponents give the integer part of the reciprocal. */
function powBig(base: bigint, e: bigint): bigint {
  if (e < 0n) return base === 1n ? 1n : base === -1n ? (e % 2n === 0n ? 1n : -1n) : 0n;
  let r = 1n, b = BigInt.asIntN(64, base);
  while (e > 0n) {
    if (e & 1n) r = BigInt.asIntN(64, r * b);
    b = BigInt.asIntN(64, b * b);
    e >>= 1n;
  }
  return r;
}

// Pow: base and exponent may differ in dtype; the result has the base's.
defineOp({
  name: 'pow',
  traits: { elementwise: true },
  summary: 'a ^ b (the result has the dtype of a)',
  inputs: ['a', 'b'],
  outputs: 1,
  attrs: {},
  infer({ inputs }) {
    const [a, b] = expectInputs('pow', inputs, 2);
    checkDType('pow', a, NUMERIC, 'base');
    checkDType('pow', b, NUMERIC, 'exponent');
    return [tensorType(a.dtype, broadcastShapes([a.shape, b.shape]))];
  },
  eval({ inputs }) {
    const a = inputs[0]!, b = inputs[1]!;
    const shape = broadcastStatic([a.shape, b.shape]);
    if (isBig(a.dtype) && isInteger(b.dtype)) {
      const e = isBig(b.dtype) ? b : bigTensor(b);
      return [mapBinaryBig(a, e, shape, a.dtype, powBig)];
    }
    return [mapBinary(a, b, shape, a.dtype, Math.pow)];
  },
  cost: perElementCost(8),
});

function bigTensor(t: Tensor): Tensor {
  const out = Tensor.zeros('i64', t.shape);
  const src = nums(t), dst = out.data as BigInt64Array;
  for (let i = 0; i < t.size; i++) dst[i] = BigInt(src[i]);
  return out;
}

// PRelu: the slope broadcasts to x (one way: the result has x's shape).
const PRELU_DTYPES: readonly DType[] = [...FLOATS, 'i32', 'i64', 'u32', 'u64'];
function checkPrelu(x: TensorType, slope: TensorType): void {
  checkSameDType('prelu', [x, slope]);
  checkDType('prelu', x, PRELU_DTYPES);
  const s = broadcastShapes([x.shape, slope.shape]);
  if (s.length !== x.shape.length || s.some((d, i) => !dimEq(d, x.shape[i])))
    throw new OpError(`prelu slope ${typeToString(slope)} must broadcast to x ${typeToString(x)}`);
}
defineOp({
  name: 'prelu',
  traits: { elementwise: true },
  summary: 'x if x >= 0 else slope·x, slope broadcast to x',
  inputs: ['x', 'slope'],
  outputs: 1,
  attrs: {},
  infer({ inputs }) {
    const [x, slope] = expectInputs('prelu', inputs, 2);
    checkPrelu(x, slope);
    return [tensorType(x.dtype, x.shape)];
  },
  eval({ inputs }) {
    const x = inputs[0]!, s = inputs[1]!;
    checkPrelu(x, s);
    if (isBig(x.dtype)) return [mapBinaryBig(x, s, x.shape, x.dtype, (v, k) => (v < 0n ? v * k : v))];
    return [mapBinary(x, s, x.shape, x.dtype, (v, k) => (v < 0 ? v * k : v))];
  },
  cost: perElementCost(2),
});

// Where: a three-way broadcast selecting stored elements as they are (any dtype).
defineOp({
  name: 'where',
  traits: { elementwise: true },
  summary: 'x where condition else y',
  inputs: ['condition', 'x', 'y'],
  outputs: 1,
  attrs: {},
  infer({ inputs }) {
    const [c, x, y] = expectInputs('where', inputs, 3);
    checkDType('where', c, ['bool'], 'condition');
    checkSameDType('where', [x, y]);
    return [tensorType(x.dtype, broadcastShapes([c.shape, x.shape, y.shape]))];
  },
  eval({ inputs }) {
    const c = inputs[0]!, x = inputs[1]!, y = inputs[2]!;
    checkSameDType('where', [x, y]);
    const shape = broadcastStatic([c.shape, x.shape, y.shape]);
    const out = Tensor.zeros(x.dtype, shape);
    const co = operand(c.data as Uint8Array, c.shape, shape);
    const xo = operand<number | bigint>(x.data as ArrayLike<number | bigint>, x.shape, shape);
    const yo = operand<number | bigint>(y.data as ArrayLike<number | bigint>, y.shape, shape);
    const cv = co.values, xv = xo.values, yv = yo.values;
    const cs = co.single ? 0 : 1, xs = xo.single ? 0 : 1, ys = yo.single ? 0 : 1;
    const o = out.data as { [i: number]: number | bigint };
    const n = out.size;
    for (let i = 0; i < n; i++) o[i] = cv[i * cs] ? xv[i * xs] : yv[i * ys];
    return [out];
  },
  cost: perElementCost(1),
});

// Variadic max/min/sum/mean: folded in double precision (BigInt for i64/u64), stored once.
interface VariadicSpec {
  name: string;
  summary: string;
  dtypes: readonly DType[];
  flops: number;
  num: (acc: number, x: number) => number;
  big?: (acc: bigint, x: bigint) => bigint;
  /** divide by the input count at the end */
  mean?: boolean;
}

function defineVariadic(spec: VariadicSpec): void {
  const check = (ts: readonly TensorType[]) => {
    checkSameDType(spec.name, ts);
    checkDType(spec.name, ts[0], spec.dtypes);
  };
  defineOp({
    name: spec.name,
    summary: spec.summary,
    traits: { elementwise: true },
    inputs: ['x'],
    variadic: true,
    minInputs: 1,
    outputs: 1,
    attrs: {},
    infer({ inputs }) {
      if (inputs.length < 1) throw new OpError(`${spec.name} needs at least one input`);
      const ts = expectInputs(spec.name, inputs, inputs.length);
      check(ts);
      return [tensorType(ts[0].dtype, broadcastShapes(ts.map((t) => t.shape)))];
    },
    eval({ inputs }) {
      const ts = inputs as Tensor[];
      check(ts);
      const shape = broadcastStatic(ts.map((t) => t.shape));
      const n = sizeOf(shape);
      const out = Tensor.zeros(ts[0].dtype, shape);
      if (isBig(out.dtype) && spec.big) {
        const acc = out.data as BigInt64Array;
        const whole = { values: acc, single: false };
        const f = spec.big;
        loop1(acc, operand(bigs(ts[0]), ts[0].shape, shape), n, (v) => v);
        for (const t of ts.slice(1)) loop2(acc, whole, operand(bigs(t), t.shape, shape), n, f);
        return [out];
      }
      const acc = new Float64Array(n);
      const whole = { values: acc, single: false };
      loop1(acc, operand(nums(ts[0]), ts[0].shape, shape), n, (v) => v);
      for (const t of ts.slice(1)) loop2(acc, whole, operand(nums(t), t.shape, shape), n, spec.num);
      if (spec.mean) for (let i = 0; i < n; i++) acc[i] /= ts.length;
      storeNumbers(out, acc);
      return [out];
    },
    cost: (ctx) => perElementCost(spec.flops * Math.max(1, ctx.inputs.length - 1))(ctx),
  });
}

defineVariadic({
  name: 'max', summary: 'elementwise maximum of the inputs (NaN propagates)', dtypes: NUMERIC, flops: 1,
  num: Math.max, big: (a, x) => (x > a ? x : a),
});
defineVariadic({
  name: 'min', summary: 'elementwise minimum of the inputs (NaN propagates)', dtypes: NUMERIC, flops: 1,
  num: Math.min, big: (a, x) => (x < a ? x : a),
});
defineVariadic({ name: 'sum', summary: 'elementwise sum of the inputs', dtypes: NUMERIC, flops: 1, num: (a, x) => a + x, big: (a, x) => a + x });
defineVariadic({ name: 'mean', summary: 'elementwise mean of the inputs', dtypes: FLOATS, flops: 1, num: (a, x) => a + x, mean: true });
