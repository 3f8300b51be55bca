// Random well-formed kernels for property tests: every expression typed by construction, names
// fresh, barriers only in uniform control flow, checks outside parallel loops, schedules naming the
// loops they bind. Drawn with fast-check's `gen`, so a failure is replayable from its seed.
import fc from 'fast-check';
import { DTYPES, DType } from '../../../src/ir/dtype.js';
import {
  BinOp, Expr, GemmStmt, INTRINSICS, Kernel, LoopBinding, ScalarType, Stmt, isFloatType,
} from '../../../src/codegen/kernel-ir.js';

type Gen = fc.GeneratorValue;

const TWO_OPERANDS = new Set(['pow', 'fmod', 'fmax_nan', 'fmin_nan']);
const integral = (t: ScalarType) => t === 'index' || (!isFloatType(t) && t !== 'bool');
const SCALAR_TYPES: readonly ScalarType[] = [...DTYPES, 'index'];

interface Var { name: string; type: ScalarType; mutable: boolean }
interface Buffer { name: string; dtype: DType; writable: boolean }
interface Scope { vars: Var[]; buffers: Buffer[]; uniform: boolean; parallel: boolean }

class KernelBuilder {
  private n = 0;
  readonly schedule = { parallel: [] as string[], vector: [] as string[], unroll: [] as string[] };

  constructor(private readonly g: Gen, readonly scalars: string[]) {}

  fresh(prefix: string): string { return `${prefix}${this.n++}`; }
  int(min: number, max: number): number { return this.g(fc.integer, { min, max }); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(0, xs.length - 1)]; }
  chance(p: number): boolean { return this.int(0, 999) < p * 1000; }

  constant(type: ScalarType): Expr {
    if (type === 'bool') return { k: 'const', type, value: this.int(0, 1) };
    if (isFloatType(type)) {
      const special = [NaN, Infinity, -Infinity, -0, 0, 1, 0.1, 1e-30, -3.5e38];
      const value = this.chance(0.3) ? this.pick(special) : this.g(fc.double, { noNaN: true });
      return { k: 'const', type, value };
    }
    if ((type === 'i64' || type === 'u64' || type === 'index') && this.chance(0.5)) {
      const value = this.g(fc.bigInt, type === 'u64' ? { min: 0n, max: 2n ** 64n - 1n } : { min: -(2n ** 63n), max: 2n ** 63n - 1n });
      return { k: 'const', type, value };
    }
    return { k: 'const', type, value: this.int(type === 'u8' || type === 'u16' || type === 'u32' || type === 'u64' ? 0 : -1000, 1000) };
  }

  expr(type: ScalarType, scope: Scope, depth: number): Expr {
    const vars = scope.vars.filter((v) => v.type === type);
    const loadable = scope.buffers.filter((b) => b.dtype === type);
    const kinds = ['const', ...(vars.length ? ['var', 'var'] : []), ...(loadable.length ? ['load'] : []),
      ...(depth > 0 ? ['binary', 'binary', 'unary', 'select', 'cast', ...(isFloatType(type) ? ['call'] : [])] : [])];
    const sub = (t: ScalarType) => this.expr(t, scope, depth - 1);
    switch (this.pick(kinds)) {
      case 'var': {
        const v = this.pick(vars);
        return { k: 'var', name: v.name, type };
      }
      case 'load': {
        const b = this.pick(loadable);
        const index = this.expr('index', scope, Math.min(depth, 1));
        if (!this.chance(0.3)) return { k: 'load', buf: b.name, index, type };
        return { k: 'load', buf: b.name, index, type, mask: this.expr('bool', scope, 0), other: this.expr(type, scope, 0) };
      }
      case 'binary': {
        if (type === 'bool') {
          if (this.chance(0.2)) return { k: 'call', fn: this.pick(['is_nan', 'is_inf'] as const), args: [sub(this.pick(['f32', 'f64', 'f16'] as const))], type };
          if (this.chance(0.3)) return { k: 'binary', op: this.pick(['and', 'or'] as const), a: sub('bool'), b: sub('bool'), type };
          const t = this.pick(SCALAR_TYPES);
          return { k: 'binary', op: this.pick(['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const), a: sub(t), b: sub(t), type };
        }
        const ops: BinOp[] = ['add', 'sub', 'mul', 'div', 'min', 'max', ...(integral(type) ? ['rem', 'bit_and', 'bit_or', 'bit_xor', 'shl', 'shr'] as BinOp[] : [])];
        return { k: 'binary', op: this.pick(ops), a: sub(type), b: sub(type), type };
      }
      case 'unary': {
        const op = type === 'bool' ? 'not' : integral(type) && this.chance(0.5) ? 'bit_not' : 'neg';
        return { k: 'unary', op, a: sub(type), type };
      }
      case 'select': return { k: 'select', cond: sub('bool'), then: sub(type), else: sub(type), type };
      case 'cast': return { k: 'cast', a: sub(this.pick(SCALAR_TYPES)), type };
      case 'call': {
        const fn = this.pick(INTRINSICS.filter((f) => f !== 'is_nan' && f !== 'is_inf'));
        return { k: 'call', fn, args: TWO_OPERANDS.has(fn) ? [sub(type), sub(type)] : [sub(type)], type };
      }
      default: return this.constant(type);
    }
  }

  /** an index expression over the scalars and constants: the same in every invocation */
  uniformBound(): Expr {
    const c: Expr = { k: 'const', type: 'index', value: this.int(0, 8) };
    if (!this.scalars.length || this.chance(0.5)) return c;
    return { k: 'binary', op: 'add', a: { k: 'var', name: this.pick(this.scalars), type: 'index' }, b: c, type: 'index' };
  }

  body(scope: Scope, depth: number): Stmt[] {
    const inner: Scope = { ...scope, vars: [...scope.vars], buffers: [...scope.buffers] };
    return Array.from({ length: this.int(0, depth > 0 ? 4 : 2) }, () => this.stmt(inner, depth));
  }

  stmt(scope: Scope, depth: number): Stmt {
    const mutables = scope.vars.filter((v) => v.mutable);
    const writable = scope.buffers.filter((b) => b.writable);
    const kinds = ['let', 'let', 'store', 'comment', 'alloc', ...(mutables.length ? ['assign'] : []), ...(scope.uniform ? ['barrier'] : []),
      ...(scope.parallel ? [] : ['check']), ...(depth > 0 ? ['for', 'for', 'if', 'gemm'] : [])];
    switch (this.pick(kinds)) {
      case 'let': {
        const type = this.pick(SCALAR_TYPES);
        const st: Stmt = { k: 'let', name: this.fresh('t'), type, value: this.expr(type, scope, 2), mutable: this.chance(0.4) };
        scope.vars.push({ name: st.name, type, mutable: st.mutable });
        return st;
      }
      case 'assign': {
        const v = this.pick(mutables);
        return { k: 'assign', name: v.name, value: this.expr(v.type, scope, 2) };
      }
      case 'store': {
        const b = writable.length ? this.pick(writable) : scope.buffers[0];
        const st: Stmt = { k: 'store', buf: b.name, index: this.expr('index', scope, 1), value: this.expr(b.dtype, scope, 2) };
        return this.chance(0.3) ? { ...st, mask: this.expr('bool', scope, 1) } : st;
      }
      case 'alloc': {
        const dtype = this.pick(DTYPES);
        const st: Stmt = { k: 'alloc', name: this.fresh('m'), dtype, size: { k: 'const', type: 'index', value: this.int(1, 64) }, scope: this.pick(['local', 'shared'] as const) };
        scope.buffers.push({ name: st.name, dtype, writable: true });
        return st;
      }
      case 'comment': return { k: 'comment', text: this.pick(['', 'a note', 'two\nlines', '  spaced ', 'quote " and \\ backslash']) };
      case 'barrier': return { k: 'barrier' };
      case 'check': return { k: 'check', cond: this.expr('bool', scope, 1), code: this.int(1, 9), message: this.pick(['index out of range', 'bad "value"']) };
      case 'if': {
        const inner = { ...scope, uniform: false };
        return { k: 'if', cond: this.expr('bool', scope, 1), then: this.body(inner, depth - 1), else: this.chance(0.5) ? this.body(inner, depth - 1) : [] };
      }
      case 'for': {
        const v = this.fresh('i');
        const binding: LoopBinding = this.pick(['serial', 'serial', 'parallel', 'vector', 'unroll']);
        if (binding !== 'serial') this.schedule[binding].push(v);
        const inner: Scope = { ...scope, vars: [...scope.vars, { name: v, type: 'index', mutable: false }], parallel: scope.parallel || binding === 'parallel' };
        return { k: 'for', var: v, start: this.uniformBound(), end: this.uniformBound(), body: this.body(inner, depth - 1), binding };
      }
      default: return this.gemm(scope);
    }
  }

  gemm(scope: Scope): GemmStmt {
    const f32 = scope.buffers.filter((b) => b.dtype === 'f32');
    const out = f32.filter((b) => b.writable);
    const matrix = () => ({ buf: this.pick(f32).name, offset: this.expr('index', scope, 1), rowStride: this.expr('index', scope, 0), colStride: this.expr('index', scope, 0) });
    const small = () => this.int(0, 7);
    const b = this.chance(0.5) ? matrix() : {
      buf: this.pick(f32).name, offset: this.expr('index', scope, 1),
      conv: { channels: small(), inD: small(), inH: small(), inW: small(), outD: small(), outH: small(), outW: small(), kD: small(), kH: small(), kW: small(),
        sD: small(), sH: small(), sW: small(), dD: small(), dH: small(), dW: small(), pD: small(), pH: small(), pW: small() },
    };
    const st: GemmStmt = {
      k: 'gemm', m: this.expr('index', scope, 1), n: this.expr('index', scope, 1), kdim: this.expr('index', scope, 1), a: matrix(), b,
      c: { buf: this.pick(out).name, offset: this.expr('index', scope, 1), ld: this.expr('index', scope, 0) },
      alpha: this.pick([1, -0.5, 2.25, NaN]), parallel: this.chance(0.5),
    };
    if (this.chance(0.4)) st.bias = { ...matrix(), beta: this.pick([1, 0.5]) };
    if (this.chance(0.5)) {
      const row = this.fresh('r'), col = this.fresh('c'), value = this.fresh('v');
      const inner: Scope = {
        ...scope, uniform: false, parallel: true,
        vars: [...scope.vars.filter((v) => !v.mutable), { name: row, type: 'index', mutable: false }, { name: col, type: 'index', mutable: false }, { name: value, type: 'f32', mutable: false }],
      };
      const body: Stmt[] = Array.from({ length: this.int(0, 3) }, () => {
        const type = this.pick(SCALAR_TYPES);
        const let_: Stmt = { k: 'let', name: this.fresh('e'), type, value: this.expr(type, inner, 2), mutable: false };
        inner.vars.push({ name: let_.name, type, mutable: false });
        return let_;
      });
      st.epilogue = { row, col, value, body, result: this.expr('f32', inner, 2) };
    }
    return st;
  }
}

/** A random kernel the verifier must accept. */
export function randomKernel(g: Gen): Kernel {
  const scalars = ['s_N', 's_S'].slice(0, g(fc.integer, { min: 0, max: 2 }));
  const b = new KernelBuilder(g, scalars);
  const other = b.pick(DTYPES);
  const params = [
    { name: 'a', dtype: 'f32' as DType, access: 'read' as const }, { name: 'out', dtype: 'f32' as DType, access: 'write' as const },
    { name: 'x', dtype: other, access: 'read' as const }, { name: 'z', dtype: b.pick(DTYPES), access: 'write' as const },
  ];
  const scope: Scope = {
    vars: scalars.map((name) => ({ name, type: 'index', mutable: false })),
    buffers: params.map((p) => ({ name: p.name, dtype: p.dtype, writable: p.access === 'write' })),
    uniform: true, parallel: false,
  };
  const body = b.body(scope, 3);
  const work = b.uniformBound();
  const schedule: Kernel['schedule'] = { ...b.schedule, minParallelWork: b.int(0, 1 << 20), work };
  if (b.chance(0.3)) schedule.gemm = { mc: 96, kc: 256, nc: 2048, parallel: b.chance(0.5) };
  return { name: b.fresh('k_'), source: b.chance(0.5) ? ['%y = relu(%x) : f32[N]', 'with "quotes"'] : [], params, scalars, body, schedule };
}

/** A random index expression over the variables `vars` with small constants, for folding properties. */
export function randomIndexExpr(g: Gen, vars: readonly string[], depth: number): Expr {
  const int = (min: number, max: number) => g(fc.integer, { min, max });
  if (depth === 0 || int(0, 3) === 0)
    return int(0, 1) ? { k: 'var', name: vars[int(0, vars.length - 1)], type: 'index' } : { k: 'const', type: 'index', value: int(-3, 3) };
  const op = (['add', 'sub', 'mul', 'div', 'rem', 'min', 'max'] as const)[int(0, 6)];
  return { k: 'binary', op, a: randomIndexExpr(g, vars, depth - 1), b: randomIndexExpr(g, vars, depth - 1), type: 'index' };
}

/**
 * A random nest the test evaluator runs (test/codegen/kernel-eval.ts): index and f64 lets, mutable
 * accumulators assigned in inner loops, ifs, loads of x[0..3] and one store y[i] per outer iteration,
 * with small integer values so that f64 arithmetic is exact.
 */
export function randomLoopNest(g: Gen): Kernel {
  const int = (min: number, max: number) => g(fc.integer, { min, max });
  let n = 0;
  const fresh = (p: string) => `${p}${n++}`;
  const expr = (type: 'index' | 'f64', vars: Var[], depth: number): Expr => {
    const own = vars.filter((v) => v.type === type);
    const choice = int(0, depth > 0 ? 5 : 2);
    if (choice === 0 || (choice === 1 && !own.length)) return { k: 'const', type, value: int(-3, 3) };
    if (choice === 1) return { k: 'var', name: own[int(0, own.length - 1)].name, type };
    if (choice === 2) {
      const index = vars.filter((v) => v.type === 'index' && v.name.startsWith('i'));
      const at: Expr = index.length ? { k: 'var', name: index[int(0, index.length - 1)].name, type: 'index' } : { k: 'const', type: 'index', value: int(0, 3) };
      const value: Expr = { k: 'load', buf: 'x', index: at, type: 'f64' };
      return type === 'f64' ? value : { k: 'const', type, value: int(0, 3) };
    }
    if (choice === 3 && type === 'f64') return { k: 'cast', a: expr('index', vars, depth - 1), type };
    const op = (['add', 'sub', 'mul', 'min', 'max'] as const)[int(0, 4)];
    return { k: 'binary', op, a: expr(type, vars, depth - 1), b: expr(type, vars, depth - 1), type };
  };
  const body = (vars: Var[], depth: number): Stmt[] => {
    const scope = [...vars];
    const out: Stmt[] = [];
    for (let count = int(0, 4); count > 0; count--) {
      const kind = int(0, depth > 0 ? 6 : 3);
      const mutables = scope.filter((v) => v.mutable);
      if (kind <= 1) {
        const type = int(0, 1) ? 'f64' : 'index';
        const st: Stmt = { k: 'let', name: fresh('t'), type, value: expr(type, scope, 2), mutable: int(0, 1) === 0 };
        scope.push({ name: st.name, type, mutable: st.mutable });
        out.push(st);
      } else if (kind <= 3 && mutables.length) {
        const v = mutables[int(0, mutables.length - 1)];
        out.push({ k: 'assign', name: v.name, value: expr(v.type as 'index' | 'f64', scope, 2) });
      } else if (kind === 4 || kind === 6) {
        const v = fresh('i');
        out.push({ k: 'for', var: v, start: { k: 'const', type: 'index', value: 0 }, end: { k: 'const', type: 'index', value: int(0, 4) }, body: body([...scope, { name: v, type: 'index', mutable: false }], depth - 1), binding: 'serial' });
      } else if (kind === 5) {
        const cond: Expr = { k: 'binary', op: 'lt', a: expr('index', scope, 1), b: expr('index', scope, 1), type: 'bool' };
        out.push({ k: 'if', cond, then: body(scope, depth - 1), else: body(scope, depth - 1) });
      }
    }
    const values = scope.filter((v) => v.type === 'f64');
    const result: Expr = values.reduce<Expr>((acc, v) => ({ k: 'binary', op: 'add', a: acc, b: { k: 'var', name: v.name, type: 'f64' }, type: 'f64' }), { k: 'const', type: 'f64', value: 0 });
    out.push({ k: 'store', buf: 'y', index: { k: 'var', name: 'i', type: 'index' }, value: { k: 'binary', op: 'add', a: { k: 'load', buf: 'y', index: { k: 'var', name: 'i', type: 'index' }, type: 'f64' }, b: result, type: 'f64' } });
    return out;
  };
  const outer: Stmt = { k: 'for', var: 'i', start: { k: 'const', type: 'index', value: 0 }, end: { k: 'const', type: 'index', value: 4 }, body: body([{ name: 'i', type: 'index', mutable: false }, { name: 's_N', type: 'index', mutable: false }], 2), binding: 'serial' };
  return {
    name: 'nest', source: [], params: [{ name: 'x', dtype: 'f64', access: 'read' }, { name: 'y', dtype: 'f64', access: 'write' }], scalars: ['s_N'],
    body: [outer], schedule: { parallel: [], vector: [], unroll: [], minParallelWork: 0, work: { k: 'const', type: 'index', value: 4 } },
  };
}
