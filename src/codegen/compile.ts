// The compile driver: a verified graph in, a built npm package out. Stages: optimize (the
// target's pass pipeline), generate kernels, emit the package (with the model's weights when it
// carries them), build the native addon (cpu; the wgsl package has no native code). Also the
// content-hash cache behind `dsc run --target cpu`, and the in-process run behind `--target wgsl`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { assertValid } from '../ir/verify.js';
import { pipelineFor, runPasses } from '../passes/registry.js';
import { writeSafetensors } from '../formats/safetensors.js';
import { diag } from '../diag/diagnostic.js';
import { CATALOG, DiagCode } from '../diag/catalog.js';
import { ModelManifest, manifestOf } from './abi.js';
import { generateCpu } from './cpu/generate.js';
import { emitPackage, buildPackage } from './package/index.js';
import { ADDON_PATH } from './package/bindings.js';
import { Precision, WgslProgram, generateWgsl } from './wgsl/generate.js';
import { emitWgslPackage } from './wgsl-package/emit.js';
import { dscRoot } from './package/toolchain.js';

export const TARGETS = ['cpu', 'wgsl'] as const;
export type Target = (typeof TARGETS)[number];

export interface CompileOptions {
  target: Target;
  /** optimization level: 0 none, 1 and 2 the target's pipeline (default 1) */
  level?: 0 | 1 | 2;
  /** wgsl: f32 (default) or f16 tensors (docs/WGSL.md) */
  precision?: Precision;
  packageName?: string;
  /** called when a stage starts and ends */
  onStage?: (stage: string, state: 'start' | 'done', ms: number) => void;
  /** each line of the native build's output */
  onBuildLine?: (line: string) => void;
}

export interface GeneratedPackage {
  manifest: ModelManifest;
  /** the cpu target's kernel sources by path (empty for wgsl) */
  kernelFiles: Map<string, string>;
  /** the wgsl target's shaders and plan */
  wgsl?: WgslProgram;
  /** the parameters' data, when the graph carries all of it */
  weights?: Uint8Array;
}

function stage<T>(opts: CompileOptions, name: string, fn: () => T): T {
  const t0 = performance.now();
  opts.onStage?.(name, 'start', 0);
  const r = fn();
  opts.onStage?.(name, 'done', performance.now() - t0);
  return r;
}

/** Optimize and generate code for a graph (no files written). */
export function generatePackage(graph: Graph, opts: CompileOptions): GeneratedPackage {
  assertValid(graph);
  const declared = graph.params.map((p) => p.name);
  const optimized = stage(opts, 'optimize', () => runPasses(graph, pipelineFor(opts.target, opts.level ?? 1), { verify: true }));
  const wgsl = opts.target === 'wgsl' ? stage(opts, 'generate shaders', () => generateWgsl(optimized, { precision: opts.precision })) : undefined;
  const kernelFiles = opts.target === 'cpu' ? stage(opts, 'generate kernels', () => generateCpu(optimized).files) : new Map<string, string>();
  const manifest = manifestOf(optimized, declared);
  const complete = optimized.params.every((p) => optimized.weights.has(p.name));
  const weights = complete && optimized.params.length
    ? writeSafetensors(new Map(optimized.params.map((p) => [p.name, optimized.weights.get(p.name)!])))
    : undefined;
  return { manifest, kernelFiles, wgsl, weights };
}

/** `dsc compile`: write the package to outDir and, unless emitOnly, build its addon (cpu). */
export async function compileToPackage(graph: Graph, outDir: string, opts: CompileOptions & { emitOnly?: boolean }): Promise<GeneratedPackage> {
  const gen = generatePackage(graph, opts);
  stage(opts, 'emit package', () => {
    if (gen.wgsl) emitWgslPackage({ manifest: gen.manifest, plan: gen.wgsl.plan, outDir, packageName: opts.packageName });
    else emitPackage({ manifest: gen.manifest, kernelFiles: gen.kernelFiles, outDir, packageName: opts.packageName });
    if (gen.weights) writeFileSync(join(outDir, 'weights.safetensors'), gen.weights);
  });
  if (!opts.emitOnly && !gen.wgsl) {
    const t0 = performance.now();
    opts.onStage?.('native build', 'start', 0);
    await buildPackage(outDir, { onProgress: opts.onBuildLine });
    opts.onStage?.('native build', 'done', performance.now() - t0);
  }
  return gen;
}

/** Where compiled packages are cached: $DSC_CACHE_DIR, else $XDG_CACHE_HOME/dsc, else ~/.cache/dsc. */
export function cacheRoot(): string {
  return process.env.DSC_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dsc');
}

let runtimeDigest: string | undefined;
/** Digest of dsc's runtime sources, so a changed runtime never reuses an old build. */
function runtimeHash(): string {
  if (runtimeDigest) return runtimeDigest;
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(name).update(readFileSync(p));
    }
  };
  walk(join(dscRoot(), 'runtime', 'cpu'));
  return (runtimeDigest = h.digest('hex'));
}

export interface CachedPackage {
  dir: string;
  /** false when this call built it */
  reused: boolean;
  generated: GeneratedPackage;
}

/** A built package for the graph from the cache, building it (once) when it is not there. */
export async function cachedPackage(graph: Graph, opts: CompileOptions): Promise<CachedPackage> {
  const generated = generatePackage(graph, opts);
  const h = createHash('sha256');
  h.update(opts.target).update(JSON.stringify(generated.manifest)).update(runtimeHash());
  for (const [name, text] of [...generated.kernelFiles].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(name).update(text);
  const dir = join(cacheRoot(), opts.target, h.digest('hex').slice(0, 24));
  if (existsSync(join(dir, ADDON_PATH))) return { dir, reused: true, generated };
  // build beside the final place, then move it in, so an interrupted build never looks complete
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  emitPackage({ manifest: generated.manifest, kernelFiles: generated.kernelFiles, outDir: tmp });
  const t0 = performance.now();
  opts.onStage?.('native build', 'start', 0);
  await buildPackage(tmp, { onProgress: opts.onBuildLine });
  opts.onStage?.('native build', 'done', performance.now() - t0);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, reused: false, generated };
}

interface NativeModel {
  runSync(inputs: Record<string, { data: ArrayBufferView; shape: number[] }>): Record<string, { data: ArrayBufferView; shape: number[] }>;
  dispose(): void;
}

/** Run a built package in this process: weights as safetensors bytes, inputs and outputs by name. */
export async function runPackage(dir: string, manifest: ModelManifest, weights: Uint8Array | undefined, inputs: ReadonlyMap<string, Tensor>): Promise<{ outputs: Map<string, Tensor>; ms: number }> {
  const require = createRequire(join(dir, 'index.js'));
  const { Model } = require(join(dir, 'index.js')) as { Model: { load(src: Uint8Array, opts?: object): Promise<NativeModel> } };
  const model = await Model.load(weights ?? writeSafetensors(new Map()));
  try {
    const feeds: Record<string, { data: ArrayBufferView; shape: number[] }> = {};
    for (const [name, t] of inputs) feeds[name] = { data: t.data, shape: [...t.shape] };
    let outs;
    const t0 = performance.now();
    try {
      outs = model.runSync(feeds);
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.code && err.code in CATALOG) throw diag(err.code as DiagCode, err.message);
      throw e;
    }
    const ms = performance.now() - t0;
    const result = new Map<string, Tensor>();
    for (const o of manifest.outputs) {
      const v = outs[o.name];
      result.set(o.name, new Tensor(o.dtype, v.shape, v.data as Tensor['data']));
    }
    return { outputs: result, ms };
  } finally {
    model.dispose();
  }
}

/**
 * `dsc run --target wgsl`: the shaders run in this process through the `webgpu` package (Dawn on any
 * Vulkan driver, Mesa lavapipe included); there is nothing native to build, so nothing is cached.
 */
export async function runWgsl(generated: GeneratedPackage, inputs: ReadonlyMap<string, Tensor>, source: string): Promise<{ outputs: Map<string, Tensor>; ms: number }> {
  const declared = generated.manifest.inputs;
  for (const name of inputs.keys())
    if (!declared.some((t) => t.name === name))
      throw diag('DSC4001', `'${name}' is not an input of ${source}; inputs are: ${declared.map((t) => t.name).join(', ') || '(none)'}`, { file: source });
  for (const t of declared) {
    const given = inputs.get(t.name);
    if (!given) throw diag('DSC4002', `input '${t.name}' (${t.dtype}[${t.shape.join(', ')}]) is missing`, { file: source });
    if (given.dtype !== t.dtype) throw diag('DSC4003', `input '${t.name}' has dtype ${given.dtype}, expected ${t.dtype}`, { file: source });
  }
  const { defaultNodeGpu } = await import('../../runtime/webgpu/node-default.js');
  const { WebGpuModel } = await import('../../runtime/webgpu/executor.js');
  const model = await WebGpuModel.load(await defaultNodeGpu(), generated.wgsl!.plan, generated.weights);
  try {
    const t0 = performance.now();
    const outs = await model.run(inputs).catch((e: Error) => {
      // the executor checks shapes against the plan as it binds the symbols
      throw / has shape /.test(e.message) ? diag('DSC4004', e.message, { file: source }) : e;
    });
    const ms = performance.now() - t0;
    const result = new Map<string, Tensor>();
    for (const o of generated.manifest.outputs) {
      const v = outs.get(o.name)!;
      result.set(o.name, new Tensor(o.dtype, v.shape, v.data as Tensor['data']));
    }
    return { outputs: result, ms };
  } finally {
    model.destroy();
  }
}
