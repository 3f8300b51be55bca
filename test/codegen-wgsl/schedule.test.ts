// GPU mapping as schedule data: the shared map-grid pass (src/codegen/gpu/) splits a kernel into
// dispatches whose loops its Schedule.dispatch binds to the grid and to a workgroup's invocations,
// and a kernel's Schedule.gpu (a tuner's choice of GEMM tile or workgroup size) changes the WGSL
// printed for it; the rescheduled shaders validate and still match the interpreter on lavapipe.
import { describe, expect, it } from 'vitest';
import { WebGpuModel } from '../../runtime/webgpu/executor.js';
import { mapGrid, mapProgramGrid } from '../../src/codegen/gpu/map-grid.js';
import { verifyProgram } from '../../src/codegen/kir/verify.js';
import { Kernel, KernelProgram, Schedule, Stmt, walkStmts } from '../../src/codegen/kernel-ir.js';
import { dimExpr } from '../../src/codegen/lower/dims.js';
import { lowerGraph } from '../../src/codegen/lower/index.js';
import { WGSL_MAPPING, WgslProgram, printWgslProgram } from '../../src/codegen/wgsl/generate.js';
import { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { compareTensors } from '../conformance/compare.js';
import { randomTensor } from '../codegen/harness.js';
import { f32, graphOf } from '../codegen/op-cases.js';
import { lavapipeGpu, toTensor, validateShader } from './harness.js';

const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };

const matmul = graphOf('matmul', (g) => { g.output(g.op1('matmul', [g.input('a', f32(70, 33)), g.input('b', f32(33, 67))], {}, { name: 'y' })); });
const conv = graphOf('conv', (g) => {
  g.output(g.op1('conv', [g.input('x', f32(2, 3, 12, 11)), g.input('w', f32(64, 3, 3, 3)), g.input('bias', f32(64))], { pads: [1, 1, 1, 1] } as never, { name: 'y' }));
});
const softmax = graphOf('softmax', (g) => { g.output(g.op1('softmax', [g.input('x', f32(2, 70001))], {}, { name: 'y' })); });

const lower = (graph: Graph): KernelProgram => lowerGraph(graph, { target: 'wgsl', elementBytes: () => 4 });

/** The program with `gpu` in the schedule of its one kernel, printed as WGSL. */
function scheduled(graph: Graph, gpu?: Schedule['gpu']): WgslProgram {
  const program = lower(graph);
  expect(program.kernels).toHaveLength(1);
  if (gpu) program.kernels[0] = { ...program.kernels[0], schedule: { ...program.kernels[0].schedule, gpu } };
  return printWgslProgram(program, graph.inputs.map((v) => v.type.shape.map(dimExpr)));
}

const bindings = (k: Kernel) => [...walkStmts(k.body)].flatMap((s: Stmt) => (s.k === 'for' && s.binding !== 'serial' ? [`${s.var}:${s.binding}`] : []));

describe('map-grid: the shared GPU mapping pass', () => {
  it('binds the grid loops and the thread loop of a tiled GEMM, as its schedule says', () => {
    const [dispatch] = mapGrid(lower(matmul).kernels[0], new Set(), WGSL_MAPPING, 'wgsl');
    expect(dispatch.schedule.dispatch).toEqual({ grid: ['gemm0_tile_row', 'gemm0_tile_col'], thread: 'local_id', workgroupSize: 256 });
    expect(bindings(dispatch)).toEqual(['gemm0_tile_row:grid', 'gemm0_tile_col:grid', 'local_id:thread']);
  });

  it('gives dispatches the kernel IR verifier accepts, each call repeated for its dispatches', () => {
    const doubleBuffered = { ...WGSL_MAPPING, gemm: { ...WGSL_MAPPING.gemm, doubleBuffer: true } };
    for (const [graph, mapping] of [[matmul, WGSL_MAPPING], [matmul, doubleBuffered], [conv, doubleBuffered], [softmax, WGSL_MAPPING]] as const) {
      const mapped = mapProgramGrid(lower(graph), mapping, 'wgsl');
      expect(() => verifyProgram(mapped)).not.toThrow();
      expect(mapped.calls.map((c) => c.kernel)).toEqual(mapped.kernels.map((k) => k.name));
    }
  });

  it('takes the GEMM tile from the kernel schedule, within the target limits', () => {
    const kernel = lower(matmul).kernels[0];
    const tile = { tm: 32, tn: 32, tk: 8, rm: 2, rn: 4 };
    const [dispatch] = mapGrid({ ...kernel, schedule: { ...kernel.schedule, gpu: { gemmTile: tile } } }, new Set(), WGSL_MAPPING, 'wgsl');
    expect(dispatch.schedule.dispatch!.workgroupSize).toBe(128);
    const tooBig = { ...kernel, schedule: { ...kernel.schedule, gpu: { gemmTile: { tm: 128, tn: 128, tk: 32, rm: 8, rn: 8 } } } };
    expect(() => mapGrid(tooBig, new Set(), WGSL_MAPPING, 'wgsl')).toThrow(/32768 bytes of workgroup memory \(at most 16384\)/);
    const notPow2 = { ...lower(softmax).kernels[0] };
    notPow2.schedule = { ...notPow2.schedule, gpu: { workgroupSize: 96 } };
    expect(() => mapGrid(notPow2, new Set(), WGSL_MAPPING, 'wgsl')).toThrow(/96 invocations, not a power of two/);
  });
});

describe('wgsl target: a changed schedule changes the shaders, not the results', () => {
  const CASES = [
    { name: 'gemm tile 32x32x8, 2x4 blocks', graph: matmul, gpu: { gemmTile: { tm: 32, tn: 32, tk: 8, rm: 2, rn: 4 } }, expects: ['@workgroup_size(128)', 'var<workgroup> gemm0_a_tile: array<f32, 256>;'], barriers: 2 },
    // two pairs of tiles, one barrier per slice
    { name: 'double-buffered gemm tile', graph: matmul, gpu: { gemmTile: { ...WGSL_MAPPING.gemm, doubleBuffer: true } }, expects: ['var<workgroup> gemm0_a_tile: array<f32, 2048>;'], barriers: 1 },
    { name: 'double-buffered conv tile (implicit im2col)', graph: conv, gpu: { gemmTile: { tm: 64, tn: 32, tk: 8, rm: 4, rn: 2, doubleBuffer: true } }, expects: ['var<workgroup> gemm0_b_tile: array<f32, 512>;'], barriers: 1 },
    { name: 'row reduction over 128 invocations', graph: softmax, gpu: { workgroupSize: 128 }, expects: ['@workgroup_size(128)', 'array<f32, 128>;'] },
  ];

  it.each(CASES)('$name: the WGSL differs from the default schedule and validates', async (c) => {
    const base = scheduled(c.graph), tuned = scheduled(c.graph, c.gpu);
    const code = tuned.shaders.map((s) => s.code).join('\n');
    expect(code).not.toEqual(base.shaders.map((s) => s.code).join('\n'));
    for (const text of c.expects) expect(code).toContain(text);
    if (c.barriers) expect(code.match(/workgroupBarrier\(\)/g)).toHaveLength(c.barriers);
    for (const s of tuned.shaders) expect(await validateShader(s)).toBe('');
  });

  const gpu = lavapipeGpu();
  it.skipIf(!gpu).each(CASES)('$name: matches the interpreter on lavapipe', async (c) => {
    const model = await WebGpuModel.load(gpu!, scheduled(c.graph, c.gpu).plan, new Map());
    try {
      const inputs = new Map(c.graph.inputs.map((v, i) => [v.name, randomTensor('f32', v.type.shape as number[], 500 + i)]));
      const want = runGraph(c.graph, inputs).get('y')!;
      const got = toTensor((await model.run(inputs)).get('y')!);
      const cmp = compareTensors(got, want, () => TOLERANCE);
      expect(cmp.ok, cmp.reason).toBe(true);
    } finally {
      model.destroy();
    }
  }, 300_000);
});
