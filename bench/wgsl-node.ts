// The WGSL part of `npm run bench` in Node: each model's wgsl build run by the WebGPU executor (what a
// wgsl package's index.js runs) through the `webgpu` package (Dawn) on Mesa's lavapipe, a software
// Vulkan device that runs the shaders on the CPU cores. Measured against onnxruntime-node on the CPU
// at one thread for context, in alternating slices; the time of a run includes the readback, as
// `await model.run()` does.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import { WebGpuModel } from '../runtime/webgpu/executor.js';
import { nodeGpu } from '../runtime/webgpu/node.js';
import { GeneratedPackage } from '../src/codegen/compile.js';
import { Tensor } from '../src/ir/tensor.js';
import { BenchModel, ortSession } from './cpu.js';
import { CPU_BUDGET, GPU_BUDGET, agreement, budgetText, firstBatch, loadText, local, machine, measure, median, ms, ratio, writeSection } from './common.js';

export const WGSL_NODE_TITLE = '## WGSL in Node on lavapipe (software Vulkan) vs onnxruntime-node: batch-1 latency';
export const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';

export interface WgslModel extends BenchModel {
  generated: GeneratedPackage;
  /** onnxruntime-node's output at batch 1 */
  reference: Float32Array;
}

interface Row { model: string; first: number; wgsl: number; runs: number; ort1: number; agree: string; error?: string }

/** The adapter's own description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
async function adapterName(gpu: GPU): Promise<string> {
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const info = adapter.info;
  return [info.description || info.device, info.vendor && `vendor ${info.vendor}`, info.architecture].filter(Boolean).join(', ');
}

async function benchModel(m: WgslModel, gpu: GPU): Promise<Row> {
  const x = firstBatch(m.input, 1);
  const inputName = m.graph.inputs[0].name, outputName = m.graph.outputs[0].name;
  const feeds = new Map<string, Tensor>([[inputName, x]]);
  const model = await WebGpuModel.load(gpu, m.generated.wgsl!.plan, m.generated.weights);
  const ort1 = await ortSession(m.model, 1);
  const ortFeeds = { [inputName]: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) };
  try {
    const t0 = performance.now();
    const out = (await model.run(feeds)).get(outputName)!.data as Float32Array;
    const first = performance.now() - t0;
    const agree = agreement(out, m.reference);
    const [[w], [o]] = await measure([
      // a slow first run is mostly lavapipe compiling the pipelines, and warms the model up by itself
      { slicers: [local(() => model.run(feeds))], budget: GPU_BUDGET, warmup: first < 2000 },
      { slicers: [local(() => ort1.run(ortFeeds))], budget: CPU_BUDGET },
    ]);
    return { model: m.name, first, wgsl: median(w), runs: w.length, ort1: median(o), agree };
  } finally {
    model.destroy();
    await ort1.release();
  }
}

/** Measures every model on lavapipe; prints the table and, when `write`, replaces this part's section of RESULTS.md. */
export async function benchWgslNode(models: WgslModel[], command: string, write: boolean): Promise<void> {
  if (!existsSync(LAVAPIPE_ICD) && !process.env.VK_ICD_FILENAMES) {
    console.warn(`wgsl: skipped: no lavapipe Vulkan driver at ${LAVAPIPE_ICD} (Debian mesa-vulkan-drivers)`);
    return;
  }
  process.env.VK_ICD_FILENAMES ??= LAVAPIPE_ICD;
  const gpu = nodeGpu();
  const adapter = await adapterName(gpu);
  const loadAtStart = loadavg()[0];
  const rows: Row[] = [];
  for (const m of models) {
    process.stderr.write(`wgsl: ${m.name}: measuring on ${adapter}...\n`);
    try {
      rows.push(await benchModel(m, gpu));
    } catch (e) {
      console.warn(`wgsl: ${m.name}: ${(e as Error).message}`);
      rows.push({ model: m.name, first: NaN, wgsl: NaN, runs: 0, ort1: NaN, agree: '—', error: (e as Error).message.split('\n')[0] });
    }
  }
  const lines = [
    '| model | dsc wgsl on lavapipe | runs | first run | ORT-node CPU 1T | ratio | output vs ORT-node |',
    '| --- | ---: | ---: | ---: | ---: | ---: | :---: |',
    ...rows.map((r) => r.error
      ? `| ${r.model} | failed: ${r.error} | | | | | |`
      : `| ${r.model} | ${ms(r.wgsl)} | ${r.runs} | ${ms(r.first)} | ${ms(r.ort1)} | ${ratio(r.wgsl, r.ort1)} | ${r.agree} |`),
  ];
  console.log(lines.join('\n'));
  if (!write) return;
  writeSection(WGSL_NODE_TITLE, [
    `${machine()}, no GPU · adapter: ${adapter} · webgpu (Dawn) npm package · ${loadText(loadAtStart)}`,
    '',
    `Command: ${command}.`,
    '',
    '**A software adapter**: lavapipe compiles the shaders with LLVM and runs them on the same two CPU cores, so these',
    'figures say what the WGSL target costs where no GPU is present and how its kernels improve, not how it runs on a GPU.',
    'dsc wgsl: `dsc compile --target wgsl`\'s plan run by the WebGPU executor (`runtime/webgpu`, what the package\'s `index.js`',
    'runs), `await model.run()` from writing the input to holding the output read back. Milliseconds per run at batch 1: the',
    `median of at least ${budgetText(GPU_BUDGET)} (the run count is given), after the first run and a 300 ms warm-up`,
    '(no warm-up where the first run took over 2 s: that run warmed everything up). "first run" includes lavapipe compiling',
    'every pipeline, which it does at the first dispatch.',
    'ORT-node CPU 1T: onnxruntime-node at one thread (as in the CPU table) on the same .onnx file and input, measured in',
    'alternating 250 ms slices with the WGSL runs, for context; ratio = dsc wgsl ÷ ORT-node. ✓: the WGSL output agrees',
    'with onnxruntime-node\'s within rtol 1e-4 / atol 1e-5.',
    '',
    ...lines,
    '',
  ]);
}
