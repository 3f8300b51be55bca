// Differential test of whole architectures: the reference interpreter on the imported ONNX model
// against onnxruntime-node on the same file and against PyTorch's own output, at batch 1 and 2
// (the models are exported with a symbolic batch dim N, so one import serves both).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '../../src/formats/npy.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Tolerance, compareTensors } from '../conformance/compare.js';
import { firstBatch } from '../codegen-e2e/architectures.js';
import { safeOutputName } from '../../src/cli/main.js';

const PYTHON = '/usr/bin/python3';
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const SCRIPT = join(FIXTURES, 'make_onnx_models.py');
/** models under 5 MB, committed */
const COMMITTED = join(FIXTURES, 'onnx');
/** larger models, written by the script when missing (gitignored) */
const GENERATED = join(FIXTURES, 'generated');

const DSC = fileURLToPath(new URL('../../bin/dsc.js', import.meta.url));
const TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };
const BATCH_SIZES = [1, 2];

/** per-test time limits: the interpreter is a reference, not a fast path (ResNet-18 is 1.8 GFLOP a image) */
const ARCHITECTURES: { name: string; timeoutMs: number }[] = [
  { name: 'mlp', timeoutMs: 30_000 },
  { name: 'lenet5', timeoutMs: 30_000 },
  { name: 'transformer_opset13', timeoutMs: 120_000 },
  { name: 'transformer_opset17', timeoutMs: 120_000 },
  { name: 'resnet18', timeoutMs: 600_000 },
  { name: 'mobilenetv2', timeoutMs: 600_000 },
];

function modelDir(name: string): string | undefined {
  return [COMMITTED, GENERATED].find((dir) => ['onnx', 'input.npy', 'output.npy'].every((ext) => existsSync(join(dir, `${name}.${ext}`))));
}

const missing = ARCHITECTURES.map((a) => a.name).filter((name) => !modelDir(name));
const torchAvailable = missing.length === 0 || spawnSync(PYTHON, ['-c', 'import torch, onnx']).status === 0;
// CI installs PyTorch, so there a missing exporter is a failure, not a reason to skip.
const skip = !torchAvailable && !process.env.CI;
if (skip) console.warn(`skipping architecture diff tests: ${PYTHON} cannot import torch and onnx to export ${missing.join(', ')}`);

function readNpyFile(path: string): Tensor {
  return readNpy(readFileSync(path), path);
}


async function runOnnxruntime(modelPath: string, input: Tensor): Promise<Tensor> {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
  try {
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input.data as Float32Array, [...input.shape]) };
    const out = (await session.run(feeds))[session.outputNames[0]];
    return new Tensor('f32', out.dims.map(Number), out.data as Float32Array);
  } finally {
    await session.release();
  }
}

function expectClose(actual: Tensor, expected: Tensor, what: string): void {
  const cmp = compareTensors(actual, expected, () => TOLERANCE);
  expect(cmp.ok, `${what}: ${cmp.reason}`).toBe(true);
}

describe.skipIf(skip)('architectures: interpreter vs onnxruntime-node vs PyTorch', () => {
  beforeAll(() => {
    expect(torchAvailable, `${PYTHON} cannot import torch and onnx; CI must install python3-torch and python3-onnx`).toBe(true);
    if (missing.length === 0) return;
    const gen = spawnSync(PYTHON, [SCRIPT, GENERATED, '--models', missing.join(',')], { encoding: 'utf8' });
    expect(gen.status, `${SCRIPT} failed:\n${gen.stderr}`).toBe(0);
  }, 300_000);

  for (const { name, timeoutMs } of ARCHITECTURES) {
    describe(name, () => {
      let graph: Graph | undefined;
      const files = () => {
        const dir = modelDir(name);
        if (!dir) throw new Error(`${name}: fixture files are missing after generation`);
        return { model: join(dir, `${name}.onnx`), input: readNpyFile(join(dir, `${name}.input.npy`)), output: readNpyFile(join(dir, `${name}.output.npy`)) };
      };

      for (const batch of BATCH_SIZES) {
        it(`batch ${batch}`, async () => {
          const { model, input, output } = files();
          graph ??= importOnnxFile(model);
          const x = firstBatch(input, batch);
          const ours = runGraph(graph, new Map([[graph.inputs[0].name, x]])).get(graph.outputs[0].name)!;
          const theirs = await runOnnxruntime(model, x);
          const torch = firstBatch(output, batch);
          expectClose(theirs, torch, 'onnxruntime-node vs PyTorch (fixture sanity)');
          expectClose(ours, theirs, 'interpreter vs onnxruntime-node');
          expectClose(ours, torch, 'interpreter vs PyTorch');
        }, timeoutMs);
      }

      it('through `dsc run` at batch 2', async () => {
        const { model, input } = files();
        const x = firstBatch(input, 2);
        const dir = mkdtempSync(join(tmpdir(), `dsc-${name}-`));
        writeFileSync(join(dir, 'x.npy'), writeNpy(x));
        const inputName = (graph ??= importOnnxFile(model)).inputs[0].name;
        const run = spawnSync(process.execPath, [DSC, 'run', model, '--input', `${inputName}=${join(dir, 'x.npy')}`, '--out', join(dir, 'out')], { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
        const ours = readNpyFile(join(dir, 'out', `${safeOutputName(graph.outputs[0].name)}.npy`));
        expectClose(ours, await runOnnxruntime(model, x), '`dsc run` vs onnxruntime-node');
      }, timeoutMs);
    });
  }
});
