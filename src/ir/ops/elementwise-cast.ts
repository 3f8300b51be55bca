// Cast between any two dtypes. 64-bit integers convert through BigInt so no value passes through a
// double unless the target is a float; floats truncate toward zero into integers; x → bool is x != 0
// (NaN is true); every float target is reached with a single rounding.
import { DType, isFloat, isInteger, isDType } from '../dtype.js';
import { tensorType } from '../graph.js';
import { Tensor } from '../tensor.js';
import { defineOp, OpError } from '../registry.js';
import { expectInputs } from './util.js';
import { isBig, storeNumbers, nums, bigToNumber, perElementCost } from './elementwise-kernels.js';

/** Significant bits of each float dtype, for rounding 64-bit integers in one step. */
const MANTISSA_BITS: Partial<Record<DType, number>> = { f64: 53, f32: 24, f16: 11, bf16: 8 };

export function castTensor(x: Tensor, to: DType): Tensor {
  const out = Tensor.zeros(to, x.shape);
  const n = x.size;
  if (isBig(x.dtype)) {
    const src = x.data as BigInt64Array;
    if (isBig(to)) {
      const dst = out.data as BigInt64Array;
      for (let i = 0; i < n; i++) dst[i] = src[i];
    } else if (to === 'bool') {
      const dst = out.data as Uint8Array;
      for (let i = 0; i < n; i++) dst[i] = src[i] !== 0n ? 1 : 0;
    } else if (isInteger(to)) {
      // the low 32 bits carry every narrower integer; storing wraps the rest
      const dst = out.data as Int32Array;
      for (let i = 0; i < n; i++) dst[i] = Number(BigInt.asIntN(32, src[i]));
    } else {
      const bits = MANTISSA_BITS[to]!;
      const vals = new Float64Array(n);
      for (let i = 0; i < n; i++) vals[i] = bigToNumber(src[i], bits);
      storeNumbers(out, vals);
    }
    return out;
  }
  const src = nums(x);
  if (isBig(to)) {
    if (isFloat(x.dtype)) storeNumbers(out, src);
    else {
      const dst = out.data as BigInt64Array;
      for (let i = 0; i < n; i++) dst[i] = BigInt(src[i]);
    }
    return out;
  }
  storeNumbers(out, src);
  return out;
}

defineOp({
  name: 'cast',
  traits: { elementwise: true },
  summary: 'convert to another dtype',
  inputs: ['x'],
  outputs: 1,
  attrs: { to: { kind: 'dtype' } },
  infer({ inputs, attrs }) {
    const [x] = expectInputs('cast', inputs, 1);
    const to = attrs.to;
    if (typeof to !== 'string' || !isDType(to)) throw new OpError(`cast 'to' must be a dtype, got ${String(to)}`);
    return [tensorType(to, x.shape)];
  },
  eval({ inputs, attrs }) {
    return [castTensor(inputs[0]!, attrs.to as DType)];
  },
  cost: perElementCost(1),
});
