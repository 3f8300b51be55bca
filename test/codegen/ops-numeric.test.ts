// The numeric, linear-algebra, recurrent and quantization ops on the CPU target, compiled into one
// executable and compared with the reference interpreter (floats within rtol 1e-4 / atol 1e-5 unless a
// case states why not, everything else exactly).
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCpu } from '../../src/codegen/cpu/generate.js';
import { runGraph } from '../../src/ir/interp.js';
import { compareTensors } from '../conformance/compare.js';
import { buildExecutable, runJobs } from './harness.js';
import { NUMERIC_CASES, numericInputs } from './op-cases-numeric.js';

const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
const CASES = NUMERIC_CASES.filter((c) => c.only !== 'wgsl');

describe('cpu target: numeric ops vs the interpreter', () => {
  let exe = '';
  beforeAll(async () => {
    exe = await buildExecutable(CASES.map((c) => ({ id: c.name, source: generateCpu(c.graph).files.get('model.cc')! })));
  }, 600_000);

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
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
  });
});
