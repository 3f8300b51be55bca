import { describe, expect, it } from 'vitest';
import { f32ToF16Bits, f16BitsToF32, f32ToBf16Bits, bf16BitsToF32, roundTo } from '../../src/ir/dtype.js';
import { Tensor, readNumbers } from '../../src/ir/tensor.js';

describe('f16 and bf16 conversion', () => {
  it('rounds to nearest even and handles specials', () => {
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // rounds up to infinity
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(f32ToF16Bits(2 ** -24)).toBe(1); // smallest subnormal
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // tie rounds to even (0)
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(2);
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie to even
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN)))).toBe(true);
    expect(f16BitsToF32(0x7c00)).toBe(Infinity);
    expect(f16BitsToF32(0x3555)).toBeCloseTo(0.333251953125, 12);
  });

  it('is exact on every f16 value', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = f16BitsToF32(h);
      if (Number.isNaN(v)) continue;
      expect(f32ToF16Bits(v)).toBe(h);
    }
  });

  it('converts bf16', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(bf16BitsToF32(0x3f80)).toBe(1);
    expect(roundTo('bf16', 1 + 2 ** -8)).toBe(1); // tie to even
    expect(roundTo('bf16', 1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(NaN)))).toBe(true);
  });
});

describe('Tensor', () => {
  it('stores with cast semantics', () => {
    expect(Array.from(Tensor.fromNumbers('i32', [3], [1.9, -1.9, NaN]).data as Iterable<number | bigint>)).toEqual([1, -1, 0]);
    expect(Array.from(Tensor.fromNumbers('bool', [3], [0, -2, NaN]).data as Iterable<number | bigint>)).toEqual([0, 1, 0]);
    expect(Array.from(Tensor.fromNumbers('u8', [2], [255, 256]).data as Iterable<number | bigint>)).toEqual([255, 0]);
    expect(Array.from(Tensor.fromNumbers('i64', [1], [2 ** 60]).data as Iterable<number | bigint>)).toEqual([2n ** 60n]);
    expect(Array.from(readNumbers(Tensor.fromNumbers('f16', [2], [0.1, 2])))).toEqual([f16BitsToF32(f32ToF16Bits(0.1)), 2]);
  });

  it('rejects data of the wrong length', () => {
    expect(() => new Tensor('f32', [2, 3], new Float32Array(5))).toThrow('tensor data has 5 elements, shape [2, 3] needs 6');
  });
});
