// ONNX → .ds → IR: the imported model written as .ds and its safetensors, compiled back, computes what
// the ONNX import computes (same interpreter, rtol 1e-5) at two batch sizes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diag/diagnostic.js';
import { compileDsFile } from '../../../src/frontend/ds/compile.js';
import { importOnnxFile } from '../../../src/frontend/onnx/import.js';
import { importToDs } from '../../../src/frontend/onnx-to-ds/emit.js';
import { readSafetensors, writeSafetensors } from '../../../src/formats/safetensors.js';
import { dimSymbols, evalDim } from '../../../src/ir/dim.js';
import { Value } from '../../../src/ir/graph.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor, sizeOf } from '../../../src/ir/tensor.js';
import { compareTensors } from '../../conformance/compare.js';

const PYTHON = '/usr/bin/python3';
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const GENERATED = join(FIXTURES, 'generated');
const BATCH_SIZES = [1, 3];

const MODELS: { name: string; dir: string; timeoutMs: number }[] = [
  { name: 'mlp', dir: join(FIXTURES, 'onnx'), timeoutMs: 30_000 },
  { name: 'lenet5', dir: join(FIXTURES, 'onnx'), timeoutMs: 30_000 },
  { name: 'transformer_opset13', dir: join(FIXTURES, 'onnx'), timeoutMs: 60_000 },
  { name: 'transformer_opset17', dir: join(FIXTURES, 'onnx'), timeoutMs: 60_000 },
  { name: 'resnet18', dir: GENERATED, timeoutMs: 300_000 },
  { name: 'mobilenetv2', dir: GENERATED, timeoutMs: 300_000 },
];

const missing = MODELS.filter((m) => !existsSync(join(m.dir, `${m.name}.onnx`))).map((m) => m.name);
const torchAvailable = missing.length === 0 || spawnSync(PYTHON, ['-c', 'import torch, onnx']).status === 0;
// CI installs PyTorch, so there a missing exporter is a failure, not a reason to skip.
const skipGenerated = !torchAvailable && !process.env.CI;
if (skipGenerated) console.warn(`skipping ${missing.join(', ')}: ${PYTHON} cannot import torch and onnx to export them`);

function ensureModel(name: string, dir: string): string {
  const path = join(dir, `${name}.onnx`);
  if (!existsSync(path)) {
    const gen = spawnSync(PYTHON, [join(FIXTURES, 'make_onnx_models.py'), dir, '--models', name], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
  }
  return path;
}

/** Deterministic values in [-2, 2) for an input whose symbolic dims are all the batch size. */
function randomInput(v: Value, batch: number, seed: number): Tensor {
  const env = new Map<string, number>();
  for (const d of v.type.shape) for (const name of dimSymbols(d)) env.set(name, batch);
  const shape = v.type.shape.map((d) => evalDim(d, env));
  let s = seed;
  const values = Array.from({ length: sizeOf(shape) }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 4 - 2;
  });
  return Tensor.fromNumbers(v.type.dtype, shape, values);
}

describe('imported .ds compiles and computes what the ONNX model computes', () => {
  for (const m of MODELS) {
    const skip = skipGenerated && missing.includes(m.name);
    it.skipIf(skip)(m.name, () => {
      const onnxPath = ensureModel(m.name, m.dir);
      const imported = importOnnxFile(onnxPath);
      const { source, weights } = importToDs(onnxPath, {});
      const dir = mkdtempSync(join(tmpdir(), 'dsc-import-'));
      const dsPath = join(dir, `${m.name}.ds`);
      writeFileSync(dsPath, source);
      const loaded = readSafetensors(writeSafetensors(weights), `${m.name}.safetensors`);

      const compiled = compileDsFile(dsPath);
      const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => formatDiagnostic(d, compiled.sources)).join('\n')).toBe('');
      const graph = compiled.graph!;
      expect(graph.inputs.length).toBe(imported.inputs.length);
      expect(new Set(graph.params.map((p) => p.name))).toEqual(new Set(loaded.keys()));

      for (const batch of BATCH_SIZES) {
        const inputs = imported.inputs.map((v, i) => randomInput(v, batch, 17 + i));
        const expected = runGraph(imported, new Map(imported.inputs.map((v, i) => [v.name, inputs[i]])));
        const actual = runGraph(graph, new Map(graph.inputs.map((v, i) => [v.name, inputs[i]])), { weights: loaded });
        imported.outputs.forEach((o, i) => {
          const cmp = compareTensors(actual.get(graph.outputs[i].name)!, expected.get(o.name)!, () => ({ rtol: 1e-5, atol: 1e-6 }));
          expect(cmp.ok, `${m.name} batch ${batch} output ${o.name}: ${cmp.reason}`).toBe(true);
        });
      }
    }, m.timeoutMs);
  }
});
