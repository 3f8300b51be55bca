// WebGPU for the WGSL tests: Dawn's null backend validates shaders anywhere; running them needs a
// Vulkan driver, Mesa's lavapipe (software). Without lavapipe the running tests skip with a printed
// reason, except under CI, where its absence is a failure.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WgslShader } from '../../runtime/webgpu/plan.js';
import { nodeGpu } from '../../runtime/webgpu/node.js';
import { GeneratedPackage, compileToPackage } from '../../src/codegen/compile.js';
import { DType } from '../../src/ir/dtype.js';
import { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { OutputTensor } from '../../runtime/webgpu/executor.js';
import type { Feeds } from '../codegen-e2e/architectures.js';

export const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';

/** Whether shaders can run here; prints why not, and throws under CI. */
export function lavapipeGpu(): GPU | null {
  if (!existsSync(LAVAPIPE_ICD)) {
    const why = `no lavapipe Vulkan driver at ${LAVAPIPE_ICD} (mesa-vulkan-drivers from bookworm-backports)`;
    if (process.env.CI) throw new Error(`CI must run the WGSL tests: ${why}`);
    console.warn(`skipping WGSL execution tests: ${why}`);
    return null;
  }
  process.env.VK_ICD_FILENAMES ??= LAVAPIPE_ICD;
  return nodeGpu();
}

let nullDevice: Promise<GPUDevice> | null = null;

/** Compile errors of a shader on Dawn's null backend (which validates but never executes), as text; '' when clean. */
export async function validateShader(shader: WgslShader): Promise<string> {
  nullDevice ??= nodeGpu(['backend=null']).requestAdapter().then((a) => {
    if (!a) throw new Error("Dawn's null backend gave no adapter");
    // shader-f16, for the shaders of f16 plans (`enable f16;`)
    return a.requestDevice({ requiredFeatures: a.features.has('shader-f16') ? ['shader-f16'] : [] });
  });
  const device = await nullDevice;
  const module = device.createShaderModule({ code: shader.code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error').map((m) => `${shader.name}:${m.lineNum}:${m.linePos}: ${m.message}\n  ${shader.code.split('\n')[m.lineNum - 1] ?? ''}`);
  device.pushErrorScope('validation');
  device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const pipelineError = await device.popErrorScope();
  if (pipelineError) errors.push(`${shader.name}: ${pipelineError.message}`);
  return errors.join('\n');
}

export function toTensor(o: OutputTensor): Tensor {
  return new Tensor(o.dtype as DType, o.shape, (o.dtype === 'bool' ? o.data : o.data) as Tensor['data']);
}

/** `dsc compile --target wgsl` into a fresh folder whose node_modules links dsc's `webgpu`, as a user's install would. */
export async function compileWgslPackage(graph: Graph, name: string): Promise<{ dir: string; generated: GeneratedPackage }> {
  const dir = join(mkdtempSync(join(tmpdir(), 'dsc-wgsl-pkg-')), name);
  const generated = await compileToPackage(graph, dir, { target: 'wgsl' });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(dirname(createRequire(import.meta.url).resolve('webgpu/package.json')), join(dir, 'node_modules', 'webgpu'));
  return { dir, generated };
}

export interface WgslPackageModel {
  run(inputs: Feeds): Promise<Feeds>;
  dispose(): void;
}

export interface WgslPackageModule {
  Model: { load(weights?: string | Uint8Array, options?: { gpu?: GPU }): Promise<WgslPackageModel> };
  manifest: { name: string; inputs: { name: string; dtype: string; shape: string[] }[] };
}

/** The package's Node entry, imported as a user would. */
export async function importWgslPackage(dir: string): Promise<WgslPackageModule> {
  return (await import(pathToFileURL(join(dir, 'index.js')).href)) as WgslPackageModule;
}

/** Debian's Chromium, which has WebGPU (SwiftShader) headless. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium in its own process group, with a fresh profile; resolves to its DevTools endpoint. */
export function launchChromium(profile: string): Promise<{ browser: ChildProcess; endpoint: string }> {
  const browser = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--enable-unsafe-webgpu', `--user-data-dir=${profile}`, '--remote-debugging-port=0',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', 'about:blank',
  ], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    browser.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (m) resolve({ browser, endpoint: m[1] });
    });
    browser.on('exit', (code) => reject(new Error(`chromium exited (${code}) before listening:\n${text}`)));
  });
}
