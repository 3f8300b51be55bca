// `dsc profile` on the cpu target: the cached package loaded twice, once with its per-kernel timers on
// (steady-clock marks after each kernel call in the generated run function) and once without.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Graph } from '../../../ir/graph.js';
import { writeSafetensors } from '../../../formats/safetensors.js';
import { cachedPackage } from '../../compile.js';
import { KernelTiming, ProfiledPackage, TargetProfileOptions, kernelSourceValues } from '../target.js';

export async function profileCpu(graph: Graph, opts: TargetProfileOptions): Promise<ProfiledPackage> {
  const pkg = await cachedPackage(graph, { target: 'cpu', level: opts.level, onStage: opts.onStage });
  const require = createRequire(join(pkg.dir, 'index.js'));
  interface CpuModel {
    runSync(inputs: object): unknown;
    readonly lastProfile: { kernels: KernelTiming[] } | null;
    dispose(): void;
  }
  const { Model } = require(join(pkg.dir, 'index.js')) as { Model: { load(w: Uint8Array, o: object): Promise<CpuModel> } };
  const weights = opts.weights ? writeSafetensors(new Map(opts.weights)) : pkg.generated.weights ?? writeSafetensors(new Map());
  const profiled = await Model.load(weights, { profile: true, threads: opts.threads });
  const plain = await Model.load(weights, { threads: opts.threads });
  const feeds = Object.fromEntries([...opts.inputs].map(([k, t]) => [k, { data: t.data, shape: [...t.shape] }]));
  return {
    manifest: pkg.generated.manifest,
    sources: kernelSourceValues(pkg.generated.kernelFiles.get('model.cc') ?? '', /^static int (\w+)\(/),
    async profiledRun() {
      profiled.runSync(feeds);
      return profiled.lastProfile!.kernels;
    },
    async plainRun() {
      const t0 = performance.now();
      plain.runSync(feeds);
      return performance.now() - t0;
    },
    timing: 'steady-clock timestamps after each kernel call in the generated run function (runSync, this thread)',
    dispose() {
      profiled.dispose();
      plain.dispose();
    },
  };
}
