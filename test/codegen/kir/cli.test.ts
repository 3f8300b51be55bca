// `dsc kir`: the kernel program of a model for a target as text that parses back, kernel passes
// with --print-after-all, and user mistakes as diagnostics.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { parseProgram } from '../../../src/codegen/kir/parse.js';
import { programProblems } from '../../../src/codegen/kir/verify.js';

const root = join(import.meta.dirname, '..', '..', '..');
const mlp = join(root, 'examples', 'mlp', 'mlp.ds');

async function dsc(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('dsc kir', () => {
  it('prints the verified kernel program of each target, which parses back', async () => {
    const cpu = await dsc('kir', mlp);
    expect(cpu.code, cpu.err).toBe(0);
    expect(programProblems(parseProgram(cpu.out))).toEqual([]);
    // the cpu target fuses bias and relu into the GEMM's epilogue; wgsl takes no epilogues
    expect(cpu.out).toMatch(/gemm m = s_N, n = 512, k = 784[^\n]*\n(.*\n)*?\s+epilogue\(/);
    const wgsl = await dsc('kir', mlp, '--target', 'wgsl', '--precision', 'f16');
    expect(wgsl.code, wgsl.err).toBe(0);
    expect(wgsl.out).not.toContain('epilogue(');
    expect(parseProgram(wgsl.out).kernels.length).toBeGreaterThan(parseProgram(cpu.out).kernels.length);
  });

  it('runs kernel passes, printing the program after each', async () => {
    const r = await dsc('kir', mlp, '--passes', 'simplify-index,dce-lets{},verify', '--print-after-all');
    expect(r.code, r.err).toBe(0);
    expect(r.out.match(/^\/\/ ----- kernel IR after [\w-]+ -----$/gm)).toEqual([
      '// ----- kernel IR after simplify-index -----', '// ----- kernel IR after dce-lets -----', '// ----- kernel IR after verify -----',
    ]);
  });

  it('reports unknown passes, targets and precisions as diagnostics', async () => {
    const pass = await dsc('kir', mlp, '--passes', 'bogus');
    expect(pass.code).toBe(1);
    expect(pass.err).toContain("DSC9003: unknown kernel pass 'bogus'; kernel passes: apply-schedule");
    const target = await dsc('kir', mlp, '--target', 'tpu');
    expect(target.code).toBe(1);
    expect(target.err).toContain("dsc kir: unknown target 'tpu'");
    const precision = await dsc('kir', mlp, '--precision', 'f16');
    expect(precision.code).toBe(1);
    expect(precision.err).toContain('--target cpu takes --precision f32');
  });
});
