// The C-style core printer shared by the C++, CUDA, WGSL-ish and Ascend C targets: expressions with
// minimal parentheses and statements, spelled through a per-target table of types, literals,
// intrinsics and casts. A target adds its loop annotations and tile intrinsics through hooks.
import { DTYPE_INFO, isFloat } from '../ir/dtype.js';
import { BinOp, Expr, GemmStmt, Intrinsic, ScalarType, Stmt, walkStmts } from './kernel-ir.js';

export interface CTargetTable {
  /** the type of a scalar (index included) */
  type(t: ScalarType): string;
  /** a float literal of type f32 or f64 (finite, infinite or NaN) */
  floatLiteral(v: number, t: ScalarType): string;
  intrinsic(fn: Intrinsic, type: ScalarType, args: string[]): string;
  /** a conversion with the IR's cast rules */
  cast(from: ScalarType, to: ScalarType, x: string): string;
  /** integer arithmetic that must wrap (or guard a zero divisor) where the plain operator would not; null: plain */
  integerOp(op: BinOp, type: ScalarType, a: string, b: string): string | null;
  /** min/max of two operands of one type */
  minMax(op: 'min' | 'max', type: ScalarType, a: string, b: string): string;
}

export interface CPrinterHooks {
  /** lines printed before a loop (pragmas); `stmt.binding` says how it is bound */
  loopPrefix(stmt: Extract<Stmt, { k: 'for' }>, parents: readonly Stmt[]): string[];
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
/** operators whose right operand may share their precedence without parentheses */
const ASSOCIATIVE: ReadonlySet<BinOp> = new Set(['add', 'mul', 'and', 'or', 'bit_and', 'bit_or', 'bit_xor']);
const ATOM = 12;
/** a negative literal binds like a unary minus */
const NEGATIVE = 11;

export class CStylePrinter {
  constructor(readonly table: CTargetTable, readonly hooks: CPrinterHooks) {}

  expr(e: Expr): string {
    return this.prec(e)[0];
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
      case 'load': {
        const at = `${e.buf}[${this.expr(e.index)}]`;
        if (!e.mask) return [at, ATOM];
        return [`(${this.expr(e.mask)} ? ${at} : ${this.expr(e.other!)})`, ATOM];
      }
      case 'unary': {
        const a = this.wrap(e.a, ATOM);
        if (e.op === 'not') return [`!${a}`, ATOM];
        if (e.op === 'bit_not') return [t.cast(e.type, e.type, `~${a}`), ATOM];
        const special = t.integerOp('sub', e.type, this.literal(0, e.type), this.expr(e.a));
        return special ? [special, ATOM] : [`-${a}`, ATOM];
      }
      case 'select': return [`(${this.expr(e.cond)} ? ${this.expr(e.then)} : ${this.expr(e.else)})`, ATOM];
      case 'cast': return [t.cast(e.a.type, e.type, this.expr(e.a)), ATOM];
      case 'call': return [t.intrinsic(e.fn, e.type, e.args.map((a) => this.expr(a))), ATOM];
      case 'binary': {
        if (e.op === 'min' || e.op === 'max') return [t.minMax(e.op, e.a.type, this.expr(e.a), this.expr(e.b)), ATOM];
        const special = t.integerOp(e.op, e.a.type, this.expr(e.a), this.expr(e.b));
        if (special) return [special, ATOM];
        const p = PREC[e.op];
        const a = this.wrap(e.a, p);
        const b = this.wrap(e.b, ASSOCIATIVE.has(e.op) ? p : p + 1);
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
    if (type === 'bool') return v ? '1' : '0';
    const big = typeof v === 'bigint' ? v : BigInt(v);
    if (big >= -(2n ** 31n) && big < 2n ** 31n) return String(big);
    if (type !== 'index' && !DTYPE_INFO[type].signed) return `${big}ULL`;
    // -2^63 has no literal of its own
    return big === -(2n ** 63n) ? '(-9223372036854775807LL - 1)' : `${big}LL`;
  }

  stmts(list: readonly Stmt[], indent: string, parents: Stmt[] = []): string[] {
    const out: string[] = [];
    const t = this.table;
    for (const st of list) {
      switch (st.k) {
        case 'for': {
          for (const l of this.hooks.loopPrefix(st, parents)) out.push(indent + l);
          out.push(`${indent}for (${t.type('index')} ${st.var} = ${this.expr(st.start)}; ${st.var} < ${this.expr(st.end)}; ++${st.var}) {`);
          out.push(...this.stmts(st.body, indent + '  ', [...parents, st]));
          out.push(`${indent}}`);
          break;
        }
        case 'let':
          out.push(`${indent}${st.mutable ? '' : 'const '}${t.type(st.type)} ${st.name} = ${this.expr(st.value)};`);
          break;
        case 'assign': out.push(`${indent}${st.name} = ${this.expr(st.value)};`); break;
        case 'store': {
          const s = `${st.buf}[${this.expr(st.index)}] = ${this.expr(st.value)};`;
          out.push(st.mask ? `${indent}if (${this.expr(st.mask)}) ${s}` : indent + s);
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
        case 'check': out.push(`${indent}if (!(${this.expr(st.cond)})) return ${st.code};  // ${st.message}`); break;
        case 'gemm': for (const l of this.hooks.gemm(st, (e) => this.expr(e))) out.push(indent + l); break;
        case 'comment': out.push(`${indent}// ${st.text}`); break;
      }
    }
    return out;
  }
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
