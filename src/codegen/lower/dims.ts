// Symbolic dims as kernel-IR index expressions, and the row-major address arithmetic the kernels share.
import { Dim, dimEq } from '../../ir/dim.js';
import { Expr, add, div, idx, ivar, mul, rem, sum } from '../kernel-ir.js';

/** The C-identifier variable that holds a symbol's value inside kernels. */
export const symbolVar = (name: string): string => `s_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;

/** A dim as an index expression over the symbol variables (floor/mod atoms of non-negative dims). */
export function dimExpr(d: Dim): Expr {
  if (typeof d === 'number') return idx(d);
  const terms: Expr[] = [];
  for (const [mono, coef] of d.poly) {
    let term: Expr = idx(coef);
    for (const atomName of mono === '' ? [] : mono.split('·')) {
      const atom = d.atoms.get(atomName)!;
      let x: Expr;
      if (atom.k === 'sym') x = ivar(symbolVar(atom.name));
      else if (atom.k === 'div') x = div(dimExpr(atom.a), idx(atom.b));
      else if (atom.k === 'mod') x = rem(dimExpr(atom.a), idx(atom.b));
      else throw new Error('internal error: a dim unknown until run time reached code generation');
      term = mul(term, x);
    }
    terms.push(term);
  }
  return sum(terms);
}

export function productExpr(ds: readonly Dim[]): Expr {
  return ds.reduce<Expr>((p, d) => mul(p, dimExpr(d)), idx(1));
}

/** Row-major strides of a shape, as expressions. */
export function stridesExpr(shape: readonly Dim[]): Expr[] {
  const out = new Array<Expr>(shape.length);
  let acc: Expr = idx(1);
  for (let i = shape.length - 1; i >= 0; i--) { out[i] = acc; acc = mul(acc, dimExpr(shape[i])); }
  return out;
}

/** sum of index_i * stride_i */
export function linearIndex(indices: readonly Expr[], strides: readonly Expr[]): Expr {
  return sum(indices.map((e, i) => mul(e, strides[i])));
}

/** Strides of `inShape` seen from `outShape` under numpy broadcasting: 0 along broadcast dims. */
export function broadcastStrides(inShape: readonly Dim[], outShape: readonly Dim[]): Expr[] {
  const st = stridesExpr(inShape);
  const off = outShape.length - inShape.length;
  return outShape.map((_, i) => {
    const j = i - off;
    if (j < 0) return idx(0);
    return inShape[j] === 1 ? idx(0) : st[j];
  });
}

/** Coordinates in an operand of `shape` of the element that numpy broadcasting puts at `out` of `outShape`. */
export function broadcastCoords(out: readonly Expr[], shape: readonly Dim[], outShape: readonly Dim[]): Expr[] {
  const lead = outShape.length - shape.length;
  return shape.map((d, j) => (d === 1 && !dimEq(outShape[j + lead], 1) ? idx(0) : out[j + lead]));
}

/** Decompose a flat row-major index into coordinates of `shape` (for parameters indexed within a row). */
export function unflatten(flat: Expr, shape: readonly Dim[]): Expr[] {
  const st = stridesExpr(shape);
  return shape.map((d, i) => (i === 0 ? div(flat, st[0]) : rem(div(flat, st[i]), dimExpr(d))));
}

export const addAll = (...xs: Expr[]): Expr => xs.reduce((s, x) => add(s, x), idx(0));
