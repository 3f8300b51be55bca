// The tile-gemm pass of the GPU mapping: the GEMM tile intrinsic as scalar kernel IR, either one
// workgroup per tile of C staged through workgroup memory (GemmTile) or one invocation per element
// of C with a serial dot product; the implicit im2col operand of a conv is read in place.
import {
  Expr, GemmStmt, GemmTile, Im2colOperand, MatrixOperand, Stmt, add, and, assign, bin, cast, div, ge, idx, ivar, letv, lit, load, loop, lt, mul, rem, store,
  sub, svar, when,
} from '../kernel-ir.js';

/** Invocations in the workgroup of a GEMM tile: one per register block. */
export const gemmWorkgroup = (t: GemmTile) => (t.tm / t.rm) * (t.tn / t.rn);

/** Workgroup memory of a GEMM tile: the tm×tk slice of A and the tk×tn slice of B, f32, twice when double-buffered. */
export const gemmTileBytes = (t: GemmTile) => (t.tm * t.tk + t.tk * t.tn) * 4 * (t.doubleBuffer ? 2 : 1);

function matrixAt(o: MatrixOperand, r: Expr, c: Expr): Expr {
  return add(o.offset, add(mul(r, o.rowStride), mul(c, o.colStride)));
}

/**
 * Element (row, col) of an implicit im2col matrix: rows (c, kd, kh, kw), columns (od, oh, ow), zero in
 * the padding and outside the matrix (`inside`). `v` names the coordinate lets it needs.
 */
function im2colAt(o: Im2colOperand, row: Expr, col: Expr, inside: Expr, v: (h: string) => string): { lets: Stmt[]; value: Expr } {
  const g = o.conv;
  const taps = g.kD * g.kH * g.kW;
  const [ch, tap, kd, kh, kw, od, oh, ow, id, ih, iw] = ['ch', 'tap', 'kd', 'kh', 'kw', 'od', 'oh', 'ow', 'id', 'ih', 'iw'].map(v);
  const coord = (out: string, k: string, s: number, p: number, d: number) => add(sub(mul(ivar(out), idx(s)), idx(p)), mul(ivar(k), idx(d)));
  const lets = [
    letv(od, div(col, idx(g.outH * g.outW))), letv(oh, rem(div(col, idx(g.outW)), idx(g.outH))), letv(ow, rem(col, idx(g.outW))),
    letv(ch, div(row, idx(taps))), letv(tap, rem(row, idx(taps))),
    letv(kd, div(ivar(tap), idx(g.kH * g.kW))), letv(kh, rem(div(ivar(tap), idx(g.kW)), idx(g.kH))), letv(kw, rem(ivar(tap), idx(g.kW))),
    letv(id, coord(od, kd, g.sD, g.pD, g.dD)), letv(ih, coord(oh, kh, g.sH, g.pH, g.dH)), letv(iw, coord(ow, kw, g.sW, g.pW, g.dW)),
  ];
  const within = (x: string, n: number) => and(ge(ivar(x), idx(0)), lt(ivar(x), idx(n)));
  const mask = and(inside, and(within(id, g.inD), and(within(ih, g.inH), within(iw, g.inW))));
  const at = add(o.offset, add(mul(add(mul(add(mul(ivar(ch), idx(g.inD)), ivar(id)), idx(g.inH)), ivar(ih)), idx(g.inW)), ivar(iw)));
  return { lets, value: load(o.buf, at, 'f32', mask, lit('f32', 0)) };
}

/**
 * The store of C[r, c] from its dot product `acc` (the IR's f64): `alpha acc + beta bias[r, c]`, rounded
 * to f32 and passed through the epilogue, whose statements come before the store.
 */
function storeC(st: GemmStmt, acc: Expr, r: string, c: string): Stmt[] {
  let y: Expr = st.alpha === 1 ? acc : bin('mul', lit('f64', st.alpha), acc);
  if (st.bias) {
    const b = cast(load(st.bias.buf, matrixAt(st.bias, ivar(r), ivar(c)), 'f32'), 'f64');
    y = bin('add', y, st.bias.beta === 1 ? b : bin('mul', lit('f64', st.bias.beta), b));
  }
  const stmts: Stmt[] = [];
  let result: Expr = cast(y, 'f32');
  if (st.epilogue) {
    stmts.push(letv(st.epilogue.value, result), ...st.epilogue.body);
    result = st.epilogue.result;
  }
  stmts.push(store(st.c.buf, add(st.c.offset, add(mul(ivar(r), st.c.ld), ivar(c))), result));
  return stmts;
}

/** C[r, c] of `C = alpha A B + beta bias` as scalar statements: a dot product over k, accumulated in f32 (the IR's f64). */
export function expandGemm(st: GemmStmt, r: string, c: string): Stmt[] {
  const k = `${r}_k`, acc = `${r}_acc`;
  const stmts: Stmt[] = [];
  let bAt: Expr;
  const kLoop: Stmt[] = [];
  if ('conv' in st.b) {
    const im = im2colAt(st.b, ivar(k), ivar(c), lit('bool', 1), (h) => `${r}_${h}`);
    // the first three lets, the column's (od, oh, ow), do not change along the dot product
    stmts.push(...im.lets.slice(0, 3));
    kLoop.push(...im.lets.slice(3));
    bAt = im.value;
  } else bAt = load(st.b.buf, matrixAt(st.b, ivar(k), ivar(c)), 'f32');
  const aAt = load(st.a.buf, matrixAt(st.a, ivar(r), ivar(k)), 'f32');
  const accV = svar(acc, 'f64');
  stmts.push(letv(acc, lit('f64', 0), true));
  stmts.push(loop(k, st.kdim, [...kLoop, assign(acc, bin('add', accV, bin('mul', cast(aAt, 'f64'), cast(bAt, 'f64'))))]));
  if (st.epilogue) stmts.push(letv(st.epilogue.row, ivar(r)), letv(st.epilogue.col, ivar(c)));
  stmts.push(...storeC(st, accV, r, c));
  return stmts;
}

/** Whether walking a matrix operand down its rows (rather than along them) touches consecutive elements. */
const rowsContiguous = (o: MatrixOperand) => o.rowStride.k === 'const' && Number(o.rowStride.value) === 1 && !(o.colStride.k === 'const' && Number(o.colStride.value) === 1);

/**
 * `C = alpha A B + beta bias` for the tile (tileRow, tileCol) of C that one workgroup computes: each
 * k-step stages a tm×tk slice of A and a tk×tn slice of B (the im2col operand included) in workgroup
 * memory, zero beyond the matrix edges, and each invocation accumulates an rm×rn register block in
 * f32 (the IR's f64, which the printer maps to f32 at either precision). Every invocation reaches every
 * barrier: the edge tests guard only loads, arithmetic and stores.
 */
export function tiledGemm(st: GemmStmt, base: string, tileRow: string, tileCol: string, t: GemmTile, localIndex: string): Stmt[] {
  const v = (h: string) => `${base}_${h}`;
  const lid = ivar(localIndex);
  const workgroup = gemmWorkgroup(t);
  const [aTile, bTile, kt, kk, r0, c0, ty, tx] = ['a_tile', 'b_tile', 'kt', 'kk', 'r0', 'c0', 'ty', 'tx'].map(v);
  const acc = (i: number, j: number) => v(`acc${i}_${j}`);
  const threadsPerRow = t.tn / t.rn;
  const buffers = t.doubleBuffer ? 2 : 1;
  const out: Stmt[] = [
    { k: 'alloc', name: aTile, dtype: 'f32', size: idx(t.tm * t.tk * buffers), scope: 'shared' },
    { k: 'alloc', name: bTile, dtype: 'f32', size: idx(t.tk * t.tn * buffers), scope: 'shared' },
    letv(r0, mul(ivar(tileRow), idx(t.tm))), letv(c0, mul(ivar(tileCol), idx(t.tn))),
    letv(ty, mul(div(lid, idx(threadsPerRow)), idx(t.rm))), letv(tx, mul(rem(lid, idx(threadsPerRow)), idx(t.rn))),
  ];
  for (let i = 0; i < t.rm; i++) for (let j = 0; j < t.rn; j++) out.push(letv(acc(i, j), lit('f64', 0), true));

  // each invocation stages every workgroup-th element of each slice, walking the operand's contiguous
  // direction; the trip count depends on the invocation, so lavapipe's LLVM does not unroll (and spend seconds on) it
  const strided = (name: string, elements: number, body: (e: Expr) => Stmt[]): Stmt =>
    loop(name, div(add(sub(idx(elements), lid), idx(workgroup - 1)), idx(workgroup)), [letv(`${name}_e`, add(lid, mul(ivar(name), idx(workgroup)))), ...body(ivar(`${name}_e`))]);
  const [ar, ak, bk, bc] = ['ar', 'ak', 'bk', 'bc'].map(v);
  /** the slice from depth k0 into the tiles at element offsets aAt, bAt */
  const stage = (k0: Expr, aAt: Expr, bAt: Expr): Stmt[] => [
    strided(v('sa'), t.tm * t.tk, (e) => {
      const [row, k] = rowsContiguous(st.a) ? [rem(e, idx(t.tm)), div(e, idx(t.tm))] : [div(e, idx(t.tk)), rem(e, idx(t.tk))];
      const inside = and(lt(add(ivar(r0), ivar(ar)), st.m), lt(add(k0, ivar(ak)), st.kdim));
      return [letv(ar, row), letv(ak, k),
        store(aTile, add(aAt, add(mul(ivar(ar), idx(t.tk)), ivar(ak))), load(st.a.buf, matrixAt(st.a, add(ivar(r0), ivar(ar)), add(k0, ivar(ak))), 'f32', inside, lit('f32', 0)))];
    }),
    strided(v('sb'), t.tk * t.tn, (e) => {
      const [k, col] = !('conv' in st.b) && rowsContiguous(st.b) ? [rem(e, idx(t.tk)), div(e, idx(t.tk))] : [div(e, idx(t.tn)), rem(e, idx(t.tn))];
      const [gk, gc] = [add(k0, ivar(bk)), add(ivar(c0), ivar(bc))];
      const inside = and(lt(gk, st.kdim), lt(gc, st.n));
      const stmts: Stmt[] = [letv(bk, k), letv(bc, col)];
      let value: Expr;
      if ('conv' in st.b) {
        const im = im2colAt(st.b, gk, gc, inside, v);
        stmts.push(...im.lets);
        value = im.value;
      } else value = load(st.b.buf, matrixAt(st.b, gk, gc), 'f32', inside, lit('f32', 0));
      return [...stmts, store(bTile, add(bAt, add(mul(ivar(bk), idx(t.tn)), ivar(bc))), value)];
    }),
  ];
  /** the register block's products over the staged slice from depth k0, read at element offsets aAt, bAt */
  const multiply = (k0: Expr, aAt: Expr, bAt: Expr): Stmt => {
    const a = (i: number) => v(`a${i}`), b = (j: number) => v(`b${j}`);
    const dot: Stmt[] = [];
    for (let i = 0; i < t.rm; i++) dot.push(letv(a(i), cast(load(aTile, add(aAt, add(mul(add(ivar(ty), idx(i)), idx(t.tk)), ivar(kk))), 'f32'), 'f64')));
    for (let j = 0; j < t.rn; j++) dot.push(letv(b(j), cast(load(bTile, add(bAt, add(mul(ivar(kk), idx(t.tn)), add(ivar(tx), idx(j)))), 'f32'), 'f64')));
    for (let i = 0; i < t.rm; i++)
      for (let j = 0; j < t.rn; j++) dot.push(assign(acc(i, j), bin('add', svar(acc(i, j), 'f64'), bin('mul', svar(a(i), 'f64'), svar(b(j), 'f64')))));
    // register blocks wholly outside C (few rows, the last tile) skip the arithmetic, never the barriers
    const live = and(lt(add(ivar(r0), ivar(ty)), st.m), lt(add(ivar(c0), ivar(tx)), st.n));
    // a bound the shader compiler cannot see as constant: lavapipe's LLVM would unroll the loop and spend seconds on it
    return when(live, [loop(kk, bin('min', idx(t.tk), sub(st.kdim, k0)), dot)]);
  };
  const slices = div(add(st.kdim, idx(t.tk - 1)), idx(t.tk));
  if (t.doubleBuffer) {
    // step kt stages slice kt into half kt % 2 while slice kt - 1 is multiplied from the other half: one
    // barrier a step, which also orders each half's reads before the next write into it
    const [sk0, mk0] = [v('k0'), v('mk0')];
    const half = (x: Expr, size: number) => mul(rem(x, idx(2)), idx(size));
    const prev = sub(ivar(kt), idx(1));
    out.push(loop(kt, add(slices, idx(1)), [
      when(lt(ivar(kt), slices), [letv(sk0, mul(ivar(kt), idx(t.tk))), ...stage(ivar(sk0), half(ivar(kt), t.tm * t.tk), half(ivar(kt), t.tk * t.tn))]),
      when(ge(ivar(kt), idx(1)), [letv(mk0, mul(prev, idx(t.tk))), multiply(ivar(mk0), half(prev, t.tm * t.tk), half(prev, t.tk * t.tn))]),
      { k: 'barrier' },
    ]));
  } else {
    const k0 = ivar(v('k0'));
    out.push(loop(kt, slices, [letv(v('k0'), mul(ivar(kt), idx(t.tk))), ...stage(k0, idx(0), idx(0)), { k: 'barrier' }, multiply(k0, idx(0), idx(0)), { k: 'barrier' }]));
  }

  const [r, c] = st.epilogue ? [st.epilogue.row, st.epilogue.col] : [v('row'), v('col')];
  for (let i = 0; i < t.rm; i++)
    for (let j = 0; j < t.rn; j++) {
      const [row, col] = [add(add(ivar(r0), ivar(ty)), idx(i)), add(add(ivar(c0), ivar(tx)), idx(j))];
      const element = [letv(r, row), letv(c, col), ...storeC(st, svar(acc(i, j), 'f64'), r, c)];
      // one block per element, so that the epilogue's lets may repeat
      out.push(when(and(lt(row, st.m), lt(col, st.n)), element));
    }
  return out;
}
