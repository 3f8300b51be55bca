// `dsc report --target T` describes what T's package runs: the kernels it launches and the workspace
// it allocates are exactly those of the kernel program the target's code generator prints (the C++
// kernel calls of model.cc; the WGSL plan's shaders and data buffer).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../src/frontend/load.js';
import { Graph } from '../../src/ir/graph.js';
import { runPasses } from '../../src/passes/registry.js';
import { planMemory } from '../../src/analysis/plan-memory.js';
import { reportFigures } from '../../src/report/report.js';
import { lowerGraph } from '../../src/codegen/lower/index.js';
import { listTargets } from '../../src/codegen/targets/registry.js';
import { TargetDef, targetPlanning } from '../../src/codegen/targets/target.js';
import { Expr } from '../../src/codegen/kernel-ir.js';
import { IndexExpr, WgslPlan, evalIndex } from '../../runtime/webgpu/plan.js';
import { main } from '../../src/cli/main.js';

const example = (path: string) => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));

const MODELS = [
  { name: 'MLP', file: example('mlp/mlp.ds'), dims: { N: 2 } },
  { name: 'ResNet-18', file: example('resnet18/resnet18.ds'), dims: { N: 2 } },
  { name: 'BERT encoder', file: example('bert_encoder/bert_encoder.ds'), dims: { N: 2, S: 16 } },
];

/** A kernel-IR index expression's value, symbols bound by the manifest's names. */
function evalExpr(e: Expr, vars: Record<string, number>): number {
  return evalIndex(e as unknown as IndexExpr, vars);
}

/** Bytes of the WGSL data buffer past the status word, inputs and outputs: the workspace. */
function wgslWorkspaceBytes(plan: WgslPlan, vars: Record<string, number>): number {
  const slots = [...plan.inputs, ...plan.outputs];
  const end = Math.max(plan.statusWord + 1, ...slots.map((s) => evalIndex(s.offset, vars) + s.shape.reduce((n, d) => n * evalIndex(d, vars), 1)));
  // the data buffer starts with the status word padded to 16 bytes
  return 4 * (evalIndex(plan.dataWords, vars) - Math.max(end, 4));
}

function optimized(file: string, target: TargetDef): Graph {
  return runPasses(loadModel(file), target.pipeline(1), { verify: true });
}

describe('dsc report matches what each target launches and allocates', () => {
  for (const m of MODELS)
    for (const target of listTargets())
      it(`${m.name} on ${target.name}`, () => {
        const graph = optimized(m.file, target);
        const dims = new Map(Object.entries(m.dims));
        const figures = reportFigures(graph, planMemory(graph, { ...targetPlanning(target), dims }));

        const program = lowerGraph(graph, { epilogues: target.lowering.epilogues, elementBytes: target.lowering.elementBytes('f32'), target: target.name });
        const vars = Object.fromEntries(program.manifest.symbols.map((s, i) => [program.symbols[i], dims.get(s.name) ?? 1]));
        expect(figures.kernelsAfter).toBe(program.kernels.length);
        expect(figures.arenaBytes).toBe(evalExpr(program.workspaceBytes, vars));

        // the program above is the one the target's generator prints
        const code = target.generate(graph, {});
        if (code.wgsl) {
          const plan = code.wgsl.plan;
          const kernels = new Set(plan.shaders.map((s) => program.kernels.find((k) => s.name === k.name || s.name.startsWith(`${k.name}_`))?.name));
          expect(kernels.has(undefined)).toBe(false);
          expect(kernels.size).toBe(program.kernels.length);
          const planVars = Object.fromEntries(plan.symbols.map((s) => [s.variable, dims.get(s.name) ?? 1]));
          expect(wgslWorkspaceBytes(plan, planVars)).toBe(figures.arenaBytes);
        } else {
          const calls = [...code.kernelFiles.values()].join('\n').match(/if \(const int rc = k\d+_/g) ?? [];
          expect(calls.length).toBe(figures.kernelsAfter);
        }
      }, 120_000);
});

describe('dsc report --target', () => {
  const run = async (args: string[]) => {
    const out: string[] = [], err: string[] = [];
    const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('plans with the named target: wgsl has no GEMM epilogues, so the MLP launches more kernels there', async () => {
    const kernels = async (target: string) => {
      const r = await run(['report', MODELS[0].file, '--target', target, '--dim', 'N=2']);
      expect(r.code, r.err).toBe(0);
      return Number(/kernels +\d+ before fusion, (\d+) after/.exec(r.out)![1]);
    };
    const [cpu, wgsl] = [await kernels('cpu'), await kernels('wgsl')];
    for (const [name, count] of [['cpu', cpu], ['wgsl', wgsl]] as const) {
      const target = listTargets().find((t) => t.name === name)!;
      expect(count).toBe(lowerGraph(optimized(MODELS[0].file, target), { epilogues: target.lowering.epilogues, target: name }).kernels.length);
    }
    expect(wgsl).toBeGreaterThan(cpu);
  }, 60_000);

  it('names the registered targets when the target is unknown', async () => {
    const r = await run(['report', MODELS[0].file, '--target', 'tpu']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('DSC9001');
    expect(r.err).toContain(`unknown target 'tpu'; available: ${listTargets().map((t) => t.name).join(', ')}`);
  });
});
