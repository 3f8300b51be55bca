// The lowering's contracts: DSC6002 names every node the target cannot lower, a fused elementwise
// group is one loop nest, the arena plan shares bytes only between disjoint lifetimes (for every
// batch size), and the generated code also builds serially and runs clean under ASan/UBSan.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateCpu } from '../../src/codegen/cpu/generate.js';
import { lowerGraph } from '../../src/codegen/lower/index.js';
import { DiagnosticError } from '../../src/diag/diagnostic.js';
import { readNpy } from '../../src/formats/npy.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { dimAdd, evalDim, parseDim, sym } from '../../src/ir/dim.js';
import { Value, tensorType } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { alignedBytes, placeSymbolic, planMemory, provablyGeq } from '../../src/analysis/plan-memory.js';
import { compareTensors } from '../conformance/compare.js';
import { FIXTURE_MODELS, ensureFixtures, loadCompiled } from '../analysis/memory-fixtures.js';
import { buildExecutable, randomTensor, runJobs } from './harness.js';
import { evalExpr } from './kernel-eval.js';

const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
const FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

describe('unsupported nodes', () => {
  it('reports every node the cpu target cannot lower in one DSC6002', () => {
    const b = new GraphBuilder('mixed');
    const x = b.input('x', tensorType('f64', [1, 2, 5, 5]));
    const y = b.op1('conv', [x, b.input('w', tensorType('f64', [3, 2, 3, 3]))], {}, { loc: 'conv_f64' });
    const p = b.op1('lp_pool', [b.op1('cast', [y], { to: 'f32' })], { kernel_shape: [2, 2] }, { loc: 'pool' });
    const m = b.op1('matmul', [b.input('a', tensorType('i32', [2, 3])), b.input('c', tensorType('i32', [3, 2]))], {}, { loc: 'int_matmul' });
    b.output(p, m);
    let error: unknown;
    try { generateCpu(b.graph); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(DiagnosticError);
    const d = (error as DiagnosticError).diagnostics[0];
    expect(d.code).toBe('DSC6002');
    expect(d.message).toContain('3 nodes cannot be compiled for the cpu target');
    expect(d.message).toMatch(/conv \(conv_f64\) -> %\S+ \[f64\]: dtype f64/);
    expect(d.message).toMatch(/lp_pool \(pool\) -> %\S+ \[f32\]: no kernel for this op/);
    expect(d.message).toMatch(/matmul \(int_matmul\) -> %\S+ \[i32\]: dtype i32/);
  });
});

describe('arena plan', () => {
  const value = (name: string, shape: string[]) => new Value(name, tensorType('f32', shape.map(parseDim)));

  it('decides orderings that hold for every symbol value, and only those', () => {
    expect(provablyGeq(parseDim('4*N + 64'), parseDim('4*N'))).toBe(true);
    expect(provablyGeq(parseDim('N*S'), parseDim('S'))).toBe(false);
    expect(provablyGeq(parseDim('64'), parseDim('N'))).toBe(false);
    expect(String(alignedBytes(value('a', ['N', '3'])))).toBe('64*N');
  });

  // a constant-size value among batch-sized ones: no common unit, so the symbolic first-fit fallback
  it('reuses the bytes of dead values and never overlaps live ones, at any batch size', () => {
    const a = value('a', ['N', '100']), b = value('b', ['N', '50']), c = value('c', ['N', '100']), d = value('d', ['7']);
    const lifetimes = [{ value: a, first: 0, last: 1 }, { value: b, first: 1, last: 2 }, { value: c, first: 2, last: 3 }, { value: d, first: 0, last: 3 }];
    const plan = placeSymbolic(lifetimes.map((l) => ({ ...l, bytes: alignedBytes(l.value) })));
    expect(plan.strategy).toBe('symbolic');
    expect(String(plan.offsets[2])).toBe('0');
    for (const n of [1, 2, 17]) {
      const env = new Map([['N', n]]);
      const all = lifetimes.map((l, i) => [evalDim(plan.offsets[i], env), evalDim(dimAdd(plan.offsets[i], alignedBytes(l.value)), env), l.first, l.last]);
      for (let i = 0; i < all.length; i++)
        for (let j = i + 1; j < all.length; j++) {
          const [s1, e1, f1, l1] = all[i], [s2, e2, f2, l2] = all[j];
          const live = f1 <= l2 && f2 <= l1;
          if (live) expect(e1 <= s2 || e2 <= s1, `ranges ${i} and ${j} overlap at N=${n}`).toBe(true);
        }
      const size = Math.max(...plan.ends.map((e) => evalDim(e, env)));
      expect(size).toBe(Math.max(...all.map((s) => s[1])));
    }
  });

  it('scales the best-fit plan when every size is a multiple of one symbol product', () => {
    const vs = [value('a', ['N', '100']), value('b', ['N', '50']), value('c', ['N', '100'])];
    const plan = placeSymbolic(vs.map((v, i) => ({ bytes: alignedBytes(v), first: i, last: i + 1 })));
    expect(plan.strategy).toBe('scaled');
    expect(plan.ends.map(String)).toEqual(['704*N']);
    expect(plan.offsets.map(String)).toEqual(['0', '448*N', '0']);
  });
});

const fixturesMissing = ensureFixtures();
if (fixturesMissing) console.warn(`skipping the shared-planner comparison: ${fixturesMissing}`);
describe.skipIf(fixturesMissing !== null)('the workspace comes from the shared memory planner', () => {
  for (const m of FIXTURE_MODELS.filter((f) => ['ResNet-18', 'Transformer encoder'].includes(f.label)))
    it(`${m.label}: the generated arena size equals planMemory's arena at N=1`, () => {
      const graph = loadCompiled(m);
      const program = lowerGraph(graph, { epilogues: true });
      const ones = new Map(program.symbols.map((s) => [s, 1]));
      expect(evalExpr(program.workspaceBytes, ones)).toBe(planMemory(graph, { inPlace: false }).arenaBytes);
      // the plan scales, so the same expression holds at a larger batch
      const n = new Map(program.symbols.map((s) => [s, 4]));
      const dims = new Map(graph.inputs.flatMap((v) => v.type.shape).filter((d) => typeof d !== 'number').map((d) => [String(d), 4]));
      expect(evalExpr(program.workspaceBytes, n)).toBe(planMemory(graph, { inPlace: false, dims }).arenaBytes);
    });
});

describe('fused elementwise group', () => {
  it('lowers a chain to one loop nest that matches the interpreter', async () => {
    const b = new GraphBuilder('chain');
    const N = sym('N');
    const x = b.input('x', tensorType('f32', [N, 8, 16]));
    const s = b.input('s', tensorType('f32', [16]));
    const t = b.op1('mul', [x, s]);
    const u = b.op1('tanh', [b.op1('add', [t, b.op1('constant', [], { value: randomTensor('f32', [8, 1], 3) })])]);
    b.output(b.op1('mul', [u, b.op1('sigmoid', [t])], {}, { name: 'y' }));
    const g = b.graph;
    const chain = g.nodes.filter((n) => n.op !== 'constant');
    const groups = [g.nodes.filter((n) => n.op === 'constant'), chain];
    const program = lowerGraph(g, { groups });
    expect(program.kernels.map((k) => k.name)).toEqual(['k0_mul_add_tanh_sigmoid_mul']);
    expect(program.buffers.filter((x) => x.storage.k === 'workspace')).toEqual([]);
    const source = generateCpu(g, { groups }).files.get('model.cc')!;
    const exe = await buildExecutable([{ id: 'chain', source }]);
    for (const n of [1, 5]) {
      const inputs = { x: randomTensor('f32', [n, 8, 16], n), s: randomTensor('f32', [16], 9) };
      const want = runGraph(g, inputs).get('y')!;
      const [r] = runJobs(exe, [{ model: 'chain', syms: [n], params: [], inputs: [inputs.x, inputs.s], outputs: [{ dtype: 'f32', shape: [...want.shape] }] }]);
      const cmp = compareTensors(r.outputs[0], want, () => TOLERANCE);
      expect(cmp.ok, cmp.reason).toBe(true);
    }
  }, 120_000);
});

describe('builds', () => {
  const lenet = importOnnxFile(`${FIXTURES}lenet5.onnx`);
  const input = readNpy(readFileSync(`${FIXTURES}lenet5.input.npy`), 'lenet5');
  const expected = runGraph(lenet, { [lenet.inputs[0].name]: input }).get(lenet.outputs[0].name)!;
  const job = (model: string) => ({
    model, syms: [input.shape[0]], params: lenet.params.map((p) => lenet.weights.get(p.name)!), inputs: [input],
    outputs: [{ dtype: expected.dtype, shape: [...expected.shape] }],
  });

  it('threads: false gives serial code that builds without OpenMP', async () => {
    const source = generateCpu(lenet, { threads: false }).files.get('model.cc')!;
    expect(source).not.toContain('#pragma omp');
    const exe = await buildExecutable([{ id: 'lenet_serial', source }], { serial: true });
    const [r] = runJobs(exe, [job('lenet_serial')]);
    expect(compareTensors(r.outputs[0], expected, () => TOLERANCE).ok).toBe(true);
  }, 120_000);

  it('runs the transformer clean under -fsanitize=address,undefined', async () => {
    const g = importOnnxFile(`${FIXTURES}transformer_opset17.onnx`);
    const x = readNpy(readFileSync(`${FIXTURES}transformer_opset17.input.npy`), 'transformer');
    const want = runGraph(g, { [g.inputs[0].name]: x }).get(g.outputs[0].name)!;
    const exe = await buildExecutable([{ id: 'transformer_asan', source: generateCpu(g).files.get('model.cc')! }], {
      flags: ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-fno-omit-frame-pointer'],
    });
    const [r] = runJobs(exe, [{
      model: 'transformer_asan', syms: [x.shape[0]], params: g.params.map((p) => g.weights.get(p.name)!), inputs: [x],
      outputs: [{ dtype: want.dtype, shape: [...want.shape] }],
    }], { ASAN_OPTIONS: 'detect_leaks=1' });
    expect(r.rc).toBe(0);
    expect(compareTensors(r.outputs[0], want, () => TOLERANCE).ok).toBe(true);
  }, 300_000);
});
