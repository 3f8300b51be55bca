// The textual form of the IR (docs/IR.md). printGraph is deterministic and parseGraph
// (parser.ts) is its exact inverse, so printed IR is a faithful, diffable snapshot of a graph.
import { Graph, Node, Value, AttrValue, TensorType, typeToString } from './graph.js';
import { f16BitsToF32, f32ToF16Bits, bf16BitsToF32, f32ToBf16Bits } from './dtype.js';
import { Dim, SymDim, dimToString, isUnknown } from './dim.js';
import { Tensor } from './tensor.js';
import { AttrKind, getOp } from './registry.js';

const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** A value or graph name as written after `%` or `@`: bare when it is an identifier, else JSON-quoted. */
export function formatName(name: string): string {
  return BARE_NAME.test(name) ? name : JSON.stringify(name);
}

export function formatValueRef(v: Value): string {
  return `%${formatName(v.name)}`;
}

/** An integer; from 1e21 on String() switches to exponent form, so large ones go through BigInt. */
export function formatInt(v: number): string {
  return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
}

/** Spell a float so that it always reads back as a float: `1.0`, `1e-7`, `-0.0`, `inf`, `nan`. */
function floatLiteral(text: string): string {
  return /^-?[0-9]+$/.test(text) ? `${text}.0` : text;
}

function specialFloat(v: number): string | undefined {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0 && 1 / v < 0) return '-0.0';
  return undefined;
}

/**
 * Spells the dims of one graph's text. Unknown dims have an identity (two `?` dims are different
 * dims), so the text numbers them in order of appearance: `?1` names the same dim wherever it occurs.
 */
export class DimSpeller {
  private readonly local = new Map<string, number>();
  dim(d: Dim): string {
    if (!isUnknown(d)) return dimToString(d);
    return (d as SymDim).key.replace(/\?(\d+)/g, (_, id: string) => {
      let n = this.local.get(id);
      if (n === undefined) { n = this.local.size + 1; this.local.set(id, n); }
      return `?${n}`;
    });
  }
  type(t: TensorType): string {
    return `${t.dtype}[${t.shape.map((d) => this.dim(d)).join(', ')}]`;
  }
}

/** A double (float attribute, f64 element) in shortest round-trip form. */
export function formatFloat(v: number): string {
  return specialFloat(v) ?? floatLiteral(String(v));
}

/**
 * The shortest decimal that stores back to the same bits in a narrow float dtype: the parser
 * stores a literal with exactly `encode`, so reading the text reproduces the element.
 */
function formatNarrowFloat(v: number, same: (x: number) => boolean): string {
  const special = specialFloat(v);
  if (special) return special;
  for (let p = 1; p <= 17; p++) {
    const x = Number(v.toPrecision(p));
    if (same(x)) return floatLiteral(String(x));
  }
  return floatLiteral(String(v));
}

/** Element i of a tensor as a literal of its dtype. */
export function formatElement(t: Tensor, i: number): string {
  const d = t.data;
  switch (t.dtype) {
    case 'f32': { const v = d[i] as number; return formatNarrowFloat(v, (x) => Object.is(Math.fround(x), v)); }
    case 'f16': { const bits = d[i] as number; return formatNarrowFloat(f16BitsToF32(bits), (x) => f32ToF16Bits(x) === bits); }
    case 'bf16': { const bits = d[i] as number; return formatNarrowFloat(bf16BitsToF32(bits), (x) => f32ToBf16Bits(x) === bits); }
    case 'f64': return formatFloat(d[i] as number);
    case 'bool': return d[i] ? 'true' : 'false';
    default: return String(d[i]);
  }
}

export function formatTensor(t: Tensor): string {
  const elems: string[] = [];
  for (let i = 0; i < t.size; i++) elems.push(formatElement(t, i));
  return `dense<${typeToString({ dtype: t.dtype, shape: t.shape })}: [${elems.join(', ')}]>`;
}

/**
 * An attribute value as its kind says. A value that does not fit its kind (or an op missing from
 * the registry) is printed by its JS type, so a malformed graph can still be shown to a person.
 */
export function formatAttr(v: AttrValue, kind?: AttrKind, dims = new DimSpeller()): string {
  if (Array.isArray(v)) {
    const elemKind = kind === 'ints' ? 'int' : kind === 'floats' ? 'float' : kind === 'strings' ? 'string' : kind;
    return `[${(v as readonly unknown[]).map((e) => formatAttr(e as AttrValue, elemKind, dims)).join(', ')}]`;
  }
  if (v instanceof Tensor) return formatTensor(v);
  if (v instanceof SymDim) return dims.dim(v);
  if (typeof v === 'number') return kind === 'float' || !Number.isInteger(v) ? formatFloat(v) : formatInt(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return kind === 'dtype' ? v : JSON.stringify(v);
  return JSON.stringify(String(v));
}

function formatAttrs(node: Node, dims: DimSpeller): string {
  const keys = Object.keys(node.attrs).sort();
  if (keys.length === 0) return '';
  const specs = getOp(node.op)?.attrs ?? {};
  return ` {${keys.map((k) => `${k} = ${formatAttr(node.attrs[k], specs[k]?.kind, dims)}`).join(', ')}}`;
}

/** One node as a line of the graph text (without indentation). */
export function formatNode(node: Node, dims = new DimSpeller()): string {
  const outs = node.outputs.map(formatValueRef).join(', ');
  const ins = node.inputs.map((v) => (v ? formatValueRef(v) : '_')).join(', ');
  const attrs = formatAttrs(node, dims);
  const types = node.outputs.map((o) => dims.type(o.type)).join(', ');
  const loc = node.loc !== undefined ? ` loc(${JSON.stringify(node.loc)})` : '';
  const group = node.group !== undefined ? ` group(${node.group})` : '';
  return `${outs} = ${node.op}(${ins})${attrs} : ${types}${loc}${group}`;
}

/** The whole graph as text; weights are not printed (params are declarations only). */
export function printGraph(g: Graph): string {
  return printWith(g, new DimSpeller());
}

/** The dim speller of g's text, so that messages about g name its unknown dims as the text does. */
export function dimSpellerOf(g: Graph): DimSpeller {
  const dims = new DimSpeller();
  printWith(g, dims);
  return dims;
}

function printWith(g: Graph, dims: DimSpeller): string {
  const decl = (v: Value) => `${formatValueRef(v)}: ${dims.type(v.type)}`;
  const lines: string[] = [];
  const inputs = g.inputs.map(decl).join(', ');
  lines.push(`graph @${formatName(g.name)}(${inputs}) -> (${g.outputs.map((o) => dims.type(o.type)).join(', ')}) {`);
  for (const p of g.params) lines.push(`  param ${decl(p)}`);
  for (const n of g.nodes) lines.push(`  ${formatNode(n, dims)}`);
  lines.push(`  return${g.outputs.length ? ' ' : ''}${g.outputs.map(formatValueRef).join(', ')}`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
