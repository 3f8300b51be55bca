// How each ONNX operator becomes IR: most map one to one (the IR op is the ONNX name in snake_case,
// attributes converted by the registry's attribute kinds); the rules here cover ONNX inputs that are
// attributes in the IR, opset differences, and operators with no single IR counterpart.
import { Dim, dimCeilDiv, dimEq, dimFloorDiv, dimMul, dimProduct, dimSub } from '../../ir/dim.js';
import { Attrs, AttrValue, Value } from '../../ir/graph.js';
import { AttrSpec, OpDef, getOp } from '../../ir/registry.js';
import { Tensor, readNumbers } from '../../ir/tensor.js';
import { onnxTensorToTensor } from '../../formats/onnx-proto.js';
import { OnnxAttribute, OnnxNode } from '../../formats/onnx-types.js';
import { NodeCtx, snakeish } from './node-context.js';
import { diag } from '../../diag/diagnostic.js';
import {
  Folder, foldAdd, foldCast, foldConcat, foldDiv, foldEqual, foldGather, foldMul, foldReshape, foldShape, foldSize,
  foldSlice, foldSqueeze, foldSub, foldUnsqueeze, foldWhere,
} from './shape-folding.js';
import { KnownValue, intVector } from './values.js';
import { QUANT_RULES } from './op-table-quant.js';
import { SEQUENCE_MODEL_RULES } from './op-table-sequence.js';

/** What a support check may ask about the model around a node. */
export interface RuleQuery {
  opset: number;
  /** whether output i of the node is consumed */
  used(output: number): boolean;
  /** whether a value is fixed by the model (an initializer or a Constant node's output) */
  isConstant(name: string): boolean;
}

export interface OpRule {
  /** IR ops the translation emits; the node counts as unsupported when the registry lacks one */
  irOps: string[];
  /** why this node cannot be imported (e.g. "training_mode=1"), or undefined when it can */
  unsupported?(node: OnnxNode, q: RuleQuery): string | undefined;
  /** import-time result from known inputs, tried before the node is translated */
  fold?: Folder;
  /** the outputs are input 0 (Identity, Dropout at inference) */
  passThrough?: boolean;
  /** inputs the translation reads only for their dtype (CastLike's `like`); a graph input read only so is not an IR input */
  typeOnlyInputs?: readonly number[];
  /** emit IR for the node; one entry per ONNX output, null for outputs that are not produced */
  translate(cx: NodeCtx): (Value | null)[];
}

/** ONNX attributes that do not change inference results, per op type ('*' for every op). */
const INERT_ATTRS: Record<string, string[]> = {
  '*': ['consumed_inputs', 'is_test'],
  BatchNormalization: ['momentum', 'spatial', 'training_mode'],
  LayerNormalization: ['stash_type'],
  Gemm: ['broadcast'],
  Dropout: ['ratio', 'seed', 'training_mode'],
};

function inert(opType: string, attr: string): boolean {
  return INERT_ATTRS['*'].includes(attr) || (INERT_ATTRS[opType]?.includes(attr) ?? false);
}

/** ONNX op types whose IR name is not their snake_case or lower-case spelling. */
const IR_NAMES: Record<string, string> = { IsNaN: 'is_nan', Scatter: 'scatter_elements' };

/** The IR name of an ONNX op type; the registry decides between spellings (MatMul -> matmul). */
export function irOpName(opType: string): string | undefined {
  for (const name of [IR_NAMES[opType], snakeish(opType), opType.toLowerCase()]) if (name && getOp(name)) return name;
  return undefined;
}

export function convertAttr(cx: NodeCtx, name: string, a: OnnxAttribute, spec: AttrSpec): AttrValue {
  const bad = () => cx.invalid(`attribute '${name}' has type ${a.type}, expected ${spec.kind}`);
  switch (spec.kind) {
    case 'int': case 'float':
      if (a.type !== 'int' && a.type !== 'float') throw bad();
      return a.value;
    case 'bool':
      if (a.type !== 'int') throw bad();
      return a.value !== 0;
    case 'string':
      if (a.type !== 'string') throw bad();
      return a.value;
    case 'ints': case 'floats': case 'dims':
      if (a.type === 'int' || a.type === 'float') return [a.value];
      if (a.type !== 'ints' && a.type !== 'floats') throw bad();
      return a.value;
    case 'strings':
      if (a.type !== 'strings') throw bad();
      return a.value;
    case 'dtype':
      if (a.type !== 'int') throw bad();
      return cx.dtypeOf(a.value, `attribute '${name}'`);
    case 'tensor':
      if (a.type !== 'tensor') throw bad();
      return onnxTensorToTensor(a.value, { file: cx.state.file, baseDir: cx.state.baseDir });
  }
}

/** The node's ONNX attributes the IR op knows, converted; inert ones are dropped. */
function convertAttrs(cx: NodeCtx, def: OpDef, skip: readonly string[] = []): Attrs {
  const out: Attrs = {};
  for (const [name, a] of cx.node.attributes) {
    if (skip.includes(name)) continue;
    const irName = snakeish(name);
    const spec = def.attrs[irName];
    if (spec) out[irName] = convertAttr(cx, name, a, spec);
  }
  return out;
}

/** Why a one-to-one translation would lose meaning: an unknown attribute or a used extra output. */
function oneToOneProblem(def: OpDef, node: OnnxNode, q: RuleQuery, handled: readonly string[] = []): string | undefined {
  for (const name of node.attributes.keys())
    if (!(snakeish(name) in def.attrs) && !inert(node.opType, name) && !handled.includes(name)) return `attribute '${name}'`;
  if (typeof def.outputs === 'number')
    for (let i = def.outputs; i < node.outputs.length; i++) if (q.used(i)) return `output ${i} ('${node.outputs[i]}') used`;
  return undefined;
}

function outputsOf(def: OpDef, node: OnnxNode): number {
  return typeof def.outputs === 'number' ? def.outputs : node.outputs.length;
}

/** Inputs as IR values, trailing omitted ones dropped. */
function dataInputs(cx: NodeCtx, skip: readonly number[] = []): (Value | null)[] {
  const ins: (Value | null)[] = [];
  cx.node.inputs.forEach((n, i) => { if (!skip.includes(i)) ins.push(n === '' ? null : cx.value(i)); });
  while (ins.length > 0 && ins[ins.length - 1] === null) ins.pop();
  return ins;
}

function produced(cx: NodeCtx, outs: Value[]): (Value | null)[] {
  return cx.node.outputs.map((_, i) => outs[i] ?? null);
}

/** One-to-one translation to `ir`; `attrInputs` maps ONNX input positions to IR attributes. */
export function oneToOne(
  ir: string,
  opts: {
    attrInputs?: (cx: NodeCtx) => { index: number; attrs: Attrs }[];
    /** ONNX attributes the attrInputs callback reads itself */
    handledAttrs?: string[];
    fold?: Folder;
  } = {},
): OpRule {
  return {
    irOps: [ir],
    fold: opts.fold,
    unsupported: (node, q) => oneToOneProblem(getOp(ir)!, node, q, opts.handledAttrs),
    translate(cx) {
      const def = getOp(ir)!;
      const extra = opts.attrInputs?.(cx) ?? [];
      const attrs = convertAttrs(cx, def, opts.handledAttrs);
      for (const e of extra) Object.assign(attrs, e.attrs);
      const outs = cx.op(ir, dataInputs(cx, extra.map((e) => e.index)), attrs, { outputs: outputsOf(def, cx.node) });
      return produced(cx, outs);
    },
  };
}

function withFold(opType: string, fold: Folder): OpRule | undefined {
  const ir = irOpName(opType);
  return ir ? oneToOne(ir, { fold }) : undefined;
}

/**
 * Binary ops before opset 7 broadcast only with broadcast=1, aligning B with A at `axis` (or at the
 * end); B gets trailing 1-dims so that numpy broadcasting does the same.
 */
function binary(opType: string, fold?: Folder): OpRule | undefined {
  const ir = irOpName(opType);
  if (!ir) return undefined;
  const plain = oneToOne(ir, { fold });
  return {
    ...plain,
    unsupported: (node, q) => oneToOneProblem(getOp(ir)!, node, q, q.opset < 7 ? ['broadcast', 'axis'] : []),
    translate(cx) {
      const axis = cx.int('axis');
      if (cx.opset >= 7 || axis === undefined || cx.int('broadcast', 0) === 0) return plain.translate(cx);
      const a = cx.type(0).shape, b = cx.type(1).shape;
      const start = axis < 0 ? axis + a.length : axis;
      const trailing = a.length - start - b.length;
      if (start < 0 || trailing < 0) throw cx.invalid(`axis ${axis} does not align a rank-${b.length} B with a rank-${a.length} A`);
      const aligned = trailing === 0 ? cx.value(1) : cx.op1('reshape', [cx.value(1)], { shape: [...b, ...new Array<number>(trailing).fill(1)] }, cx.tmpName('b'));
      return [cx.op1(ir, [cx.value(0), aligned])];
    },
  };
}

const passThrough = (unsupported?: OpRule['unsupported']): OpRule => ({
  irOps: [],
  passThrough: true,
  unsupported,
  translate: (cx) => [cx.value(0)],
});

/** Softmax, LogSoftmax, Hardmax: before opset 13 they work on the input flattened to 2-D at `axis`. */
function softmaxLike(ir: string): OpRule {
  return {
    irOps: [ir, 'reshape'],
    unsupported: (node, q) => oneToOneProblem(getOp(ir)!, node, q),
    translate(cx) {
      if (cx.opset >= 13) return [cx.op1(ir, [cx.value(0)], { axis: cx.int('axis', -1) })];
      const shape = cx.type(0).shape;
      const rank = shape.length;
      const raw = cx.int('axis', 1);
      const axis = raw < 0 ? raw + rank : raw;
      if (axis < 0 || axis > rank) throw cx.invalid(`axis ${raw} is out of range for rank ${rank}`);
      if (axis === rank - 1) return [cx.op1(ir, [cx.value(0)], { axis: -1 })];
      const flat = cx.op1('reshape', [cx.value(0)], { shape: [dimProduct(shape.slice(0, axis)), dimProduct(shape.slice(axis))] }, cx.tmpName('2d'));
      const y = cx.op1(ir, [flat], { axis: -1 }, cx.tmpName(ir));
      return [cx.op1('reshape', [y], { shape: [...shape] })];
    },
  };
}

/** Reduce*: axes is an input from opset 18 (ReduceSum: 13), an attribute before. */
function reduce(ir: string, axesInputSince: number): OpRule {
  return oneToOne(ir, {
    handledAttrs: ['axes'],
    attrInputs: (cx) => {
      const axes = cx.opset >= axesInputSince ? (cx.has(1) ? cx.ints(1, 'axes') : undefined) : cx.intList('axes');
      const attrs: Attrs = axes ? { axes } : {};
      return [{ index: 1, attrs }];
    },
  });
}

/** Resolve Reshape's 0 (copy the input dim) and, where the dims cancel, its -1. */
export function reshapeTarget(input: readonly Dim[], target: readonly Dim[], allowZero: boolean): Dim[] | string {
  const out = target.map((d, i) => {
    if (d !== 0 || allowZero) return d;
    return i < input.length ? input[i] : undefined;
  });
  if (out.some((d) => d === undefined)) return `shape [${target.join(', ')}] copies a dim beyond the input's rank ${input.length}`;
  const dims = out as Dim[];
  const inferred = dims.findIndex((d) => d === -1);
  if (inferred < 0 || dims.filter((d) => d === -1).length > 1) return dims;
  const rest = input.slice();
  const known: Dim[] = [];
  dims.forEach((d, i) => {
    if (i === inferred) return;
    const j = rest.findIndex((r) => dimEq(r, d));
    if (j >= 0) rest.splice(j, 1);
    else known.push(d);
  });
  const divisor = dimProduct(known);
  const total = dimProduct(rest);
  if (typeof divisor !== 'number' || divisor <= 0) return dims;
  const q = dimFloorDiv(total, divisor);
  if (!dimEq(dimMul(q, divisor), total)) return dims;
  dims[inferred] = q;
  return dims;
}

function splitSizes(cx: NodeCtx, axisDim: Dim): number[] | undefined {
  if (cx.opset >= 13 && cx.has(1)) return cx.ints(1, 'split');
  if (cx.opset < 13 && cx.intList('split')) return cx.intList('split');
  const parts = cx.opset >= 18 ? cx.int('num_outputs', cx.node.outputs.length) : cx.node.outputs.length;
  if (typeof axisDim !== 'number') return undefined;
  const chunk = Math.ceil(axisDim / parts);
  return Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, axisDim - i * chunk)));
}

const floatsOf = (cx: NodeCtx, i: number, what: string) => Array.from(readNumbers(cx.tensor(i, what)));

function resizeAttrs(cx: NodeCtx): Attrs {
  const attrs = convertAttrs(cx, getOp('resize')!);
  if (cx.opType === 'Upsample' || cx.opset < 11) {
    const mode = cx.string('mode', 'nearest');
    return {
      mode: mode === 'bilinear' ? 'linear' : mode,
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
      scales: cx.opType === 'Upsample' && cx.opset < 9 ? cx.floatList('scales') ?? [] : floatsOf(cx, 1, 'scales'),
    };
  }
  if (attrs.coordinate_transformation_mode === 'tf_crop_and_resize') attrs.roi = floatsOf(cx, 1, 'roi');
  const scales = cx.has(2) ? floatsOf(cx, 2, 'scales') : [];
  if (scales.length > 0) attrs.scales = scales;
  else if (cx.has(3)) attrs.sizes = cx.dims(3, 'sizes');
  else throw cx.invalid('Resize needs scales or sizes');
  return attrs;
}

const SPECIAL: Record<string, () => OpRule | undefined> = {
  Identity: () => passThrough(),
  Dropout: () => ({
    irOps: ['constant_of_shape'],
    unsupported: (node, q) => (node.inputs[2] && !q.isConstant(node.inputs[2]) ? 'a training_mode input' : undefined),
    translate(cx) {
      if (cx.has(2) && cx.scalar(2, 'training_mode') !== 0) throw diag('DSC2001', `${cx.label()}: training mode is not supported`, cx.loc());
      if (!cx.used(1)) return [cx.value(0)];
      // at inference nothing is dropped: the mask is all true
      const mask = cx.op1('constant_of_shape', [], { shape: [...cx.type(0).shape], value: Tensor.fromNumbers('bool', [1], [1]) }, cx.node.outputs[1]);
      return [cx.value(0), mask];
    },
  }),
  Constant: () => ({
    irOps: [],
    unsupported: (node) => {
      for (const k of ['sparse_value', 'value_string', 'value_strings']) if (node.attributes.has(k)) return `attribute '${k}'`;
      return undefined;
    },
    fold: (cx) => {
      const f = cx.float('value_float');
      const fs = cx.floatList('value_floats');
      const i = cx.int('value_int');
      const is = cx.intList('value_ints');
      const t = cx.attrTensor('value');
      if (t) return [{ kind: 'const', tensor: t }];
      if (f !== undefined) return [constOf('f32', [], [f])];
      if (fs) return [constOf('f32', [fs.length], fs)];
      if (i !== undefined) return [constOf('i64', [], [i])];
      if (is) return [constOf('i64', [is.length], is)];
      throw cx.invalid('Constant has no value');
    },
    translate: (cx) => { throw cx.invalid('Constant has no value'); },
  }),
  Shape: () => ({
    irOps: ['shape'],
    fold: foldShape,
    translate: (cx) => [cx.op1('shape', [cx.value(0)], cx.opset >= 15 ? convertAttrs(cx, getOp('shape')!) : {})],
  }),
  Size: () => ({ irOps: ['size'], fold: foldSize, translate: (cx) => [cx.op1('size', [cx.value(0)])] }),
  Gather: () => withFold('Gather', foldGather),
  Add: () => binary('Add', foldAdd),
  Sub: () => binary('Sub', foldSub),
  Mul: () => binary('Mul', foldMul),
  Div: () => binary('Div', foldDiv),
  Equal: () => binary('Equal', foldEqual),
  Pow: () => binary('Pow'),
  And: () => binary('And'),
  Or: () => binary('Or'),
  Xor: () => binary('Xor'),
  Greater: () => binary('Greater'),
  Less: () => binary('Less'),
  Concat: () => oneToOne('concat', {
    fold: foldConcat,
    handledAttrs: ['axis'],
    // before opset 4 the axis was optional and defaulted to 1
    attrInputs: (cx) => [{ index: -1, attrs: { axis: cx.int('axis', cx.opset < 4 ? 1 : 0) } }],
  }),
  Trilu: () => oneToOne('trilu', { attrInputs: (cx) => [{ index: 1, attrs: cx.has(1) ? { k: cx.ints(1, 'k')[0] } : ({} as Attrs) }] }),
  Where: () => withFold('Where', foldWhere),
  Cast: () => withFold('Cast', foldCast),
  CastLike: () => ({
    irOps: ['cast'],
    typeOnlyInputs: [1],
    fold: foldCast,
    translate: (cx) => [cx.op1('cast', [cx.value(0)], { to: cx.type(1).dtype })],
  }),
  Reshape: () => ({
    irOps: ['reshape'],
    fold: foldReshape,
    translate(cx) {
      const target = cx.opset < 5 ? cx.intList('shape') ?? [] : cx.dims(1, 'shape');
      const shape = reshapeTarget(cx.type(0).shape, target, cx.int('allowzero', 0) !== 0);
      if (typeof shape === 'string') throw cx.invalid(shape);
      return [cx.op1('reshape', [cx.value(0)], { shape })];
    },
  }),
  Slice: () => ({
    irOps: ['slice'],
    fold: foldSlice,
    translate(cx) {
      if (cx.opset < 10) return [cx.op1('slice', [cx.value(0)], convertAttrs(cx, getOp('slice')!))];
      const attrs: Attrs = { starts: cx.ints(1, 'starts'), ends: cx.ints(2, 'ends') };
      if (cx.has(3)) attrs.axes = cx.ints(3, 'axes');
      if (cx.has(4)) attrs.steps = cx.ints(4, 'steps');
      return [cx.op1('slice', [cx.value(0)], attrs)];
    },
  }),
  Squeeze: () => ({
    irOps: ['squeeze'],
    fold: foldSqueeze,
    translate(cx) {
      const axes = cx.opset >= 13 ? (cx.has(1) ? cx.ints(1, 'axes') : undefined) : cx.intList('axes');
      return [cx.op1('squeeze', [cx.value(0)], axes ? { axes } : {})];
    },
  }),
  Unsqueeze: () => ({
    irOps: ['unsqueeze'],
    fold: foldUnsqueeze,
    translate(cx) {
      const axes = cx.opset >= 13 ? cx.ints(1, 'axes') : cx.intList('axes');
      if (!axes) throw cx.invalid('Unsqueeze needs axes');
      return [cx.op1('unsqueeze', [cx.value(0)], { axes })];
    },
  }),
  Softmax: () => softmaxLike('softmax'),
  LogSoftmax: () => softmaxLike('log_softmax'),
  Hardmax: () => softmaxLike('hardmax'),
  Split: () => ({
    irOps: ['split'],
    translate(cx) {
      const rank = cx.type(0).shape.length;
      const rawAxis = cx.int('axis', 0);
      const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
      if (axis < 0 || axis >= rank) throw cx.invalid(`axis ${rawAxis} is out of range for rank ${rank}`);
      const split = splitSizes(cx, cx.type(0).shape[axis]);
      const outs = cx.op('split', [cx.value(0)], split ? { axis, split } : { axis }, { outputs: cx.node.outputs.length });
      return produced(cx, outs);
    },
  }),
  Pad: () => ({
    irOps: ['pad'],
    translate(cx) {
      const mode = cx.string('mode', 'constant');
      if (cx.opset < 11) return [cx.op1('pad', [cx.value(0)], { pads: cx.intList('pads') ?? [], mode, value: cx.float('value', 0) })];
      let pads = cx.ints(1, 'pads');
      const value = cx.has(2) ? cx.scalar(2, 'constant_value') : 0;
      if (cx.opset >= 18 && cx.has(3)) {
        const rank = cx.type(0).shape.length;
        const axes = cx.ints(3, 'axes').map((a) => (a < 0 ? a + rank : a));
        const full = new Array<number>(2 * rank).fill(0);
        axes.forEach((a, j) => { full[a] = pads[j]; full[rank + a] = pads[axes.length + j]; });
        pads = full;
      }
      return [cx.op1('pad', [cx.value(0)], { pads, mode, value })];
    },
  }),
  Clip: () => ({
    irOps: ['clip'],
    translate(cx) {
      const attrs: Attrs = {};
      if (cx.opset >= 11) {
        if (cx.has(1)) attrs.min = cx.scalar(1, 'min');
        if (cx.has(2)) attrs.max = cx.scalar(2, 'max');
      } else {
        const min = cx.float('min'), max = cx.float('max');
        if (min !== undefined) attrs.min = min;
        if (max !== undefined) attrs.max = max;
      }
      return [cx.op1('clip', [cx.value(0)], attrs)];
    },
  }),
  Resize: () => ({
    irOps: ['resize'],
    unsupported: (node, q) => oneToOneProblem(getOp('resize')!, node, q, q.opset < 11 ? ['mode'] : []),
    translate: (cx) => [cx.op1('resize', [cx.value(0)], resizeAttrs(cx))],
  }),
  Upsample: () => ({
    irOps: ['resize'],
    unsupported: (node) => (['nearest', 'linear', 'bilinear'].includes(modeOf(node)) ? undefined : `mode '${modeOf(node)}'`),
    translate: (cx) => [cx.op1('resize', [cx.value(0)], resizeAttrs(cx))],
  }),
  TopK: () => oneToOne('topk', {
    attrInputs: (cx) => (cx.opset >= 10 ? [{ index: 1, attrs: { k: cx.ints(1, 'K')[0] } }] : []),
  }),
  CumSum: () => oneToOne('cum_sum', { attrInputs: (cx) => [{ index: 1, attrs: { axis: cx.ints(1, 'axis')[0] } }] }),
  OneHot: () => oneToOne('one_hot', { attrInputs: (cx) => [{ index: 1, attrs: { depth: cx.ints(1, 'depth')[0] } }] }),
  Tile: () => oneToOne('tile', { attrInputs: (cx) => [{ index: 1, attrs: { repeats: cx.ints(1, 'repeats') } }] }),
  Expand: () => oneToOne('expand', { attrInputs: (cx) => [{ index: 1, attrs: { shape: cx.dims(1, 'shape') } }] }),
  ConstantOfShape: () => oneToOne('constant_of_shape', { attrInputs: (cx) => [{ index: 0, attrs: { shape: cx.dims(0, 'input') } }] }),
  Range: () => ({
    irOps: ['range', 'constant_of_shape', 'cum_sum', 'mul', 'add', 'constant'],
    translate(cx) {
      const start = cx.scalar(0, 'start'), delta = cx.scalar(2, 'delta');
      const limit = intVector(cx.known(1));
      const dtype = cx.type(0).dtype;
      if (!limit || typeof limit.dims[0] === 'number' || !Number.isInteger(start) || !Number.isInteger(delta) || delta <= 0)
        return [cx.op1('range', [], { start, limit: cx.scalar(1, 'limit'), delta, dtype })];
      // arange to a symbolic limit (positions 0..S-1): start + delta * exclusive-cumsum(ones[n])
      const n = dimCeilDiv(dimSub(limit.dims[0], start), delta);
      const ones = cx.op1('constant_of_shape', [], { shape: [n], value: Tensor.fromNumbers(dtype, [1], [1]) }, cx.tmpName('ones'));
      let y = cx.op1('cum_sum', [ones], { axis: 0, exclusive: true }, delta === 1 && start === 0 ? undefined : cx.tmpName('steps'));
      const scalar = (v: number, what: string) => cx.op1('constant', [], { value: Tensor.fromNumbers(dtype, [], [v]) }, cx.tmpName(what));
      if (delta !== 1) y = cx.op1('mul', [y, scalar(delta, 'delta')], {}, start === 0 ? undefined : cx.tmpName('scaled'));
      if (start !== 0) y = cx.op1('add', [y, scalar(start, 'start')]);
      return [y];
    },
  }),
  BatchNormalization: () => ({
    ...oneToOne('batch_normalization'),
    unsupported(node, q) {
      if ((intAttr(node, 'training_mode') ?? 0) !== 0) return 'training_mode=1';
      if ((intAttr(node, 'spatial') ?? 1) !== 1) return 'spatial=0';
      for (let i = 1; i < node.outputs.length; i++) if (q.used(i)) return `training output '${node.outputs[i]}' used`;
      return oneToOneProblem(getOp('batch_normalization')!, node, q);
    },
  }),
  LayerNormalization: () => ({
    irOps: ['layer_normalization', 'reduce_mean', 'sub', 'mul', 'add', 'sqrt', 'reciprocal', 'constant'],
    unsupported: (node, q) => oneToOneProblem(getOp('layer_normalization')!, node, { ...q, used: (i) => i > 2 && q.used(i) }),
    translate(cx) {
      const y = oneToOne('layer_normalization').translate(cx)[0];
      if (!cx.used(1) && !cx.used(2)) return [y];
      // the statistics outputs, over the axes from `axis` on, with those axes kept as 1
      const x = cx.value(0);
      const rank = x.type.shape.length;
      const axis = cx.int('axis', -1) < 0 ? cx.int('axis', -1) + rank : cx.int('axis', -1);
      const axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
      const mean = cx.op1('reduce_mean', [x], { axes, keepdims: true }, cx.node.outputs[1] || cx.tmpName('mean'));
      const centered = cx.op1('sub', [x, mean], {}, cx.tmpName('centered'));
      const variance = cx.op1('reduce_mean', [cx.op1('mul', [centered, centered], {}, cx.tmpName('sq'))], { axes, keepdims: true }, cx.tmpName('var'));
      const eps = cx.op1('constant', [], { value: Tensor.fromNumbers(x.type.dtype, [], [cx.float('epsilon', 1e-5)]) }, cx.tmpName('eps'));
      const std = cx.op1('sqrt', [cx.op1('add', [variance, eps], {}, cx.tmpName('var_eps'))], {}, cx.tmpName('std'));
      const invStd = cx.op1('reciprocal', [std], {}, cx.node.outputs[2] || cx.tmpName('inv_std'));
      return [y, mean, invStd];
    },
  }),
  PRelu: () => ({
    ...oneToOne('prelu'),
    translate(cx) {
      const x = cx.type(0).shape, slope = cx.type(1).shape;
      // before opset 7 a 1-D slope holds one value per channel (axis 1)
      if (cx.opset >= 7 || slope.length !== 1 || x.length <= 2 || !dimEq(slope[0], x[1])) return [cx.op1('prelu', [cx.value(0), cx.value(1)])];
      const perChannel = cx.op1('reshape', [cx.value(1)], { shape: [slope[0], ...new Array<number>(x.length - 2).fill(1)] }, cx.tmpName('slope'));
      return [cx.op1('prelu', [cx.value(0), perChannel])];
    },
  }),
  MaxPool: () => ({
    ...oneToOne('max_pool'),
    unsupported: (node, q) => oneToOneProblem(getOp('max_pool')!, node, q),
    translate(cx) {
      const attrs = convertAttrs(cx, getOp('max_pool')!);
      const outs = cx.op('max_pool', [cx.value(0)], attrs, { outputs: cx.used(1) ? 2 : 1 });
      return produced(cx, outs);
    },
  }),
};

function intAttr(node: OnnxNode, name: string): number | undefined {
  const a = node.attributes.get(name);
  return a?.type === 'int' ? a.value : undefined;
}

function modeOf(node: OnnxNode): string {
  const a = node.attributes.get('mode');
  return a?.type === 'string' ? a.value : 'nearest';
}

function constOf(dtype: 'f32' | 'i64', shape: number[], values: number[]): KnownValue {
  return { kind: 'const', tensor: Tensor.fromNumbers(dtype, shape, values) };
}

const REDUCE_OPS = ['ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare'];

/** The rule for an ONNX op type in the default domain, or undefined when dsc has no translation. */
export function ruleFor(opType: string): OpRule | undefined {
  if (REDUCE_OPS.includes(opType)) return reduce(snakeish(opType), opType === 'ReduceSum' ? 13 : 18);
  const special = SPECIAL[opType] ?? QUANT_RULES[opType] ?? SEQUENCE_MODEL_RULES[opType];
  if (special) return special();
  const ir = irOpName(opType);
  return ir ? oneToOne(ir) : undefined;
}
