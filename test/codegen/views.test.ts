// Data movement as views: the movement nodes the `fuse` pass put into a kernel's group launch no
// kernel of their own; the kernel reads (or stores) through their index maps. Random movement chains
// checked element by element without a build (the kernel IR evaluated in JS on an iota input), then
// every op that reads or stores through views compiled and compared with the interpreter, and the
// transformer encoders through the whole pipeline: as many kernels as the report counts, same outputs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCpu } from '../../src/codegen/cpu/generate.js';
import { lowerGraph } from '../../src/codegen/lower/index.js';
import { ProgramBuffer } from '../../src/codegen/kernel-ir.js';
import { readNpy } from '../../src/formats/npy.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph, Value, tensorType } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { parseGraph } from '../../src/ir/parser.js';
import { Tensor, sizeOf } from '../../src/ir/tensor.js';
import { scheduleKernels } from '../../src/analysis/kernel-launches.js';
import { runPasses } from '../../src/passes/registry.js';
import { pipelineFor } from '../../src/codegen/targets/registry.js';
import { compareTensors } from '../conformance/compare.js';
import { buildExecutable, randomTensor, runJobs } from './harness.js';
import { runStmts } from './kernel-eval.js';
import { QKV_HEADS } from '../passes/harness.js';

const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
const FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const kernelCount = (source: string) => (source.match(/^static int k\d+_/gm) ?? []).length;

// ---------------------------------------------------------------- random chains, evaluated in JS

interface Chain { shape: number[]; steps: { kind: number; picks: number[] }[] }

const chainArb: fc.Arbitrary<Chain> = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
  steps: fc.array(fc.record({ kind: fc.nat(5), picks: fc.array(fc.nat(1000), { minLength: 3, maxLength: 3 }) }), { minLength: 1, maxLength: 5 }),
});

/** A factorization of `count` into at most four dims, chosen by `pick`. */
function factorize(count: number, pick: number): number[] {
  const dims: number[] = [];
  let rest = count;
  for (let p = pick; rest > 1 && dims.length < 3; p = Math.floor(p / 3)) {
    const divisors = Array.from({ length: rest - 1 }, (_, i) => i + 2).filter((d) => rest % d === 0);
    const d = divisors[p % divisors.length];
    dims.push(d);
    rest /= d;
  }
  return rest > 1 || dims.length === 0 ? [...dims, rest] : dims;
}

/** x → the chain's movement ops → neg: the interpreter's graph and how many movement nodes it has. */
function chainGraph(c: Chain): Graph {
  const b = new GraphBuilder('chain');
  let v: Value = b.input('x', tensorType('f32', c.shape));
  for (const { kind, picks: [p, q, r] } of c.steps) {
    const shape = v.type.shape as number[];
    const rank = shape.length;
    switch (kind) {
      case 0: {
        const perm = [...Array(rank).keys()].sort((a, z) => ((a * 7 + p) % 5) - ((z * 7 + p) % 5) || a - z);
        v = b.op1('transpose', [v], { perm });
        break;
      }
      case 1: {
        const axis = p % rank, d = shape[axis], step = [1, 2, -1, -2][q % 4];
        const start = r % d;
        v = b.op1('slice', [v], step > 0 ? { starts: [start], ends: [d], axes: [axis], steps: [step] } : { starts: [start], ends: [-d - 1], axes: [axis], steps: [step] });
        break;
      }
      case 2: v = b.op1('reshape', [v], { shape: factorize(sizeOf(shape), p) }); break;
      case 3: {
        const ones = shape.flatMap((d, i) => (d === 1 ? [i] : []));
        const to = ones.length > 0 ? shape.map((d, i) => (i === ones[p % ones.length] ? 3 : d)) : [2, ...shape];
        v = b.op1('expand', [v], { shape: to });
        break;
      }
      case 4: v = b.op1('unsqueeze', [v], { axes: [p % (rank + 1)] }); break;
      default: {
        const ones = shape.flatMap((d, i) => (d === 1 ? [i] : []));
        if (ones.length > 0 && rank > 1) v = b.op1('squeeze', [v], { axes: [ones[p % ones.length]] });
      }
    }
  }
  b.output(b.op1('neg', [v], {}, { name: 'y' }));
  return b.graph;
}

/** Run every kernel of a program in JS; buffers are number arrays, workspace values one array each. */
function runProgram(g: Graph, inputs: readonly Tensor[]): number[][] {
  const program = lowerGraph(g, { epilogues: true });
  const arrays = new Map<string, number[]>();
  const byName = new Map(program.buffers.map((b) => [b.name, b]));
  const storageOf = (b: ProgramBuffer): number[] => {
    const have = arrays.get(b.name);
    if (have) return have;
    const s = b.storage;
    const a = s.k === 'alias' ? storageOf(byName.get(s.of)!)
      : s.k === 'input' ? Array.from(inputs[s.index].data as Float32Array)
        : new Array<number>(Number((b.size as { value: number }).value)).fill(NaN);
    arrays.set(b.name, a);
    return a;
  };
  program.calls.forEach((call, i) => {
    const kernel = program.kernels[i];
    const bound = new Map(kernel.params.map((p, k) => [p.name, storageOf(byName.get(call.args[k])!)]));
    runStmts(kernel.body, bound, new Map());
  });
  return program.buffers.filter((b) => b.storage.k === 'output').map(storageOf);
}

describe('views of random movement chains', () => {
  it('launch nothing: the consumer reads every element where the interpreter finds it', () => {
    let reshaped = 0;
    fc.assert(fc.property(chainArb, (c) => {
      const g = chainGraph(c);
      const x = new Tensor('f32', c.shape, Float32Array.from({ length: sizeOf(c.shape) }, (_, i) => i));
      const want = runGraph(g, { x }).get('y')!;
      runPasses(g, ['fuse'], { verify: true });
      expect(scheduleKernels(g)).toHaveLength(1);
      const program = lowerGraph(g, { epilogues: true });
      expect(program.kernels.map((k) => k.name)).toEqual(['k0_neg']);
      const [y] = runProgram(g, [x]);
      expect(y).toEqual(Array.from(want.data as Float32Array));
      if (g.nodes.some((n) => n.op === 'reshape' && n.group === g.nodes[g.nodes.length - 1].group)) reshaped++;
    }), { numRuns: 300 });
    expect(reshaped).toBeGreaterThan(20);
  });
});

// ---------------------------------------------------------------- every reader and writer, built

/** Graphs whose movement nodes all become views; `y` (and `z`) compared with the interpreter. */
const CASES: { text: string; kernels: number }[] = [
  {
    // q, k, v as slices of one buffer split into heads, a boolean mask through a transpose, and the result stored transposed
    kernels: 1,
    text: `
graph @attention(%x: f32[N, 4, 24], %m: bool[4, 4]) -> (f32[4, 2*N, 4]) {
${QKV_HEADS}
  %mt = transpose(%m) : bool[4, 4]
  %a = scaled_dot_product_attention(%qh, %kh, %vh, %mt) : f32[2*N, 4, 4]
  %y = transpose(%a) {perm = [1, 0, 2]} : f32[4, 2*N, 4]
  return %y
}`,
  },
  {
    // an elementwise chain reading a reshaped gemm-like result through a transpose; a softmax storing through a transpose
    kernels: 2,
    text: `
graph @residual(%x: f32[N, 4, 6], %h: f32[4*N, 6]) -> (f32[N, 4, 6], f32[N, 6, 4]) {
  %r = reshape(%h) {shape = [4, N, 6]} : f32[4, N, 6]
  %t = transpose(%r) {perm = [1, 0, 2]} : f32[N, 4, 6]
  %a = add(%x, %t) : f32[N, 4, 6]
  %y = relu(%a) : f32[N, 4, 6]
  %s = softmax(%y) : f32[N, 4, 6]
  %z = transpose(%s) {perm = [0, 2, 1]} : f32[N, 6, 4]
  return %y, %z
}`,
  },
  {
    // norms and reductions reading transposes, slices and a broadcast; norms and log_softmax storing transposed
    kernels: 5,
    text: `
graph @norms(%x: f32[N, 6, 8], %e: f32[N, 1, 8]) -> (f32[N, 6, 8], f32[N, 8, 4], f32[N, 1, 6], f32[N, 8], f32[N, 8, 4]) {
  param %s6: f32[6]
  param %b6: f32[6]
  param %s4: f32[4]
  %t = transpose(%x) {perm = [0, 2, 1]} : f32[N, 8, 6]
  %n = layer_normalization(%t, %s6, %b6) : f32[N, 8, 6]
  %y = transpose(%n) {perm = [0, 2, 1]} : f32[N, 6, 8]
  %t2 = transpose(%x) {perm = [0, 2, 1]} : f32[N, 8, 6]
  %c = slice(%t2) {axes = [2], ends = [6], starts = [2]} : f32[N, 8, 4]
  %z = rms_normalization(%c, %s4) : f32[N, 8, 4]
  %t3 = transpose(%x) {perm = [0, 2, 1]} : f32[N, 8, 6]
  %u = reduce_mean(%t3) {axes = [1]} : f32[N, 1, 6]
  %w = reduce_max(%x) {axes = [1], keepdims = false} : f32[N, 8]
  %ex = expand(%e) {shape = [N, 4, 8]} : f32[N, 4, 8]
  %l = log_softmax(%ex) {axis = 1} : f32[N, 4, 8]
  %v = transpose(%l) {perm = [0, 2, 1]} : f32[N, 8, 4]
  return %y, %z, %u, %w, %v
}`,
  },
  {
    // reshapes whose dims do not line up (div/mod), a backward slice, squeeze and unsqueeze; an
    // elementwise result stored transposed; a reshape that is a graph output (a copy kernel)
    kernels: 3,
    text: `
graph @regroup(%x: f32[N, 6, 4]) -> (f32[N, 3, 8], f32[1, 2, N, 3], f32[N, 24]) {
  %t = transpose(%x) {perm = [0, 2, 1]} : f32[N, 4, 6]
  %r = reshape(%t) {shape = [N, 3, 8]} : f32[N, 3, 8]
  %y = exp(%r) : f32[N, 3, 8]
  %b = slice(%x) {axes = [1, 2], ends = [-7, 1], starts = [-1, 0], steps = [-2, 1]} : f32[N, 3, 1]
  %q = squeeze(%b) {axes = [2]} : f32[N, 3]
  %p = unsqueeze(%q) {axes = [0, 1]} : f32[1, 1, N, 3]
  %g = expand(%p) {shape = [1, 2, N, 3]} : f32[1, 2, N, 3]
  %h = sigmoid(%g) : f32[1, 2, N, 3]
  %z = transpose(%h) {perm = [0, 1, 2, 3]} : f32[1, 2, N, 3]
  %f = reshape(%x) {shape = [N, 24]} : f32[N, 24]
  return %y, %z, %f
}`,
  },
];

/** The graph of a case with random weights for its params. */
function caseGraph(text: string): Graph {
  const g = parseGraph(text);
  g.params.forEach((p, i) => g.weights.set(p.name, randomTensor(p.type.dtype, p.type.shape as number[], 40 + i)));
  return g;
}

function inputsAt(g: Graph, n: number): Tensor[] {
  return g.inputs.map((v, i) => {
    const shape = v.type.shape.map((d) => (typeof d === 'number' ? d : Math.round(Number(String(d).replace(/\*?N/, '') || 1) * n)));
    if (v.type.dtype === 'bool') return new Tensor('bool', shape, Uint8Array.from({ length: sizeOf(shape) }, (_, k) => Number((k * 7 + i) % 3 !== 0)));
    return randomTensor(v.type.dtype, shape, 10 * n + i);
  });
}

describe('kernels reading and storing through views', () => {
  const built = CASES.map((c) => {
    const g = runPasses(caseGraph(c.text), ['fuse'], { verify: true });
    return { g, kernels: c.kernels, source: generateCpu(g).files.get('model.cc')! };
  });

  it('launch one kernel per group that computes, as the report counts', () => {
    for (const { g, kernels, source } of built) {
      expect(scheduleKernels(g), g.name).toHaveLength(kernels);
      expect(kernelCount(source), g.name).toBe(kernels);
    }
  });

  it('match the interpreter at two batch sizes', async () => {
    const exe = await buildExecutable(built.map(({ g, source }) => ({ id: g.name, source })));
    for (const { g } of built)
      for (const n of [1, 3]) {
        const inputs = inputsAt(g, n);
        const want = runGraph(g, Object.fromEntries(g.inputs.map((v, i) => [v.name, inputs[i]])));
        const [r] = runJobs(exe, [{
          model: g.name, syms: [n], params: g.params.map((p) => g.weights.get(p.name)!), inputs,
          outputs: g.outputs.map((v) => ({ dtype: v.type.dtype, shape: [...want.get(v.name)!.shape] })),
        }]);
        expect(r.rc, g.name).toBe(0);
        g.outputs.forEach((v, i) => {
          const cmp = compareTensors(r.outputs[i], want.get(v.name)!, () => TOLERANCE);
          expect(cmp.ok, `${g.name} %${v.name} at N=${n}: ${cmp.reason}`).toBe(true);
        });
      }
  }, 300_000);
});

// ---------------------------------------------------------------- the transformer encoders

describe('transformer encoders through the pipeline', () => {
  const models = ['transformer_opset13', 'transformer_opset17'].map((m) => {
    const g = runPasses(importOnnxFile(`${FIXTURES}${m}.onnx`), pipelineFor('cpu', 1), { verify: true });
    return { m, g, source: generateCpu(g).files.get('model.cc')! };
  });

  it('launch the kernels the report counts: eight per layer', () => {
    for (const { m, g, source } of models) {
      expect(kernelCount(source), m).toBe(scheduleKernels(g).length);
      expect(kernelCount(source), m).toBe(16);
    }
  });

  it('match the interpreter at batch 1 and 2', async () => {
    const exe = await buildExecutable(models.map(({ m, source }) => ({ id: m, source })));
    for (const { m, g } of models) {
      const all = readNpy(readFileSync(`${FIXTURES}${m}.input.npy`), m);
      for (const n of [1, 2]) {
        const shape = [n, ...all.shape.slice(1)];
        const input = new Tensor(all.dtype, shape, all.data.slice(0, sizeOf(shape)) as Tensor['data']);
        const want = runGraph(g, { [g.inputs[0].name]: input }).get(g.outputs[0].name)!;
        const [r] = runJobs(exe, [{
          model: m, syms: [n], params: g.params.map((p) => g.weights.get(p.name)!), inputs: [input],
          outputs: [{ dtype: want.dtype, shape: [...want.shape] }],
        }]);
        expect(r.rc, m).toBe(0);
        const cmp = compareTensors(r.outputs[0], want, () => TOLERANCE);
        expect(cmp.ok, `${m} at batch ${n}: ${cmp.reason}`).toBe(true);
      }
    }
  }, 300_000);
});
