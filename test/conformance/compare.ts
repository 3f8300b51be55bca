// Numerical comparison of an actual tensor with an expected one: shapes and dtypes must match,
// floats within a tolerance (NaN equals NaN, infinities must match exactly), everything else exactly.
import { DType, isFloat } from '../../src/ir/dtype.js';
import { Tensor, readNumbers } from '../../src/ir/tensor.js';

export interface Tolerance {
  rtol: number;
  atol: number;
}

/**
 * The ONNX backend tests' f32 tolerance, widened for the 16-bit floats to a few units in the last
 * place: an op is allowed one rounding more or less than numpy's reference.
 */
export const CONFORMANCE_TOLERANCE: Record<'f64' | 'f32' | 'f16' | 'bf16', Tolerance> = {
  f64: { rtol: 1e-3, atol: 1e-5 },
  f32: { rtol: 1e-3, atol: 1e-5 },
  f16: { rtol: 4e-3, atol: 1e-4 },
  bf16: { rtol: 3e-2, atol: 1e-3 },
};

export interface Comparison {
  ok: boolean;
  /** why it differs, for a report; empty when ok */
  reason: string;
  /** largest |actual - expected| over finite pairs */
  maxAbs: number;
  /** largest |actual - expected| / |expected| over finite pairs with expected != 0 */
  maxRel: number;
  /** elements outside the tolerance */
  mismatches: number;
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Compares element by element; `tolerance` picks the float tolerance of each dtype. */
export function compareTensors(
  actual: Tensor,
  expected: Tensor,
  tolerance: (dtype: DType) => Tolerance = floatTolerance,
): Comparison {
  const none = { maxAbs: 0, maxRel: 0, mismatches: 0 };
  if (actual.dtype !== expected.dtype) return { ok: false, reason: `dtype ${actual.dtype}, expected ${expected.dtype}`, ...none };
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i]))
    return { ok: false, reason: `shape ${formatShape(actual.shape)}, expected ${formatShape(expected.shape)}`, ...none };
  if (!isFloat(expected.dtype)) return compareExactly(actual, expected);
  const { rtol, atol } = tolerance(expected.dtype);
  const a = readNumbers(actual);
  const e = readNumbers(expected);
  let maxAbs = 0, maxRel = 0, mismatches = 0, firstBad = -1;
  for (let i = 0; i < e.length; i++) {
    const x = a[i], y = e[i];
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (x !== y) { mismatches++; if (firstBad < 0) firstBad = i; }
      continue;
    }
    const abs = Math.abs(x - y);
    if (abs > maxAbs) maxAbs = abs;
    if (y !== 0 && abs / Math.abs(y) > maxRel) maxRel = abs / Math.abs(y);
    if (!(abs <= atol + rtol * Math.abs(y))) { mismatches++; if (firstBad < 0) firstBad = i; }
  }
  if (mismatches === 0) return { ok: true, reason: '', maxAbs, maxRel, mismatches };
  const reason = `${mismatches} of ${e.length} elements differ (max abs ${fmt(maxAbs)}, max rel ${fmt(maxRel)}; ` +
    `first at ${firstBad}: ${a[firstBad].toPrecision(6)} vs ${e[firstBad].toPrecision(6)})`;
  return { ok: false, reason, maxAbs, maxRel, mismatches };
}

function floatTolerance(dtype: DType): Tolerance {
  return CONFORMANCE_TOLERANCE[dtype as keyof typeof CONFORMANCE_TOLERANCE] ?? CONFORMANCE_TOLERANCE.f32;
}

/** Integers (64-bit ones compared as bigints, without loss) and bools. */
function compareExactly(actual: Tensor, expected: Tensor): Comparison {
  const a = actual.data, e = expected.data;
  let mismatches = 0, firstBad = -1;
  for (let i = 0; i < e.length; i++) if (a[i] !== e[i]) { mismatches++; if (firstBad < 0) firstBad = i; }
  if (mismatches === 0) return { ok: true, reason: '', maxAbs: 0, maxRel: 0, mismatches };
  const reason = `${mismatches} of ${e.length} elements differ (first at ${firstBad}: ${a[firstBad]} vs ${e[firstBad]})`;
  return { ok: false, reason, maxAbs: NaN, maxRel: NaN, mismatches };
}

/** Three significant digits: enough to read, stable enough for a committed report. */
export function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(3) : String(v);
}
