// The op registry: each op declares, in one place, its inputs, attributes, shape/dtype rule,
// reference semantics and cost. Ops live in src/ir/ops/*.ts and call defineOp at import time;
// src/ir/ops/index.ts imports them all.
import { Attrs, AttrValue, TensorType } from './graph.js';
import { Tensor } from './tensor.js';
import { DimEnv } from './dim.js';

export type AttrKind = 'int' | 'float' | 'bool' | 'string' | 'ints' | 'floats' | 'strings' | 'dims' | 'dtype' | 'tensor';

export interface AttrSpec {
  kind: AttrKind;
  /** value used when the attribute is absent; an attribute with neither default nor optional is required */
  default?: AttrValue;
  optional?: boolean;
  doc?: string;
}

/** Thrown by shape rules and reference semantics for ill-typed use; becomes a diagnostic. */
export class OpError extends Error {
  constructor(message: string) { super(message); this.name = 'OpError'; }
}

export interface InferCtx {
  /** input types; null where an optional input is omitted */
  inputs: (TensorType | null)[];
  /** attributes with defaults filled in */
  attrs: Attrs;
  /** number of outputs the node declares */
  nOutputs: number;
}

export interface EvalCtx {
  inputs: (Tensor | null)[];
  /** attributes with defaults filled in, and 'dims' attributes evaluated to numbers */
  attrs: Attrs;
  nOutputs: number;
  /** output types as inferred (may be symbolic) */
  outTypes: TensorType[];
  /** bound symbolic dims */
  env: DimEnv;
}

export interface Cost {
  /** floating-point (or integer) operations */
  flops: number;
  /** bytes read plus bytes written, assuming each input and output moves once */
  bytes: number;
}

/**
 * What kind of computation an op is, declared on the op (as MLIR's traits are) so that passes and
 * code generators read one place: forget a trait and the op is simply not fused, viewed or written
 * in place, never silently miscompiled. Absent means false.
 */
export interface OpTraits {
  /** output element i depends only on the input elements at index i (inputs may broadcast): fusable into chains and epilogues, may write in place */
  elementwise?: boolean;
  /** the result is the input's storage, unchanged, under another shape (the reshape family and identity) */
  alias?: boolean;
  /** the reshape family: the input's elements in the same order under another shape */
  reshape?: boolean;
  /** a static index map from the result's coordinates to the input's: a kernel can compose it into its loads (a view) */
  movement?: boolean;
  /** each output element is a per-channel affine map of the same element of its first input (inference batch norm): may join an elementwise chain, but is no GEMM epilogue and writes nothing in place */
  channelAffine?: boolean;
  /** contracts over an input dimension (conv, matmul, gemm) and takes elementwise epilogues */
  contraction?: boolean;
  /** a per-channel sliding window (pooling) that may join the conv kernel whose output it reads */
  window?: boolean;
  /** reduces its input over axes */
  reduction?: boolean;
  /** the inputs its kernel reads by element coordinates with ordinary loads, so it can read them through a view (elementwise ops read every input so) */
  viewInputs?: readonly number[];
  /** its kernel stores its result by element coordinates, so it can store through a transpose (elementwise ops do) */
  storeView?: boolean;
}

export interface OpDef {
  name: string;
  summary: string;
  traits?: OpTraits;
  /** names of the inputs in order; those listed in `optional` may be omitted (null) */
  inputs: string[];
  optional?: string[];
  /** the last input may repeat (concat, sum, max, ...), at least `minInputs` times */
  variadic?: boolean;
  minInputs?: number;
  /** number of outputs, or 'variadic' when the node says (split) */
  outputs: number | 'variadic';
  attrs: Record<string, AttrSpec>;
  infer(ctx: InferCtx): TensorType[];
  eval(ctx: EvalCtx): Tensor[];
  /** defaults to: flops = output elements, bytes = all inputs and outputs once */
  cost?(ctx: { inputs: (TensorType | null)[]; outputs: TensorType[]; attrs: Attrs; env: DimEnv }): Cost;
}

const REGISTRY = new Map<string, OpDef>();

export function defineOp(def: OpDef): OpDef {
  if (REGISTRY.has(def.name)) throw new Error(`op ${def.name} defined twice`);
  REGISTRY.set(def.name, def);
  return def;
}

export function getOp(name: string): OpDef | undefined {
  return REGISTRY.get(name);
}

const NO_TRAITS: OpTraits = {};

/** The traits of the op called `name` (none for an op that is not registered). */
export function opTraits(name: string): OpTraits {
  return REGISTRY.get(name)?.traits ?? NO_TRAITS;
}

export function allOps(): OpDef[] {
  return [...REGISTRY.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Attributes with defaults filled in; throws OpError for unknown or missing attributes. */
export function withDefaults(def: OpDef, attrs: Attrs): Attrs {
  const out: Attrs = {};
  for (const k of Object.keys(attrs)) if (!(k in def.attrs)) throw new OpError(`${def.name} has no attribute '${k}'`);
  for (const [k, spec] of Object.entries(def.attrs)) {
    if (k in attrs) out[k] = attrs[k];
    else if (spec.default !== undefined) out[k] = spec.default;
    else if (!spec.optional) throw new OpError(`${def.name} needs attribute '${k}'`);
  }
  return out;
}
