// Lowering .ds to IR: graphs checked by running them on hand-computed values, parameter paths equal
// to PyTorch's state_dict keys, symbolic dims through calls, search points, annotations, weights.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diag/diagnostic.js';
import { checkWeights, compileDs, initWeights, paramList } from '../../../src/frontend/ds/compile.js';
import type { Graph } from '../../../src/ir/graph.js';
import { typeToString } from '../../../src/ir/graph.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor } from '../../../src/ir/tensor.js';

function compile(src: string, choose?: Record<string, number>): Graph {
  const { graph, diagnostics, sources } = compileDs(src, '/virtual/net.ds', { choose: choose ? new Map(Object.entries(choose)) : undefined });
  expect(diagnostics.map((d) => formatDiagnostic(d, sources)).join('\n')).toBe('');
  return graph!;
}

const f32 = (shape: number[], values: number[]) => Tensor.fromNumbers('f32', shape, values);
const run = (g: Graph, inputs: Record<string, Tensor>, weights: Record<string, Tensor> = {}) =>
  [...runGraph(g, inputs, { weights: new Map(Object.entries(weights)) }).values()].map((t) => Array.from(t.numbers()));

describe('lowering to a graph that runs', () => {
  it('Linear: x @ W^T + b, named input and output', () => {
    const g = compile(`import { Linear } from "std/nn"
model M {
  fc = Linear(2, 3)
  forward(x: f32[N, 2]) -> f32[N, 3] { return relu(fc(x)) }
}`);
    expect(g.inputs.map((v) => `${v.name}: ${typeToString(v.type)}`)).toEqual(['x: f32[N, 2]']);
    expect(g.outputs.map((v) => `${v.name}: ${typeToString(v.type)}`)).toEqual(['output: f32[N, 3]']);
    const out = run(g, { x: f32([1, 2], [1, 2]) }, { 'fc.weight': f32([3, 2], [1, 0, 0, 1, -1, -1]), 'fc.bias': f32([3], [0.5, 0, 0]) });
    expect(out).toEqual([[1.5, 2, 0]]);
  });

  it('operators, scalars, compile-time folding and unrolled loops', () => {
    const g = compile(`block Scale(k: int, times: int = 2) {
  factor = k * 2 - 1
  forward(x: f32[N]) -> f32[N] {
    for i in 0..times { x = x * factor }
    return -x + 1 ** 2 / 2.0
  }
}
model M {
  s = Scale(2)
  forward(x: f32[N]) -> f32[N] { return s(x) }
}`);
    expect(run(g, { x: f32([2], [1, -2]) })).toEqual([[-8.5, 18.5]]);
  });

  it('indexing, slicing and reductions', () => {
    const g = compile(`model M {
  forward(x: f32[2, 3]) -> (f32[3], f32[2, 2], f32[2]) {
    return (x[1], x[:, ::2], x.sum(axis: -1))
  }
}`);
    expect(g.outputs.map((v) => v.name)).toEqual(['output0', 'output1', 'output2']);
    expect(run(g, { x: f32([2, 3], [1, 2, 3, 4, 5, 6]) })).toEqual([[4, 5, 6], [1, 3, 4, 6], [6, 15]]);
  });

  it('named results name the graph outputs; unnamed ones keep the defaults', () => {
    const single = compile(`model M {
  param w: f32[2, 2]
  forward(x: f32[N, 2]) -> logits: f32[N, 2] { return x @ w }
}`);
    expect(single.outputs.map((v) => v.name)).toEqual(['logits']);
    const tuple = compile(`model M {
  forward(x: f32[N, 2]) -> (logits: f32[N, 2], f32[N], probs: f32[N, 2],) {
    return (x, x.sum(axis: -1), softmax(x, axis: -1))
  }
}`);
    expect(tuple.outputs.map((v) => v.name)).toEqual(['logits', 'output1', 'probs']);
    expect(run(tuple, { x: f32([1, 2], [1, 1]) })).toEqual([[1, 1], [2], [0.5, 0.5]]);
    // a name an inner op result already had (products are named mul) goes to the named result
    const taken = compile(`model M {
  forward(x: f32[N]) -> (f32[N], mul: f32[N]) {
    let doubled = x * 2
    return (doubled + 1, x * 3)
  }
}`);
    expect(taken.outputs.map((v) => v.name)).toEqual(['output0', 'mul']);
    expect(taken.nodes.filter((n) => n.outputs[0].name === 'mul')).toHaveLength(1);
    expect(run(taken, { x: f32([1], [1]) })).toEqual([[3], [3]]);
  });

  it('a block method may name its results without naming graph outputs', () => {
    const g = compile(`block Twice() {
  forward(x: f32[N]) -> (y: f32[N], z: f32[N]) { return (x * 2, x) }
}
model M {
  t = Twice()
  forward(x: f32[N]) -> f32[N] {
    let (a, b) = t(x)
    return a + b
  }
}`);
    expect(g.outputs.map((v) => v.name)).toEqual(['output']);
  });

  it('a conditional member is absent when false, and tested with ?', () => {
    const src = (flag: string) => `import { Linear } from "std/nn"
block B(gated: bool) {
  gate = if gated { Linear(1, 1, bias: false) }
  forward(x: f32[N, 1]) -> f32[N, 1] { return gate ? gate(x) : x + 1 }
}
model M {
  b = B(${flag})
  forward(x: f32[N, 1]) -> f32[N, 1] { return b(x) }
}`;
    const on = compile(src('true'));
    expect(on.params.map((p) => p.name)).toEqual(['b.gate.weight']);
    expect(run(on, { x: f32([1, 1], [3]) }, { 'b.gate.weight': f32([1, 1], [2]) })).toEqual([[6]]);
    const off = compile(src('false'));
    expect(off.params).toEqual([]);
    expect(run(off, { x: f32([1, 1], [3]) })).toEqual([[4]]);
  });

  it('Sequential numbers its blocks and chains them', () => {
    const g = compile(`import { Linear, ReLU, Sequential } from "std/nn"
model M {
  net = Sequential(Linear(1, 1, bias: false), ReLU(), Linear(1, 1))
  forward(x: f32[N, 1]) -> f32[N, 1] { return net(x) }
}`);
    expect(g.params.map((p) => p.name)).toEqual(['net.0.weight', 'net.2.weight', 'net.2.bias']);
    const w = { 'net.0.weight': f32([1, 1], [-1]), 'net.2.weight': f32([1, 1], [3]), 'net.2.bias': f32([1], [1]) };
    expect(run(g, { x: f32([2, 1], [2, -2]) }, w)).toEqual([[1, 7]]);
  });

  it('symbolic dims: N flows through calls, reshape takes symbolic dims', () => {
    const g = compile(`block Halves(d: int) {
  forward(x: f32[B, S, d]) -> f32[B, S * 2, d / 2] { return reshape(x, shape: [B, S * 2, d / 2]) }
}
model M {
  h = Halves(4)
  forward(x: f32[N, T, 4]) -> f32[N, T * 2, 2] { return h(x) }
}`);
    expect(typeToString(g.outputs[0].type)).toBe('f32[N, 2*T, 2]');
    expect(run(g, { x: f32([1, 1, 4], [1, 2, 3, 4]) })).toEqual([[1, 2, 3, 4]]);
  });

  it('MultiheadAttention with PyTorch names runs to the expected average', () => {
    const g = compile(`import { MultiheadAttention } from "std/nn"
model M {
  attn = MultiheadAttention(2, 1)
  forward(x: f32[N, L, 2]) -> f32[N, L, 2] { return attn(x, x, x) }
}`);
    expect(g.params.map((p) => `${p.name}: ${typeToString(p.type)}`)).toEqual([
      'attn.in_proj_weight: f32[6, 2]', 'attn.in_proj_bias: f32[6]', 'attn.out_proj.weight: f32[2, 2]', 'attn.out_proj.bias: f32[2]',
    ]);
    // zero q/k projections give uniform attention: every position gets the mean of v = x
    const w = {
      'attn.in_proj_weight': f32([6, 2], [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1]),
      'attn.in_proj_bias': f32([6], [0, 0, 0, 0, 0, 0]),
      'attn.out_proj.weight': f32([2, 2], [1, 0, 0, 1]),
      'attn.out_proj.bias': f32([2], [0, 0]),
    };
    expect(run(g, { x: f32([1, 2, 2], [1, 2, 3, 4]) }, w)).toEqual([[2, 3, 2, 3]]);
  });
});

describe('parameter paths are PyTorch state_dict keys', () => {
  it('a ResNet-style stage', () => {
    const g = compile(`import { BatchNorm2d, Conv2d, Sequential } from "std/nn"
block BasicBlock(cin: int, cout: int, stride: int = 1) {
  conv1 = Conv2d(cin, cout, 3, stride: stride, padding: 1, bias: false)
  bn1 = BatchNorm2d(cout)
  conv2 = Conv2d(cout, cout, 3, padding: 1, bias: false)
  bn2 = BatchNorm2d(cout)
  downsample = if stride != 1 || cin != cout {
    Sequential(Conv2d(cin, cout, 1, stride: stride, bias: false), BatchNorm2d(cout))
  }
  forward(x: f32[N, cin, H, W]) -> f32[N, cout, (H - 1) / stride + 1, (W - 1) / stride + 1] {
    let y = relu(bn1(conv1(x)))
    y = bn2(conv2(y))
    return relu(y + (downsample ? downsample(x) : x))
  }
}
model Stage {
  layer2 = [BasicBlock(4, 8, stride: 2), BasicBlock(8, 8)]
  forward(x: f32[N, 4, H, W]) -> f32[N, 8, _, _] {
    for blk in layer2 { x = blk(x) }
    return x
  }
}`);
    const bn = (p: string) => [`${p}.weight`, `${p}.bias`, `${p}.running_mean`, `${p}.running_var`, `${p}.num_batches_tracked`];
    expect(g.params.map((p) => p.name)).toEqual([
      'layer2.0.conv1.weight', ...bn('layer2.0.bn1'), 'layer2.0.conv2.weight', ...bn('layer2.0.bn2'),
      'layer2.0.downsample.0.weight', ...bn('layer2.0.downsample.1'),
      'layer2.1.conv1.weight', ...bn('layer2.1.bn1'), 'layer2.1.conv2.weight', ...bn('layer2.1.bn2'),
    ]);
    expect(typeToString(g.outputs[0].type)).toBe('f32[N, 8, floor(H - 1, 2) + 1, floor(W - 1, 2) + 1]');
    expect(paramList(g).slice(0, 2)).toEqual([
      { path: 'layer2.0.conv1.weight', dtype: 'f32', shape: [8, 4, 3, 3] },
      { path: 'layer2.0.bn1.weight', dtype: 'f32', shape: [8] },
    ]);
  });

  it('for-expression members and raw params', () => {
    const g = compile(`import { Linear } from "std/nn"
model M {
  param scale: f32[4]
  layers = for i in 0..3 { Linear(4, 4, bias: i == 0) }
  forward(x: f32[N, 4]) -> f32[N, 4] {
    for l in layers { x = l(x) }
    return x * scale
  }
}`);
    expect(g.params.map((p) => p.name)).toEqual(['scale', 'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.2.weight']);
  });
});

describe('search points and annotations', () => {
  const src = `import { Conv2d } from "std/nn"
block MBConv(c: int) {
  k = choose(3, 5, 7)
  @sparsity(0.5) dw = Conv2d(c, c, k, padding: k / 2, groups: c)
  forward(x: f32[N, c, H, W]) -> f32[N, c, H, W] {
    @precision(f16)
    let y = relu6(dw(x))
    return y
  }
}
@quantize(int8, per_channel: true)
model M {
  blocks = [MBConv(4), MBConv(4)]
  forward(x: f32[N, 4, 8, 8]) -> f32[N, 4, 8, 8] { return blocks[1](blocks[0](x)) }
}`;

  it('the first option by default, a chosen one by path', () => {
    expect(compile(src).params.map((p) => `${p.name}: ${typeToString(p.type)}`).filter((p) => p.includes('weight'))).toEqual([
      'blocks.0.dw.weight: f32[4, 1, 3, 3]', 'blocks.1.dw.weight: f32[4, 1, 3, 3]',
    ]);
    const g = compile(src, { 'blocks.1.k': 7 });
    expect(g.params.find((p) => p.name === 'blocks.1.dw.weight')!.type.shape).toEqual([4, 1, 7, 7]);
    expect(g.annotations.filter((a) => a.name === 'choose')).toEqual([
      { path: 'blocks.0.k', name: 'choose', args: [3, 5, 7], named: { chosen: 3 } },
      { path: 'blocks.1.k', name: 'choose', args: [3, 5, 7], named: { chosen: 7 } },
    ]);
  });

  it('annotations are recorded by path', () => {
    const g = compile(src);
    const rows = g.annotations.filter((a) => a.name !== 'choose').map((a) => `${a.path} @${a.name}(${JSON.stringify(a.args)}, ${JSON.stringify(a.named)})${a.values ? ` on ${a.values.length} values` : ''}`);
    expect(rows).toEqual([
      ' @quantize(["int8"], {"per_channel":true})',
      'blocks.0.dw @sparsity([0.5], {})',
      'blocks.1.dw @sparsity([0.5], {})',
      'blocks.0.y @precision(["f16"], {}) on 2 values',
      'blocks.1.y @precision(["f16"], {}) on 2 values',
    ]);
  });
});

describe('weights', () => {
  const g = () => compile(`import { Linear, BatchNorm1d } from "std/nn"
model M {
  fc = Linear(3, 2)
  bn = BatchNorm1d(2)
  forward(x: f32[N, 3]) -> f32[N, 2] { return bn(fc(x)) }
}`);

  it('initWeights: deterministic, PyTorch-like defaults, accepted by checkWeights', () => {
    const a = initWeights(g(), 7), b = initWeights(g(), 7);
    expect([...a.keys()]).toEqual(['fc.weight', 'fc.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
    expect(Array.from(a.get('fc.weight')!.numbers())).toEqual(Array.from(b.get('fc.weight')!.numbers()));
    expect(Array.from(a.get('fc.weight')!.numbers()).every((v) => Math.abs(v) <= 1 / Math.sqrt(3) && v !== 0)).toBe(true);
    expect(Array.from(a.get('bn.weight')!.numbers())).toEqual([1, 1]);
    expect(Array.from(a.get('bn.running_mean')!.numbers())).toEqual([0, 0]);
    expect(Array.from(a.get('bn.running_var')!.numbers())).toEqual([1, 1]);
    expect(checkWeights(g(), a, 'w.safetensors')).toEqual([]);
    expect(Array.from(initWeights(g(), 8).get('fc.weight')!.numbers())).not.toEqual(Array.from(a.get('fc.weight')!.numbers()));
  });

  it('checkWeights names missing, extra and mistyped weights by path', () => {
    const w = initWeights(g(), 1);
    w.delete('bn.running_var');
    w.set('fc.weight', Tensor.zeros('f32', [3, 2]));
    w.set('bn.bias', Tensor.zeros('f16', [2]));
    w.set('head.weight', Tensor.zeros('f32', [1]));
    expect(checkWeights(g(), w, 'w.safetensors').map((d) => formatDiagnostic(d))).toEqual([
      "w.safetensors: error DSC4006: weight 'fc.weight' is f32[3, 2] in w.safetensors, but the model declares f32[2, 3]",
      "w.safetensors: error DSC4006: weight 'bn.bias' is f16[2] in w.safetensors, but the model declares f32[2]",
      "w.safetensors: error DSC4005: weight 'bn.running_var' (f32[2]) is missing from w.safetensors",
      "w.safetensors: error DSC4007: w.safetensors has weight 'head.weight', which is not a parameter of M",
    ]);
  });
});
