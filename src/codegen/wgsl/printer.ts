// Kernel-IR statements and expressions spelled in WGSL: a table and hooks on the shared C-style
// printer (c-printer.ts). Where WGSL leaves the C family: no ternary (select() evaluates both arms,
// which is safe here because WGSL has no undefined behaviour in expressions and masked loads clamp
// their index), typed declarations (`let x: f32`), no implicit conversions, and mandatory parentheses
// when operators of different kinds meet (so every compound operand is parenthesized).
//
// Storage: a kernel's tensor parameters are word offsets (`let in_x: i32 = ...`) into one of two
// array<u32> bindings; loads bitcast the word to the element type and stores bitcast back. At
// precision f16, f32 tensors are f16 elements of array<f16> views of the same buffers.
// Scalars: f64 statistics compute in f32 (WGSL has no f64), `index` and i64 scalars in i32.
import { DType, roundTo } from '../../ir/dtype.js';
import { diag } from '../../diag/diagnostic.js';
import { CPrinterHooks, CStylePrinter, CTargetTable, ExprPrinter, shortestFloat } from '../c-printer.js';
import { Expr, Intrinsic, ScalarType, Stmt } from '../kernel-ir.js';

/**
 * Where a kernel's buffer name points: a range of a binding (of f16 elements through the array<f16>
 * view of the binding when `half`), or a per-invocation or workgroup array.
 */
export type BufferRef = { k: 'global'; binding: 'params' | 'data'; half: boolean } | { k: 'local'; dtype: DType };

export type WgslScalar = 'f16' | 'f32' | 'i32' | 'u32' | 'bool';

/** The WGSL type that holds a kernel-IR scalar. */
export function wgslType(t: ScalarType): WgslScalar {
  switch (t) {
    case 'f32': case 'f64': case 'f16': case 'bf16': return 'f32';
    case 'i32': case 'i64': case 'index': case 'i8': case 'i16': return 'i32';
    case 'u32': case 'u8': case 'u16': return 'u32';
    case 'bool': return 'bool';
    default: throw diag('DSC6002', `the wgsl target has no ${t} arithmetic`);
  }
}

/** Bits of the integer types narrower than their 32-bit word: every value of them is kept wrapped to these bits. */
const NARROW_BITS: Partial<Record<ScalarType, number>> = { u8: 8, i8: 8, u16: 16, i16: 16 };

/**
 * A value of type `t` computed in its 32-bit word, brought back to `t`: narrow integers wrap (unsigned
 * masked, signed sign-extended) and f16/bf16 round to nearest even, as the interpreter's roundTo does.
 */
function narrowed(t: ScalarType, x: string, use: (helper: string) => string): string {
  const bits = NARROW_BITS[t];
  if (bits !== undefined) return t[0] === 'u' ? `((${x}) & ${2 ** bits - 1}u)` : `(((${x}) << ${32 - bits}u) >> ${32 - bits}u)`;
  if (t === 'f16' || t === 'bf16') return `${use(`dsc_round_${t}`)}(${x})`;
  return x;
}

/** WGSL helper functions, printed (in this order) when a kernel uses them. */
const HELPERS: Record<string, string> = {
  // infinities and NaN as run-time values: WGSL rejects them in constant expressions
  dsc_pos_inf: 'var<private> dsc_pos_inf: u32 = 0x7f800000u;',
  dsc_neg_inf: 'var<private> dsc_neg_inf: u32 = 0xff800000u;',
  dsc_nan: 'var<private> dsc_nan: u32 = 0x7fc00000u;',
  // the f16 patterns in the low half of a word, read through bitcast<vec2<f16>>
  dsc_pos_inf_h: 'var<private> dsc_pos_inf_h: u32 = 0x7c00u;',
  dsc_neg_inf_h: 'var<private> dsc_neg_inf_h: u32 = 0xfc00u;',
  dsc_nan_h: 'var<private> dsc_nan_h: u32 = 0x7e00u;',
  dsc_is_nan: 'fn dsc_is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }',
  dsc_is_inf: 'fn dsc_is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }',
  // f16's quantum is 2^(e-10) for exponent e, and 2^-24 below the normal range; round() ties to even
  dsc_round_f16: 'fn dsc_round_f16(x: f32) -> f32 {\n' +
    '  let b = bitcast<u32>(x);\n' +
    '  if ((b & 0x7fffffffu) >= 0x7f800000u) { return x; }\n' +
    '  let q = bitcast<f32>(u32(max(i32((b >> 23u) & 0xffu) - 10i, 103i)) << 23u);\n' +
    '  let r = round(bitcast<f32>(b & 0x7fffffffu) / q) * q;\n' +
    '  return bitcast<f32>((b & 0x80000000u) | select(bitcast<u32>(r), 0x7f800000u, r >= 65536.0f));\n' +
    '}',
  dsc_round_bf16: 'fn dsc_round_bf16(x: f32) -> f32 {\n' +
    '  let b = bitcast<u32>(x);\n' +
    '  if ((b & 0x7fffffffu) > 0x7f800000u) { return bitcast<f32>((b | 0x400000u) & 0xffff0000u); }\n' +
    '  return bitcast<f32>((b + 0x7fffu + ((b >> 16u) & 1u)) & 0xffff0000u);\n' +
    '}',
  dsc_f2i: '// float to int truncates; NaN gives 0 (out-of-range values saturate, where the IR wraps)\n' +
    'fn dsc_f2i(x: f32) -> i32 { return select(i32(x), 0i, dsc_is_nan(x)); }',
  dsc_fmax_nan: 'fn dsc_fmax_nan(a: f32, b: f32) -> f32 { return select(select(max(a, b), b, dsc_is_nan(b)), a, dsc_is_nan(a)); }',
  dsc_fmin_nan: 'fn dsc_fmin_nan(a: f32, b: f32) -> f32 { return select(select(min(a, b), b, dsc_is_nan(b)), a, dsc_is_nan(a)); }',
  dsc_expm1: '// exp(x) - 1 loses all digits near 0; the series keeps them\n' +
    'fn dsc_expm1(x: f32) -> f32 { return select(exp(x) - 1.0f, x + 0.5f * x * x + x * x * x / 6.0f, abs(x) < 1e-3f); }',
  dsc_log1p: 'fn dsc_log1p(x: f32) -> f32 { return select(log(1.0f + x), x - 0.5f * x * x + x * x * x / 3.0f, abs(x) < 1e-3f); }',
  dsc_erf: '// erf with |error| < 1.2e-7 (Numerical Recipes erfc, Chebyshev fit)\n' +
    'fn dsc_erf(x: f32) -> f32 {\n' +
    '  let z = abs(x);\n' +
    '  let t = 1.0f / (1.0f + 0.5f * z);\n' +
    '  let r = t * exp(-z * z - 1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f)))))))));\n' +
    '  return select(r - 1.0f, 1.0f - r, x >= 0.0f);\n' +
    '}',
  // through atan2, as the WGSL spec defines their accuracy; lavapipe's own asin/acos are off by 4e-4
  dsc_asin: 'fn dsc_asin(x: f32) -> f32 { return atan2(x, sqrt((1.0f - x) * (1.0f + x))); }',
  dsc_acos: 'fn dsc_acos(x: f32) -> f32 { return atan2(sqrt((1.0f - x) * (1.0f + x)), x); }',
  dsc_sigmoid: 'fn dsc_sigmoid(x: f32) -> f32 { return 1.0f / (1.0f + exp(-x)); }',
  dsc_softplus: 'fn dsc_softplus(x: f32) -> f32 { return max(x, 0.0f) + dsc_log1p(exp(-abs(x))); }',
  dsc_gelu: 'fn dsc_gelu(x: f32) -> f32 { return 0.5f * x * (1.0f + dsc_erf(x * 0.70710678f)); }',
  dsc_gelu_tanh: 'fn dsc_gelu_tanh(x: f32) -> f32 { return 0.5f * x * (1.0f + tanh(0.79788456f * (x + 0.044715f * x * x * x))); }',
  dsc_ipow: '// integer power by squaring; negative exponents give 0 except for bases 1 and -1\n' +
    'fn dsc_ipow(base: i32, e: i32) -> i32 {\n' +
    '  if (e < 0i) { return select(select(0i, select(-1i, 1i, (e & 1i) == 0i), base == -1i), 1i, base == 1i); }\n' +
    '  var r = 1i;\n' +
    '  var b = base;\n' +
    '  var k = e;\n' +
    '  while (k > 0i) {\n' +
    '    if ((k & 1i) == 1i) { r = r * b; }\n' +
    '    b = b * b;\n' +
    '    k = k >> 1u;\n' +
    '  }\n' +
    '  return r;\n' +
    '}',
};
/** helpers that other helpers call */
const HELPER_DEPS: Record<string, string[]> = {
  dsc_f2i: ['dsc_is_nan'], dsc_fmax_nan: ['dsc_is_nan'], dsc_fmin_nan: ['dsc_is_nan'], dsc_softplus: ['dsc_log1p'], dsc_gelu: ['dsc_erf'],
};

const BUILTIN_MATH: Partial<Record<Intrinsic, string>> = {
  abs: 'abs', exp: 'exp', log: 'log', sqrt: 'sqrt', rsqrt: 'inverseSqrt', floor: 'floor', ceil: 'ceil', round_even: 'round',
  sin: 'sin', cos: 'cos', tan: 'tan', atan: 'atan', sinh: 'sinh', cosh: 'cosh', tanh: 'tanh',
  asinh: 'asinh', acosh: 'acosh', atanh: 'atanh', pow: 'pow',
};

/** Operators whose result leaves a narrow type's range, with their spelling. */
const ARITHMETIC = new Map([['add', '+'], ['sub', '-'], ['mul', '*'], ['div', '/'], ['rem', '%'], ['shl', '<<']]);

/** The WGSL spelling table: its state is the helpers the printed code calls. */
class WgslTable implements CTargetTable {
  /** helper functions the printed code calls */
  readonly helpers = new Set<string>();
  readonly operands = 'parenthesized';

  /** `half`: the IR's f32 is f16 in registers and memory (the f64 of statistics and GEMM accumulators stays f32) */
  constructor(private readonly buffers: (name: string) => BufferRef, private readonly statusWord: number, private readonly half: boolean) {}

  /** The WGSL type that holds a kernel-IR scalar at this precision. */
  type(t: ScalarType): WgslScalar {
    return this.half && t === 'f32' ? 'f16' : wgslType(t);
  }

  use(helper: string): string {
    this.helpers.add(helper);
    for (const d of HELPER_DEPS[helper] ?? []) this.use(d);
    return helper;
  }

  floatLiteral(v: number, t: ScalarType): string {
    if (this.type(t) === 'f16') {
      const x = roundTo('f16', v);
      if (Number.isNaN(x)) return `bitcast<vec2<f16>>(${this.use('dsc_nan_h')}).x`;
      if (!Number.isFinite(x)) return `bitcast<vec2<f16>>(${this.use(x > 0 ? 'dsc_pos_inf_h' : 'dsc_neg_inf_h')}).x`;
      return `${x}h`;
    }
    const x = roundTo(t === 'f16' || t === 'bf16' ? t : 'f32', v);
    if (Number.isNaN(x)) return `bitcast<f32>(${this.use('dsc_nan')})`;
    if (!Number.isFinite(x)) return `bitcast<f32>(${this.use(x > 0 ? 'dsc_pos_inf' : 'dsc_neg_inf')})`;
    return `${shortestFloat(x, true)}f`;
  }

  intLiteral(v: bigint, t: ScalarType): string {
    if (this.type(t) === 'u32') {
      if (v < 0n || v >= 2n ** 32n) throw diag('DSC6002', `constant ${v} does not fit the wgsl target's 32-bit u32`);
      return `${v}u`;
    }
    if (v < -(2n ** 31n) || v >= 2n ** 31n) throw diag('DSC6002', `constant ${v} does not fit the wgsl target's 32-bit integers (WGSL has no i64)`);
    // -2^31 has no literal of its own
    return v === -(2n ** 31n) ? '(-2147483647i - 1i)' : `${v}i`;
  }

  boolLiteral(v: boolean): string {
    return v ? 'true' : 'false';
  }

  select(cond: string, then: string, otherwise: string): string {
    return `select(${otherwise}, ${then}, ${cond})`;
  }

  unary(op: string, a: Expr, p: ExprPrinter): string | null {
    if (NARROW_BITS[a.type] === undefined || (op !== 'neg' && op !== 'bit_not')) return null;
    return narrowed(a.type, `${op === 'neg' ? '-' : '~'}${p.operand(a)}`, (h) => this.use(h));
  }

  minMax(op: 'min' | 'max', a: Expr, b: Expr, p: ExprPrinter): string {
    return `${op}(${p.expr(a)}, ${p.expr(b)})`;
  }

  integerOp(op: string, a: Expr, b: Expr, p: ExprPrinter): string | null {
    const wide = this.integerOp32(op, a, b, p);
    if (!ARITHMETIC.has(op) || (NARROW_BITS[a.type] === undefined && a.type !== 'f16' && a.type !== 'bf16')) return wide;
    return narrowed(a.type, wide ?? `${p.operand(a)} ${ARITHMETIC.get(op)} ${p.operand(b)}`, (h) => this.use(h));
  }

  /** the operation on 32-bit words; null: the plain operator */
  private integerOp32(op: string, a: Expr, b: Expr, p: ExprPrinter): string | null {
    const t = this.type(a.type);
    const integer = t === 'i32' || t === 'u32';
    if (integer && (op === 'div' || op === 'rem')) {
      // WGSL gives x for x / 0; the IR gives 0. A constant zero divisor (an empty grid's extent) is a
      // shader-creation error in WGSL, even where the select would discard the quotient.
      if (b.k === 'const' && Number(b.value) === 0) return p.literal(0, a.type);
      const q = `${p.operand(a)} ${op === 'div' ? '/' : '%'} ${p.operand(b)}`;
      return b.k === 'const' ? q : `select(${q}, ${p.literal(0, a.type)}, ${p.operand(b)} == ${p.literal(0, b.type)})`;
    }
    // WGSL shifts by a u32 amount
    if ((op === 'shl' || op === 'shr') && t !== 'u32') return `${p.operand(a)} ${op === 'shl' ? '<<' : '>>'} u32(${p.expr(b)})`;
    return null;
  }

  cast(a: Expr, to: ScalarType, p: ExprPrinter): string {
    const word = this.cast32(a, to, p);
    return a.type === to ? word : narrowed(to, word, (h) => this.use(h));
  }

  /** the conversion between the 32-bit words that hold the two types */
  private cast32(a: Expr, to: ScalarType, p: ExprPrinter): string {
    let from = this.type(a.type);
    const t = this.type(to);
    let x = p.expr(a);
    if (from === t) return x;
    if (from === 'f16' && t !== 'f32' && t !== 'bool') [x, from] = [`f32(${x})`, 'f32'];
    if (t === 'bool') return `(${p.operand(a)} != ${p.literal(0, a.type)})`;
    if (from === 'f32' && t === 'i32') return `${this.use('dsc_f2i')}(${x})`;
    if (from === 'f32' && t === 'u32') return `u32(${this.use('dsc_f2i')}(${x}))`;
    // bool to number is 0/1; i32 <-> u32 reinterprets the bits (two's complement wrap)
    return `${t}(${x})`;
  }

  intrinsic(fn: Intrinsic, type: ScalarType, args: readonly Expr[], p: ExprPrinter): string {
    // at f16, the math functions run in f32: the helpers are written for f32, and f16 builtins may be coarser
    const widened = args.some((x) => this.type(x.type) === 'f16');
    const a = args.map((x) => (this.type(x.type) === 'f16' ? `f32(${p.expr(x)})` : p.expr(x)));
    const value = this.callF32(fn, type, args, a, p);
    return widened && this.type(type) === 'f16' ? `f16(${value})` : narrowed(type, value, (h) => this.use(h));
  }

  /** the call with its arguments printed (`a`, widened to f32 where they were f16) */
  private callF32(fn: Intrinsic, type: ScalarType, args: readonly Expr[], a: string[], p: ExprPrinter): string {
    if (this.type(type) === 'i32' && fn === 'pow') return `${this.use('dsc_ipow')}(${a.join(', ')})`;
    const builtin = BUILTIN_MATH[fn];
    if (builtin) return `${builtin}(${a.join(', ')})`;
    switch (fn) {
      case 'fmod': {
        const [x, y] = args.map((e, i) => (a[i] === p.expr(e) ? p.operand(e) : a[i]));
        return `(${x} % ${y})`;
      }
      case 'is_nan': return `${this.use('dsc_is_nan')}(${a[0]})`;
      case 'is_inf': return `${this.use('dsc_is_inf')}(${a[0]})`;
      case 'erfc': return `(1.0f - ${this.use('dsc_erf')}(${a[0]}))`;
      default: return `${this.use(`dsc_${fn}`)}(${a.join(', ')})`;
    }
  }

  declare(name: string, type: ScalarType, mutable: boolean, value: string): string {
    return `${mutable ? 'var' : 'let'} ${name}: ${this.type(type)} = ${value};`;
  }

  loopHeader(v: string, start: string, end: string): string {
    return `for (var ${v}: i32 = ${start}; ${v} < ${end}; ${v}++) {`;
  }

  private word(buf: string, index: Expr, p: ExprPrinter): { binding: string; at: string } {
    const ref = this.buffers(buf);
    if (ref.k !== 'global') throw new Error(`internal error: ${buf} is not a storage buffer`);
    return { binding: ref.half ? `${ref.binding}16` : ref.binding, at: `${buf} + ${p.operand(index)}` };
  }

  load(e: Extract<Expr, { k: 'load' }>, p: ExprPrinter): string {
    const ref = this.buffers(e.buf);
    let value: string;
    // a masked-off element reads word 0 of the tensor instead, so no index leaves it
    const at = e.mask ? { k: 'select', cond: e.mask, then: e.index, else: { k: 'const', type: 'index', value: 0 }, type: 'index' } as Expr : e.index;
    if (ref.k === 'local') value = `${e.buf}[${p.expr(at)}]`;
    else {
      const w = this.word(e.buf, at, p);
      const raw = `${w.binding}[${w.at}]`;
      const t = this.type(e.type);
      value = ref.half ? (t === 'f16' ? raw : `${t}(${raw})`) : t === 'u32' ? raw : t === 'bool' ? `(${raw} != 0u)` : `bitcast<${t}>(${raw})`;
    }
    return e.mask ? `select(${p.expr(e.other!)}, ${value}, ${p.expr(e.mask)})` : value;
  }

  store(buf: string, index: Expr, value: Expr, p: ExprPrinter): string {
    const ref = this.buffers(buf);
    if (ref.k === 'local') return `${buf}[${p.expr(index)}] = ${p.expr(value)};`;
    const w = this.word(buf, index, p);
    const t = this.type(value.type);
    const v = p.expr(value);
    const bits = ref.half ? (t === 'f16' ? v : `f16(${v})`) : t === 'u32' ? v : t === 'bool' ? `select(0u, 1u, ${v})` : `bitcast<u32>(${v})`;
    return `${w.binding}[${w.at}] = ${bits};`;
  }

  guarded(mask: string, line: string): string {
    return `if (${mask}) { ${line} }`;
  }

  // a failed check records its code; the executor reads the status word after the run and throws
  fail(code: number): string {
    return `data[${this.statusWord}] = ${code}u;`;
  }
}

/** Replaces the header of a loop bound to the grid or to a workgroup's invocations by the lines that compute its index. */
export type WgslLoopBinder = CPrinterHooks['replaceLoop'];

/**
 * A kernel's statements printed as WGSL: the shared printer with the WGSL table, and hooks that
 * declare workgroup arrays at module scope and bind grid and thread loops to invocation indices.
 */
export class WgslPrinter extends CStylePrinter {
  /** module-scope declarations of the `alloc shared` arrays printed so far */
  readonly workgroupArrays: string[];
  private readonly wgsl: WgslTable;

  constructor(buffers: (name: string) => BufferRef, statusWord: number, half = false, bindLoop?: WgslLoopBinder) {
    const table = new WgslTable(buffers, statusWord, half);
    const arrays: string[] = [];
    super(table, {
      loopPrefix: () => [],
      replaceLoop: bindLoop,
      gemm: () => { throw new Error('internal error: gemm reached the WGSL printer unexpanded'); },
      alloc(st: Extract<Stmt, { k: 'alloc' }>) {
        if (st.size.k !== 'const') throw new Error(`internal error: the array ${st.name} reached the WGSL printer with a symbolic size`);
        const decl = `var${st.scope === 'shared' ? '<workgroup>' : ''} ${st.name}: array<${table.type(st.dtype)}, ${Number(st.size.value)}>;`;
        // workgroup memory is declared at module scope
        if (st.scope === 'shared') { arrays.push(decl); return []; }
        return [decl];
      },
      barrier: () => ['workgroupBarrier();'],
    });
    this.wgsl = table;
    this.workgroupArrays = arrays;
  }

  /** The WGSL type that holds a kernel-IR scalar at this printer's precision. */
  type(t: ScalarType): WgslScalar {
    return this.wgsl.type(t);
  }

  /** the helpers' source, in a fixed order */
  helperSource(): string[] {
    return Object.keys(HELPERS).filter((h) => this.wgsl.helpers.has(h)).map((h) => HELPERS[h]);
  }
}
