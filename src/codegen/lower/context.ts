// What an op's lowering sees: the node, its operands as kernel parameters, and fresh names.
import { Attrs, Node, TensorType } from '../../ir/graph.js';
import { getOp, withDefaults } from '../../ir/registry.js';
import { Expr, Schedule, Stmt } from '../kernel-ir.js';

/**
 * A tensor operand inside a kernel: the parameter name and the IR type. A view (a load or store
 * view, lower/views.ts) gives the flat index in `buf` of the element at each coordinate; without
 * one the operand is `buf` itself, row-major.
 */
export interface Operand { buf: string; type: TensorType; view?: IndexMap }

/** Element coordinates → flat index into a buffer. */
export type IndexMap = (coords: readonly Expr[]) => Expr;

/** The flat index of the element of operand `o` at `coords`: through its view, else `flat` (its row-major index). */
export function elementIndex(o: Operand, coords: readonly Expr[], flat: Expr): Expr {
  return o.view ? o.view(coords) : flat;
}

export interface Names {
  /** a fresh local name */
  fresh(hint: string): string;
}

export interface LowerCtx extends Names {
  node: Node;
  /** attributes with the op's defaults filled in */
  attrs: Attrs;
  /** operand i, or null where an optional input is omitted */
  input(i: number): Operand | null;
  inputs(): (Operand | null)[];
  output(i: number): Operand;
}

/** One kernel's body and its default schedule. */
export interface LoweredKernel { body: Stmt[]; schedule: Schedule }

export interface OpLowering {
  /** why this node cannot be lowered (op variant, dtype, dynamic shape), or null */
  unsupported?(node: Node, attrs: Attrs): string | null;
  lower(ctx: LowerCtx): LoweredKernel;
}

export function fullAttrs(node: Node): Attrs {
  return withDefaults(getOp(node.op)!, node.attrs);
}

/** Names for local variables that cannot collide with parameters (in_*, out*) or symbols (s_*). */
export class NameSource implements Names {
  private used = new Map<string, number>();
  fresh(hint: string): string {
    const n = this.used.get(hint) ?? 0;
    this.used.set(hint, n + 1);
    return `${hint}${n}`;
  }
}

/** Shorthand for an operand that must be present. */
export function req(ctx: LowerCtx, i: number): Operand {
  const o = ctx.input(i);
  if (!o) throw new Error(`internal error: ${ctx.node.op} input ${i} is absent`);
  return o;
}

export type ExprOf = (index: Expr) => Expr;

/** The run's status when an index read from a tensor is out of range (runtime/webgpu/executor.ts names it). */
export const INDEX_OUT_OF_RANGE = 4;
