// Removal of nodes that return their input unchanged: identity, reshape-family ops and concat
// whose result has the input's type, transpose by the identity permutation, cast to the same
// dtype, and x + 0, x - 0, x * 1, x / 1 with a one-element constant that does not broadcast x.
// (x + 0 turns -0 into +0; dropping it keeps -0, which compares equal.)
import { Node, Value, typeEq } from '../ir/graph.js';
import { opTraits } from '../ir/registry.js';
import { readNumbers } from '../ir/tensor.js';
import { definePass } from './pass.js';
import { Substitution, constantTensor, finishRewrite, replacementNeedsIdentity } from './rewrite.js';

export const removeIdentities = definePass({
  name: 'remove-identities',
  summary: 'remove identity, no-op reshape/transpose/cast/concat, and x+0, x-0, x*1, x/1 by a constant',
  run(graph) {
    const subst = new Substitution();
    for (const node of graph.nodes) {
      subst.applyTo(node);
      const kept = passedThrough(node);
      if (kept && !replacementNeedsIdentity(graph, node.outputs[0], kept)) subst.replace(node.outputs[0], kept);
    }
    finishRewrite(graph, subst);
  },
});

/** Ops besides the aliases (reshape family, identity) that copy their one input unchanged when the types agree. */
const SAME_TYPE_COPIES: ReadonlySet<string> = new Set(['expand', 'concat']);

/** The input a node passes through unchanged, if it does. */
function passedThrough(node: Node): Value | undefined {
  if (node.outputs.length !== 1) return undefined;
  const out = node.outputs[0];
  const [x, y] = node.inputs;
  if (!x) return undefined;
  const unchanged = (v: Value | null | undefined) => (v && typeEq(v.type, out.type) ? v : undefined);
  if (opTraits(node.op).alias || SAME_TYPE_COPIES.has(node.op)) return node.inputs.length === 1 ? unchanged(x) : undefined;
  switch (node.op) {
    case 'transpose': {
      const perm = node.attrs.perm as readonly number[] | undefined;
      const rank = x.type.shape.length;
      const isIdentity = perm === undefined ? rank <= 1 : perm.every((p, i) => p === i);
      return isIdentity ? unchanged(x) : undefined;
    }
    case 'cast': return node.attrs.to === x.type.dtype ? unchanged(x) : undefined;
    case 'add': return (isScalarConstant(y, 0) && unchanged(x)) || (isScalarConstant(x, 0) && unchanged(y)) || undefined;
    case 'mul': return (isScalarConstant(y, 1) && unchanged(x)) || (isScalarConstant(x, 1) && unchanged(y)) || undefined;
    case 'sub': return isScalarConstant(y, 0) ? unchanged(x) : undefined;
    case 'div': return isScalarConstant(y, 1) ? unchanged(x) : undefined;
    default: return undefined;
  }
}

function isScalarConstant(v: Value | null | undefined, k: number): boolean {
  const t = constantTensor(v ?? null);
  return t !== undefined && t.size === 1 && readNumbers(t)[0] === k;
}

