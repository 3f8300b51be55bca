// Kernel-IR passes, declared once (name, summary, options, run) like the graph passes of
// src/passes/registry.ts, so `dsc kir --passes`, the kernel pass manager and the list in
// docs/CODEGEN.md read one table. A pass maps a program to a program and leaves it valid for
// verifyProgram; the manager can verify after each pass and show the text.
import { DiagnosticError, diag } from '../../diag/diagnostic.js';
import { PassOptionSpec, PassOptionValue, PassOptionValues } from '../../passes/pass.js';
import { PassInternalError, splitPassList } from '../../passes/registry.js';
import { Expr, Kernel, KernelProgram, Stmt, applySchedule, exprChildren, idx, mapExpr, mapStmtExprs } from '../kernel-ir.js';
import { printProgram } from './print.js';
import { verifyProgram } from './verify.js';

export interface KernelPassDef {
  /** kebab-case, as written in `--passes` */
  name: string;
  /** one line for `dsc help` and docs/CODEGEN.md */
  summary: string;
  /** design notes for docs/CODEGEN.md (Markdown), where one line does not say them */
  notes?: string;
  options: Record<string, PassOptionSpec>;
  run(program: KernelProgram, options: Record<string, PassOptionValue>): KernelProgram;
}

export function defineKernelPass<O extends Record<string, PassOptionSpec> = {}>(def: {
  name: string;
  summary: string;
  notes?: string;
  options?: O;
  run(program: KernelProgram, options: PassOptionValues<O>): KernelProgram;
}): KernelPassDef {
  return { ...def, options: def.options ?? {} } as KernelPassDef;
}

const eachKernel = (p: KernelProgram, f: (k: Kernel) => Kernel): KernelProgram => ({ ...p, kernels: p.kernels.map(f) });

// ---------------------------------------------------------------- apply-schedule

const applySchedulePass = defineKernelPass({
  name: 'apply-schedule',
  summary: "binds every loop (and GEMM intrinsic) as its kernel's schedule says: parallel, vector, unroll or serial",
  run: (p) => eachKernel(p, applySchedule),
});

// ---------------------------------------------------------------- verify

const verifyPass = defineKernelPass({
  name: 'verify',
  summary: 'checks every kernel and the program against the kernel IR verifier; changes nothing',
  run(p) {
    verifyProgram(p);
    return p;
  },
});

// ---------------------------------------------------------------- simplify-index

const constOf = (e: Expr): number | undefined => {
  if (e.k !== 'const' || e.type !== 'index') return undefined;
  const v = Number(e.value);
  return Number.isSafeInteger(v) ? v : undefined;
};
const safe = (v: number) => (Number.isSafeInteger(v) ? idx(v) : undefined);

/** One index node with constant operands folded and the identities of +, -, *, /, % applied. */
function simplifyIndexNode(e: Expr, reassociate: boolean): Expr {
  if (e.k !== 'binary' || e.type !== 'index' || e.a.type !== 'index' || e.b.type !== 'index') return e;
  const { op, a, b } = e;
  const ca = constOf(a);
  const cb = constOf(b);
  if (ca !== undefined && cb !== undefined) {
    // the kernel IR's integer division truncates and gives 0 for a zero divisor, as does rem
    const folded = op === 'add' ? ca + cb : op === 'sub' ? ca - cb : op === 'mul' ? ca * cb : op === 'min' ? Math.min(ca, cb) : op === 'max' ? Math.max(ca, cb)
      : op === 'div' ? (cb === 0 ? 0 : Math.trunc(ca / cb)) : op === 'rem' ? (cb === 0 ? 0 : ca % cb) : undefined;
    const c = folded === undefined ? undefined : safe(folded === 0 ? 0 : folded);
    if (c) return c;
  }
  if (op === 'add' && ca === 0) return b;
  if ((op === 'add' || op === 'sub') && cb === 0) return a;
  if (op === 'mul' && (ca === 0 || cb === 0)) return idx(0);
  if (op === 'mul' && ca === 1) return b;
  if ((op === 'mul' || op === 'div') && cb === 1) return a;
  if (op === 'rem' && cb === 1) return idx(0);
  if (reassociate && cb !== undefined && a.k === 'binary' && a.type === 'index') {
    // (x + c1) + c2 → x + (c1 + c2), (x - c1) + c2 → x + (c2 - c1), (x * c1) * c2 → x * (c1 * c2)
    const inner = constOf(a.b);
    if (inner !== undefined) {
      const sum = op === 'add' || op === 'sub' ? (a.op === 'add' ? inner : a.op === 'sub' ? -inner : undefined) : undefined;
      if (sum !== undefined) {
        const total = safe(sum + (op === 'add' ? cb : -cb));
        if (total) return simplifyIndexNode({ ...e, op: 'add', a: a.a, b: total }, reassociate);
      }
      if (op === 'mul' && a.op === 'mul') {
        const product = safe(inner * cb);
        if (product) return simplifyIndexNode({ ...e, a: a.a, b: product }, reassociate);
      }
    }
  }
  return e;
}

const simplifyIndex = defineKernelPass({
  name: 'simplify-index',
  summary: 'folds constant index arithmetic and the identities x+0, x-0, x*1, x*0, x/1, x%1 in every index expression',
  notes: 'Only `index`-typed nodes change (element arithmetic keeps its exact IR semantics, NaN and signed zeros included); a fold whose result would leave the safe-integer range is not made. The builders in kernel-ir.ts fold as they build; this pass does the same for kernels that passes or hand-written text produced, and reassociates constants through nested sums and products.',
  options: { reassociate: { kind: 'bool', default: true, doc: 'also fold constants through nested sums and products: `(x + 2) + 3` becomes `x + 5`, `(x * 2) * 3` becomes `x * 6`' } },
  run: (p, o) => {
    const f = (e: Expr) => mapExpr(e, (n) => simplifyIndexNode(n, o.reassociate));
    return eachKernel(p, (k) => ({ ...k, body: mapStmtExprs(k.body, f), schedule: { ...k.schedule, work: f(k.schedule.work) } }));
  },
});

// ---------------------------------------------------------------- dce-lets

/** Whether any expression in the statements reads the variable `name`. */
function reads(stmts: readonly Stmt[], name: string): boolean {
  let found = false;
  const visit = (e: Expr): Expr => {
    if (!found && e.k === 'var' && e.name === name) found = true;
    else if (!found) exprChildren(e).forEach(visit);
    return e;
  };
  mapStmtExprs(stmts, visit);
  return found;
}

/** The statements without assignments to `name`, nested bodies included. */
function dropAssigns(stmts: readonly Stmt[], name: string): Stmt[] {
  return stmts.filter((st) => !(st.k === 'assign' && st.name === name)).map((st): Stmt => {
    switch (st.k) {
      case 'for': return { ...st, body: dropAssigns(st.body, name) };
      case 'if': return { ...st, then: dropAssigns(st.then, name), else: dropAssigns(st.else, name) };
      case 'gemm': return st.epilogue ? { ...st, epilogue: { ...st.epilogue, body: dropAssigns(st.epilogue.body, name) } } : st;
      default: return st;
    }
  });
}

/** A body without the lets nothing reads; `tail` is what follows the body in its scope (an epilogue's result). */
function dceBody(stmts: readonly Stmt[], tail: readonly Stmt[] = []): Stmt[] {
  let body = stmts.map((st): Stmt => {
    switch (st.k) {
      case 'for': return { ...st, body: dceBody(st.body) };
      case 'if': return { ...st, then: dceBody(st.then), else: dceBody(st.else) };
      case 'gemm': {
        const ep = st.epilogue;
        if (!ep) return st;
        const result: Stmt = { k: 'let', name: ep.value, type: ep.result.type, value: ep.result, mutable: false };
        return { ...st, epilogue: { ...ep, body: dceBody(ep.body, [result]) } };
      }
      default: return st;
    }
  });
  // from the last let back, so a let read only by a dead one goes too; names are never shadowed (verifier)
  for (let i = body.length - 1; i >= 0; i--) {
    const st = body[i];
    if (st.k !== 'let') continue;
    // a mutable let read only by its own assignments (acc = acc + x) is as dead as one never read
    const rest = [...body.slice(i + 1), ...tail];
    if (reads(st.mutable ? dropAssigns(rest, st.name) : rest, st.name)) continue;
    body = [...body.slice(0, i), ...(st.mutable ? dropAssigns(body.slice(i + 1), st.name) : body.slice(i + 1))];
  }
  return body;
}

const dceLets = defineKernelPass({
  name: 'dce-lets',
  summary: 'removes lets that nothing reads (a mutable one, read only by its own assignments, with them), so chains of dead values go at once',
  notes: 'Expressions have no side effects in the kernel IR (a load only reads), so a let nothing reads can go with its value. Lets are visited from the end of each body, so one read only by a dead let is removed in the same run.',
  run: (p) => eachKernel(p, (k) => ({ ...k, body: dceBody(k.body) })),
});

// ---------------------------------------------------------------- hoist-invariant-lets

/** Every name a body declares (lets, loop variables, allocations, epilogue bindings) or assigns, with repeats. */
function boundNames(stmts: readonly Stmt[], out: string[] = []): string[] {
  for (const st of stmts) {
    switch (st.k) {
      case 'let': case 'alloc': case 'assign': out.push(st.name); break;
      case 'for': out.push(st.var); boundNames(st.body, out); break;
      case 'if': boundNames(st.then, out); boundNames(st.else, out); break;
      case 'gemm': if (st.epilogue) { out.push(st.epilogue.row, st.epilogue.col, st.epilogue.value); boundNames(st.epilogue.body, out); } break;
      default: break;
    }
  }
  return out;
}

/** The variables an expression reads, or undefined when it loads (memory may change inside a loop). */
function pureVars(e: Expr, out = new Set<string>()): Set<string> | undefined {
  if (e.k === 'load') return undefined;
  if (e.k === 'var') out.add(e.name);
  for (const c of exprChildren(e)) if (!pureVars(c, out)) return undefined;
  return out;
}

/** The body with every loop's invariant lets moved before the loop, innermost loops first. */
function hoistBody(stmts: readonly Stmt[]): Stmt[] {
  const inner = stmts.map((st): Stmt => {
    if (st.k === 'for') return { ...st, body: hoistBody(st.body) };
    if (st.k === 'if') return { ...st, then: hoistBody(st.then), else: hoistBody(st.else) };
    return st;
  });
  const bound = boundNames(inner);
  const out: Stmt[] = [];
  for (const st of inner) {
    if (st.k !== 'for') { out.push(st); continue; }
    const inside = new Set([st.var, ...boundNames(st.body)]);
    const kept: Stmt[] = [];
    for (const s of st.body) {
      const reads = s.k === 'let' && !s.mutable ? pureVars(s.value) : undefined;
      // the name must be declared once in the whole enclosing body, or moving it out would clash
      if (s.k === 'let' && reads && [...reads].every((v) => !inside.has(v)) && bound.filter((n) => n === s.name).length === 1) {
        out.push(s);
        inside.delete(s.name);
      } else kept.push(s);
    }
    out.push({ ...st, body: kept });
  }
  return out;
}

const hoistInvariantLets = defineKernelPass({
  name: 'hoist-invariant-lets',
  summary: "moves a loop's immutable lets that read nothing the loop binds, assigns or loads out of it, through every level of a nest",
  notes: 'A let moves when its value reads no variable that the loop declares or assigns and no memory (a load could read what an iteration stored, or an address that is valid only while the loop runs); the rest of the kernel IR\'s expressions are total (division by zero gives 0), so evaluating such a value once before a loop that may run no iteration is safe. Only lets at the top of a loop body move (not from under an `if`), and only when their name is declared once in the enclosing body, so no two sibling loops\' lets meet in one scope. Inner loops are done first, so an invariant climbs as far as it can in one run.',
  run: (p) => eachKernel(p, (k) => ({ ...k, body: hoistBody(k.body) })),
});

// ---------------------------------------------------------------- the registry and the manager

const KERNEL_PASSES: readonly KernelPassDef[] = [applySchedulePass, simplifyIndex, dceLets, hoistInvariantLets, verifyPass];
const BY_NAME = new Map(KERNEL_PASSES.map((p) => [p.name, p]));

/** Every kernel pass, in registry order (for docs and `dsc help kir`). */
export function listKernelPasses(): readonly KernelPassDef[] {
  return KERNEL_PASSES;
}

export interface KernelPassInvocation {
  pass: KernelPassDef;
  options: Record<string, PassOptionValue>;
}

/** Read `name` or `name{key=value,...}`; an unknown pass or option or a bad value is a DSC9003 diagnostic. */
export function parseKernelPassSpec(spec: string): KernelPassInvocation {
  const m = /^\s*([a-z0-9-]+)\s*(?:\{(.*)\})?\s*$/s.exec(spec);
  if (!m) throw diag('DSC9003', `'${spec}' is not a kernel pass spec; write NAME or NAME{option=value,...}`);
  const pass = BY_NAME.get(m[1]);
  if (!pass) throw diag('DSC9003', `unknown kernel pass '${m[1]}'; kernel passes: ${KERNEL_PASSES.map((p) => p.name).join(', ')}`);
  const options: Record<string, PassOptionValue> = Object.fromEntries(Object.entries(pass.options).map(([k, s]) => [k, s.default]));
  for (const item of (m[2] ?? '').split(',').filter((s) => s.trim() !== '')) {
    const [key, text] = item.includes('=') ? [item.slice(0, item.indexOf('=')).trim(), item.slice(item.indexOf('=') + 1).trim()] : [item.trim(), undefined];
    const opt = pass.options[key];
    if (!opt) throw diag('DSC9003', `kernel pass '${pass.name}' has no option '${key}'; options: ${Object.keys(pass.options).join(', ') || '(none)'}`);
    const value = opt.kind === 'bool' ? (text === undefined || text === 'true' ? true : text === 'false' ? false : undefined)
      : opt.kind === 'int' ? (text !== undefined && /^-?[0-9]+$/.test(text) ? Number(text) : undefined) : text;
    if (value === undefined) throw diag('DSC9003', `option '${key}' of kernel pass '${pass.name}' takes ${opt.kind === 'bool' ? 'true or false' : opt.kind === 'int' ? 'an integer' : 'a value'}, got '${text ?? ''}'`);
    options[key] = value;
  }
  return { pass, options };
}

export interface RunKernelPassesOptions {
  /** verify the program before the first pass and after each; a failure names the pass */
  verify?: boolean;
  /** receives the program's text after each pass (`--print-after-all`) */
  printAfterAll?: (passName: string, text: string) => void;
}

/** Run kernel passes (specs as `--passes` takes them, or one comma-separated list) in order. */
export function runKernelPasses(program: KernelProgram, specs: readonly string[] | string, opts: RunKernelPassesOptions = {}): KernelProgram {
  const invocations = (typeof specs === 'string' ? splitPassList(specs) : specs).map(parseKernelPassSpec);
  if (opts.verify) {
    try {
      verifyProgram(program);
    } catch (e) {
      throw new PassInternalError('lowering', (e as Error).message, { cause: e });
    }
  }
  let p = program;
  for (const { pass, options } of invocations) {
    try {
      p = pass.run(p, options);
      if (opts.verify && pass !== verifyPass) verifyProgram(p);
    } catch (e) {
      if (!(e instanceof Error) || e instanceof DiagnosticError) throw e;
      throw new PassInternalError(pass.name, e.message, { cause: e });
    }
    opts.printAfterAll?.(pass.name, printProgram(p));
  }
  return p;
}
