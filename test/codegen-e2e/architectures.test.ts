// Every ONNX architecture through the compile driver to a real built package (the content-hash cache
// of `dsc run --target cpu`, kept under the system temp dir so a second run only loads), then loaded
// once in this process and run at batch 1 and batch 2 against the reference interpreter.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CachedPackage, cachedPackage } from '../../src/codegen/compile.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { Graph } from '../../src/ir/graph.js';
import { ARCHITECTURES, ExportState, expectPackageMatches, exportForTests, firstBatch, loadPackage, modelFiles } from './architectures.js';

process.env.DSC_CACHE_DIR = join(tmpdir(), 'dsc-e2e-cache');

const BATCH_SIZES = [1, 2];
/** package builds at once: each build already compiles its translation units in parallel */
const CONCURRENT_BUILDS = 2;

let exported: ExportState = { unavailable: [] };

/** Starts `jobs` with at most `limit` in flight; each keeps its own promise, so a failed build fails only its model. */
function limited<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T>[] {
  let running = 0;
  const waiting: (() => void)[] = [];
  const acquire = () => new Promise<void>((start) => {
    if (running < limit) { running++; start(); } else waiting.push(start);
  });
  const release = () => {
    const start = waiting.shift();
    if (start) start(); else running--;
  };
  return jobs.map(async (job) => {
    await acquire();
    try { return await job(); } finally { release(); }
  });
}

const graphs = new Map<string, Graph>();
const builds = new Map<string, Promise<CachedPackage>>();

describe('architectures: compiled cpu package vs the interpreter', () => {
  beforeAll(() => {
    exported = exportForTests();
    const available = ARCHITECTURES.filter((n) => !exported.unavailable.includes(n));
    for (const name of available) graphs.set(name, importOnnxFile(modelFiles(name).model));
    const started = limited(available.map((name) => () => cachedPackage(graphs.get(name)!, { target: 'cpu' })), CONCURRENT_BUILDS);
    available.forEach((name, i) => {
      started[i].catch(() => undefined);
      builds.set(name, started[i]);
    });
  }, 600_000);

  for (const name of ARCHITECTURES) {
    it(`${name} at batch ${BATCH_SIZES.join(' and ')}, loaded once`, async (ctx) => {
      if (exported.unavailable.includes(name)) ctx.skip(exported.reason);
      const graph = graphs.get(name)!;
      const pkg = await builds.get(name)!;
      const weights = pkg.generated.weights;
      expect(weights, `${name}: the compiled package carries no weights`).toBeDefined();
      const model = await loadPackage(pkg.dir, weights!);
      try {
        const input = modelFiles(name).input;
        for (const batch of BATCH_SIZES) {
          const x = firstBatch(input, batch);
          await expectPackageMatches(model, graph, new Map([[graph.inputs[0].name, x]]), `${name} batch ${batch}`);
        }
      } finally {
        model.dispose();
      }
    }, 300_000);
  }
});
