// Compiles generated CPU models together with test/codegen/driver.cc into one executable and runs them
// on raw binary tensors. Models are compiled into translation units, each model in its own namespace
// with its ABI symbols renamed to <id>_dsc_*; objects are cached by content hash, so reruns only link.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DTYPE_INFO, DType } from '../../src/ir/dtype.js';
import { Tensor, sizeOf } from '../../src/ir/tensor.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DRIVER = join(ROOT, 'test/codegen/driver.cc');
const INCLUDE = join(ROOT, 'runtime/cpu/kernels');
const CACHE = join(tmpdir(), 'dsc-codegen-cache');
const ABI_SYMBOLS = ['dsc_run', 'dsc_output_shape', 'dsc_workspace_bytes'];

/** A generated model.cc and the C identifier its ABI symbols are renamed with. */
export interface CompiledModel { id: string; source: string }

export interface BuildOptions {
  /** extra compiler flags, e.g. sanitizers */
  flags?: string[];
  /** compile without OpenMP */
  serial?: boolean;
  /**
   * Compile the models into this many translation units (a model's unit is picked by a hash of its
   * id, so adding or changing one model recompiles one unit) instead of one unit per model: the
   * standard headers are then parsed once per unit, which dominates the cost of small models.
   */
  units?: number;
}

export interface BuildResult {
  /** the executable holding every model that compiled; undefined when none did */
  exe?: string;
  /** compiler errors by model id, for models that do not compile on their own */
  failed: Map<string, string>;
}

function digest(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 24);
}

function runtimeDigest(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(join(INCLUDE, 'dsc')).sort()) h.update(f).update(readFileSync(join(INCLUDE, 'dsc', f)));
  return h.digest('hex');
}

/** One translation unit holding `models`: their #include lines hoisted, each model in its own namespace. */
function translationUnit(models: readonly CompiledModel[]): string {
  const includes = new Set<string>();
  const body: string[] = [];
  for (const m of models) {
    const lines = m.source.split('\n');
    for (const l of lines) if (l.startsWith('#include')) includes.add(l);
    body.push(
      ...ABI_SYMBOLS.map((s) => `#define ${s} ${m.id}_${s}`),
      `namespace dsc_model_${m.id} {`,
      ...lines.filter((l) => !l.startsWith('#include')),
      `}  // namespace dsc_model_${m.id}`,
      ...ABI_SYMBOLS.map((s) => `#undef ${s}`),
      '',
    );
  }
  return [...[...includes].sort(), '', ...body].join('\n');
}

function compile(args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const p = spawn('g++', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += String(d); });
    p.on('close', (code) => resolve(code === 0 ? undefined : `g++ ${args.join(' ')} failed:\n${err.slice(0, 4000)}`));
  });
}

/** Runs `tasks` with at most `workers` in flight. */
async function pool<T>(tasks: (() => Promise<T>)[], workers: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, tasks.length) }, worker));
  return results;
}

/**
 * Compiles a unit to an object in the cache, or finds it there; a compiler error is cached next to
 * where the object would be, so a rerun does not repeat a failing compile.
 * Returns the object's path, or the compiler's error.
 */
async function compileUnit(models: readonly CompiledModel[], flags: string[], runtime: string): Promise<{ obj: string } | { error: string }> {
  const source = translationUnit(models);
  const key = digest(source, flags.join(' '), runtime);
  const obj = join(CACHE, `${key}.o`);
  const errFile = join(CACHE, `${key}.err`);
  if (existsSync(obj)) return { obj };
  if (existsSync(errFile)) return { error: readFileSync(errFile, 'utf8') };
  const src = join(CACHE, `${key}.cc`);
  writeFileSync(src, source);
  const tmp = `${obj}.${process.pid}.tmp`;
  const error = await compile([...flags, `-I${INCLUDE}`, '-c', src, '-o', tmp]);
  if (error === undefined) {
    renameSync(tmp, obj);
    return { obj };
  }
  writeFileSync(errFile, error);
  return { error };
}

function unitsOf(models: readonly CompiledModel[], units: number | undefined): CompiledModel[][] {
  if (units === undefined) return models.map((m) => [m]);
  const groups: CompiledModel[][] = Array.from({ length: units }, () => []);
  for (const m of models) groups[parseInt(digest(m.id).slice(0, 8), 16) % units].push(m);
  return groups.filter((g) => g.length > 0);
}

/**
 * Builds (or reuses) an executable holding every model that compiles. When a unit of several models
 * fails, each of its models is compiled alone, so an error is charged to the model that has it.
 */
export async function buildModels(models: readonly CompiledModel[], opts: BuildOptions = {}): Promise<BuildResult> {
  mkdirSync(CACHE, { recursive: true });
  const flags = ['-std=c++17', '-O2', ...(opts.serial ? [] : ['-fopenmp']), ...(opts.flags ?? [])];
  const runtime = runtimeDigest();
  const workers = Math.max(1, cpus().length);
  const units = unitsOf(models, opts.units);
  const built = await pool(units.map((u) => () => compileUnit(u, flags, runtime)), workers);
  const objects: string[] = [];
  const compiled: CompiledModel[] = [];
  const retry: CompiledModel[] = [];
  const failed = new Map<string, string>();
  units.forEach((u, i) => {
    const r = built[i];
    if ('obj' in r) { objects.push(r.obj); compiled.push(...u); }
    else if (u.length > 1) retry.push(...u);
    else failed.set(u[0].id, r.error);
  });
  const alone = await pool(retry.map((m) => () => compileUnit([m], flags, runtime)), workers);
  retry.forEach((m, i) => {
    const r = alone[i];
    if ('obj' in r) { objects.push(r.obj); compiled.push(m); }
    else failed.set(m.id, r.error);
  });
  if (compiled.length === 0) return { failed };
  const registry = compiled.map((m) => `DSC_MODEL(${m.id})`).join('\n') + '\n';
  const exe = join(CACHE, `driver-${digest(readFileSync(DRIVER, 'utf8'), registry, flags.join(' '), objects.join(' '))}`);
  if (existsSync(exe)) return { exe, failed };
  const dir = mkdtempSync(join(CACHE, 'driver-'));
  writeFileSync(join(dir, 'models.inc'), registry);
  const tmp = `${exe}.${process.pid}.tmp`;
  const error = await compile([...flags, `-I${dir}`, DRIVER, ...objects, '-o', tmp]);
  rmSync(dir, { recursive: true, force: true });
  if (error !== undefined) throw new Error(error);
  renameSync(tmp, exe);
  return { exe, failed };
}

/** Build (or reuse) an executable holding every model; throws if any model fails to compile. */
export async function buildExecutable(models: CompiledModel[], opts: BuildOptions = {}): Promise<string> {
  const { exe, failed } = await buildModels(models, opts);
  const [first] = failed;
  if (first) throw new Error(`model ${first[0]}: ${first[1]}`);
  return exe!;
}

export interface RunJob {
  model: string;
  syms?: number[];
  params: Tensor[];
  inputs: Tensor[];
  /** expected output types (the shape is checked against dsc_output_shape) */
  outputs: { dtype: DType; shape: number[] }[];
  threads?: number;
  repeat?: number;
}

export interface RunResult { rc: number; outputs: Tensor[]; shapes: number[][]; ms: number; workspace: number }

function bytesOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** A job the executable did not finish: it crashed, ran past the time limit, or could not start it. */
export interface JobCrash { crash: string }

export interface RunOptions {
  env?: Record<string, string>;
  /** limit for one process of the executable; the job running when it expires counts as crashed */
  timeoutMs?: number;
}

function isComplete(block: string, outputs: number): boolean {
  return /^rc /m.test(block) && (outputs === 0 || new RegExp(`^shape ${outputs - 1}\\b`, 'm').test(block));
}

/**
 * Runs jobs in one process of the executable; when a job crashes, the jobs before it keep their
 * results and the rest go on in a fresh process. The driver flushes its output after each job, so
 * the finished jobs are exactly the complete blocks of output.
 */
export function runJobsSurvivingCrashes(exe: string, jobs: RunJob[], opts: RunOptions = {}): (RunResult | JobCrash)[] {
  const dir = mkdtempSync(join(tmpdir(), 'dsc-run-'));
  try {
    let file = 0;
    const put = (t: Tensor) => { const p = join(dir, `t${file++}.bin`); writeFileSync(p, bytesOf(t)); return p; };
    const outPaths: string[][] = [];
    const blocks = jobs.map((j) => {
      const lines = [`model ${j.model}`, `threads ${j.threads ?? 2}`, `repeat ${j.repeat ?? 1}`];
      if (j.syms?.length) lines.push(`syms ${j.syms.join(' ')}`);
      for (const p of j.params) lines.push(`param ${put(p)}`);
      for (const i of j.inputs) lines.push(`input ${put(i)}`);
      outPaths.push(j.outputs.map((o) => {
        const p = join(dir, `o${file++}.bin`);
        lines.push(`output ${p} ${sizeOf(o.shape) * DTYPE_INFO[o.dtype].bytes} ${o.shape.length}`);
        return p;
      }));
      lines.push('run');
      return lines.join('\n') + '\n';
    });
    const results: (RunResult | JobCrash)[] = [];
    while (results.length < jobs.length) {
      const first = results.length;
      writeFileSync(join(dir, 'jobs.txt'), blocks.slice(first).join(''));
      const r = spawnSync(exe, [join(dir, 'jobs.txt')], {
        encoding: 'utf8', env: { ...process.env, ...opts.env }, maxBuffer: 1 << 26, timeout: opts.timeoutMs,
      });
      const texts = (r.stdout ?? '').split(/^run /m).slice(1);
      for (const [k, text] of texts.entries()) {
        const j = jobs[first + k];
        if (!isComplete(text, j.outputs.length)) break;
        results.push(resultOf(j, text, outPaths[first + k]));
      }
      if (results.length < jobs.length && r.status === 0 && !r.error) throw new Error(`${exe} ended without running job ${results.length} (${jobs[results.length].model})`);
      if (results.length < jobs.length && (r.status !== 0 || r.error)) {
        const how = r.error?.message.includes('ETIMEDOUT') ? `timed out after ${opts.timeoutMs} ms` : `exited with ${r.status ?? r.signal}`;
        results.push({ crash: `${how}${r.stderr ? `: ${r.stderr.trim().slice(0, 2000)}` : ''}` });
      }
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function resultOf(j: RunJob, text: string, outPaths: string[]): RunResult {
  const field = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
  const shapes = j.outputs.map((_, i) => (new RegExp(`^shape ${i}\\b(.*)$`, 'm').exec(text)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number));
  const outputs = j.outputs.map((o, i) => {
    const raw = readFileSync(outPaths[i]);
    const copy = new Uint8Array(raw.byteLength);
    copy.set(raw);
    const data = new DTYPE_INFO[o.dtype].array(copy.buffer, 0, sizeOf(o.shape));
    return new Tensor(o.dtype, o.shape, data);
  });
  return { rc: field('rc'), outputs, shapes, ms: field('ms'), workspace: field('workspace') };
}

/** Run jobs in one process of the executable; throws if a job crashes. */
export function runJobs(exe: string, jobs: RunJob[], env: Record<string, string> = {}): RunResult[] {
  return runJobsSurvivingCrashes(exe, jobs, { env }).map((r, k) => {
    if ('crash' in r) throw new Error(`${exe}, job ${k} (${jobs[k].model}) ${r.crash}`);
    return r;
  });
}

/** Deterministic pseudo-random values in [lo, hi) (a linear congruential generator). */
export function randomTensor(dtype: DType, shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  let s = seed >>> 0 || 1;
  const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  const values = Array.from({ length: sizeOf(shape) }, () => lo + (hi - lo) * next());
  const ints = !DTYPE_INFO[dtype].float;
  return Tensor.fromNumbers(dtype, shape, ints ? values.map(Math.floor) : values);
}
