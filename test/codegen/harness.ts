// Compiles generated CPU models together with test/codegen/driver.cc into one executable (objects
// cached by content hash, so reruns only link), runs them on raw binary tensors, and reads outputs.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DTYPE_INFO, DType } from '../../src/ir/dtype.js';
import { Tensor, sizeOf } from '../../src/ir/tensor.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DRIVER = join(ROOT, 'test/codegen/driver.cc');
const INCLUDE = join(ROOT, 'runtime/cpu/kernels');
const CACHE = join(tmpdir(), 'dsc-codegen-cache');

export interface CompiledModel { id: string; source: string }

export interface BuildOptions {
  /** extra compiler flags, e.g. sanitizers */
  flags?: string[];
  /** compile without OpenMP */
  serial?: boolean;
}

function runtimeDigest(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(join(INCLUDE, 'dsc')).sort()) h.update(f).update(readFileSync(join(INCLUDE, 'dsc', f)));
  return h.digest('hex');
}

function compile(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('g++', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += String(d); });
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`g++ ${args.join(' ')} failed:\n${err.slice(0, 4000)}`))));
  });
}

/** Build (or reuse) an executable holding every model; returns its path. */
export async function buildExecutable(models: CompiledModel[], opts: BuildOptions = {}): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const flags = ['-std=c++17', '-O2', ...(opts.serial ? [] : ['-fopenmp']), ...(opts.flags ?? [])];
  const runtime = runtimeDigest();
  const objects: string[] = [];
  const pending: string[][] = [];
  for (const m of models) {
    const key = createHash('sha256').update(m.id).update(m.source).update(flags.join(' ')).update(runtime).digest('hex').slice(0, 24);
    const obj = join(CACHE, `${key}.o`);
    objects.push(obj);
    if (existsSync(obj)) continue;
    const src = join(CACHE, `${key}.cc`);
    writeFileSync(src, m.source);
    const renames = ['dsc_run', 'dsc_output_shape', 'dsc_workspace_bytes'].map((s) => `-D${s}=${m.id}_${s}`);
    pending.push([...flags, `-I${INCLUDE}`, ...renames, '-c', src, '-o', `${obj}.tmp`, obj]);
  }
  const workers = Math.max(1, cpus().length);
  for (let i = 0; i < pending.length; i += workers)
    await Promise.all(pending.slice(i, i + workers).map(async (a) => {
      const obj = a.pop()!;
      await compile(a);
      renameSync(`${obj}.tmp`, obj);
    }));
  const registry = models.map((m) => `DSC_MODEL(${m.id})`).join('\n') + '\n';
  const driverKey = createHash('sha256').update(readFileSync(DRIVER)).update(registry).update(flags.join(' ')).update(objects.join(' ')).digest('hex').slice(0, 24);
  const exe = join(CACHE, `driver-${driverKey}`);
  if (existsSync(exe)) return exe;
  const dir = mkdtempSync(join(CACHE, 'driver-'));
  writeFileSync(join(dir, 'models.inc'), registry);
  await compile([...flags, `-I${dir}`, DRIVER, ...objects, '-o', `${exe}.tmp`]);
  renameSync(`${exe}.tmp`, exe);
  return exe;
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

/** Run jobs in one process of the executable. */
export function runJobs(exe: string, jobs: RunJob[], env: Record<string, string> = {}): RunResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'dsc-run-'));
  const lines: string[] = [];
  let file = 0;
  const put = (t: Tensor) => { const p = join(dir, `t${file++}.bin`); writeFileSync(p, bytesOf(t)); return p; };
  const outPaths: string[][] = [];
  for (const j of jobs) {
    lines.push(`model ${j.model}`, `threads ${j.threads ?? 2}`, `repeat ${j.repeat ?? 1}`);
    if (j.syms?.length) lines.push(`syms ${j.syms.join(' ')}`);
    for (const p of j.params) lines.push(`param ${put(p)}`);
    for (const i of j.inputs) lines.push(`input ${put(i)}`);
    outPaths.push(j.outputs.map((o) => {
      const p = join(dir, `o${file++}.bin`);
      lines.push(`output ${p} ${sizeOf(o.shape) * DTYPE_INFO[o.dtype].bytes} ${o.shape.length}`);
      return p;
    }));
    lines.push('run');
  }
  writeFileSync(join(dir, 'jobs.txt'), lines.join('\n') + '\n');
  const r = spawnSync(exe, [join(dir, 'jobs.txt')], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${exe} exited with ${r.status} (${r.signal ?? ''}):\n${r.stderr}`);
  const blocks = r.stdout.split(/^run /m).slice(1);
  return jobs.map((j, k) => {
    const text = blocks[k] ?? '';
    const field = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
    const shapes = j.outputs.map((_, i) => (new RegExp(`^shape ${i}(.*)$`, 'm').exec(text)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number));
    const outputs = j.outputs.map((o, i) => {
      const raw = readFileSync(outPaths[k][i]);
      const copy = new Uint8Array(raw.byteLength);
      copy.set(raw);
      const data = new DTYPE_INFO[o.dtype].array(copy.buffer, 0, sizeOf(o.shape));
      return new Tensor(o.dtype, o.shape, data);
    });
    return { rc: field('rc'), outputs, shapes, ms: field('ms'), workspace: field('workspace') };
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
