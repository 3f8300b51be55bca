import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Attrs, tensorType, typeToString } from '../../../src/ir/graph.js';
import { DType } from '../../../src/ir/dtype.js';
import { Tensor } from '../../../src/ir/tensor.js';

/** Run one op through the builder (shape rule) and the interpreter (semantics); null inputs are omitted. */
function runAll(op: string, inputs: (Tensor | null)[], attrs: Attrs = {}, outputs = 1): Tensor[] {
  const b = new GraphBuilder(op);
  const vals = inputs.map((t, i) => (t ? b.input(`in${i}`, tensorType(t.dtype, t.shape)) : null));
  const outs = b.op(op, vals, attrs, { outputs });
  b.output(...outs);
  const feed: Record<string, Tensor> = {};
  inputs.forEach((t, i) => { if (t) feed[`in${i}`] = t; });
  const results = runGraph(b.graph, feed);
  return outs.map((o) => results.get(o.name)!);
}
const run = (op: string, inputs: (Tensor | null)[], attrs: Attrs = {}) => runAll(op, inputs, attrs)[0];

const t = (dtype: DType, shape: number[], values: number[]) => Tensor.fromNumbers(dtype, shape, values);
const s = (dtype: DType, v: number) => Tensor.scalar(dtype, v);
const values = (x: Tensor) => Array.from(x.numbers());

describe('quantize_linear', () => {
  it('divides, rounds half to even, adds the zero point and saturates to u8', () => {
    const y = run('quantize_linear', [t('f32', [6], [0, 2, 3, 1000, -254, -1000]), s('f32', 2), s('u8', 128)]);
    expect(y.dtype).toBe('u8');
    expect(values(y)).toEqual([128, 129, 130, 255, 1, 0]);
  });

  it('quantizes to i8 when the zero point is i8, and to u8 without one', () => {
    const x = t('f32', [6], [-2.5, -1.5, 0.5, 1.5, 2.5, 300]);
    expect(values(run('quantize_linear', [x, s('f32', 1), s('i8', 0)]))).toEqual([-2, -2, 0, 2, 2, 127]);
    expect(values(run('quantize_linear', [x, s('f32', 1)]))).toEqual([0, 0, 0, 2, 2, 255]);
  });

  it('applies a 1-D scale and zero point along axis', () => {
    const y = run('quantize_linear', [t('f32', [1, 2, 2], [1, 2, 10, 20]), t('f32', [2], [1, 10]), t('u8', [2], [0, 5])], { axis: 1 });
    expect(values(y)).toEqual([1, 2, 6, 7]);
  });

  it('rejects a scale that does not match the axis', () => {
    const b = new GraphBuilder('q');
    const x = b.input('x', tensorType('f32', [2, 3]));
    const scale = b.input('s', tensorType('f32', [2]));
    expect(() => b.op1('quantize_linear', [x, scale], { axis: 1 })).toThrow('one value per slice of axis 1');
  });
});

describe('dequantize_linear', () => {
  it('subtracts the zero point and scales, per tensor and per axis', () => {
    expect(values(run('dequantize_linear', [t('u8', [4], [0, 3, 128, 255]), s('f32', 2), s('u8', 128)]))).toEqual([-256, -250, 0, 254]);
    const y = run('dequantize_linear', [t('i8', [2, 2], [-4, 4, -4, 4]), t('f32', [2], [0.5, 3]), t('i8', [2], [0, 2])], { axis: 0 });
    expect(y.dtype).toBe('f32');
    expect(values(y)).toEqual([-2, 2, -18, 6]);
  });
});

describe('dynamic_quantize_linear', () => {
  it('chooses the scale and zero point from the range including 0 (ONNX example)', () => {
    const [y, scale, zeroPoint] = runAll('dynamic_quantize_linear', [t('f32', [6], [0, 2, -3, -2.5, 1.34, 0.5])], {}, 3);
    expect(values(y)).toEqual([153, 255, 0, 26, 221, 179]);
    expect(values(scale)).toEqual([Math.fround(5 / 255)]);
    expect(values(zeroPoint)).toEqual([153]);
  });
});

describe('integer matmul and conv', () => {
  const a = t('u8', [4, 3], [11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0]);
  const b = t('u8', [3, 2], [1, 4, 2, 5, 3, 6]);

  it('matmul_integer subtracts zero points and accumulates in i32 (ONNX example)', () => {
    const y = run('matmul_integer', [a, b, t('u8', [1], [12]), t('u8', [1], [0])]);
    expect(y.dtype).toBe('i32');
    expect(values(y)).toEqual([-38, -83, -44, -98, -50, -113, -56, -128]);
  });

  it('matmul_integer takes a zero point per row of A', () => {
    const y = run('matmul_integer', [t('u8', [2, 2], [1, 2, 3, 4]), t('u8', [2, 2], [1, 0, 0, 1]), t('u8', [2], [1, 3])]);
    expect(values(y)).toEqual([0, 1, 0, 1]);
  });

  it('conv_integer convolves the shifted input (ONNX example)', () => {
    const x = t('u8', [1, 1, 3, 3], [2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const w = t('u8', [1, 1, 2, 2], [1, 1, 1, 1]);
    const y = run('conv_integer', [x, w, s('u8', 1)]);
    expect(typeToString({ dtype: y.dtype, shape: y.shape })).toBe('i32[1, 1, 2, 2]');
    expect(values(y)).toEqual([12, 16, 24, 28]);
    expect(values(run('conv_integer', [x, w, s('u8', 1)], { pads: [1, 1, 1, 1] }))).toEqual([1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9]);
  });
});

describe('quantized matmul and conv', () => {
  it('qlinear_matmul requantizes the integer product (ONNX example)', () => {
    const y = run('qlinear_matmul', [
      t('u8', [2, 4], [208, 236, 0, 238, 3, 214, 255, 29]), t('f32', [1], [0.0066]), t('u8', [1], [113]),
      t('u8', [4, 3], [152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247]), t('f32', [1], [0.00705]), t('u8', [1], [114]),
      t('f32', [1], [0.0107]), t('u8', [1], [118]),
    ]);
    expect(values(y)).toEqual([168, 115, 255, 1, 66, 151]);
  });

  it('qlinear_conv adds the i32 bias before requantizing', () => {
    const operands = [
      t('u8', [1, 1, 2, 2], [10, 20, 30, 40]), s('f32', 0.5), s('u8', 10),
      t('u8', [1, 1, 1, 1], [3]), t('f32', [1], [1]), t('u8', [1], [1]),
      s('f32', 2), s('u8', 100),
    ];
    // (x - 10) * (3 - 1) * 0.5 * 1 / 2 + 100
    expect(values(run('qlinear_conv', operands))).toEqual([100, 105, 110, 115]);
    expect(values(run('qlinear_conv', [...operands, t('i32', [1], [4])]))).toEqual([101, 106, 111, 116]);
  });
});
