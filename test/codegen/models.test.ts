// Whole models through the CPU target: generated model.cc compiled with the test driver and compared
// with the reference interpreter (rtol 1e-4, atol 1e-5), including a symbolic batch at two sizes in
// one process, and golden files of the generated code.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCpu } from '../../src/codegen/cpu/generate.js';
import { readNpy } from '../../src/formats/npy.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor, sizeOf } from '../../src/ir/tensor.js';
import { compareTensors } from '../conformance/compare.js';
import { buildExecutable, runJobs, RunJob } from './harness.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };
const MODELS = ['mlp', 'lenet5', 'transformer_opset13', 'transformer_opset17'];

const graphs = new Map<string, Graph>(MODELS.map((m) => [m, importOnnxFile(`${FIXTURES}${m}.onnx`)]));
const sources = new Map([...graphs].map(([m, g]) => [m, generateCpu(g).files.get('model.cc')!]));

function firstBatch(t: Tensor, n: number): Tensor {
  const shape = [n, ...t.shape.slice(1)];
  return new Tensor(t.dtype, shape, t.data.slice(0, sizeOf(shape)) as Tensor['data']);
}

function job(model: string, batch: number): { job: RunJob; expected: Tensor } {
  const g = graphs.get(model)!;
  const input = firstBatch(readNpy(readFileSync(`${FIXTURES}${model}.input.npy`), model), batch);
  const expected = runGraph(g, { [g.inputs[0].name]: input }).get(g.outputs[0].name)!;
  return {
    job: {
      model, syms: [batch], params: g.params.map((p) => g.weights.get(p.name)!), inputs: [input],
      outputs: [{ dtype: expected.dtype, shape: [...expected.shape] }],
    },
    expected,
  };
}

describe('cpu target: whole models vs the interpreter', () => {
  let exe = '';
  beforeAll(async () => {
    exe = await buildExecutable(MODELS.map((m) => ({ id: m, source: sources.get(m)! })));
  }, 300_000);

  it.each(MODELS)('%s at batch 1 and 2 in one process', (model) => {
    const cases = [job(model, 1), job(model, 2)];
    const results = runJobs(exe, cases.map((c) => c.job));
    results.forEach((r, i) => {
      expect(r.rc).toBe(0);
      expect(r.shapes[0]).toEqual([...cases[i].expected.shape]);
      const cmp = compareTensors(r.outputs[0], cases[i].expected, () => TOLERANCE);
      expect(cmp.ok, `${model} batch ${cases[i].job.syms![0]}: ${cmp.reason}`).toBe(true);
    });
  });

  it('generates byte-identical code twice', () => {
    for (const m of MODELS) expect(generateCpu(importOnnxFile(`${FIXTURES}${m}.onnx`)).files.get('model.cc')).toBe(sources.get(m));
  });

  it.each(['mlp', 'lenet5'])('%s model.cc matches its golden file', async (model) => {
    await expect(sources.get(model)).toMatchFileSnapshot(`golden/${model}.model.cc`);
  });
});
