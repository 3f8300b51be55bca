// ONNX import: shape folding, constant folding, opset-dependent translations and diagnostics, with
// numerical results checked against onnxruntime-node on the same files.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../../src/diag/diagnostic.js';
import { importOnnxFile } from '../../../src/frontend/onnx/import.js';
import { dimToString } from '../../../src/ir/dim.js';
import { Graph, typeToString } from '../../../src/ir/graph.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor, readNumbers, tensorFromInts } from '../../../src/ir/tensor.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/onnx-import/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

function randomTensor(shape: number[], seed: number): Tensor {
  let s = seed;
  const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 * 4 - 2;
  });
  return Tensor.fromNumbers('f32', shape, values);
}

async function runOrt(path: string, inputs: Record<string, Tensor>): Promise<Map<string, Tensor>> {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs))
      feeds[name] = t.dtype === 'i64' ? new ort.Tensor('int64', t.data as BigInt64Array, [...t.shape]) : new ort.Tensor('float32', t.data as Float32Array, [...t.shape]);
    const results = await session.run(feeds);
    const out = new Map<string, Tensor>();
    for (const name of session.outputNames) {
      const r = results[name];
      out.set(name, new Tensor('f32', r.dims.map(Number), r.data as Float32Array));
    }
    return out;
  } finally {
    await session.release();
  }
}

function expectClose(actual: Tensor, expected: Tensor, what: string) {
  expect(actual.shape, what).toEqual(expected.shape);
  const a = readNumbers(actual), e = readNumbers(expected);
  for (let i = 0; i < e.length; i++) {
    const tol = 1e-5 + 1e-4 * Math.abs(e[i]);
    if (!(Math.abs(a[i] - e[i]) <= tol)) expect.fail(`${what}: element ${i} is ${a[i]}, onnxruntime gives ${e[i]}`);
  }
}

/** Runs the imported graph and onnxruntime on the same inputs and compares every output. */
async function expectSameAsOrt(path: string, graph: Graph, inputs: Record<string, Tensor>) {
  const ours = runGraph(graph, inputs);
  const theirs = await runOrt(path, inputs);
  expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
  for (const [name, t] of theirs) expectClose(ours.get(name)!, t, `${path} output ${name}`);
}

const opsOf = (g: Graph) => g.nodes.map((n) => n.op);

function diagnosticOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof DiagnosticError) return { code: e.diagnostics[0].code, message: e.diagnostics[0].message };
    throw e;
  }
  throw new Error('expected a diagnostic');
}

describe('shape folding', () => {
  it('turns Shape/Gather/Unsqueeze/Slice/ReduceProd/Concat into one reshape with [N, 48]', async () => {
    const g = importOnnxFile(fixture('shape_chain.onnx'));
    expect(opsOf(g)).toEqual(['reshape', 'matmul', 'add']);
    expect((g.nodes[0].attrs.shape as unknown[]).map((d) => dimToString(d as number))).toEqual(['N', '48']);
    expect(g.inputs.map((v) => typeToString(v.type))).toEqual(['f32[N, 3, 4, 4]']);
    expect(g.outputs.map((v) => `${v.name}: ${typeToString(v.type)}`)).toEqual(['y: f32[N, 5]']);
    expect(g.params.map((p) => p.name)).toEqual(['w', 'b']);
    for (const n of [1, 3]) await expectSameAsOrt(fixture('shape_chain.onnx'), g, { x: randomTensor([n, 3, 4, 4], n) });
  });

  it('folds the view(x.size(0), -1) of a PyTorch export with a dynamic batch', async () => {
    const path = fixture('torch_conv_flatten.onnx');
    const g = importOnnxFile(path);
    expect(opsOf(g)).toEqual(['conv', 'relu', 'reshape', 'gemm']);
    expect(typeToString(g.nodes[2].outputs[0].type)).toBe('f32[N, 64]');
    expect(g.params.map((p) => p.name)).toEqual(['conv.weight', 'conv.bias', 'fc.weight', 'fc.bias']);
    for (const n of [1, 4]) await expectSameAsOrt(path, g, { x: randomTensor([n, 1, 4, 4], 10 + n) });
  });

  it('leaves no shape arithmetic in a PyTorch attention block with dynamic batch and sequence', async () => {
    const path = fixture('torch_attention.onnx');
    const g = importOnnxFile(path);
    const ops = opsOf(g);
    for (const op of ['shape', 'gather', 'concat', 'unsqueeze', 'cast', 'constant_of_shape']) expect(ops).not.toContain(op);
    const reshapes = g.nodes.filter((n) => n.op === 'reshape').map((n) => typeToString(n.outputs[0].type));
    expect(reshapes).toEqual(['f32[N, S, 2, 8]', 'f32[N, S, 2, 8]', 'f32[N, S, 2, 8]', 'f32[N, S, 16]']);
    expect(typeToString(g.outputs[0].type)).toBe('f32[N, S, 16]');
    await expectSameAsOrt(path, g, { x: randomTensor([1, 3, 16], 21) });
    await expectSameAsOrt(path, g, { x: randomTensor([2, 7, 16], 22) });
  });

  it('builds arange(S) and an S x S causal mask from the symbolic sequence length', async () => {
    const path = fixture('torch_causal_positions.onnx');
    const g = importOnnxFile(path);
    const ops = opsOf(g);
    for (const op of ['shape', 'concat', 'unsqueeze', 'range']) expect(ops).not.toContain(op);
    const masks = g.nodes.filter((n) => n.op === 'constant_of_shape').map((n) => typeToString(n.outputs[0].type));
    expect(masks).toEqual(['i64[S]', 'f32[S, S]']);
    expect(typeToString(g.outputs[0].type)).toBe('f32[N, S, 8]');
    await expectSameAsOrt(path, g, { x: randomTensor([1, 4, 8], 31) });
    await expectSameAsOrt(path, g, { x: randomTensor([3, 9, 8], 32) });
  });

  it('names dims as dimNames says', () => {
    const g = importOnnxFile(fixture('shape_chain.onnx'), { dimNames: new Map([['N', 'batch']]) });
    expect(typeToString(g.outputs[0].type)).toBe('f32[batch, 5]');
    expect(typeToString(g.nodes[0].outputs[0].type)).toBe('f32[batch, 48]');
  });
});

describe('constant folding', () => {
  it('evaluates Constant, Range, ConstantOfShape and arithmetic on constants at import', async () => {
    const path = fixture('const_fold.onnx');
    const g = importOnnxFile(path);
    expect(opsOf(g)).toEqual(['constant', 'add']);
    const bias = g.nodes[0].attrs.value as Tensor;
    expect(Array.from(readNumbers(bias))).toEqual([1, 4, 7, 10]);
    expect(g.params).toEqual([]);
    await expectSameAsOrt(path, g, { x: randomTensor([2, 4], 3) });
  });
});

describe('opset-dependent translations', () => {
  it('gives Softmax before opset 13 its flatten-to-2-D meaning', async () => {
    const old = importOnnxFile(fixture('softmax_opset11.onnx'));
    expect(opsOf(old)).toEqual(['reshape', 'softmax', 'reshape']);
    const current = importOnnxFile(fixture('softmax_opset13.onnx'));
    expect(opsOf(current)).toEqual(['softmax']);
    const x = randomTensor([2, 3, 4], 5);
    await expectSameAsOrt(fixture('softmax_opset11.onnx'), old, { x });
    await expectSameAsOrt(fixture('softmax_opset13.onnx'), current, { x });
    const a = readNumbers(runGraph(old, { x }).get('y')!), b = readNumbers(runGraph(current, { x }).get('y')!);
    expect(Math.abs(a[0] - b[0])).toBeGreaterThan(1e-3);
  });

  it('splits by a split input, by num_outputs (opset 18) and equally (opset 11)', async () => {
    const sized = importOnnxFile(fixture('split_sizes.onnx'));
    expect(sized.nodes.map((n) => [n.op, n.attrs.split])).toEqual([['split', [2, 4]]]);
    expect(sized.outputs.map((v) => `${v.name}: ${typeToString(v.type)}`)).toEqual(['a: f32[N, 2]', 'b: f32[N, 4]']);
    await expectSameAsOrt(fixture('split_sizes.onnx'), sized, { x: randomTensor([3, 6], 6) });

    const byCount = importOnnxFile(fixture('split_num_outputs.onnx'));
    expect(byCount.nodes[0].attrs.split).toEqual([3, 3, 1]);
    await expectSameAsOrt(fixture('split_num_outputs.onnx'), byCount, { x: randomTensor([2, 7], 7) });

    const equal = importOnnxFile(fixture('split_equal_opset11.onnx'));
    expect(equal.nodes[0].attrs.split).toEqual([2, 2]);
    await expectSameAsOrt(fixture('split_equal_opset11.onnx'), equal, { x: randomTensor([4, 3], 8) });
  });

  it('aligns B at axis for opset 6 broadcasting', () => {
    const g = importOnnxFile(fixture('legacy_broadcast_opset6.onnx'));
    expect(opsOf(g)).toEqual(['reshape', 'add']);
    const y = readNumbers(runGraph(g, { x: Tensor.zeros('f32', [2, 3, 4]) }).get('y')!);
    expect(Array.from(y).slice(0, 12)).toEqual([10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30]);
  });

  it('resolves Reshape 0 to the copied dim and -1 to the inferred one', async () => {
    const g = importOnnxFile(fixture('reshape_zero.onnx'));
    expect(g.nodes.map((n) => [n.op, n.attrs.shape])).toEqual([['reshape', [2, 12]]]);
    await expectSameAsOrt(fixture('reshape_zero.onnx'), g, { x: randomTensor([2, 3, 4], 9) });
  });
});

describe('diagnostics', () => {
  it('reports every unsupported operator in one DSC2001', () => {
    const d = diagnosticOf(() => importOnnxFile(fixture('unsupported.onnx')));
    expect(d).toEqual({ code: 'DSC2001', message: "3 unsupported operators: Loop (nodes 'loop_0', 'loop_3'), Scan (node 'scan_1')" });
  });

  it('names the node, the input and the graph input behind a non-constant shape (DSC2004)', () => {
    const d = diagnosticOf(() => importOnnxFile(fixture('reshape_runtime_shape.onnx')));
    expect(d).toEqual({
      code: 'DSC2004',
      message: "Reshape node 'n3': input 'shape' must be a constant or computable from input shapes; it depends on graph input 's'",
    });
  });

  it('reports a shape-rule failure as DSC2005 naming the ONNX node', () => {
    const d = diagnosticOf(() => importOnnxFile(fixture('ill_typed.onnx')));
    expect(d.code).toBe('DSC2005');
    expect(d.message).toMatch(/^MatMul node 'mm' \(IR op matmul\): .*3.*4/);
  });

  it('takes a shape input from knownInputs', async () => {
    const path = fixture('reshape_shape_input.onnx');
    const s = tensorFromInts('i64', [2, 3]);
    const g = importOnnxFile(path, { knownInputs: new Map([['s', s]]) });
    expect(g.nodes.map((n) => [n.op, n.attrs.shape])).toEqual([['reshape', [2, 3]]]);
    await expectSameAsOrt(path, g, { x: randomTensor([6], 11), s });
  });
});

describe('weights', () => {
  it('reads initializers stored as external data', async () => {
    const path = fixture('external_data.onnx');
    const g = importOnnxFile(path);
    expect(g.params.map((p) => `${p.name}: ${typeToString(p.type)}`)).toEqual(['w: f32[8, 4]']);
    expect(g.weights.get('w')!.shape).toEqual([8, 4]);
    await expectSameAsOrt(path, g, { x: randomTensor([3, 8], 12) });
  });
});
