// The kernel program a target's code generator starts from, for `dsc kir` and the kernel-IR tests:
// the target's graph pipeline, its legality check, and lowering with the target's options.
import { Graph } from '../../ir/graph.js';
import { OptLevel, runPasses } from '../../passes/registry.js';
import { KernelProgram } from '../kernel-ir.js';
import { lowerGraph } from '../lower/index.js';
import { TargetDef } from '../targets/target.js';

export interface KernelProgramOptions {
  /** graph optimization level (default 1) */
  level?: OptLevel;
  /** one of the target's precisions (default: its first) */
  precision?: string;
}

/** Optimize `graph` in place with the target's pipeline and lower it as the target's generator does. */
export function kernelProgramFor(graph: Graph, target: TargetDef, opts: KernelProgramOptions = {}): KernelProgram {
  runPasses(graph, target.pipeline(opts.level ?? 1), { verify: true });
  target.check(graph);
  const precision = opts.precision ?? target.precisions[0];
  return lowerGraph(graph, { epilogues: target.lowering.epilogues, target: target.name, elementBytes: target.lowering.elementBytes(precision) });
}
