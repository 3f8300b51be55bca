// The indexing, creation, selection and loss ops on the WGSL target: each shader validated by Dawn's
// null backend, then run on lavapipe and compared with the reference interpreter (f32 within rtol 1e-4 /
// atol 1e-5 unless a case states why not, integers and bool exactly); an index out of range makes the
// run throw with the ABI's index code.
import { describe, expect, it } from 'vitest';
import { generateWgsl } from '../../src/codegen/wgsl/generate.js';
import { WebGpuModel } from '../../runtime/webgpu/executor.js';
import { runGraph } from '../../src/ir/interp.js';
import { compareTensors } from '../conformance/compare.js';
import { INDEXING_CASES, OUT_OF_RANGE_CASES } from '../codegen/op-cases-indexing.js';
import { numericInputs } from '../codegen/op-cases-numeric.js';
import { lavapipeGpu, toTensor, validateShader } from './harness.js';

const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
const CASES = INDEXING_CASES.filter((c) => c.only !== 'cpu');
const programs = new Map([...CASES, ...OUT_OF_RANGE_CASES].map((c) => [c.name, generateWgsl(c.graph)]));

describe('wgsl target: indexing op shaders pass validation', () => {
  it.each([...programs.keys()])('%s', async (name) => {
    for (const s of programs.get(name)!.shaders) expect(await validateShader(s)).toBe('');
  });
});

describe('wgsl target: indexing ops on lavapipe vs the interpreter', () => {
  const gpu = lavapipeGpu();
  it.skipIf(!gpu).each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const inputs = numericInputs(c);
    const want = runGraph(c.graph, inputs);
    const weights = new Map(c.graph.params.map((p) => [p.name, c.graph.weights.get(p.name)!]));
    const model = await WebGpuModel.load(gpu!, programs.get(c.name)!.plan, weights);
    try {
      const got = await model.run(inputs);
      for (const out of c.graph.outputs) {
        const cmp = compareTensors(toTensor(got.get(out.name)!), want.get(out.name)!, () => c.tolerance ?? TOLERANCE);
        expect(cmp.ok, `${c.name}/${out.name}: ${cmp.reason}`).toBe(true);
      }
    } finally {
      model.destroy();
    }
  }, 120_000);

  it.skipIf(!gpu).each(OUT_OF_RANGE_CASES.map((c) => [c.name, c] as const))('%s: an index out of range fails the run with code 4', async (_name, c) => {
    const model = await WebGpuModel.load(gpu!, programs.get(c.name)!.plan, new Map());
    try {
      await expect(model.run(numericInputs(c))).rejects.toThrow(/failed with code 4/);
    } finally {
      model.destroy();
    }
  }, 120_000);
});
