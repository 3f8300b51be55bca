// Fusion groups from the `fuse` pass become kernels: elementwise chains one loop nest, a conv /
// matmul / gemm with its elementwise tail one GEMM kernel with an epilogue, and a group the lowering
// cannot emit whole (conv + relu + max_pool) is split into correct kernels. Every graph runs through
// the fuse pass, is compiled into one executable, and must match the interpreter.
import { describe, expect, it } from 'vitest';
import { generateCpu } from '../../src/codegen/cpu/generate.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { sym } from '../../src/ir/dim.js';
import { Graph, Node, tensorType } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { runPasses } from '../../src/passes/registry.js';
import { compareTensors } from '../conformance/compare.js';
import { buildExecutable, randomTensor, runJobs } from './harness.js';

const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
const N = sym('N');
let seed = 1;
const param = (b: GraphBuilder, name: string, shape: number[]) => b.param(name, tensorType('f32', shape), randomTensor('f32', shape, seed++));

function resnetBlock(): Graph {
  const b = new GraphBuilder('resnet_block');
  const x = b.input('x', tensorType('f32', [N, 8, 6, 6]));
  const c1 = b.op1('conv', [x, param(b, 'w1', [8, 8, 3, 3]), param(b, 'b1', [8])], { pads: [1, 1, 1, 1] });
  const c2 = b.op1('conv', [b.op1('relu', [c1]), param(b, 'w2', [8, 8, 3, 3]), param(b, 'b2', [8])], { pads: [1, 1, 1, 1] });
  b.output(b.op1('relu', [b.op1('add', [c2, x])], {}, { name: 'y' }));
  return b.graph;
}

function gemmGelu(): Graph {
  const b = new GraphBuilder('gemm_gelu');
  const x = b.input('x', tensorType('f32', [N, 40]));
  const h = b.op1('gemm', [x, param(b, 'w', [24, 40]), param(b, 'c', [24])], { trans_b: true, alpha: 0.5 });
  b.output(b.op1('gelu', [h], {}, { name: 'y' }));
  return b.graph;
}

/** matmul + bias + silu, scaled by a constant and with a broadcast residual: one kernel */
function matmulChain(): Graph {
  const b = new GraphBuilder('matmul_chain');
  const x = b.input('x', tensorType('f32', [N, 5, 12]));
  const r = b.input('r', tensorType('f32', [5, 20]));
  const h = b.op1('add', [b.op1('matmul', [x, param(b, 'w', [12, 20])]), param(b, 'bias', [20])]);
  const s = b.op1('mul', [b.op1('silu', [h]), b.op1('constant', [], { value: randomTensor('f32', [], 7) })]);
  b.output(b.op1('add', [s, r], {}, { name: 'y' }));
  return b.graph;
}

/** batched matmul (a loop of GEMMs) with a sigmoid and clip tail */
function batchedMatmul(): Graph {
  const b = new GraphBuilder('batched_matmul');
  const a = b.input('a', tensorType('f32', [N, 3, 7, 9]));
  const w = b.input('w', tensorType('f32', [3, 9, 11]));
  b.output(b.op1('clip', [b.op1('sigmoid', [b.op1('matmul', [a, w])])], { min: 0.2, max: 0.7 }, { name: 'y' }));
  return b.graph;
}

/** elementwise chain with broadcasting */
function chain(): Graph {
  const b = new GraphBuilder('ew_chain');
  const x = b.input('x', tensorType('f32', [N, 4, 10]));
  const s = b.input('s', tensorType('f32', [4, 1]));
  b.output(b.op1('tanh', [b.op1('mul', [b.op1('exp', [x]), s])], {}, { name: 'y' }));
  return b.graph;
}

/** conv + relu + max_pool (one fuse group), then a depthwise conv with a clip tail */
function convPool(): Graph {
  const b = new GraphBuilder('conv_pool');
  const x = b.input('x', tensorType('f32', [N, 3, 10, 10]));
  const c = b.op1('relu', [b.op1('conv', [x, param(b, 'w', [6, 3, 3, 3]), param(b, 'b', [6])])]);
  const p = b.op1('max_pool', [c], { kernel_shape: [2, 2], strides: [2, 2] });
  const d = b.op1('conv', [p, param(b, 'dw', [6, 1, 3, 3])], { group: 6, pads: [1, 1, 1, 1] });
  b.output(b.op1('clip', [d], { min: 0, max: 6 }, { name: 'y' }));
  return b.graph;
}

/** MobileNet's 1x1 expand + relu6 + depthwise conv + relu6 (one group), then a pool whose tail reads a per-image tensor */
function expandDepthwise(): Graph {
  const b = new GraphBuilder('expand_depthwise');
  const x = b.input('x', tensorType('f32', [N, 4, 7, 7]));
  const e = b.op1('clip', [b.op1('conv', [x, param(b, 'we', [12, 4, 1, 1]), param(b, 'be', [12])])], { min: 0, max: 6 });
  const d = b.op1('clip', [b.op1('conv', [e, param(b, 'wd', [12, 1, 3, 3]), param(b, 'bd', [12])], { group: 12, strides: [2, 2], pads: [1, 1, 1, 1] })], { min: 0, max: 6 });
  const c = b.op1('conv', [d, param(b, 'wp', [5, 12, 1, 1])]);
  const p = b.op1('average_pool', [c], { kernel_shape: [2, 2], pads: [0, 0, 1, 1] });
  const r = b.input('r', tensorType('f32', [N, 5, 4, 4]));
  b.output(b.op1('add', [p, r], {}, { name: 'y' }));
  return b.graph;
}

/** names of the cases whose conv + window group is split because a tail reads a per-image tensor */
const SPLIT = new Set(['expand_depthwise']);

const CASES = [resnetBlock, gemmGelu, matmulChain, batchedMatmul, chain, convPool, expandDepthwise].map((make) => {
  const g = runPasses(make(), ['fuse']);
  return { g, source: generateCpu(g).files.get('model.cc')! };
});

const kernelCount = (source: string) => (source.match(/^static int k\d+_/gm) ?? []).length;
/** groups that launch a kernel (constants launch none) */
const launchingGroups = (g: Graph) => new Set(g.nodes.filter((n) => n.op !== 'constant').map((n) => n.group)).size;

/** groups handed in that no kernel can compute whole: split, never an error */
function awkward(): { g: Graph; groups: Node[][] } {
  const b = new GraphBuilder('awkward');
  const x = b.input('x', tensorType('f32', [N, 6]));
  const r = b.op1('relu', [x]);
  const m = b.op1('matmul', [r, param(b, 'w', [6, 6])]);
  const s = b.op1('add', [m, r]);
  const sm = b.op1('softmax', [s], { axis: -1 });
  const t = b.op1('tanh', [sm], {}, { name: 't' });
  const sum = b.op1('reduce_sum', [t], { axes: [1], keepdims: true });
  b.output(b.op1('mul', [t, sum], {}, { name: 'y' }), t);
  const g = b.graph;
  // relu feeds the matmul; softmax is no anchor; t is read outside and inside; shapes differ
  return { g, groups: [g.nodes.slice(0, 3), g.nodes.slice(3, 5), g.nodes.slice(5)] };
}

describe('fused groups', () => {
  it('split when the lowering cannot emit them whole, and stay correct', async () => {
    const { g, groups } = awkward();
    const source = generateCpu(g, { groups }).files.get('model.cc')!;
    expect(kernelCount(source)).toBeGreaterThan(groups.length);
    const exe = await buildExecutable([{ id: g.name, source }]);
    const x = randomTensor('f32', [3, 6], 5);
    const want = runGraph(g, { x });
    const [r] = runJobs(exe, [{
      model: g.name, syms: [3], params: g.params.map((p) => g.weights.get(p.name)!), inputs: [x],
      outputs: g.outputs.map((v) => ({ dtype: 'f32' as const, shape: [...want.get(v.name)!.shape] })),
    }]);
    g.outputs.forEach((v, i) => {
      const cmp = compareTensors(r.outputs[i], want.get(v.name)!, () => TOLERANCE);
      expect(cmp.ok, `${v.name}: ${cmp.reason}`).toBe(true);
    });
  }, 120_000);

  it('give one kernel per group, with GEMM epilogues', () => {
    for (const { g, source } of CASES) {
      expect(g.nodes.every((n) => n.group !== undefined), g.name).toBe(true);
      // a conv + pool group whose tail reads a per-image tensor lowers as two kernels
      expect(kernelCount(source), g.name).toBe(launchingGroups(g) + (SPLIT.has(g.name) ? 1 : 0));
    }
    const by = new Map(CASES.map((c) => [c.g.name, c]));
    expect(kernelCount(by.get('resnet_block')!.source)).toBe(2);
    expect(kernelCount(by.get('gemm_gelu')!.source)).toBe(1);
    expect(kernelCount(by.get('matmul_chain')!.source)).toBe(1);
    expect(kernelCount(by.get('batched_matmul')!.source)).toBe(1);
    expect(kernelCount(by.get('ew_chain')!.source)).toBe(1);
    for (const name of ['resnet_block', 'gemm_gelu', 'matmul_chain', 'batched_matmul', 'conv_pool'])
      expect(by.get(name)!.source, name).toContain('const auto epilogue = [&]');
    expect(by.get('resnet_block')!.source).toMatch(/static int k\d+_conv_add_relu\(/);
    expect(by.get('conv_pool')!.source).toMatch(/static int k\d+_conv_relu_max_pool\(/);
    expect(by.get('expand_depthwise')!.source).toMatch(/static int k\d+_conv_clip_conv_clip\(/);
    expect(by.get('expand_depthwise')!.source).toMatch(/static int k\d+_conv\(/);
    expect(by.get('expand_depthwise')!.source).toMatch(/static int k\d+_average_pool_add\(/);
  });

  it('match the interpreter', async () => {
    const exe = await buildExecutable(CASES.map(({ g, source }) => ({ id: g.name, source })));
    for (const { g } of CASES)
      for (const n of [1, 3]) {
        const inputs = Object.fromEntries(g.inputs.map((v, i) => {
          const shape = v.type.shape.map((d) => (typeof d === 'number' ? d : n));
          return [v.name, randomTensor('f32', shape, 100 * n + i)];
        }));
        const want = runGraph(g, inputs).get('y')!;
        const [r] = runJobs(exe, [{
          model: g.name, syms: [n], params: g.params.map((p) => g.weights.get(p.name)!), inputs: g.inputs.map((v) => inputs[v.name]),
          outputs: [{ dtype: 'f32', shape: [...want.shape] }],
        }]);
        expect(r.rc, g.name).toBe(0);
        const cmp = compareTensors(r.outputs[0], want, () => TOLERANCE);
        expect(cmp.ok, `${g.name} at N=${n}: ${cmp.reason}`).toBe(true);
      }
  }, 300_000);
});
