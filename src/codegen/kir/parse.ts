// The kernel IR's text form, parser half: reads what print.ts writes (grammar in docs/CODEGEN.md).
// A malformed text throws an Error naming the line and column.
import { DTYPE_INFO, DType, isDType } from '../../ir/dtype.js';
import { Tensor, sizeOf } from '../../ir/tensor.js';
import { ManifestTensor, ModelManifest } from '../abi.js';
import {
  BinOp, BufferStorage, Expr, GemmEpilogue, GemmStmt, INTRINSICS, Intrinsic, Kernel, KernelCall, KernelParam, KernelProgram,
  LoopBinding, MatrixOperand, ProgramBuffer, ScalarType, Schedule, Stmt, UnOp,
} from '../kernel-ir.js';
import { INFIX, RESERVED, UNARY_TEXT, VALUE_WORDS, inferredType } from './print.js';

interface Token {
  kind: 'num' | 'id' | 'str' | 'punct' | 'comment' | 'eof';
  text: string;
  start: number;
  end: number;
}

const PUNCT = ['==', '!=', '<=', '>=', '<<', '>>', '&&', '||', '(', ')', '[', ']', '{', '}', ',', ';', ':', '=', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '!', '~', '@'];
const NUMBER = /0x[0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?n?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_.]*/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const at = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    return re.exec(text)?.[0];
  };
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (text.startsWith('//', i)) {
      let end = text.indexOf('\n', i);
      if (end < 0) end = text.length;
      out.push({ kind: 'comment', text: text.slice(i + 2, end), start: i, end });
      i = end;
      continue;
    }
    const m = at(NUMBER) ?? undefined;
    if (m && /[0-9]/.test(c)) { out.push({ kind: 'num', text: m, start: i, end: i + m.length }); i += m.length; continue; }
    const id = at(IDENT);
    if (id) { out.push({ kind: 'id', text: id, start: i, end: i + id.length }); i += id.length; continue; }
    const str = c === '"' ? at(STRING) : undefined;
    if (str) { out.push({ kind: 'str', text: JSON.parse(str) as string, start: i, end: i + str.length }); i += str.length; continue; }
    const p = PUNCT.find((q) => text.startsWith(q, i));
    if (!p) throw new Error(`kernel IR text ${position(text, i)}: unexpected character '${c}'`);
    out.push({ kind: 'punct', text: p, start: i, end: i + p.length });
    i += p.length;
  }
  out.push({ kind: 'eof', text: '', start: text.length, end: text.length });
  return out;
}

function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

const BY_INFIX = new Map(Object.entries(INFIX).map(([op, s]) => [s!.text, { op: op as BinOp, prec: s!.prec }]));
const BY_UNARY = new Map<string, UnOp>(Object.entries(UNARY_TEXT).map(([op, text]) => [text, op as UnOp]));
const INTRINSIC_SET: ReadonlySet<string> = new Set(INTRINSICS);
const LEAF_NUMBER = (t: Token) => t.kind === 'num' || (t.kind === 'id' && t.text === 'inf');

class Parser {
  private toks: Token[];
  private i = 0;

  constructor(private readonly text: string) {
    this.toks = tokenize(text);
  }

  // ------------------------------------------------------------ tokens

  private get tok(): Token { return this.toks[this.i]; }
  private peek(n = 1): Token { return this.toks[Math.min(this.i + n, this.toks.length - 1)]; }
  private fail(msg: string, t: Token = this.tok): never {
    throw new Error(`kernel IR text ${position(this.text, t.start)}: ${msg}, found ${t.kind === 'eof' ? 'the end' : `'${t.text}'`}`);
  }
  private isPunct(p: string): boolean { return this.tok.kind === 'punct' && this.tok.text === p; }
  /** a bare word (a quoted string is a name, never a keyword) */
  private isWord(w: string): boolean { return this.tok.kind === 'id' && this.tok.text === w; }
  private eatPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.i++;
    return true;
  }
  private eatWord(w: string): boolean {
    if (!this.isWord(w)) return false;
    this.i++;
    return true;
  }
  private punct(p: string): void { if (!this.eatPunct(p)) this.fail(`expected '${p}'`); }
  private word(w: string): void { if (!this.eatWord(w)) this.fail(`expected '${w}'`); }

  private name(): string {
    const t = this.tok;
    if (t.kind === 'str' || (t.kind === 'id' && !RESERVED.has(t.text))) { this.i++; return t.text; }
    return this.fail('expected a name');
  }
  /** a record key or attribute name: any word, reserved or not */
  private key(): string {
    const t = this.tok;
    if (t.kind !== 'str' && t.kind !== 'id') this.fail('expected a key');
    this.i++;
    return t.text;
  }
  private string(): string {
    const t = this.tok;
    if (t.kind !== 'str') this.fail('expected a string');
    this.i++;
    return t.text;
  }
  private integer(): number {
    const neg = this.eatPunct('-');
    const t = this.tok;
    if (t.kind !== 'num' || !/^[0-9]+$/.test(t.text)) this.fail('expected an integer');
    this.i++;
    return neg ? -Number(t.text) : Number(t.text);
  }
  /** a number or bigint literal with its sign: `-5`, `1.5e-7`, `nan`, `-inf`, `3n` */
  private scalar(): number | bigint {
    const neg = this.eatPunct('-');
    const t = this.tok;
    if (t.kind === 'id' && (t.text === 'nan' || t.text === 'inf')) {
      this.i++;
      const v = t.text === 'nan' ? NaN : Infinity;
      return neg ? -v : v;
    }
    if (t.kind !== 'num') this.fail('expected a number');
    this.i++;
    if (t.text.endsWith('n')) {
      const v = BigInt(t.text.slice(0, -1));
      return neg ? -v : v;
    }
    const v = Number(t.text);
    return neg ? -v : v;
  }
  private number(): number {
    const v = this.scalar();
    if (typeof v === 'bigint') this.fail('expected a number, not a bigint');
    return v;
  }
  private scalarType(): ScalarType {
    const t = this.tok;
    if (t.kind === 'id' && (t.text === 'index' || isDType(t.text))) { this.i++; return t.text as ScalarType; }
    return this.fail('expected a type');
  }
  private dtype(): DType {
    const t = this.tok;
    if (t.kind === 'id' && isDType(t.text)) { this.i++; return t.text; }
    return this.fail('expected a dtype');
  }
  private list<T>(open: string, close: string, item: () => T, sep = ','): T[] {
    this.punct(open);
    const out: T[] = [];
    if (this.eatPunct(close)) return out;
    do out.push(item()); while (this.eatPunct(sep));
    this.punct(close);
    return out;
  }

  // ------------------------------------------------------------ expressions

  expr(): Expr {
    return this.binary(1);
  }

  private binary(min: number): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.tok;
      const infix = t.kind === 'punct' ? BY_INFIX.get(t.text) : undefined;
      if (!infix || infix.prec < min) return left;
      this.i++;
      const right = this.binary(infix.prec + 1);
      left = this.typed({ k: 'binary', op: infix.op, a: left, b: right, type: 'index' });
    }
  }

  private unary(): Expr {
    const t = this.tok;
    const next = this.peek();
    if (t.kind === 'punct' && t.text === '-' && next.start === t.end && LEAF_NUMBER(next)) return this.postfix(this.literal());
    const op = t.kind === 'punct' ? BY_UNARY.get(t.text) : undefined;
    if (!op) return this.postfix(this.primary());
    this.i++;
    return this.typed({ k: 'unary', op, a: this.unary(), type: 'index' });
  }

  /** the node's inferred type; an expression that infers none must be written with `:type` */
  private typed(e: Expr): Expr {
    const t = inferredType(e);
    return t ? { ...e, type: t } : e;
  }

  private postfix(e: Expr): Expr {
    if (!this.eatPunct(':')) {
      if (e.k === 'load' || (e.k === 'call' && e.args.length === 0)) this.fail(`the ${e.k} needs its type written (':type')`);
      return e;
    }
    return { ...e, type: this.scalarType() };
  }

  private literal(): Expr {
    return this.typed({ k: 'const', type: 'index', value: this.scalar() });
  }

  private primary(): Expr {
    const t = this.tok;
    if (t.kind === 'num' || (t.kind === 'id' && (t.text === 'nan' || t.text === 'inf'))) return this.literal();
    if (this.eatPunct('(')) {
      const e = this.expr();
      this.punct(')');
      return e;
    }
    if (t.kind === 'id' && this.peek().kind === 'punct' && this.peek().text === '(') {
      const word = t.text;
      if (word === 'index' || isDType(word)) {
        this.i++;
        const [a] = this.args(1, word);
        return { k: 'cast', a, type: word as ScalarType };
      }
      if (word === 'min' || word === 'max') {
        this.i++;
        const [a, b] = this.args(2, word);
        return { k: 'binary', op: word, a, b, type: a.type };
      }
      if (word === 'select') {
        this.i++;
        const [cond, th, el] = this.args(3, word);
        return { k: 'select', cond, then: th, else: el, type: th.type };
      }
      if (INTRINSIC_SET.has(word)) {
        this.i++;
        const args = this.list('(', ')', () => this.expr());
        return this.typed({ k: 'call', fn: word as Intrinsic, args, type: 'index' });
      }
      this.fail('expected a cast, min, max, select or an intrinsic');
    }
    const name = this.name();
    if (!this.isPunct('[')) return { k: 'var', name, type: 'index' };
    this.i++;
    const index = this.expr();
    const mask = this.eatWord('if') ? this.expr() : undefined;
    const other = this.eatWord('else') ? this.expr() : undefined;
    this.punct(']');
    return { k: 'load', buf: name, index, type: 'index', ...(mask ? { mask } : {}), ...(other ? { other } : {}) };
  }

  private args(count: number, what: string): Expr[] {
    const start = this.tok;
    const args = this.list('(', ')', () => this.expr());
    if (args.length !== count) this.fail(`${what} takes ${count} operand${count > 1 ? 's' : ''}`, start);
    return args;
  }

  // ------------------------------------------------------------ attribute values

  value(): unknown {
    const t = this.tok;
    if (t.kind === 'str') { this.i++; return t.text; }
    if (t.kind === 'id') {
      if (t.text === 'true' || t.text === 'false') { this.i++; return t.text === 'true'; }
      if (t.text === 'null') { this.i++; return null; }
      if (!VALUE_WORDS.has(t.text)) { this.i++; return t.text; }
    }
    if (this.isPunct('[')) return this.list('[', ']', () => this.value());
    if (this.isPunct('{')) return this.record();
    if (this.eatPunct('(')) {
      const e = this.expr();
      this.punct(')');
      return e;
    }
    return this.scalar();
  }

  private record(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.list('{', '}', () => {
      const key = this.key();
      this.punct('=');
      out[key] = this.value();
    });
    return out;
  }

  private attr(into: Record<string, unknown>): void {
    this.word('attr');
    const key = this.key();
    this.punct('=');
    into[key] = this.value();
  }

  // ------------------------------------------------------------ statements

  private block(end?: () => boolean): Stmt[] {
    this.punct('{');
    const out: Stmt[] = [];
    while (!this.isPunct('}') && !end?.()) out.push(this.stmt());
    if (!end) this.punct('}');
    return out;
  }

  stmt(): Stmt {
    const t = this.tok;
    if (t.kind === 'comment') {
      this.i++;
      return { k: 'comment', text: t.text.startsWith(' ') ? t.text.slice(1) : t.text };
    }
    if (t.kind === 'id') {
      switch (t.text) {
        case 'for': {
          this.i++;
          const v = this.name();
          this.word('in');
          const start = this.expr();
          this.word('to');
          const end = this.expr();
          // any word before the body is the binding, so bindings added to the IR read without changes here
          let binding = 'serial';
          if (this.tok.kind === 'id') binding = this.toks[this.i++].text;
          return { k: 'for', var: v, start, end, body: this.block(), binding: binding as LoopBinding };
        }
        case 'let': case 'var': {
          this.i++;
          const name = this.name();
          this.punct(':');
          const type = this.scalarType();
          this.punct('=');
          return { k: 'let', name, type, value: this.expr(), mutable: t.text === 'var' };
        }
        case 'if': {
          this.i++;
          const cond = this.expr();
          const then = this.block();
          return { k: 'if', cond, then, else: this.eatWord('else') ? this.block() : [] };
        }
        case 'alloc': {
          this.i++;
          const scope = this.eatWord('local') ? 'local' : this.eatWord('shared') ? 'shared' : this.fail("expected 'local' or 'shared'");
          const name = this.name();
          this.punct(':');
          const dtype = this.dtype();
          this.punct('[');
          const size = this.expr();
          this.punct(']');
          return { k: 'alloc', name, dtype, size, scope };
        }
        case 'barrier': this.i++; return { k: 'barrier' };
        case 'check': {
          this.i++;
          const cond = this.expr();
          this.punct(',');
          const code = this.number();
          this.punct(',');
          return { k: 'check', cond, code, message: this.string() };
        }
        case 'comment': this.i++; return { k: 'comment', text: this.string() };
        case 'gemm': this.i++; return this.gemm();
      }
    }
    const name = this.name();
    if (this.eatPunct('=')) return { k: 'assign', name, value: this.expr() };
    this.punct('[');
    const index = this.expr();
    const mask = this.eatWord('if') ? this.expr() : undefined;
    this.punct(']');
    this.punct('=');
    return { k: 'store', buf: name, index, value: this.expr(), ...(mask ? { mask } : {}) };
  }

  private matrix(): MatrixOperand {
    const buf = this.name();
    this.punct('[');
    const offset = this.expr();
    this.punct(';');
    const rowStride = this.expr();
    this.punct(',');
    const colStride = this.expr();
    this.punct(']');
    return { buf, offset, rowStride, colStride };
  }

  private gemm(): GemmStmt {
    const field = (key: string) => { this.word(key); this.punct('='); };
    field('m'); const m = this.expr(); this.punct(',');
    field('n'); const n = this.expr(); this.punct(',');
    field('k'); const kdim = this.expr(); this.punct(',');
    field('alpha'); const alpha = this.number(); this.punct(',');
    field('parallel');
    const parallel = this.eatWord('true') ? true : this.eatWord('false') ? false : this.fail('expected true or false');
    this.punct('{');
    field('a');
    const a = this.matrix();
    field('b');
    let b: GemmStmt['b'];
    if (this.eatWord('im2col')) {
      const buf = this.name();
      this.punct('[');
      const offset = this.expr();
      this.punct(']');
      b = { buf, offset, conv: this.record() as never };
    } else b = this.matrix();
    field('c');
    const cbuf = this.name();
    this.punct('[');
    const coffset = this.expr();
    this.punct(';');
    this.word('ld');
    const ld = this.expr();
    this.punct(']');
    const st: GemmStmt = { k: 'gemm', m, n, kdim, a, b, c: { buf: cbuf, offset: coffset, ld }, alpha, parallel };
    if (this.isWord('bias')) {
      field('bias');
      const bias = this.matrix();
      this.word('beta');
      st.bias = { ...bias, beta: this.number() };
    }
    if (this.eatWord('epilogue')) {
      const [row, col, value] = this.list('(', ')', () => this.name());
      const body = this.block(() => this.isWord('yield'));
      this.word('yield');
      const result = this.expr();
      this.punct('}');
      st.epilogue = { row, col, value, body, result } satisfies GemmEpilogue;
    }
    while (this.isWord('attr')) this.attr(st as unknown as Record<string, unknown>);
    this.punct('}');
    return st;
  }

  // ------------------------------------------------------------ kernels and programs

  kernel(): Kernel {
    this.word('kernel');
    this.punct('@');
    const name = this.name();
    this.punct('(');
    const params: KernelParam[] = [];
    const scalars: string[] = [];
    if (!this.isPunct(')') && !this.isPunct(';')) {
      do {
        const access = this.eatWord('read') ? 'read' : this.eatWord('write') ? 'write' : this.fail("expected 'read' or 'write'");
        const pname = this.name();
        this.punct(':');
        params.push({ name: pname, dtype: this.dtype(), access });
      } while (this.eatPunct(','));
    }
    if (this.eatPunct(';')) do scalars.push(this.name()); while (this.eatPunct(','));
    this.punct(')');
    this.punct('{');
    const kernel = { name, source: [] as string[], params, scalars } as Kernel;
    while (this.eatWord('source')) kernel.source.push(this.string());
    while (this.isWord('attr')) this.attr(kernel as unknown as Record<string, unknown>);
    this.word('schedule');
    kernel.schedule = this.value() as Schedule;
    kernel.body = [];
    while (!this.eatPunct('}')) kernel.body.push(this.stmt());
    return kernel;
  }

  private tensorData(dtype: DType, shape: number[]): Tensor {
    const data = new DTYPE_INFO[dtype].array(sizeOf(shape));
    const values = this.list('[', ']', () => {
      if (dtype === 'f16' || dtype === 'bf16') {
        const t = this.tok;
        if (t.kind !== 'num' || !t.text.startsWith('0x')) this.fail('expected the bits of a 16-bit float (0x...)');
        this.i++;
        return parseInt(t.text.slice(2), 16);
      }
      if (DTYPE_INFO[dtype].bigint) {
        const neg = this.eatPunct('-');
        const t = this.tok;
        if (t.kind !== 'num') this.fail('expected an integer');
        this.i++;
        return neg ? -BigInt(t.text) : BigInt(t.text);
      }
      return this.number();
    });
    if (values.length !== data.length) this.fail(`a constant of shape [${shape.join(', ')}] needs ${data.length} values, got ${values.length}`);
    values.forEach((v, i) => { (data as unknown as (number | bigint)[])[i] = v; });
    return new Tensor(dtype, shape, data);
  }

  private storage(): BufferStorage {
    const t = this.tok;
    for (const k of ['param', 'input', 'output'] as const) if (this.eatWord(k)) return { k, index: this.integer() };
    if (this.eatWord('workspace')) return { k: 'workspace', offset: this.expr() };
    if (this.eatWord('alias')) return { k: 'alias', of: this.name() };
    if (this.eatWord('constant')) {
      const dtype = this.dtype();
      const shape = this.list('[', ']', () => this.integer());
      return { k: 'constant', tensor: this.tensorData(dtype, shape) };
    }
    return this.fail('expected param, input, output, workspace, alias or constant', t);
  }

  private manifest(name: string): ModelManifest {
    const m: ModelManifest = { name, inputs: [], outputs: [], params: [], symbols: [] };
    this.punct('{');
    const dim = () => {
      const t = this.tok;
      if (t.kind === 'num' || t.kind === 'str' || t.kind === 'id') { this.i++; return t.text; }
      return this.fail('expected a dim');
    };
    while (!this.eatPunct('}')) {
      if (this.isWord('attr')) { this.attr(m as unknown as Record<string, unknown>); continue; }
      const kind = this.tok.text;
      if (this.eatWord('symbol')) {
        const sname = this.name();
        this.punct('=');
        this.word('input');
        const input = this.integer();
        this.word('axis');
        m.symbols.push({ name: sname, from: { input, axis: this.integer() } });
        continue;
      }
      const list = kind === 'param' ? m.params : kind === 'input' ? m.inputs : kind === 'output' ? m.outputs : this.fail('expected param, input, output or symbol');
      this.i++;
      const tname = this.name();
      this.punct(':');
      const dtype = this.dtype();
      list.push({ name: tname, dtype, shape: this.list('[', ']', dim) } satisfies ManifestTensor);
    }
    return m;
  }

  program(): KernelProgram {
    this.word('program');
    this.punct('@');
    const name = this.name();
    this.punct('{');
    this.word('manifest');
    const manifest = this.manifest(this.name());
    const extra: Record<string, unknown> = {};
    while (this.isWord('attr')) this.attr(extra);
    this.word('symbols');
    const symbols = this.list('(', ')', () => this.name());
    const buffers: ProgramBuffer[] = [];
    while (this.eatWord('buffer')) {
      const bname = this.name();
      const value = this.name();
      this.punct(':');
      const dtype = this.dtype();
      this.punct('[');
      const size = this.expr();
      this.punct(']');
      this.punct('=');
      buffers.push({ name: bname, value, dtype, size, storage: this.storage() });
    }
    this.word('workspace');
    const workspaceBytes = this.expr();
    const outputShapes: Expr[][] = [];
    while (this.eatWord('output_shape')) outputShapes.push(this.list('[', ']', () => this.expr()));
    const kernels: Kernel[] = [];
    while (this.isWord('kernel')) kernels.push(this.kernel());
    const calls: KernelCall[] = [];
    while (this.eatWord('call')) {
      this.punct('@');
      const kernel = this.name();
      this.punct('(');
      const args: string[] = [];
      const scalars: string[] = [];
      if (!this.isPunct(')') && !this.isPunct(';')) do args.push(this.name()); while (this.eatPunct(','));
      if (this.eatPunct(';')) do scalars.push(this.name()); while (this.eatPunct(','));
      this.punct(')');
      calls.push({ kernel, args, scalars });
    }
    this.punct('}');
    return { name, manifest, symbols, buffers, kernels, calls, workspaceBytes, outputShapes, ...extra };
  }

  /** comments between top-level items carry nothing (statements only live inside kernels) */
  skipComments(): void {
    while (this.tok.kind === 'comment') this.i++;
  }

  end(): void {
    this.skipComments();
    if (this.tok.kind !== 'eof') this.fail('expected the end of the text');
  }
}

function parseWith<T>(text: string, read: (p: Parser) => T): T {
  const p = new Parser(text);
  p.skipComments();
  const out = read(p);
  p.end();
  return out;
}

/** Read a kernel printed by printKernel. */
export function parseKernel(text: string): Kernel {
  return parseWith(text, (p) => p.kernel());
}

/** Read a program printed by printProgram. */
export function parseProgram(text: string): KernelProgram {
  return parseWith(text, (p) => p.program());
}

/** Read one expression (tests and tools). */
export function parseExpr(text: string): Expr {
  return parseWith(text, (p) => p.expr());
}
