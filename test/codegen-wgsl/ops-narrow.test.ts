// The 8- and 16-bit types on the WGSL target: every value held in one 32-bit word, narrow integers
// wrapped to their bits after each operation and f16/bf16 rounded to nearest even as the interpreter
// rounds. Each case runs on lavapipe and matches the interpreter exactly (integers) or within the
// suite's float tolerance; the shaders pass Dawn's validation.
import { describe, expect, it } from 'vitest';
import { generateWgsl } from '../../src/codegen/wgsl/generate.js';
import { Tensor } from '../../src/ir/tensor.js';
import { WebGpuModel } from '../../runtime/webgpu/executor.js';
import { NUMERIC_CASES, NumericCase } from '../codegen/op-cases-numeric.js';
import { f32, graphOf, typed } from '../codegen/op-cases.js';
import { expectWgslCaseMatches } from '../codegen/op-suite.js';
import { lavapipeGpu, validateShader } from './harness.js';

const NARROW_CASES: NumericCase[] = [
  {
    name: 'u8_add_wraps',
    graph: graphOf('u8_add_wraps', (b) => {
      const x = b.input('x', typed('u8', 4, 8)), y = b.input('y', typed('u8', 8));
      const sum = b.op1('add', [x, y], {}, { name: 'sum' });
      b.output(sum);
      // the wrapped sum feeds the division: a sum kept past 255 inside the kernel gives another quotient
      b.output(b.op1('div', [sum, b.op1('constant', [], { value: Tensor.fromNumbers('u8', [], [3]) })], {}, { name: 'third_of_sum' }));
      b.output(b.op1('sub', [y, x], {}, { name: 'difference' }));
      b.output(b.op1('mul', [x, y], {}, { name: 'product' }));
    }),
    // every sum passes 255
    ranges: { x: [128, 256], y: [128, 256] },
  },
  {
    name: 'i8_clip',
    graph: graphOf('i8_clip', (b) => {
      const x = b.input('x', typed('i8', 5, 7));
      b.output(b.op1('clip', [x], { min: -20, max: 35 }, { name: 'clipped' }));
      // doubling wraps at 8 bits before the clip sees it
      b.output(b.op1('clip', [b.op1('add', [x, x])], { min: -20, max: 35 }, { name: 'doubled_clipped' }));
      b.output(b.op1('neg', [x], {}, { name: 'negated' }));
    }),
    ranges: { x: [-128, 128] },
  },
  {
    name: 'f16_max',
    graph: graphOf('f16_max', (b) => {
      const x = b.input('x', typed('f16', 3, 9)), y = b.input('y', typed('f16', 9));
      b.output(b.op1('max', [x, y], {}, { name: 'larger' }));
      b.output(b.op1('add', [x, y], {}, { name: 'sum' }));
    }),
  },
  {
    name: 'bf16_cast',
    graph: graphOf('bf16_cast', (b) => {
      const x = b.input('x', f32(4, 6));
      const h = b.op1('cast', [x], { to: 'bf16' }, { name: 'narrowed' });
      b.output(h);
      b.output(b.op1('cast', [h], { to: 'f32' }, { name: 'widened' }));
    }),
    ranges: { x: [-300, 300] },
  },
  {
    name: 'dequantize_u8',
    graph: graphOf('dequantize_u8', (b) => {
      const scale = b.op1('constant', [], { value: Tensor.fromNumbers('f32', [], [0.5]) });
      const zero = b.op1('constant', [], { value: Tensor.fromNumbers('u8', [], [100]) });
      b.output(b.op1('dequantize_linear', [b.input('q', typed('u8', 2, 3, 4)), scale, zero], {}, { name: 'dq' }));
    }),
    ranges: { q: [0, 256] },
  },
  {
    // the shared half_floats case without its f64 values (WGSL has no 64-bit types)
    name: 'half_floats_rounding',
    graph: graphOf('half_floats_rounding', (b) => {
      for (const d of ['f16', 'bf16'] as const) {
        const x = b.input(`x_${d}`, typed(d, 3, 7)), y = b.input(`y_${d}`, typed(d, 7));
        for (const op of ['add', 'mul', 'div', 'min']) b.output(b.op1(op, [x, y], {}, { name: `${op}_${d}` }));
        b.output(b.op1('mod', [x, y], { fmod: 1 }, { name: `fmod_${d}` }));
        for (const op of ['exp', 'tanh', 'sqrt', 'round']) b.output(b.op1(op, [b.op1('abs', [x])], {}, { name: `${op}_${d}` }));
        b.output(b.op1('relu', [b.op1('sub', [b.op1('mul', [x, x]), y])], {}, { name: `chain_${d}` }));
        for (const to of ['f32', 'i32', 'bool', d === 'f16' ? 'bf16' : 'f16'] as const) b.output(b.op1('cast', [x], { to }, { name: `${d}_to_${to}` }));
        b.output(b.op1('cast', [b.input(`i32_${d}`, typed('i32', 9))], { to: d }, { name: `i32_to_${d}` }));
        b.output(b.op1('cast', [b.input(`big_${d}`, f32(9))], { to: d }, { name: `overflow_to_${d}` }));
        b.output(b.op1('cast', [b.input(`tiny_${d}`, f32(9))], { to: d }, { name: `subnormal_to_${d}` }));
      }
    }),
    ranges: {
      y_f16: [0.5, 3], y_bf16: [0.5, 3], i32_f16: [-70000, 70000], i32_bf16: [-2e9, 2e9],
      big_f16: [60000, 70000], big_bf16: [3.38e38, 3.4e38], tiny_f16: [-1e-6, 1e-6], tiny_bf16: [-1e-39, 1e-39],
    },
  },
];

// the shared quantization and integer cases that the other WGSL suite leaves to the CPU
const SHARED = NUMERIC_CASES.filter((c) => ['quantize', 'integer_linalg'].includes(c.name));
const CASES = [...NARROW_CASES, ...SHARED];
const programs = new Map(CASES.map((c) => [c.name, generateWgsl(c.graph)]));

describe('wgsl target: 8- and 16-bit shaders pass validation', () => {
  it.each(CASES.map((c) => c.name))('%s', async (name) => {
    for (const s of programs.get(name)!.shaders) expect(await validateShader(s)).toBe('');
  });
});

describe('wgsl target: 8- and 16-bit values on lavapipe vs the interpreter', () => {
  const gpu = lavapipeGpu();
  it.skipIf(!gpu).each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => expectWgslCaseMatches(gpu!, programs.get(c.name)!.plan, c), 600_000);

  it.skipIf(!gpu)('wraps u8 sums at 8 bits and returns them as a Uint8Array', async () => {
    const model = await WebGpuModel.load(gpu!, programs.get('u8_add_wraps')!.plan);
    try {
      const x = new Uint8Array(32).fill(200), y = new Uint8Array(8).fill(100);
      const got = await model.run(new Map([['x', { dtype: 'u8', shape: [4, 8], data: x }], ['y', { dtype: 'u8', shape: [8], data: y }]]));
      const sum = got.get('sum')!;
      expect(sum.data).toBeInstanceOf(Uint8Array);
      expect([...sum.data]).toEqual(new Array(32).fill(44));
      expect([...got.get('difference')!.data]).toEqual(new Array(32).fill(156));
      expect([...got.get('third_of_sum')!.data]).toEqual(new Array(32).fill(14));
    } finally {
      model.destroy();
    }
  });
});
