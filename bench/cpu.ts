// The CPU part of `npm run bench`: batch-1 latency of each ONNX architecture compiled to a CPU package,
// against onnxruntime-node on the same model file, weights and input, at 1 and 2 threads (and the
// reference interpreter for the small models). The contenders of a row run in alternating time slices.
import { createRequire } from 'node:module';
import { loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { cachedPackage } from '../src/codegen/compile.js';
import { Graph } from '../src/ir/graph.js';
import { runGraph } from '../src/ir/interp.js';
import { Tensor } from '../src/ir/tensor.js';
import { CPU_BUDGET, Contender, TOLERANCE, agreement, firstBatch, loadText, local, machine, measure, median, ms, ratio, writeSection } from './common.js';

export const CPU_TITLE = '## CPU package vs onnxruntime-node: batch-1 latency';

/** the reference interpreter is timed only where a run takes well under a second */
const INTERPRETED = new Set(['mlp', 'lenet5', 'transformer_opset13', 'transformer_opset17']);
/** ORT's 2-thread latency jumps between levels from session to session: spread its samples over several */
const ORT_2T_SESSIONS = 3;

interface Feeds { [name: string]: { data: ArrayBufferView; shape: number[] } }
/** runSync: the timed loop measures the kernels, not a hop to a worker thread */
interface LoadedModel { runSync(inputs: Feeds): Feeds; dispose(): void }

async function loadPackage(dir: string, weights: Uint8Array, threads: number): Promise<LoadedModel> {
  const require = createRequire(join(dir, 'index.js'));
  const { Model } = require(join(dir, 'index.js')) as { Model: { load(src: Uint8Array, opts: { threads: number }): Promise<LoadedModel> } };
  return Model.load(weights, { threads });
}

export function ortSession(model: string, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
}

/** onnxruntime-node's output on the model's first input at batch 1: the reference every other output is checked against. */
export async function ortReference(model: string, inputName: string, x: Tensor): Promise<Float32Array> {
  const session = await ortSession(model, 1);
  try {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

const one = (run: () => unknown): Contender => ({ slicers: [local(run)], budget: CPU_BUDGET });

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
    const ours = dsc[0].runSync(feeds)[outputName].data as Float32Array;
    const theirs = (await ort1.run(ortFeeds))[ort1.outputNames[0]].data as Float32Array;
    const agree = agreement(ours, theirs) === '✓';
    if (!agree) console.warn(`${name}: the compiled package and onnxruntime-node disagree beyond rtol ${TOLERANCE.rtol} / atol ${TOLERANCE.atol}`);

    const [[d1], [o1]] = await measure([one(() => dsc[0].runSync(feeds)), one(() => ort1.run(ortFeeds))]);
    const [[d2], o2] = await measure([one(() => dsc[1].runSync(feeds)), { slicers: ort2.map((s) => local(() => s.run(ortFeeds))), budget: CPU_BUDGET }]);
    let interp: number | undefined;
    if (INTERPRETED.has(name)) {
      const inputs = new Map([[inputName, x]]);
      const [[samples]] = await measure([one(() => runGraph(graph, inputs))]);
      interp = median(samples);
    }
    return { model: name, dsc1: median(d1), ort1: median(o1), dsc2: median(d2), ort2: median(o2.flat()), ort2Sessions: o2.map(median), interp, agree };
  } finally {
    for (const m of dsc) m.dispose();
    await ort1.release();
    for (const s of ort2) await s.release();
  }
}

function table(rows: Row[]): string[] {
  const lines = [
    '| model | dsc cpu 1T | ORT 1T | ratio | dsc 2T | ORT 2T (per session) | ratio | interpreter |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows)
    lines.push(`| ${r.model}${r.agree ? '' : ' (outputs differ!)'} | ${ms(r.dsc1)} | ${ms(r.ort1)} | ${ratio(r.dsc1, r.ort1)} | ${ms(r.dsc2)} | ${ms(r.ort2)} (${r.ort2Sessions.map(ms).join(', ')}) | ${ratio(r.dsc2, r.ort2)} | ${r.interp === undefined ? '—' : ms(r.interp)} |`);
  return lines;
}

export interface BenchModel { name: string; graph: Graph; model: string; input: Tensor }

/** Measures every model; prints the table and, when `write`, replaces this part's section of RESULTS.md. */
export async function benchCpu(models: BenchModel[], command: string, write: boolean): Promise<void> {
  const rows: Row[] = [];
  const loadAtStart = loadavg()[0];
  for (const m of models) {
    process.stderr.write(`cpu: ${m.name}: compiling and measuring...\n`);
    rows.push(await benchModel(m.name, m.graph, m.model, m.input));
  }
  const lines = table(rows);
  console.log(lines.join('\n'));
  if (!write) return;
  writeSection(CPU_TITLE, [
    `${machine()} · ${platform()} ${release()} · Node ${process.versions.node} · onnxruntime-node ${ort.env.versions.node} · ${loadText(loadAtStart)}`,
    '',
    `Command: ${command}.`,
    '',
    `Milliseconds per run at batch 1, the median of at least ${CPU_BUDGET.enough[0][0]} runs and ${CPU_BUDGET.enough[0][1] / 1000} s per figure after a warm-up.`,
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
  ]);
}
