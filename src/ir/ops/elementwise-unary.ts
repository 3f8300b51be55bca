// Unary elementwise ops: math functions, activations, bitwise/logical not, is_nan/is_inf, clip, identity.
import { DType, isFloat } from '../dtype.js';
import { Attrs, tensorType } from '../graph.js';
import { defineOp, OpError, AttrSpec, OpTraits } from '../registry.js';
import { expectInputs } from './util.js';
import {
  FLOATS, NUMERIC, INTS, ALL, SIGNED_INTS, isBig, checkDType, perElementCost, mapUnary, mapUnaryBig, roundHalfEven,
} from './elementwise-kernels.js';
import { erf, sigmoid, softplus, gelu, geluTanh } from './elementwise-math.js';

/** A kernel for one dtype: over numbers (floats, small ints, bool) or over BigInts (i64/u64). */
export type UnaryKernel = { num: (x: number) => number } | { big: (x: bigint) => bigint | number };

interface UnarySpec {
  name: string;
  summary: string;
  dtypes: readonly DType[];
  /** output dtype when not the input's */
  out?: DType;
  attrs?: Record<string, AttrSpec>;
  flops: number;
  /** default: elementwise */
  traits?: OpTraits;
  check?(attrs: Attrs): void;
  kernel(dtype: DType, attrs: Attrs): UnaryKernel;
}

function defineUnary(spec: UnarySpec): void {
  defineOp({
    name: spec.name,
    summary: spec.summary,
    traits: spec.traits ?? { elementwise: true },
    inputs: ['x'],
    outputs: 1,
    attrs: spec.attrs ?? {},
    infer({ inputs, attrs }) {
      const [x] = expectInputs(spec.name, inputs, 1);
      checkDType(spec.name, x, spec.dtypes);
      spec.check?.(attrs);
      return [tensorType(spec.out ?? x.dtype, x.shape)];
    },
    eval({ inputs, attrs }) {
      const x = inputs[0]!;
      checkDType(spec.name, x, spec.dtypes);
      const k = spec.kernel(x.dtype, attrs);
      const out = spec.out ?? x.dtype;
      return ['num' in k ? mapUnary(x, out, k.num) : mapUnaryBig(x, out, k.big)];
    },
    cost: perElementCost(spec.flops),
  });
}

/** A float-only op given by one double-precision function. */
function floatOp(name: string, summary: string, flops: number, f: (x: number) => number): void {
  defineUnary({ name, summary, dtypes: FLOATS, flops, kernel: () => ({ num: f }) });
}

const num = (v: Attrs[string] | undefined) => v as number;

// Math.
defineUnary({
  name: 'abs', summary: '|x|', dtypes: NUMERIC, flops: 1,
  kernel: (d) => (isBig(d) ? { big: (x) => (x < 0n ? -x : x) } : { num: Math.abs }),
});
defineUnary({
  name: 'neg', summary: '-x', dtypes: [...FLOATS, ...SIGNED_INTS], flops: 1,
  kernel: (d) => (isBig(d) ? { big: (x) => -x } : { num: (x) => -x }),
});
defineUnary({
  name: 'sign', summary: '-1, 0 or 1 by the sign of x (NaN stays NaN)', dtypes: NUMERIC, flops: 1,
  kernel: (d) => (isBig(d) ? { big: (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n) } : { num: (x) => (x > 0 ? 1 : x < 0 ? -1 : x) }),
});
floatOp('exp', 'e^x', 8, Math.exp);
floatOp('log', 'natural logarithm', 8, Math.log);
floatOp('sqrt', 'square root', 4, Math.sqrt);
floatOp('rsqrt', '1 / sqrt(x)', 5, (x) => 1 / Math.sqrt(x));
floatOp('reciprocal', '1 / x', 2, (x) => 1 / x);
floatOp('floor', 'round toward -inf', 1, Math.floor);
floatOp('ceil', 'round toward +inf', 1, Math.ceil);
floatOp('round', 'round half to even', 1, roundHalfEven);
floatOp('erf', 'the error function', 16, erf);
floatOp('sin', 'sine', 8, Math.sin);
floatOp('cos', 'cosine', 8, Math.cos);
floatOp('tan', 'tangent', 10, Math.tan);
floatOp('asin', 'arcsine', 10, Math.asin);
floatOp('acos', 'arccosine', 10, Math.acos);
floatOp('atan', 'arctangent', 10, Math.atan);
floatOp('sinh', 'hyperbolic sine', 10, Math.sinh);
floatOp('cosh', 'hyperbolic cosine', 10, Math.cosh);
floatOp('asinh', 'inverse hyperbolic sine', 12, Math.asinh);
floatOp('acosh', 'inverse hyperbolic cosine', 12, Math.acosh);
floatOp('atanh', 'inverse hyperbolic tangent', 12, Math.atanh);
defineUnary({
  name: 'is_nan', summary: 'true where x is NaN', dtypes: FLOATS, out: 'bool', flops: 1,
  kernel: () => ({ num: (x) => (x !== x ? 1 : 0) }),
});
defineUnary({
  name: 'is_inf', summary: 'true where x is an infinity of a detected sign', dtypes: FLOATS, out: 'bool', flops: 1,
  attrs: { detect_positive: { kind: 'bool', default: true }, detect_negative: { kind: 'bool', default: true } },
  kernel: (_d, a) => {
    const pos = a.detect_positive as boolean, neg = a.detect_negative as boolean;
    return { num: (x) => ((pos && x === Infinity) || (neg && x === -Infinity) ? 1 : 0) };
  },
});
defineUnary({
  name: 'identity', summary: 'x unchanged', dtypes: ALL, flops: 0, traits: { alias: true },
  kernel: (d) => (isBig(d) ? { big: (x) => x } : { num: (x) => x }),
});
defineUnary({
  name: 'bitwise_not', summary: 'bitwise complement', dtypes: INTS, flops: 1,
  kernel: (d) => (isBig(d) ? { big: (x) => ~x } : { num: (x) => ~x }),
});
defineUnary({
  name: 'not', summary: 'logical negation', dtypes: ['bool'], flops: 1,
  kernel: () => ({ num: (x) => (x ? 0 : 1) }),
});

// Clip: bounds are float attributes; on integer tensors they are tightened to integers.
defineUnary({
  name: 'clip', summary: 'min(max(x, min), max); absent bounds do not clip', dtypes: NUMERIC, flops: 2,
  attrs: { min: { kind: 'float', optional: true }, max: { kind: 'float', optional: true } },
  kernel: (d, a) => {
    const lo = a.min === undefined ? -Infinity : num(a.min);
    const hi = a.max === undefined ? Infinity : num(a.max);
    if (isFloat(d)) return { num: (x) => { const v = x < lo ? lo : x; return v > hi ? hi : v; } };
    const ilo = Math.ceil(lo), ihi = Math.floor(hi);
    if (!isBig(d)) return { num: (x) => { const v = x < ilo ? ilo : x; return v > ihi ? ihi : v; } };
    const blo = Number.isFinite(ilo) ? BigInt(ilo) : null, bhi = Number.isFinite(ihi) ? BigInt(ihi) : null;
    return { big: (x) => { const v = blo !== null && x < blo ? blo : x; return bhi !== null && v > bhi ? bhi : v; } };
  },
});

// Activations.
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;
const attr = (v: number): AttrSpec => ({ kind: 'float', default: v });

defineUnary({
  name: 'relu', summary: 'max(x, 0)', dtypes: [...FLOATS, ...SIGNED_INTS], flops: 1,
  kernel: (d) => (isBig(d) ? { big: (x) => (x < 0n ? 0n : x) } : { num: (x) => (x < 0 ? 0 : x) }),
});
defineUnary({
  name: 'leaky_relu', summary: 'x if x >= 0 else alpha·x', dtypes: FLOATS, flops: 2, attrs: { alpha: attr(0.01) },
  kernel: (_d, a) => { const al = num(a.alpha); return { num: (x) => (x < 0 ? al * x : x) }; },
});
defineUnary({
  name: 'elu', summary: 'x if x >= 0 else alpha·(e^x - 1)', dtypes: FLOATS, flops: 8, attrs: { alpha: attr(1) },
  kernel: (_d, a) => { const al = num(a.alpha); return { num: (x) => (x < 0 ? al * Math.expm1(x) : x) }; },
});
defineUnary({
  name: 'selu', summary: 'gamma·(x if x > 0 else alpha·(e^x - 1))', dtypes: FLOATS, flops: 9,
  attrs: { alpha: attr(SELU_ALPHA), gamma: attr(SELU_GAMMA) },
  kernel: (_d, a) => {
    const al = num(a.alpha), g = num(a.gamma);
    return { num: (x) => (x > 0 ? g * x : g * al * Math.expm1(x)) };
  },
});
defineUnary({
  name: 'celu', summary: 'max(0, x) + min(0, alpha·(e^(x/alpha) - 1))', dtypes: FLOATS, flops: 9, attrs: { alpha: attr(1) },
  kernel: (_d, a) => { const al = num(a.alpha); return { num: (x) => (x > 0 ? x : al * Math.expm1(x / al)) }; },
});
defineUnary({
  name: 'gelu', summary: 'x·Φ(x), exact (erf) or with the tanh approximation', dtypes: FLOATS, flops: 16,
  attrs: { approximate: { kind: 'string', default: 'none' } },
  check: (a) => {
    if (a.approximate !== 'none' && a.approximate !== 'tanh') throw new OpError(`gelu approximate must be 'none' or 'tanh', got '${a.approximate}'`);
  },
  kernel: (_d, a) => ({ num: a.approximate === 'tanh' ? geluTanh : gelu }),
});
floatOp('silu', 'x·sigmoid(x)', 9, (x) => x * sigmoid(x));
floatOp('sigmoid', '1 / (1 + e^-x)', 8, sigmoid);
defineUnary({
  name: 'hard_sigmoid', summary: 'max(0, min(1, alpha·x + beta))', dtypes: FLOATS, flops: 3,
  attrs: { alpha: attr(0.2), beta: attr(0.5) },
  kernel: (_d, a) => {
    const al = num(a.alpha), b = num(a.beta);
    return { num: (x) => Math.max(0, Math.min(1, al * x + b)) };
  },
});
floatOp('hard_swish', 'x·max(0, min(1, x/6 + 1/2))', 4, (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)));
floatOp('tanh', 'hyperbolic tangent', 8, Math.tanh);
floatOp('softplus', 'log(1 + e^x)', 10, softplus);
floatOp('softsign', 'x / (1 + |x|)', 3, (x) => x / (1 + Math.abs(x)));
floatOp('mish', 'x·tanh(softplus(x))', 18, (x) => x * Math.tanh(softplus(x)));
defineUnary({
  name: 'thresholded_relu', summary: 'x if x > alpha else 0', dtypes: FLOATS, flops: 1, attrs: { alpha: attr(1) },
  kernel: (_d, a) => { const al = num(a.alpha); return { num: (x) => (x > al ? x : 0) }; },
});
defineUnary({
  name: 'shrink', summary: 'x + bias if x < -lambd, x - bias if x > lambd, else 0', dtypes: NUMERIC, flops: 2,
  attrs: { bias: attr(0), lambd: attr(0.5) },
  kernel: (_d, a) => {
    const b = num(a.bias), l = num(a.lambd);
    return { num: (x) => (x < -l ? x + b : x > l ? x - b : 0) };
  },
});
