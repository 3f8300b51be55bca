import { describe, it, expect } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { Attrs, tensorType, typeToString } from '../../../src/ir/graph.js';
import { Dim, parseDim } from '../../../src/ir/dim.js';
import { DType } from '../../../src/ir/dtype.js';
import { getOp } from '../../../src/ir/registry.js';

/** Run one op through the builder and the interpreter on concrete inputs. */
function run(op: string, inputs: Tensor[], attrs: Attrs = {}, outputs = 1): Tensor[] {
  const b = new GraphBuilder('t');
  const vs = inputs.map((t, i) => b.input(`x${i}`, tensorType(t.dtype, t.shape)));
  const outs = b.op(op, vs, attrs, { outputs });
  b.output(...outs);
  const res = runGraph(b.graph, Object.fromEntries(inputs.map((t, i) => [`x${i}`, t])));
  return outs.map((o) => res.get(o.name)!);
}
const run1 = (op: string, inputs: Tensor[], attrs: Attrs = {}) => run(op, inputs, attrs)[0];

/** Inferred output type text for inputs given as type text such as 'f32[N, 512, 1, 1]'. */
function infer(op: string, types: string[], attrs: Attrs = {}, outputs = 1): string[] {
  const b = new GraphBuilder('t');
  const vs = types.map((t, i) => {
    const m = /^(\w+)\[(.*)\]$/.exec(t)!;
    const dims = m[2].trim() === '' ? [] : m[2].split(',').map((d) => parseDim(d.trim()));
    return b.input(`x${i}`, tensorType(m[1] as DType, dims));
  });
  return b.op(op, vs, attrs, { outputs }).map((v) => typeToString(v.type));
}

const f32 = (shape: number[], values: number[]) => Tensor.fromNumbers('f32', shape, values);
const i64 = (shape: number[], values: number[]) => Tensor.fromNumbers('i64', shape, values);
const iota = (shape: number[], dtype: DType = 'f32') => Tensor.fromNumbers(dtype, shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i));
const nums = (t: Tensor) => Array.from(t.numbers());
const dims = (...ds: (number | string)[]): Dim[] => ds.map((d) => (typeof d === 'number' ? d : parseDim(d)));

const BIG = [9007199254740993n, -9223372036854775807n, 1234567890123456789n, 42n, -1n, 9223372036854775807n];
const bigTensor = (shape: number[]) => new Tensor('i64', shape, BigInt64Array.from(BIG.slice(0, shape.reduce((a, b) => a * b, 1))));

describe('reshape family', () => {
  it('reshape infers -1 statically and keeps data', () => {
    const y = run1('reshape', [iota([2, 3, 4])], { shape: [4, -1] });
    expect(y.shape).toEqual([4, 6]);
    expect(nums(y)).toEqual(nums(iota([24])));
  });

  it('reshape infers -1 symbolically', () => {
    expect(infer('reshape', ['f32[N, 512, 1, 1]'], { shape: dims('N', -1) })).toEqual(['f32[N, 512]']);
    expect(infer('reshape', ['f32[N, S, 768]'], { shape: dims(-1, 768) })).toEqual(['f32[N*S, 768]']);
    expect(infer('reshape', ['f32[N*S, 768]'], { shape: dims('N', -1, 12, 64) })).toEqual(['f32[N, S, 12, 64]']);
    expect(infer('reshape', ['f32[N, 2*S, 6]'], { shape: dims('N', -1, 4) })).toEqual(['f32[N, 3*S, 4]']);
  });

  it('reshape with a symbolic -1 runs', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', tensorType('f32', dims('N', 4, 1, 1)));
    const y = b.op1('reshape', [x], { shape: dims('N', -1) });
    b.output(y);
    expect(typeToString(y.type)).toBe('f32[N, 4]');
    const out = runGraph(b.graph, { x: iota([3, 4, 1, 1]) }).get(y.name)!;
    expect(out.shape).toEqual([3, 4]);
    expect(nums(out)[11]).toBe(11);
  });

  it('reshape rejects counts that do not divide and a second -1', () => {
    expect(() => infer('reshape', ['f32[2, 3]'], { shape: [4, -1] })).toThrow(/reshape cannot make f32\[2, 3\] into \[4, -1\]: 6 elements do not divide/);
    expect(() => infer('reshape', ['f32[2, 3]'], { shape: [-1, -1] })).toThrow(/-1 may appear only once/);
    expect(() => infer('reshape', ['f32[2, 3]'], { shape: [5] })).toThrow(/6 elements vs 5/);
    expect(() => infer('reshape', ['f32[N, 3]'], { shape: dims('M', -1) })).toThrow(/do not divide/);
  });

  it('flatten at axis 0, 1 and -1', () => {
    expect(infer('flatten', ['f32[N, 3, 4]'])).toEqual(['f32[N, 12]']);
    expect(infer('flatten', ['f32[N, 3, 4]'], { axis: 0 })).toEqual(['f32[1, 12*N]']);
    expect(infer('flatten', ['f32[2, 3, 4]'], { axis: -1 })).toEqual(['f32[6, 4]']);
    expect(run1('flatten', [iota([2, 3, 4])], { axis: 2 }).shape).toEqual([6, 4]);
  });

  it('squeeze and unsqueeze with negative axes', () => {
    expect(infer('squeeze', ['f32[1, N, 1, 3]'])).toEqual(['f32[N, 3]']);
    expect(infer('squeeze', ['f32[1, N, 1, 3]'], { axes: [-2] })).toEqual(['f32[1, N, 3]']);
    expect(() => infer('squeeze', ['f32[1, N, 1, 3]'], { axes: [3] })).toThrow(/squeeze axis 3 of f32\[1, N, 1, 3\] has size 3, not 1/);
    expect(infer('unsqueeze', ['f32[N, 3]'], { axes: [0, -1] })).toEqual(['f32[1, N, 3, 1]']);
    expect(infer('unsqueeze', ['f32[N, 3]'], { axes: [1, 3] })).toEqual(['f32[N, 1, 3, 1]']);
    expect(() => infer('unsqueeze', ['f32[N, 3]'], { axes: [1, -3] })).toThrow(/repeat an axis/);
    const y = run1('unsqueeze', [iota([2, 3])], { axes: [-1] });
    expect(y.shape).toEqual([2, 3, 1]);
    expect(run1('squeeze', [y]).shape).toEqual([2, 3]);
  });
});

describe('transpose, expand, concat, split', () => {
  it('transpose permutes values of a 3-D tensor', () => {
    const y = run1('transpose', [iota([2, 3, 4])], { perm: [2, 0, 1] });
    expect(y.shape).toEqual([4, 2, 3]);
    // y[k][i][j] = x[i][j][k] = i*12 + j*4 + k
    const want: number[] = [];
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) want.push(i * 12 + j * 4 + k);
    expect(nums(y)).toEqual(want);
    expect(nums(run1('transpose', [iota([2, 3])]))).toEqual([0, 3, 1, 4, 2, 5]);
    expect(() => infer('transpose', ['f32[2, 3]'], { perm: [0, 0] })).toThrow(/not a permutation/);
  });

  it('transpose keeps i64 beyond 2^53 and f16 bits exact', () => {
    const y = run1('transpose', [bigTensor([2, 3])]);
    expect(Array.from(y.data as BigInt64Array)).toEqual([BIG[0], BIG[3], BIG[1], BIG[4], BIG[2], BIG[5]]);
    const h = new Tensor('f16', [2, 2], Uint16Array.from([0x7e01, 0x8000, 0x3c00, 0xfc00]));
    expect(Array.from(run1('transpose', [h]).data as Uint16Array)).toEqual([0x7e01, 0x3c00, 0x8000, 0xfc00]);
  });

  it('transpose of a large tensor moves every element', () => {
    const y = run1('transpose', [iota([8, 16, 32, 4])], { perm: [0, 2, 1, 3] });
    const v = nums(y);
    // y[a][c][b][d] = x[a][b][c][d]
    expect(v[((5 * 32 + 17) * 16 + 9) * 4 + 3]).toBe(((5 * 16 + 9) * 32 + 17) * 4 + 3);
  });

  it('expand broadcasts both ways', () => {
    expect(infer('expand', ['f32[3, 1]'], { shape: dims(2, 1, 4) })).toEqual(['f32[2, 3, 4]']);
    expect(infer('expand', ['f32[N, 1]'], { shape: dims('N', 'S') })).toEqual(['f32[N, S]']);
    const y = run1('expand', [f32([3, 1], [1, 2, 3])], { shape: [2, 1, 2] });
    expect(y.shape).toEqual([2, 3, 2]);
    expect(nums(y)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
    expect(() => infer('expand', ['f32[3, 2]'], { shape: [4, 2] })).toThrow(/do not broadcast/);
  });

  it('concat along a negative axis, i64 exact, symbolic sizes add', () => {
    const y = run1('concat', [bigTensor([2, 2]), i64([2, 1], [7, 8])], { axis: -1 });
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data as BigInt64Array)).toEqual([BIG[0], BIG[1], 7n, BIG[2], BIG[3], 8n]);
    expect(infer('concat', ['f32[N, S, 4]', 'f32[N, 1, 4]'], { axis: 1 })).toEqual(['f32[N, S + 1, 4]']);
    expect(() => infer('concat', ['f32[N, 3]', 'f32[N, 4]'], { axis: 0 })).toThrow(/differ in dim 1/);
    expect(() => infer('concat', ['f32[3]', 'i64[3]'], { axis: 0 })).toThrow(/one dtype/);
  });

  it('split by sizes and into equal parts', () => {
    const [a, b] = run('split', [iota([2, 5])], { axis: 1, split: [2, 3] }, 2);
    expect(nums(a)).toEqual([0, 1, 5, 6]);
    expect(nums(b)).toEqual([2, 3, 4, 7, 8, 9]);
    expect(infer('split', ['f32[N, 6]'], { axis: -1 }, 3)).toEqual(['f32[N, 2]', 'f32[N, 2]', 'f32[N, 2]']);
    expect(infer('split', ['f32[2*S]'], {}, 2)).toEqual(['f32[S]', 'f32[S]']);
    expect(() => infer('split', ['f32[4, 6]'], { axis: 1, split: [2, 3] }, 2)).toThrow(/sum to 5, but the dim is 6/);
  });
});

describe('slice', () => {
  const a = iota([4, 5]);

  it('clamps out-of-range bounds and huge ends', () => {
    const y = run1('slice', [a], { starts: [-3, 1], ends: [100, -1], steps: [1, 2] });
    expect(y.shape).toEqual([3, 2]);
    expect(nums(y)).toEqual([6, 8, 11, 13, 16, 18]);
    const z = run1('slice', [a], { starts: [2], ends: [9223372036854775807], axes: [-1] });
    expect(nums(z)).toEqual([2, 3, 4, 7, 8, 9, 12, 13, 14, 17, 18, 19]);
  });

  it('walks backwards with negative steps', () => {
    const y = run1('slice', [a], { starts: [3, -1], ends: [0, -9223372036854775808], steps: [-2, -1] });
    expect(y.shape).toEqual([2, 5]);
    expect(nums(y)).toEqual([19, 18, 17, 16, 15, 9, 8, 7, 6, 5]);
    expect(run1('slice', [a], { starts: [0], ends: [3], steps: [-1] }).shape).toEqual([0, 5]);
  });

  it('keeps i64 data exact', () => {
    const y = run1('slice', [bigTensor([6])], { starts: [5], ends: [-100], steps: [-2] });
    expect(Array.from(y.data as BigInt64Array)).toEqual([BIG[5], BIG[3], BIG[1]]);
  });

  it('handles symbolic dims that are sliced to the end', () => {
    expect(infer('slice', ['f32[N, S, 8]'], { starts: [0, 0], ends: [9223372036854775807, 4], axes: [0, 2] })).toEqual(['f32[N, S, 4]']);
    expect(infer('slice', ['f32[N, S]'], { starts: [1], ends: [9223372036854775807], axes: [1] })).toEqual(['f32[N, S - 1]']);
    expect(infer('slice', ['f32[S]'], { starts: [-1], ends: [-9223372036854775808], steps: [-1] })).toEqual(['f32[S]']);
    expect(() => infer('slice', ['f32[N, S]'], { starts: [0], ends: [3], axes: [1] })).toThrow(/symbolic dim S .* needs a static dim/);
    expect(() => infer('slice', ['f32[4]'], { starts: [0], ends: [3], steps: [0] })).toThrow(/non-zero/);
  });
});

describe('tile and pad', () => {
  it('tile repeats each axis', () => {
    const y = run1('tile', [f32([2, 2], [1, 2, 3, 4])], { repeats: [2, 3] });
    expect(y.shape).toEqual([4, 6]);
    expect(nums(y)).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
    expect(infer('tile', ['f32[N, 3]'], { repeats: [2, 1] })).toEqual(['f32[2*N, 3]']);
  });

  const x = Tensor.fromNumbers('i32', [2, 3], [1, 2, 3, 4, 5, 6]);
  const pads = [1, 2, 0, 1];
  it.each([
    ['reflect', [6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5]],
    ['edge', [1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6]],
    ['wrap', [5, 6, 4, 5, 6, 4, 2, 3, 1, 2, 3, 1, 5, 6, 4, 5, 6, 4]],
    ['constant', [7, 7, 7, 7, 7, 7, 7, 7, 1, 2, 3, 7, 7, 7, 4, 5, 6, 7]],
  ])('pad mode %s matches numpy', (mode, want) => {
    const y = run1('pad', [x], { pads, mode, value: 7 });
    expect(y.shape).toEqual([3, 6]);
    expect(nums(y)).toEqual(want);
  });

  it('negative pads crop', () => {
    const y = run1('pad', [x], { pads: [0, 1, 0, -1], value: 9 });
    expect(nums(y)).toEqual([9, 1, 2, 9, 4, 5]);
    expect(infer('pad', ['f32[N, 3]'], { pads: [0, 1, 2, 1] })).toEqual(['f32[N + 2, 5]']);
    expect(() => infer('pad', ['f32[2, 3]'], { pads: [0, 0, 0, -4] })).toThrow(/crops axis 1 of f32\[2, 3\] below zero/);
    expect(() => infer('pad', ['f32[2, 3]'], { pads: [1, 1] })).toThrow(/needs 4 pads/);
  });
});

describe('gather family', () => {
  it('gather with negative indices along axis 1', () => {
    const y = run1('gather', [iota([2, 4]), i64([2, 2], [-1, 0, 1, 1])], { axis: 1 });
    expect(y.shape).toEqual([2, 2, 2]);
    expect(nums(y)).toEqual([3, 0, 1, 1, 7, 4, 5, 5]);
    expect(infer('gather', ['f32[V, 768]', 'i64[N, S]'])).toEqual(['f32[N, S, 768]']);
  });

  it('gather keeps i64 exact and rejects bad indices', () => {
    const y = run1('gather', [bigTensor([6]), Tensor.fromNumbers('i32', [3], [2, 0, -6])]);
    expect(Array.from(y.data as BigInt64Array)).toEqual([BIG[2], BIG[0], BIG[0]]);
    expect(() => run1('gather', [iota([3]), i64([1], [3])])).toThrow(/index 3 is out of range for a dim of size 3/);
    expect(() => infer('gather', ['f32[3]', 'f32[2]'])).toThrow(/integer indices/);
  });

  it('gather_elements picks along the axis', () => {
    const y = run1('gather_elements', [f32([2, 2], [1, 2, 3, 4]), i64([2, 2], [0, 0, 1, 0])], { axis: 1 });
    expect(nums(y)).toEqual([1, 1, 4, 3]);
    const z = run1('gather_elements', [iota([3, 3]), i64([2, 3], [1, 2, 0, 2, 0, -1])], { axis: 0 });
    expect(nums(z)).toEqual([3, 7, 2, 6, 1, 8]);
  });

  it('gather_nd with and without batch_dims', () => {
    const data = iota([2, 2, 2]);
    expect(nums(run1('gather_nd', [data, i64([2, 2], [0, 1, 1, 0])]))).toEqual([2, 3, 4, 5]);
    const y = run1('gather_nd', [data, i64([2, 1], [1, 0])], { batch_dims: 1 });
    expect(y.shape).toEqual([2, 2]);
    expect(nums(y)).toEqual([2, 3, 4, 5]);
    expect(nums(run1('gather_nd', [data, i64([2, 3], [0, 0, 1, 1, 1, 0])]))).toEqual([1, 6]);
  });

  it('scatter_elements with reductions', () => {
    const data = f32([1, 5], [1, 2, 3, 4, 5]);
    const idx = i64([1, 2], [1, 3]);
    const upd = f32([1, 2], [1.1, 2.1]);
    expect(nums(run1('scatter_elements', [data, idx, upd], { axis: 1 }))).toEqual([1, Math.fround(1.1), 3, Math.fround(2.1), 5]);
    const dup = i64([1, 2], [1, 1]);
    expect(nums(run1('scatter_elements', [data, dup, upd], { axis: 1, reduction: 'add' }))).toEqual([1, Math.fround(2 + 1.1 + 2.1), 3, 4, 5]);
    expect(nums(run1('scatter_elements', [data, dup, upd], { axis: 1, reduction: 'max' }))).toEqual([1, Math.fround(2.1), 3, 4, 5]);
    const big = run1('scatter_elements', [bigTensor([3]), i64([2], [0, 0]), new Tensor('i64', [2], BigInt64Array.from([1n, 1n]))], { reduction: 'add' });
    expect(Array.from(big.data as BigInt64Array)).toEqual([BIG[0] + 2n, BIG[1], BIG[2]]);
  });

  it('scatter_nd writes slices', () => {
    const data = iota([4, 2]);
    const y = run1('scatter_nd', [data, i64([2, 1], [3, 1]), f32([2, 2], [10, 11, 12, 13])]);
    expect(nums(y)).toEqual([0, 1, 12, 13, 4, 5, 10, 11]);
    const m = run1('scatter_nd', [data, i64([2, 2], [0, 1, 0, 1]), f32([2], [2, 3])], { reduction: 'mul' });
    expect(nums(m)).toEqual([0, 6, 2, 3, 4, 5, 6, 7]);
    expect(() => infer('scatter_nd', ['f32[4, 2]', 'i64[2, 1]', 'f32[2]'])).toThrow(/updates must be f32\[2, 2\]/);
  });
});

describe('depth and space', () => {
  it('depth_to_space DCR and CRD match numpy', () => {
    const x = iota([1, 8, 1, 2]);
    const dcr = run1('depth_to_space', [x], { blocksize: 2 });
    expect(dcr.shape).toEqual([1, 2, 2, 4]);
    expect(nums(dcr)).toEqual([0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15]);
    expect(nums(run1('depth_to_space', [x], { blocksize: 2, mode: 'CRD' }))).toEqual([0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15]);
    expect(() => infer('depth_to_space', ['f32[1, 6, 2, 2]'], { blocksize: 2 })).toThrow(/channels 6 divisible by 4/);
  });

  it('space_to_depth matches numpy and inverts depth_to_space', () => {
    const y = run1('space_to_depth', [iota([1, 1, 4, 4])], { blocksize: 2 });
    expect(y.shape).toEqual([1, 4, 2, 2]);
    expect(nums(y)).toEqual([0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15]);
    const x = iota([2, 3, 4, 6]);
    expect(nums(run1('depth_to_space', [run1('space_to_depth', [x], { blocksize: 2 })], { blocksize: 2 }))).toEqual(nums(x));
    expect(infer('space_to_depth', ['f32[N, 3, 2*H, 2*W]'], { blocksize: 2 })).toEqual(['f32[N, 12, H, W]']);
  });
});

describe('resize', () => {
  const x = iota([1, 1, 2, 3]);
  const y = f32([1, 1, 4, 5], [1, 5, 2, 8, 3, 4, 0, 7, 1, 9, 2, 6, 3, 5, 4, 8, 1, 9, 0, 2]);
  const close = (got: Tensor, want: number[]) => {
    const g = nums(got);
    expect(g.length).toBe(want.length);
    g.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
  };

  // expected values from torch.nn.functional.interpolate
  it('nearest like torch (asymmetric, floor)', () => {
    const r = run1('resize', [x], { scales: [1, 1, 2, 2], coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
    expect(r.shape).toEqual([1, 1, 4, 6]);
    expect(nums(r)).toEqual([0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 3, 3, 4, 4, 5, 5]);
    const d = run1('resize', [y], { sizes: [2, 2], axes: [2, 3], coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
    expect(nums(d)).toEqual([1, 2, 2, 3]);
  });

  it('bilinear, align_corners=False (half_pixel)', () => {
    close(run1('resize', [x], { scales: [1, 1, 2, 2], mode: 'linear' }),
      [0, 0.25, 0.75, 1.25, 1.75, 2, 0.75, 1, 1.5, 2, 2.5, 2.75, 2.25, 2.5, 3, 3.5, 4, 4.25, 3, 3.25, 3.75, 4.25, 4.75, 5]);
    close(run1('resize', [y], { sizes: [1, 1, 3, 2], mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }),
      [3.5, 6.125, 3, 3.875, 3.125, 1.208333]);
    close(run1('resize', [f32([1, 1, 4], [1, 3, 2, 7])], { sizes: [6], axes: [-1], mode: 'linear' }),
      [1, 2, 2.833333, 2.166667, 4.5, 7]);
  });

  it('bilinear, align_corners=True', () => {
    close(run1('resize', [x], { scales: [1, 1, 2, 2], mode: 'linear', coordinate_transformation_mode: 'align_corners' }),
      [0, 0.4, 0.8, 1.2, 1.6, 2, 1, 1.4, 1.8, 2.2, 2.6, 3, 2, 2.4, 2.8, 3.2, 3.6, 4, 3, 3.4, 3.8, 4.2, 4.6, 5]);
  });

  it('bicubic, align_corners=False', () => {
    close(run1('resize', [y], { sizes: [3, 7], axes: [2, 3], mode: 'cubic' }),
      [1.251721, 3.185287, 3.92678, 2.787038, 6.098632, 6.110085, 3.713496, 2.696611, 2.681851, 3.625274, 4.90625,
        2.963147, 4.455721, 7.599306, 7.519989, 3.383711, 3.211151, 8.069448, 2.827207, 0.615998, 2.311477]);
  });

  // expected values from the ONNX backend test data (test_resize_*)
  const x16 = iota([1, 1, 4, 4]);
  const x16p1 = f32([1, 1, 4, 4], nums(x16).map((v) => v + 1));
  it('tf_crop_and_resize takes extrapolation_value outside the roi', () => {
    const r = run1('resize', [x16p1], {
      sizes: [1, 1, 3, 3], mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: 10,
      roi: [0, 0, 0.4, 0.6, 1, 1, 1.2, 1.7],
    });
    close(r, [7.6, 10, 10, 12.4, 10, 10, 10, 10, 10]);
  });

  it('cubic with A = -0.5 and exclude_outside', () => {
    const r = run1('resize', [x16p1], { scales: [1, 1, 0.8, 0.8], mode: 'cubic', cubic_coeff_a: -0.5, exclude_outside: true });
    close(r, [1.36813, 2.6695, 4.01334, 6.57363, 7.875, 9.21883, 11.94897, 13.25034, 14.59418]);
  });

  it('nearest round_prefer_ceil, asymmetric', () => {
    const r = run1('resize', [x16p1], { sizes: [1, 1, 8, 8], coordinate_transformation_mode: 'asymmetric', nearest_mode: 'round_prefer_ceil' });
    expect(nums(r).slice(0, 16)).toEqual([1, 2, 2, 3, 3, 4, 4, 4, 5, 6, 6, 7, 7, 8, 8, 8]);
    expect(nums(r).slice(48)).toEqual([13, 14, 14, 15, 15, 16, 16, 16, 13, 14, 14, 15, 15, 16, 16, 16]);
  });

  it('nearest copies i64 exactly, default half_pixel/round_prefer_floor', () => {
    const r = run1('resize', [bigTensor([1, 3])], { scales: [1, 2] });
    expect(Array.from(r.data as BigInt64Array)).toEqual([BIG[0], BIG[0], BIG[1], BIG[1], BIG[2], BIG[2]]);
  });

  it('shape rules, symbolic dims and errors', () => {
    expect(infer('resize', ['f32[N, C, H, W]'], { scales: [1, 1, 2, 2] })).toEqual(['f32[N, C, 2*H, 2*W]']);
    expect(infer('resize', ['f32[N, C, 2*H, W]'], { scales: [0.5, 0.5], axes: [2, 3] })).toEqual(['f32[N, C, H, floor(W, 2)]']);
    expect(infer('resize', ['f32[1, 3, 10, 20]'], { sizes: [8, 8], axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' })).toEqual(['f32[1, 3, 4, 8]']);
    expect(() => infer('resize', ['f32[1, 3, 4, 4]'], {})).toThrow(/exactly one of scales and sizes/);
    expect(() => infer('resize', ['f32[1, 3, 4, 4]'], { scales: [2, 2] })).toThrow(/2 scales for 4 axes/);
    expect(() => infer('resize', ['f32[N, 3, H, 4]'], { scales: [1, 1, 1.5, 1] })).toThrow(/scale 1.5 of symbolic dim H/);
    expect(() => infer('resize', ['f32[1, 4]'], { scales: [1, 2], mode: 'area' })).toThrow(/mode 'area' is not one of/);
  });
});

describe('tensor creation and queries', () => {
  it('constant and constant_of_shape', () => {
    const c = run1('constant', [], { value: bigTensor([2]) });
    expect(Array.from(c.data as BigInt64Array)).toEqual([BIG[0], BIG[1]]);
    const z = run1('constant_of_shape', [], { shape: [2, 2] });
    expect(z.dtype).toBe('f32');
    expect(nums(z)).toEqual([0, 0, 0, 0]);
    const v = run1('constant_of_shape', [], { shape: [3], value: new Tensor('i64', [1], BigInt64Array.from([BIG[2]])) });
    expect(Array.from(v.data as BigInt64Array)).toEqual([BIG[2], BIG[2], BIG[2]]);
    expect(infer('constant_of_shape', [], { shape: dims('N', 4) })).toEqual(['f32[N, 4]']);
  });

  it('range', () => {
    expect(nums(run1('range', [], { start: 1, limit: 2, delta: 0.25 }))).toEqual([1, 1.25, 1.5, 1.75]);
    const r = run1('range', [], { start: 10, limit: 4, delta: -3, dtype: 'i64' });
    expect(Array.from(r.data as BigInt64Array)).toEqual([10n, 7n]);
    expect(run1('range', [], { start: 5, limit: 1 }).shape).toEqual([0]);
    expect(() => infer('range', [], { start: 0, limit: 1, delta: 0 })).toThrow(/delta 0/);
  });

  it('one_hot on the last and the first axis', () => {
    const y = run1('one_hot', [i64([3], [0, 2, -1]), f32([2], [0, 5])], { depth: 3 });
    expect(y.shape).toEqual([3, 3]);
    expect(nums(y)).toEqual([5, 0, 0, 0, 0, 5, 0, 0, 5]);
    const z = run1('one_hot', [i64([2], [1, 7]), f32([2], [-1, 1])], { depth: 2, axis: 0 });
    expect(nums(z)).toEqual([-1, -1, 1, -1]);
  });

  it('trilu and eye_like', () => {
    const x = iota([3, 3]);
    expect(nums(run1('trilu', [x]))).toEqual([0, 1, 2, 0, 4, 5, 0, 0, 8]);
    expect(nums(run1('trilu', [x], { upper: false, k: -1 }))).toEqual([0, 0, 0, 3, 0, 0, 6, 7, 0]);
    expect(nums(run1('trilu', [x], { k: 1 }))).toEqual([0, 1, 2, 0, 0, 5, 0, 0, 0]);
    const e = run1('eye_like', [iota([2, 3])], { k: 1, dtype: 'i32' });
    expect(e.dtype).toBe('i32');
    expect(nums(e)).toEqual([0, 1, 0, 0, 0, 1]);
  });

  it('shape and size give the runtime shape', () => {
    const b = new GraphBuilder('t');
    const x = b.input('x', tensorType('f32', dims('N', 'S', 4)));
    const s = b.op1('shape', [x], { start: 1 });
    const n = b.op1('size', [x]);
    b.output(s, n);
    expect(typeToString(s.type)).toBe('i64[2]');
    expect(typeToString(n.type)).toBe('i64[]');
    const out = runGraph(b.graph, { x: iota([2, 5, 4]) });
    expect(Array.from(out.get(s.name)!.data as BigInt64Array)).toEqual([5n, 4n]);
    expect(Array.from(out.get(n.name)!.data as BigInt64Array)).toEqual([40n]);
    expect(nums(run1('shape', [iota([2, 3, 4])], { start: -2, end: -1 }))).toEqual([3]);
  });

  it('compress and nonzero give data-dependent dims', () => {
    const cond = Tensor.fromNumbers('bool', [3], [1, 0, 1]);
    expect(infer('compress', ['f32[3, 2]', 'bool[3]'], { axis: 0 })[0]).toMatch(/^f32\[\?, 2\]$/);
    const y = run1('compress', [iota([3, 2]), cond], { axis: 0 });
    expect(y.shape).toEqual([2, 2]);
    expect(nums(y)).toEqual([0, 1, 4, 5]);
    expect(nums(run1('compress', [iota([3, 2]), Tensor.fromNumbers('bool', [2], [0, 1])]))).toEqual([1]);
    const nz = run1('nonzero', [f32([2, 3], [0, 1, 0, -2, 0, 3])]);
    expect(nz.dtype).toBe('i64');
    expect(nz.shape).toEqual([2, 3]);
    expect(nums(nz)).toEqual([0, 1, 1, 1, 0, 2]);
    const h = new Tensor('f16', [3], Uint16Array.from([0x8000, 0x3c00, 0]));
    expect(nums(run1('nonzero', [h]))).toEqual([1]);
  });

  it('reverse_sequence reverses each batch entry up to its length', () => {
    // time_axis 0, batch_axis 1
    const x = iota([4, 2]);
    const y = run1('reverse_sequence', [x, i64([2], [3, 1])]);
    expect(nums(y)).toEqual([4, 1, 2, 3, 0, 5, 6, 7]);
    const z = run1('reverse_sequence', [iota([2, 3]), i64([2], [2, 3])], { batch_axis: 0, time_axis: 1 });
    expect(nums(z)).toEqual([1, 0, 2, 5, 4, 3]);
  });
});

describe('registry entries', () => {
  it('data movement costs no flops', () => {
    const def = getOp('transpose')!;
    const t = tensorType('f32', [2, 3]);
    expect(def.cost!({ inputs: [t], outputs: [tensorType('f32', [3, 2])], attrs: {}, env: new Map() })).toEqual({ flops: 0, bytes: 48 });
  });
});
