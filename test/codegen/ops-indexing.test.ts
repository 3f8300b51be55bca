// The indexing, creation, selection and loss ops on the CPU target, compiled into one executable and
// compared with the reference interpreter (floats within rtol 1e-4 / atol 1e-5, everything else
// exactly); an index out of range stops the run with the ABI's index code instead of reading outside.
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCpu } from '../../src/codegen/cpu/generate.js';
import { kernelProgramFor } from '../../src/codegen/kir/lower.js';
import { parseProgram } from '../../src/codegen/kir/parse.js';
import { printProgram } from '../../src/codegen/kir/print.js';
import { programProblems } from '../../src/codegen/kir/verify.js';
import { listTargets } from '../../src/codegen/targets/registry.js';
import { runGraph } from '../../src/ir/interp.js';
import { buildExecutable, runJobs } from './harness.js';
import { INDEXING_CASES, OUT_OF_RANGE_CASES } from './op-cases-indexing.js';
import { numericInputs } from './op-cases-numeric.js';
import { expectCpuCaseMatches } from './op-suite.js';

const CASES = INDEXING_CASES.filter((c) => c.only !== 'wgsl');

describe('cpu target: indexing ops vs the interpreter', () => {
  let exe = '';
  beforeAll(async () => {
    exe = await buildExecutable([...CASES, ...OUT_OF_RANGE_CASES].map((c) => ({ id: c.name, source: generateCpu(c.graph).files.get('model.cc')! })));
  }, 600_000);

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => expectCpuCaseMatches(exe, c));

  it.each(OUT_OF_RANGE_CASES.map((c) => [c.name, c] as const))('%s: an index out of range fails the run with code 4', (_name, c) => {
    const inputs = numericInputs(c);
    expect(() => runGraph(c.graph, inputs)).toThrow(/out of range|not a class index|does not fit/);
    const [r] = runJobs(exe, [{
      model: c.name,
      params: [],
      inputs: c.graph.inputs.map((v) => inputs.get(v.name)!),
      outputs: c.graph.outputs.map((v) => ({ dtype: v.type.dtype, shape: v.type.shape as number[] })),
    }]);
    expect(r.rc).toBe(4);
  });
});

describe('indexing kernels as kernel IR', () => {
  it.each([...INDEXING_CASES, ...OUT_OF_RANGE_CASES].map((c) => [c.name, c] as const))('%s: verified and read back on every target it runs on', (_name, c) => {
    for (const target of listTargets().filter((t) => !c.only || t.name === c.only)) {
      const program = kernelProgramFor(c.graph, target);
      expect(programProblems(program), `${c.name} on ${target.name}`).toEqual([]);
      expect(printProgram(parseProgram(printProgram(program)))).toBe(printProgram(program));
    }
  });
});
