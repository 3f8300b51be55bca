// Transposes move below the ops that commute with them, so that a transpose lands next to the
// data movement that follows (slices, reshapes, other transposes) and the fuse pass can make the
// whole chain an index map of one kernel (a view) instead of a copy:
//   matmul(transpose(x, p), W) = transpose(matmul(x, W), p)   W 2-D, p keeps the last axis
//   f(transpose(x, p), c)      = transpose(f(x, c), p)         f elementwise, c broadcast only along axes p keeps
// and a transpose of a transpose becomes one transpose (none when the permutations cancel).
// Only a transpose read by nothing but the op it sinks through moves, so no work is duplicated.
import { Node, Value } from '../ir/graph.js';
import { definePass } from './pass.js';
import { opTraits } from '../ir/registry.js';
import { inferred } from './recognize-match.js';
import { Substitution, finishRewrite, freshName, nodeProducing, replacementNeedsIdentity, useCounts } from './rewrite.js';
import { composeTransposes, permOf } from './simplify-reshapes.js';

export const sinkTransposes = definePass({
  name: 'sink-transposes',
  summary: 'move transposes below matmuls with a 2-D weight and below elementwise ops, and compose transpose pairs',
  notes: `
A transpose in front of a matmul cannot be a view of the GEMM when it permutes the batch of rows
(PyTorch's attention puts the sequence first: \`transpose(x) @ W\` with \`x\` batch-first). Since
\`transpose(x, p) @ W = transpose(x @ W, p)\` for a 2-D \`W\` and a \`p\` that keeps the last axis,
and elementwise ops commute with a transpose when their other operands broadcast only along the
axes it keeps, the transpose moves down to the data movement after the projection (the slices into
q, k and v), where \`fuse\` makes the whole chain a view of the attention kernel. It moves only when
nothing else reads it, so no work is duplicated; two transposes that meet become one, or none.
`,
  run(graph) {
    const uses = useCounts(graph);
    const outputs = new Set(graph.outputs);
    const names = graph.valueNames();
    const subst = new Substitution();
    const dropped = new Set<Node>();
    const maybeDead: Value[] = [];
    /** the transpose producing v when v is read by one node only (and is no graph output) */
    const soleTranspose = (v: Value | null): Node | undefined =>
      v?.producer?.op === 'transpose' && uses.get(v) === 1 && !outputs.has(v) ? v.producer : undefined;

    graph.nodes = graph.nodes.flatMap((node): Node[] => {
      subst.applyTo(node);
      const inner = node.op === 'transpose' ? node.inputs[0]?.producer : undefined;
      if (inner?.op === 'transpose') {
        const [mid, x] = [node.inputs[0]!, inner.inputs[0]!];
        const rank = x.type.shape.length;
        if (permOf(node, rank).every((p, i) => permOf(inner, rank)[p] === i) && !replacementNeedsIdentity(graph, node.outputs[0], x)) {
          // the pair cancels: the node stays until finishRewrite erases it with what it alone read
          subst.replace(node.outputs[0], x);
          return [node];
        }
        maybeDead.push(mid);
        uses.set(mid, uses.get(mid)! - 1);
        uses.set(x, (uses.get(x) ?? 0) + 1);
        return [composeTransposes(node)!];
      }
      const sunk = sinkBelow(node, soleTranspose, names);
      if (!sunk) return [node];
      for (const t of sunk.transposes) dropped.add(t);
      return sunk.nodes;
    });
    graph.nodes = graph.nodes.filter((n) => !dropped.has(n));
    finishRewrite(graph, subst, maybeDead);
  },
});

/**
 * `node` computed on the untransposed inputs, then one transpose producing its output; the
 * transposes it absorbed (now dead). Undefined where the op does not commute with the transpose.
 */
function sinkBelow(node: Node, soleTranspose: (v: Value | null) => Node | undefined, names: Set<string>): { nodes: Node[]; transposes: Node[] } | undefined {
  if (node.outputs.length !== 1) return undefined;
  const out = node.outputs[0];
  const rank = out.type.shape.length;
  let perm: number[] | undefined;
  const transposes: Node[] = [];
  let inputs: (Value | null)[];
  if (node.op === 'matmul') {
    const t = soleTranspose(node.inputs[0]);
    const w = node.inputs[1];
    if (!t || !w || w.type.shape.length !== 2 || rank < 2) return undefined;
    perm = permOf(t, rank);
    if (perm[rank - 1] !== rank - 1) return undefined;
    transposes.push(t);
    inputs = [t.inputs[0], w];
  } else if (opTraits(node.op).elementwise) {
    const untransposed = node.inputs.map((v) => {
      const t = soleTranspose(v);
      if (!t || v!.type.shape.length !== rank) return undefined;
      const p = permOf(t, rank);
      if (perm && p.join() !== perm.join()) return undefined;
      perm = p;
      transposes.push(t);
      return t.inputs[0]!;
    });
    if (!perm) return undefined;
    // the other operands must broadcast alike before and after: size 1 along every axis the transpose moves
    const moved = perm.flatMap((p, i) => (p === i ? [] : [i]));
    for (const [k, v] of node.inputs.entries()) {
      if (!v || untransposed[k]) continue;
      const shape = v.type.shape, lead = rank - shape.length;
      if (moved.some((i) => i >= lead && shape[i - lead] !== 1)) return undefined;
    }
    inputs = node.inputs.map((v, k) => untransposed[k] ?? v);
  } else return undefined;
  const [type] = inferred(node.op, inputs.map((v) => v?.type ?? null), node.attrs) ?? [];
  if (!type) return undefined;
  const inner = new Node(node.op, inputs, node.attrs, [new Value(freshName(names, `${out.name}.pre_transpose`), type)], node.loc);
  const transpose = nodeProducing('transpose', [inner.outputs[0]], { perm }, node.outputs, node.loc);
  return transpose ? { nodes: [inner, transpose], transposes } : undefined;
}
