// What each kernel costs: floating-point work and bytes moved, from the op registry's cost rules.
// A kernel of one node moves what its op's cost says. A fused kernel reads its external inputs and
// writes its stored results once; the values passed between its nodes stay in registers or cache,
// which is the traffic fusion saves.
import { DimEnv, dimProduct, evalDim } from '../ir/dim.js';
import { DTYPE_INFO } from '../ir/dtype.js';
import { Graph, Node, TensorType, Value } from '../ir/graph.js';
import { resolveAttrs } from '../ir/interp.js';
import { Cost, getOp } from '../ir/registry.js';
import { defaultCost } from '../ir/ops/util.js';
import { KernelLaunch, launchesNothing } from '../analysis/kernel-launches.js';
import { MemoryPlan } from '../analysis/plan-memory.js';
import { groupViews } from '../analysis/views.js';

export interface KernelStats {
  kernel: KernelLaunch;
  /** the ops it computes, in order, joined by '+', and how many movement nodes it reads or stores through */
  ops: string;
  /** the values it writes to memory */
  writes: Value[];
  flops: number;
  bytes: number;
}

/** The cost of one node as if it ran alone; NaN where a size is unknown until run time. */
export function nodeCost(node: Node, env: DimEnv): Cost {
  const def = getOp(node.op);
  const inputs = node.inputs.map((v) => v?.type ?? null);
  const outputs = node.outputs.map((v) => v.type);
  try {
    if (!def?.cost) return defaultCost(inputs, outputs, env);
    return def.cost({ inputs, outputs, attrs: resolveAttrs(def, node.attrs, env), env });
  } catch {
    return { flops: NaN, bytes: NaN };
  }
}

export function typeBytes(t: TensorType, env: DimEnv): number {
  try {
    return evalDim(dimProduct(t.shape), env) * DTYPE_INFO[t.dtype].bytes;
  } catch {
    return NaN;
  }
}

/** Per kernel of the plan: its ops, work and traffic. */
export function kernelStats(plan: MemoryPlan): KernelStats[] {
  const env = plan.dims;
  return plan.kernels.map((kernel) => {
    const flops = kernel.nodes.reduce((s, n) => s + nodeCost(n, env).flops, 0);
    const produced = new Set(kernel.nodes.flatMap((n) => n.outputs));
    const writes = [...produced].filter((v) => plan.storage.get(v)?.kind !== 'fused');
    let bytes: number;
    if (kernel.nodes.length === 1) bytes = nodeCost(kernel.nodes[0], env).bytes;
    else {
      const reads = new Set<Value>();
      for (const n of kernel.nodes) for (const v of n.inputs) if (v && !produced.has(v)) reads.add(v);
      bytes = [...reads, ...writes].reduce((s, v) => s + typeBytes(v.type, env), 0);
    }
    const views = groupViews(kernel.nodes);
    const viewCount = views.loads.length + (views.store ? 1 : 0);
    const ops = views.compute.map((n) => n.op).join('+') + (viewCount > 0 ? ` +${viewCount} view${viewCount > 1 ? 's' : ''}` : '');
    return { kernel, ops, writes, flops, bytes };
  });
}

/** Work and traffic with every node a kernel of its own (before fusion). */
export function unfusedTotals(graph: Graph, env: DimEnv): { kernels: number; flops: number; bytes: number } {
  const outputs = new Set(graph.outputs);
  let kernels = 0, flops = 0, bytes = 0;
  for (const n of graph.nodes) {
    if (launchesNothing(n, outputs)) continue;
    const c = nodeCost(n, env);
    kernels++;
    flops += c.flops;
    bytes += c.bytes;
  }
  return { kernels, flops, bytes };
}
