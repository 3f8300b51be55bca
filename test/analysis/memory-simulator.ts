// Runs a graph "through the arena" of its memory plan: one byte array stands for the workspace,
// each kernel reads its inputs from where the plan says they live and writes its stored results at
// their offsets, and a buffer whose last reader has run is filled with garbage. The interpreter's
// per-node evaluation does the arithmetic, so the outputs equal runGraph's exactly when the plan
// never lets a value be overwritten or freed before its last reader.
import { Graph, Value } from '../../src/ir/graph.js';
import { bindShape, evalNode } from '../../src/ir/interp.js';
import { DTYPE_INFO } from '../../src/ir/dtype.js';
import { evalDim } from '../../src/ir/dim.js';
import { Tensor, sizeOf } from '../../src/ir/tensor.js';
import { MemoryPlan } from '../../src/analysis/plan-memory.js';

export function runThroughArena(graph: Graph, plan: MemoryPlan, inputs: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const env = new Map<string, number>();
  const caller = new Map<Value, Tensor>();
  for (const v of graph.inputs) {
    const t = inputs.get(v.name)!;
    const err = bindShape(v.type, t.shape, env);
    if (err) throw new Error(`input ${v.name}: ${err}`);
    caller.set(v, t);
  }
  for (const v of graph.params) caller.set(v, graph.weights.get(v.name)!);
  for (const n of graph.nodes) if (n.op === 'constant') caller.set(n.outputs[0], n.attrs.value as Tensor);
  for (const [s, n] of plan.dims)
    if (env.has(s) && env.get(s) !== n) throw new Error(`the plan is for ${s}=${n}, the inputs give ${env.get(s)}`);

  const arena = new Uint8Array(plan.arenaBytes).fill(0xa5);
  const shapeOf = (v: Value) => v.type.shape.map((d) => evalDim(d, env));

  const readArena = (v: Value, offset: number): Tensor => {
    const shape = shapeOf(v);
    const info = DTYPE_INFO[v.type.dtype];
    const bytes = arena.slice(offset, offset + sizeOf(shape) * info.bytes);
    return new Tensor(v.type.dtype, shape, new info.array(bytes.buffer, 0, sizeOf(shape)));
  };
  const read = (v: Value, local: ReadonlyMap<Value, Tensor>): Tensor => {
    const here = local.get(v) ?? caller.get(v);
    if (here) return here;
    const s = plan.storage.get(v);
    if (!s) throw new Error(`%${v.name} has no storage in the plan`);
    switch (s.kind) {
      case 'view': return read(s.of, local).reshape(shapeOf(v));
      case 'arena': return readArena(v, s.buffer.offset);
      default: throw new Error(`%${v.name} (${s.kind}) is read before it is written`);
    }
  };

  for (const k of plan.kernels) {
    // a kernel reads all its inputs before any of its results land: writes wait for the end
    const local = new Map<Value, Tensor>();
    for (const n of k.nodes) {
      const outs = evalNode(n, n.inputs.map((v) => (v ? read(v, local) : null)), env);
      n.outputs.forEach((o, i) => local.set(o, outs[i]));
    }
    for (const [v, t] of local) {
      const s = plan.storage.get(v)!;
      if (s.kind === 'output') caller.set(v, t);
      else if (s.kind === 'arena') {
        if (DTYPE_INFO[t.dtype].bytes * t.size > s.buffer.size) throw new Error(`%${v.name} does not fit its buffer`);
        arena.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), s.buffer.offset);
      } else if (s.kind !== 'fused') throw new Error(`kernel ${k.step} writes %${v.name}, whose storage is ${s.kind}`);
    }
    for (const b of plan.buffers) if (b.last === k.step) arena.fill(0xff, b.offset, b.offset + b.size);
  }
  const out = new Map<string, Tensor>();
  for (const v of graph.outputs) out.set(v.name, read(v, new Map()));
  return out;
}
