// `dsc build`: compiles every model a project declares, in a `dsc` field of its package.json or in a
// dsc.config.json, through the content-hash package cache, into each model's output folder. Every
// model is attempted; the caller gets each one's outcome (a package or its diagnostics).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { ADDON_PATH } from '../codegen/package/bindings.js';
import { defaultPackageName } from '../codegen/package/index.js';
import { DEFAULT_TARGET } from '../codegen/targets/registry.js';
import { diag } from '../diag/diagnostic.js';
import { ModelPackageOptions, ModelPackageResult, modelPackage } from './model-package.js';

/** One model a project declares; paths are relative to the project's folder. */
export interface ProjectModel {
  model: string;
  /** default: the project's target, else cpu */
  target?: string;
  /** the package's folder (default: <outDir>/<model file name without extension>) */
  out?: string;
  level?: 0 | 1 | 2;
  precision?: string;
  /** the package's npm name (default: from the model file's name) */
  name?: string;
}

/** The `dsc` field of package.json, or dsc.config.json: defaults and the models. */
export interface ProjectConfig {
  target?: string;
  /** where packages go by default (default "dsc-packages") */
  outDir?: string;
  level?: 0 | 1 | 2;
  models: ProjectModel[];
}

const MODEL_KEYS = ['model', 'target', 'out', 'level', 'precision', 'name'];
const PROJECT_KEYS = ['target', 'outDir', 'level', 'models'];

/** Reads and checks a project's config; mistakes are DSC9004 diagnostics naming the file and the key. */
export function readProjectConfig(dir: string): { config: ProjectConfig; file: string } {
  const configFile = join(dir, 'dsc.config.json');
  const packageFile = join(dir, 'package.json');
  let file: string;
  let raw: unknown;
  const parse = (path: string) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (e) {
      throw diag('DSC9004', `${path}: ${(e as Error).message}`, { file: path });
    }
  };
  if (existsSync(configFile)) {
    file = configFile;
    raw = parse(configFile);
  } else if (existsSync(packageFile) && (parse(packageFile) as { dsc?: unknown }).dsc !== undefined) {
    file = packageFile;
    raw = (parse(packageFile) as { dsc: unknown }).dsc;
  } else {
    throw diag('DSC9004', `${dir} declares no models: add dsc.config.json or a "dsc" field to package.json ({ "models": [{ "model": "net.ds" }] })`, { file: packageFile });
  }
  const bad = (message: string) => diag('DSC9004', `${file}: ${message}`, { file });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('the dsc config must be an object with a "models" list');
  const config = raw as Record<string, unknown>;
  for (const k of Object.keys(config)) if (!PROJECT_KEYS.includes(k)) throw bad(`unknown key "${k}"; keys are ${PROJECT_KEYS.join(', ')}`);
  if (!Array.isArray(config.models) || config.models.length === 0) throw bad('"models" must be a non-empty list of { "model": "path.ds", ... }');
  config.models.forEach((m: unknown, i: number) => {
    if (typeof m !== 'object' || m === null || typeof (m as ProjectModel).model !== 'string') throw bad(`models[${i}] needs a "model" path`);
    for (const k of Object.keys(m)) if (!MODEL_KEYS.includes(k)) throw bad(`models[${i}]: unknown key "${k}"; keys are ${MODEL_KEYS.join(', ')}`);
  });
  return { config: config as unknown as ProjectConfig, file };
}

/** An output folder is replaced on each build: never the project or a folder above it, nor a folder that is not a package. */
function checkOutputFolder(out: string, projectDir: string, configFile: string, index: number): void {
  const fromOut = relative(out, resolve(projectDir));
  const holdsProject = fromOut === '' || (!fromOut.startsWith('..') && !isAbsolute(fromOut));
  const foreign = existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, 'package.json'));
  if (holdsProject || foreign)
    throw diag('DSC9004', `${configFile}: models[${index}] writes its package to ${out}, which ${holdsProject ? 'holds the project' : 'is a folder of other files'}; dsc build replaces its output folder, so give it a folder of its own`, { file: configFile });
}

export interface BuiltModel {
  model: string;
  target: string;
  out: string;
  result: ModelPackageResult;
  ms: number;
}

/** Writes a cached package into its output folder: the package's files (a native one's built addon, not its build tree). */
function writePackage(cacheDir: string, out: string, name: string | undefined): void {
  rmSync(out, { recursive: true, force: true });
  const addon = join(cacheDir, ADDON_PATH);
  cpSync(cacheDir, out, { recursive: true, filter: (src) => !/^build([\\/]|$)/.test(relative(cacheDir, src)) || addon.startsWith(src) });
  if (name) {
    const pkgFile = join(out, 'package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name: string };
    pkg.name = name;
    writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n');
  }
}

/** Builds every model of the project at `dir`, in order; `onModel` hears each one start, and its stages. */
export async function buildProject(dir: string, hooks: {
  onModel?: (index: number, count: number, model: ProjectModel & { target: string; out: string }) => void;
  onStage?: ModelPackageOptions['onStage'];
  onBuilt?: (built: BuiltModel) => void;
} = {}): Promise<BuiltModel[]> {
  const { config, file } = readProjectConfig(dir);
  const built: BuiltModel[] = [];
  for (const [i, m] of config.models.entries()) {
    const target = m.target ?? config.target ?? DEFAULT_TARGET;
    const stem = basename(m.model).replace(/\.[^.]*$/, '');
    const out = resolve(dir, m.out ?? join(config.outDir ?? 'dsc-packages', stem));
    checkOutputFolder(out, dir, file, i);
    hooks.onModel?.(i, config.models.length, { ...m, target, out });
    const t0 = performance.now();
    const result = await modelPackage(resolve(dir, m.model), { target, level: m.level ?? config.level, precision: m.precision, onStage: hooks.onStage });
    if (result.ok) {
      mkdirSync(resolve(out, '..'), { recursive: true });
      writePackage(result.pkg.dir, out, m.name ?? defaultPackageName(stem));
      if (result.pkg.weights) writeFileSync(join(out, 'weights.safetensors'), result.pkg.weights);
    }
    built.push({ model: m.model, target, out, result, ms: performance.now() - t0 });
    hooks.onBuilt?.(built[built.length - 1]);
  }
  return built;
}

