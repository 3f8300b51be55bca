// A PyTorch state_dict loads, unchanged, into a compiled package of a real .ds model: every tensor
// `dsc params` lists (BatchNorm's num_batches_tracked included) is accepted, the ones the package
// does not read are skipped, and the outputs match the reference interpreter. A tensor that is
// neither is still refused by name. cpu always; wgsl where lavapipe runs shaders.
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileToPackage } from '../../src/codegen/compile.js';
import { compileDs } from '../../src/frontend/ds/compile.js';
import { initWeights } from '../../src/frontend/ds/weights.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';
import { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from '../conformance/compare.js';
import { compileWgslPackage, importWgslPackage, lavapipeGpu } from '../codegen-wgsl/harness.js';

const SOURCE = `import { Conv2d, BatchNorm2d, Linear } from "std/nn"
model SmallNet {
  conv = Conv2d(1, 4, 3, padding: 1, bias: false)
  bn = BatchNorm2d(4)
  fc = Linear(64, 3)
  forward(x: f32[N, 1, 4, 4]) -> f32[N, 3] {
    let y = relu(bn(conv(x)))
    return fc(reshape(y, [-1, 64]))
  }
}
`;

function model(): Graph {
  const r = compileDs(SOURCE, join(import.meta.dirname, 'small-net.ds'));
  if (!r.graph) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.graph;
}

const stateDict = initWeights(model(), 3);
const x = Tensor.fromNumbers('f32', [2, 1, 4, 4], Array.from({ length: 32 }, (_, i) => Math.sin(i)));
const expected = runGraph(model(), new Map([['x', x]]), { weights: stateDict }).get('output')!;
const feeds = { x: { data: x.data as Float32Array, shape: [...x.shape] } };
type Run = (inputs: typeof feeds) => Promise<Record<string, { data: Float32Array; shape: number[] }>>;

function expectReference(out: { data: Float32Array; shape: number[] }) {
  const cmp = compareTensors(new Tensor('f32', out.shape, out.data), expected, () => ({ rtol: 1e-4, atol: 1e-5 }));
  expect(cmp.ok, cmp.reason).toBe(true);
}

describe('a PyTorch state_dict in a compiled package', () => {
  it('carries num_batches_tracked, which the model declares but no kernel reads', () => {
    expect([...stateDict.keys()]).toContain('bn.num_batches_tracked');
  });

  it('loads unchanged into the cpu package; an unknown tensor is refused by name', { timeout: 600_000 }, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dsc-state-dict-')), 'small-net');
    const generated = await compileToPackage(model(), dir, { target: 'cpu' });
    expect(generated.manifest.ignoredParams).toContain('bn.num_batches_tracked');
    const { Model } = createRequire(import.meta.url)(join(dir, 'index.js')) as { Model: { load(w: Uint8Array): Promise<{ run: Run; dispose(): void }> } };
    const loaded = await Model.load(writeSafetensors(stateDict));
    expectReference((await loaded.run(feeds)).output);
    loaded.dispose();
    const extra = new Map([...stateDict, ['head.weight', x]]);
    await expect(Model.load(writeSafetensors(extra))).rejects.toThrow(/weight 'head\.weight' is not a parameter of model SmallNet/);
  });

  const gpu = lavapipeGpu();
  it.skipIf(!gpu)('loads unchanged into the wgsl package', { timeout: 300_000 }, async () => {
    const { dir } = await compileWgslPackage(model(), 'small-net');
    const { Model } = await importWgslPackage(dir);
    const loaded = (await Model.load(writeSafetensors(stateDict), { gpu: gpu! })) as unknown as { run: Run; dispose(): void };
    expectReference((await loaded.run(feeds)).output);
    loaded.dispose();
    await expect(Model.load(writeSafetensors(new Map([...stateDict, ['head.weight', x]])), { gpu: gpu! })).rejects.toThrow(/weight 'head\.weight' is not a parameter of model SmallNet/);
  });
});
