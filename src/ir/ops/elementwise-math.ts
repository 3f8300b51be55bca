// Scalar math in double precision for the elementwise ops: erf/erfc accurate to a few ulps,
// and numerically stable forms of the activation functions.

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;

/** erf for |x| < 3: 2/√π · e^{-x²} · Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)); every term is positive, so no cancellation. */
function erfSeries(a: number): number {
  const x2 = a * a;
  let term = a, sum = a;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc for x ≥ 3 by its continued fraction e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function erfcFraction(a: number): number {
  let f = a;
  for (let k = 80; k >= 1; k--) f = a + k / 2 / f;
  return (Math.exp(-a * a) * INV_SQRT_PI) / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 6) return x < 0 ? -1 : 1;
  const r = a < 3 ? erfSeries(a) : 1 - erfcFraction(a);
  return x < 0 ? -r : r;
}

/** 1 - erf(x), keeping relative accuracy in the far tail (where erf rounds to ±1). */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) return 1 - erfSeries(x);
  if (x > 27) return 0;
  return erfcFraction(x);
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + e^x) without overflow for large x or loss of precision for very negative x. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

const SQRT1_2 = Math.SQRT1_2;
const GELU_TANH_K = Math.sqrt(2 / Math.PI);

/** x·Φ(x) written with erfc so the negative tail keeps relative precision. */
export function gelu(x: number): number {
  return 0.5 * x * erfc(-x * SQRT1_2);
}

export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_TANH_K * (x + 0.044715 * x * x * x)));
}
