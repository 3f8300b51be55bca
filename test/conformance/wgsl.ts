/// <reference types="@webgpu/types" />
// The WGSL column of the conformance report: every case that passes on the reference interpreter is
// generated with generateWgsl, each shader is validated on Dawn's null backend, and the plan runs on
// one lavapipe device through the WebGPU executor, on the suite's inputs with the imported graph's
// weights, compared with the suite's expected outputs at the interpreter's tolerances.
import { generateWgsl } from '../../src/codegen/wgsl/generate.js';
import { HostTensor, WebGpuModel } from '../../runtime/webgpu/executor.js';
import { toTensor, validateShader } from '../codegen-wgsl/harness.js';
import { CaseResult, DataSetCheck } from './runner.js';
import { TargetResult, firstLine, generationFailure, outputsDiffer } from './target.js';

/** One lavapipe device for the whole suite (a Vulkan device per case would cost lavapipe more than most cases). */
export async function suiteDevice(gpu: GPU): Promise<GPUDevice> {
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('lavapipe gave no WebGPU adapter');
  const { limits } = adapter;
  return adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize, maxBufferSize: limits.maxBufferSize },
  });
}

/** Why one data set fails on the wgsl target, or '' when it passes; throws what generateWgsl throws. */
async function runDataSet(check: DataSetCheck, device: GPUDevice): Promise<string> {
  const { graph, inputs, set } = check;
  const { shaders, plan } = generateWgsl(graph);
  for (const s of shaders) {
    const errors = await validateShader(s);
    if (errors) return `validation (${set}): ${firstLine(errors)}`;
  }
  const weights = new Map(graph.params.map((p) => {
    const w = graph.weights.get(p.name);
    if (!w) throw new Error(`param '${p.name}' has no weight`);
    return [p.name, w as HostTensor] as const;
  }));
  let model: WebGpuModel;
  try {
    model = await WebGpuModel.load(device, plan, weights);
  } catch (e) {
    return `load (${set}): ${firstLine(e instanceof Error ? e.message : String(e))}`;
  }
  try {
    const got = await model.run(new Map(graph.inputs.map((v, i) => [v.name, inputs[i]] as const)));
    return outputsDiffer(check, graph.outputs.map((v) => toTensor(got.get(v.name)!)));
  } catch (e) {
    return `run (${set}): ${firstLine(e instanceof Error ? e.message : String(e))}`;
  } finally {
    model.destroy();
  }
}

/** Runs every case that passed on the interpreter through the wgsl target on `device`; results by case id. */
export async function runWgslSuite(results: readonly CaseResult[], device: GPUDevice): Promise<Map<string, TargetResult>> {
  const out = new Map<string, TargetResult>();
  for (const r of results) {
    if (r.outcome !== 'pass') continue;
    let reason = '';
    try {
      for (const check of r.checks) if ((reason = await runDataSet(check, device))) break;
    } catch (e) {
      out.set(r.id, generationFailure(r.id, 'generateWgsl', e));
      continue;
    }
    out.set(r.id, { id: r.id, outcome: reason ? 'fail' : 'pass', reason, unsupported: [] });
  }
  return out;
}
