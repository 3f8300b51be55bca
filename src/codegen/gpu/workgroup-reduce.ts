// The workgroup-reduce pass of the GPU mapping: the body of one grid point whose loop nests are long
// reductions is spread over a workgroup's invocations, each accumulator combined by a tree in
// workgroup memory (shared by every GPU-like target; the mapping table says when it pays).
import {
  Expr, ScalarType, Stmt, add, assign, bin, div, exprChildren, idx, ivar, letv, load, loop, lt, mul, rem, store, sub, svar, when,
} from '../kernel-ir.js';
import { exprVars, mentions, replaceExpr, sameExpr } from './exprs.js';

/**
 * How two partial results of the accumulator update `acc = value` combine, or undefined when the update
 * is not a fold the tree may reorder: `acc op x` (add, mul, min, max) combines as `p op q`;
 * `select(cond, x, acc)` (max/min written as a comparison, NaN tests included) as `cond` of q against p.
 */
function combiner(acc: string, value: Expr): ((p: Expr, q: Expr) => Expr) | undefined {
  if (value.k === 'binary' && ['add', 'mul', 'min', 'max'].includes(value.op)) {
    const [x, other] = value.a.k === 'var' && value.a.name === acc ? [value.a, value.b] : [value.b, value.a];
    if (x.k !== 'var' || x.name !== acc || mentions(other, acc)) return undefined;
    const op = value.op;
    return (p, q) => bin(op, p, q);
  }
  if (value.k === 'select' && value.else.k === 'var' && value.else.name === acc && !mentions(value.then, acc)) {
    const [p0, q0]: Expr[] = [svar('dsc_p', value.type), svar('dsc_q', value.type)];
    const cond = replaceExpr(replaceExpr(value.cond, value.then, q0), value.else, p0);
    if ([...exprVars(cond, new Set())].some((v) => v !== 'dsc_p' && v !== 'dsc_q')) return undefined;
    return (p, q) => ({ k: 'select', cond: replaceExpr(replaceExpr(cond, p0, p), q0, q), then: q, else: p, type: value.type });
  }
  return undefined;
}

/** A perfect nest of loops with bounds free of the nest's own variables, and its innermost body. */
function perfectNest(st: Stmt): { loops: { v: string; start: Expr; extent: Expr }[]; body: Stmt[] } | undefined {
  const loops: { v: string; start: Expr; extent: Expr }[] = [];
  let cur: Stmt = st;
  for (;;) {
    if (cur.k !== 'for') return undefined;
    const f = cur;
    if (loops.some((l) => mentions(f.start, l.v) || mentions(f.end, l.v))) return undefined;
    loops.push({ v: f.var, start: f.start, extent: sub(f.end, f.start) });
    if (f.body.length === 1 && f.body[0].k === 'for') cur = f.body[0];
    else return { loops, body: f.body };
  }
}

/**
 * The grid point's body spread over a workgroup: every loop nest's iterations are dealt round-robin to
 * the invocations, and each accumulator a nest updates is combined by a tree in workgroup memory, after
 * which every invocation holds the total. Undefined when the body does not fit: loops must be perfect
 * nests of lets, stores and recognized accumulator updates; a buffer stored in one nest may be read only
 * at the same index by a nest of the same shape (so by the invocation that stored it); top-level stores
 * (made by invocation 0) must not be read back; and the longest nest must run at least minLength iterations.
 */
export function workgroupReduce(body: Stmt[], t: { workgroup: number; minLength: number }, localIndex: string): Stmt[] | undefined {
  const lid = ivar(localIndex);
  const accs = new Map<string, ScalarType>();
  const stored = new Map<string, { index: Expr; shape: string }[]>();
  const loads: { buf: string; index: Expr; shape: string }[] = [];
  const collectLoads = (e: Expr, shape: string) => {
    if (e.k === 'load') loads.push({ buf: e.buf, index: e.index, shape });
    for (const c of exprChildren(e)) collectLoads(c, shape);
  };
  const stmtLoads = (st: Stmt, shape: string) => {
    if (st.k === 'let' || st.k === 'assign') collectLoads(st.value, shape);
    if (st.k === 'store') { collectLoads(st.index, shape); collectLoads(st.value, shape); if (st.mask) collectLoads(st.mask, shape); }
  };
  let longest = 0;
  const out: Stmt[] = [];
  let nests = 0;
  for (const st of body) {
    if (st.k === 'comment') continue;
    if (st.k === 'let') {
      if (st.mutable) accs.set(st.name, st.type);
      stmtLoads(st, 'top');
      out.push(st);
      continue;
    }
    if (st.k === 'assign') { stmtLoads(st, 'top'); out.push(st); continue; }
    if (st.k === 'store') {
      stmtLoads(st, 'top');
      stored.set(st.buf, [...(stored.get(st.buf) ?? []), { index: st.index, shape: 'top' }]);
      out.push(when(bin('eq', lid, idx(0)), [st]));
      continue;
    }
    if (st.k !== 'for') return undefined;
    const nest = perfectNest(st);
    if (!nest) return undefined;
    const extent = nest.loops.reduce<Expr>((p, l) => mul(p, l.extent), idx(1));
    if (extent.k !== 'const') return undefined;
    longest = Math.max(longest, Number(extent.value));
    const shape = JSON.stringify(nest.loops);
    const updates = new Map<string, (p: Expr, q: Expr) => Expr>();
    for (const s of nest.body) {
      if (s.k === 'assign') {
        const combine = accs.has(s.name) && !updates.has(s.name) ? combiner(s.name, s.value) : undefined;
        if (!combine) return undefined;
        updates.set(s.name, combine);
      } else if (s.k === 'store') stored.set(s.buf, [...(stored.get(s.buf) ?? []), { index: s.index, shape }]);
      else if (s.k !== 'let' || s.mutable) { if (s.k !== 'comment') return undefined; }
      stmtLoads(s, shape);
    }
    // an accumulator's partial value must not be read inside the nest that folds it
    for (const s of nest.body) {
      const reads = s.k === 'let' ? [s.value] : s.k === 'store' ? [s.index, s.value] : s.k === 'assign' ? [s.value] : [];
      for (const acc of updates.keys()) if (reads.some((e) => mentions(e, acc)) && !(s.k === 'assign' && s.name === acc)) return undefined;
    }
    const n = nests++;
    const [step, flat] = [`row${n}_step`, `row${n}_j`];
    // the iterations of invocation `lid`: j = step * workgroup + lid, split back into the nest's variables
    const coords: Stmt[] = [];
    let stride: Expr = idx(1);
    for (let i = nest.loops.length - 1; i >= 0; i--) {
      const l = nest.loops[i];
      const q = div(ivar(flat), stride);
      coords.unshift(letv(l.v, add(l.start, i === 0 ? q : rem(q, l.extent))));
      stride = mul(stride, l.extent);
    }
    out.push(loop(step, idx(Math.ceil(Number(extent.value) / t.workgroup)), [
      letv(flat, add(mul(ivar(step), idx(t.workgroup)), lid)),
      when(lt(ivar(flat), extent), [...coords, ...nest.body]),
    ]));
    for (const [acc, combine] of updates) {
      const type = accs.get(acc)!;
      const partials = `row${n}_${acc}`;
      out.push({ k: 'alloc', name: partials, dtype: type === 'index' ? 'i64' : type, size: idx(t.workgroup), scope: 'shared' });
      out.push(store(partials, lid, svar(acc, type)), { k: 'barrier' });
      for (let h = t.workgroup / 2; h >= 1; h /= 2) {
        out.push(when(lt(lid, idx(h)), [store(partials, lid, combine(load(partials, lid, type), load(partials, add(lid, idx(h)), type)))]), { k: 'barrier' });
      }
      out.push(assign(acc, load(partials, idx(0), type)));
    }
  }
  if (!nests || longest < t.minLength) return undefined;
  for (const l of loads) {
    const writes = stored.get(l.buf);
    if (writes && !writes.every((w) => w.shape !== 'top' && w.shape === l.shape && sameExpr(w.index, l.index))) return undefined;
  }
  return out;
}
