// Reads the textual IR (docs/IR.md) back into a Graph: a hand-written lexer and a recursive-descent
// parser. Types in the text are authoritative; checking them against the ops is verify.ts's job.
import { Graph, Node, Value, Attrs, AttrValue, TensorType, typeToString } from './graph.js';
import { DType, DTYPE_INFO, isDType, isFloat } from './dtype.js';
import { Dim, sym, unknownDim, dimAdd, dimSub, dimMul, dimNeg, dimFloorDiv, dimMod } from './dim.js';
import { Tensor, sizeOf } from './tensor.js';
import { AttrKind, OpDef, getOp } from './registry.js';
import { formatName } from './printer.js';
import { DiagnosticError, diag } from '../diag/diagnostic.js';
import './ops/index.js';

type TokenKind = 'ident' | 'int' | 'float' | 'string' | 'value' | 'global' | 'unknown' | 'punct' | 'eof';

interface Token {
  kind: TokenKind;
  /** the source text of the token */
  text: string;
  /** decoded content: the name of a %value / @global, the contents of a string */
  value: string;
  line: number;
  col: number;
  length: number;
}

const PUNCT = ['->', '(', ')', '[', ']', '{', '}', ',', ':', '=', '<', '>', '*', '+', '-'];

class Lexer {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  constructor(private readonly src: string, private readonly file: string) {}

  private error(message: string, length = 1): DiagnosticError {
    return diag('DSC3001', message, { file: this.file, line: this.line, col: this.i - this.lineStart + 1, length });
  }

  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      this.skipSpace();
      const start = this.i, col = this.i - this.lineStart + 1;
      const tok = (kind: TokenKind, value: string): Token =>
        ({ kind, text: this.src.slice(start, this.i), value, line: this.line, col, length: this.i - start });
      if (this.i >= this.src.length) { out.push(tok('eof', '')); return out; }
      const c = this.src[this.i];
      if (c === '%' || c === '@') {
        this.i++;
        const name = this.name(c === '%' ? 'value' : 'graph');
        out.push(tok(c === '%' ? 'value' : 'global', name));
      } else if (c === '"') {
        out.push(tok('string', this.string()));
      } else if (/[A-Za-z_]/.test(c)) {
        this.i += /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.src.slice(this.i))![0].length;
        out.push(tok('ident', ''));
      } else if (c === '?') {
        this.i += /^\?[0-9]*/.exec(this.src.slice(this.i))![0].length;
        out.push(tok('unknown', ''));
      } else if (/[0-9]/.test(c)) {
        const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.src.slice(this.i))!;
        this.i += m[0].length;
        out.push(tok(m[1] || m[2] ? 'float' : 'int', ''));
      } else {
        const p = PUNCT.find((q) => this.src.startsWith(q, this.i));
        if (!p) throw this.error(`unexpected character ${JSON.stringify(c)}`);
        this.i += p.length;
        out.push(tok('punct', ''));
      }
    }
  }

  private skipSpace(): void {
    while (this.i < this.src.length) {
      const c = this.src[this.i];
      if (c === '\n') { this.i++; this.line++; this.lineStart = this.i; }
      else if (c === ' ' || c === '\t' || c === '\r') this.i++;
      else if (c === '/' && this.src[this.i + 1] === '/') { while (this.i < this.src.length && this.src[this.i] !== '\n') this.i++; }
      else return;
    }
  }

  /** the name after % or @: an identifier (digits allowed first, as in %0) or a JSON string */
  private name(what: string): string {
    if (this.src[this.i] === '"') return this.string();
    const m = /^[A-Za-z0-9_.]+/.exec(this.src.slice(this.i));
    if (!m) throw this.error(`expected a ${what} name after '${this.src[this.i - 1]}'`);
    this.i += m[0].length;
    return m[0];
  }

  private string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.src.length && this.src[this.i] !== '"' && this.src[this.i] !== '\n') this.i += this.src[this.i] === '\\' ? 2 : 1;
    if (this.src[this.i] !== '"') {
      this.i = start;
      throw this.error('unterminated string');
    }
    this.i++;
    try {
      return JSON.parse(this.src.slice(start, this.i)) as string;
    } catch {
      const len = this.i - start;
      this.i = start;
      throw this.error(`invalid escape in string ${this.src.slice(start, start + len)}`, len);
    }
  }
}

const KIND_NOUN: Record<AttrKind, string> = {
  int: 'an integer', float: 'a float', bool: 'true or false', string: 'a string', ints: 'a list of integers',
  floats: 'a list of floats', strings: 'a list of strings', dims: 'a list of dims', dtype: 'a dtype', tensor: 'a dense<...> tensor',
};

const INT_RANGE: Partial<Record<DType, [bigint, bigint]>> = {
  i8: [-(2n ** 7n), 2n ** 7n - 1n], u8: [0n, 2n ** 8n - 1n], i16: [-(2n ** 15n), 2n ** 15n - 1n], u16: [0n, 2n ** 16n - 1n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n], u32: [0n, 2n ** 32n - 1n], i64: [-(2n ** 63n), 2n ** 63n - 1n], u64: [0n, 2n ** 64n - 1n],
};

class Parser {
  private pos = 0;
  private readonly values = new Map<string, Value>();
  /** `?n` of the text: one unknown dim per number, shared by every mention */
  private readonly unknowns = new Map<string, Dim>();
  constructor(private readonly toks: Token[], private readonly file: string) {}

  private get tok(): Token { return this.toks[this.pos]; }
  private next(): Token { const t = this.toks[this.pos]; if (t.kind !== 'eof') this.pos++; return t; }
  private isPunct(p: string, t = this.tok): boolean { return t.kind === 'punct' && t.text === p; }
  private isIdent(word: string, t = this.tok): boolean { return t.kind === 'ident' && t.text === word; }

  private error(message: string, t: Token = this.tok): DiagnosticError {
    return diag('DSC3001', message, { file: this.file, line: t.line, col: t.col, length: Math.max(1, t.length) });
  }

  private found(t: Token = this.tok): string {
    return t.kind === 'eof' ? 'end of input' : `'${t.text}'`;
  }

  private expectPunct(p: string, context: string): Token {
    if (!this.isPunct(p)) throw this.error(`expected '${p}' ${context}, found ${this.found()}`);
    return this.next();
  }

  private expectKind(kind: TokenKind, what: string): Token {
    if (this.tok.kind !== kind) throw this.error(`expected ${what}, found ${this.found()}`);
    return this.next();
  }

  /** one or more items separated by commas */
  private commaSeparated<T>(item: () => T): T[] {
    const out = [item()];
    while (this.isPunct(',')) { this.next(); out.push(item()); }
    return out;
  }

  /** zero or more items separated by commas, up to `close` (not consumed) */
  private list<T>(close: string, item: () => T): T[] {
    return this.isPunct(close) ? [] : this.commaSeparated(item);
  }

  private define(t: Token, type: TensorType): Value {
    if (this.values.has(t.value)) throw this.error(`value %${formatName(t.value)} defined twice`, t);
    const v = new Value(t.value, type);
    this.values.set(t.value, v);
    return v;
  }

  private use(): Value {
    const t = this.expectKind('value', 'a value (%name)');
    const v = this.values.get(t.value);
    if (!v) throw this.error(`%${formatName(t.value)} used before definition`, t);
    return v;
  }

  parseGraph(): Graph {
    if (!this.isIdent('graph')) throw this.error(`expected 'graph', found ${this.found()}`);
    this.next();
    const g = new Graph(this.expectKind('global', 'a graph name (@name)').value);
    this.expectPunct('(', 'after the graph name');
    g.inputs = this.list(')', () => {
      const t = this.expectKind('value', 'an input (%name: type)');
      this.expectPunct(':', 'after value name');
      return this.define(t, this.type());
    });
    this.expectPunct(')', 'after the graph inputs');
    this.expectPunct('->', 'after the graph inputs');
    this.expectPunct('(', "after '->'");
    const resultTypes = this.list(')', () => this.type());
    this.expectPunct(')', 'after the result types');
    this.expectPunct('{', 'to open the graph body');
    for (;;) {
      if (this.isIdent('param')) {
        this.next();
        const t = this.expectKind('value', 'a parameter name (%name)');
        this.expectPunct(':', 'after value name');
        g.params.push(this.define(t, this.type()));
      } else if (this.isIdent('return')) {
        const ret = this.next();
        const outs: [Token, Value][] = this.tok.kind === 'value' ? this.commaSeparated(() => [this.tok, this.use()] as [Token, Value]) : [];
        if (outs.length !== resultTypes.length)
          throw this.error(`graph returns ${outs.length} value${outs.length === 1 ? '' : 's'} but its signature declares ${resultTypes.length}`, ret);
        outs.forEach(([t, v], i) => {
          const want = resultTypes[i];
          // compared as printed: a bare `?` in the signature stands for any unknown dim
          if (typeToString(v.type) !== typeToString(want))
            throw this.error(`return value %${formatName(v.name)} has type ${typeToString(v.type)} but the signature declares ${typeToString(want)}`, t);
        });
        g.outputs = outs.map(([, v]) => v);
        this.expectPunct('}', "after 'return'");
        break;
      } else if (this.tok.kind === 'value') {
        g.nodes.push(this.node());
      } else {
        throw this.error(`expected 'param', 'return' or a node (%name = op(...)), found ${this.found()}`);
      }
    }
    if (this.tok.kind !== 'eof') throw this.error(`expected end of input after the graph, found ${this.found()}`);
    return g;
  }

  private node(): Node {
    const names = this.list('=', () => this.expectKind('value', 'an output name (%name)'));
    this.expectPunct('=', 'after the output names');
    const opTok = this.expectKind('ident', 'an op name');
    const def = getOp(opTok.text);
    if (!def) throw this.error(`unknown op '${opTok.text}'`, opTok);
    this.expectPunct('(', 'after the op name');
    const inputs = this.list(')', (): Value | null => {
      if (this.isIdent('_')) { this.next(); return null; }
      return this.use();
    });
    this.expectPunct(')', 'after the node inputs');
    const attrs = this.isPunct('{') ? this.attrs(def) : {};
    const colon = this.expectPunct(':', 'before the output types');
    const types = this.commaSeparated(() => this.type());
    if (types.length !== names.length)
      throw this.error(`${names.length} output name${names.length === 1 ? '' : 's'} but ${types.length} type${types.length === 1 ? '' : 's'}`, colon);
    let loc: string | undefined;
    if (this.isIdent('loc')) {
      this.next();
      this.expectPunct('(', "after 'loc'");
      loc = this.expectKind('string', 'a string').value;
      this.expectPunct(')', 'after the location');
    }
    let group: number | undefined;
    if (this.isIdent('group')) {
      this.next();
      this.expectPunct('(', "after 'group'");
      const tok = this.expectKind('int', 'a fusion group number');
      group = Number(tok.text);
      if (!Number.isSafeInteger(group)) throw this.error(`fusion group must be a non-negative integer, got ${tok.text}`, tok);
      this.expectPunct(')', 'after the fusion group');
    }
    const outputs = names.map((t, i) => this.define(t, types[i]));
    const node = new Node(def.name, inputs, attrs, outputs, loc);
    if (group !== undefined) node.group = group;
    return node;
  }

  private attrs(def: OpDef): Attrs {
    this.expectPunct('{', 'to open the attributes');
    const attrs: Attrs = {};
    this.list('}', () => {
      const key = this.expectKind('ident', 'an attribute name');
      const spec = def.attrs[key.text];
      if (!spec) throw this.error(`${def.name} has no attribute '${key.text}'`, key);
      if (key.text in attrs) throw this.error(`attribute '${key.text}' given twice`, key);
      this.expectPunct('=', 'after the attribute name');
      attrs[key.text] = this.attrValue(spec.kind, key.text);
    });
    this.expectPunct('}', 'after the attributes');
    return attrs;
  }

  private attrValue(kind: AttrKind, key: string): AttrValue {
    const wrong = (): never => { throw this.error(`attribute '${key}' expects ${KIND_NOUN[kind]}, found ${this.found()}`); };
    const bracketed = <T>(item: () => T): T[] => {
      if (!this.isPunct('[')) wrong();
      this.next();
      const out = this.list(']', item);
      this.expectPunct(']', 'to close the list');
      return out;
    };
    switch (kind) {
      case 'int': return this.intLiteral() ?? wrong();
      case 'float': return this.floatLiteral() ?? wrong();
      case 'bool':
        if (this.isIdent('true') || this.isIdent('false')) return this.next().text === 'true';
        return wrong();
      case 'string': return this.tok.kind === 'string' ? this.next().value : wrong();
      case 'dtype': return this.tok.kind === 'ident' ? this.dtype() : wrong();
      case 'ints': return bracketed(() => this.intLiteral() ?? this.unexpected('an integer'));
      case 'floats': return bracketed(() => this.floatLiteral() ?? this.unexpected('a float'));
      case 'strings': return bracketed(() => this.expectKind('string', 'a string').value);
      case 'dims': return bracketed(() => this.dim());
      case 'tensor': return this.isIdent('dense') ? this.tensor() : wrong();
    }
  }

  private unexpected(what: string): never {
    throw this.error(`expected ${what}, found ${this.found()}`);
  }

  /** [-]digits as a number, or undefined when the next tokens are not one */
  private intLiteral(): number | undefined {
    const neg = this.isPunct('-');
    const t = this.toks[this.pos + (neg ? 1 : 0)];
    if (t.kind !== 'int') return undefined;
    this.pos += neg ? 2 : 1;
    return neg ? -Number(t.text) : Number(t.text);
  }

  /** [-](digits | decimal | inf | nan); integers are accepted where a float is expected */
  private floatLiteral(): number | undefined {
    const neg = this.isPunct('-');
    const t = this.toks[this.pos + (neg ? 1 : 0)];
    let v: number;
    if (t.kind === 'int' || t.kind === 'float') v = Number(t.text);
    else if (this.isIdent('inf', t)) v = Infinity;
    else if (this.isIdent('nan', t)) v = NaN;
    else return undefined;
    this.pos += neg ? 2 : 1;
    return neg ? -v : v;
  }

  private dtype(): DType {
    const t = this.expectKind('ident', 'a dtype');
    if (!isDType(t.text)) throw this.error(`unknown dtype '${t.text}'`, t);
    return t.text;
  }

  private type(): TensorType {
    const dtype = this.dtype();
    this.expectPunct('[', 'after the dtype');
    const shape = this.list(']', () => this.dim());
    this.expectPunct(']', 'to close the shape');
    return { dtype, shape };
  }

  // Dim expressions, with the grammar of parseDim in dim.ts: + and - over * over primaries.
  private dim(): Dim {
    let v = this.dimTerm();
    for (;;) {
      if (this.isPunct('+')) { this.next(); v = dimAdd(v, this.dimTerm()); }
      else if (this.isPunct('-')) { this.next(); v = dimSub(v, this.dimTerm()); }
      else return v;
    }
  }

  private dimTerm(): Dim {
    let v = this.dimPrimary();
    while (this.isPunct('*')) { this.next(); v = dimMul(v, this.dimPrimary()); }
    return v;
  }

  private dimPrimary(): Dim {
    const t = this.tok;
    if (this.isPunct('(')) {
      this.next();
      const v = this.dim();
      this.expectPunct(')', 'to close the dim expression');
      return v;
    }
    if (t.kind === 'unknown') {
      this.next();
      if (t.text === '?') return unknownDim();
      let d = this.unknowns.get(t.text);
      if (d === undefined) { d = unknownDim(); this.unknowns.set(t.text, d); }
      return d;
    }
    if (this.isPunct('-')) { this.next(); return dimNeg(this.dimPrimary()); }
    if (t.kind === 'int') { this.next(); return Number(t.text); }
    if (t.kind !== 'ident') return this.unexpected('a dim');
    this.next();
    if ((t.text === 'floor' || t.text === 'mod') && this.isPunct('(')) {
      this.next();
      const a = this.dim();
      this.expectPunct(',', `between the operands of ${t.text}`);
      const bTok = this.tok;
      const b = this.dim();
      if (typeof b !== 'number' || b <= 0) throw this.error(`the divisor of ${t.text} must be a positive integer`, bTok);
      this.expectPunct(')', `to close ${t.text}(...)`);
      return t.text === 'floor' ? dimFloorDiv(a, b) : dimMod(a, b);
    }
    if (t.text.includes('.')) throw this.error(`'${t.text}' is not a dim symbol`, t);
    return sym(t.text);
  }

  private tensor(): Tensor {
    this.next();
    this.expectPunct('<', "after 'dense'");
    const typeTok = this.tok;
    const type = this.type();
    const shape = type.shape.map((d) => {
      if (typeof d !== 'number') throw this.error(`a dense tensor needs a static shape, found ${typeToString(type)}`, typeTok);
      return d;
    });
    this.expectPunct(':', 'after the tensor type');
    const open = this.expectPunct('[', 'to open the tensor elements');
    const n = sizeOf(shape);
    const elems = this.list(']', () => this.element(type.dtype));
    if (elems.length !== n) throw this.error(`${typeToString(type)} needs ${n} element${n === 1 ? '' : 's'}, found ${elems.length}`, open);
    let t: Tensor;
    if (DTYPE_INFO[type.dtype].bigint) {
      t = Tensor.zeros(type.dtype, shape);
      (t.data as BigInt64Array).set(elems as bigint[]);
    } else t = Tensor.fromNumbers(type.dtype, shape, elems as number[]);
    this.expectPunct(']', 'to close the tensor elements');
    this.expectPunct('>', 'to close dense<...>');
    return t;
  }

  /** one tensor element: a number stored with the dtype's rounding, an exact integer, or a bool */
  private element(dtype: DType): number | bigint {
    if (dtype === 'bool') {
      if (this.isIdent('true') || this.isIdent('false')) return this.next().text === 'true' ? 1 : 0;
      return this.unexpected('true or false');
    }
    if (isFloat(dtype)) return this.floatLiteral() ?? this.unexpected(`a float for ${dtype}`);
    const start = this.tok;
    const neg = this.isPunct('-');
    const t = this.toks[this.pos + (neg ? 1 : 0)];
    if (t.kind !== 'int') return this.unexpected(`an integer for ${dtype}`);
    this.pos += neg ? 2 : 1;
    const v = neg ? -BigInt(t.text) : BigInt(t.text);
    const [lo, hi] = INT_RANGE[dtype]!;
    if (v < lo || v > hi) throw this.error(`${v} is out of range for ${dtype}`, neg ? { ...start, length: t.length + 1 } : t);
    return DTYPE_INFO[dtype].bigint ? v : Number(v);
  }
}

/** Parse the text form of a graph; syntax errors are DSC3001 diagnostics pointing into `text`. */
export function parseGraph(text: string, file = '<ir>'): Graph {
  return new Parser(new Lexer(text, file).tokens(), file).parseGraph();
}
