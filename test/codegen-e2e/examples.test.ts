// Every .ds example through the compile driver to a real built package, loaded once in this process
// and run at batch 1 and batch 2 against the reference interpreter. Weights are seeded
// (`dsc init-weights`), so no PyTorch is needed; inputs are the committed fixture inputs where they
// exist (token ids must be in range) and seeded normal values otherwise.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { cachedPackage } from '../../src/codegen/compile.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';
import { expectPackageMatches, firstBatch, loadPackage } from './architectures.js';
import { EXAMPLES, compileExample, exampleWeights, inputsFor } from './examples.js';

process.env.DSC_CACHE_DIR = join(tmpdir(), 'dsc-e2e-cache');

describe('.ds examples: compiled cpu package vs the interpreter', () => {
  for (const name of EXAMPLES) {
    it(`${name} at batch 1 and 2, loaded once`, async () => {
      const graph = compileExample(name);
      const weights = exampleWeights(name, graph);
      graph.weights = weights;
      const pkg = await cachedPackage(graph, { target: 'cpu' });
      const model = await loadPackage(pkg.dir, writeSafetensors(weights));
      try {
        const all = inputsFor(name, graph);
        for (const batch of [1, 2]) {
          const inputs = new Map([...all].map(([k, t]) => [k, firstBatch(t, batch)]));
          await expectPackageMatches(model, graph, inputs, `${name} batch ${batch}`, weights);
        }
      } finally {
        model.dispose();
      }
    }, 600_000);
  }
});
