// Builtin functions of .ds: every IR op by its registry name (data inputs positional, attributes
// named), friendlier forms of common ones (reductions over `axis:`, transpose of two axes, pooling
// written like PyTorch's functional API), compile-time math on numbers, and `param(dtype, shape)`.
import { Dim, dimToString } from '../../ir/dim.js';
import type { AttrValue, Attrs, Value } from '../../ir/graph.js';
import { allOps, getOp, type AttrKind, type OpDef } from '../../ir/registry.js';
import { Tensor } from '../../ir/tensor.js';
import { isDType } from '../../ir/dtype.js';
import '../../ir/ops/index.js';
import type { Span } from './ast.js';
import type { Checker, Ctx } from './check.js';
import { closestName, describe, POISON, type Val } from './values.js';

export interface ArgVal { name?: string; nameSpan?: Span; val: Val; span: Span }

/** compile-time math on numbers; on a tensor each is the IR op of the same name */
const MATH: Record<string, (x: number) => number> = {
  sqrt: Math.sqrt, exp: Math.exp, log: Math.log, abs: Math.abs, floor: Math.floor, ceil: Math.ceil, tanh: Math.tanh,
};
const REDUCTIONS: Record<string, string> = { sum: 'reduce_sum', mean: 'reduce_mean', max: 'reduce_max', min: 'reduce_min', prod: 'reduce_prod' };
const FRIENDLY = [
  'param', 'relu6', 'transpose', 'reshape', 'flatten', 'split', 'max_pool2d', 'avg_pool2d', 'cast', 'full', 'triu', 'tril',
  'layer_norm', 'prod', 'len', 'int', 'float',
];

export const BUILTIN_NAMES: ReadonlySet<string> = new Set([...allOps().map((o) => o.name), ...Object.keys(MATH), ...Object.keys(REDUCTIONS), ...FRIENDLY]);

type Args = { positional: ArgVal[]; named: Map<string, ArgVal> };

function split(args: ArgVal[]): Args {
  const named = new Map<string, ArgVal>();
  for (const a of args) if (a.name) named.set(a.name, a);
  return { positional: args.filter((a) => !a.name), named };
}

const isNumber = (v: Val): boolean => v.k === 'float' || (v.k === 'int' && typeof v.v === 'number');
const numberOf = (v: Val): number => (v.k === 'float' ? v.v : (v as { v: number }).v);

export function callBuiltin(ck: Checker, name: string, args: ArgVal[], span: Span, ctx: Ctx): Val {
  if (args.some((a) => a.val.k === 'poison')) return POISON;
  const { positional, named } = split(args);
  const first = positional[0]?.val;
  const tensorFirst = first?.k === 'tensor';

  if (name in MATH && first && isNumber(first) && args.length === 1) return { k: 'float', v: MATH[name](numberOf(first)) };
  if ((name === 'min' || name === 'max') && positional.length >= 2 && named.size === 0 && positional.every((a) => isNumber(a.val))) {
    const values = positional.map((a) => a.val);
    const pick = values.reduce((m, v) => ((name === 'min' ? numberOf(v) < numberOf(m) : numberOf(v) > numberOf(m)) ? v : m));
    return pick;
  }
  if (name === 'len' && first && (first.k === 'list' || first.k === 'tuple')) return { k: 'int', v: first.items.length };
  if (name === 'int' && first && isNumber(first)) return { k: 'int', v: Math.trunc(numberOf(first)) };
  if (name === 'float' && first && isNumber(first)) return { k: 'float', v: numberOf(first) };
  if (name === 'param') return declareParam(ck, positional, span, ctx);

  if (name in REDUCTIONS && tensorFirst && (positional.length === 1 || (positional.length === 2 && !named.has('axis') && !named.has('axes') && positional[1].val.k !== 'tensor'))) {
    const axesArg = named.get('axes') ?? named.get('axis') ?? positional[1];
    const attrs: Attrs = { keepdims: false };
    if (axesArg) {
      const v = axesArg.val;
      const axes = v.k === 'list' ? v.items : [v];
      if (!axes.every((a) => a.k === 'int' && typeof a.v === 'number')) return ck.error('DSC5015', `${name}: axes must be compile-time ints, got ${describe(v)}`, axesArg.span);
      attrs.axes = axes.map((a) => numberOf(a));
    }
    const keep = named.get('keepdims');
    if (keep) { if (keep.val.k !== 'bool') return ck.error('DSC5015', `${name}: keepdims must be a bool, got ${describe(keep.val)}`, keep.span); attrs.keepdims = keep.val.v; }
    const unknown = [...named.keys()].find((k) => k !== 'axis' && k !== 'axes' && k !== 'keepdims');
    if (unknown) return ck.error('DSC5014', `${name} has no parameter '${unknown}'; it takes axis (or axes) and keepdims`, named.get(unknown)!.nameSpan ?? span);
    return ck.tensorOp(REDUCTIONS[name], [first], attrs, span, ctx);
  }

  switch (name) {
    case 'relu6':
      if (!tensorFirst || positional.length !== 1) break;
      return ck.tensorOp('clip', [first], { min: 0, max: 6 }, span, ctx);
    case 'transpose':
      if (tensorFirst && positional.length === 3 && named.size === 0) {
        const rank = (first as { v: Value }).v.type.shape.length;
        const [a, b] = [positional[1], positional[2]].map((x) => (x.val.k === 'int' && typeof x.val.v === 'number' ? x.val.v : undefined));
        if (a === undefined || b === undefined) return ck.error('DSC5015', 'transpose(x, a, b) swaps two axes given as compile-time ints', span);
        const perm = Array.from({ length: rank }, (_, i) => i);
        const [ia, ib] = [(a + rank) % rank, (b + rank) % rank];
        [perm[ia], perm[ib]] = [perm[ib], perm[ia]];
        return ck.tensorOp('transpose', [first], { perm }, span, ctx);
      }
      break;
    case 'reshape':
      if (tensorFirst && positional.length === 2 && named.size === 0) return irCall(ck, 'reshape', [positional[0], { ...positional[1], name: 'shape' }], span, ctx);
      break;
    case 'flatten':
      if (tensorFirst && positional.length === 2) return irCall(ck, 'flatten', [positional[0], { ...positional[1], name: 'axis' }, ...named.values()], span, ctx);
      break;
    case 'cast':
      if (tensorFirst && positional.length === 2) return irCall(ck, 'cast', [positional[0], { ...positional[1], name: 'to' }], span, ctx);
      break;
    case 'triu': case 'tril': {
      if (!tensorFirst || positional.length !== 1) break;
      const k = named.get('diagonal');
      if (k && !(k.val.k === 'int' && typeof k.val.v === 'number')) return ck.error('DSC5015', `${name}: diagonal must be a compile-time int`, k.span);
      return ck.tensorOp('trilu', [first], { upper: name === 'triu', k: k ? numberOf(k.val) : 0 }, span, ctx);
    }
    case 'full': {
      const shape = positional[0], value = positional[1];
      if (!shape || !value || !isNumber(value.val)) return ck.error('DSC5014', 'full(shape, value, dtype: f32) takes a list of dims and a number', span);
      const dt = named.get('dtype')?.val;
      const dtype = dt?.k === 'dtype' ? dt.v : 'f32';
      const dims = dimsOf(shape.val);
      if (!dims) return ck.error('DSC5015', `full: the shape must be a list of compile-time ints, got ${describe(shape.val)}`, shape.span);
      return ck.tensorOp('constant_of_shape', [], { shape: dims, value: Tensor.scalar(dtype, numberOf(value.val)) }, span, ctx);
    }
    case 'split': {
      if (!tensorFirst || positional.length !== 2) break;
      const x = (first as { v: Value }).v;
      const parts = positional[1].val;
      const axisArg = named.get('axis')?.val;
      const axis = axisArg?.k === 'int' && typeof axisArg.v === 'number' ? axisArg.v : 0;
      if (parts.k !== 'int' || typeof parts.v !== 'number' || parts.v < 1) return ck.error('DSC5015', `split: the number of parts must be a positive compile-time int, got ${describe(parts)}`, positional[1].span);
      const rank = x.type.shape.length;
      const size = x.type.shape[(axis + rank) % rank];
      if (typeof size !== 'number' || size % parts.v !== 0) return ck.error('DSC5018', `split: axis ${axis} of ${dimToString(size)} does not split into ${parts.v} equal parts`, span);
      return ck.tensorOp('split', [first], { axis, split: Array(parts.v).fill(size / parts.v) }, span, ctx, parts.v);
    }
    case 'max_pool2d': case 'avg_pool2d': {
      if (!tensorFirst) break;
      const intArg = (key: string, index: number, fallback: number | undefined): number | undefined | string => {
        const a = named.get(key) ?? positional[index];
        if (!a) return fallback;
        return a.val.k === 'int' && typeof a.val.v === 'number' ? a.val.v : `${name}: ${key} must be a compile-time int, got ${describe(a.val)}`;
      };
      const k = intArg('kernel_size', 1, undefined);
      if (k === undefined) return ck.error('DSC5014', `${name} needs kernel_size`, span);
      const stride = intArg('stride', 2, typeof k === 'number' ? k : 1);
      const padding = intArg('padding', 3, 0);
      for (const v of [k, stride, padding]) if (typeof v === 'string') return ck.error('DSC5015', v, span);
      const attrs: Attrs = { kernel_shape: [k as number, k as number], strides: [stride as number, stride as number], pads: Array(4).fill(padding) };
      const ceil = named.get('ceil_mode')?.val;
      if (ceil?.k === 'bool') attrs.ceil_mode = ceil.v;
      if (name === 'avg_pool2d') {
        const inc = named.get('count_include_pad')?.val;
        attrs.count_include_pad = inc?.k === 'bool' ? inc.v : true;
        return ck.tensorOp('average_pool', [first], attrs, span, ctx);
      }
      return ck.tensorOp('max_pool', [first], attrs, span, ctx);
    }
    case 'layer_norm': {
      if (!tensorFirst) break;
      const eps = named.get('eps');
      const rest = [...positional, ...[...named.values()].filter((a) => a.name !== 'eps')];
      if (eps) rest.push({ ...eps, name: 'epsilon' });
      return irCall(ck, 'layer_normalization', rest, span, ctx);
    }
  }
  if (getOp(name)) return irCall(ck, name, args, span, ctx);
  if (name in MATH || name in REDUCTIONS || FRIENDLY.includes(name)) {
    return ck.error('DSC5015', `${name} does not take (${args.map((a) => `${a.name ? `${a.name}: ` : ''}${describe(a.val)}`).join(', ')})`, span);
  }
  return ck.error('DSC5011', `unknown function '${name}'`, span);
}

/** `param(f32, [out])` in a member: a parameter at the member's path (used for optional parameters). */
function declareParam(ck: Checker, positional: ArgVal[], span: Span, ctx: Ctx): Val {
  if (ctx.path === undefined || ctx.frame) return ck.error('DSC5024', 'param(dtype, shape) declares a parameter, so it belongs in a member such as `bias = if bias { param(f32, [out]) }`', span);
  const [dt, shape] = positional;
  if (!dt || dt.val.k !== 'dtype' || !shape) return ck.error('DSC5014', 'param takes a dtype and a shape: param(f32, [out, in])', span);
  const dims = dimsOf(shape.val);
  if (!dims || dims.some((d) => typeof d !== 'number' || d < 0)) return ck.error('DSC5015', `param '${ctx.path}': the shape must be a list of known sizes, got ${describe(shape.val)}`, shape.span);
  return { k: 'tensor', v: ck.b.param(ctx.path, { dtype: dt.val.v, shape: dims as number[] }) };
}

function dimsOf(v: Val): Dim[] | undefined {
  if (v.k !== 'list') return undefined;
  const out: Dim[] = [];
  for (const item of v.items) {
    if (item.k !== 'int') return undefined;
    out.push(item.v);
  }
  return out;
}

/** An attribute value of the op's declared kind from a .ds value, or what was expected instead. */
function attrValue(kind: AttrKind, v: Val): { value: AttrValue } | { expected: string } {
  const ok = (value: AttrValue | undefined, expected: string) => (value === undefined ? { expected } : { value });
  const ints = v.k === 'list' && v.items.every((i) => i.k === 'int' && typeof i.v === 'number') ? v.items.map(numberOf) : undefined;
  switch (kind) {
    case 'int': return ok(v.k === 'int' && typeof v.v === 'number' ? v.v : undefined, v.k === 'int' ? 'a known int' : 'an int');
    case 'float': return ok(isNumber(v) ? numberOf(v) : undefined, 'a number');
    case 'bool': return ok(v.k === 'bool' ? v.v : undefined, 'a bool');
    case 'string': return ok(v.k === 'string' ? v.v : undefined, 'a string');
    case 'dtype': return ok(v.k === 'dtype' ? v.v : v.k === 'string' && isDType(v.v) ? v.v : undefined, 'a dtype such as f32');
    case 'ints': return ok(ints, 'a list of known ints');
    case 'floats': return ok(v.k === 'list' && v.items.every(isNumber) ? v.items.map(numberOf) : undefined, 'a list of numbers');
    case 'strings': return ok(v.k === 'list' && v.items.every((i) => i.k === 'string') ? v.items.map((i) => (i as { v: string }).v) : undefined, 'a list of strings');
    case 'dims': return ok(dimsOf(v), 'a list of dims (ints or symbolic dims such as N)');
    case 'tensor': return ok(isNumber(v) ? Tensor.scalar(v.k === 'int' ? 'i64' : 'f32', numberOf(v)) : v.k === 'bool' ? Tensor.scalar('bool', v.v ? 1 : 0) : undefined, 'a number');
  }
}

/** A call of an IR op by name: positional data inputs (lists spread into variadic ones), named attributes. */
function irCall(ck: Checker, name: string, args: ArgVal[], span: Span, ctx: Ctx): Val {
  const def = getOp(name) as OpDef;
  const operands: Val[] = [];
  const attrs: Attrs = {};
  for (const a of args) {
    if (a.name) {
      const spec = def.attrs[a.name];
      if (!spec) {
        const names = Object.keys(def.attrs);
        const guess = closestName(a.name, names);
        return ck.error('DSC5014', `${name} has no attribute '${a.name}'${guess ? `; did you mean '${guess}'?` : ''}`, a.nameSpan ?? a.span,
          [{ message: names.length ? `${name} takes ${names.join(', ')}` : `${name} takes no attributes` }]);
      }
      const converted = attrValue(spec.kind, a.val);
      if ('expected' in converted) return ck.error('DSC5015', `${name}: attribute '${a.name}' must be ${converted.expected}, got ${describe(a.val)}`, a.span);
      attrs[a.name] = converted.value;
    } else if (a.val.k === 'list' && def.variadic) operands.push(...a.val.items);
    else operands.push(a.val);
  }
  const max = def.variadic ? Infinity : def.inputs.length;
  const optional = new Set(def.optional ?? []);
  const min = def.variadic ? def.inputs.length - 1 + (def.minInputs ?? 1) : def.inputs.filter((i) => !optional.has(i)).length;
  if (operands.length > max || operands.length < min) {
    const what = def.inputs.length === 0 ? 'no inputs' : `${def.variadic ? 'inputs' : min === max ? `${max} input${max === 1 ? '' : 's'}` : `${min} to ${max} inputs`} (${def.inputs.join(', ')}${def.variadic ? ', ...' : ''})`;
    return ck.error('DSC5014', `${name} takes ${what}, got ${operands.length}`, span);
  }
  const outputs = typeof def.outputs === 'number' ? def.outputs : name === 'split' && Array.isArray(attrs.split) ? (attrs.split as number[]).length : 1;
  return ck.tensorOp(name, operands, attrs, span, ctx, outputs);
}
