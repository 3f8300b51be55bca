// The kernel IR's text form, printer half (the grammar is in docs/CODEGEN.md, "Kernel IR text").
// Every field of a kernel or program is printed, so parse.ts reads back exactly what was printed:
// print → parse → print gives the same text and parse(print(x)) deep-equals x.
//
// Types are written where they cannot be inferred: a constant or variable of type `index` is bare,
// any other leaf carries `:type`; loads always carry their type; operators, selects and calls take
// their type from their operands, and a node whose stored type differs is written `(e):type`.
import { DType, DTYPE_INFO } from '../../ir/dtype.js';
import { Tensor } from '../../ir/tensor.js';
import { BinOp, Expr, GemmStmt, Kernel, KernelProgram, ProgramBuffer, ScalarType, Stmt } from '../kernel-ir.js';

/** Words the parser reads as syntax; a name spelled like one is printed quoted. */
export const RESERVED: ReadonlySet<string> = new Set([
  'true', 'false', 'null', 'nan', 'inf', 'index', 'min', 'max', 'select',
  'for', 'in', 'to', 'let', 'var', 'if', 'else', 'alloc', 'local', 'shared', 'barrier', 'check', 'gemm', 'yield',
  'epilogue', 'im2col', 'ld', 'beta', 'attr', 'comment', 'read', 'write', 'serial', 'parallel', 'vector', 'unroll',
  'kernel', 'program', 'manifest', 'symbols', 'symbol', 'buffer', 'workspace', 'output_shape', 'call', 'source', 'schedule',
  'param', 'input', 'output', 'alias', 'constant', 'axis',
  ...Object.keys(DTYPE_INFO),
]);

/** Binary operators written infix, with their precedence (higher binds tighter). */
export const INFIX: Partial<Record<BinOp, { text: string; prec: number }>> = {
  or: { text: '||', prec: 1 }, and: { text: '&&', prec: 2 }, bit_or: { text: '|', prec: 3 }, bit_xor: { text: '^', prec: 4 },
  bit_and: { text: '&', prec: 5 }, eq: { text: '==', prec: 6 }, ne: { text: '!=', prec: 6 },
  lt: { text: '<', prec: 7 }, le: { text: '<=', prec: 7 }, gt: { text: '>', prec: 7 }, ge: { text: '>=', prec: 7 },
  shl: { text: '<<', prec: 8 }, shr: { text: '>>', prec: 8 }, add: { text: '+', prec: 9 }, sub: { text: '-', prec: 9 },
  mul: { text: '*', prec: 10 }, div: { text: '/', prec: 10 }, rem: { text: '%', prec: 10 },
};
export const UNARY_TEXT = { neg: '-', bit_not: '~', not: '!' } as const;
const ATOM = 20;
/** below ATOM, so a unary node whose type is written gets parentheses: `(-x:f32):f64` */
const UNARY = 15;

/** intrinsics that test a float and give bool */
const PREDICATES: ReadonlySet<string> = new Set(['is_nan', 'is_inf']);
const COMPARISON: ReadonlySet<BinOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or']);

/** The type an expression has when its text carries none (undefined: it must be written). */
export function inferredType(e: Expr): ScalarType | undefined {
  switch (e.k) {
    case 'const': case 'var': return 'index';
    case 'load': return undefined;
    case 'binary': return COMPARISON.has(e.op) ? 'bool' : e.a.type;
    case 'unary': return e.a.type;
    case 'select': return e.then.type;
    case 'cast': return e.type;
    case 'call': return PREDICATES.has(e.fn) ? 'bool' : e.args[0]?.type;
  }
}

/** A name: bare when it reads as one word, else a JSON string. */
export function printName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) && !RESERVED.has(name) ? name : JSON.stringify(name);
}

/** A record key or attribute name: bare when it reads as one word (reserved words included). */
const printKey = (key: string) => (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key) ? key : JSON.stringify(key));

/** A number exactly: shortest round-trip form, with nan, inf and -0 spelled out. */
export function printNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v < 0 ? '-inf' : 'inf';
  return Object.is(v, -0) ? '-0' : String(v);
}

const printScalar = (v: number | bigint) => (typeof v === 'bigint' ? `${v}n` : printNumber(v));

export function printExpr(e: Expr): string {
  return exprPrec(e)[0];
}

function exprPrec(e: Expr): [string, number] {
  const [text, prec] = untyped(e);
  const inferred = inferredType(e);
  if (e.k === 'const' || e.k === 'var') return inferred === e.type ? [text, prec] : [`${text}:${e.type}`, ATOM];
  if (inferred === e.type) return [text, prec];
  return [`${prec === ATOM ? text : `(${text})`}:${e.type}`, ATOM];
}

function wrap(e: Expr, min: number): string {
  const [text, prec] = exprPrec(e);
  return prec >= min ? text : `(${text})`;
}

function untyped(e: Expr): [string, number] {
  switch (e.k) {
    case 'const': return [printScalar(e.value), ATOM];
    case 'var': return [printName(e.name), ATOM];
    case 'load': {
      const mask = e.mask ? ` if ${printExpr(e.mask)}` : '';
      const other = e.other ? ` else ${printExpr(e.other)}` : '';
      return [`${printName(e.buf)}[${printExpr(e.index)}${mask}${other}]`, ATOM];
    }
    case 'binary': {
      const infix = INFIX[e.op];
      if (!infix) return [`${e.op}(${printExpr(e.a)}, ${printExpr(e.b)})`, ATOM];
      return [`${wrap(e.a, infix.prec)} ${infix.text} ${wrap(e.b, infix.prec + 1)}`, infix.prec];
    }
    case 'unary': {
      // a constant operand is parenthesized, so `-(5)` is never read back as the literal -5
      const operand = e.a.k === 'const' ? `(${printExpr(e.a)})` : wrap(e.a, ATOM);
      return [`${UNARY_TEXT[e.op]}${operand}`, UNARY];
    }
    case 'select': return [`select(${printExpr(e.cond)}, ${printExpr(e.then)}, ${printExpr(e.else)})`, ATOM];
    case 'cast': return [`${e.type}(${printExpr(e.a)})`, ATOM];
    case 'call': return [`${e.fn}(${e.args.map(printExpr).join(', ')})`, ATOM];
  }
}

/** The words an attribute value reads as something other than a string. */
export const VALUE_WORDS: ReadonlySet<string> = new Set(['true', 'false', 'null', 'nan', 'inf']);

function isExpr(v: unknown): v is Expr {
  return typeof v === 'object' && v !== null && typeof (v as Expr).k === 'string' && typeof (v as Expr).type === 'string';
}

/**
 * A generic attribute value (schedules, convolution geometry, fields this printer does not know):
 * booleans, null, numbers, bigints, strings, lists, records `{key = value}` and expressions `(e)`.
 */
export function printValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' || typeof v === 'bigint') return printScalar(v);
  if (typeof v === 'string') return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(v) && !VALUE_WORDS.has(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(', ')}]`;
  if (isExpr(v)) return `(${printExpr(v)})`;
  if (typeof v === 'object') return printRecord(v as Record<string, unknown>, []);
  throw new Error(`internal error: kernel IR text cannot hold the value ${String(v)}`);
}

function printRecord(r: Record<string, unknown>, skip: readonly string[]): string {
  const fields = Object.entries(r).filter(([k, v]) => v !== undefined && !skip.includes(k));
  return `{${fields.map(([k, v]) => `${printKey(k)} = ${printValue(v)}`).join(', ')}}`;
}

/** Fields of `r` beyond `known`, as `attr name = value` lines: room for fields added to the IR later. */
function attrLines(r: object, known: readonly string[], indent: string): string[] {
  return Object.entries(r).filter(([k, v]) => v !== undefined && !known.includes(k)).map(([k, v]) => `${indent}attr ${printKey(k)} = ${printValue(v)}`);
}

const GEMM_FIELDS = ['k', 'm', 'n', 'kdim', 'a', 'b', 'c', 'alpha', 'bias', 'epilogue', 'parallel'];

function printGemm(st: GemmStmt, indent: string): string[] {
  const inner = indent + '  ';
  const matrix = (o: { buf: string; offset: Expr; rowStride: Expr; colStride: Expr }) =>
    `${printName(o.buf)}[${printExpr(o.offset)}; ${printExpr(o.rowStride)}, ${printExpr(o.colStride)}]`;
  const out = [`${indent}gemm m = ${printExpr(st.m)}, n = ${printExpr(st.n)}, k = ${printExpr(st.kdim)}, alpha = ${printNumber(st.alpha)}, parallel = ${st.parallel} {`];
  out.push(`${inner}a = ${matrix(st.a)}`);
  out.push('conv' in st.b
    ? `${inner}b = im2col ${printName(st.b.buf)}[${printExpr(st.b.offset)}] ${printValue(st.b.conv)}`
    : `${inner}b = ${matrix(st.b)}`);
  out.push(`${inner}c = ${printName(st.c.buf)}[${printExpr(st.c.offset)}; ld ${printExpr(st.c.ld)}]`);
  if (st.bias) out.push(`${inner}bias = ${matrix(st.bias)} beta ${printNumber(st.bias.beta)}`);
  const ep = st.epilogue;
  if (ep) {
    out.push(`${inner}epilogue(${printName(ep.row)}, ${printName(ep.col)}, ${printName(ep.value)}) {`);
    out.push(...printStmts(ep.body, inner + '  '), `${inner}  yield ${printExpr(ep.result)}`, `${inner}}`);
  }
  out.push(...attrLines(st, GEMM_FIELDS, inner), `${indent}}`);
  return out;
}

export function printStmts(stmts: readonly Stmt[], indent: string): string[] {
  return stmts.flatMap((st) => printStmt(st, indent));
}

export function printStmt(st: Stmt, indent = ''): string[] {
  const inner = indent + '  ';
  switch (st.k) {
    case 'for': {
      const binding = st.binding === 'serial' ? '' : ` ${st.binding}`;
      return [`${indent}for ${printName(st.var)} in ${printExpr(st.start)} to ${printExpr(st.end)}${binding} {`, ...printStmts(st.body, inner), `${indent}}`];
    }
    case 'let': return [`${indent}${st.mutable ? 'var' : 'let'} ${printName(st.name)}: ${st.type} = ${printExpr(st.value)}`];
    case 'assign': return [`${indent}${printName(st.name)} = ${printExpr(st.value)}`];
    case 'store': return [`${indent}${printName(st.buf)}[${printExpr(st.index)}${st.mask ? ` if ${printExpr(st.mask)}` : ''}] = ${printExpr(st.value)}`];
    case 'if': {
      const out = [`${indent}if ${printExpr(st.cond)} {`, ...printStmts(st.then, inner)];
      if (st.else.length) out.push(`${indent}} else {`, ...printStmts(st.else, inner));
      return [...out, `${indent}}`];
    }
    case 'alloc': return [`${indent}alloc ${st.scope} ${printName(st.name)}: ${st.dtype}[${printExpr(st.size)}]`];
    case 'barrier': return [`${indent}barrier`];
    case 'check': return [`${indent}check ${printExpr(st.cond)}, ${printNumber(st.code)}, ${JSON.stringify(st.message)}`];
    case 'gemm': return printGemm(st, indent);
    case 'comment': return [/[\r\n]/.test(st.text) ? `${indent}comment ${JSON.stringify(st.text)}` : `${indent}//${st.text ? ` ${st.text}` : ''}`];
  }
}

/** One line naming a statement, for messages: its first line, with `...` for what follows. */
export function stmtHeadline(st: Stmt): string {
  const lines = printStmt(st);
  return lines.length > 1 ? `${lines[0]} ... }` : lines[0];
}

const KERNEL_FIELDS = ['name', 'source', 'params', 'scalars', 'body', 'schedule'];

export function printKernel(k: Kernel, indent = ''): string {
  const inner = indent + '  ';
  const params = k.params.map((p) => `${p.access} ${printName(p.name)}: ${p.dtype}`).join(', ');
  const scalars = k.scalars.length ? `; ${k.scalars.map(printName).join(', ')}` : '';
  return [
    `${indent}kernel @${printName(k.name)}(${params}${scalars}) {`,
    ...k.source.map((s) => `${inner}source ${JSON.stringify(s)}`),
    ...attrLines(k, KERNEL_FIELDS, inner),
    `${inner}schedule ${printValue(k.schedule)}`,
    ...printStmts(k.body, inner),
    `${indent}}`,
  ].join('\n') + '\n';
}

function printTensorData(t: Tensor): string {
  const values: string[] = [];
  const bits = t.dtype === 'f16' || t.dtype === 'bf16';
  for (const v of t.data as Iterable<number | bigint>)
    values.push(bits ? `0x${Number(v).toString(16).padStart(4, '0')}` : typeof v === 'bigint' ? String(v) : printNumber(v));
  return `[${values.join(', ')}]`;
}

function printStorage(b: ProgramBuffer): string {
  const s = b.storage;
  switch (s.k) {
    case 'param': case 'input': case 'output': return `${s.k} ${s.index}`;
    case 'workspace': return `workspace ${printExpr(s.offset)}`;
    case 'alias': return `alias ${printName(s.of)}`;
    case 'constant': return `constant ${s.tensor.dtype}[${s.tensor.shape.join(', ')}] ${printTensorData(s.tensor)}`;
  }
}

const printDims = (shape: readonly string[]) => shape.map((d) => (/^[A-Za-z0-9_]+$/.test(d) && !RESERVED.has(d) ? d : JSON.stringify(d))).join(', ');

const MANIFEST_FIELDS = ['name', 'inputs', 'outputs', 'params', 'symbols'];
const PROGRAM_FIELDS = ['name', 'manifest', 'symbols', 'buffers', 'kernels', 'calls', 'workspaceBytes', 'outputShapes'];

export function printProgram(p: KernelProgram): string {
  const m = p.manifest;
  const tensor = (kind: string, t: { name: string; dtype: DType; shape: string[] }) => `    ${kind} ${printName(t.name)}: ${t.dtype}[${printDims(t.shape)}]`;
  const out = [
    `program @${printName(p.name)} {`,
    `  manifest ${printName(m.name)} {`,
    ...m.params.map((t) => tensor('param', t)),
    ...m.inputs.map((t) => tensor('input', t)),
    ...m.outputs.map((t) => tensor('output', t)),
    ...m.symbols.map((s) => `    symbol ${printName(s.name)} = input ${s.from.input} axis ${s.from.axis}`),
    ...attrLines(m, MANIFEST_FIELDS, '    '),
    '  }',
    ...attrLines(p, PROGRAM_FIELDS, '  '),
    `  symbols(${p.symbols.map(printName).join(', ')})`,
    ...p.buffers.map((b) => `  buffer ${printName(b.name)} ${printName(b.value)}: ${b.dtype}[${printExpr(b.size)}] = ${printStorage(b)}`),
    `  workspace ${printExpr(p.workspaceBytes)}`,
    ...p.outputShapes.map((dims) => `  output_shape [${dims.map(printExpr).join(', ')}]`),
  ];
  for (const k of p.kernels) out.push('', printKernel(k, '  ').replace(/\n$/, ''));
  if (p.calls.length) out.push('');
  for (const c of p.calls) out.push(`  call @${printName(c.kernel)}(${c.args.map(printName).join(', ')}${c.scalars.length ? `; ${c.scalars.map(printName).join(', ')}` : ''})`);
  out.push('}');
  return out.join('\n') + '\n';
}
