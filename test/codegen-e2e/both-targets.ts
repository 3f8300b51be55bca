// One model checked as each compiled target's package: the cpu package (built through the content-hash
// cache) and the wgsl package (every shader validated; run on lavapipe where it is present, which CI
// requires), each handed to the same check.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { cachedPackage } from '../../src/codegen/compile.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';
import { Graph } from '../../src/ir/graph.js';
import { compileWgslPackage, importWgslPackage, lavapipeGpu, validateShader } from '../codegen-wgsl/harness.js';
import { Feeds, loadPackage } from './architectures.js';

export type PackageCheck = (model: { run(inputs: Feeds): Promise<Feeds> }, graph: Graph, target: string) => Promise<void>;

/** Two tests, named by `titles`: the graph `build()` gives, compiled for cpu and for wgsl, passes `check`. */
export function itOnBothTargets(name: string, build: () => Graph, check: PackageCheck, titles: { cpu: string; wgsl: string }): void {
  it(titles.cpu, async () => {
    const graph = build();
    const pkg = await cachedPackage(graph, { target: 'cpu' });
    const model = await loadPackage(pkg.dir, writeSafetensors(graph.weights));
    try {
      await check(model, graph, 'cpu');
    } finally {
      model.dispose();
    }
  }, 600_000);

  const gpu = lavapipeGpu();
  it(titles.wgsl, async () => {
    const graph = build();
    const { dir, generated } = await compileWgslPackage(graph, name);
    onTestFinished(() => rmSync(dirname(dir), { recursive: true, force: true }));
    for (const s of generated.wgsl!.shaders) expect(await validateShader(s)).toBe('');
    if (!gpu) return;
    const model = await (await importWgslPackage(dir)).Model.load(join(dir, 'weights.safetensors'), { gpu });
    try {
      await check(model, graph, 'wgsl');
    } finally {
      model.dispose();
    }
  }, 600_000);
}
