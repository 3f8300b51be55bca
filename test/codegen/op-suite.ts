// What the per-target op suites do with one case: run it compiled on seeded inputs and expect every
// output to match the reference interpreter (the CPU suites run a case's model in a built executable,
// the WGSL suites load its plan on a device).
/// <reference types="@webgpu/types" />
import { expect } from 'vitest';
import { WebGpuModel } from '../../runtime/webgpu/executor.js';
import type { WgslPlan } from '../../runtime/webgpu/plan.js';
import { runGraph } from '../../src/ir/interp.js';
import { compareTensors } from '../conformance/compare.js';
import { toTensor } from '../codegen-wgsl/harness.js';
import { runJobs } from './harness.js';
import { OpCase } from './op-cases.js';
import { numericInputs } from './op-cases-numeric.js';

/** Floats within rtol 1e-4 / atol 1e-5 unless a case states why not; integers and bool exactly. */
const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };

/** Runs case `c`, built into `exe` under its name, and compares every output with the interpreter's. */
export function expectCpuCaseMatches(exe: string, c: OpCase): void {
  const inputs = numericInputs(c);
  const want = runGraph(c.graph, inputs);
  const [r] = runJobs(exe, [{
    model: c.name,
    syms: c.syms ? Object.values(c.syms) : [],
    params: c.graph.params.map((p) => c.graph.weights.get(p.name)!),
    inputs: c.graph.inputs.map((v) => inputs.get(v.name)!),
    outputs: c.graph.outputs.map((v) => ({ dtype: v.type.dtype, shape: [...want.get(v.name)!.shape] })),
  }]);
  expect(r.rc).toBe(0);
  c.graph.outputs.forEach((v, i) => {
    const e = want.get(v.name)!;
    expect(r.shapes[i], v.name).toEqual([...e.shape]);
    const cmp = compareTensors(r.outputs[i], e, () => c.tolerance ?? TOLERANCE);
    expect(cmp.ok, `${c.name} output ${v.name}: ${cmp.reason}`).toBe(true);
  });
}

/** Loads case `c`'s plan on `gpu`, runs it and compares every output with the interpreter's. */
export async function expectWgslCaseMatches(gpu: GPU, plan: WgslPlan, c: OpCase): Promise<void> {
  const inputs = numericInputs(c);
  const want = runGraph(c.graph, inputs);
  const weights = new Map(c.graph.params.map((p) => [p.name, c.graph.weights.get(p.name)!]));
  const model = await WebGpuModel.load(gpu, plan, weights);
  try {
    const got = await model.run(inputs);
    for (const out of c.graph.outputs) {
      const cmp = compareTensors(toTensor(got.get(out.name)!), want.get(out.name)!, () => c.tolerance ?? TOLERANCE);
      expect(cmp.ok, `${c.name}/${out.name}: ${cmp.reason}`).toBe(true);
    }
  } finally {
    model.destroy();
  }
}
