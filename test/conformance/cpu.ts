// The CPU column of the conformance report: every case that passes on the reference interpreter is
// generated with generateCpu, compiled by test/codegen's harness (a few translation units linked into
// one executable, objects cached by content hash), run on the suite's inputs with the imported graph's
// weights as params, and compared with the suite's expected outputs at the interpreter's tolerances.
import { createHash } from 'node:crypto';
import { manifestOf } from '../../src/codegen/abi.js';
import { generateCpu } from '../../src/codegen/cpu/generate.js';
import { evalDim } from '../../src/ir/dim.js';
import { CompiledModel, JobCrash, RunJob, RunResult, buildModels, runJobsSurvivingCrashes } from '../codegen/harness.js';
import { CaseResult, DataSetCheck } from './runner.js';
import { TargetResult, firstLine, generationFailure, outputsDiffer } from './target.js';

/**
 * Units the models are compiled in: about 25 small models a unit, so the standard headers are parsed a
 * few dozen times instead of once per model (the cost that dominates), with enough units for every core.
 */
const TRANSLATION_UNITS = 24;
/** One process of the driver runs every case in well under a second; this long means a hung kernel. */
const RUN_TIMEOUT_MS = 120_000;

interface PreparedSet {
  check: DataSetCheck;
  job: RunJob;
}

/** A C identifier per distinct source, so data sets (and cases) that generate the same code share a model. */
function modelId(source: string): string {
  return `m${createHash('sha256').update(source).digest('hex').slice(0, 16)}`;
}

function prepare(check: DataSetCheck, models: Map<string, CompiledModel>): PreparedSet {
  const { graph, inputs } = check;
  const source = generateCpu(graph).files.get('model.cc')!;
  const id = modelId(source);
  models.set(id, { id, source });
  const symbols = manifestOf(graph).symbols;
  const env = new Map(symbols.map((s) => [s.name, inputs[s.from.input].shape[s.from.axis]] as const));
  return {
    check,
    job: {
      model: id,
      syms: symbols.map((s) => env.get(s.name)!),
      params: graph.params.map((p) => {
        const w = graph.weights.get(p.name);
        if (!w) throw new Error(`param '${p.name}' has no weight`);
        return w;
      }),
      inputs,
      outputs: graph.outputs.map((v) => ({ dtype: v.type.dtype, shape: v.type.shape.map((d) => evalDim(d, env)) })),
    },
  };
}

/** The compiler's first error, without the path of the cached source it names. */
function compilerError(output: string): string {
  const line = output.split('\n').find((l) => /\berror\b/.test(l) && !l.startsWith('g++ ')) ?? firstLine(output);
  return `g++: ${line.replace(/^\S*\.(cc|o|h):(\d+:)*\s*/, '')}`;
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Why one data set's run differs from the suite's expected outputs, or '' when it matches. */
function judge(s: PreparedSet, r: RunResult | JobCrash): string {
  const set = s.check.set;
  if ('crash' in r) return `the run (${set}) ${firstLine(r.crash)}`;
  if (r.rc !== 0) return `dsc_run returned ${r.rc} (${set})`;
  for (const [i, { shape }] of s.job.outputs.entries())
    if (formatShape(r.shapes[i]) !== formatShape(shape))
      return `output ${i} '${s.check.graph.outputs[i].name}' (${set}): dsc_output_shape gives ${formatShape(r.shapes[i])}, the graph says ${formatShape(shape)}`;
  return outputsDiffer(s.check, r.outputs);
}

/** Runs every case that passed on the interpreter through the CPU target; results by case id. */
export async function runCpuSuite(results: readonly CaseResult[]): Promise<Map<string, TargetResult>> {
  const out = new Map<string, TargetResult>();
  const models = new Map<string, CompiledModel>();
  const prepared: [string, PreparedSet[]][] = [];
  for (const r of results) {
    if (r.outcome !== 'pass') continue;
    const sets: PreparedSet[] = [];
    try {
      for (const check of r.checks) sets.push(prepare(check, models));
      prepared.push([r.id, sets]);
    } catch (e) {
      out.set(r.id, generationFailure(r.id, 'generateCpu', e));
    }
  }
  const { exe, failed } = await buildModels([...models.values()], { units: TRANSLATION_UNITS });
  const runnable = prepared.filter(([id, sets]) => {
    const broken = sets.find((s) => failed.has(s.job.model));
    if (broken) out.set(id, { id, outcome: 'build-error', reason: compilerError(failed.get(broken.job.model)!), unsupported: [] });
    return !broken;
  });
  const jobs = runnable.flatMap(([, sets]) => sets.map((s) => s.job));
  const runs = exe && jobs.length ? runJobsSurvivingCrashes(exe, jobs, { timeoutMs: RUN_TIMEOUT_MS }) : [];
  let k = 0;
  for (const [id, sets] of runnable) {
    const reasons = sets.map((s) => judge(s, runs[k++])).filter(Boolean);
    out.set(id, { id, outcome: reasons.length ? 'fail' : 'pass', reason: reasons[0] ?? '', unsupported: [] });
  }
  return out;
}
