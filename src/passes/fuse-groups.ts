// Fusion: assigns every node a group (Node.group); the nodes of one group are computed by one
// kernel. Nodes are visited in order and a node joins the group of a producer when:
//   - it is elementwise (the op's `elementwise` trait: unary, binary, where, cast, clip,
//     activations) with the group's iteration shape (its output shape; inputs may broadcast):
//     elementwise chains, and, where the target's kernels take them (`epilogues`), epilogues (bias,
//     activation, residual add, scale) of a conv / conv_transpose / matmul / gemm group or of a
//     `channelAffine` op (an inference batch norm that fold-batchnorm could not fold);
//     elementwise groups meeting at a node merge, with at most one contraction in the result;
//   - it is a per-channel window (max/average pool, depthwise conv) reading a contraction group's
//     output, once per group: Conv+ReLU+MaxPool, and MobileNet's 1x1 expand + depthwise conv;
//   - the result stays legal: every value the group computes is read either only inside it or only
//     outside it (an intermediate that must also be stored is not fused, so a group stores just its
//     result, which also keeps it convex: no path leaves it and comes back), and it reads and
//     writes at most `max-inputs` distinct buffers (a target's limit on bindings per kernel).
// The options come from the target's pipeline (src/codegen/targets), so the groups are the
// kernels its code generator emits and `dsc report` counts.
// Every other node (softmax, norms, attention, reductions, data movement, ...) is a group of its
// own: the fused ops are already one kernel each. Constants and views (the reshape family and
// identity, whose result is the input's storage) get groups of their own too, but launch nothing
// (src/analysis/kernel-launches.ts, which counts kernels for the memory planner and `dsc report`).
// Then static data movement becomes views (views.ts): a movement node whose readers are all in one
// non-contraction group that reads through views joins it (a load view; chains join link by link,
// from the last node back), and a transpose that alone reads the result of a group that stores by
// coordinates joins that group (a store view). Either way it launches no kernel of its own.
// Finally the nodes are reordered so each group is one contiguous run, and groups are numbered
// from 0 in that order: a deterministic schedule of kernels.
import { Dim, dimEq } from '../ir/dim.js';
import { Graph, Node, Value } from '../ir/graph.js';
import { opTraits } from '../ir/registry.js';
import { definePass } from './pass.js';
import { isMovementView, readsThroughView, storesThroughView } from '../analysis/views.js';

export const fuse = definePass({
  name: 'fuse',
  summary: 'group nodes into kernels (Node.group): elementwise chains, conv/matmul/gemm epilogues, conv + pool and conv + depthwise conv, data movement as views',
  notes: `
**Data movement as views.** A static transpose, slice, expand or reshape-family node is an index map
from its result's coordinates to its input's. It joins the group of the kernel that reads its result
when every reader is in that group and that kernel indexes the operand by coordinates (elementwise
chains, softmax, log_softmax, layer and RMS norm, reductions, scaled_dot_product_attention): the
kernel reads the chain's stored source through the composed map and the movement launches nothing
(a load view; chains join link by link). A transpose that alone reads the result of such a kernel
joins that kernel's group instead (a store view): the kernel writes each element where the
transpose would put it, as attention does for its heads. Contractions take no views: their GEMM
operands are strided matrices, and the movement in front of them (rows of a batch permuted) is
rarely one; \`sink-transposes\` moves such a transpose below the matmul, next to the movement after
it. A reshape alone stays a storage alias. The decision is the group membership, visible as
\`group(n)\` in the IR, so \`dsc report\`, the memory planner (a view's source lives until the kernel
reading through it has run) and the code generators all see the same kernels. On the transformer
encoder this takes each layer from 17 kernels to 8.
`,
  options: {
    'max-inputs': { kind: 'int', default: 0, doc: 'most distinct buffers one group may read and write; 0 is no limit' },
    epilogues: { kind: 'bool', default: true, doc: 'let elementwise nodes join the conv/matmul/gemm group whose output they read (the target prints GEMM epilogues)' },
    windows: { kind: 'bool', default: true, doc: 'let a max/average pool or depthwise conv join the conv group whose output it reads' },
  },
  run(graph, options) {
    assignGroups(graph, { maxBuffers: options['max-inputs'], epilogues: options.epilogues, windows: options.windows });
  },
});

/**
 * contraction: a conv/matmul/gemm and its elementwise tail; affine: a per-channel affine op (an
 * unfolded batch norm) and its tail. Code generators lower either as one op with an epilogue, so a
 * group holds at most one of them.
 */
type GroupKind = 'elementwise' | 'contraction' | 'affine' | 'single';

const takesTail = (g: Group) => g.kind === 'contraction' || g.kind === 'affine';

interface Group {
  nodes: Node[];
  kind: GroupKind;
  /** the shape an elementwise node must produce to join: the output shape of the group's last node */
  shape: readonly Dim[];
  /** a window op has joined (one per group, so a kernel recomputes at most one halo) */
  windowed: boolean;
}

interface FuseOptions { maxBuffers: number; epilogues: boolean; windows: boolean }

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
    const traits = opTraits(n.op);
    if (n.outputs.length !== 1 || n.op === 'constant' || traits.alias) { start(n, 'single'); continue; }
    const shape = n.outputs[0].type.shape;
    if (traits.channelAffine) { start(n, 'affine'); continue; }
    if (traits.elementwise) {
      // the latest producer group first: a residual add joins the conv right before it, not the block's input
      let merged: Group | undefined;
      for (const g of producerGroups(n)) {
        if (g.kind === 'single' || (takesTail(g) && !opts.epilogues) || !sameShape(g.shape, shape)) continue;
        if (merged && takesTail(merged) && takesTail(g)) continue;
        const nodes = merged ? [...merged.nodes, ...g.nodes] : [...g.nodes, n];
        if (!allows(nodes)) continue;
        const kind = merged && takesTail(merged) ? merged.kind : g.kind;
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
    start(n, traits.contraction ? 'contraction' : 'single');
  }
  absorbViews(graph, groupOf, users, outputs);
  schedule(graph, groupOf, index);
}

/**
 * Movement nodes join the group that reads them (load views), else the group whose result they
 * transpose (store views). A reshape-family node joins only as a link of a chain with another
 * movement op above it: alone it is a storage alias already.
 */
function absorbViews(graph: Graph, groupOf: Map<Node, Group>, users: Map<Value, Node[]>, outputs: ReadonlySet<Value>): void {
  const joined = new Set<Node>();
  const join = (n: Node, g: Group) => {
    g.nodes.push(n);
    groupOf.set(n, g);
    joined.add(n);
  };
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    const v = n.outputs[0];
    const readers = users.get(v) ?? [];
    if (!isMovementView(n) || outputs.has(v) || readers.length === 0) continue;
    const g = groupOf.get(readers[0])!;
    if (!takesViews(g) || !readers.every((r) => groupOf.get(r) === g)) continue;
    if (!readers.every((r) => joined.has(r) || r.inputs.every((x, k) => x !== v || readsThroughView(r, k)))) continue;
    if (opTraits(n.op).reshape && !belowMovement(n)) continue;
    join(n, g);
  }
  const storing = new Set<Group>();
  for (const t of graph.nodes) {
    const p = t.inputs[0]?.producer;
    if (t.op !== 'transpose' || joined.has(t) || !isMovementView(t) || !p || !storesThroughView(p)) continue;
    const g = groupOf.get(p)!;
    const result = p.outputs[0];
    if (!takesViews(g) || storing.has(g) || outputs.has(result) || (users.get(result) ?? []).length !== 1) continue;
    join(t, g);
    storing.add(g);
  }
}

/** A kernel that indexes by coordinates: one op (a group of its own), or a chain of elementwise ops (no batch norm). */
function takesViews(g: Group): boolean {
  return g.kind === 'single' || (g.kind === 'elementwise' && g.nodes.every((m) => opTraits(m.op).elementwise || isMovementView(m)));
}

/** Whether a movement op other than the reshape family is above `n` through reshape-family links. */
function belowMovement(n: Node): boolean {
  for (let p = n.inputs[0]?.producer; p && isMovementView(p); p = p.inputs[0]?.producer)
    if (!opTraits(p.op).reshape) return true;
  return false;
}

/** A per-channel window over the previous result: a pool, or a conv with one input channel per group. */
function isWindow(n: Node): boolean {
  if (opTraits(n.op).window) return true;
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
