// How IR things are spelled in .ds source: identifiers, numbers, dims, attribute values and types.
// Every spelling here reads back (through the .ds parser and compiler) as the value it came from.
import { DTYPES, isFloat } from '../../ir/dtype.js';
import { Dim } from '../../ir/dim.js';
import { AttrValue, TensorType } from '../../ir/graph.js';
import { AttrKind } from '../../ir/registry.js';
import { Tensor, readNumbers } from '../../ir/tensor.js';
import { formatElement, formatFloat } from '../../ir/printer.js';

/** Words the .ds lexer never reads as a name. */
const RESERVED = new Set<string>(['import', 'from', 'let', 'return', 'if', 'else', 'for', 'in', 'choose', 'true', 'false', '_', ...DTYPES]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isDsName(s: string): boolean {
  return IDENTIFIER.test(s) && !RESERVED.has(s);
}

/** A name usable in .ds for any text: other characters become `_`, a reserved word gets a trailing `_`. */
export function sanitizeName(s: string): string {
  let out = s.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])_+$/g, '');
  if (out === '') out = 'v';
  if (/^[0-9]/.test(out)) out = `_${out}`;
  return RESERVED.has(out) ? `${out}_` : out;
}

/** `MaxPool` → `max_pool`, `GEMM` → `gemm`. */
export function snakeCase(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/** `layer1` → `Layer1`, `self_attn` → `SelfAttn`. */
export function pascalCase(s: string): string {
  return s.split(/[^A-Za-z0-9]+/).filter((p) => p !== '').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

/** Hands out distinct names: the wanted one when free, else it with `_1`, `_2`, ... appended. */
export class NameScope {
  private readonly taken: Set<string>;
  constructor(taken: Iterable<string> = []) { this.taken = new Set(taken); }
  has(name: string): boolean { return this.taken.has(name) || RESERVED.has(name); }
  reserve(name: string): void { this.taken.add(name); }
  /** `first` is the number tried first after the bare name: 0 suits names of repeated things (`relu_0`, `relu_1`). */
  fresh(wanted: string, first = 1): string {
    let name = wanted;
    for (let i = first; this.has(name); i++) name = `${wanted}_${i}`;
    this.taken.add(name);
    return name;
  }
}

/** A float as a .ds literal; always with a `.` or exponent so it reads back as a float. Infinities overflow to ±inf. */
export function floatLiteral(v: number, f32 = Math.fround(v) === v): string {
  if (Number.isNaN(v)) throw new Error('internal error: NaN has no .ds spelling');
  if (v === Infinity) return '1e400';
  if (v === -Infinity) return '-1e400';
  // A float stored as f32 (ONNX attributes, f32 tensors) reads best as its shortest f32 spelling.
  return f32 ? formatElement(new Tensor('f32', [], new Float32Array([v])), 0) : formatFloat(v);
}

/** A dim as a .ds dim expression; undefined for a dim unknown until run time (spelled `_` in types). */
export function dimExpr(d: Dim): string | undefined {
  if (typeof d === 'number') return String(d);
  const terms: string[] = [];
  const monos = [...d.poly.keys()].sort((x, y) => monoDegree(y) - monoDegree(x) || (x < y ? -1 : x > y ? 1 : 0));
  for (const mono of monos) {
    const c = d.poly.get(mono)!;
    const factors: string[] = [];
    for (const name of mono === '' ? [] : mono.split('·')) {
      const a = d.atoms.get(name)!;
      if (a.k === 'unknown') return undefined;
      if (a.k === 'sym') { factors.push(a.name); continue; }
      const inner = dimExpr(a.a);
      if (inner === undefined) return undefined;
      const operand = /^[A-Za-z0-9_]+$/.test(inner) ? inner : `(${inner})`;
      factors.push(`(${operand} ${a.k === 'div' ? '/' : '%'} ${a.b})`);
    }
    const magnitude = Math.abs(c);
    const body = factors.length === 0 ? String(magnitude) : magnitude === 1 ? factors.join('*') : `${magnitude}*${factors.join('*')}`;
    terms.push(terms.length === 0 ? (c < 0 ? `-${body}` : body) : c < 0 ? ` - ${body}` : ` + ${body}`);
  }
  const text = terms.join('');
  // a lone div/mod atom needs no outer parentheses
  return d.poly.size === 1 && /^\(.*\)$/.test(text) && balancedInside(text) ? text.slice(1, -1) : text;
}

function monoDegree(mono: string): number {
  return mono === '' ? 0 : mono.split('·').length;
}

/** Whether the parentheses that open and close `text` are one pair. */
function balancedInside(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    if (depth === 0 && i < text.length - 1) return false;
  }
  return true;
}

export function typeExpr(t: TensorType): string {
  return `${t.dtype}[${t.shape.map((d) => dimExpr(d) ?? '_').join(', ')}]`;
}

/** A string literal with the escapes .ds knows. */
export function stringLiteral(s: string): string {
  return `"${s.replace(/[\\"\n\t\r]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c]!)}"`;
}

/** A scalar or flat list of a tensor's elements as .ds numbers (or booleans). */
export function elementsLiteral(t: Tensor): string {
  const values = readNumbers(t);
  const elems: string[] = [];
  for (let i = 0; i < t.size; i++) {
    if (t.dtype === 'bool') elems.push(t.data[i] ? 'true' : 'false');
    else if (isFloat(t.dtype)) elems.push(floatLiteral(values[i], t.dtype !== 'f64'));
    else elems.push(String(t.data[i]));
  }
  return t.rank === 0 ? elems[0] : `[${elems.join(', ')}]`;
}

/** An attribute value as its kind says; undefined when .ds cannot spell it (a tensor, an unknown dim). */
export function attrExpr(v: AttrValue, kind: AttrKind): string | undefined {
  switch (kind) {
    case 'int': return String(v as number);
    case 'float': return floatLiteral(v as number);
    case 'bool': return String(v as boolean);
    case 'string': return stringLiteral(v as string);
    case 'dtype': return v as string;
    case 'ints': return `[${(v as number[]).join(', ')}]`;
    case 'floats': return `[${(v as number[]).map((x) => floatLiteral(x)).join(', ')}]`;
    case 'strings': return `[${(v as string[]).map(stringLiteral).join(', ')}]`;
    case 'dims': {
      const dims = (v as Dim[]).map(dimExpr);
      return dims.some((d) => d === undefined) ? undefined : `[${dims.join(', ')}]`;
    }
    case 'tensor': return undefined;
  }
}
