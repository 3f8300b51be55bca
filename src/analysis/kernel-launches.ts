// Kernels as the memory planner and the report see them: the fusion groups of a graph (Node.group;
// a node without one is a kernel of its own), minus the nodes that launch nothing — storage aliases
// (the reshape family, whose result is its input's bytes under another shape) and constants (static
// data). Movement nodes that are views of a kernel (views.ts) are nodes of that kernel.
// Kernels are put in a topological order that follows the graph's node order where it can.
import { Graph, Node, Value } from '../ir/graph.js';
import { opTraits } from '../ir/registry.js';
import { groupViews } from './views.js';

/** One launch: the nodes of one fusion group (or one unfused node), in graph order. */
export interface KernelLaunch {
  /** position in the schedule */
  step: number;
  nodes: Node[];
  /** the fusion group number, when the nodes carry one */
  group?: number;
}

/**
 * Whether `node` is a view: a reshape-family op whose result is not a graph output (an output
 * must be written into the caller's buffer, so there the op is a copy kernel).
 */
export function isViewNode(node: Node, graphOutputs: ReadonlySet<Value>): boolean {
  return !!opTraits(node.op).alias && node.outputs.length === 1 && node.inputs[0] !== null && !graphOutputs.has(node.outputs[0]);
}

/** Nodes that are no kernel's work when each node is a kernel of its own (before fusion): views and constants. */
export function launchesNothing(node: Node, graphOutputs: ReadonlySet<Value>): boolean {
  return node.op === 'constant' || isViewNode(node, graphOutputs);
}

/** The movement nodes that are views of the kernel of their group (views.ts): its load chains and store view. */
export function kernelViews(graph: Graph): Set<Node> {
  const byGroup = new Map<number, Node[]>();
  for (const n of graph.nodes) {
    if (n.group === undefined) continue;
    const nodes = byGroup.get(n.group);
    if (nodes) nodes.push(n);
    else byGroup.set(n.group, [n]);
  }
  const views = new Set<Node>();
  for (const nodes of byGroup.values()) {
    const { loads, store } = groupViews(nodes);
    for (const n of store ? [...loads, store] : loads) views.add(n);
  }
  return views;
}

/**
 * The views (isViewNode) whose result is their input's storage in the fused graph: all but the
 * reshape-family links of a kernel's view chain, which are index maps of that kernel.
 */
export function storageAliases(graph: Graph): Set<Node> {
  const outputs = new Set(graph.outputs);
  const views = kernelViews(graph);
  return new Set(graph.nodes.filter((n) => isViewNode(n, outputs) && !views.has(n)));
}

/**
 * The kernels of a graph in a valid execution order. Groups are contracted to one vertex each and
 * the result is ordered topologically, taking the ready kernel whose first node comes earliest in
 * the graph. A fusion group that is not convex (a path leaves it and comes back) cannot run as one
 * kernel: that is the fusion pass's bug, reported as an internal error.
 */
export function scheduleKernels(graph: Graph): KernelLaunch[] {
  const aliases = storageAliases(graph);
  const kernels: KernelLaunch[] = [];
  const byGroup = new Map<number, KernelLaunch>();
  const kernelOf = new Map<Node, KernelLaunch>();
  for (const node of graph.nodes) {
    if (node.op === 'constant' || aliases.has(node)) continue;
    let k = node.group === undefined ? undefined : byGroup.get(node.group);
    if (!k) {
      k = { step: -1, nodes: [], group: node.group };
      kernels.push(k);
      if (node.group !== undefined) byGroup.set(node.group, k);
    }
    k.nodes.push(node);
    kernelOf.set(node, k);
  }

  // kernel-level edges, looking through views (a view passes its input's producer on)
  const producerKernel = new Map<Value, KernelLaunch>();
  for (const node of graph.nodes) {
    const k = kernelOf.get(node);
    if (k) for (const o of node.outputs) producerKernel.set(o, k);
    else if (aliases.has(node)) {
      const from = producerKernel.get(node.inputs[0]!);
      if (from) producerKernel.set(node.outputs[0], from);
    }
  }
  const position = new Map(kernels.map((k, i) => [k, i]));
  const preds = kernels.map(() => new Set<number>());
  const succs = kernels.map(() => new Set<number>());
  kernels.forEach((k, i) => {
    for (const n of k.nodes)
      for (const v of n.inputs) {
        const from = v ? producerKernel.get(v) : undefined;
        if (!from || from === k) continue;
        const j = position.get(from)!;
        preds[i].add(j);
        succs[j].add(i);
      }
  });

  // Kahn's algorithm; kernels are numbered by first node, so the smallest ready index keeps graph order
  const waiting = preds.map((p) => p.size);
  const ready = new MinHeap();
  waiting.forEach((w, i) => { if (w === 0) ready.push(i); });
  const order: KernelLaunch[] = [];
  while (ready.size > 0) {
    const i = ready.pop();
    kernels[i].step = order.length;
    order.push(kernels[i]);
    for (const j of succs[i]) if (--waiting[j] === 0) ready.push(j);
  }
  if (order.length !== kernels.length) {
    const stuck = kernels.find((k) => k.step < 0 && k.group !== undefined);
    throw new Error(`internal error: fusion group ${stuck?.group ?? '?'} is not convex: a path leaves it and re-enters it, so it cannot run as one kernel`);
  }
  return order;
}

/** A binary min-heap of integers (the ready list of the topological sort). */
class MinHeap {
  private readonly items: number[] = [];
  get size(): number { return this.items.length; }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (a[p] <= a[i]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
