// `dsc run --target wgsl`: the shaders run in this process through the `webgpu` package (Dawn on any
// Vulkan driver, Mesa lavapipe included); there is nothing native to build, so nothing is cached.
import { Tensor } from '../../../ir/tensor.js';
import { diag } from '../../../diag/diagnostic.js';
import { ModelManifest } from '../../abi.js';
import { WgslProgram } from '../../wgsl/generate.js';
import { TargetRunResult } from '../target.js';

export async function runWgsl(manifest: ModelManifest, program: WgslProgram, weights: Uint8Array | undefined, inputs: ReadonlyMap<string, Tensor>, source: string): Promise<TargetRunResult> {
  const declared = manifest.inputs;
  for (const name of inputs.keys())
    if (!declared.some((t) => t.name === name))
      throw diag('DSC4001', `'${name}' is not an input of ${source}; inputs are: ${declared.map((t) => t.name).join(', ') || '(none)'}`, { file: source });
  for (const t of declared) {
    const given = inputs.get(t.name);
    if (!given) throw diag('DSC4002', `input '${t.name}' (${t.dtype}[${t.shape.join(', ')}]) is missing`, { file: source });
    if (given.dtype !== t.dtype) throw diag('DSC4003', `input '${t.name}' has dtype ${given.dtype}, expected ${t.dtype}`, { file: source });
  }
  const { defaultNodeGpu } = await import('../../../../runtime/webgpu/node-default.js');
  const { WebGpuModel } = await import('../../../../runtime/webgpu/executor.js');
  const model = await WebGpuModel.load(await defaultNodeGpu(), program.plan, weights);
  try {
    const t0 = performance.now();
    const outs = await model.run(inputs).catch((e: Error) => {
      // the executor checks shapes against the plan as it binds the symbols
      throw / has shape /.test(e.message) ? diag('DSC4004', e.message, { file: source }) : e;
    });
    const ms = performance.now() - t0;
    const result = new Map<string, Tensor>();
    for (const o of manifest.outputs) {
      const v = outs.get(o.name)!;
      result.set(o.name, new Tensor(o.dtype, v.shape, v.data as Tensor['data']));
    }
    return { outputs: result, ms };
  } finally {
    model.destroy();
  }
}
