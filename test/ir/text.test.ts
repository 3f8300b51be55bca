import { describe, expect, test, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import './testops.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph } from '../../src/ir/graph.js';
import { DType, DTYPES } from '../../src/ir/dtype.js';
import { sym, dimMul, dimAdd, dimFloorDiv, dimMod, unknownDim, dimToString, dimEq, SymDim } from '../../src/ir/dim.js';
import { Tensor } from '../../src/ir/tensor.js';
import { printGraph } from '../../src/ir/printer.js';
import { parseGraph } from '../../src/ir/parser.js';
import { runGraph } from '../../src/ir/interp.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { DiagnosticError, formatDiagnostic } from '../../src/diag/diagnostic.js';

const N = sym('N');

/** print(parse(print(g))) must equal print(g); returns the parsed graph */
function roundTrip(g: Graph): Graph {
  const text = printGraph(g);
  const back = parseGraph(text);
  expect(printGraph(back)).toBe(text);
  return back;
}

function bytesOf(t: Tensor): number[] {
  return Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

describe('printGraph', () => {
  test('prints a graph in the documented form', () => {
    const b = new GraphBuilder('net');
    const x = b.input('x', { dtype: 'f32', shape: [N, 4] });
    const w = b.param('onnx::w 1', { dtype: 'f32', shape: [4] });
    const y = b.op1('test.scale', [x, w, null], { alpha: 0.5 }, { loc: 'net.ds:3:7' });
    const r = b.op1('test.reshape', [y], { shape: [dimFloorDiv(dimAdd(N, 1), 2), dimMul(N, 8), 2] });
    const [p, q] = b.op('test.split', [x], { split: [1, 3], axis: 1 }, { outputs: 2, names: ['a', 'b'] });
    b.output(r, p, q);
    expect(printGraph(b.graph)).toBe(
      'graph @net(%x: f32[N, 4]) -> (f32[floor(N + 1, 2), 8*N, 2], f32[N, 1], f32[N, 3]) {\n' +
      '  param %"onnx::w 1": f32[4]\n' +
      '  %t0 = test.scale(%x, %"onnx::w 1", _) {alpha = 0.5} : f32[N, 4] loc("net.ds:3:7")\n' +
      '  %t1 = test.reshape(%t0) {shape = [floor(N + 1, 2), 8*N, 2]} : f32[floor(N + 1, 2), 8*N, 2]\n' +
      '  %a, %b = test.split(%x) {axis = 1, split = [1, 3]} : f32[N, 1], f32[N, 3]\n' +
      '  return %t1, %a, %b\n' +
      '}\n');
  });

  test('prints every attribute kind, floats always as floats', () => {
    const b = new GraphBuilder('attrs');
    const x = b.input('x', { dtype: 'f32', shape: [2] });
    const y = b.op1('test.every_attr', [x], {
      i: -3, f: 2, b: false, s: 'say "hi"\n', is: [1, -2], fs: [1, NaN, -Infinity, 2.5, -0], ss: ['a', ''],
      ds: [dimAdd(dimMul(N, 8), 1), 2], dt: 'bf16', t: Tensor.fromNumbers('i32', [2, 2], [1, -2, 3, 4]),
    });
    b.output(y);
    expect(printGraph(b.graph).split('\n')[1]).toBe(
      '  %t0 = test.every_attr(%x) {b = false, ds = [8*N + 1, 2], dt = bf16, f = 2.0, fs = [1.0, nan, -inf, 2.5, -0.0], ' +
      'i = -3, is = [1, -2], s = "say \\"hi\\"\\n", ss = ["a", ""], t = dense<i32[2, 2]: [1, -2, 3, 4]>} : f32[2]');
  });

  test('prints narrow floats in the shortest form that stores back to the same bits', () => {
    const b = new GraphBuilder('g');
    const c32 = b.op1('test.const', [], { value: Tensor.fromNumbers('f32', [3], [0.1, 1 / 3, 16777217]) });
    const c16 = b.op1('test.const', [], { value: Tensor.fromNumbers('f16', [3], [0.1, 65504, 2 ** -24]) });
    b.output(c32, c16);
    const lines = printGraph(b.graph).split('\n');
    expect(lines[1]).toContain('dense<f32[3]: [0.1, 0.33333334, 16777216.0]>');
    expect(lines[2]).toContain('dense<f16[3]: [0.1, 65500.0, 6e-8]>');
  });
});

describe('parseGraph round trip', () => {
  test('names, symbolic dims, omitted inputs, several outputs and loc survive', () => {
    const b = new GraphBuilder('my model/v2');
    const S = sym('S');
    const x = b.input('x', { dtype: 'f32', shape: [N, dimMod(S, 4), 4] });
    const w = b.param('0', { dtype: 'f32', shape: [4] });
    const bias = b.param('encoder.layer.0.bias', { dtype: 'f32', shape: [4] });
    const y = b.op1('test.scale', [x, w, bias], { alpha: 1 / 3 }, { name: 'onnx::Add_12', loc: 'a "quoted"\nplace' });
    const z = b.op1('test.scale', [y, w, null], {});
    const r = b.op1('test.reshape', [z], { shape: [dimMul(N, dimFloorDiv(dimAdd(dimMul(S, 2), 1), 3)), dimAdd(N, -1), unknownDim()] });
    const [p, q] = b.op('test.split', [x], { axis: -1, split: [1, 3] }, { outputs: 2, names: ['é', 'q'] });
    b.output(r, p, q, x);
    const g = roundTrip(b.graph);
    expect(g.name).toBe('my model/v2');
    expect(g.inputs.map((v) => v.name)).toEqual(['x']);
    expect(g.params.map((v) => v.name)).toEqual(['0', 'encoder.layer.0.bias']);
    expect(g.nodes.map((n) => n.outputs.map((o) => o.name))).toEqual([['onnx::Add_12'], ['t0'], ['t1'], ['é', 'q']]);
    expect(g.nodes[0].loc).toBe('a "quoted"\nplace');
    expect(g.nodes[0].attrs.alpha).toBe(1 / 3);
    expect(g.nodes[1].inputs[2]).toBeNull();
    expect(g.nodes[1].inputs[0]).toBe(g.nodes[0].outputs[0]);
    expect(g.nodes[3].outputs[0].producer).toBe(g.nodes[3]);
    expect(g.outputs[3]).toBe(g.inputs[0]);
    expect(g.outputs.map((o) => o.name)).toEqual(['t1', 'é', 'q', 'x']);
    const shape = g.nodes[2].attrs.shape as SymDim[];
    expect(shape.map(dimToString)).toEqual(['N*floor(2*S + 1, 3)', 'N - 1', '?']);
    expect(g.inputs[0].type.shape.map(dimToString)).toEqual(['N', 'mod(S, 4)', '4']);
    expect(printGraph(g)).toContain('{shape = [N*floor(2*S + 1, 3), N - 1, ?1]} : f32[N*floor(2*S + 1, 3), N - 1, ?1]');
  });

  test('unknown dims keep their identity: ?n names one dim, a bare ? is a fresh one', () => {
    const g = parseGraph(`graph @g(%x: f32[?1, ?2], %y: f32[?]) -> (f32[?1, ?2]) {
  %r = test.relu(%x) : f32[?1, ?2]
  return %r
}`);
    const [a, b] = g.inputs[0].type.shape;
    expect(g.nodes[0].outputs[0].type.shape[0]).toBe(a);
    expect(g.nodes[0].outputs[0].type.shape[1]).toBe(b);
    expect(dimEq(a, b)).toBe(false);
    expect(dimEq(g.inputs[1].type.shape[0], a)).toBe(false);
    expect(printGraph(g).split('\n')[0]).toBe('graph @g(%x: f32[?1, ?2], %y: f32[?3]) -> (f32[?1, ?2]) {');  });

  test('tensors of every dtype keep their exact bits', () => {
    const values: Record<DType, (number | bigint)[]> = {
      f32: [0.1, 1 / 3, 3.4028234663852886e38, 1e-45, -0, NaN, Infinity, -1.5e-7],
      f16: [0.1, 65504, 2 ** -24, -0, NaN, -Infinity, 1 / 3, 1000.5],
      bf16: [0.1, 3.0e38, 1 / 3, NaN, -2, 1e-40],
      f64: [0.1, 1 / 3, 5e-324, Number.MAX_VALUE, -0, NaN, -Infinity, 1e21],
      i8: [-128, 127, 0], u8: [0, 255, 7], i16: [-32768, 32767], u16: [0, 65535],
      i32: [-2147483648, 2147483647], u32: [0, 4294967295],
      i64: [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -5n], u64: [0n, 2n ** 64n - 1n, 2n ** 53n + 1n],
      bool: [1, 0, 1],
    };
    const b = new GraphBuilder('consts');
    const originals: Tensor[] = [];
    for (const dtype of DTYPES) {
      const vals = values[dtype];
      let t: Tensor;
      if (typeof vals[0] === 'bigint') {
        t = Tensor.zeros(dtype, [vals.length]);
        (t.data as BigInt64Array).set(vals as bigint[]);
      } else t = Tensor.fromNumbers(dtype, [vals.length], vals as number[]);
      originals.push(t);
      b.output(b.op1('test.const', [], { value: t }));
    }
    const g = roundTrip(b.graph);
    g.nodes.forEach((n, i) => {
      const t = n.attrs.value as Tensor;
      expect(t.dtype).toBe(DTYPES[i]);
      expect(bytesOf(t)).toEqual(bytesOf(originals[i]));
    });
    const text = printGraph(g);
    expect(text).toContain('dense<i64[4]: [-9223372036854775808, 9223372036854775807, 9007199254740993, -5]>');
    expect(text).toContain('dense<u64[3]: [0, 18446744073709551615, 9007199254740993]>');
    expect(text).toContain('dense<bool[3]: [true, false, true]>');
    expect(text).toContain('dense<f64[8]: [0.1, 0.3333333333333333, 5e-324, 1.7976931348623157e+308, -0.0, nan, -inf, 1e+21]>');
  });

  test('any non-NaN float bit pattern survives printing and parsing', () => {
    const cases: [DType, fc.Arbitrary<number>, (t: Tensor) => Uint32Array | Uint16Array | Float64Array][] = [
      ['f32', fc.integer({ min: 0, max: 2 ** 32 - 1 }), (t) => new Uint32Array(t.data.buffer)],
      ['f16', fc.integer({ min: 0, max: 2 ** 16 - 1 }), (t) => t.data as Uint16Array],
      ['bf16', fc.integer({ min: 0, max: 2 ** 16 - 1 }), (t) => t.data as Uint16Array],
    ];
    for (const [dtype, bitsArb, bitsOf] of cases)
      fc.assert(fc.property(fc.array(bitsArb, { minLength: 1, maxLength: 8 }), (bits) => {
        const t = Tensor.zeros(dtype, [bits.length]);
        bitsOf(t).set(bits);
        if (Array.from(t.numbers()).some(Number.isNaN)) return;
        const b = new GraphBuilder('g');
        b.output(b.op1('test.const', [], { value: t }));
        const back = roundTrip(b.graph).nodes[0].attrs.value as Tensor;
        expect(Array.from(bitsOf(back))).toEqual(bits);
      }), { numRuns: 300 });
    fc.assert(fc.property(fc.double(), (v) => {
      const b = new GraphBuilder('g');
      b.output(b.op1('test.every_attr', [b.input('x', { dtype: 'f32', shape: [] })], { f: v }));
      expect(Object.is(roundTrip(b.graph).nodes[0].attrs.f, v)).toBe(true);
    }), { numRuns: 300 });
  });

  test('float and int attributes keep their exact values; scalars and empty tensors print', () => {
    const floats = [0.1, 1 / 3, 1e300, 5e-324, 1e21, 123456789012, -0, 1e-5, NaN, Infinity];
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: [] });
    const y = b.op1('test.every_attr', [x], { fs: floats, is: [2 ** 63, -(2 ** 53) - 2, 0], f: 7, t: Tensor.zeros('f32', [0, 3]) });
    const z = b.op1('test.every_attr', [y], { t: Tensor.scalar('f16', -2.5), ds: [], ss: [] });
    b.output(z);
    const g = roundTrip(b.graph);
    const attrs = g.nodes[0].attrs;
    expect(attrs.fs).toEqual(floats);
    expect(Object.is((attrs.fs as number[])[6], -0)).toBe(true);
    expect(attrs.is).toEqual([2 ** 63, -(2 ** 53) - 2, 0]);
    expect(attrs.f).toBe(7);
    expect((attrs.t as Tensor).shape).toEqual([0, 3]);
    expect(printGraph(g)).toContain('fs = [0.1, 0.3333333333333333, 1e+300, 5e-324, 1e+21, 123456789012.0, -0.0, 0.00001, nan, inf], ' +
      'is = [9223372036854775808, -9007199254740994, 0], t = dense<f32[0, 3]: []>} : f32[]');
    expect(printGraph(g)).toContain('%t1 = test.every_attr(%t0) {ds = [], ss = [], t = dense<f16[]: [-2.5]>} : f32[]');
  });

  test('hand-written text with comments and any attribute order reads back to the canonical form', () => {
    const text = `// a comment line
graph @g ( %x : f32[2*N+1, 3] )   -> ( f32[1+N*2, 1] ) {
  %p, %q = test.split(%x) { split = [1, 2], axis = -1 }   : f32[2*N + 1, 1], f32[2*N + 1, 2]   // trailing
  return %p
}`;
    expect(printGraph(parseGraph(text))).toBe(
      'graph @g(%x: f32[2*N + 1, 3]) -> (f32[2*N + 1, 1]) {\n' +
      '  %p, %q = test.split(%x) {axis = -1, split = [1, 2]} : f32[2*N + 1, 1], f32[2*N + 1, 2]\n' +
      '  return %p\n' +
      '}\n');
  });

  test('a graph without inputs or outputs', () => {
    const g = parseGraph('graph @empty() -> () {\n  return\n}\n');
    expect(g.inputs).toEqual([]);
    expect(g.outputs).toEqual([]);
    expect(printGraph(g)).toBe('graph @empty() -> () {\n  return\n}\n');
  });

  test('a parsed graph runs in the interpreter', () => {
    const g = parseGraph(`
graph @affine(%x: f32[N, 3]) -> (f32[N, 1], f32[N, 2]) {
  param %w: f32[3]
  %c = test.const() {value = dense<f32[3]: [0.5, -1.0, 2.0]>} : f32[3]
  %y = test.scale(%x, %w, %c) {alpha = 2.0} : f32[N, 3]
  %r = test.relu(%y) : f32[N, 3]
  %a, %b = test.split(%r) {axis = 1, split = [1, 2]} : f32[N, 1], f32[N, 2]
  return %a, %b
}`);
    g.weights.set('w', Tensor.fromNumbers('f32', [3], [1, 10, 100]));
    const out = runGraph(g, { x: Tensor.fromNumbers('f32', [2, 3], [1, 2, 3, -1, -2, 0.25]) });
    // y = 2 * x * w + c
    expect(Array.from(out.get('a')!.numbers())).toEqual([2.5, 0]);
    expect(Array.from(out.get('b')!.numbers())).toEqual([39, 602, 0, 52]);
    expect(out.get('b')!.shape).toEqual([2, 2]);
  });
});

describe('parse errors', () => {
  function parseError(text: string): { message: string; line?: number; col?: number; length?: number } {
    try {
      parseGraph(text, 'm.ir');
    } catch (e) {
      expect(e).toBeInstanceOf(DiagnosticError);
      const d = (e as DiagnosticError).diagnostics[0];
      expect(d.code).toBe('DSC3001');
      expect(d.loc?.file).toBe('m.ir');
      return { message: d.message, line: d.loc?.line, col: d.loc?.col, length: d.loc?.length };
    }
    throw new Error('expected a parse error');
  }
  const wrap = (body: string, sig = '(%x: f32[2])', results = '(f32[2])') => `graph @g${sig} -> ${results} {\n${body}\n}`;

  test.each([
    ['missing colon after an input', 'graph @g(%x f32[2]) -> () {\n  return\n}',
      "expected ':' after value name, found 'f32'", 1, 13, 3],
    ['unknown dtype', 'graph @g(%x: f33[2]) -> () {\n  return\n}', "unknown dtype 'f33'", 1, 14, 3],
    ['unknown op', wrap('  %y = cnv(%x) : f32[2]\n  return %y'), "unknown op 'cnv'", 2, 8, 3],
    ['value defined twice', wrap('  %x = test.relu(%x) : f32[2]\n  return %x'), 'value %x defined twice', 2, 3, 2],
    ['use before definition', wrap('  %y = test.add(%x, %z) : f32[2]\n  %z = test.relu(%x) : f32[2]\n  return %y'),
      '%z used before definition', 2, 21, 2],
    ['quoted name in a message', wrap('  %y = test.relu(%"a b") : f32[2]\n  return %y'), '%"a b" used before definition', 2, 18, 6],
    ['unknown attribute', wrap('  %a, %b = test.split(%x) {axes = 0, split = [1, 1]} : f32[1], f32[1]\n  return %a', '(%x: f32[2])', '(f32[1])'),
      "test.split has no attribute 'axes'", 2, 28, 4],
    ['attribute of the wrong kind', wrap('  %a = test.split(%x) {axis = 1.5, split = [2]} : f32[2]\n  return %a'),
      "attribute 'axis' expects an integer, found '1.5'", 2, 31, 3],
    ['float in an int list', wrap('  %a = test.split(%x) {split = [2, 1e3]} : f32[2]\n  return %a'),
      "expected an integer, found '1e3'", 2, 36, 3],
    ['unterminated string', wrap('  %y = test.relu(%x) : f32[2] loc("abc\n  return %y'), 'unterminated string', 2, 35, 1],
    ['unexpected character', wrap('  %y = test.relu(%x) : f32[2] # note\n  return %y'), 'unexpected character "#"', 2, 31, 1],
    ['tensor element count', wrap('  %c = test.const() {value = dense<f32[2]: [1.0, 2.0, 3.0]>} : f32[2]\n  return %c'),
      'f32[2] needs 2 elements, found 3', 2, 44, 1],
    ['integer out of range', wrap('  %c = test.const() {value = dense<u8[2]: [255, 256]>} : u8[2]\n  return %x'),
      '256 is out of range for u8', 2, 49, 3],
    ['negative integer out of range', wrap('  %c = test.const() {value = dense<i8[1]: [-129]>} : i8[1]\n  return %x'),
      '-129 is out of range for i8', 2, 44, 4],
    ['symbolic tensor shape', wrap('  %c = test.const() {value = dense<f32[N]: []>} : f32[N]\n  return %x'),
      'a dense tensor needs a static shape, found f32[N]', 2, 36, 3],
    ['floor by a symbol', 'graph @g(%x: f32[floor(N, M)]) -> () {\n  return\n}', 'the divisor of floor must be a positive integer', 1, 27, 1],
    ['names and types disagree', wrap('  %a, %b = test.split(%x) {split = [1, 1]} : f32[1]\n  return %x'),
      '2 output names but 1 type', 2, 44, 1],
    ['wrong number of results', wrap('  return %x, %x'), 'graph returns 2 values but its signature declares 1', 2, 3, 6],
    ['result type differs from the signature', wrap('  %y = test.relu(%x) : f32[3]\n  return %y'),
      'return value %y has type f32[3] but the signature declares f32[2]', 3, 10, 2],
    ['text after the graph', wrap('  return %x') + '\ngraph', "expected end of input after the graph, found 'graph'", 4, 1, 5],
    ['missing return', wrap('  %y = test.relu(%x) : f32[2]'), "expected 'param', 'return' or a node (%name = op(...)), found '}'", 3, 1, 1],
    ['truncated input', 'graph @g(%x: f32[2]) -> (', "expected a dtype, found end of input", 1, 26, 1],
  ])('%s', (_, text, message, line, col, length) => {
    expect(parseError(text)).toEqual({ message, line, col, length });
  });

  test('the diagnostic renders with a caret under the span', () => {
    const text = wrap('  %y = cnv(%x) : f32[2]\n  return %y');
    try {
      parseGraph(text, 'm.ir');
      expect.unreachable();
    } catch (e) {
      const d = (e as DiagnosticError).diagnostics[0];
      expect(formatDiagnostic(d, new Map([['m.ir', text]]))).toBe(
        "m.ir:2:8: error DSC3001: unknown op 'cnv'\n 2 |   %y = cnv(%x) : f32[2]\n   |        ^^^");
    }
  });
});

describe('real ops', () => {
  test('conv, add and reshape with symbolic dims round-trip and verify', () => {
    const b = new GraphBuilder('real');
    const x = b.input('x', { dtype: 'f32', shape: [N, 3, 8, 8] });
    const w = b.param('conv1.weight', { dtype: 'f32', shape: [4, 3, 3, 3] });
    const c = b.op1('conv', [x, w, null], { pads: [1, 1, 1, 1], strides: [2, 2] });
    const y = b.op1('add', [c, c]);
    const r = b.op1('reshape', [y], { shape: [N, 4, 16] });
    b.output(r);
    const g = roundTrip(b.graph);
    expect(printGraph(g).split('\n').slice(2, 5)).toEqual([
      '  %t0 = conv(%x, %conv1.weight, _) {pads = [1, 1, 1, 1], strides = [2, 2]} : f32[N, 4, 4, 4]',
      '  %t1 = add(%t0, %t0) : f32[N, 4, 4, 4]',
      '  %t2 = reshape(%t1) {shape = [N, 4, 16]} : f32[N, 4, 16]',
    ]);
    expect(verifyGraph(g)).toEqual([]);
  });
});

describe('docs/IR.md', () => {
  test('the example parses, verifies and prints back unchanged', () => {
    const doc = readFileSync(new URL('../../docs/IR.md', import.meta.url), 'utf8');
    const example = /## Example\n\n```\n([\s\S]*?)```/.exec(doc)![1];
    const g = parseGraph(example, 'IR.md');
    expect(verifyGraph(g).map((d) => d.message)).toEqual([]);
    expect(printGraph(g)).toBe(example);
  });
});

describe('fusion groups in the text', () => {
  it('round-trip and are rejected when malformed', async () => {
    const { parseGraph } = await import('../../src/ir/parser.js');
    const { printGraph } = await import('../../src/ir/printer.js');
    const text = `graph @g(%x: f32[2]) -> (f32[2]) {
  %a = relu(%x) : f32[2] group(0)
  %b = neg(%a) : f32[2] loc("n") group(0)
  return %b
}
`;
    const g = parseGraph(text);
    expect(g.nodes.map((n) => n.group)).toEqual([0, 0]);
    expect(printGraph(g)).toBe(text);
    expect(() => parseGraph(text.replace('group(0)\n  %b', 'group(x)\n  %b'))).toThrow("expected a fusion group number");
  });
});
