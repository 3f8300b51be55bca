// Which kernels the fusion groups become. The `fuse` pass (Node.group) proposes groups; the lowering
// takes each one it can emit as one kernel and splits the rest into smaller kernels that are correct,
// just not fused (never an error); a group with views (movement nodes it reads or stores through,
// src/analysis/views.ts) is always one kernel. Two group shapes are lowered whole:
//   - elementwise nodes over one output shape: one loop nest (elementwise.ts);
//   - one anchor op (conv, matmul, gemm, pool, ...) followed by elementwise nodes over its output shape:
//     the anchor's kernel with the elementwise tail applied to each output element right before it is
//     stored (an epilogue): GEMM intrinsics get it as GemmStmt.epilogue, applied per register tile once
//     the accumulation is complete; plain stores of the anchor's output compute it in place.
import { Dim } from '../../ir/dim.js';
import { Node, Value } from '../../ir/graph.js';
import {
  Expr, GemmEpilogue, Stmt, add, div, idx, ivar, letv, load, loop, mul, rem, store, svar, walkStmts, when,
} from '../kernel-ir.js';
import { LowerCtx, LoweredKernel, Names, OpLowering, Operand, fullAttrs } from './context.js';
import { broadcastStrides, dimExpr, stridesExpr } from './dims.js';
import { ELEMENTWISE, elementwiseValue } from './elementwise.js';
import { GroupViews, groupViews, readsThroughView, storesThroughView } from '../../analysis/views.js';

export type KernelGroup =
  /** with `views`, the nodes include movement nodes the kernel reads or stores through (src/analysis/views.ts) */
  | { kind: 'single' | 'elementwise'; nodes: Node[]; views?: GroupViews }
  | { kind: 'epilogue'; nodes: Node[]; anchor: Node }
  /** a conv (with its tail) and a per-channel window op over its result (with its tail), image by image */
  | { kind: 'window'; nodes: Node[]; conv: Node; convTail: Node[]; window: Node; windowTail: Node[] };

const shapeKey = (v: Value) => v.type.shape.map(String).join(',');

/** Groups by Node.group (contiguous runs of one number), else one node each. */
export function groupsFromGraph(nodes: readonly Node[]): Node[][] {
  const groups: Node[][] = [];
  let prev: number | undefined;
  for (const n of nodes) {
    if (n.group !== undefined && n.group === prev && groups.length) groups[groups.length - 1].push(n);
    else groups.push([n]);
    prev = n.group;
  }
  return groups;
}

export interface SplitEnv {
  lowerings: Record<string, OpLowering>;
  /** whether an op's result is its input's storage, or a constant: never fused */
  isView: (n: Node) => boolean;
  /** the target prints GemmStmt.epilogue and anchors with tails */
  epilogues: boolean;
  /** the values of `nodes` that the kernel of `nodes` must store */
  stored: (nodes: readonly Node[]) => Set<Value>;
}

/** The kernels of one proposed group, in an order that respects its dependences. */
export function splitGroup(nodes: Node[], env: SplitEnv): KernelGroup[] {
  const views = groupViews(nodes);
  if (views.loads.length > 0 || views.store) return [viewGroup(nodes, views)];
  const singles = () => nodes.map((n): KernelGroup => ({ kind: 'single', nodes: [n] }));
  if (nodes.length === 1) return [{ kind: ELEMENTWISE[nodes[0].op] ? 'elementwise' : 'single', nodes }];
  if (nodes.some((n) => n.outputs.length !== 1 || env.isView(n))) return singles();
  const anchors = nodes.filter((n) => !ELEMENTWISE[n.op]);
  if (anchors.length === 0) {
    const shape = shapeKey(nodes[nodes.length - 1].outputs[0]);
    return nodes.every((n) => shapeKey(n.outputs[0]) === shape) ? [{ kind: 'elementwise', nodes }] : singles();
  }
  if (anchors.length > 1) {
    // e.g. conv + relu + max_pool: the conv with its tail, then the pool with its own
    const at = nodes.indexOf(anchors[1]);
    const parts = [...splitGroup(nodes.slice(0, at), env), ...splitGroup(nodes.slice(at), env)];
    return (anchors.length === 2 && windowGroup(nodes, parts, env)) || parts;
  }
  const anchor = anchors[0];
  const feeding = ancestorsWithin(anchor, nodes);
  if (feeding.length) return [...splitGroup(feeding, env), ...splitGroup(nodes.filter((n) => !feeding.includes(n)), env)];
  const tail = nodes.filter((n) => n !== anchor);
  const shape = shapeKey(anchor.outputs[0]);
  const stored = env.stored(nodes);
  const [result] = stored;
  const fits = env.epilogues && tail.every((n) => shapeKey(n.outputs[0]) === shape) && stored.size === 1 && result !== anchor.outputs[0]
    && acceptsEpilogue(anchor, env.lowerings[anchor.op], result);
  if (fits) return [{ kind: 'epilogue', nodes, anchor }];
  return [{ kind: 'single', nodes: [anchor] }, ...splitGroup(tail, env)];
}

/**
 * A group with views is one kernel: the `fuse` pass joins views only to one op or an elementwise
 * chain whose kernels read (and store) by coordinates, so anything else is the pass's bug.
 */
function viewGroup(nodes: Node[], views: GroupViews): KernelGroup {
  const { compute, loads, store } = views;
  const shape = shapeKey(compute[compute.length - 1].outputs[0]);
  const kind = compute.every((n) => ELEMENTWISE[n.op] && n.outputs.length === 1 && shapeKey(n.outputs[0]) === shape) ? 'elementwise'
    : compute.length === 1 ? 'single' : undefined;
  const viewed = new Set(loads.map((n) => n.outputs[0]));
  const readable = compute.every((n) => n.inputs.every((v, i) => !v || !viewed.has(v) || readsThroughView(n, i)));
  if (!kind || !readable || (store && !storesThroughView(store.inputs[0]!.producer!)))
    throw new Error(`internal error (lowering): the group of ${nodes.map((n) => `%${n.outputs[0].name}`).join(', ')} has views its kernel cannot read or store through`);
  return { kind, nodes, views };
}

/**
 * conv (+ tail) then a pool or depthwise conv (+ tail) reading its result: one kernel that, image by
 * image, computes the conv into a per-image scratch block and runs the window op over it while it is
 * in cache. Taken when both parts are one kernel each, the tails read nothing per image (bias- or
 * scale-like operands only), and every dim but the batch is static.
 */
function windowGroup(nodes: Node[], parts: KernelGroup[], env: SplitEnv): KernelGroup[] | undefined {
  if (!env.epilogues || parts.length !== 2) return undefined;
  const [a, b] = parts;
  const conv = a.kind === 'epilogue' ? a.anchor : a.nodes.length === 1 ? a.nodes[0] : undefined;
  const window = b.kind === 'epilogue' ? b.anchor : b.nodes.length === 1 ? b.nodes[0] : undefined;
  if (!conv || !window || conv.op !== 'conv' || ELEMENTWISE[window.op]) return undefined;
  const mid = a.nodes[a.nodes.length - 1].outputs[0];
  if (window.inputs[0] !== mid || window.inputs.slice(1).some((v) => v && v.producer && nodes.includes(v.producer))) return undefined;
  const out = nodes[nodes.length - 1].outputs[0];
  const stored = env.stored(nodes);
  if (stored.size !== 1 || !stored.has(out)) return undefined;
  const x = conv.inputs[0]!;
  const batch = x.type.shape[0];
  for (const v of [x, mid, out])
    if (v.type.dtype !== 'f32' || v.type.shape.length < 2 || String(v.type.shape[0]) !== String(batch) || !v.type.shape.slice(1).every((d) => typeof d === 'number')) return undefined;
  const convTail = a.nodes.filter((n) => n !== conv), windowTail = b.nodes.filter((n) => n !== window);
  const inside = new Set(nodes.flatMap((n) => n.outputs));
  for (const n of [...convTail, ...windowTail])
    for (const v of n.inputs)
      if (v && !inside.has(v) && v.type.shape.length >= n.outputs[0].type.shape.length && v.type.shape[0] !== 1) return undefined;
  if (window.op !== 'conv' && !['max_pool', 'average_pool'].includes(window.op)) return undefined;
  return [{ kind: 'window', nodes, conv, convTail, window, windowTail }];
}

/** The same node over one image: input 0 and the output with a batch of 1. */
export function oneImage(n: Node): Node {
  const one = (v: Value) => new Value(v.name, { dtype: v.type.dtype, shape: [1, ...v.type.shape.slice(1)] });
  return new Node(n.op, n.inputs.map((v, i) => (v && i === 0 ? one(v) : v)), n.attrs, n.outputs.map(one), n.loc);
}

/** Offsets `offsets` (by buffer) added to every access of those buffers: a kernel moved to another image. */
export function rebase(stmts: readonly Stmt[], offsets: ReadonlyMap<string, Expr>): Stmt[] {
  const ex = (e: Expr): Expr => {
    switch (e.k) {
      case 'load': {
        const o = offsets.get(e.buf);
        const index = ex(e.index);
        return { ...e, index: o ? add(o, index) : index, ...(e.mask ? { mask: ex(e.mask) } : {}), ...(e.other ? { other: ex(e.other) } : {}) };
      }
      case 'binary': return { ...e, a: ex(e.a), b: ex(e.b) };
      case 'unary': return { ...e, a: ex(e.a) };
      case 'select': return { ...e, cond: ex(e.cond), then: ex(e.then), else: ex(e.else) };
      case 'cast': return { ...e, a: ex(e.a) };
      case 'call': return { ...e, args: e.args.map(ex) };
      default: return e;
    }
  };
  const shift = <T extends { buf: string; offset: Expr }>(m: T): T => {
    const o = offsets.get(m.buf);
    return o ? { ...m, offset: add(o, m.offset) } : m;
  };
  return stmts.map((st): Stmt => {
    switch (st.k) {
      case 'for': return { ...st, start: ex(st.start), end: ex(st.end), body: rebase(st.body, offsets) };
      case 'if': return { ...st, cond: ex(st.cond), then: rebase(st.then, offsets), else: rebase(st.else, offsets) };
      case 'let': case 'assign': return { ...st, value: ex(st.value) };
      case 'store': {
        const o = offsets.get(st.buf);
        const index = ex(st.index);
        return { ...st, index: o ? add(o, index) : index, value: ex(st.value), ...(st.mask ? { mask: ex(st.mask) } : {}) };
      }
      case 'check': return { ...st, cond: ex(st.cond) };
      case 'gemm': {
        const ep = st.epilogue && { ...st.epilogue, body: rebase(st.epilogue.body, offsets), result: ex(st.epilogue.result) };
        const b = 'conv' in st.b ? { ...st.b, offset: offsets.has(st.b.buf) ? add(offsets.get(st.b.buf)!, st.b.offset) : st.b.offset } : shift(st.b);
        return { ...st, a: shift(st.a), b, c: shift(st.c), ...(st.bias ? { bias: shift(st.bias) } : {}), ...(ep ? { epilogue: ep } : {}) };
      }
      default: return st;
    }
  });
}

/** The nodes of `nodes` that `target` depends on. */
function ancestorsWithin(target: Node, nodes: readonly Node[]): Node[] {
  const inside = new Set(nodes);
  const found = new Set<Node>();
  const visit = (n: Node) => {
    for (const v of n.inputs) {
      const p = v?.producer;
      if (p && inside.has(p) && !found.has(p)) { found.add(p); visit(p); }
    }
  };
  visit(target);
  return nodes.filter((n) => found.has(n));
}

/**
 * An anchor takes an epilogue when its kernel never reads its output back (so the last value stored
 * to an element is the result, and transforming every store is exact), and a GEMM writing the output
 * produces the epilogue's dtype (the intrinsic's C is f32).
 */
function acceptsEpilogue(anchor: Node, lowering: OpLowering | undefined, result: Value): boolean {
  if (!lowering) return false;
  const names = new (class implements Names { private n = 0; fresh(h: string) { return `${h}${this.n++}`; } })();
  const ins = anchor.inputs.map((v, i): Operand | null => (v ? { buf: `in${i}`, type: v.type } : null));
  const out: Operand = { buf: 'out', type: anchor.outputs[0].type };
  const ctx: LowerCtx = { node: anchor, attrs: fullAttrs(anchor), input: (i) => ins[i] ?? null, inputs: () => ins, output: () => out, fresh: (h) => names.fresh(h) };
  let body: Stmt[];
  try { body = lowering.lower(ctx).body; } catch { return false; }
  const readsOut = (x: unknown): boolean => {
    if (x === null || typeof x !== 'object') return false;
    if (Array.isArray(x)) return x.some(readsOut);
    const o = x as Record<string, unknown>;
    if (o.k === 'load' && o.buf === 'out') return true;
    return Object.values(o).some(readsOut);
  };
  for (const st of walkStmts(body)) {
    if (st.k === 'gemm') {
      if (readsOut([st.a, st.b, st.bias])) return false;
      if (st.c.buf === 'out' && (result.type.dtype !== 'f32' || anchor.outputs[0].type.dtype !== 'f32')) return false;
    } else if (readsOut(st)) return false;
  }
  return true;
}

/**
 * Apply the tail of an epilogue group to the anchor's lowered kernel: every store of `anchorOut`
 * stores the tail's result instead, and every GEMM into it gets the tail as its epilogue.
 * `operand` maps the values the tail reads from outside the group; the result goes to `resultBuf`.
 */
export function attachEpilogue(
  lowered: LoweredKernel, tail: readonly Node[], anchorValue: Value, anchorOut: string, resultBuf: string,
  operand: (v: Value) => Operand, names: Names, outShape: readonly Dim[] = anchorValue.type.shape,
): LoweredKernel {
  if (tail.length === 0) return lowered;
  const result = tail[tail.length - 1].outputs[0];
  /** the tail at output element `linear` of value `value`: its statements and result */
  const tailAt = (linear: Expr, value: Expr): { stmts: Stmt[]; result: Expr } => {
    const stmts: Stmt[] = [];
    const li = names.fresh('e');
    let readsOperands = false;
    const scalars = new Map<Value, Expr>([[anchorValue, value]]);
    const inside = new Set([anchorValue, ...tail.flatMap((n) => n.outputs)]);
    for (const n of tail) {
      const args = n.inputs.map((v) => {
        if (!v) throw new Error(`internal error (lowering): ${n.op} has an omitted input`);
        let s = scalars.get(v);
        if (!s && !inside.has(v)) {
          const name = names.fresh('a');
          readsOperands = true;
          stmts.push(letv(name, load(operand(v).buf, broadcastIndex(ivar(li), v.type.shape, outShape), v.type.dtype)));
          s = svar(name, v.type.dtype);
          scalars.set(v, s);
        }
        return s!;
      });
      const out = n.outputs[0];
      const name = names.fresh('t');
      stmts.push(letv(name, elementwiseValue(n, args)));
      scalars.set(out, svar(name, out.type.dtype));
    }
    // the element's index, only where an operand is loaded with it
    return { stmts: readsOperands ? [letv(li, linear), ...stmts] : stmts, result: scalars.get(result)! };
  };
  const rewrite = (list: readonly Stmt[]): Stmt[] =>
    list.flatMap((st): Stmt[] => {
      switch (st.k) {
        case 'for': return [{ ...st, body: rewrite(st.body) }];
        case 'if': return [{ ...st, then: rewrite(st.then), else: rewrite(st.else) }];
        case 'store': {
          if (st.buf !== anchorOut) return [st];
          const v = names.fresh('v');
          const t = tailAt(st.index, svar(v, anchorValue.type.dtype));
          const body = [letv(v, st.value), ...t.stmts, store(resultBuf, st.index, t.result)];
          return st.mask ? [when(st.mask, body)] : body;
        }
        case 'gemm': {
          if (st.c.buf !== anchorOut) return [st];
          const row = names.fresh('row'), col = names.fresh('col'), value = names.fresh('v');
          const t = tailAt(add(st.c.offset, add(mul(ivar(row), st.c.ld), ivar(col))), svar(value, 'f32'));
          const epilogue: GemmEpilogue = { row, col, value, body: t.stmts, result: t.result };
          return [{ ...st, c: { ...st.c, buf: resultBuf }, epilogue }];
        }
        default: return [st];
      }
    });
  return { body: rewrite(lowered.body), schedule: lowered.schedule };
}

/** Index into an operand of `shape` broadcast to `outShape`, at the element with row-major index `linear`. */
function broadcastIndex(linear: Expr, shape: readonly Dim[], outShape: readonly Dim[]): Expr {
  const strip = (ds: readonly Dim[]) => { let i = 0; while (i < ds.length && ds[i] === 1) i++; return ds.slice(i).map(String).join(','); };
  if (strip(shape) === strip(outShape)) return linear;
  if (shape.every((d) => d === 1)) return idx(0);
  const outSt = stridesExpr(outShape);
  const st = broadcastStrides(shape, outShape);
  let index: Expr = idx(0);
  outShape.forEach((d, i) => {
    const s = st[i];
    if (s.k === 'const' && Number(s.value) === 0) return;
    const q = div(linear, outSt[i]);
    const coord = i === 0 ? q : rem(q, dimExpr(d));
    index = add(index, mul(coord, s));
  });
  return index;
}

/**
 * A window group as one kernel: per image, the conv (and its tail) writes a scratch block of one
 * image's result, and the window op (and its tail) reads it back while it is in cache.
 */
export function lowerWindowGroup(
  plan: Extract<KernelGroup, { kind: 'window' }>, operand: (v: Value) => Operand, names: Names, lowerings: Record<string, OpLowering>,
): LoweredKernel {
  const mid = plan.window.inputs[0]!;
  const midBuf = names.fresh('mid');
  const lowerOne = (orig: Node, bufOf: (v: Value, i: number) => string, outBuf: string): LoweredKernel => {
    const one = oneImage(orig);
    const ins = one.inputs.map((v, i): Operand | null => (v ? { buf: bufOf(orig.inputs[i]!, i), type: v.type } : null));
    const out: Operand = { buf: outBuf, type: one.outputs[0].type };
    const ctx: LowerCtx = { node: one, attrs: fullAttrs(one), input: (i) => ins[i] ?? null, inputs: () => ins, output: () => out, fresh: (h) => names.fresh(h) };
    const lowered = lowerings[one.op].lower(ctx);
    return lowered;
  };
  const plane = (v: Value) => v.type.shape.slice(1).reduce<number>((p, d) => p * (d as number), 1);
  const tailShape = (v: Value) => [1, ...v.type.shape.slice(1)];
  let a = lowerOne(plan.conv, (v) => operand(v).buf, midBuf);
  a = attachEpilogue(a, plan.convTail, plan.conv.outputs[0], midBuf, midBuf, operand, names, tailShape(plan.conv.outputs[0]));
  let b = lowerOne(plan.window, (v, i) => (i === 0 ? midBuf : operand(v).buf), 'out');
  b = attachEpilogue(b, plan.windowTail, plan.window.outputs[0], 'out', 'out', operand, names, tailShape(plan.window.outputs[0]));
  const x = plan.conv.inputs[0]!;
  const result = plan.nodes[plan.nodes.length - 1].outputs[0];
  const nb = names.fresh('nb');
  const offsets = new Map([[operand(x).buf, mul(ivar(nb), idx(plane(x)))], ['out', mul(ivar(nb), idx(plane(result)))]]);
  const batch = dimExpr(x.type.shape[0]);
  const body: Stmt[] = [
    { k: 'alloc', name: midBuf, dtype: mid.type.dtype, size: idx(plane(mid)), scope: 'local' },
    loop(nb, batch, [...rebase(a.body, offsets), ...rebase(b.body, offsets)]),
  ];
  const sa = a.schedule, sb = b.schedule;
  return {
    body,
    schedule: {
      ...sa, parallel: [...sa.parallel, ...sb.parallel], vector: [...sa.vector, ...sb.vector], unroll: [...sa.unroll, ...sb.unroll],
      work: mul(batch, sa.work),
    },
  };
}
