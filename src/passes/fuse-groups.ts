// Fusion: assigns every node a group (Node.group); the nodes of one group are computed by one
// kernel. Nodes are visited in order and a node joins the group of a producer when:
//   - it is elementwise (unary, binary, where, cast, clip, activations; also an inference batch
//     norm, a per-channel affine map, when fold-batchnorm could not fold it) with the group's
//     iteration shape (its output shape; inputs may broadcast): elementwise chains, and epilogues
//     (bias, activation, residual add, scale) of a conv / conv_transpose / matmul / gemm group;
//     elementwise groups meeting at a node merge, with at most one contraction in the result;
//   - it is a per-channel window (max/average pool, depthwise conv) reading a contraction group's
//     output, once per group: Conv+ReLU+MaxPool, and MobileNet's 1x1 expand + depthwise conv;
//   - the result stays legal: every value the group computes is read either only inside it or only
//     outside it (an intermediate that must also be stored is not fused, so a group stores just its
//     result, which also keeps it convex: no path leaves it and comes back), and it reads and
//     writes at most `max-inputs` distinct buffers (WGSL binds at most 8 storage buffers per shader
//     stage by default).
// Every other node (softmax, norms, attention, reductions, data movement, ...) is a group of its
// own: the fused ops are already one kernel each. Constants and views (the reshape family and
// identity, whose result is the input's storage) get groups of their own too, but launch nothing
// (memory-kernels.ts, which counts kernels for the memory planner and `dsc report`).
// Finally the nodes are reordered so each group is one contiguous run, and groups are numbered
// from 0 in that order: a deterministic schedule of kernels.
import { Dim, dimEq } from '../ir/dim.js';
import { Graph, Node, Value } from '../ir/graph.js';
import { ELEMENTWISE_OPS, VIEW_OPS } from './memory-kernels.js';
import { definePass } from './pass.js';

/** Ops that contract over an input dimension and take elementwise epilogues. */
export const CONTRACTION_OPS: ReadonlySet<string> = new Set(['conv', 'conv_transpose', 'matmul', 'gemm']);

const POOL_OPS: ReadonlySet<string> = new Set(['max_pool', 'average_pool']);

/** The default `max-inputs` of each target; 0 is no limit. */
const TARGET_MAX_BUFFERS: Readonly<Record<string, number>> = { wgsl: 8 };

export const fuse = definePass({
  name: 'fuse',
  summary: 'group nodes into kernels (Node.group): elementwise chains, conv/matmul/gemm epilogues, conv + pool and conv + depthwise conv',
  options: {
    'max-inputs': {
      kind: 'int', default: -1,
      doc: 'most distinct buffers one group may read and write; 0 is no limit, -1 the target\'s limit (8 for wgsl, none otherwise)',
    },
    windows: { kind: 'bool', default: true, doc: 'let a max/average pool or depthwise conv join the conv group whose output it reads' },
  },
  run(graph, options, ctx) {
    const limit = options['max-inputs'] < 0 ? TARGET_MAX_BUFFERS[ctx.target] ?? 0 : options['max-inputs'];
    assignGroups(graph, { maxBuffers: limit, windows: options.windows });
  },
});

type GroupKind = 'elementwise' | 'contraction' | 'single';

interface Group {
  nodes: Node[];
  kind: GroupKind;
  /** the shape an elementwise node must produce to join: the output shape of the group's last node */
  shape: readonly Dim[];
  /** a window op has joined (one per group, so a kernel recomputes at most one halo) */
  windowed: boolean;
}

interface FuseOptions { maxBuffers: number; windows: boolean }

function assignGroups(graph: Graph, opts: FuseOptions): void {
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  const users = graph.users();
  const outputs = new Set(graph.outputs);
  const groupOf = new Map<Node, Group>();
  const allows = (nodes: Node[]) => {
    const inside = new Set(nodes);
    return storesOnlyResults(inside, users, outputs) && (opts.maxBuffers <= 0 || bufferCount(inside, users, outputs) <= opts.maxBuffers);
  };

  const start = (n: Node, kind: GroupKind) => {
    groupOf.set(n, { nodes: [n], kind, shape: n.outputs[0]?.type.shape ?? [], windowed: false });
  };
  const producerGroups = (n: Node) =>
    [...new Set(n.inputs.flatMap((v) => (v?.producer ? [groupOf.get(v.producer)!] : [])))]
      .sort((a, b) => lastIndex(b, index) - lastIndex(a, index));

  for (const n of graph.nodes) {
    if (n.outputs.length !== 1 || n.op === 'constant' || VIEW_OPS.has(n.op)) { start(n, 'single'); continue; }
    const shape = n.outputs[0].type.shape;
    if (ELEMENTWISE_OPS.has(n.op) || n.op === 'batch_normalization') {
      // the latest producer group first: a residual add joins the conv right before it, not the block's input
      let merged: Group | undefined;
      for (const g of producerGroups(n)) {
        if (g.kind === 'single' || !sameShape(g.shape, shape)) continue;
        if (merged && merged.kind === 'contraction' && g.kind === 'contraction') continue;
        const nodes = merged ? [...merged.nodes, ...g.nodes] : [...g.nodes, n];
        if (!allows(nodes)) continue;
        const kind = merged?.kind === 'contraction' ? 'contraction' : g.kind;
        merged = { nodes, kind, shape, windowed: (merged?.windowed ?? false) || g.windowed };
      }
      if (!merged) { start(n, 'elementwise'); continue; }
      for (const m of merged.nodes) groupOf.set(m, merged);
      continue;
    }
    if (opts.windows && isWindow(n)) {
      const g = n.inputs[0]?.producer && groupOf.get(n.inputs[0].producer);
      if (g && g.kind === 'contraction' && !g.windowed && allows([...g.nodes, n])) {
        const joined: Group = { nodes: [...g.nodes, n], kind: 'contraction', shape, windowed: true };
        for (const m of joined.nodes) groupOf.set(m, joined);
        continue;
      }
    }
    start(n, CONTRACTION_OPS.has(n.op) ? 'contraction' : 'single');
  }
  schedule(graph, groupOf, index);
}

/** A per-channel window over the previous result: a pool, or a conv with one input channel per group. */
function isWindow(n: Node): boolean {
  if (POOL_OPS.has(n.op)) return true;
  if (n.op !== 'conv') return false;
  const channels = n.inputs[0]!.type.shape[1];
  const group = (n.attrs.group as number | undefined) ?? 1;
  return group > 1 && dimEq(channels, group);
}

const sameShape = (a: readonly Dim[], b: readonly Dim[]) => a.length === b.length && a.every((d, i) => dimEq(d, b[i]));

function lastIndex(g: Group, index: Map<Node, number>): number {
  return Math.max(...g.nodes.map((n) => index.get(n)!));
}

/**
 * Every value the group computes is read either only inside it (and is no graph output) or only
 * outside it. Groups grow by a node reading their stored result, so each group then stores one
 * value, its last node's: a path that leaves the group starts there and cannot come back, and the
 * group is convex by construction.
 */
function storesOnlyResults(inside: ReadonlySet<Node>, users: Map<Value, Node[]>, outputs: ReadonlySet<Value>): boolean {
  for (const n of inside)
    for (const o of n.outputs) {
      const readers = users.get(o) ?? [];
      if (readers.some((u) => inside.has(u)) && (outputs.has(o) || readers.some((u) => !inside.has(u)))) return false;
    }
  return true;
}

/** Distinct buffers a group reads (values from outside it) and writes (values read outside it, or graph outputs, or unread). */
export function bufferCount(inside: ReadonlySet<Node>, users: Map<Value, Node[]>, outputs: ReadonlySet<Value>): number {
  const read = new Set<Value>();
  let written = 0;
  for (const n of inside) {
    for (const v of n.inputs) if (v && !(v.producer && inside.has(v.producer))) read.add(v);
    for (const o of n.outputs) {
      const readers = users.get(o) ?? [];
      if (outputs.has(o) || readers.length === 0 || readers.some((u) => !inside.has(u))) written++;
    }
  }
  return read.size + written;
}

/**
 * Order the groups topologically (ties: the group whose first node came first), make each one
 * contiguous, and number them in that order.
 */
function schedule(graph: Graph, groupOf: Map<Node, Group>, index: Map<Node, number>): void {
  const groups = [...new Set(graph.nodes.map((n) => groupOf.get(n)!))];
  const firstIndex = new Map(groups.map((g) => [g, Math.min(...g.nodes.map((n) => index.get(n)!))]));
  const waitingOn = new Map(groups.map((g) => [g, new Set<Group>()]));
  const unblocks = new Map(groups.map((g) => [g, new Set<Group>()]));
  for (const g of groups)
    for (const n of g.nodes)
      for (const v of n.inputs) {
        const p = v?.producer && groupOf.get(v.producer);
        if (p && p !== g) { waitingOn.get(g)!.add(p); unblocks.get(p)!.add(g); }
      }
  const ready = groups.filter((g) => waitingOn.get(g)!.size === 0);
  const order: Group[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => firstIndex.get(b)! - firstIndex.get(a)!);
    const g = ready.pop()!;
    order.push(g);
    for (const h of unblocks.get(g)!) {
      const wait = waitingOn.get(h)!;
      wait.delete(g);
      if (wait.size === 0) ready.push(h);
    }
  }
  if (order.length !== groups.length) throw new Error('fusion made a cycle between groups');
  graph.nodes = order.flatMap((g, id) => {
    const nodes = [...g.nodes].sort((a, b) => index.get(a)! - index.get(b)!);
    for (const n of nodes) n.group = id;
    return nodes;
  });
}
