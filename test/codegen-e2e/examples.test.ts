// Every .ds example through the compile driver to a real built package, loaded once in this process
// and run at batch 1 and batch 2 against the reference interpreter. Weights are seeded
// (`dsc init-weights`), so no PyTorch is needed; inputs are the committed fixture inputs where they
// exist (token ids must be in range) and seeded normal values otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cachedPackage } from '../../src/codegen/compile.js';
import { readNpy } from '../../src/formats/npy.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';
import { compileDsFile, initWeights } from '../../src/frontend/ds/compile.js';
import { Graph } from '../../src/ir/graph.js';
import { evalDim } from '../../src/ir/dim.js';
import { Tensor } from '../../src/ir/tensor.js';
import { expectPackageMatches, firstBatch, loadPackage } from './architectures.js';

process.env.DSC_CACHE_DIR = join(tmpdir(), 'dsc-e2e-cache');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = ['mlp', 'lenet5', 'bert_encoder', 'gpt_decoder', 'unet', 'resnet18', 'resnet50', 'mobilenet_v2'];

function compileExample(name: string): Graph {
  const r = compileDsFile(join(ROOT, 'examples', name, `${name}.ds`));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.graph!;
}

/** A deterministic standard-normal-ish value stream (sum of uniforms), seeded per input. */
function seededNormals(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = next() + next() + next() - 1.5;
  return out;
}

/** The inputs at batch 2: committed fixture inputs where present, else seeded values. */
function inputsFor(name: string, graph: Graph): Map<string, Tensor> {
  const inputs = new Map<string, Tensor>();
  graph.inputs.forEach((v, k) => {
    const file = join(ROOT, 'test', 'fixtures', 'ds', `${name}.input.${v.name}.npy`);
    if (existsSync(file)) {
      inputs.set(v.name, readNpy(readFileSync(file), file));
      return;
    }
    expect(v.type.dtype, `${name}: no fixture for non-float input ${v.name}`).toBe('f32');
    const shape = v.type.shape.map((d) => evalDim(d, new Map([['N', 2], ['B', 2]])));
    inputs.set(v.name, new Tensor('f32', shape, seededNormals(shape.reduce((a, b) => a * b, 1), 17 + k)));
  });
  return inputs;
}

describe('.ds examples: compiled cpu package vs the interpreter', () => {
  for (const name of EXAMPLES) {
    it(`${name} at batch 1 and 2, loaded once`, async () => {
      const graph = compileExample(name);
      const weights = initWeights(graph, 1);
      graph.weights = weights;
      const pkg = await cachedPackage(graph, { target: 'cpu' });
      const model = await loadPackage(pkg.dir, writeSafetensors(weights));
      try {
        const all = inputsFor(name, graph);
        for (const batch of [1, 2]) {
          const inputs = new Map([...all].map(([k, t]) => [k, firstBatch(t, batch)]));
          expectPackageMatches(model, graph, inputs, `${name} batch ${batch}`, weights);
        }
      } finally {
        model.dispose();
      }
    }, 600_000);
  }
});
