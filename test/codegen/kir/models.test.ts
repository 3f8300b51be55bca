// Every .ds example and every ONNX architecture of test/fixtures/onnx, lowered for every target as
// its code generator lowers it, gives a kernel program the verifier accepts, that reads back exactly
// from its text, and that the kernel passes keep valid.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../../src/frontend/load.js';
import { listTargets } from '../../../src/codegen/targets/registry.js';
import { kernelProgramFor } from '../../../src/codegen/kir/lower.js';
import { listKernelPasses, runKernelPasses } from '../../../src/codegen/kir/passes.js';
import { parseProgram } from '../../../src/codegen/kir/parse.js';
import { printProgram } from '../../../src/codegen/kir/print.js';
import { programProblems } from '../../../src/codegen/kir/verify.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'examples', d.name, `${d.name}.ds`)))
  .map((d) => `examples/${d.name}/${d.name}.ds`);
const ONNX = readdirSync(join(ROOT, 'test/fixtures/onnx')).filter((f) => f.endsWith('.onnx') && !f.endsWith('.large.onnx')).map((f) => `test/fixtures/onnx/${f}`);

describe('kernel programs of the examples and architectures', () => {
  it('cover the examples and ONNX fixtures', () => {
    expect(EXAMPLES).toEqual(expect.arrayContaining(['examples/mlp/mlp.ds', 'examples/resnet18/resnet18.ds', 'examples/bert_encoder/bert_encoder.ds']));
    expect(ONNX.length).toBeGreaterThan(0);
  });

  for (const model of [...EXAMPLES, ...ONNX])
    it(`${model}: verified and round-tripped on every target`, () => {
      for (const target of listTargets()) {
        const program = kernelProgramFor(loadModel(join(ROOT, model)), target);
        expect(programProblems(program), `${model} on ${target.name}`).toEqual([]);
        const text = printProgram(program);
        const back = parseProgram(text);
        expect(back).toEqual(program);
        expect(printProgram(back)).toBe(text);
        runKernelPasses(program, listKernelPasses().map((p) => p.name), { verify: true });
      }
    }, 180_000);
});
