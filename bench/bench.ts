// `npm run bench`: batch-1 latency of each ONNX architecture compiled to a CPU package, against
// onnxruntime-node on the same model file, weights and input, at 1 and 2 threads (and the reference
// interpreter for the small models). The two contenders of a row are measured in alternating time
// slices, so load from other processes hits both alike; each figure is a median. Prints a table and
// writes its section of bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { cachedPackage } from '../src/codegen/compile.js';
import { readNpy } from '../src/formats/npy.js';
import { importOnnxFile } from '../src/frontend/onnx/import.js';
import { Graph } from '../src/ir/graph.js';
import { runGraph } from '../src/ir/interp.js';
import { Tensor, sizeOf } from '../src/ir/tensor.js';
import { dscRoot } from '../src/codegen/package/toolchain.js';

const ROOT = dscRoot();
const FIXTURES = join(ROOT, 'test', 'fixtures');
const FIXTURE_DIRS = [join(FIXTURES, 'onnx'), join(FIXTURES, 'generated')];
const PYTHON = '/usr/bin/python3';
const RESULTS = join(ROOT, 'bench', 'RESULTS.md');
const SECTION_TITLE = '## CPU package vs onnxruntime-node: batch-1 latency';

const MODELS = ['mlp', 'lenet5', 'transformer_opset13', 'transformer_opset17', 'resnet18', 'mobilenetv2'];
/** the reference interpreter is timed only where a run takes well under a second */
const INTERPRETED = new Set(['mlp', 'lenet5', 'transformer_opset13', 'transformer_opset17']);

/** a figure is the median of at least this many runs spanning at least this long, per contender */
const MIN_RUNS = 30;
const MIN_MS = 2000;
const WARMUP_MS = 300;
const SLICE_MS = 250;
/** ORT's 2-thread latency jumps between levels from session to session: spread its samples over several */
const ORT_2T_SESSIONS = 3;
const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };

type Run = () => unknown;

interface Feeds { [name: string]: { data: ArrayBufferView; shape: number[] } }
interface LoadedModel { run(inputs: Feeds): Feeds; dispose(): void }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `run` for about `ms`, appending each run's milliseconds to `samples`. */
async function slice(run: Run, ms: number, samples: number[]): Promise<void> {
  const end = performance.now() + ms;
  do {
    const t0 = performance.now();
    await run();
    samples.push(performance.now() - t0);
  } while (performance.now() < end);
}

/**
 * Warms each contender up, then alternates slices between them until every contender has MIN_RUNS
 * runs and MIN_MS of them. A contender with several runs (sessions) cycles through them slice by slice.
 */
async function measure(contenders: Run[][]): Promise<number[][][]> {
  const samples = contenders.map((runs) => runs.map(() => [] as number[]));
  for (const runs of contenders) for (const run of runs) await slice(run, WARMUP_MS, []);
  const done = (i: number) => {
    const all = samples[i].flat();
    return all.length >= MIN_RUNS && all.reduce((a, b) => a + b, 0) >= MIN_MS;
  };
  for (let round = 0; !contenders.every((_, i) => done(i)); round++)
    for (let i = 0; i < contenders.length; i++) {
      if (done(i)) continue;
      const k = round % contenders[i].length;
      await slice(contenders[i][k], SLICE_MS, samples[i][k]);
    }
  return samples;
}

function modelFiles(name: string): { model: string; input: Tensor } | undefined {
  const dir = FIXTURE_DIRS.find((d) => existsSync(join(d, `${name}.onnx`)) && existsSync(join(d, `${name}.input.npy`)));
  if (!dir) return undefined;
  const inputPath = join(dir, `${name}.input.npy`);
  return { model: join(dir, `${name}.onnx`), input: readNpy(readFileSync(inputPath), inputPath) };
}

/** Exports the architectures too large to commit with PyTorch; returns those it could not export. */
function exportMissing(names: string[]): string[] {
  const missing = names.filter((n) => !modelFiles(n));
  if (missing.length === 0) return [];
  const gen = spawnSync(PYTHON, [join(FIXTURES, 'make_onnx_models.py'), join(FIXTURES, 'generated'), '--models', missing.join(',')], { encoding: 'utf8' });
  if (gen.status !== 0) {
    console.warn(`cannot export ${missing.join(', ')} (needs ${PYTHON} with torch and onnx); they are left out:\n${gen.stderr.trim()}`);
    return missing;
  }
  return [];
}

function firstBatch(t: Tensor, n: number): Tensor {
  const shape = [n, ...t.shape.slice(1)];
  return new Tensor(t.dtype, shape, t.data.slice(0, sizeOf(shape)) as Tensor['data']);
}

async function loadPackage(dir: string, weights: Uint8Array, threads: number): Promise<LoadedModel> {
  const require = createRequire(join(dir, 'index.js'));
  const { Model } = require(join(dir, 'index.js')) as { Model: { load(src: Uint8Array, opts: { threads: number }): Promise<LoadedModel> } };
  return Model.load(weights, { threads });
}

function ortSession(model: string, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
}

/** Largest |a - b| relative to the tolerance atol + rtol·|b|: at most 1 means the outputs agree. */
function worstError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length && i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (TOLERANCE.atol + TOLERANCE.rtol * Math.abs(b[i])));
  return worst;
}

interface Row {
  model: string;
  dsc1: number; ort1: number; dsc2: number; ort2: number;
  /** median of each ORT 2-thread session */
  ort2Sessions: number[];
  interp?: number;
  agree: boolean;
}

async function benchModel(name: string, graph: Graph, model: string, input: Tensor): Promise<Row> {
  const pkg = await cachedPackage(graph, { target: 'cpu' });
  if (!pkg.generated.weights) throw new Error(`${name}: the compiled package carries no weights`);
  const x = firstBatch(input, 1);
  const inputName = graph.inputs[0].name, outputName = graph.outputs[0].name;
  const feeds: Feeds = { [inputName]: { data: x.data, shape: [...x.shape] } };
  const ortFeeds = { [inputName]: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) };

  const dsc = [await loadPackage(pkg.dir, pkg.generated.weights, 1), await loadPackage(pkg.dir, pkg.generated.weights, 2)];
  const ort1 = await ortSession(model, 1);
  const ort2 = await Promise.all(Array.from({ length: ORT_2T_SESSIONS }, () => ortSession(model, 2)));
  try {
    const ours = dsc[0].run(feeds)[outputName].data as Float32Array;
    const theirs = (await ort1.run(ortFeeds))[ort1.outputNames[0]].data as Float32Array;
    const agree = worstError(ours, theirs) <= 1;
    if (!agree) console.warn(`${name}: the compiled package and onnxruntime-node disagree beyond rtol ${TOLERANCE.rtol} / atol ${TOLERANCE.atol}`);

    const [[d1], [o1]] = await measure([[() => dsc[0].run(feeds)], [() => ort1.run(ortFeeds)]]);
    const [[d2], o2] = await measure([[() => dsc[1].run(feeds)], ort2.map((s) => () => s.run(ortFeeds))]);
    let interp: number | undefined;
    if (INTERPRETED.has(name)) {
      const inputs = new Map([[inputName, x]]);
      const [[samples]] = await measure([[() => runGraph(graph, inputs)]]);
      interp = median(samples);
    }
    return { model: name, dsc1: median(d1), ort1: median(o1), dsc2: median(d2), ort2: median(o2.flat()), ort2Sessions: o2.map(median), interp, agree };
  } finally {
    for (const m of dsc) m.dispose();
    await ort1.release();
    for (const s of ort2) await s.release();
  }
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function table(rows: Row[]): string[] {
  const lines = [
    '| model | dsc cpu 1T | ORT 1T | ratio | dsc 2T | ORT 2T (per session) | ratio | interpreter |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows)
    lines.push(`| ${r.model}${r.agree ? '' : ' (outputs differ!)'} | ${ms(r.dsc1)} | ${ms(r.ort1)} | ${ratio(r.dsc1, r.ort1)} | ${ms(r.dsc2)} | ${ms(r.ort2)} (${r.ort2Sessions.map(ms).join(', ')}) | ${ratio(r.dsc2, r.ort2)} | ${r.interp === undefined ? '—' : ms(r.interp)} |`);
  return lines;
}

/** Replaces this benchmark's section of RESULTS.md (or appends it), keeping every other section. */
function writeResults(section: string): void {
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf(SECTION_TITLE);
  let next: string;
  if (start < 0) next = `${text.trimEnd()}\n\n${section}`;
  else {
    const after = text.indexOf('\n## ', start + SECTION_TITLE.length);
    next = text.slice(0, start) + section + (after < 0 ? '' : `\n${text.slice(after + 1)}`);
  }
  writeFileSync(RESULTS, next.endsWith('\n') ? next : `${next}\n`);
}

async function main(): Promise<void> {
  const left = exportMissing(MODELS.filter((m) => !modelFiles(m)));
  const rows: Row[] = [];
  const loadAtStart = loadavg()[0];
  for (const name of MODELS) {
    const files = modelFiles(name);
    if (!files || left.includes(name)) continue;
    process.stderr.write(`${name}: compiling and measuring...\n`);
    rows.push(await benchModel(name, importOnnxFile(files.model), files.model, files.input));
  }
  const cpu = cpus();
  const date = new Date().toISOString().slice(0, 10);
  const lines = table(rows);
  console.log(lines.join('\n'));
  writeResults([
    SECTION_TITLE,
    '',
    `${date} · ${cpu[0].model}, ${cpu.length} cores · ${platform()} ${release()} · Node ${process.versions.node} · onnxruntime-node ${ort.env.versions.node} · load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
    '',
    'Command: `npm run bench` (`node scripts/build.mjs && node dist/bench.js`).',
    '',
    `Milliseconds per run at batch 1, the median of at least ${MIN_RUNS} runs and ${MIN_MS / 1000} s per figure after a warm-up.`,
    'dsc: the package `dsc compile` builds (`-O3 -march=native`, the `threads` load option), `model.run` on the main thread.',
    "ORT: onnxruntime-node `InferenceSession` on the same .onnx file with `intraOpNumThreads` 1 or 2 and `graphOptimizationLevel: 'all'`, `await session.run` (its async call is part of the cost a Node user pays).",
    'Both contenders of a row run in alternating 250 ms slices in one process; both outputs are checked against each other first.',
    'ratio = dsc ÷ ORT: below 1 dsc is faster. The interpreter (reference semantics, not a fast path) is timed for the small models only.',
    '',
    ...lines,
    '',
    `ORT at 2 threads is unstable on this kind of machine: its latency on small graphs jumps between two levels from session to session`,
    `and from process to process, so its figure pools ${ORT_2T_SESSIONS} sessions and the parentheses give each session's median.`,
    'Compare at 1 thread for a steady ratio. On a 2-core machine shared with other work, 2-thread figures of either side also suffer from',
    'any other busy process; the load average above says how busy it was. dsc\'s 2-thread runs meet at a barrier after every parallel',
    'kernel, so while another process holds a core each run waits for the descheduled thread, many times per run.',
    '',
  ].join('\n'));
  process.stderr.write(`wrote ${RESULTS}\n`);
}

await main();
