import { describe, expect, test } from 'vitest';
import './testops.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph, Node, Value, Attrs } from '../../src/ir/graph.js';
import { DType } from '../../src/ir/dtype.js';
import { sym } from '../../src/ir/dim.js';
import { Tensor } from '../../src/ir/tensor.js';
import { parseGraph } from '../../src/ir/parser.js';
import { verifyGraph, assertValid } from '../../src/ir/verify.js';
import { DiagnosticError } from '../../src/diag/diagnostic.js';

const N = sym('N');
const f32 = (...shape: number[]) => ({ dtype: 'f32' as DType, shape });

function messages(g: Graph): string[] {
  const diags = verifyGraph(g);
  for (const d of diags) expect(d.code).toBe('DSC3002');
  return diags.map((d) => d.message);
}

/** A graph with input %x: f32[2, 4] and the given nodes appended verbatim (no shape inference). */
function graphWith(build: (x: Value, add: (op: string, inputs: (Value | null)[], attrs: Attrs, outs: Value[], loc?: string) => Node) => Value[]): Graph {
  const g = new Graph('g');
  const x = new Value('x', f32(2, 4));
  g.inputs.push(x);
  const add = (op: string, inputs: (Value | null)[], attrs: Attrs, outs: Value[], loc?: string) => {
    const n = new Node(op, inputs, attrs, outs, loc);
    g.nodes.push(n);
    return n;
  };
  g.outputs.push(...build(x, add));
  return g;
}

describe('verifyGraph accepts', () => {
  test('a graph built with the builder, and the same graph read back from text', () => {
    const b = new GraphBuilder('ok');
    const x = b.input('x', { dtype: 'f32', shape: [N, 4] });
    const w = b.param('w', f32(4));
    const y = b.op1('test.scale', [x, w, null], { alpha: 2 });
    const [p, q] = b.op('test.split', [y], { axis: 1, split: [1, 3] }, { outputs: 2 });
    const c = b.op1('test.concat', [q, p, q], { axis: 1 });
    b.output(c);
    expect(messages(b.graph)).toEqual([]);
    expect(() => assertValid(b.graph)).not.toThrow();
  });

  test('unknown dims that the text names with ?n', () => {
    const g = parseGraph(`graph @g(%x: f32[?1, 4]) -> (f32[?1, 4]) {
  %y = test.relu(%x) : f32[?1, 4]
  %z = test.add(%y, %x) : f32[?1, 4]
  return %z
}`);
    expect(messages(g)).toEqual([]);
  });
});

describe('verifyGraph rejects', () => {
  test('a declared type the shape rule does not give', () => {
    const g = parseGraph(`graph @g(%x: f32[N, 4], %b: f32[4]) -> (f32[N, 5]) {
  %t3 = test.add(%x, %b) : f32[N, 5] loc("model.ds:7:12")
  return %t3
}`);
    const diags = verifyGraph(g);
    expect(diags.map((d) => d.message)).toEqual(['%t3 (model.ds:7:12): test.add infers f32[N, 4] but the node declares f32[N, 5]']);
    expect(diags[0].loc).toEqual({ file: 'model.ds', line: 7, col: 12 });
  });

  test('an unknown dim replaced by another, named as the text names them', () => {
    const g = parseGraph(`graph @g(%x: f32[?1, 4]) -> (f32[?, 4]) {
  %y = test.relu(%x) : f32[?2, 4]
  return %y
}`);
    expect(messages(g)).toEqual(['%y: test.relu infers f32[?1, 4] but the node declares f32[?2, 4]']);
  });

  test('the second output of a multi-output node with the wrong type', () => {
    const g = parseGraph(`graph @g(%x: f32[2, 4]) -> (f32[2, 1]) {
  %a, %b = test.split(%x) {axis = 1, split = [1, 3]} : f32[2, 1], f32[2, 2]
  return %a
}`);
    expect(messages(g)).toEqual(['%b: test.split infers f32[2, 3] but the node declares f32[2, 2]']);
  });

  test('inputs the shape rule rejects', () => {
    const g = graphWith((x, add) => [add('test.add', [x, new Value('y', f32(3))], {}, [new Value('s', f32(2, 4))]).outputs[0]]);
    g.inputs.push(g.nodes[0].inputs[1]!);
    expect(messages(g)).toEqual(['%s: test.add rejects its inputs: shapes [2, 4] and [3] do not broadcast (dim 4 vs 3)']);
  });

  test('an unknown op', () => {
    const g = graphWith((x, add) => add('test.nope', [x], {}, [new Value('y', f32(2, 4))], 'layer1').outputs);
    expect(messages(g)).toEqual(["%y (layer1): unknown op 'test.nope'"]);
  });

  test('a value used before its definition', () => {
    const g = graphWith((x, add) => {
      const r = new Value('r', f32(2, 4));
      const s = add('test.relu', [r], {}, [new Value('s', f32(2, 4))]).outputs[0];
      add('test.relu', [x], {}, [r]);
      return [s];
    });
    expect(messages(g)).toEqual(['%s: test.relu uses %r (input #0) before its definition']);
  });

  test('a value that nothing in the graph defines', () => {
    const g = graphWith((x, add) => add('test.add', [x, new Value('stray', f32(2, 4))], {}, [new Value('y', f32(2, 4))]).outputs);
    expect(messages(g)).toEqual(['%y: test.add uses %stray (input #1), which is not defined in the graph']);
  });

  test('a name defined twice', () => {
    const g = graphWith((x, add) => add('test.relu', [x], {}, [new Value('x', f32(2, 4))]).outputs);
    expect(messages(g)).toEqual(['%x: %x is defined twice (first as a graph input)']);
  });

  test('too many inputs, too few, and too few variadic ones', () => {
    const g = graphWith((x, add) => [
      add('test.relu', [x, x], {}, [new Value('a', f32(2, 4))]).outputs[0],
      add('test.scale', [x], {}, [new Value('b', f32(2, 4))]).outputs[0],
      add('test.concat', [], { axis: 0 }, [new Value('c', f32(2, 4))]).outputs[0],
    ]);
    expect(messages(g)).toEqual([
      '%a: test.relu takes 1 input, got 2',
      '%b: test.scale takes 2 to 3 inputs, got 1',
      '%c: test.concat takes at least 1 input, got 0',
    ]);
  });

  test('an omitted required input', () => {
    const g = graphWith((x, add) => add('test.scale', [x, null, x], {}, [new Value('y', f32(2, 4))]).outputs);
    expect(messages(g)).toEqual(["%y: test.scale input 'w' (#1) is required but omitted"]);
  });

  test('unknown and missing attributes', () => {
    const g = graphWith((x, add) => add('test.split', [x], { axes: [1] }, [new Value('y', f32(2, 4))]).outputs);
    expect(messages(g)).toEqual(["%y: test.split has no attribute 'axes'", "%y: test.split needs attribute 'split'"]);
  });

  test('attribute values of the wrong kind', () => {
    const g = graphWith((x, add) => [
      add('test.split', [x], { axis: 1.5, split: [2, 'a'] as never }, [new Value('a', f32(2, 4))]).outputs[0],
      add('test.every_attr', [x], { dt: 'f33', t: [1, 2], ds: [N, 0.5], f: '1', b: 1, fs: [true] as never }, [new Value('b', f32(2, 4))]).outputs[0],
    ]);
    expect(messages(g)).toEqual([
      "%a: test.split attribute 'axis' must be int, got 1.5",
      "%a: test.split attribute 'split' must be ints, got [2, \"a\"]",
      "%b: test.every_attr attribute 'dt' must be dtype, got \"f33\"",
      "%b: test.every_attr attribute 't' must be tensor, got [1, 2]",
      "%b: test.every_attr attribute 'ds' must be dims, got [N, 0.5]",
      "%b: test.every_attr attribute 'f' must be float, got \"1\"",
      "%b: test.every_attr attribute 'b' must be bool, got 1",
      "%b: test.every_attr attribute 'fs' must be floats, got [true]",
    ]);
  });

  test('the wrong number of outputs', () => {
    const g = graphWith((x, add) => {
      add('test.split', [x], { split: [2] }, []);
      return add('test.relu', [x], {}, [new Value('a', f32(2, 4)), new Value('b', f32(2, 4))]).outputs;
    });
    expect(messages(g)).toEqual([
      'node #0: test.split declares 0 outputs, the op has at least 1',
      '%a: test.relu declares 2 outputs, the op has 1',
    ]);
  });

  test('a graph output that is not defined', () => {
    const g = graphWith(() => [new Value('ghost', f32(1))]);
    expect(messages(g)).toEqual(['graph output %ghost is not defined in the graph']);
  });

  test('invalid types on values', () => {
    const g = new Graph('g');
    g.inputs.push(new Value('x', f32(2, -1)), new Value('y', { dtype: 'f33' as DType, shape: [2] }));
    g.params.push(new Value('w', { dtype: 'f32', shape: [1.5] }));
    g.nodes.push(new Node('test.relu', [g.inputs[0]], {}, [new Value('r', f32(2, 3))]));
    expect(messages(g)).toEqual([
      'graph input %x: %x has invalid dim -1 in its type',
      "graph input %y: %y has unknown dtype 'f33'",
      'param %w: %w has invalid dim 1.5 in its type',
    ]);
  });

  test('producer links that disagree with the graph', () => {
    const g = graphWith((x, add) => {
      const y = add('test.relu', [x], {}, [new Value('y', f32(2, 4))]).outputs[0];
      const other = new Node('test.relu', [x], {}, [new Value('z', f32(2, 4))]);
      y.producer = other;
      x.producer = other;
      return [y];
    });
    expect(messages(g)).toEqual([
      'graph input %x also records a producing node (test.relu)',
      '%y: test.relu output %y records another producing node',
    ]);
  });

  test('weights whose type differs from the param', () => {
    const b = new GraphBuilder('g');
    b.param('w', f32(2, 3), Tensor.zeros('f32', [3, 2]));
    b.param('v', f32(4), Tensor.zeros('i64', [4]));
    b.param('n', { dtype: 'f32', shape: [N] }, Tensor.zeros('f32', [7]));
    expect(messages(b.graph)).toEqual([
      'param %w: its weight is f32[3, 2] but the param declares f32[2, 3]',
      'param %v: its weight is i64[4] but the param declares f32[4]',
    ]);
  });

  test('a conv whose declared output ignores its strides', () => {
    const g = parseGraph(`graph @g(%x: f32[1, 3, 224, 224]) -> (f32[1, 64, 56, 56]) {
  param %"conv1.weight": f32[64, 3, 7, 7]
  %t3 = conv(%x, %"conv1.weight", _) {pads = [3, 3, 3, 3], strides = [2, 2]} : f32[1, 64, 56, 56]
  return %t3
}`);
    expect(messages(g)).toEqual(['%t3: conv infers f32[1, 64, 112, 112] but the node declares f32[1, 64, 56, 56]']);
  });
});

describe('assertValid', () => {
  const broken = () => graphWith((x, add) => add('test.relu', [x], {}, [new Value('y', f32(2, 5))]).outputs);

  test('throws every verification diagnostic', () => {
    expect(() => assertValid(broken())).toThrow(new DiagnosticError(verifyGraph(broken())));
    expect(() => assertValid(broken())).toThrow('DSC3002: %y: test.relu infers f32[2, 4] but the node declares f32[2, 5]');
  });

  test('names the pass after which the graph became invalid', () => {
    try {
      assertValid(broken(), 'fuse-elementwise');
      expect.unreachable();
    } catch (e) {
      expect((e as DiagnosticError).diagnostics.map((d) => [d.code, d.message])).toEqual([
        ['DSC3002', "internal error: after pass 'fuse-elementwise': %y: test.relu infers f32[2, 4] but the node declares f32[2, 5]"],
      ]);
    }
  });
});
