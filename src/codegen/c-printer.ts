// The C-style core printer shared by the C++, WGSL, CUDA and Ascend C targets: expressions and
// statements, spelled through a per-target table (types, literals, intrinsics, casts, declarations,
// memory accesses) and shaped by per-kernel hooks (loop annotations or replaced loop headers,
// allocations, barriers, tile intrinsics). Operators keep their C spelling on every target.
import { DTYPE_INFO, isFloat } from '../ir/dtype.js';
import { BinOp, Expr, GemmStmt, Intrinsic, ScalarType, Stmt, UnOp, walkStmts } from './kernel-ir.js';

type ForStmt = Extract<Stmt, { k: 'for' }>;
type LoadExpr = Extract<Expr, { k: 'load' }>;

/** What a table's spellings print their operands with. */
export interface ExprPrinter {
  expr(e: Expr): string;
  /** `e` as the operand of an operator or a unary prefix: parenthesized unless it is an atom */
  operand(e: Expr): string;
  literal(v: number | bigint, type: ScalarType): string;
}

export interface CTargetTable {
  /** the type of a scalar (index included) */
  type(t: ScalarType): string;
  /** a float literal (finite, infinite or NaN) */
  floatLiteral(v: number, t: ScalarType): string;
  /** an integer literal of an integer type or index */
  intLiteral(v: bigint, t: ScalarType): string;
  boolLiteral(v: boolean): string;
  intrinsic(fn: Intrinsic, type: ScalarType, args: readonly Expr[], p: ExprPrinter): string;
  /** a conversion with the IR's cast rules */
  cast(a: Expr, to: ScalarType, p: ExprPrinter): string;
  /** a binary operation that the plain operator would get wrong (wrapping, a zero divisor); null: plain */
  integerOp(op: BinOp, a: Expr, b: Expr, p: ExprPrinter): string | null;
  /** a unary operation the plain prefix would get wrong; null: plain */
  unary(op: UnOp, a: Expr, p: ExprPrinter): string | null;
  /** min/max of two operands of one type */
  minMax(op: 'min' | 'max', a: Expr, b: Expr, p: ExprPrinter): string;
  /** the lazy choice of the IR's select */
  select(cond: string, then: string, otherwise: string): string;
  /**
   * How operands of operators are parenthesized: by C precedence, or every compound operand (WGSL,
   * whose grammar forbids mixing some operators without parentheses).
   */
  operands: 'precedence' | 'parenthesized';
  /** a scalar declaration with its initial value */
  declare(name: string, type: ScalarType, mutable: boolean, value: string): string;
  loopHeader(v: string, start: string, end: string): string;
  load(e: LoadExpr, p: ExprPrinter): string;
  /** the statement storing `value` at buf[index] (unmasked) */
  store(buf: string, index: Expr, value: Expr, p: ExprPrinter): string;
  /** `line` done only where `mask` holds */
  guarded(mask: string, line: string): string;
  /** the statement recording a failed run-time check */
  fail(code: number): string;
}

export interface CPrinterHooks {
  /** lines printed before a loop (pragmas); `stmt.binding` says how it is bound */
  loopPrefix(stmt: ForStmt, parents: readonly Stmt[]): string[];
  /**
   * The opening lines of a loop whose header the target replaces (a grid or thread binding becomes
   * invocation indices), or undefined for an ordinary loop. The body follows at the same indentation
   * when `indent` is false, and nothing closes it.
   */
  replaceLoop?(stmt: ForStmt, parents: readonly Stmt[]): { lines: string[]; indent: boolean } | undefined;
  gemm(stmt: GemmStmt, expr: (e: Expr) => string): string[];
  /** declaration of a local or shared allocation */
  alloc(stmt: Extract<Stmt, { k: 'alloc' }>, size: string): string[];
  barrier(): string[];
}

const PREC: Record<BinOp, number> = {
  mul: 10, div: 10, rem: 10, add: 9, sub: 9, shl: 8, shr: 8, lt: 7, le: 7, gt: 7, ge: 7, eq: 6, ne: 6,
  bit_and: 5, bit_xor: 4, bit_or: 3, and: 2, or: 1, min: 11, max: 11,
};
const SPELLING: Partial<Record<BinOp, string>> = {
  add: '+', sub: '-', mul: '*', div: '/', rem: '%', shl: '<<', shr: '>>', lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==', ne: '!=',
  bit_and: '&', bit_xor: '^', bit_or: '|', and: '&&', or: '||',
};
const UNARY: Record<UnOp, string> = { neg: '-', bit_not: '~', not: '!' };
/** operators whose right operand may share their precedence without parentheses */
const ASSOCIATIVE: ReadonlySet<BinOp> = new Set(['add', 'mul', 'and', 'or', 'bit_and', 'bit_or', 'bit_xor']);
const ATOM = 12;
/** a negative literal binds like a unary minus */
const NEGATIVE = 11;

export class CStylePrinter implements ExprPrinter {
  constructor(readonly table: CTargetTable, readonly hooks: CPrinterHooks) {}

  expr(e: Expr): string {
    return this.prec(e)[0];
  }

  operand(e: Expr): string {
    return this.wrap(e, ATOM);
  }

  /** printed text and its precedence (ATOM for calls, names and parenthesized forms) */
  private prec(e: Expr): [string, number] {
    const t = this.table;
    switch (e.k) {
      case 'const': {
        const text = this.literal(e.value, e.type);
        return [text, text.startsWith('-') ? NEGATIVE : ATOM];
      }
      case 'var': return [e.name, ATOM];
      case 'load': return [t.load(e, this), ATOM];
      case 'unary': {
        const special = t.unary(e.op, e.a, this);
        return [special ?? `${UNARY[e.op]}${this.operand(e.a)}`, t.operands === 'parenthesized' ? 0 : ATOM];
      }
      case 'select': return [t.select(this.expr(e.cond), this.expr(e.then), this.expr(e.else)), ATOM];
      case 'cast': {
        // a conversion the target spells as nothing keeps its operand's precedence
        const text = t.cast(e.a, e.type, this);
        return text === this.expr(e.a) ? this.prec(e.a) : [text, ATOM];
      }
      case 'call': return [t.intrinsic(e.fn, e.type, e.args, this), ATOM];
      case 'binary': {
        const parenthesized = t.operands === 'parenthesized';
        if (e.op === 'min' || e.op === 'max') return [t.minMax(e.op, e.a, e.b, this), parenthesized ? 0 : ATOM];
        const special = t.integerOp(e.op, e.a, e.b, this);
        if (special) return [special, parenthesized ? 0 : ATOM];
        const p = PREC[e.op];
        const a = parenthesized ? this.operand(e.a) : this.wrap(e.a, p);
        const b = parenthesized ? this.operand(e.b) : this.wrap(e.b, ASSOCIATIVE.has(e.op) ? p : p + 1);
        return [`${a} ${SPELLING[e.op]} ${b}`, p];
      }
    }
  }

  private wrap(e: Expr, min: number): string {
    const [s, p] = this.prec(e);
    return p >= min ? s : `(${s})`;
  }

  literal(v: number | bigint, type: ScalarType): string {
    if (type !== 'index' && isFloat(type)) return this.table.floatLiteral(Number(v), type);
    if (type === 'bool') return this.table.boolLiteral(Boolean(v));
    return this.table.intLiteral(typeof v === 'bigint' ? v : BigInt(Math.trunc(v)), type);
  }

  stmts(list: readonly Stmt[], indent: string, parents: Stmt[] = []): string[] {
    const out: string[] = [];
    const t = this.table;
    for (const st of list) {
      switch (st.k) {
        case 'for': {
          const replaced = this.hooks.replaceLoop?.(st, parents);
          if (replaced) {
            for (const l of replaced.lines) out.push(indent + l);
            out.push(...this.stmts(st.body, replaced.indent ? indent + '  ' : indent, [...parents, st]));
            break;
          }
          for (const l of this.hooks.loopPrefix(st, parents)) out.push(indent + l);
          out.push(`${indent}${t.loopHeader(st.var, this.expr(st.start), this.expr(st.end))}`);
          out.push(...this.stmts(st.body, indent + '  ', [...parents, st]));
          out.push(`${indent}}`);
          break;
        }
        case 'let': out.push(`${indent}${t.declare(st.name, st.type, st.mutable, this.expr(st.value))}`); break;
        case 'assign': out.push(`${indent}${st.name} = ${this.expr(st.value)};`); break;
        case 'store': {
          const line = t.store(st.buf, st.index, st.value, this);
          out.push(indent + (st.mask ? t.guarded(this.expr(st.mask), line) : line));
          break;
        }
        case 'if':
          out.push(`${indent}if (${this.expr(st.cond)}) {`);
          out.push(...this.stmts(st.then, indent + '  ', parents));
          if (st.else.length) {
            out.push(`${indent}} else {`);
            out.push(...this.stmts(st.else, indent + '  ', parents));
          }
          out.push(`${indent}}`);
          break;
        case 'alloc': for (const l of this.hooks.alloc(st, this.expr(st.size))) out.push(indent + l); break;
        case 'barrier': for (const l of this.hooks.barrier()) out.push(indent + l); break;
        case 'check': out.push(`${indent}${t.guarded(`!(${this.expr(st.cond)})`, t.fail(st.code))}  // ${st.message}`); break;
        case 'gemm': for (const l of this.hooks.gemm(st, (e) => this.expr(e))) out.push(indent + l); break;
        case 'comment': out.push(`${indent}// ${st.text}`); break;
      }
    }
    return out;
  }
}

/** C's integer literal: plain in the int range, suffixed beyond it. */
export function cIntLiteral(v: bigint, type: ScalarType): string {
  if (v >= -(2n ** 31n) && v < 2n ** 31n) return String(v);
  if (type !== 'index' && !DTYPE_INFO[type].signed) return `${v}ULL`;
  // -2^63 has no literal of its own
  return v === -(2n ** 63n) ? '(-9223372036854775807LL - 1)' : `${v}LL`;
}

/** Whether a loop body assigns a variable declared outside it (a reduction: not safe to run lanes independently). */
export function assignsOuter(body: readonly Stmt[]): boolean {
  const declared = new Set<string>();
  for (const st of walkStmts(body)) if (st.k === 'let') declared.add(st.name);
  for (const st of walkStmts(body)) if (st.k === 'assign' && !declared.has(st.name)) return true;
  return false;
}

/** Shortest decimal text that reads back as the same f32 (or f64) value. */
export function shortestFloat(v: number, single: boolean): string {
  if (!single) {
    const s = String(v);
    return /[.e]/.test(s) ? s : `${s}.0`;
  }
  const x = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) {
      const n = Number(s);
      const plain = String(n);
      const text = plain.length <= s.length ? plain : s;
      return /[.e]/.test(text) ? text : `${text}.0`;
    }
  }
  return String(x);
}
