// The numeric, linear-algebra, recurrent and quantization ops on the CPU target, compiled into one
// executable and compared with the reference interpreter (floats within rtol 1e-4 / atol 1e-5 unless a
// case states why not, everything else exactly).
import { beforeAll, describe, it } from 'vitest';
import { generateCpu } from '../../src/codegen/cpu/generate.js';
import { buildExecutable } from './harness.js';
import { NUMERIC_CASES } from './op-cases-numeric.js';
import { expectCpuCaseMatches } from './op-suite.js';

const CASES = NUMERIC_CASES.filter((c) => c.only !== 'wgsl');

describe('cpu target: numeric ops vs the interpreter', () => {
  let exe = '';
  beforeAll(async () => {
    exe = await buildExecutable(CASES.map((c) => ({ id: c.name, source: generateCpu(c.graph).files.get('model.cc')! })));
  }, 600_000);

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => expectCpuCaseMatches(exe, c));
});
