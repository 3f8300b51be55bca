// A U-Net whose decoder upsamples with std/nn's ConvTranspose2d (test/fixtures/ds/unet_transposed.ds)
// compiles for the cpu and wgsl targets as `dsc compile` compiles it, and each package matches the
// reference interpreter at batch 1 and 2 (seeded weights and inputs; the wgsl package on lavapipe).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { compileDsFile, initWeights } from '../../src/frontend/ds/compile.js';
import { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Feeds, expectPackageMatches, firstBatch } from './architectures.js';
import { itOnBothTargets } from './both-targets.js';

process.env.DSC_CACHE_DIR = join(tmpdir(), 'dsc-e2e-cache');
const SOURCE = fileURLToPath(new URL('../fixtures/ds/unet_transposed.ds', import.meta.url));

function unet(): Graph {
  const r = compileDsFile(SOURCE);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const graph = r.graph!;
  expect(graph.nodes.filter((n) => n.op === 'conv_transpose')).toHaveLength(2);
  graph.weights = initWeights(graph, 1);
  return graph;
}

/** Seeded values in [-1.5, 1.5) for the image at batch 2. */
function image(graph: Graph): Map<string, Tensor> {
  const shape = [2, ...graph.inputs[0].type.shape.slice(1)] as number[];
  let s = 23;
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 3 - 1.5);
  return new Map([[graph.inputs[0].name, new Tensor('f32', shape, data)]]);
}

/** Runs a loaded package at batch 1 and 2 and expects the interpreter's output each time. */
async function expectBatchesMatch(model: { run(inputs: Feeds): Promise<Feeds> }, graph: Graph, target: string): Promise<void> {
  const all = image(graph);
  for (const n of [1, 2])
    await expectPackageMatches(model, graph, new Map([...all].map(([k, t]) => [k, firstBatch(t, n)])), `unet_transposed ${target} batch ${n}`, graph.weights);
}

describe('U-Net with ConvTranspose2d', () => {
  itOnBothTargets('unet-transposed', unet, expectBatchesMatch, {
    cpu: 'cpu package matches the interpreter at batch 1 and 2',
    wgsl: 'wgsl package validates, and matches the interpreter on lavapipe at batch 1 and 2',
  });
});
