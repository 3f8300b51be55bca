// The WGSL target's grid mappings beyond one invocation per grid point, and its f16 precision:
// the tiled GEMM (workgroup tiles staged through workgroup memory, matmul/gemm and conv through the
// implicit im2col) on sizes that are no multiple of the tile, the size gate between tiles and the
// serial dot product, GEMM epilogues, workgroup tree reductions on rows long enough to take them, and
// whole models at f16. Every shader is validated by Dawn's null backend; runs on lavapipe compare with
// the reference interpreter (f32 at rtol 1e-4 / atol 1e-5; f16 at rtol 1e-2 / atol 1e-2).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WgslProgram, generateWgsl, printWgslProgram } from '../../src/codegen/wgsl/generate.js';
import { lowerGraph } from '../../src/codegen/lower/index.js';
import { dimExpr } from '../../src/codegen/lower/dims.js';
import { WebGpuModel } from '../../runtime/webgpu/executor.js';
import { sym } from '../../src/ir/dim.js';
import { Graph, tensorType } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { readNpy } from '../../src/formats/npy.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { compareTensors } from '../conformance/compare.js';
import { firstBatch } from '../codegen-e2e/architectures.js';
import { randomTensor } from '../codegen/harness.js';
import { f32, graphOf } from '../codegen/op-cases.js';
import { lavapipeGpu, toTensor, validateShader } from './harness.js';

const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
const F16_TOLERANCE = { rtol: 1e-2, atol: 1e-2 };

interface Case { name: string; graph: Graph; program: WgslProgram; syms?: Record<string, number>[]; tolerance?: typeof TOLERANCE }

const matmul = (name: string, a: number[], b: number[]) => graphOf(name, (g) => { g.output(g.op1('matmul', [g.input('a', f32(...a)), g.input('b', f32(...b))], {}, { name: 'y' })); });
const conv = (name: string, x: number[], w: number[], attrs: Record<string, unknown>) =>
  graphOf(name, (g) => { g.output(g.op1('conv', [g.input('x', f32(...x)), g.input('w', f32(...w)), g.input('bias', f32(w[0]))], attrs as never, { name: 'y' })); });

/** Gemm + relu lowered with its epilogue fused into the GEMM (the WGSL pipeline does not group it so yet). */
function epilogueProgram(graph: Graph): WgslProgram {
  const program = lowerGraph(graph, { groups: [graph.nodes], epilogues: true, target: 'wgsl', elementBytes: () => 4 });
  expect(program.kernels).toHaveLength(1);
  return printWgslProgram(program, graph.inputs.map((v) => v.type.shape.map(dimExpr)));
}
const gemmRelu = (name: string, m: number, k: number, n: number) => graphOf(name, (g) => {
  const y = g.op1('gemm', [g.input('a', f32(m, k)), g.input('w', f32(n, k)), g.input('c', f32(n))], { trans_b: true, alpha: 0.5 });
  g.output(g.op1('relu', [y], {}, { name: 'y' }));
});

const CASES: Case[] = [
  ...([
    ['tiles_odd', matmul('tiles_odd', [65, 33], [33, 67])],
    ['tiles_k1', matmul('tiles_k1', [64, 1], [1, 70])],
    ['dot_m1', matmul('dot_m1', [1, 40], [40, 70])],
    ['tiles_batched', matmul('tiles_batched', [3, 70, 9], [9, 66])],
    ['tiles_transposed', graphOf('tiles_transposed', (g) => {
      g.output(g.op1('gemm', [g.input('at', f32(19, 130)), g.input('wt', f32(64, 19)), g.input('c', f32(130, 1))], { trans_a: true, trans_b: true, alpha: 0.5, beta: -2 }, { name: 'y' }));
    })],
    ['conv_tiles', conv('conv_tiles', [2, 3, 12, 11], [64, 3, 3, 3], { pads: [1, 1, 1, 1] })],
    ['conv_tiles_strided', conv('conv_tiles_strided', [1, 4, 19, 17], [130, 2, 3, 2], { group: 2, strides: [2, 1], dilations: [1, 2], pads: [2, 0, 1, 1] })],
    ['rows_softmax', graphOf('rows_softmax', (g) => { g.output(g.op1('softmax', [g.input('x', f32(2, 70001))], {}, { name: 'y' })); })],
    ['rows_norm', graphOf('rows_norm', (g) => {
      const x = g.input('x', f32(2, 66000));
      g.output(g.op1('layer_normalization', [x, g.input('s', f32(66000)), g.input('b', f32(66000))], {}, { name: 'ln' }));
      g.output(g.op1('rms_normalization', [x, g.input('rs', f32(66000))], {}, { name: 'rms' }));
    })],
    ['rows_reduce', graphOf('rows_reduce', (g) => {
      const x = g.input('x', f32(3, 260, 300));
      g.output(g.op1('reduce_sum', [x], { axes: [1, 2] }, { name: 'sum' }), g.op1('reduce_max', [x], { axes: [1, 2] }, { name: 'max' }));
      g.output(g.op1('reduce_min', [x], { axes: [1, 2] }, { name: 'min' }), g.op1('reduce_l2', [x], { axes: [1, 2] }, { name: 'l2' }));
      g.output(g.op1('global_average_pool', [g.input('img', f32(1, 2, 300, 250))], {}, { name: 'gap' }));
    })],
  ] as [string, Graph][]).map(([name, graph]) => ({ name, graph, program: generateWgsl(graph) })),
  ...([['epilogue_tiles', gemmRelu('epilogue_tiles', 70, 13, 65)], ['epilogue_dot', gemmRelu('epilogue_dot', 3, 13, 5)]] as [string, Graph][])
    .map(([name, graph]) => ({ name, graph, program: epilogueProgram(graph) })),
  (() => {
    const graph = graphOf('gate', (g) => { g.output(g.op1('matmul', [g.input('a', tensorType('f32', [sym('N'), 20])), g.input('b', f32(20, 70))], {}, { name: 'y' })); });
    return { name: 'gate', graph, program: generateWgsl(graph), syms: [{ N: 3 }, { N: 70 }] };
  })(),
  ...([
    ['f16_tiles_odd', matmul('f16_tiles', [65, 33], [33, 67])],
    ['f16_conv_tiles', conv('f16_conv', [2, 3, 12, 11], [64, 3, 3, 3], { pads: [1, 1, 1, 1] })],
    ['f16_rows_norm', graphOf('f16_rows', (g) => { g.output(g.op1('softmax', [g.input('x', f32(2, 70001))], {}, { name: 'y' })); })],
  ] as [string, Graph][]).map(([name, graph]) => ({ name, graph, program: generateWgsl(graph, { precision: 'f16' }), tolerance: F16_TOLERANCE })),
];

const shaderOf = (name: string) => CASES.find((c) => c.name === name)!.program.shaders;

describe('wgsl target: tiled GEMM and workgroup reductions', () => {
  it.each(CASES.map((c) => c.name))('%s shaders pass validation', async (name) => {
    for (const s of shaderOf(name)) expect(await validateShader(s)).toBe('');
  });

  it('maps each case as its size asks', () => {
    const tiled = (name: string) => shaderOf(name).some((s) => s.code.includes('var<workgroup>') && s.code.includes('_a_tile'));
    for (const name of ['tiles_odd', 'tiles_k1', 'tiles_batched', 'tiles_transposed', 'conv_tiles', 'conv_tiles_strided', 'epilogue_tiles', 'f16_tiles_odd']) expect(tiled(name), name).toBe(true);
    for (const name of ['dot_m1', 'epilogue_dot']) expect(tiled(name), name).toBe(false);
    for (const name of ['rows_softmax', 'rows_norm', 'rows_reduce'])
      expect(shaderOf(name).every((s) => s.code.includes('workgroupBarrier') && s.code.includes('@builtin(workgroup_id)')), name).toBe(true);
    // symbolic rows: both variants, each gated by the size of the run
    const gate = shaderOf('gate');
    expect(gate).toHaveLength(2);
    expect(gate.map((s) => s.code.includes('var<workgroup>'))).toEqual([true, false]);
    // short rows keep one invocation per row
    const short = generateWgsl(graphOf('short', (g) => { g.output(g.op1('softmax', [g.input('x', f32(4, 1000))], {}, { name: 'y' })); }));
    expect(short.shaders[0].code).not.toContain('workgroupBarrier');
  });

  it('f16 shaders enable f16 and bind array<f16> views', () => {
    const code = shaderOf('f16_tiles_odd')[0].code;
    expect(code.startsWith('enable f16;')).toBe(true);
    expect(code).toContain('var<storage, read_write> data16: array<f16>;');
    expect(CASES.find((c) => c.name === 'f16_tiles_odd')!.program.plan.precision).toBe('f16');
  });

  const gpu = lavapipeGpu();
  it.skipIf(!gpu).each(CASES.map((c) => [c.name, c] as const))('%s on lavapipe vs the interpreter', async (_name, c) => {
    const model = await WebGpuModel.load(gpu!, c.program.plan, new Map());
    try {
      for (const syms of c.syms ?? [{}]) {
        const inputs = new Map(c.graph.inputs.map((v, i) => {
          const shape = v.type.shape.map((d) => (typeof d === 'number' ? d : syms[String(d)]));
          return [v.name, randomTensor(v.type.dtype, shape, 300 + i * 11)];
        }));
        const want = runGraph(c.graph, inputs);
        const got = await model.run(inputs);
        for (const out of c.graph.outputs) {
          const cmp = compareTensors(toTensor(got.get(out.name)!), want.get(out.name)!, () => c.tolerance ?? TOLERANCE);
          expect(cmp.ok, `${c.name}/${out.name} ${JSON.stringify(syms)}: ${cmp.reason}`).toBe(true);
        }
      }
    } finally {
      model.destroy();
    }
  }, 300_000);
});

const FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

describe('wgsl target: whole models at precision f16', () => {
  const gpu = lavapipeGpu();
  it.skipIf(!gpu).each(['mlp', 'lenet5'])('%s at batch 1 and 2 within rtol 1e-2 / atol 1e-2', async (name) => {
    const graph = importOnnxFile(`${FIXTURES}${name}.onnx`);
    const program = generateWgsl(graph, { precision: 'f16' });
    for (const s of program.shaders) expect(await validateShader(s)).toBe('');
    const model = await WebGpuModel.load(gpu!, program.plan, new Map(graph.params.map((p) => [p.name, graph.weights.get(p.name)!])));
    try {
      const all = readNpy(readFileSync(`${FIXTURES}${name}.input.npy`), name);
      for (const batch of [1, 2]) {
        const input = firstBatch(all, batch);
        const want = runGraph(graph, { [graph.inputs[0].name]: input }).get(graph.outputs[0].name)!;
        const got = toTensor((await model.run({ [graph.inputs[0].name]: input })).get(graph.outputs[0].name)!);
        expect(got.dtype).toBe('f32');
        const cmp = compareTensors(got, want, () => F16_TOLERANCE);
        expect(cmp.ok, `${name} batch ${batch}: ${cmp.reason}`).toBe(true);
      }
    } finally {
      model.destroy();
    }
  }, 300_000);
});
