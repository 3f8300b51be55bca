// LANGUAGE.md's causal-mask idiom, `scores + triu(full([S, S], -1e9), diagonal: 1)`, in a causal
// self-attention block whose sequence length is the symbol S: it compiles for the cpu and wgsl targets as
// `dsc compile` compiles it, each package matches the reference interpreter at two lengths and batch 1
// and 2 (the wgsl package on lavapipe), and a token's output does not depend on the tokens after it.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { compileDs, initWeights } from '../../src/frontend/ds/compile.js';
import { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { randomTensor } from '../codegen/harness.js';
import { Feeds, expectPackageMatches, firstBatch } from './architectures.js';
import { itOnBothTargets } from './both-targets.js';

process.env.DSC_CACHE_DIR = join(tmpdir(), 'dsc-e2e-cache');

const SOURCE = `import { Linear } from "std/nn"

model CausalSelfAttention {
  qkv = Linear(32, 96)
  proj = Linear(32, 32)

  forward(x: f32[N, S, 32]) -> f32[N, S, 32] {
    let h = transpose(reshape(qkv(x), shape: [N, S, 3, 4, 8]), perm: [2, 0, 3, 1, 4])
    let q = squeeze(slice(h, starts: [0], ends: [1], axes: [0]), axes: [0])
    let k = squeeze(slice(h, starts: [1], ends: [2], axes: [0]), axes: [0])
    let v = squeeze(slice(h, starts: [2], ends: [3], axes: [0]), axes: [0])
    let scores: f32[N, 4, S, S] = q @ k.transpose(-2, -1) / sqrt(8.0)
    scores = scores + triu(full([S, S], -1e9), diagonal: 1)
    let context = softmax(scores, axis: -1) @ v
    return proj(reshape(transpose(context, perm: [0, 2, 1, 3]), shape: [N, S, 32]))
  }
}
`;

function block(): Graph {
  const r = compileDs(SOURCE, '/virtual/causal.ds');
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const graph = r.graph!;
  expect(graph.nodes.map((n) => n.op)).toEqual(expect.arrayContaining(['trilu', 'constant_of_shape']));
  graph.weights = initWeights(graph, 5);
  return graph;
}

const LENGTHS = [5, 12];
const input = (S: number) => randomTensor('f32', [2, S, 32], 70 + S, -1.5, 1.5);
const batch = (x: Tensor, n: number) => new Map([['x', firstBatch(x, n)]]);

/**
 * Expects a package to match the interpreter at every length and batch 1 and 2, and a token's output
 * not to depend on later tokens (the last token of x changed leaves every earlier token's output alone).
 */
async function expectCausalMatches(model: { run(inputs: Feeds): Promise<Feeds> }, graph: Graph, target: string): Promise<void> {
  for (const S of LENGTHS) for (const n of [1, 2]) await expectPackageMatches(model, graph, batch(input(S), n), `causal ${target} S ${S} batch ${n}`, graph.weights);
  const S = LENGTHS[0];
  const x = firstBatch(input(S), 1);
  const changed = new Tensor('f32', x.shape, (x.data as Float32Array).map((v, i) => (i >= (S - 1) * 32 ? v + 1 : v)));
  const run = async (t: Tensor) => (await model.run({ x: { data: t.data, shape: [...t.shape] } }))[graph.outputs[0].name].data as Float32Array;
  const [a, b] = [await run(x), await run(changed)];
  expect(Array.from(a.slice(0, (S - 1) * 32))).toEqual(Array.from(b.slice(0, (S - 1) * 32)));
  expect(Array.from(a.slice((S - 1) * 32))).not.toEqual(Array.from(b.slice((S - 1) * 32)));
}

describe('the causal-mask idiom of LANGUAGE.md in a causal self-attention block', () => {
  itOnBothTargets('causal-attention', block, expectCausalMatches, {
    cpu: 'cpu package matches the interpreter and is causal',
    wgsl: 'wgsl package validates, matches the interpreter on lavapipe and is causal',
  });
});
