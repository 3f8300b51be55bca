// A small evaluator of the kernel IR for tests that check index arithmetic without a C++ build:
// integer and float expressions (index division truncates, as in C), loops, lets, loads and stores
// over plain number arrays. Tile intrinsics and allocations are not supported.
import { Expr, Stmt } from '../../src/codegen/kernel-ir.js';

export type Buffers = ReadonlyMap<string, number[]>;

/** The value of `e` with variables from `vars` and loads from `buffers`. */
export function evalExpr(e: Expr, vars: ReadonlyMap<string, number>, buffers: Buffers = new Map()): number {
  switch (e.k) {
    case 'const': return Number(e.value);
    case 'var': {
      const v = vars.get(e.name);
      if (v === undefined) throw new Error(`no value for ${e.name}`);
      return v;
    }
    case 'load': {
      const i = evalExpr(e.index, vars, buffers);
      const buf = buffers.get(e.buf);
      if (!buf || !Number.isInteger(i) || i < 0 || i >= buf.length) throw new Error(`load ${e.buf}[${i}] out of range`);
      return buf[i];
    }
    case 'binary': {
      const a = evalExpr(e.a, vars, buffers), b = evalExpr(e.b, vars, buffers);
      const integer = e.type === 'index';
      switch (e.op) {
        case 'add': return a + b;
        case 'sub': return a - b;
        case 'mul': return a * b;
        case 'div': return integer ? (b === 0 ? 0 : Math.trunc(a / b)) : a / b;
        case 'rem': return b === 0 ? 0 : a % b;
        case 'max': return Math.max(a, b);
        case 'min': return Math.min(a, b);
        case 'lt': return Number(a < b);
        case 'le': return Number(a <= b);
        case 'gt': return Number(a > b);
        case 'ge': return Number(a >= b);
        case 'eq': return Number(a === b);
        case 'ne': return Number(a !== b);
        case 'and': return Number(a !== 0 && b !== 0);
        case 'or': return Number(a !== 0 || b !== 0);
        default: throw new Error(`binary ${e.op} is not evaluated`);
      }
    }
    case 'unary': {
      const a = evalExpr(e.a, vars, buffers);
      if (e.op === 'neg') return -a;
      throw new Error(`unary ${e.op} is not evaluated`);
    }
    case 'select': return evalExpr(e.cond, vars, buffers) ? evalExpr(e.then, vars, buffers) : evalExpr(e.else, vars, buffers);
    case 'cast': return evalExpr(e.a, vars, buffers);
    default: throw new Error(`${e.k} is not evaluated`);
  }
}

/** Run statements over `buffers` (written in place) with the symbol variables in `vars`. */
export function runStmts(stmts: readonly Stmt[], buffers: Map<string, number[]>, vars: Map<string, number>): void {
  for (const st of stmts) {
    switch (st.k) {
      case 'for': {
        const end = evalExpr(st.end, vars, buffers);
        for (let i = evalExpr(st.start, vars, buffers); i < end; i++) {
          vars.set(st.var, i);
          runStmts(st.body, buffers, vars);
        }
        vars.delete(st.var);
        break;
      }
      case 'let': case 'assign': vars.set(st.name, evalExpr(st.value, vars, buffers)); break;
      case 'store': {
        const i = evalExpr(st.index, vars, buffers);
        const buf = buffers.get(st.buf);
        if (!buf || !Number.isInteger(i) || i < 0 || i >= buf.length) throw new Error(`store ${st.buf}[${i}] out of range`);
        buf[i] = evalExpr(st.value, vars, buffers);
        break;
      }
      case 'if': runStmts(evalExpr(st.cond, vars, buffers) ? st.then : st.else, buffers, vars); break;
      case 'comment': break;
      default: throw new Error(`${st.k} is not run`);
    }
  }
}
