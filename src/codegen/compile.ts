// The compile driver: a verified graph in, a built npm package out. Stages: optimize (the
// target's pass pipeline), generate kernels, emit the package (with the model's weights when it
// carries them), build the native code when the target has any. Also the content-hash cache of
// built packages, and the run of a built native package behind `dsc run`. Everything that differs
// between targets comes from the target's record (src/codegen/targets).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { assertValid } from '../ir/verify.js';
import { runPasses } from '../passes/registry.js';
import { writeSafetensors } from '../formats/safetensors.js';
import { diag } from '../diag/diagnostic.js';
import { CATALOG, DiagCode } from '../diag/catalog.js';
import { ModelManifest, manifestOf } from './abi.js';
import { buildPackage } from './package/index.js';
import { ADDON_PATH } from './package/bindings.js';
import type { WgslProgram } from './wgsl/generate.js';
import { dscRoot } from './package/toolchain.js';
import { getTarget } from './targets/registry.js';
import { TargetDef } from './targets/target.js';

export interface CompileOptions {
  /** a registered target's name (src/codegen/targets/registry.ts) */
  target: string;
  /** optimization level: 0 none, 1 and 2 the target's pipeline (default 1) */
  level?: 0 | 1 | 2;
  /** storage precision of f32 tensors, one of the target's `precisions` (wgsl: f32 or f16, docs/WGSL.md) */
  precision?: string;
  packageName?: string;
  /** called when a stage starts and ends */
  onStage?: (stage: string, state: 'start' | 'done', ms: number) => void;
  /** each line of the native build's output */
  onBuildLine?: (line: string) => void;
}

export interface GeneratedPackage {
  manifest: ModelManifest;
  /** the target's kernel sources by path (empty for wgsl) */
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
  const target = getTarget(opts.target);
  const optimized = stage(opts, 'optimize', () => runPasses(graph, target.pipeline(opts.level ?? 1), { verify: true }));
  const { kernelFiles, wgsl } = stage(opts, 'generate kernels', () => target.generate(optimized, { precision: opts.precision }));
  const manifest = manifestOf(optimized, declared);
  const complete = optimized.params.every((p) => optimized.weights.has(p.name));
  const weights = complete && optimized.params.length
    ? writeSafetensors(new Map(optimized.params.map((p) => [p.name, optimized.weights.get(p.name)!])))
    : undefined;
  return { manifest, kernelFiles, wgsl, weights };
}

/** `dsc compile`: write the package to outDir and, unless emitOnly, build its native code (when the target has any). */
export async function compileToPackage(graph: Graph, outDir: string, opts: CompileOptions & { emitOnly?: boolean }): Promise<GeneratedPackage> {
  const target = getTarget(opts.target);
  const gen = generatePackage(graph, opts);
  stage(opts, 'emit package', () => {
    target.emit({ manifest: gen.manifest, code: gen, outDir, packageName: opts.packageName });
    if (gen.weights) writeFileSync(join(outDir, 'weights.safetensors'), gen.weights);
  });
  if (!opts.emitOnly && target.nativeBuild) {
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

const runtimeDigests = new Map<string, string>();
/** Digest of the runtime sources a target's packages use, so a changed runtime never reuses an old build. */
function runtimeHash(target: TargetDef): string {
  const known = runtimeDigests.get(target.name);
  if (known) return known;
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(name).update(readFileSync(p));
    }
  };
  for (const dir of target.runtimeDirs) walk(join(dscRoot(), dir));
  const digest = h.digest('hex');
  runtimeDigests.set(target.name, digest);
  return digest;
}

export interface CachedPackage {
  dir: string;
  /** false when this call built it */
  reused: boolean;
  generated: GeneratedPackage;
}

/** A built package for the graph from the cache, emitting (and building, for targets with native code) it once when it is not there. */
export async function cachedPackage(graph: Graph, opts: CompileOptions): Promise<CachedPackage> {
  const target = getTarget(opts.target);
  const generated = generatePackage(graph, opts);
  const h = createHash('sha256');
  h.update(target.name).update(JSON.stringify(generated.manifest)).update(runtimeHash(target));
  for (const [name, text] of [...generated.kernelFiles].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(name).update(text);
  const dir = join(cacheRoot(), opts.target, h.digest('hex').slice(0, 24));
  if (existsSync(join(dir, target.nativeBuild ? ADDON_PATH : 'package.json'))) return { dir, reused: true, generated };
  // build beside the final place, then move it in, so an interrupted build never looks complete
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  target.emit({ manifest: generated.manifest, code: generated, outDir: tmp });
  if (target.nativeBuild) {
    const t0 = performance.now();
    opts.onStage?.('native build', 'start', 0);
    await buildPackage(tmp, { onProgress: opts.onBuildLine });
    opts.onStage?.('native build', 'done', performance.now() - t0);
  }
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
