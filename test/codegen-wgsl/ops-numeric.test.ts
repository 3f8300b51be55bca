// The numeric, linear-algebra, recurrent and quantization ops on the WGSL target: each shader validated
// by Dawn's null backend, then run on lavapipe and compared with the reference interpreter (f32 within
// rtol 1e-4 / atol 1e-5 unless a case states why not, integers and bool exactly).
import { describe, expect, it } from 'vitest';
import { generateWgsl } from '../../src/codegen/wgsl/generate.js';
import { NUMERIC_CASES } from '../codegen/op-cases-numeric.js';
import { expectWgslCaseMatches } from '../codegen/op-suite.js';
import { lavapipeGpu, validateShader } from './harness.js';

// lavapipe compiles these long kernels (recurrences, 16-tap interpolation) in about half the time with
// 4-wide code; read when the Vulkan driver loads, so set before lavapipeGpu
process.env.LP_NATIVE_VECTOR_WIDTH ??= '128';
const CASES = NUMERIC_CASES.filter((c) => c.only !== 'cpu');
const programs = new Map(CASES.map((c) => [c.name, generateWgsl(c.graph)]));

describe('wgsl target: numeric op shaders pass validation', () => {
  it.each(CASES.map((c) => c.name))('%s', async (name) => {
    for (const s of programs.get(name)!.shaders) expect(await validateShader(s)).toBe('');
  });
});

describe('wgsl target: numeric ops on lavapipe vs the interpreter', () => {
  const gpu = lavapipeGpu();
  it.skipIf(!gpu).each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => expectWgslCaseMatches(gpu!, programs.get(c.name)!.plan, c), 600_000);
});
