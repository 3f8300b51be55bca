// Properties over random well-formed kernels: the verifier accepts them, the text form reads them
// back exactly, the kernel passes keep them valid, and simplify-index keeps index values.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mapExpr } from '../../../src/codegen/kernel-ir.js';
import { parseKernel } from '../../../src/codegen/kir/parse.js';
import { listKernelPasses, runKernelPasses } from '../../../src/codegen/kir/passes.js';
import { printExpr, printKernel } from '../../../src/codegen/kir/print.js';
import { kernelProblems } from '../../../src/codegen/kir/verify.js';
import { evalExpr, runStmts } from '../kernel-eval.js';
import { programAround } from './harness.js';
import { randomIndexExpr, randomKernel, randomLoopNest } from './random-kernel.js';

describe('random kernels', () => {
  it('are accepted by the verifier and read back exactly from their text', () => {
    fc.assert(fc.property(fc.gen(), (g) => {
      const k = randomKernel(g);
      const text = printKernel(k);
      expect(kernelProblems(k), text).toEqual([]);
      const back = parseKernel(text);
      expect(printKernel(back)).toBe(text);
      expect(back).toEqual(k);
    }), { numRuns: 300 });
  });

  it('stay valid through every kernel pass', () => {
    const passes = listKernelPasses().map((p) => p.name).join(',');
    fc.assert(fc.property(fc.gen(), (g) => {
      const program = runKernelPasses(programAround(randomKernel(g)), passes, { verify: true });
      expect(kernelProblems(program.kernels[0])).toEqual([]);
    }), { numRuns: 150 });
  });
});

describe('simplify-index', () => {
  it('keeps the value of random index expressions', () => {
    const vars = ['i', 'j', 's_N'];
    const pass = listKernelPasses().find((p) => p.name === 'simplify-index')!;
    fc.assert(fc.property(fc.gen(), fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 3, maxLength: 3 }), (g, values) => {
      const e = randomIndexExpr(g, vars, 4);
      const k = programAround({
        name: 'k', source: [], params: [{ name: 'y', dtype: 'i64', access: 'write' }], scalars: ['s_N'],
        body: [{ k: 'let', name: 'i', type: 'index', value: { k: 'const', type: 'index', value: 0 }, mutable: false },
          { k: 'let', name: 'j', type: 'index', value: { k: 'const', type: 'index', value: 0 }, mutable: false },
          { k: 'let', name: 'r', type: 'index', value: e, mutable: false }],
        schedule: { parallel: [], vector: [], unroll: [], minParallelWork: 0, work: { k: 'const', type: 'index', value: 1 } },
      });
      const simplified = pass.run(k, { reassociate: true }).kernels[0].body[2];
      const env = new Map(vars.map((v, i) => [v, values[i]]));
      const after = simplified.k === 'let' ? simplified.value : e;
      // + 0 turns -0 into 0: index arithmetic has no signed zero
      expect(evalExpr(after, env) + 0, `${printExpr(e)} became ${printExpr(after)}`).toBe(evalExpr(e, env) + 0);
      // every constant-only subexpression is folded away
      mapExpr(after, (n) => {
        expect(n.k === 'binary' && n.a.k === 'const' && n.b.k === 'const', printExpr(after)).toBe(false);
        return n;
      });
    }), { numRuns: 400 });
  });
});

describe('kernel passes on random loop nests', () => {
  it('leave what the kernel stores unchanged', () => {
    const passes = ['simplify-index', 'dce-lets', 'hoist-invariant-lets'];
    fc.assert(fc.property(fc.gen(), fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 4, maxLength: 4 }), (g, x) => {
      const kernel = randomLoopNest(g);
      const run = (k: typeof kernel) => {
        const buffers = new Map([['x', [...x]], ['y', [0, 0, 0, 0]]]);
        runStmts(k.body, buffers, new Map([['s_N', 3]]));
        return buffers.get('y');
      };
      for (const pass of passes) {
        const after = runKernelPasses(programAround(kernel), pass, { verify: true }).kernels[0];
        expect(run(after), `${pass}:\n${printKernel(kernel)}\nbecame\n${printKernel(after)}`).toEqual(run(kernel));
      }
    }), { numRuns: 300 });
  });
});
