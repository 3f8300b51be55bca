// `dsc profile` on the wgsl target: the plan run in this process on the default Node GPU, timed by
// GPU timestamps where the adapter has timestamp-query, else one submit per shader.
import { Graph } from '../../../ir/graph.js';
import { generatePackage } from '../../compile.js';
import { ProfiledPackage, TargetProfileOptions, kernelSourceValues } from '../target.js';

export async function profileWgsl(graph: Graph, opts: TargetProfileOptions): Promise<ProfiledPackage> {
  const generated = generatePackage(graph, { target: 'wgsl', level: opts.level, onStage: opts.onStage });
  const { defaultNodeGpu } = await import('../../../../runtime/webgpu/node-default.js');
  const { WebGpuModel } = await import('../../../../runtime/webgpu/executor.js');
  const plan = generated.wgsl!.plan;
  const model = await WebGpuModel.load(await defaultNodeGpu(), plan, opts.weights ?? generated.weights);
  const sources = new Map<string, string[]>();
  for (const s of plan.shaders) sources.set(s.name, kernelSourceValues(`${s.code}\n// kernel ${s.name}`, /^\/\/ kernel (\S+)$/).get(s.name) ?? []);
  return {
    manifest: generated.manifest,
    sources,
    async profiledRun() {
      await model.run(opts.inputs, { profile: true });
      return model.lastProfile!.kernels;
    },
    async plainRun() {
      const t0 = performance.now();
      await model.run(opts.inputs);
      return performance.now() - t0;
    },
    timing: model.profileMethod === 'timestamp-query'
      ? 'GPU timestamps (timestamp-query) at the start and end of each shader\'s compute pass'
      : 'one queue submit per shader, timed on the CPU from submit to onSubmittedWorkDone (the device has no timestamp-query)',
    dispose: () => model.destroy(),
  };
}
