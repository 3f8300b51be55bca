// The .ds examples as the end-to-end tests compile them: each example's graph, and its inputs (the
// committed fixture inputs where they exist, since token ids must be in range; seeded normal values
// otherwise). Weights come from `initWeights`, so no PyTorch is needed; `exampleWeights` keeps the
// activations of deep plain stacks from fading to nothing, so the comparisons test the whole network.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { readNpy } from '../../src/formats/npy.js';
import { compileDsFile, initWeights } from '../../src/frontend/ds/compile.js';
import { Graph } from '../../src/ir/graph.js';
import { evalDim } from '../../src/ir/dim.js';
import { Tensor } from '../../src/ir/tensor.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLES = ['mlp', 'lenet5', 'bert_encoder', 'gpt_decoder', 'unet', 'resnet18', 'resnet50', 'mobilenet_v2'];

export function compileExample(name: string): Graph {
  const r = compileDsFile(join(ROOT, 'examples', name, `${name}.ds`));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.graph!;
}

/**
 * Seeded weights for an example. With `initWeights`' bounds (uniform ±1/sqrt(fan_in)) each conv scales
 * the variance by about 1/3 and each ReLU halves it; MobileNetV2's 50 layers without a residual gain
 * shrink the features to zero, leaving the classifier bias as the output. Its batch norms therefore get
 * running_var = 1/6, which restores unit scale per layer.
 */
export function exampleWeights(name: string, graph: Graph): Map<string, Tensor> {
  const weights = initWeights(graph, 1);
  if (name === 'mobilenet_v2')
    for (const [k, t] of weights) if (k.endsWith('running_var')) weights.set(k, Tensor.fromNumbers(t.dtype, t.shape, new Array(t.shape[0]).fill(1 / 6)));
  return weights;
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
export function inputsFor(name: string, graph: Graph): Map<string, Tensor> {
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
