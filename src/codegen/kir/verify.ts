// The kernel IR verifier: the invariants every kernel and program must keep between lowering, the
// kernel passes and the printers (docs/CODEGEN.md, "Kernel IR verifier", states each rule). A
// violation is the compiler's fault, so it throws a KernelVerifyError (an internal error) whose
// message names the kernel and prints the offending statement in the text form.
import { DType, DTYPE_INFO } from '../../ir/dtype.js';
import {
  BinOp, Expr, GemmStmt, INTRINSICS, Kernel, KernelProgram, ScalarType, Schedule, Stmt, exprChildren, isFloatType,
} from '../kernel-ir.js';
import { printExpr, stmtHeadline } from './print.js';

export class KernelVerifyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid kernel IR:\n  ${problems.join('\n  ')}`);
    this.name = 'KernelVerifyError';
  }
}

/** The element type of GEMM operands and results: the intrinsic is f32 today. */
const GEMM_DTYPE: DType = 'f32';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const COMPARE: ReadonlySet<BinOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const LOGIC: ReadonlySet<BinOp> = new Set(['and', 'or']);
const BITWISE: ReadonlySet<BinOp> = new Set(['bit_and', 'bit_or', 'bit_xor']);
const SHIFT: ReadonlySet<BinOp> = new Set(['shl', 'shr']);
const TWO_OPERANDS: ReadonlySet<string> = new Set(['pow', 'fmod', 'fmax_nan', 'fmin_nan']);
const PREDICATES: ReadonlySet<string> = new Set(['is_nan', 'is_inf']);
const INTRINSIC_SET: ReadonlySet<string> = new Set(INTRINSICS);
const SCALAR_TYPES: ReadonlySet<string> = new Set([...Object.keys(DTYPE_INFO), 'index']);

const isIntegral = (t: ScalarType) => t === 'index' || (!DTYPE_INFO[t].float && t !== 'bool');

/** What a name in scope is. */
type Decl =
  | { kind: 'param'; dtype: DType; access: 'read' | 'write' }
  | { kind: 'alloc'; dtype: DType }
  | { kind: 'scalar' | 'loop' | 'epilogue'; type: ScalarType; varying: boolean }
  | { kind: 'let'; type: ScalarType; varying: boolean; mutable: boolean; stmt: Stmt };

interface Env {
  /** a scalar variable, or undefined */
  variable(name: string): Extract<Decl, { type: ScalarType }> | undefined;
  /** a buffer (kernel parameter or allocation), or undefined */
  buffer(name: string): Extract<Decl, { dtype: DType }> | undefined;
}

/** Type errors of an expression, and whether its value may differ between invocations. */
function checkExpr(e: Expr, env: Env, problems: string[]): boolean {
  const bad = (msg: string) => problems.push(`${msg}: ${printExpr(e)}`);
  let varying = false;
  for (const c of exprChildren(e)) varying = checkExpr(c, env, problems) || varying;
  if (!SCALAR_TYPES.has(e.type)) { bad(`unknown type '${e.type}'`); return varying; }
  switch (e.k) {
    case 'const': {
      const v = e.value;
      if (typeof v === 'bigint' ? !isIntegral(e.type) : isIntegral(e.type) && !Number.isInteger(v)) bad(`constant ${String(v)} is not a value of ${e.type}`);
      else if (e.type === 'bool' && v !== 0 && v !== 1) bad('a bool constant is 0 or 1');
      break;
    }
    case 'var': {
      const d = env.variable(e.name);
      if (!d) bad(env.buffer(e.name) ? `buffer '${e.name}' used as a scalar` : `'${e.name}' is not declared here`);
      else if (d.type !== e.type) bad(`'${e.name}' is ${d.type}, used as ${e.type}`);
      else varying = varying || d.varying;
      break;
    }
    case 'load': {
      const b = env.buffer(e.buf);
      if (!b) bad(`load from '${e.buf}', which is no parameter or allocation in scope`);
      else if (b.dtype !== e.type) bad(`load of ${e.type} from '${e.buf}' of ${b.dtype}`);
      if (e.index.type !== 'index') bad('a load index must be index-typed');
      if (e.mask && e.mask.type !== 'bool') bad('a load mask must be bool');
      if (!!e.mask !== !!e.other) bad('a masked load needs both a mask and the value taken where it is false');
      if (e.other && e.other.type !== e.type) bad(`the masked-off value of a ${e.type} load is ${e.other.type}`);
      // memory may differ between invocations (WGSL's uniformity analysis treats loads so too)
      varying = true;
      break;
    }
    case 'binary': {
      const { op, a, b } = e;
      if (a.type !== b.type) { bad(`operands of ${op} differ: ${a.type} and ${b.type}`); break; }
      const t = a.type;
      if (COMPARE.has(op) || LOGIC.has(op)) {
        if (e.type !== 'bool') bad(`${op} gives bool, not ${e.type}`);
        if (LOGIC.has(op) && t !== 'bool') bad(`${op} takes bool operands, not ${t}`);
        break;
      }
      if (e.type !== t) bad(`${op} of ${t} operands is ${t}, not ${e.type}`);
      if ((BITWISE.has(op) && !isIntegral(t) && t !== 'bool') || (SHIFT.has(op) && !isIntegral(t))) bad(`${op} needs integer operands, not ${t}`);
      else if (!BITWISE.has(op) && !SHIFT.has(op) && t === 'bool') bad(`${op} on bool`);
      else if (op === 'rem' && isFloatType(t)) bad('rem of floating-point operands (fmod is the intrinsic)');
      break;
    }
    case 'unary': {
      const t = e.a.type;
      if (e.type !== t) bad(`${e.op} of ${t} is ${t}, not ${e.type}`);
      if (e.op === 'not' && t !== 'bool') bad(`not takes bool, not ${t}`);
      if (e.op === 'bit_not' && !isIntegral(t)) bad(`bit_not takes an integer, not ${t}`);
      if (e.op === 'neg' && t === 'bool') bad('neg of bool');
      break;
    }
    case 'select':
      if (e.cond.type !== 'bool') bad(`a select condition must be bool, not ${e.cond.type}`);
      if (e.then.type !== e.type || e.else.type !== e.type) bad(`select arms ${e.then.type} and ${e.else.type} must both be ${e.type}`);
      break;
    case 'cast': break;
    case 'call': {
      if (!INTRINSIC_SET.has(e.fn)) { bad(`unknown intrinsic '${e.fn}'`); break; }
      const arity = TWO_OPERANDS.has(e.fn) ? 2 : 1;
      if (e.args.length !== arity) bad(`${e.fn} takes ${arity} operand${arity > 1 ? 's' : ''}, got ${e.args.length}`);
      if (PREDICATES.has(e.fn)) {
        // is_nan and is_inf test a float and give bool (the elementwise lowering and every printer read them so)
        if (e.type !== 'bool') bad(`${e.fn} gives bool, not ${e.type}`);
        if (e.args.some((x) => !isFloatType(x.type))) bad(`${e.fn} takes a floating-point operand`);
        break;
      }
      if (e.args.some((x) => x.type !== e.type)) bad(`the operands of ${e.fn} must be ${e.type}`);
      // pow also serves integer powers (the targets' ipow); every other intrinsic is floating-point only
      if (!isFloatType(e.type) && !(e.fn === 'pow' && isIntegral(e.type))) bad(`intrinsic ${e.fn} on ${e.type}; intrinsics take floating-point operands`);
      break;
    }
  }
  return varying;
}

/** Every loop variable of a body, GEMM epilogues excluded (they hold no scheduled loops). */
function loopVars(stmts: readonly Stmt[], out = new Set<string>()): Set<string> {
  for (const st of stmts) {
    if (st.k === 'for') { out.add(st.var); loopVars(st.body, out); }
    else if (st.k === 'if') { loopVars(st.then, out); loopVars(st.else, out); }
  }
  return out;
}

/** Bindings whose iterations run concurrently, as separate invocations (a check must not return from one). */
const CONCURRENT: ReadonlySet<string> = new Set(['parallel', 'grid', 'thread']);

/**
 * The loops the schedule binds `binding`: its parallel/vector/unroll lists, and on GPU-like targets
 * the dispatch's grid loops and its thread loop.
 */
function scheduled(s: Schedule, binding: string): readonly string[] {
  const dispatch = (s as { dispatch?: { grid?: string[]; thread?: string } }).dispatch;
  if (binding === 'grid') return dispatch?.grid ?? [];
  if (binding === 'thread') return dispatch?.thread ? [dispatch.thread] : [];
  return (s as unknown as Record<string, readonly string[] | undefined>)[binding] ?? [];
}

/**
 * Whether a loop's variable may differ between the invocations that meet at a barrier: iterations
 * of parallel, vector and thread loops do; a grid point is one workgroup only when the dispatch has
 * a thread loop (else each invocation takes its own grid point).
 */
function varyingBinding(s: Schedule, binding: string): boolean {
  if (binding === 'grid') return scheduled(s, 'thread').length === 0;
  return binding === 'parallel' || binding === 'vector' || binding === 'thread';
}

/**
 * The problems of one kernel, each naming the kernel and the statement. With `program`, the
 * kernel's scalars must be program symbols.
 */
export function kernelProblems(kernel: Kernel, program?: KernelProgram): string[] {
  const out: string[] = [];
  const at = (msg: string, st?: Stmt) => out.push(`kernel @${kernel.name}: ${msg}${st ? `\n      at: ${stmtHeadline(st)}` : ''}`);
  if (!IDENTIFIER.test(kernel.name)) at(`the kernel name '${kernel.name}' is not an identifier`);

  // mutable lets whose value may differ between invocations; grows until a walk adds none
  const varyingLets = new Set<Stmt>();
  const walk = (report: boolean): void => {
    const scopes: Map<string, Decl>[] = [new Map()];
    const lookup = (name: string): Decl | undefined => {
      for (let i = scopes.length - 1; i >= 0; i--) {
        const d = scopes[i].get(name);
        if (d) return d;
      }
      return undefined;
    };
    const env: Env = {
      variable: (n) => { const d = lookup(n); return d && 'type' in d ? d : undefined; },
      buffer: (n) => { const d = lookup(n); return d && 'dtype' in d ? d : undefined; },
    };
    const problem = (msg: string, st?: Stmt) => { if (report) at(msg, st); };
    const expr = (e: Expr, st: Stmt | undefined, want?: ScalarType, what?: string): boolean => {
      const problems: string[] = [];
      const varying = checkExpr(e, env, problems);
      for (const p of problems) problem(p, st);
      if (want && e.type !== want) problem(`${what} must be ${want}, not ${e.type}: ${printExpr(e)}`, st);
      return varying;
    };
    const declare = (name: string, d: Decl, st?: Stmt) => {
      if (!IDENTIFIER.test(name)) problem(`'${name}' is not an identifier`, st);
      // one namespace, no shadowing: the printed C and WGSL nest these names in one scope chain
      if (lookup(name)) problem(`'${name}' is declared again where an outer '${name}' is in scope`, st);
      scopes[scopes.length - 1].set(name, d);
    };

    for (const p of kernel.params) declare(p.name, { kind: 'param', dtype: p.dtype, access: p.access });
    for (const s of kernel.scalars) {
      declare(s, { kind: 'scalar', type: 'index', varying: false });
      if (program && !program.symbols.includes(s)) problem(`scalar '${s}' is not a symbol of the program`);
    }

    interface Ctx { parallel: boolean; varyingControl: boolean; epilogue: boolean }
    const body = (stmts: readonly Stmt[], ctx: Ctx) => {
      scopes.push(new Map());
      for (const st of stmts) stmt(st, ctx);
      scopes.pop();
    };
    const stmt = (st: Stmt, ctx: Ctx): void => {
      switch (st.k) {
        case 'for': {
          const varyingStart = expr(st.start, st, 'index', 'a loop start');
          const varyingBounds = expr(st.end, st, 'index', 'a loop end') || varyingStart;
          if (ctx.epilogue && st.binding !== 'serial') problem(`a loop in a GEMM epilogue is ${st.binding}; epilogues run per element`, st);
          if (st.binding !== 'serial' && !scheduled(kernel.schedule, st.binding).includes(st.var))
            problem(`loop '${st.var}' is bound ${st.binding} but the schedule's ${st.binding} loops do not include it`, st);
          scopes.push(new Map());
          // iterations of parallel and vector loops run in different invocations or lanes
          declare(st.var, { kind: 'loop', type: 'index', varying: varyingBounds || varyingBinding(kernel.schedule, st.binding) }, st);
          body(st.body, { ...ctx, parallel: ctx.parallel || CONCURRENT.has(st.binding), varyingControl: ctx.varyingControl || varyingBounds });
          scopes.pop();
          return;
        }
        case 'let': {
          if (!SCALAR_TYPES.has(st.type)) problem(`unknown type '${st.type}'`, st);
          const varying = expr(st.value, st, st.type, `the value of ${st.type} '${st.name}'`) || varyingLets.has(st);
          declare(st.name, { kind: 'let', type: st.type, varying, mutable: st.mutable, stmt: st }, st);
          return;
        }
        case 'assign': {
          const d = lookup(st.name);
          const varying = expr(st.value, st);
          if (!d || d.kind !== 'let') { problem(`assignment to '${st.name}', which is no let in scope`, st); return; }
          if (!d.mutable) problem(`assignment to '${st.name}', which is not mutable (declare it with var)`, st);
          if (d.type !== st.value.type) problem(`assignment of ${st.value.type} to ${d.type} '${st.name}'`, st);
          if ((varying || ctx.varyingControl) && !varyingLets.has(d.stmt)) varyingLets.add(d.stmt);
          return;
        }
        case 'store': {
          if (ctx.epilogue) problem('a GEMM epilogue must not store (it yields its value)', st);
          const b = env.buffer(st.buf);
          if (!b) problem(`store to '${st.buf}', which is no parameter or allocation in scope`, st);
          else if (b.kind === 'param' && b.access !== 'write') problem(`store to read-only parameter '${st.buf}'`, st);
          else if (b.dtype !== st.value.type) problem(`store of ${st.value.type} to '${st.buf}' of ${b.dtype}`, st);
          expr(st.index, st, 'index', 'a store index');
          expr(st.value, st);
          if (st.mask) expr(st.mask, st, 'bool', 'a store mask');
          return;
        }
        case 'if': {
          const varying = expr(st.cond, st, 'bool', 'an if condition');
          const inner = { ...ctx, varyingControl: ctx.varyingControl || varying };
          body(st.then, inner);
          body(st.else, inner);
          return;
        }
        case 'alloc':
          if (ctx.epilogue) problem('a GEMM epilogue must not allocate', st);
          expr(st.size, st, 'index', 'an allocation size');
          declare(st.name, { kind: 'alloc', dtype: st.dtype }, st);
          return;
        case 'barrier':
          if (ctx.epilogue) problem('a barrier in a GEMM epilogue', st);
          else if (ctx.varyingControl) problem('a barrier in control flow that varies between invocations (an if condition or loop bound reads a load, a parallel or vector loop variable, or a value computed from them)', st);
          return;
        case 'check':
          if (ctx.parallel) problem('a check inside a parallel loop (it returns from the kernel)', st);
          if (ctx.epilogue) problem('a check in a GEMM epilogue', st);
          if (!Number.isInteger(st.code) || st.code === 0) problem(`a check's code must be a nonzero integer, not ${st.code}`, st);
          expr(st.cond, st, 'bool', 'a check condition');
          return;
        case 'gemm': gemm(st, ctx); return;
        case 'comment': return;
      }
    };
    const gemm = (st: GemmStmt, ctx: Ctx) => {
      if (ctx.epilogue) problem('a GEMM in a GEMM epilogue', st);
      for (const [e, what] of [[st.m, 'm'], [st.n, 'n'], [st.kdim, 'k']] as const) expr(e, st, 'index', `GEMM ${what}`);
      const operand = (role: string, o: { buf: string; offset: Expr; rowStride?: Expr; colStride?: Expr; ld?: Expr }, write: boolean) => {
        const b = env.buffer(o.buf);
        if (!b) problem(`GEMM ${role} '${o.buf}' is no parameter or allocation in scope`, st);
        else {
          if (b.dtype !== GEMM_DTYPE) problem(`GEMM ${role} '${o.buf}' is ${b.dtype}; the GEMM intrinsic takes ${GEMM_DTYPE}`, st);
          if (write && b.kind === 'param' && b.access !== 'write') problem(`GEMM ${role} '${o.buf}' is a read-only parameter`, st);
        }
        for (const k of ['offset', 'rowStride', 'colStride', 'ld'] as const) {
          const e = o[k];
          if (e) expr(e, st, 'index', `GEMM ${role} ${k}`);
        }
      };
      operand('A', st.a, false);
      operand('B', st.b, false);
      operand('C', st.c, true);
      if (st.bias) operand('bias', st.bias, false);
      if ('conv' in st.b)
        for (const [k, v] of Object.entries(st.b.conv))
          if (!Number.isInteger(v) || v < 0) problem(`im2col geometry ${k} = ${v} is not a nonnegative integer`, st);
      const ep = st.epilogue;
      if (!ep) return;
      scopes.push(new Map());
      declare(ep.row, { kind: 'epilogue', type: 'index', varying: true }, st);
      declare(ep.col, { kind: 'epilogue', type: 'index', varying: true }, st);
      declare(ep.value, { kind: 'epilogue', type: GEMM_DTYPE, varying: true }, st);
      const inner = { ...ctx, epilogue: true, varyingControl: true };
      scopes.push(new Map());
      for (const s of ep.body) stmt(s, inner);
      expr(ep.result, st, GEMM_DTYPE, 'the epilogue result');
      scopes.pop();
      scopes.pop();
    };
    body(kernel.body, { parallel: false, varyingControl: false, epilogue: false });
  };
  for (let size = -1; size !== varyingLets.size;) {
    size = varyingLets.size;
    walk(false);
  }
  walk(true);

  const s = kernel.schedule;
  const loops = loopVars(kernel.body);
  for (const binding of ['parallel', 'vector', 'unroll', 'grid', 'thread'])
    for (const v of scheduled(s, binding)) if (!loops.has(v)) at(`schedule ${binding} names '${v}', which is no loop of the kernel`);
  if (!Number.isFinite(s.minParallelWork)) at('schedule minParallelWork must be a number');
  const scalarEnv: Env = { variable: (n) => (kernel.scalars.includes(n) ? { kind: 'scalar', type: 'index', varying: false } : undefined), buffer: () => undefined };
  const problems: string[] = [];
  checkExpr(s.work, scalarEnv, problems);
  if (s.work.type !== 'index') problems.push(`must be index, not ${s.work.type}`);
  for (const p of problems) at(`schedule work: ${p}`);
  return out;
}

export function verifyKernel(kernel: Kernel, program?: KernelProgram): void {
  const problems = kernelProblems(kernel, program);
  if (problems.length) throw new KernelVerifyError(problems);
}

/** The problems of a program: its buffers, symbols, calls, and every kernel. */
export function programProblems(p: KernelProgram): string[] {
  const out: string[] = [];
  const symbolEnv: Env = { variable: (n) => (p.symbols.includes(n) ? { kind: 'scalar', type: 'index', varying: false } : undefined), buffer: () => undefined };
  const sizeExpr = (e: Expr, what: string) => {
    const problems: string[] = [];
    checkExpr(e, symbolEnv, problems);
    if (e.type !== 'index') problems.push(`must be index, not ${e.type}`);
    for (const x of problems) out.push(`${what}: ${x}`);
  };
  const m = p.manifest;
  if (p.symbols.length !== m.symbols.length) out.push(`the program has ${p.symbols.length} symbol variables for ${m.symbols.length} manifest symbols`);
  if (new Set(p.symbols).size !== p.symbols.length) out.push(`symbol variables repeat: ${p.symbols.join(', ')}`);

  const buffers = new Map(p.buffers.map((b) => [b.name, b]));
  const slots = new Set<string>();
  for (const b of p.buffers) {
    const what = `buffer ${b.name}`;
    if (buffers.get(b.name) !== b) out.push(`${what} is declared more than once`);
    if (!IDENTIFIER.test(b.name)) out.push(`${what}: the name is not an identifier`);
    sizeExpr(b.size, `${what} size`);
    const s = b.storage;
    switch (s.k) {
      case 'param': case 'input': case 'output': {
        const list = s.k === 'param' ? m.params : s.k === 'input' ? m.inputs : m.outputs;
        const slot = `${s.k} ${s.index}`;
        if (slots.has(slot)) out.push(`${what}: ${slot} is the storage of another buffer too`);
        slots.add(slot);
        if (!list[s.index]) out.push(`${what}: the manifest has no ${slot}`);
        else if (list[s.index].dtype !== b.dtype) out.push(`${what} is ${b.dtype} but manifest ${slot} is ${list[s.index].dtype}`);
        break;
      }
      case 'workspace': sizeExpr(s.offset, `${what} workspace offset`); break;
      case 'alias': {
        const seen = new Set([b.name]);
        let at = buffers.get(s.of);
        while (at?.storage.k === 'alias' && !seen.has(at.name)) { seen.add(at.name); at = buffers.get(at.storage.of); }
        if (!buffers.has(s.of)) out.push(`${what} aliases '${s.of}', which is not declared`);
        else if (!at || at.storage.k === 'alias') out.push(`${what}: its aliases form a cycle`);
        else if (buffers.get(s.of)!.dtype !== b.dtype) out.push(`${what} is ${b.dtype} but aliases '${s.of}' of ${buffers.get(s.of)!.dtype}`);
        break;
      }
      case 'constant':
        if (s.tensor.dtype !== b.dtype) out.push(`${what} is ${b.dtype} but holds a ${s.tensor.dtype} constant`);
        if (b.size.k === 'const' && Number(b.size.value) !== s.tensor.size) out.push(`${what} has ${Number(b.size.value)} elements but its constant ${s.tensor.size}`);
        break;
    }
  }
  /** where a buffer's storage finally lives (through aliases) */
  const rootOf = (name: string) => {
    let b = buffers.get(name);
    for (let hops = 0; b?.storage.k === 'alias' && hops < p.buffers.length; hops++) b = buffers.get(b.storage.of);
    return b;
  };
  sizeExpr(p.workspaceBytes, 'workspace bytes');
  if (p.outputShapes.length !== m.outputs.length) out.push(`${p.outputShapes.length} output shapes for ${m.outputs.length} outputs`);
  p.outputShapes.forEach((dims, i) => {
    if (m.outputs[i] && dims.length !== m.outputs[i].shape.length) out.push(`output ${i} has ${dims.length} dims, the manifest ${m.outputs[i].shape.length}`);
    dims.forEach((d, j) => sizeExpr(d, `output ${i} dim ${j}`));
  });

  const kernels = new Map(p.kernels.map((k) => [k.name, k]));
  for (const k of p.kernels) {
    if (kernels.get(k.name) !== k) out.push(`kernel @${k.name} is declared more than once`);
    out.push(...kernelProblems(k, p));
  }
  // the printers pair call i with kernel i
  if (p.calls.length !== p.kernels.length) out.push(`${p.calls.length} calls for ${p.kernels.length} kernels; call i runs kernel i`);
  p.calls.forEach((c, i) => {
    const what = `call ${i} (@${c.kernel})`;
    const k = kernels.get(c.kernel);
    if (!k) { out.push(`${what}: no kernel @${c.kernel}`); return; }
    if (p.kernels[i] !== k) out.push(`${what}: call ${i} must run kernel ${i} (@${p.kernels[i]?.name})`);
    if (c.args.length !== k.params.length) out.push(`${what}: ${c.args.length} arguments for ${k.params.length} parameters`);
    c.args.forEach((a, j) => {
      const param = k.params[j];
      const b = buffers.get(a);
      if (!b) { out.push(`${what}: argument '${a}' is no buffer`); return; }
      if (!param) return;
      if (b.dtype !== param.dtype) out.push(`${what}: argument '${a}' is ${b.dtype}, parameter '${param.name}' ${param.dtype}`);
      const root = rootOf(a);
      if (param.access === 'write' && root && root.storage.k !== 'output' && root.storage.k !== 'workspace')
        out.push(`${what}: parameter '${param.name}' writes '${a}', whose storage is ${root.storage.k} (only outputs and the workspace are written)`);
    });
    if (c.scalars.length !== k.scalars.length) out.push(`${what}: ${c.scalars.length} scalars for ${k.scalars.length}`);
    for (const s of c.scalars) if (!p.symbols.includes(s)) out.push(`${what}: scalar '${s}' is no symbol of the program`);
  });
  return out;
}

export function verifyProgram(program: KernelProgram): void {
  const problems = programProblems(program);
  if (problems.length) throw new KernelVerifyError(problems);
}
