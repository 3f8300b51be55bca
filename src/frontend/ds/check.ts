// The .ds checker: instantiates the model's block tree (compile-time parameters folded, members
// given their state_dict paths, parameters declared in the graph) and unrolls `forward` methods into
// IR nodes through the GraphBuilder, so every op's shape rule checks its operands as it is built.
// A user mistake becomes a diagnostic and a poison value that later uses pass on silently.
import { Diagnostic, type Note } from '../../diag/diagnostic.js';
import type { DiagCode } from '../../diag/catalog.js';
import { GraphBuilder } from '../../ir/builder.js';
import {
  Dim, dimAdd, dimEq, dimFloorDiv, dimMod, dimMul, dimNeg, dimSub, dimToString, sym,
} from '../../ir/dim.js';
import { isFloat, type DType } from '../../ir/dtype.js';
import { typeToString, type Attrs, type AttrValue, type PathAnnotation, type TensorType, type Value } from '../../ir/graph.js';
import { OpError } from '../../ir/registry.js';
import { Tensor } from '../../ir/tensor.js';
import type {
  Annotation, Arg, BlockDecl, CallExpr, DimNode, Expr, IndexExpr, MethodDecl, Param, RangeNode, Span, Stmt, TypeNode,
} from './ast.js';
import { BUILTIN_NAMES, callBuiltin, type ArgVal } from './builtins.js';
import { spanLoc, type DsModuleInfo } from './modules.js';
import { closestName, describe, intVal, joinPath, POISON, type Instance, type Val } from './values.js';

/** A dim named in a method signature, bound at a call. */
interface DimBinding { dims: Dim[]; variadic: boolean; note: Note }

/** One unrolled method call. */
export interface Frame {
  inst: Instance;
  method: MethodDecl;
  locals: Map<string, Val>;
  dims: Map<string, DimBinding>;
  returned?: Val;
}

/** Where an expression is evaluated: a member initializer (with the path it names) or a method body. */
export interface Ctx {
  inst?: Instance;
  /** extra names, innermost first: loop variables of `for` expressions, earlier block parameters */
  scopes: Map<string, Val>[];
  module: DsModuleInfo;
  /** the state_dict path a block instantiated here gets; set in member initializers only */
  path?: string;
  frame?: Frame;
}

const KNOWN_ANNOTATIONS = new Set(['precision', 'quantize', 'sparsity']);
const COMPILE_TIME_TYPES = ['int', 'float', 'bool', 'string', 'dtype', 'block', 'tensor'];
const BINARY_OPS: Record<string, string> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '**': 'pow', '@': 'matmul',
  '==': 'equal', '<': 'less', '<=': 'less_or_equal', '>': 'greater', '>=': 'greater_or_equal', '&&': 'and', '||': 'or',
};
/** iterations of compile-time loops a model may unroll: bounds compile time for a mistyped range */
const UNROLL_LIMIT = 100_000;
/** an int attribute or index beyond any dim, for "to the end" slices */
const SLICE_END = 2 ** 31 - 1;

export class Checker {
  readonly diagnostics: Diagnostic[] = [];
  readonly annotations: PathAnnotation[] = [];
  private readonly instantiating: { decl: BlockDecl; span: Span }[] = [];
  private readonly choosePaths = new Set<string>();
  readonly usedChoices = new Set<string>();
  /** methods whose result names were checked: a block instantiated many times reports a bad name once */
  private readonly resultNamesChecked = new Set<MethodDecl>();
  private readonly constants = new Map<string, Value>();
  /** loop iterations unrolled so far, against UNROLL_LIMIT */
  private unrolled = 0;

  constructor(readonly b: GraphBuilder, readonly choices: ReadonlyMap<string, string | number>) {}

  // ---- diagnostics ----

  error(code: DiagCode, message: string, span: Span, notes: Note[] = []): Val {
    this.diagnostics.push(new Diagnostic(code, message, spanLoc(span), notes));
    return POISON;
  }

  /** Notes for the signature dims of the current call whose values the message mentions. */
  dimNotes(ctx: Ctx, message: string): Note[] {
    const notes: Note[] = [];
    for (const [name, binding] of ctx.frame?.dims ?? []) {
      const text = binding.variadic ? `[${binding.dims.map(dimToString).join(', ')}]` : dimToString(binding.dims[0]);
      const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (text !== name && new RegExp(`(^|[^\\w])${escaped}($|[^\\w])`).test(message)) notes.push(binding.note);
    }
    return notes;
  }

  // ---- names ----

  lookup(ctx: Ctx, name: string): Val | undefined {
    if (ctx.frame) {
      const local = ctx.frame.locals.get(name);
      if (local) return local;
    }
    for (const s of ctx.scopes) { const v = s.get(name); if (v) return v; }
    if (ctx.frame) {
      const dim = ctx.frame.dims.get(name);
      if (dim) return dim.variadic ? { k: 'list', items: dim.dims.map(intVal) } : intVal(dim.dims[0]);
    }
    const member = ctx.inst?.env.get(name);
    if (member) return member;
    const top = ctx.module.scope.get(name);
    if (top) return top;
    if (BUILTIN_NAMES.has(name)) return { k: 'builtin', name };
    return undefined;
  }

  private visibleNames(ctx: Ctx): string[] {
    const names = new Set<string>();
    for (const k of ctx.frame?.locals.keys() ?? []) names.add(k);
    for (const s of ctx.scopes) for (const k of s.keys()) names.add(k);
    for (const k of ctx.frame?.dims.keys() ?? []) names.add(k);
    for (const k of ctx.inst?.env.keys() ?? []) names.add(k);
    for (const k of ctx.module.scope.keys()) names.add(k);
    for (const k of BUILTIN_NAMES) names.add(k);
    return [...names];
  }

  unknownName(ctx: Ctx, name: string, span: Span): Val {
    const guess = closestName(name, this.visibleNames(ctx));
    return this.error('DSC5011', `unknown name '${name}'${guess ? `; did you mean '${guess}'?` : ''}`, span);
  }

  // ---- blocks ----

  /** Instantiate `decl` at `path`: bind its parameters, then evaluate its members in order. */
  instantiate(decl: BlockDecl, module: DsModuleInfo, args: Arg[], ctx: Ctx, path: string, span: Span): Val {
    const cycle = this.instantiating.findIndex((f) => f.decl === decl);
    if (cycle >= 0) {
      const chain = [...this.instantiating.slice(cycle).map((f) => f.decl.name.name), decl.name.name].join(' -> ');
      return this.error('DSC5013', `block ${decl.name.name} instantiates itself: ${chain}`, span,
        this.instantiating.slice(cycle + 1).map((f) => ({ message: `${f.decl.name.name} is instantiated here`, loc: spanLoc(f.span) })));
    }
    const params = this.bindArgs(decl.params, args, ctx, span, `${decl.name.name}`, (p) => joinPath(path, p));
    if (!params) return POISON;
    this.instantiating.push({ decl, span });
    try {
      const inst: Instance = { decl, module, path, env: new Map(), span };
      const paramScope = new Map<string, Val>();
      for (const p of decl.params) {
        const given = params.get(p.name.name);
        const v = given ? given.val : this.evalExpr(p.default!, { module, scopes: [paramScope], path: joinPath(path, p.name.name) });
        const at = given ?? p.default!;
        paramScope.set(p.name.name, this.checkCompileTime(v, p.type, at, `parameter '${p.name.name}' of ${decl.name.name}`, module));
      }
      // members built from a bad argument would only repeat its error
      if ([...paramScope.values()].some((v) => v.k === 'poison')) return POISON;
      for (const [k, v] of paramScope) inst.env.set(k, v);
      this.recordAnnotations(decl.annotations, path, { module, scopes: [] });
      const seen = new Map<string, Span>();
      for (const m of decl.members) {
        const name = m.name.name;
        const first = seen.get(name);
        if (first) {
          this.error('DSC5012', `${decl.name.name} declares '${name}' twice`, m.name.span, [{ message: `the first '${name}'`, loc: spanLoc(first) }]);
          continue;
        }
        seen.set(name, m.name.span);
        if (m.kind === 'method') { this.checkResultNames(m); continue; }
        const memberPath = joinPath(path, name);
        const mctx: Ctx = { inst, module, scopes: [], path: memberPath };
        this.recordAnnotations(m.annotations, memberPath, mctx);
        if (m.kind === 'weight') {
          const type = this.staticType(m.type, mctx, `parameter '${memberPath}'`);
          inst.env.set(name, type ? { k: 'tensor', v: this.b.param(memberPath, type) } : POISON);
        } else {
          inst.env.set(name, this.evalExpr(m.value, mctx));
        }
      }
      return { k: 'instance', inst };
    } finally {
      this.instantiating.pop();
    }
  }

  /** A tensor type whose dims are compile-time ints: the type of a declared parameter. */
  staticType(node: TypeNode, ctx: Ctx, what: string): TensorType | undefined {
    if (node.kind !== 'tensorType') { this.error('DSC5015', `${what} must have a tensor type such as f32[4, 8]`, node.span); return undefined; }
    const shape: number[] = [];
    for (const d of node.shape) {
      const v = this.evalDim(d, (n) => { const x = this.lookup(ctx, n); return x?.k === 'int' ? x.v : undefined; });
      if (typeof v !== 'number' || v < 0) {
        this.error('DSC5015', `${what}: every dim of a parameter must be a known size; ${this.dimText(d)} is ${v === undefined ? 'not a compile-time int' : dimToString(v)}`, d.span);
        return undefined;
      }
      shape.push(v);
    }
    return { dtype: node.dtype, shape };
  }

  /**
   * Match call arguments to parameters: positional first, then named. A last parameter of list type
   * collects the remaining positional arguments (`Sequential(a, b, c)`). Returns the given values by
   * parameter name; defaults are the caller's business.
   */
  bindArgs(params: Param[], args: Arg[], ctx: Ctx, span: Span, callee: string, pathOf?: (param: string | number) => string): Map<string, { val: Val; span: Span }> | undefined {
    const out = new Map<string, { val: Val; span: Span }>();
    const positional = args.filter((a) => !a.name);
    const last = params[params.length - 1];
    const looksLikeList = (x: Expr) => x.kind === 'list' || x.kind === 'forExpr' || x.kind === 'name';
    const restAt = last?.type.kind === 'listType' && positional.length >= params.length
      && !(positional.length === params.length && looksLikeList(positional[params.length - 1].value)) ? params.length - 1 : -1;
    let ok = true;
    if (restAt < 0 && positional.length > params.length) {
      this.error('DSC5014', `${callee} takes ${params.length} argument${params.length === 1 ? '' : 's'} (${params.map((p) => p.name.name).join(', ') || 'none'}), got ${positional.length}`, positional[params.length].span);
      return undefined;
    }
    const rest: Val[] = [];
    positional.forEach((a, i) => {
      if (restAt >= 0 && i >= restAt) {
        rest.push(this.evalExpr(a.value, { ...ctx, path: pathOf?.(i - restAt) }));
        return;
      }
      const p = params[i];
      out.set(p.name.name, { val: this.evalExpr(a.value, { ...ctx, path: pathOf?.(p.name.name) }), span: a.value.span });
    });
    if (restAt >= 0) out.set(params[restAt].name.name, { val: { k: 'list', items: rest }, span: positional[restAt].span });
    for (const a of args) {
      if (!a.name) continue;
      const p = params.find((q) => q.name.name === a.name!.name);
      if (!p) {
        const guess = closestName(a.name.name, params.map((q) => q.name.name));
        this.error('DSC5014', `${callee} has no parameter '${a.name.name}'${guess ? `; did you mean '${guess}'?` : ''}`, a.name.span,
          [{ message: `its parameters are: ${params.map((q) => q.name.name).join(', ') || '(none)'}` }]);
        ok = false;
        continue;
      }
      if (out.has(p.name.name)) {
        this.error('DSC5014', `${callee}: parameter '${p.name.name}' is given twice`, a.span);
        ok = false;
        continue;
      }
      out.set(p.name.name, { val: this.evalExpr(a.value, { ...ctx, path: pathOf?.(p.name.name) }), span: a.value.span });
    }
    const missing = params.filter((p) => !out.has(p.name.name) && !p.default);
    if (missing.length > 0) {
      this.error('DSC5014', `${callee} needs ${missing.map((p) => `'${p.name.name}'`).join(', ')}: missing argument${missing.length === 1 ? '' : 's'}`, span);
      ok = false;
    }
    return ok ? out : undefined;
  }

  /** Check a compile-time value against a declared type; ints widen to floats. */
  checkCompileTime(v: Val, type: TypeNode, at: { span: Span }, what: string, module: DsModuleInfo): Val {
    if (v.k === 'poison') return v;
    const fail = (expected: string) => this.error('DSC5015', `${what} must be ${expected}, got ${describe(v)}`, at.span);
    switch (type.kind) {
      case 'namedType':
        switch (type.name) {
          case 'int': return v.k === 'int' ? v : fail('an int');
          case 'float': return v.k === 'float' ? v : v.k === 'int' && typeof v.v === 'number' ? { k: 'float', v: v.v } : fail('a float');
          case 'bool': return v.k === 'bool' ? v : fail('a bool');
          case 'string': return v.k === 'string' ? v : fail('a string');
          case 'dtype': return v.k === 'dtype' ? v : fail('a dtype');
          case 'block': return v.k === 'instance' || v.k === 'absent' ? v : fail('a block instance');
          case 'tensor': return v.k === 'tensor' ? v : fail('a tensor');
          default: {
            const guess = closestName(type.name, COMPILE_TIME_TYPES);
            return this.error('DSC5015', `unknown type '${type.name}'${guess ? `; did you mean '${guess}'?` : ''}`, type.span, [{ message: `types are ${COMPILE_TIME_TYPES.join(', ')}, lists [T] and tensor types such as f32[N, 3]` }]);
          }
        }
      case 'listType': {
        if (v.k !== 'list') return fail('a list');
        return { k: 'list', items: v.items.map((item, i) => this.checkCompileTime(item, type.element, at, `${what}[${i}]`, module)) };
      }
      case 'tensorType': return v.k === 'tensor' ? v : fail(`a tensor ${this.typeText(type)}`);
      case 'tupleType': return v.k === 'tuple' ? v : fail('a tuple');
      case 'missing': return POISON;
    }
  }

  // ---- annotations ----

  recordAnnotations(list: Annotation[], path: string, ctx: Ctx, values?: string[]): void {
    for (const a of list) {
      const name = a.name.name;
      if (!KNOWN_ANNOTATIONS.has(name)) {
        const guess = closestName(name, KNOWN_ANNOTATIONS);
        this.error('DSC5022', `unknown annotation '@${name}'${guess ? `; did you mean '@${guess}'?` : ''}`, a.name.span, [{ message: `annotations are ${[...KNOWN_ANNOTATIONS].map((n) => `@${n}`).join(', ')}` }]);
        continue;
      }
      const args: AttrValue[] = [];
      const named: Record<string, AttrValue> = {};
      for (const arg of a.args) {
        // a bare word names a setting (`@quantize(int8)`) unless it is a visible name
        const word = arg.value.kind === 'name' && !this.lookup(ctx, arg.value.name) ? arg.value.name : undefined;
        const v: Val = word !== undefined ? { k: 'string', v: word } : this.evalExpr(arg.value, { ...ctx, path: undefined });
        const plain = plainValue(v);
        if (plain === undefined) {
          if (v.k !== 'poison') this.error('DSC5022', `@${name} takes compile-time values, got ${describe(v)}`, arg.value.span);
          continue;
        }
        if (arg.name) named[arg.name.name] = plain; else args.push(plain);
      }
      this.annotations.push({ path, name, args, named, ...(values ? { values } : {}) });
    }
  }

  // ---- choose ----

  choose(options: Val[], span: Span, ctx: Ctx): Val {
    if (ctx.path === undefined) return this.error('DSC5020', 'choose(...) names a search point by its member path, so it belongs in a member of a block, not in a method', span);
    let path = ctx.path;
    for (let i = 1; this.choosePaths.has(path); i++) path = `${ctx.path}.${i}`;
    this.choosePaths.add(path);
    const plain = options.map(plainValue);
    if (options.some((o) => o.k === 'poison')) return POISON;
    const bad = plain.findIndex((p) => p === undefined || Array.isArray(p));
    if (bad >= 0) return this.error('DSC5020', `choose options must be compile-time ints, floats, bools, strings or dtypes; option ${bad + 1} is ${describe(options[bad])}`, span);
    let index = 0;
    const wanted = this.choices.get(path);
    if (wanted !== undefined) {
      this.usedChoices.add(path);
      index = plain.findIndex((p) => String(p) === String(wanted));
      if (index < 0) return this.error('DSC5020', `search point '${path}' has no option ${wanted}; its options are ${plain.map(String).join(', ')}`, span);
    }
    this.annotations.push({ path, name: 'choose', args: plain as AttrValue[], named: { chosen: plain[index] as AttrValue } });
    return options[index];
  }

  // ---- expressions ----

  evalExpr(e: Expr, ctx: Ctx): Val {
    switch (e.kind) {
      case 'number': return e.isInteger ? intVal(e.value) : { k: 'float', v: e.value };
      case 'string': return { k: 'string', v: e.value };
      case 'bool': return { k: 'bool', v: e.value };
      case 'dtype': return { k: 'dtype', v: e.dtype };
      case 'name': return this.lookup(ctx, e.name) ?? this.unknownName(ctx, e.name, e.span);
      case 'list': return { k: 'list', items: e.elements.map((x, i) => this.evalExpr(x, { ...ctx, path: ctx.path !== undefined ? joinPath(ctx.path, i) : undefined })) };
      case 'tuple': return { k: 'tuple', items: e.elements.map((x) => this.evalExpr(x, { ...ctx, path: undefined })) };
      case 'unary': return this.unary(e.op, this.evalExpr(e.operand, { ...ctx, path: undefined }), e.span, ctx);
      case 'binary': {
        const left = this.evalExpr(e.left, { ...ctx, path: undefined });
        if ((e.op === '&&' || e.op === '||') && left.k === 'bool' && left.v === (e.op === '||')) return left;
        return this.binary(e.op, left, this.evalExpr(e.right, { ...ctx, path: undefined }), e.span, ctx);
      }
      case 'conditional': {
        const cond = this.evalExpr(e.cond, { ...ctx, path: undefined });
        // a member in condition position tests presence (`bias ? y + bias : y`); a computed tensor selects elementwise
        const isMember = e.cond.kind === 'name' && !ctx.frame?.locals.has(e.cond.name) && ctx.inst?.env.get(e.cond.name) === cond;
        if (cond.k === 'tensor' && !isMember) {
          const a = this.evalExpr(e.then, { ...ctx, path: undefined });
          const b = this.evalExpr(e.otherwise, { ...ctx, path: undefined });
          return this.tensorOp('where', [cond, a, b], {}, e.span, ctx);
        }
        const truth = this.truth(cond, e.cond.span);
        if (truth === undefined) return POISON;
        return this.evalExpr(truth ? e.then : e.otherwise, ctx);
      }
      case 'ifExpr': {
        const truth = this.truth(this.evalExpr(e.cond, { ...ctx, path: undefined }), e.cond.span);
        if (truth === undefined) return POISON;
        if (truth) return this.evalExpr(e.then, ctx);
        return e.otherwise ? this.evalExpr(e.otherwise, ctx) : { k: 'absent' };
      }
      case 'forExpr': {
        const items = this.iterate(e.iterable, ctx);
        if (!items) return POISON;
        return {
          k: 'list',
          items: items.map((item, i) => this.evalExpr(e.body, {
            ...ctx, scopes: [new Map([[e.variable.name, item]]), ...ctx.scopes], path: ctx.path !== undefined ? joinPath(ctx.path, i) : undefined,
          })),
        };
      }
      case 'choose': return this.choose(e.options.map((o) => this.evalExpr(o, { ...ctx, path: undefined })), e.span, ctx);
      case 'member': {
        const obj = this.evalExpr(e.object, { ...ctx, path: undefined });
        if (obj.k === 'poison') return obj;
        if (obj.k === 'instance') {
          const v = obj.inst.env.get(e.property.name);
          if (v) return v;
          const guess = closestName(e.property.name, obj.inst.env.keys());
          return this.error('DSC5011', `${obj.inst.decl.name.name} has no member '${e.property.name}'${guess ? `; did you mean '${guess}'?` : ''}`, e.property.span);
        }
        return this.error('DSC5024', `${describe(obj)} has no member '${e.property.name}'${obj.k === 'tensor' ? `; call it as a method: .${e.property.name}(...)` : ''}`, e.property.span);
      }
      case 'index': return this.index(e, ctx);
      case 'call': return this.call(e, ctx);
      case 'missing': return POISON;
    }
  }

  truth(v: Val, span: Span): boolean | undefined {
    switch (v.k) {
      case 'bool': return v.v;
      case 'absent': return false;
      case 'instance': return true;
      case 'tensor':
        if (v.v.producer === undefined && this.b.graph.params.includes(v.v)) return true;
        this.error('DSC5019', `this condition is a tensor (${typeToString(v.v.type)}); a condition must be known at compile time (use where(c, a, b) for elementwise choice)`, span);
        return undefined;
      case 'poison': return undefined;
      default:
        this.error('DSC5015', `a condition must be a bool, got ${describe(v)}`, span);
        return undefined;
    }
  }

  iterate(it: Expr | RangeNode, ctx: Ctx): Val[] | undefined {
    if (it.kind === 'range') {
      const a = this.evalExpr(it.start, { ...ctx, path: undefined });
      const b = this.evalExpr(it.end, { ...ctx, path: undefined });
      if (a.k === 'poison' || b.k === 'poison') return undefined;
      if (a.k !== 'int' || b.k !== 'int' || typeof a.v !== 'number' || typeof b.v !== 'number') {
        this.error('DSC5019', `a range needs compile-time ints, got ${describe(a)}..${describe(b)}`, it.span);
        return undefined;
      }
      const count = Math.max(0, b.v - a.v);
      this.unrolled += count;
      if (this.unrolled > UNROLL_LIMIT) {
        this.error('DSC5024', `the range ${a.v}..${b.v} takes the unrolled iterations of this model past ${UNROLL_LIMIT}`, it.span);
        return undefined;
      }
      return Array.from({ length: count }, (_, i) => intVal(a.v as number + i));
    }
    const v = this.evalExpr(it, { ...ctx, path: undefined });
    if (v.k === 'poison') return undefined;
    if (v.k === 'list' || v.k === 'tuple') return v.items;
    this.error('DSC5015', `for loops run over a range a..b or a list, got ${describe(v)}`, it.span);
    return undefined;
  }

  unary(op: '-' | '!', v: Val, span: Span, ctx: Ctx): Val {
    if (v.k === 'poison') return v;
    if (op === '-') {
      if (v.k === 'int') return intVal(dimNeg(v.v));
      if (v.k === 'float') return { k: 'float', v: -v.v };
      if (v.k === 'tensor') return this.tensorOp('neg', [v], {}, span, ctx);
    } else {
      if (v.k === 'bool') return { k: 'bool', v: !v.v };
      if (v.k === 'tensor') return this.tensorOp('not', [v], {}, span, ctx);
    }
    return this.error('DSC5024', `'${op}' does not apply to ${describe(v)}`, span);
  }

  binary(op: string, a: Val, b: Val, span: Span, ctx: Ctx): Val {
    if (a.k === 'poison' || b.k === 'poison') return POISON;
    if (a.k === 'tensor' || b.k === 'tensor') {
      if (op === '!=') return this.tensorOp('not', [this.tensorOp('equal', [a, b], {}, span, ctx)], {}, span, ctx);
      const tensor = (a.k === 'tensor' ? a : b) as { k: 'tensor'; v: Value };
      const attrs: Attrs = op === '%' ? { fmod: isFloat(tensor.v.type.dtype) ? 1 : 0 } : {};
      return this.tensorOp(BINARY_OPS[op], [a, b], attrs, span, ctx);
    }
    const folded = foldBinary(op, a, b);
    if (typeof folded === 'string') return this.error(folded.startsWith('cannot decide') ? 'DSC5019' : 'DSC5024', folded, span);
    return folded;
  }

  index(e: IndexExpr, ctx: Ctx): Val {
    const obj = this.evalExpr(e.object, { ...ctx, path: undefined });
    if (obj.k === 'poison') return obj;
    if (obj.k === 'list' || obj.k === 'tuple') {
      const item = e.indices[0];
      if (e.indices.length !== 1 || item.kind === 'slice' || item.kind === 'ellipsis') return this.error('DSC5024', 'a list takes one integer index', e.span);
      const i = this.evalExpr(item, { ...ctx, path: undefined });
      if (i.k === 'poison') return i;
      if (i.k !== 'int' || typeof i.v !== 'number') return this.error('DSC5015', `a list index must be a compile-time int, got ${describe(i)}`, item.span);
      const at = i.v < 0 ? obj.items.length + i.v : i.v;
      if (at < 0 || at >= obj.items.length) return this.error('DSC5024', `index ${i.v} is out of range for a list of ${obj.items.length}`, item.span);
      return obj.items[at];
    }
    if (obj.k !== 'tensor') return this.error('DSC5024', `${describe(obj)} cannot be indexed`, e.span);
    return this.indexTensor(obj.v, e, ctx);
  }

  /** `x[:, 0, 1:3]`: one slice over the sliced axes, a squeeze of the integer-indexed ones, a gather per tensor index. */
  private indexTensor(x: Value, e: IndexExpr, ctx: Ctx): Val {
    const rank = x.type.shape.length;
    const explicit = e.indices.filter((i) => i.kind !== 'ellipsis').length;
    if (explicit > rank) return this.error('DSC5024', `${explicit} indices for a tensor of rank ${rank} (${typeToString(x.type)})`, e.span);
    const starts: number[] = [], ends: number[] = [], axes: number[] = [], steps: number[] = [];
    const squeeze: number[] = [];
    const gathers: { axis: number; index: Val }[] = [];
    let axis = 0;
    const int = (ex: Expr | undefined, fallback: number): number | undefined => {
      if (!ex) return fallback;
      const v = this.evalExpr(ex, { ...ctx, path: undefined });
      if (v.k === 'int' && typeof v.v === 'number') return v.v;
      if (v.k !== 'poison') this.error('DSC5015', `a slice bound must be a compile-time int, got ${describe(v)}`, ex.span);
      return undefined;
    };
    for (const item of e.indices) {
      if (item.kind === 'ellipsis') { axis += rank - explicit; continue; }
      if (item.kind === 'slice') {
        const step = int(item.step, 1);
        if (step === undefined) return POISON;
        if (step === 0) return this.error('DSC5024', 'a slice step cannot be 0', item.span);
        const start = int(item.start, step > 0 ? 0 : -1);
        const end = int(item.end, step > 0 ? SLICE_END : -SLICE_END);
        if (start === undefined || end === undefined) return POISON;
        if (item.start || item.end || step !== 1) { starts.push(start); ends.push(end); axes.push(axis); steps.push(step); }
      } else {
        const v = this.evalExpr(item, { ...ctx, path: undefined });
        if (v.k === 'poison') return v;
        if (v.k === 'tensor') gathers.push({ axis, index: v });
        else if (v.k === 'int' && typeof v.v === 'number') {
          starts.push(v.v); ends.push(v.v === -1 ? SLICE_END : v.v + 1); axes.push(axis); steps.push(1); squeeze.push(axis);
        } else return this.error('DSC5015', `a tensor index must be a compile-time int, a slice or an integer tensor, got ${describe(v)}`, item.span);
      }
      axis++;
    }
    let out: Val = { k: 'tensor', v: x };
    if (axes.length > 0) out = this.tensorOp('slice', [out], { starts, ends, axes, steps }, e.span, ctx);
    if (squeeze.length > 0) out = this.tensorOp('squeeze', [out], { axes: squeeze }, e.span, ctx);
    // descending, so a gather's new index dims do not move the axes still to be gathered
    for (const g of gathers.sort((p, q) => q.axis - p.axis)) {
      const axis = g.axis - squeeze.filter((s) => s < g.axis).length;
      out = this.tensorOp('gather', [out, g.index], { axis }, e.span, ctx);
    }
    return out;
  }

  call(e: CallExpr, ctx: Ctx): Val {
    // x.sum(axis: 1) is sum(x, axis: 1)
    if (e.callee.kind === 'member') {
      const obj = this.evalExpr(e.callee.object, { ...ctx, path: undefined });
      if (obj.k === 'poison') return obj;
      if (obj.k === 'tensor') {
        const name = e.callee.property.name;
        if (!BUILTIN_NAMES.has(name)) return this.unknownName({ ...ctx, frame: undefined, inst: undefined, scopes: [] }, name, e.callee.property.span);
        return callBuiltin(this, name, [{ val: obj, span: e.callee.object.span }, ...this.evalArgs(e.args, ctx)], e.span, ctx);
      }
    }
    const callee = this.evalExpr(e.callee, { ...ctx, path: undefined });
    switch (callee.k) {
      case 'poison': return callee;
      case 'block':
        if (ctx.path === undefined) {
          return this.error('DSC5024', `block ${callee.decl.name.name} is instantiated as a member (\`name = ${callee.decl.name.name}(...)\`), not called inside a method`, e.callee.span);
        }
        if (callee.decl.isModel) return this.error('DSC5024', `model ${callee.decl.name.name} cannot be instantiated; only blocks can`, e.callee.span);
        return this.instantiate(callee.decl, callee.module, e.args, { ...ctx, path: undefined }, ctx.path, e.span);
      case 'instance':
        if (!ctx.frame) return this.error('DSC5024', `${describe(callee)} is called in a method, not in a member initializer`, e.span);
        return this.callMethod(callee.inst, this.evalArgs(e.args, ctx), e.span);
      case 'extern': return this.callExtern(callee.decl, this.evalArgs(e.args, ctx), e.span, ctx);
      case 'builtin': return callBuiltin(this, callee.name, this.evalArgs(e.args, ctx), e.span, ctx);
      case 'absent': {
        const name = e.callee.kind === 'name' ? e.callee.name : 'this member';
        return this.error('DSC5024', `'${name}' is absent (its \`if\` condition was false); test for it with \`${name} ? ${name}(...) : ...\``, e.callee.span);
      }
      default: return this.error('DSC5024', `${describe(callee)} cannot be called`, e.callee.span);
    }
  }

  evalArgs(args: Arg[], ctx: Ctx): ArgVal[] {
    return args.map((a) => ({ name: a.name?.name, nameSpan: a.name?.span, val: this.evalExpr(a.value, { ...ctx, path: ctx.path }), span: a.value.span }));
  }

  // ---- tensors ----

  /** A scalar constant of a dtype, shared by every use. */
  constant(dtype: DType, value: number): Value {
    const key = `${dtype}:${value}`;
    let v = this.constants.get(key);
    if (!v) {
      v = this.b.op1('constant', [], { value: Tensor.scalar(dtype, value) }, { name: 'const' });
      this.constants.set(key, v);
    }
    return v;
  }

  /**
   * Build an IR node from values: tensors as they are, compile-time numbers as scalar constants of the
   * first tensor operand's dtype, absent members as omitted optional inputs.
   */
  tensorOp(op: string, operands: Val[], attrs: Attrs, span: Span, ctx: Ctx, outputs = 1): Val {
    if (operands.some((o) => o.k === 'poison')) return POISON;
    if (!ctx.frame) return this.error('DSC5024', `tensor computation (${op}) belongs in a method such as forward, not in a member initializer`, span);
    const dtype = operands.find((o): o is { k: 'tensor'; v: Value } => o.k === 'tensor')?.v.type.dtype ?? 'f32';
    const inputs: (Value | null)[] = [];
    for (const o of operands) {
      if (o.k === 'tensor') inputs.push(o.v);
      else if (o.k === 'absent') inputs.push(null);
      else if ((o.k === 'int' && typeof o.v === 'number') || o.k === 'float') {
        const n = o.v as number;
        if (!isFloat(dtype) && !Number.isInteger(n)) return this.error('DSC5016', `${op}: the ${dtype} tensor operand cannot be combined with the non-integer ${n}`, span);
        inputs.push(this.constant(dtype, n));
      } else if (o.k === 'bool') inputs.push(this.constant('bool', o.v ? 1 : 0));
      else return this.error('DSC5024', `${op} needs tensors or numbers, got ${describe(o)}`, span);
    }
    const path = ctx.inst?.path ?? '';
    try {
      const outs = this.b.op(op, inputs, attrs, { outputs, names: Array.from({ length: outputs }, () => joinPath(path, op)), loc: `${span.file}:${span.line}:${span.col}` });
      return outs.length === 1 ? { k: 'tensor', v: outs[0] } : { k: 'tuple', items: outs.map((v) => ({ k: 'tensor', v }) as Val) };
    } catch (err) {
      if (!(err instanceof OpError)) throw err;
      return this.error('DSC5018', err.message, span, this.dimNotes(ctx, err.message));
    }
  }

  // ---- methods ----

  /** Unroll `inst.forward(args)` into the graph. */
  callMethod(inst: Instance, args: ArgVal[], span: Span): Val {
    const method = inst.decl.members.find((m): m is MethodDecl => m.kind === 'method' && m.name.name === 'forward');
    const name = `${inst.decl.name.name}.forward`;
    if (!method) return this.error('DSC5023', `block ${inst.decl.name.name} has no forward method`, span);
    if (args.some((a) => a.val.k === 'poison')) return POISON;
    const frame: Frame = { inst, method, locals: new Map(), dims: new Map() };
    const fctx: Ctx = { inst, module: inst.module, scopes: [], frame };
    const positional = args.filter((a) => !a.name);
    if (positional.length > method.params.length) {
      return this.error('DSC5014', `${name} takes ${method.params.length} argument${method.params.length === 1 ? '' : 's'} (${method.params.map((p) => p.name.name).join(', ')}), got ${positional.length}`, positional[method.params.length].span);
    }
    const given = new Map<string, ArgVal>();
    positional.forEach((a, i) => given.set(method.params[i].name.name, a));
    for (const a of args) {
      if (!a.name) continue;
      if (!method.params.some((p) => p.name.name === a.name)) {
        const guess = closestName(a.name, method.params.map((p) => p.name.name));
        return this.error('DSC5014', `${name} has no parameter '${a.name}'${guess ? `; did you mean '${guess}'?` : ''}`, a.nameSpan ?? a.span);
      }
      if (given.has(a.name)) return this.error('DSC5014', `${name}: parameter '${a.name}' is given twice`, a.span);
      given.set(a.name, a);
    }
    for (const p of method.params) {
      const a = given.get(p.name.name);
      let v: Val;
      let at: Span;
      if (a) { v = a.val; at = a.span; } else if (p.default) {
        v = this.evalExpr(p.default, fctx);
        at = p.default.span;
        if (p.type.kind === 'tensorType' && (v.k === 'int' || v.k === 'float') && typeof v.v === 'number') v = { k: 'tensor', v: this.constant(p.type.dtype, v.v) };
      } else return this.error('DSC5014', `${name} needs argument '${p.name.name}'`, span);
      if (p.type.kind === 'tensorType') {
        if (v.k !== 'tensor') return this.error('DSC5015', `argument '${p.name.name}' of ${name} must be a tensor ${this.typeText(p.type)}, got ${describe(v)}`, at);
        const problem = this.matchTensor(p.type, v.v.type, frame, `argument '${p.name.name}' of ${name}`, at);
        if (problem) return POISON;
      } else {
        v = this.checkCompileTime(v, p.type, { span: at }, `argument '${p.name.name}' of ${name}`, inst.module);
        if (v.k === 'poison') return v;
      }
      frame.locals.set(p.name.name, v);
    }
    this.execBlock(method.body, fctx);
    if (!frame.returned) return this.error('DSC5023', `${name} ends without returning a value`, method.name.span);
    if (frame.returned.k === 'poison') return POISON;
    if (method.returnType && !this.checkReturn(method.returnType, frame.returned, frame, fctx, name, span)) return POISON;
    return frame.returned;
  }

  /** Result names are graph output names: each may appear once and may not be one of the method's parameters. */
  private checkResultNames(method: MethodDecl): void {
    if (this.resultNamesChecked.has(method)) return;
    this.resultNamesChecked.add(method);
    const seen = new Map<string, Span>(method.params.map((p) => [p.name.name, p.name.span]));
    for (const result of method.resultNames ?? []) {
      if (!result) continue;
      const first = seen.get(result.name);
      if (first) {
        const isParam = method.params.some((p) => p.name.span === first);
        const message = isParam ? `result '${result.name}' of ${method.name.name} has the name of its parameter` : `${method.name.name} names two results '${result.name}'`;
        this.error('DSC5012', message, result.span, [{ message: isParam ? `the parameter '${result.name}'` : `the first '${result.name}'`, loc: spanLoc(first) }]);
      } else seen.set(result.name, result.span);
    }
  }

  private checkReturn(type: TypeNode, v: Val, frame: Frame, ctx: Ctx, name: string, callSpan: Span): boolean {
    const calledHere: Note[] = frame.inst.path === '' && !ctx.frame ? [] : [{ message: 'called here', loc: spanLoc(callSpan) }];
    if (type.kind === 'tupleType') {
      if (v.k !== 'tuple' || v.items.length !== type.elements.length) {
        this.error('DSC5015', `${name} returns ${describe(v)}, but its signature declares ${type.elements.length} results`, type.span, calledHere);
        return false;
      }
      return type.elements.every((t, i) => this.checkReturn(t, v.items[i], frame, ctx, name, callSpan));
    }
    if (type.kind === 'tensorType') {
      if (v.k !== 'tensor') { this.error('DSC5015', `${name} returns ${describe(v)}, but its signature declares ${this.typeText(type)}`, type.span, calledHere); return false; }
      return !this.matchTensor(type, v.v.type, frame, `the result of ${name}`, type.span, calledHere);
    }
    if (type.kind === 'namedType' && type.name === 'tensor' && v.k !== 'tensor') {
      this.error('DSC5015', `${name} returns ${describe(v)}, but its signature declares a tensor`, type.span, calledHere);
      return false;
    }
    return true;
  }

  dimText(d: DimNode): string {
    switch (d.kind) {
      case 'dimInt': return String(d.value);
      case 'dimName': return d.name;
      case 'dimWildcard': return '_';
      case 'dimVariadic': return `..${d.name}`;
      case 'dimBinary': {
        const wrap = (x: DimNode) => (x.kind === 'dimBinary' && (d.op === '*' || d.op === '/' || d.op === '%') && (x.op === '+' || x.op === '-') ? `(${this.dimText(x)})` : this.dimText(x));
        const right = d.right.kind === 'dimBinary' ? `(${this.dimText(d.right)})` : this.dimText(d.right);
        return `${wrap(d.left)} ${d.op} ${right}`;
      }
      case 'missing': return '?';
    }
  }

  typeText(t: TypeNode): string {
    switch (t.kind) {
      case 'tensorType': return `${t.dtype}[${t.shape.map((d) => this.dimText(d)).join(', ')}]`;
      case 'namedType': return t.name;
      case 'listType': return `[${this.typeText(t.element)}]`;
      case 'tupleType': return `(${t.elements.map((e) => this.typeText(e)).join(', ')})`;
      case 'missing': return '?';
    }
  }

  /** Evaluate a dim expression; undefined when it names something unbound. */
  evalDim(d: DimNode, resolve: (name: string) => Dim | undefined): Dim | undefined {
    switch (d.kind) {
      case 'dimInt': return d.value;
      case 'dimName': return resolve(d.name);
      case 'dimWildcard': case 'dimVariadic': case 'missing': return undefined;
      case 'dimBinary': {
        const a = this.evalDim(d.left, resolve);
        const b = this.evalDim(d.right, resolve);
        if (a === undefined || b === undefined) return undefined;
        if (d.op === '+') return dimAdd(a, b);
        if (d.op === '-') return dimSub(a, b);
        if (d.op === '*') return dimMul(a, b);
        if (typeof b !== 'number' || b <= 0) return undefined;
        return d.op === '/' ? dimFloorDiv(a, b) : dimMod(a, b);
      }
    }
  }

  /**
   * Match a tensor against a declared type, binding the signature's unbound dim names in `frame`.
   * Reports and returns true on a mismatch.
   */
  matchTensor(type: TypeNode & { kind: 'tensorType' }, actual: TensorType, frame: Frame, what: string, at: Span, extraNotes: Note[] = []): boolean {
    const fail = (why: string, notes: Note[] = []) => {
      this.error(why.startsWith('dtype') ? 'DSC5016' : 'DSC5017', `${what}: expected ${this.typeText(type)}, got ${typeToString(actual)}; ${why}`, at, [...notes, ...extraNotes]);
      return true;
    };
    if (type.dtype !== actual.dtype) return fail(`dtype ${actual.dtype} is not ${type.dtype}`);
    const variadic = type.shape.findIndex((d) => d.kind === 'dimVariadic');
    const fixed = type.shape.length - (variadic >= 0 ? 1 : 0);
    const rank = actual.shape.length;
    if (variadic < 0 ? rank !== fixed : rank < fixed) return fail(`rank ${rank} is not ${variadic < 0 ? fixed : `at least ${fixed}`}`);
    const extra = rank - fixed;
    const actualOf = (i: number) => actual.shape[variadic >= 0 && i > variadic ? i + extra - 1 : i];
    const resolve = (name: string): Dim | undefined => {
      const b = frame.dims.get(name);
      if (b && !b.variadic) return b.dims[0];
      const v = b ? undefined : frame.inst.env.get(name);
      return v?.k === 'int' ? v.v : undefined;
    };
    const noteOf = (name: string): Note[] => {
      const b = frame.dims.get(name);
      if (b) return [b.note];
      const v = frame.inst.env.get(name);
      return v ? [{ message: `${name} is ${v.k === 'int' ? dimToString(v.v) : describe(v)} in this ${frame.inst.decl.name.name}`, loc: spanLoc(frame.inst.span) }] : [];
    };
    const bind = (name: string, dims: Dim[], isVariadic: boolean) =>
      frame.dims.set(name, { dims, variadic: isVariadic, note: { message: `${name} was bound to ${isVariadic ? `[${dims.map(dimToString).join(', ')}]` : dimToString(dims[0])} here`, loc: spanLoc(at) } });
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < type.shape.length; i++) {
        const d = type.shape[i];
        if (d.kind === 'dimVariadic') {
          if (pass > 0) continue;
          const got = actual.shape.slice(i, i + extra);
          const b = frame.dims.get(d.name);
          if (b) {
            if (!b.variadic || b.dims.length !== got.length || b.dims.some((x, j) => !dimEq(x, got[j]))) return fail(`dims ${i}..${i + extra - 1} are [${got.map(dimToString).join(', ')}], not ..${d.name}`, [b.note]);
          } else bind(d.name, got, true);
          continue;
        }
        const a = actualOf(i);
        if (d.kind === 'dimWildcard' || d.kind === 'missing') continue;
        if (d.kind === 'dimBinary' && pass === 0) continue;
        if (d.kind === 'dimName') {
          if (pass > 0) continue;
          const want = resolve(d.name);
          if (want === undefined) { bind(d.name, [a], false); continue; }
          if (!dimEq(want, a)) return fail(`dim ${i} is ${dimToString(a)}, not ${d.name} = ${dimToString(want)}`, noteOf(d.name));
          continue;
        }
        const want = this.evalDim(d, resolve);
        if (want === undefined) continue;
        if (!dimEq(want, a)) {
          const names = new Set<string>();
          collectDimNames(d, names);
          const expected = d.kind === 'dimInt' ? String(d.value) : `${this.dimText(d)} = ${dimToString(want)}`;
          return fail(`dim ${i} is ${dimToString(a)}, not ${expected}`, [...names].flatMap(noteOf));
        }
      }
    }
    return false;
  }

  // ---- statements ----

  execBlock(stmts: Stmt[], ctx: Ctx): void {
    const frame = ctx.frame!;
    for (const s of stmts) {
      if (frame.returned) return;
      const before = this.b.graph.nodes.length;
      this.exec(s, ctx);
      if (s.annotations.length > 0) {
        const target = s.kind === 'let' ? s.names[0].name : s.kind === 'assign' ? s.target.name : s.kind;
        const values = this.b.graph.nodes.slice(before).flatMap((n) => n.outputs.map((o) => o.name));
        this.recordAnnotations(s.annotations, joinPath(frame.inst.path, target), ctx, values);
      }
    }
  }

  private exec(s: Stmt, ctx: Ctx): void {
    const frame = ctx.frame!;
    switch (s.kind) {
      case 'let': {
        let v = this.evalExpr(s.value, ctx);
        if (s.destructure) {
          if (v.k !== 'poison' && (v.k !== 'tuple' && v.k !== 'list' || v.items.length !== s.names.length)) {
            this.error('DSC5015', `cannot unpack ${describe(v)} into ${s.names.length} names`, s.value.span);
            v = POISON;
          }
          s.names.forEach((n, i) => frame.locals.set(n.name, v.k === 'tuple' || v.k === 'list' ? v.items[i] : POISON));
          return;
        }
        if (s.type && v.k !== 'poison') {
          if (s.type.kind === 'tensorType') {
            if (v.k !== 'tensor') v = this.error('DSC5015', `'${s.names[0].name}' is declared ${this.typeText(s.type)} but its value is ${describe(v)}`, s.value.span);
            else if (this.matchTensor(s.type, v.v.type, frame, `'${s.names[0].name}'`, s.value.span)) v = POISON;
          } else v = this.checkCompileTime(v, s.type, s.value, `'${s.names[0].name}'`, ctx.module);
        }
        frame.locals.set(s.names[0].name, v);
        return;
      }
      case 'assign': {
        const v = this.evalExpr(s.value, ctx);
        if (!frame.locals.has(s.target.name)) {
          const known = this.lookup(ctx, s.target.name);
          if (known) this.error('DSC5024', `'${s.target.name}' is not a local variable of this method and cannot be assigned; declare a new one with let`, s.target.span);
          else this.error('DSC5011', `'${s.target.name}' is not declared; declare it with \`let ${s.target.name} = ...\``, s.target.span);
          return;
        }
        frame.locals.set(s.target.name, v);
        return;
      }
      case 'return': frame.returned = this.evalExpr(s.value, ctx); return;
      case 'if': {
        const truth = this.truth(this.evalExpr(s.cond, ctx), s.cond.span);
        if (truth === undefined) return;
        if (truth) this.execBlock(s.then, ctx);
        else if (s.otherwise) this.execBlock(s.otherwise, ctx);
        return;
      }
      case 'for': {
        const items = this.iterate(s.iterable, ctx);
        if (!items) return;
        const previous = frame.locals.get(s.variable.name);
        for (const item of items) {
          frame.locals.set(s.variable.name, item);
          this.execBlock(s.body, ctx);
          if (frame.returned) return;
        }
        if (previous) frame.locals.set(s.variable.name, previous); else frame.locals.delete(s.variable.name);
        return;
      }
    }
  }

  // ---- extern ops ----

  private callExtern(decl: import('./ast.js').ExternOpDecl, args: ArgVal[], span: Span, ctx: Ctx): Val {
    if (!ctx.frame) return this.error('DSC5024', `extern op ${decl.name.name} is called in a method, not in a member initializer`, span);
    if (args.some((a) => a.val.k === 'poison')) return POISON;
    const inst: Instance = { ...ctx.frame.inst, env: new Map() };
    const frame: Frame = { inst, method: { kind: 'method', name: decl.name, params: decl.params, returnType: decl.returnType, body: [], annotations: [], span: decl.span }, locals: new Map(), dims: new Map() };
    const positional = args.filter((a) => !a.name);
    if (positional.length > decl.params.length) return this.error('DSC5014', `extern op ${decl.name.name} takes ${decl.params.length} arguments, got ${positional.length}`, positional[decl.params.length].span);
    for (const [i, p] of decl.params.entries()) {
      const a = args.find((x) => x.name === p.name.name) ?? positional[i];
      if (!a) { if (p.default) continue; return this.error('DSC5014', `extern op ${decl.name.name} needs argument '${p.name.name}'`, span); }
      if (p.type.kind === 'tensorType') {
        if (a.val.k !== 'tensor') return this.error('DSC5015', `argument '${p.name.name}' of ${decl.name.name} must be a tensor, got ${describe(a.val)}`, a.span);
        if (this.matchTensor(p.type, a.val.v.type, frame, `argument '${p.name.name}' of ${decl.name.name}`, a.span)) return POISON;
      } else if (this.checkCompileTime(a.val, p.type, a, `argument '${p.name.name}' of ${decl.name.name}`, ctx.module).k === 'poison') return POISON;
    }
    return this.error('DSC5021', `extern op ${decl.name.name}: extern op kernels are not available for the interpreter yet`, span, [{ message: `${decl.name.name} is declared here`, loc: spanLoc(decl.name.span) }]);
  }

  // ---- the model ----

  /** Graph inputs from the model's forward signature, then its body; returns the result. */
  lowerModel(inst: Instance): Val {
    const method = inst.decl.members.find((m): m is MethodDecl => m.kind === 'method' && m.name.name === 'forward');
    if (!method) return this.error('DSC5023', `model ${inst.decl.name.name} has no forward method`, inst.decl.name.span);
    const frame: Frame = { inst, method, locals: new Map(), dims: new Map() };
    const ctx: Ctx = { inst, module: inst.module, scopes: [], frame };
    const paramNames = new Set(this.b.graph.params.map((p) => p.name));
    let ok = true;
    for (const p of method.params) {
      if (p.type.kind !== 'tensorType') { this.error('DSC5015', `model input '${p.name.name}' must have a tensor type such as f32[N, 3, 224, 224]`, p.type.span); ok = false; continue; }
      if (paramNames.has(p.name.name)) { this.error('DSC5012', `model input '${p.name.name}' has the name of a parameter`, p.name.span); ok = false; continue; }
      const shape: Dim[] = [];
      for (const d of p.type.shape) {
        const v = d.kind === 'dimName' && !inst.env.has(d.name) ? sym(d.name) : this.evalDim(d, (n) => { const x = inst.env.get(n); return x?.k === 'int' ? x.v : sym(n); });
        if (v === undefined) { this.error('DSC5015', `model input '${p.name.name}': dim ${this.dimText(d)} must be a size or a name`, d.span); ok = false; break; }
        shape.push(v);
      }
      if (shape.length !== p.type.shape.length) continue;
      const input = this.b.input(p.name.name, { dtype: p.type.dtype, shape });
      frame.locals.set(p.name.name, { k: 'tensor', v: input });
      p.type.shape.forEach((d, i) => {
        if (d.kind === 'dimName' && !frame.dims.has(d.name) && !inst.env.has(d.name))
          frame.dims.set(d.name, { dims: [shape[i]], variadic: false, note: { message: `${d.name} is a dim of model input '${p.name.name}'`, loc: spanLoc(d.span) } });
      });
    }
    if (!ok) return POISON;
    this.execBlock(method.body, ctx);
    if (!frame.returned) return this.error('DSC5023', `${inst.decl.name.name}.forward ends without returning a value`, method.name.span);
    if (frame.returned.k === 'poison') return POISON;
    if (method.returnType && !this.checkReturn(method.returnType, frame.returned, frame, { ...ctx, frame: undefined }, `${inst.decl.name.name}.forward`, method.span)) return POISON;
    const clash = method.resultNames?.find((r) => r && paramNames.has(r.name));
    if (clash) return this.error('DSC5012', `model output '${clash.name}' has the name of a parameter`, clash.span);
    return frame.returned;
  }
}

function collectDimNames(d: DimNode, out: Set<string>): void {
  if (d.kind === 'dimName') out.add(d.name);
  else if (d.kind === 'dimBinary') { collectDimNames(d.left, out); collectDimNames(d.right, out); }
}

/** A compile-time value as plain data for annotations and search points; undefined for others. */
export function plainValue(v: Val): AttrValue | undefined {
  switch (v.k) {
    case 'int': return typeof v.v === 'number' ? v.v : undefined;
    case 'float': case 'bool': case 'string': case 'dtype': return v.v;
    case 'list': {
      const items = v.items.map(plainValue);
      if (items.every((i): i is number => typeof i === 'number')) return items;
      if (items.every((i): i is string => typeof i === 'string')) return items;
      return undefined;
    }
    default: return undefined;
  }
}

const num = (v: Val): number | undefined => (v.k === 'float' ? v.v : v.k === 'int' && typeof v.v === 'number' ? v.v : undefined);

/** Compile-time arithmetic and comparison; a string is the error message. */
export function foldBinary(op: string, a: Val, b: Val): Val | string {
  const bad = () => `'${op}' does not apply to ${describe(a)} and ${describe(b)}`;
  if (a.k === 'int' && b.k === 'int') {
    const x = a.v, y = b.v;
    switch (op) {
      case '+': return intVal(dimAdd(x, y));
      case '-': return intVal(dimSub(x, y));
      case '*': return intVal(dimMul(x, y));
      case '/': case '%':
        if (typeof y !== 'number') return `cannot divide by the symbolic ${dimToString(y)}`;
        if (y === 0) return 'division by zero';
        if (y < 0) return `division by the negative ${y}`;
        return intVal(op === '/' ? dimFloorDiv(x, y) : dimMod(x, y));
      case '**':
        if (typeof x === 'number' && typeof y === 'number' && y >= 0) return intVal(x ** y);
        break;
      case '==': case '!=': {
        const diff = dimSub(x, y);
        if (typeof diff !== 'number') return `cannot decide ${dimToString(x)} ${op} ${dimToString(y)} at compile time`;
        return { k: 'bool', v: (diff === 0) === (op === '==') };
      }
      case '<': case '<=': case '>': case '>=': {
        if (typeof x !== 'number' || typeof y !== 'number') return `cannot decide ${dimToString(x)} ${op} ${dimToString(y)} at compile time`;
        return { k: 'bool', v: compare(op, x, y) };
      }
    }
  }
  const x = num(a), y = num(b);
  if (x !== undefined && y !== undefined) {
    switch (op) {
      case '+': return { k: 'float', v: x + y };
      case '-': return { k: 'float', v: x - y };
      case '*': return { k: 'float', v: x * y };
      case '/': return y === 0 ? 'division by zero' : { k: 'float', v: x / y };
      case '%': return y === 0 ? 'division by zero' : { k: 'float', v: x - Math.floor(x / y) * y };
      case '**': return { k: 'float', v: x ** y };
      case '==': case '!=': return { k: 'bool', v: (x === y) === (op === '==') };
      case '<': case '<=': case '>': case '>=': return { k: 'bool', v: compare(op, x, y) };
    }
  }
  if ((a.k === 'bool' && b.k === 'bool') || (a.k === 'string' && b.k === 'string') || (a.k === 'dtype' && b.k === 'dtype')) {
    if (op === '==' || op === '!=') return { k: 'bool', v: (a.v === b.v) === (op === '==') };
    if (a.k === 'bool' && (op === '&&' || op === '||')) return { k: 'bool', v: op === '&&' ? a.v && (b.v as boolean) : a.v || (b.v as boolean) };
    if (a.k === 'string' && op === '+') return { k: 'string', v: a.v + (b.v as string) };
  }
  if (a.k === 'absent' || b.k === 'absent') return `'${op}' does not apply to an absent member`;
  return bad();
}

function compare(op: string, x: number, y: number): boolean {
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}
