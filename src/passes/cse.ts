// Common-subexpression elimination: two nodes with the same op, the same inputs and equal
// attributes (defaults filled in, tensors compared element by element) compute the same values,
// so the later one is replaced by the earlier. Every op is pure, so this is always sound.
import { AttrValue, Attrs, Node, Value, typeEq } from '../ir/graph.js';
import { dimEq, Dim } from '../ir/dim.js';
import { getOp, withDefaults } from '../ir/registry.js';
import { Tensor } from '../ir/tensor.js';
import { definePass } from './pass.js';
import { Substitution, finishRewrite } from './rewrite.js';

export const cse = definePass({
  name: 'cse',
  summary: 'merge nodes that apply the same op with equal attributes to the same inputs',
  run(graph) {
    const subst = new Substitution();
    const ids = new Map<Value, number>();
    for (const v of [...graph.inputs, ...graph.params]) ids.set(v, ids.size);
    const seen = new Map<string, { node: Node; attrs: Attrs }[]>();
    for (const node of graph.nodes) {
      subst.applyTo(node);
      const def = getOp(node.op);
      const attrs = def ? withDefaults(def, node.attrs) : node.attrs;
      const key = nodeKey(node, attrs, ids);
      const twin = seen.get(key)?.find((other) => sameInputs(node, other.node) && sameAttrs(attrs, other.attrs));
      if (twin) node.outputs.forEach((o, i) => subst.replace(o, twin.node.outputs[i]));
      else {
        seen.set(key, [...(seen.get(key) ?? []), { node, attrs }]);
        for (const o of node.outputs) ids.set(o, ids.size);
      }
    }
    finishRewrite(graph, subst);
  },
});

/** A hash key: equal computations have equal keys; sameInputs and sameAttrs settle collisions. */
function nodeKey(node: Node, attrs: Attrs, ids: Map<Value, number>): string {
  const inputs = node.inputs.map((v) => (v ? ids.get(v) : '_')).join(',');
  const attrText = Object.keys(attrs).sort().map((k) => `${k}=${attrKey(attrs[k])}`).join(';');
  return `${node.op}/${node.outputs.length}(${inputs}){${attrText}}`;
}

function attrKey(v: AttrValue): string {
  if (v instanceof Tensor) return `${v.dtype}[${v.shape.join(',')}]#${tensorHash(v)}`;
  if (Array.isArray(v)) return `[${v.map((x) => String(x)).join(',')}]`;
  return String(v);
}

/** FNV-1a over the tensor's bytes. */
function tensorHash(t: Tensor): number {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** Same op on the same inputs, with results of the same types (unknown dims are distinct per node). */
function sameInputs(a: Node, b: Node): boolean {
  return a.op === b.op && a.inputs.length === b.inputs.length && a.inputs.every((v, i) => v === b.inputs[i])
    && a.outputs.length === b.outputs.length && a.outputs.every((o, i) => typeEq(o.type, b.outputs[i].type));
}

function sameAttrs(x: Attrs, y: Attrs): boolean {
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => k in y && attrEq(x[k], y[k]));
}

function attrEq(a: AttrValue, b: AttrValue): boolean {
  if (a instanceof Tensor || b instanceof Tensor) return a instanceof Tensor && b instanceof Tensor && tensorEq(a, b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => (typeof x === 'string' ? x === b[i] : dimEq(x as Dim, b[i] as Dim)));
  }
  return Object.is(a, b);
}

/** Same dtype, shape and bits (so NaN equals NaN and -0 differs from 0). */
function tensorEq(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || !a.shape.every((d, i) => d === b.shape[i])) return false;
  const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
