// What every build integration does with one model file: check it, compile it for a target into the
// content-hash package cache (src/codegen/compile.ts: a model whose generated code is unchanged
// reuses its built package), and report every file the result depends on (for watch modes) or every
// diagnostic with its source text (for code frames and editor locations).
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { cachedPackage } from '../codegen/compile.js';
import { DEFAULT_TARGET } from '../codegen/targets/registry.js';
import { ModelManifest } from '../codegen/abi.js';
import { ADDON_PATH } from '../codegen/package/bindings.js';
import { Diagnostic, DiagnosticError } from '../diag/diagnostic.js';
import { compileDsFile } from '../frontend/ds/compile.js';
import { loadModel } from '../frontend/load.js';
import { Graph } from '../ir/graph.js';

export interface ModelPackageOptions {
  /** a registered target's name (default cpu) */
  target?: string;
  /** optimization level (default 1) */
  level?: 0 | 1 | 2;
  /** storage precision, one of the target's (wgsl: f32 or f16) */
  precision?: string;
  onStage?: (stage: string, state: 'start' | 'done', ms: number) => void;
  onBuildLine?: (line: string) => void;
}

export interface ModelPackage {
  /** the built package's folder in the cache */
  dir: string;
  /** whether the cache already held it */
  reused: boolean;
  manifest: ModelManifest;
  target: string;
  /** the package has a native addon (loaded from its folder at run time) */
  nativeBuild: boolean;
  /** the weights the model file carries (ONNX), as safetensors; not in the cache, which is keyed by code */
  weights?: Uint8Array;
}

/** The outcome of compiling one model: a package, or the diagnostics that stopped it. */
export type ModelPackageResult =
  | { ok: true; pkg: ModelPackage; files: string[] }
  | { ok: false; diagnostics: Diagnostic[]; sources: Map<string, string>; files: string[] };

type Loaded = { graph?: Graph; diagnostics: Diagnostic[]; files: string[]; sources: Map<string, string> };

/** Load a model file, keeping every source file it read (the model and its `.ds` imports) and its diagnostics. */
function loadWithSources(file: string): Loaded {
  if (extname(file).toLowerCase() === '.ds') {
    const r = compileDsFile(file);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    const files = r.sources.size ? [...r.sources.keys()].map((f) => resolve(f)) : [resolve(file)];
    return errors.length || !r.graph ? { diagnostics: errors.length ? errors : r.diagnostics, files, sources: r.sources } : { graph: r.graph, diagnostics: [], files, sources: r.sources };
  }
  try {
    return { graph: loadModel(file), diagnostics: [], files: [resolve(file)], sources: new Map() };
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    return { diagnostics: e.diagnostics, files: [resolve(file)], sources: new Map() };
  }
}

/** Compile one model into the package cache; user mistakes come back as diagnostics, never thrown. */
export async function modelPackage(file: string, opts: ModelPackageOptions = {}): Promise<ModelPackageResult> {
  const targetName = opts.target ?? DEFAULT_TARGET;
  const loaded = loadWithSources(file);
  const failed = (diagnostics: Diagnostic[]): ModelPackageResult => ({ ok: false, diagnostics, sources: loaded.sources, files: loaded.files });
  if (!loaded.graph) return failed(loaded.diagnostics);
  try {
    const cached = await cachedPackage(loaded.graph, { target: targetName, level: opts.level, precision: opts.precision, onStage: opts.onStage, onBuildLine: opts.onBuildLine });
    const nativeBuild = existsSync(join(cached.dir, ADDON_PATH));
    return { ok: true, pkg: { dir: cached.dir, reused: cached.reused, manifest: cached.generated.manifest, target: targetName, nativeBuild, weights: cached.generated.weights }, files: loaded.files };
  } catch (e) {
    if (e instanceof DiagnosticError) return failed(e.diagnostics);
    throw e;
  }
}

/** Where a bundle's copy of a native package goes, relative to the bundle's folder. */
export function nativePackageFolder(pkg: ModelPackage): string {
  return `dsc-models/${pkg.dir.split(/[\\/]/).pop()}`;
}

/**
 * Copies what a native package needs at run time (its bindings, addon and CommonJS package.json)
 * beside a bundle, which cannot hold an addon; returns the path of its index.js relative to the bundle.
 */
export function copyNativePackage(pkg: ModelPackage, bundleDir: string): string {
  const to = join(bundleDir, nativePackageFolder(pkg));
  if (!existsSync(join(to, ADDON_PATH))) {
    mkdirSync(dirname(join(to, ADDON_PATH)), { recursive: true });
    for (const file of ['index.js', 'package.json', ADDON_PATH]) cpSync(join(pkg.dir, file), join(to, file));
  }
  return `./${nativePackageFolder(pkg)}/index.js`;
}
