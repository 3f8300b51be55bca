// `dsc import` as source text: std/nn layers recognised from parameter groups, parameter paths and
// safetensors keys that agree, names the .ds language accepts, and byte-identical output per input.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDs } from '../../../src/frontend/ds/parse.js';
import { formatDiagnostic } from '../../../src/diag/diagnostic.js';
import { compileDs } from '../../../src/frontend/ds/compile.js';
import { DsImport, graphToDs, importToDs } from '../../../src/frontend/onnx-to-ds/emit.js';
import { moduleScope } from '../../../src/frontend/onnx-to-ds/param-tree.js';
import { dimExpr, floatLiteral, sanitizeName } from '../../../src/frontend/onnx-to-ds/ds-syntax.js';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { dimAdd, dimFloorDiv, dimMul, sym } from '../../../src/ir/dim.js';
import { Graph } from '../../../src/ir/graph.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor, tensorFromInts } from '../../../src/ir/tensor.js';
import { compareTensors } from '../../conformance/compare.js';

const ONNX = fileURLToPath(new URL('../../fixtures/onnx/', import.meta.url));

function parsesCleanly(source: string): void {
  const { diagnostics } = parseDs(source, 'imported.ds');
  expect(diagnostics.map((d) => `${d.loc?.line}:${d.loc?.col} ${d.message}`)).toEqual([]);
}

/** Compiles the emitted .ds and checks that it computes what the graph it came from computes. */
function expectSameResults(g: Graph, imported: DsImport, inputs: Tensor[]): void {
  const compiled = compileDs(imported.source, 'imported.ds');
  expect(compiled.diagnostics.map((d) => formatDiagnostic(d, compiled.sources)).join('\n')).toBe('');
  const graph = compiled.graph!;
  const expected = runGraph(g, new Map(g.inputs.map((v, i) => [v.name, inputs[i]])));
  const actual = runGraph(graph, new Map(graph.inputs.map((v, i) => [v.name, inputs[i]])), { weights: imported.weights });
  g.outputs.forEach((o, i) => {
    const cmp = compareTensors(actual.get(graph.outputs[i].name)!, expected.get(o.name)!, () => ({ rtol: 1e-5, atol: 1e-6 }));
    expect(cmp.ok, `output ${o.name}: ${cmp.reason}`).toBe(true);
  });
}

const filled = (shape: number[], seed = 1) => Tensor.fromNumbers('f32', shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7 + seed) % 13) / 13 - 0.5));

describe('golden .ds of imported models', () => {
  for (const name of ['mlp', 'lenet5']) {
    it(`${name}.onnx`, async () => {
      const { source } = importToDs(join(ONNX, `${name}.onnx`), {});
      parsesCleanly(source);
      await expect(source).toMatchFileSnapshot(`__snapshots__/${name}.ds`);
    });
  }
});

describe('every fixture', () => {
  for (const name of ['mlp', 'lenet5', 'transformer_opset13', 'transformer_opset17']) {
    it(`${name}.onnx imports to parseable, deterministic .ds whose weights are the declared parameters`, () => {
      const first = importToDs(join(ONNX, `${name}.onnx`), {});
      const second = importToDs(join(ONNX, `${name}.onnx`), {});
      parsesCleanly(first.source);
      expect(second.source).toBe(first.source);
      expect([...second.weights.keys()]).toEqual([...first.weights.keys()]);
      for (const key of first.weights.keys()) expect(key).toMatch(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/);
    });
  }

  it('keeps PyTorch paths and renames ONNX-made initializers with a comment giving the original', () => {
    const { source, weights } = importToDs(join(ONNX, 'transformer_opset17.onnx'), { modelName: 'Encoder2' });
    expect(source).toContain('model Encoder2 {');
    expect(source).toMatch(/param onnx_MatMul_(\d+): f32\[128, 384\] {2}\/\/ ONNX initializer "onnx::MatMul_\1"/);
    expect(source).toContain('layers = [LayersBlock(), LayersBlock()]');
    expect(source).toContain('norm1 = LayerNorm(128)');
    expect(source).toContain('out_proj = Linear(128, 128)');
    expect(weights.has('encoder.layers.1.self_attn.in_proj_bias')).toBe(true);
    expect(weights.has('encoder.layers.0.norm2.weight')).toBe(true);
    expect([...weights.keys()].some((k) => k.startsWith('onnx_MatMul_'))).toBe(true);
  });
});

describe('layer recognition on built graphs', () => {
  it('BatchNorm2d, Embedding and a Conv2d without bias', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: [sym('N'), 3, 8, 8] });
    const w = b.param('stem.conv.weight', { dtype: 'f32', shape: [4, 3, 3, 3] }, filled([4, 3, 3, 3]));
    const bn = ['weight', 'bias', 'running_mean', 'running_var'].map((r) => b.param(`stem.bn.${r}`, { dtype: 'f32', shape: [4] }, filled([4])));
    const c = b.op1('conv', [x, w, null], { strides: [2, 2], pads: [1, 1, 1, 1] }, { name: '/stem/conv/Conv_output_0' });
    const y = b.op1('batch_normalization', [c, ...bn], { epsilon: 1e-3 }, { name: '/stem/bn/BatchNormalization_output_0' });
    const ids = b.input('ids', { dtype: 'i64', shape: [sym('N'), sym('S')] });
    const table = b.param('embed.weight', { dtype: 'f32', shape: [10, 6] }, filled([10, 6]));
    const e = b.op1('gather', [table, ids], {}, { name: 'embedded' });
    b.output(y, e);
    const imported = graphToDs(b.graph, { modelName: 'Net' });
    const { source, weights } = imported;
    parsesCleanly(source);
    expectSameResults(b.graph, imported, [filled([2, 3, 8, 8]), tensorFromInts('i64', [0, 9, 3, 4, 4, 1], [2, 3])]);
    expect(source).toContain('import { BatchNorm2d, Conv2d, Embedding } from "std/nn"');
    expect(source).toContain('conv = Conv2d(3, 4, 3, stride: 2, padding: 1, bias: false)');
    expect(source).toMatch(/bn = BatchNorm2d\(4, eps: 0\.001\)/);
    expect(source).toContain('embed = Embedding(10, 6)');
    expect(source).toContain('let stem_conv = stem.conv(x)');
    expect(source).toContain('= embed(ids)');
    // an output name that is a .ds identifier is kept; a path-like ONNX name is not, so that result stays unnamed
    expect(source).toContain('forward(x: f32[N, 3, 8, 8], ids: i64[N, S]) -> (f32[N, 4, 4, 4], embedded: f32[N, S, 6])');
    // std/nn's BatchNorm2d carries PyTorch's counter too; ONNX has none, so it loads as 0
    expect([...weights.keys()].sort()).toEqual(['embed.weight', 'stem.bn.bias', 'stem.bn.num_batches_tracked', 'stem.bn.running_mean', 'stem.bn.running_var', 'stem.bn.weight', 'stem.conv.weight']);
  });

  it('falls back to the builtin op, with the parameters as members, when the layer cannot express the node', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: [2, 3, 8, 8] });
    const w = b.param('conv.weight', { dtype: 'f32', shape: [4, 3, 3, 3] }, filled([4, 3, 3, 3]));
    b.output(b.op1('conv', [x, w], { pads: [0, 1, 0, 1] }));
    const imported = graphToDs(b.graph, { modelName: 'Net' });
    const { source } = imported;
    parsesCleanly(source);
    expectSameResults(b.graph, imported, [filled([2, 3, 8, 8])]);
    expect(source).toContain('block Conv() {\n  param weight: f32[4, 3, 3, 3]\n}');
    // a member named `conv` would hide the builtin conv that forward calls, so it is renamed
    expect(source).toContain('conv_ = Conv()');
    expect(source).toContain('conv(x, conv_.weight, pads: [0, 1, 0, 1])');
    expect([...imported.weights.keys()]).toEqual(['conv_.weight']);
  });

  it('names folded weights after the module scope of the node using them', () => {
    const b = new GraphBuilder('g');
    const x = b.input('input', { dtype: 'f32', shape: [1, 3, 8, 8] });
    const w = b.param('onnx::Conv_7', { dtype: 'f32', shape: [4, 3, 1, 1] }, filled([4, 3, 1, 1]));
    const bias = b.param('onnx::Conv_8', { dtype: 'f32', shape: [4] }, filled([4]));
    b.output(b.op1('conv', [x, w, bias], {}, { loc: '/layer1/layer1.0/conv1/Conv' }));
    const imported = graphToDs(b.graph, { modelName: 'Net' });
    const { source, weights } = imported;
    parsesCleanly(source);
    expectSameResults(b.graph, imported, [filled([1, 3, 8, 8])]);
    expect([...weights.keys()]).toEqual(['layer1.0.conv1.weight', 'layer1.0.conv1.bias']);
    expect(source).toContain('//   layer1.0.conv1.weight <- onnx::Conv_7');
    expect(source).toContain('layer1 = [Layer1Block()]');
    expect(source).toContain('layer1[0].conv1(input)');
  });

  it('lists with gaps get parameter-free slots; indices that cannot be list items become names', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: [2, 4] });
    const w0 = b.param('seq.0.weight', { dtype: 'f32', shape: [4, 4] }, filled([4, 4]));
    const w2 = b.param('seq.2.weight', { dtype: 'f32', shape: [4, 4] }, filled([4, 4]));
    const scale = b.param('head.0.scale', { dtype: 'f32', shape: [4] }, filled([4]));
    const gain = b.param('head.gain', { dtype: 'f32', shape: [4] }, filled([4]));
    const top = b.param('0.bias', { dtype: 'f32', shape: [4] }, filled([4]));
    const h = b.op1('gemm', [x, w0], { trans_b: true });
    const k = b.op1('gemm', [h, w2], { trans_b: true });
    b.output(b.op1('add', [b.op1('mul', [b.op1('mul', [k, scale]), gain]), top]));
    const imported = graphToDs(b.graph, { modelName: 'Net' });
    const { source, weights } = imported;
    parsesCleanly(source);
    expectSameResults(b.graph, imported, [filled([2, 4])]);
    expect(source).toContain('seq = [Linear(4, 4, bias: false), ParamFree(), Linear(4, 4, bias: false)]');
    expect(source).toContain('seq[2](');
    expect(source).toContain('head._0.scale');
    expect(source).toContain('param _0_bias: f32[4]  // ONNX initializer "0.bias"');
    expect([...weights.keys()].sort()).toEqual(['_0_bias', 'head._0.scale', 'head.gain', 'seq.0.weight', 'seq.2.weight']);
  });

  it('constants: scalars as literals, others as parameters', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: [2, 32] });
    const big = b.op1('constant', [], { value: filled([32]) }, { name: 'big' });
    const half = b.op1('constant', [], { value: Tensor.scalar('f32', 0.5) }, { name: 'half' });
    const minus = b.op1('constant', [], { value: Tensor.scalar('f32', -2) }, { name: 'minus' });
    const index = b.op1('constant', [], { value: Tensor.scalar('i64', 3) }, { name: 'index' });
    const shifted = b.op1('add', [x, big], {}, { name: 'shifted' });
    const scaled = b.op1('mul', [shifted, half], {}, { name: 'scaled' });
    const y = b.op1('pow', [minus, scaled], {}, { name: 'raised' });
    const picked = b.op1('gather', [y, index], { axis: 1 });
    const clipped = b.op1('clip', [y], { min: 0, max: 6 });
    b.output(picked, clipped);
    const imported = graphToDs(b.graph, { modelName: 'Net' });
    const { source, weights } = imported;
    parsesCleanly(source);
    expectSameResults(b.graph, imported, [filled([2, 32])]);
    expect(source).toContain('param const_0: f32[32]');
    expect(weights.get('const_0')?.shape).toEqual([32]);
    expect(source).toContain('let shifted = x + const_0\n');
    expect(source).toContain('let scaled = shifted * 0.5\n');
    expect(source).toContain('let raised = (-2.0) ** scaled\n');
    expect(source).toContain('let index = constant(value: 3)\n');
    expect(source).toContain('relu6(raised)');
  });

  it('writes an omitted optional input that precedes a given one as the absent value', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', { dtype: 'f32', shape: [5, 2, 3] });
    const w = b.param('w', { dtype: 'f32', shape: [1, 16, 3] }, filled([1, 16, 3]));
    const r = b.param('r', { dtype: 'f32', shape: [1, 16, 4] }, filled([1, 16, 4], 2));
    const h0 = b.param('h0', { dtype: 'f32', shape: [1, 2, 4] }, filled([1, 2, 4], 3));
    const [y] = b.op('lstm', [x, w, r, null, null, h0], { hidden_size: 4 }, { outputs: 3 });
    b.output(y);
    const imported = graphToDs(b.graph, { modelName: 'Net' });
    parsesCleanly(imported.source);
    expect(imported.source).toContain('lstm(x, w, r, if false { 0 }, if false { 0 }, h0, hidden_size: 4)');
    expectSameResults(b.graph, imported, [filled([5, 2, 3])]);
  });
});

describe('spelling', () => {
  it('sanitizes names and keeps reserved words out', () => {
    expect(sanitizeName('onnx::MatMul_123')).toBe('onnx_MatMul_123');
    expect(sanitizeName('/x/y:0')).toBe('x_y_0');
    expect(sanitizeName('in')).toBe('in_');
    expect(sanitizeName('f32')).toBe('f32_');
    expect(sanitizeName('0')).toBe('_0');
  });

  it('reads module scopes from PyTorch node names', () => {
    expect(moduleScope('/features/features.1/conv/conv.0/conv.0.0/Conv')).toEqual(['features', '1', 'conv', '0', '0']);
    expect(moduleScope('/encoder/layers.0/self_attn/MatMul')).toEqual(['encoder', 'layers', '0', 'self_attn']);
    expect(moduleScope('/Relu')).toEqual([]);
  });

  it('writes dims in .ds dim syntax and floats that read back as floats', () => {
    const n = sym('N');
    expect(dimExpr(dimAdd(dimMul(n, 4), 2))).toBe('4*N + 2');
    expect(dimExpr(dimFloorDiv(dimAdd(n, 1), 2))).toBe('(N + 1) / 2');
    expect(dimExpr(dimMul(dimFloorDiv(dimAdd(n, 1), 2), 3))).toBe('3*((N + 1) / 2)');
    expect(floatLiteral(1)).toBe('1.0');
    expect(floatLiteral(Math.fround(1e-5))).toBe('0.00001');
    expect(floatLiteral(-Infinity)).toBe('-1e400');
  });
});
