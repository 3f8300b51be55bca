// Expression queries the GPU mapping passes share.
import { Expr, exprChildren, mapExpr } from '../kernel-ir.js';

/** The variables an expression reads, added to `out`. */
export function exprVars(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.k === 'var') out.add(e.name);
  for (const c of exprChildren(e)) exprVars(c, out);
  return out;
}

/** Whether an expression mentions a variable. */
export const mentions = (e: Expr, name: string) => exprVars(e).has(name);

export const sameExpr = (a: Expr, b: Expr) => JSON.stringify(a) === JSON.stringify(b);

/** `e` with every occurrence of `from` replaced by `to`. */
export function replaceExpr(e: Expr, from: Expr, to: Expr): Expr {
  return mapExpr(e, (x) => (sameExpr(x, from) ? to : x));
}
