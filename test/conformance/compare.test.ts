import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from './compare.js';

const f32 = (values: number[], shape = [values.length]) => Tensor.fromNumbers('f32', shape, values);

describe('compareTensors', () => {
  it('accepts floats within atol + rtol·|expected| and reports the largest errors', () => {
    const cmp = compareTensors(f32([1.0005, 0, 100]), f32([1, 0.000005, 100.05]));
    expect(cmp.ok).toBe(true);
    expect(cmp.maxAbs).toBeCloseTo(0.05, 3);
    expect(cmp.maxRel).toBeCloseTo(1, 3);
  });

  it('rejects a float outside the tolerance and says where', () => {
    const cmp = compareTensors(f32([1, 2, 3]), f32([1, 2.01, 3]));
    expect(cmp.ok).toBe(false);
    expect(cmp.mismatches).toBe(1);
    expect(cmp.reason).toContain('first at 1');
  });

  it('matches NaN with NaN and infinities only with themselves', () => {
    expect(compareTensors(f32([NaN, Infinity, -Infinity]), f32([NaN, Infinity, -Infinity])).ok).toBe(true);
    expect(compareTensors(f32([NaN]), f32([1])).ok).toBe(false);
    expect(compareTensors(f32([Infinity]), f32([-Infinity])).ok).toBe(false);
    expect(compareTensors(f32([3.4e38]), f32([Infinity])).ok).toBe(false);
  });

  it('requires equal shapes and dtypes', () => {
    expect(compareTensors(f32([1, 2], [2, 1]), f32([1, 2], [1, 2])).reason).toBe('shape [2, 1], expected [1, 2]');
    expect(compareTensors(Tensor.fromNumbers('f64', [1], [1]), f32([1])).reason).toBe('dtype f64, expected f32');
  });

  it('compares 64-bit integers exactly, beyond 2^53', () => {
    const big = (v: bigint) => new Tensor('i64', [1], BigInt64Array.of(v));
    expect(compareTensors(big(2n ** 60n), big(2n ** 60n)).ok).toBe(true);
    expect(compareTensors(big(2n ** 60n + 1n), big(2n ** 60n)).ok).toBe(false);
  });

  it('gives f16 a tolerance of a few units in the last place', () => {
    const f16 = (v: number) => Tensor.fromNumbers('f16', [1], [v]);
    expect(compareTensors(f16(1.001), f16(1)).ok).toBe(true);
    expect(compareTensors(f16(1.01), f16(1)).ok).toBe(false);
  });
});
