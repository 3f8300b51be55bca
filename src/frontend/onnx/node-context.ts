// The view one ONNX node's translation has of the import: its inputs (as run-time values, constants
// or symbolic vectors), its attributes, and a way to emit IR nodes with ONNX-level diagnostics.
import { DType } from '../../ir/dtype.js';
import { Dim } from '../../ir/dim.js';
import { GraphBuilder } from '../../ir/builder.js';
import { Attrs, TensorType, Value } from '../../ir/graph.js';
import { OpError } from '../../ir/registry.js';
import { Tensor, readInts, readNumbers } from '../../ir/tensor.js';
import { onnxDTypeName, onnxDTypeToDType, onnxTensorToTensor } from '../../formats/onnx-proto.js';
import { OnnxAttribute, OnnxNode } from '../../formats/onnx-types.js';
import { diag } from '../../diag/diagnostic.js';
import { KnownValue, intVector, typeOfKnown } from './values.js';

/** What a node translation needs from the importer. */
export interface ImportState {
  readonly file: string;
  readonly baseDir?: string;
  readonly opset: number;
  known(name: string): KnownValue | undefined;
  /** the run-time value of an ONNX value in the main graph, emitting a constant or shape nodes once */
  materialize(name: string): Value;
  /** the data of a value when constants and known inputs determine it, evaluated on demand */
  dataOf(name: string): Tensor | undefined;
  nodeLabel(node: OnnxNode): string;
  /** why a value is not known at import time, e.g. "it depends on graph input 'x'" */
  whyNotConstant(name: string): string;
  isUsed(name: string): boolean;
}

export class NodeCtx {
  constructor(
    readonly state: ImportState,
    readonly node: OnnxNode,
    /** the builder IR nodes go to: the main graph, or a scratch graph evaluated at import time */
    readonly b: GraphBuilder,
    readonly scratch: boolean,
  ) {}

  get opset(): number { return this.state.opset; }
  get opType(): string { return this.node.opType; }

  has(i: number): boolean { return i < this.node.inputs.length && this.node.inputs[i] !== ''; }
  known(i: number): KnownValue | undefined { return this.has(i) ? this.state.known(this.node.inputs[i]) : undefined; }

  type(i: number): TensorType {
    const k = this.known(i);
    if (!k) throw this.invalid(`input ${i} is missing`);
    return typeOfKnown(k);
  }

  /** Input i as an IR value of the builder in use. */
  value(i: number): Value {
    const k = this.known(i);
    if (!k) throw this.invalid(`input ${i} is missing`);
    if (!this.scratch) return this.state.materialize(this.node.inputs[i]);
    const data = this.state.dataOf(this.node.inputs[i]);
    if (!data) throw new Error(`internal error: import-time evaluation of ${this.opType} reached a run-time input`);
    return this.b.op1('constant', [], { value: data });
  }

  /** Input i as a constant tensor; a DSC2004 diagnostic when it is only known at run time. */
  tensor(i: number, what: string): Tensor {
    const data = this.has(i) ? this.state.dataOf(this.node.inputs[i]) : undefined;
    if (data) return data;
    throw this.notConstant(i, what);
  }

  /** Input i as integers known at import time. */
  ints(i: number, what: string): number[] {
    const v = intVector(this.known(i));
    if (v && v.dims.every((d) => typeof d === 'number')) return v.dims as number[];
    if (v) throw diag('DSC2004', `${this.label()}: input '${what}' must be a constant; it is [${v.dims.join(', ')}], which depends on symbolic dims`, this.loc());
    return readInts(this.tensor(i, what));
  }

  /** Input i as dims (numbers or symbolic expressions) known at import time. */
  dims(i: number, what: string): Dim[] {
    const v = intVector(this.known(i));
    if (v) return v.dims;
    return readInts(this.tensor(i, what));
  }

  /** Input i as one float known at import time. */
  scalar(i: number, what: string): number {
    const t = this.tensor(i, what);
    if (t.size !== 1) throw this.invalid(`input '${what}' must hold one value, it has shape [${t.shape.join(', ')}]`);
    return readNumbers(t)[0];
  }

  attr(name: string): OnnxAttribute | undefined { return this.node.attributes.get(name); }

  int(name: string, dflt: number): number;
  int(name: string): number | undefined;
  int(name: string, dflt?: number): number | undefined {
    const a = this.attr(name);
    if (!a) return dflt;
    if (a.type !== 'int') throw this.invalid(`attribute '${name}' must be an int`);
    return a.value;
  }

  float(name: string, dflt: number): number;
  float(name: string): number | undefined;
  float(name: string, dflt?: number): number | undefined {
    const a = this.attr(name);
    if (!a) return dflt;
    if (a.type !== 'float' && a.type !== 'int') throw this.invalid(`attribute '${name}' must be a float`);
    return a.value;
  }

  intList(name: string): number[] | undefined {
    const a = this.attr(name);
    if (!a) return undefined;
    if (a.type !== 'ints') throw this.invalid(`attribute '${name}' must be a list of ints`);
    return a.value;
  }

  floatList(name: string): number[] | undefined {
    const a = this.attr(name);
    if (!a) return undefined;
    if (a.type !== 'floats') throw this.invalid(`attribute '${name}' must be a list of floats`);
    return a.value;
  }

  string(name: string, dflt: string): string {
    const a = this.attr(name);
    if (!a) return dflt;
    if (a.type !== 'string') throw this.invalid(`attribute '${name}' must be a string`);
    return a.value;
  }

  attrTensor(name: string): Tensor | undefined {
    const a = this.attr(name);
    if (!a) return undefined;
    if (a.type !== 'tensor') throw this.invalid(`attribute '${name}' must be a tensor`);
    return onnxTensorToTensor(a.value, { file: this.state.file, baseDir: this.state.baseDir });
  }

  dtypeOf(onnxType: number, what: string): DType {
    const d = onnxDTypeToDType(onnxType);
    if (!d) throw diag('DSC2001', `${this.label()}: ${what} ${onnxDTypeName(onnxType)} is not supported`, this.loc());
    return d;
  }

  /** Whether output i is named and consumed by the model. */
  used(i: number): boolean {
    const n = this.node.outputs[i];
    return n !== undefined && n !== '' && this.state.isUsed(n);
  }

  /**
   * Emit an IR op; the ONNX output names name its outputs unless `names` says otherwise.
   * Shape-rule failures become DSC2005 naming the ONNX node.
   */
  op(op: string, inputs: (Value | null)[], attrs: Attrs = {}, opts: { outputs?: number; names?: (string | undefined)[] } = {}): Value[] {
    const names = opts.names ?? this.node.outputs.map((n) => n || undefined);
    try {
      return this.b.op(op, inputs, attrs, { outputs: opts.outputs, names: names.map((n) => n ?? ''), loc: this.node.name || undefined });
    } catch (e) {
      if (e instanceof OpError) throw diag('DSC2005', `${this.label()} (IR op ${op}): ${e.message}`, this.loc());
      throw e;
    }
  }

  op1(op: string, inputs: (Value | null)[], attrs: Attrs = {}, name?: string): Value {
    return this.op(op, inputs, attrs, { outputs: 1, names: [name ?? this.node.outputs[0]] })[0];
  }

  /** A name for an intermediate value of this node's translation. */
  tmpName(suffix: string): string {
    return `${this.node.outputs[0] || this.opType}_${suffix}`;
  }

  label(): string { return this.state.nodeLabel(this.node); }
  loc() { return { file: this.state.file }; }

  invalid(message: string) {
    return diag('DSC2002', `${this.label()}: ${message}`, this.loc());
  }

  notConstant(i: number, what: string) {
    return diag('DSC2004', `${this.label()}: input '${what}' must be a constant or computable from input shapes; ${this.state.whyNotConstant(this.node.inputs[i])}`, this.loc());
  }
}

/** ONNX op type to the IR's naming (snake_case), e.g. ConvTranspose -> conv_transpose. */
export function snakeish(opType: string): string {
  return opType.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}
