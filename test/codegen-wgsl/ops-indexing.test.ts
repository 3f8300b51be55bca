// The indexing, creation, selection and loss ops on the WGSL target: each shader validated by Dawn's
// null backend, then run on lavapipe and compared with the reference interpreter (f32 within rtol 1e-4 /
// atol 1e-5 unless a case states why not, integers and bool exactly); an index out of range makes the
// run throw with the ABI's index code.
import { describe, expect, it } from 'vitest';
import { generateWgsl } from '../../src/codegen/wgsl/generate.js';
import { WebGpuModel } from '../../runtime/webgpu/executor.js';
import { INDEXING_CASES, OUT_OF_RANGE_CASES } from '../codegen/op-cases-indexing.js';
import { numericInputs } from '../codegen/op-cases-numeric.js';
import { expectWgslCaseMatches } from '../codegen/op-suite.js';
import { lavapipeGpu, validateShader } from './harness.js';

const CASES = INDEXING_CASES.filter((c) => c.only !== 'cpu');
const programs = new Map([...CASES, ...OUT_OF_RANGE_CASES].map((c) => [c.name, generateWgsl(c.graph)]));

describe('wgsl target: indexing op shaders pass validation', () => {
  it.each([...programs.keys()])('%s', async (name) => {
    for (const s of programs.get(name)!.shaders) expect(await validateShader(s)).toBe('');
  });
});

describe('wgsl target: indexing ops on lavapipe vs the interpreter', () => {
  const gpu = lavapipeGpu();
  it.skipIf(!gpu).each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => expectWgslCaseMatches(gpu!, programs.get(c.name)!.plan, c), 120_000);

  it.skipIf(!gpu).each(OUT_OF_RANGE_CASES.map((c) => [c.name, c] as const))('%s: an index out of range fails the run with code 4', async (_name, c) => {
    const model = await WebGpuModel.load(gpu!, programs.get(c.name)!.plan);
    try {
      await expect(model.run(numericInputs(c))).rejects.toThrow(/failed with code 4/);
    } finally {
      model.destroy();
    }
  }, 120_000);
});
