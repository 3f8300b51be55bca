// The kernel IR text form: hand-written kernels and programs that cover every statement, operand
// kind and constant read back exactly (print → parse → print, and parse(print(x)) deep-equals x).
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../src/ir/tensor.js';
import { Expr, Kernel, KernelProgram, bin, idx, ivar, lit, load, svar } from '../../../src/codegen/kernel-ir.js';
import { parseExpr, parseKernel, parseProgram } from '../../../src/codegen/kir/parse.js';
import { printExpr, printKernel, printProgram } from '../../../src/codegen/kir/print.js';

/** Text that must read back as itself. */
function roundTripKernel(text: string): Kernel {
  const k = parseKernel(text);
  expect(printKernel(k)).toBe(text);
  expect(parseKernel(printKernel(k))).toEqual(k);
  return k;
}

const KERNEL = `kernel @k1_conv_relu(read in0: f32, read w: f32, read bias: f32, write out: f32; s_N) {
  source "%y = conv(%x, %w) : f32[N, 8, 4, 4]"
  schedule {parallel = [nb], vector = [], unroll = [], minParallelWork = 32768, work = (s_N * 1152), gemm = {mc = 96, kc = 256, nc = 2048, parallel = false}}
  // one image at a time
  for nb in 0 to s_N parallel {
    alloc local col: f32[16]
    gemm m = 8, n = 16, k = 18, alpha = 1, parallel = false {
      a = w[0; 18, 1]
      b = im2col in0[nb * 72] {channels = 2, inD = 1, inH = 6, inW = 6, outD = 1, outH = 4, outW = 4, kD = 1, kH = 3, kW = 3, sD = 1, sH = 1, sW = 1, dD = 1, dH = 1, dW = 1, pD = 0, pH = 0, pW = 0}
      c = out[nb * 128; ld 16]
      bias = bias[0; 1, 0] beta 1
      epilogue(r, c0, v) {
        let t: f32 = max(v:f32, 0:f32)
        yield select(is_nan(t:f32), v:f32, t:f32)
      }
    }
    if nb % 2 == 0 {
      check nb < s_N, 4, "index \\"out\\" of range"
    } else {
      barrier
    }
  }
}
`;

describe('kernel IR text', () => {
  it('reads back a kernel with every statement, GEMM operand kind and epilogue exactly', () => {
    const k = roundTripKernel(KERNEL);
    expect(k.scalars).toEqual(['s_N']);
    expect(k.schedule.work).toEqual(bin('mul', ivar('s_N'), idx(1152)));
    const gemm = (k.body[1] as Extract<Kernel['body'][number], { k: 'for' }>).body[1];
    expect(gemm.k === 'gemm' && 'conv' in gemm.b && gemm.b.conv.kH).toBe(3);
  });

  it('writes a type only where it cannot be inferred', () => {
    const f = svar('x', 'f32');
    expect(printExpr(bin('add', bin('mul', ivar('i'), idx(4)), idx(1)))).toBe('i * 4 + 1');
    expect(printExpr({ k: 'binary', op: 'mul', a: bin('add', ivar('i'), idx(4)), b: idx(1), type: 'index' })).toBe('(i + 4) * 1');
    expect(printExpr(bin('sub', ivar('a'), bin('sub', ivar('b'), ivar('c'))))).toBe('a - (b - c)');
    expect(printExpr(bin('lt', f, lit('f32', -1.5)))).toBe('x:f32 < -1.5:f32');
    expect(printExpr(load('buf', ivar('i'), 'f16', bin('lt', ivar('i'), idx(3)), lit('f16', 0)))).toBe('buf[i if i < 3 else 0:f16]:f16');
    // a node whose stored type differs from the inferred one keeps it
    const odd: Expr = { k: 'binary', op: 'add', a: f, b: f, type: 'f64' };
    expect(printExpr(odd)).toBe('(x:f32 + x:f32):f64');
    expect(parseExpr(printExpr(odd))).toEqual(odd);
  });

  it('keeps negative literals apart from negation and subtraction', () => {
    const cases: Expr[] = [
      { k: 'unary', op: 'neg', a: lit('f32', 5), type: 'f32' },
      { k: 'unary', op: 'neg', a: { k: 'unary', op: 'neg', a: ivar('i'), type: 'index' }, type: 'index' },
      bin('sub', ivar('i'), idx(-5)),
      bin('sub', idx(-5), ivar('i')),
      { k: 'unary', op: 'neg', a: svar('x', 'f32'), type: 'f64' },
      { k: 'unary', op: 'not', a: bin('lt', ivar('i'), idx(2)), type: 'bool' },
    ];
    for (const e of cases) {
      const text = printExpr(e);
      expect(parseExpr(text), text).toEqual(e);
      expect(printExpr(parseExpr(text))).toBe(text);
    }
    expect(printExpr(cases[0])).toBe('-(5:f32)');
    expect(printExpr(cases[2])).toBe('i - -5');
  });

  it('reads back constants of every dtype: bigints, NaN, infinities and negative zero', () => {
    const consts: Expr[] = [
      lit('f32', NaN), lit('f64', Infinity), lit('f32', -Infinity), lit('f64', -0), lit('f32', 1.1754943508222875e-38), lit('f64', 1e300),
      lit('i64', -(2n ** 63n)), lit('u64', 2n ** 64n - 1n), lit('index', 7n), lit('i64', 3), lit('i8', -128), lit('u32', 4294967295),
      lit('bool', 1), lit('f16', 65504), lit('bf16', -2.5), lit('index', -9007199254740991),
    ];
    for (const e of consts) {
      const back = parseExpr(printExpr(e));
      expect(back, printExpr(e)).toEqual(e);
      expect(Object.is(back.k === 'const' && back.value, e.k === 'const' && e.value)).toBe(true);
    }
    expect(consts.map(printExpr).slice(0, 4)).toEqual(['nan:f32', 'inf:f64', '-inf:f32', '-0:f64']);
    expect(printExpr(consts[8])).toBe('7n');
  });

  it('quotes names that are not words or that spell a keyword, and reads them back', () => {
    const k: Kernel = {
      name: 'for', source: ['a\nb'], params: [{ name: 'in x', dtype: 'f32', access: 'read' }, { name: 'out', dtype: 'f32', access: 'write' }], scalars: [],
      body: [{ k: 'let', name: 'nan', type: 'index', value: idx(0), mutable: false }, { k: 'store', buf: 'out', index: ivar('nan'), value: load('in x', ivar('nan'), 'f32') },
        { k: 'comment', text: 'two\nlines' }, { k: 'comment', text: '' }],
      schedule: { parallel: [], vector: [], unroll: [], minParallelWork: 0, work: idx(1) },
    };
    const text = printKernel(k);
    expect(text).toContain('kernel @"for"(read "in x": f32');
    expect(text).toContain('let "nan": index = 0');
    expect(parseKernel(text)).toEqual(k);
    expect(printKernel(parseKernel(text))).toBe(text);
  });

  it('carries fields it does not know as attr lines, so fields added to the IR later survive', () => {
    const text = `kernel @k(write out: f32) {
  attr loc = "model.ds:3:7"
  attr tuning = {tile = [8, 8], shared = true, note = null}
  schedule {parallel = [], vector = [], unroll = [], minParallelWork = 0, work = (1), grid = {x = (4), y = 1n}, threads = [i, j]}
  gemm m = 1, n = 1, k = 1, alpha = -0.5, parallel = true {
    a = out[0; 1, 1]
    b = out[0; 1, 1]
    c = out[0; ld 1]
    attr inputType = f16
  }
}
`;
    const k = roundTripKernel(text) as Kernel & { loc: string; tuning: unknown };
    expect(k.loc).toBe('model.ds:3:7');
    expect(k.tuning).toEqual({ tile: [8, 8], shared: true, note: null });
    expect((k.schedule as unknown as { grid: unknown }).grid).toEqual({ x: idx(4), y: 1n });
  });

  it('reads back a program with every kind of buffer storage and constant tensors of every dtype', () => {
    const tensors = [
      Tensor.fromNumbers('f32', [2, 2], [1.5, NaN, -Infinity, -0]), Tensor.fromNumbers('f16', [2], [1, -65504]), Tensor.fromNumbers('bf16', [1], [3]),
      new Tensor('i64', [2], BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n])), new Tensor('u64', [1], BigUint64Array.from([2n ** 64n - 1n])),
      Tensor.fromNumbers('bool', [3], [1, 0, 1]), Tensor.fromNumbers('i8', [], [-7]), Tensor.fromNumbers('f64', [1], [Math.PI]),
    ];
    const program: KernelProgram = {
      name: 'Model-1',
      manifest: {
        name: 'Model-1', inputs: [{ name: 'x', dtype: 'f32', shape: ['N', '4'] }], outputs: [{ name: 'y.out', dtype: 'f32', shape: ['2*N + 1', 'floor(N, 2)'] }],
        params: [{ name: 'w.weight', dtype: 'f32', shape: ['4'] }], symbols: [{ name: 'N', from: { input: 0, axis: 0 } }],
      },
      symbols: ['s_N'],
      buffers: [
        { name: 'v_w', value: 'w.weight', dtype: 'f32', size: idx(4), storage: { k: 'param', index: 0 } },
        { name: 'v_x', value: 'x', dtype: 'f32', size: bin('mul', ivar('s_N'), idx(4)), storage: { k: 'input', index: 0 } },
        { name: 'v_y', value: 'y.out', dtype: 'f32', size: ivar('s_N'), storage: { k: 'output', index: 0 } },
        { name: 'v_t', value: 't', dtype: 'f32', size: ivar('s_N'), storage: { k: 'workspace', offset: bin('mul', idx(64), ivar('s_N')) } },
        { name: 'v_r', value: 'r', dtype: 'f32', size: ivar('s_N'), storage: { k: 'alias', of: 'v_t' } },
        ...tensors.map((t, i) => ({ name: `v_c${i}`, value: `c${i}`, dtype: t.dtype, size: idx(t.size), storage: { k: 'constant' as const, tensor: t } })),
      ],
      kernels: [],
      calls: [],
      workspaceBytes: bin('mul', idx(128), ivar('s_N')),
      outputShapes: [[bin('add', bin('mul', idx(2), ivar('s_N')), idx(1)), bin('div', ivar('s_N'), idx(2))]],
    };
    const text = printProgram(program);
    expect(text).toContain('constant f16[2] [0x3c00, 0xfbff]');
    expect(text).toContain('output y.out: f32["2*N + 1", "floor(N, 2)"]');
    const back = parseProgram(text);
    expect(back).toEqual(program);
    expect(printProgram(back)).toBe(text);
    const f32 = back.buffers[5].storage;
    expect(f32.k === 'constant' && Object.is(f32.tensor.data[3], -0)).toBe(true);
  });

  it('names the line and column of a mistake', () => {
    expect(() => parseKernel('kernel @k() {\n  schedule {}\n  let x: f33 = 1\n}')).toThrow(/3:10: expected a type, found 'f33'/);
    expect(() => parseExpr('in0[i]')).toThrow(/needs its type written/);
    expect(() => parseExpr('frob(1)')).toThrow(/expected a cast, min, max, select or an intrinsic/);
  });
});
