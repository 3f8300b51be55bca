// Memory planning: where every value of a graph lives while the compiled model runs.
//
// Graph inputs, params and outputs live in the caller's buffers and constants in static data. A
// view (reshape family) is its input's bytes under another shape. A value made and used inside one
// fusion group never reaches memory; that includes the movement nodes a kernel reads or stores
// through (views.ts), whose stored source is read by that kernel and so lives until it has run. Every other value is an intermediate: it occupies one buffer of
// a single workspace arena from the step of the kernel that writes it to the step of its last reader
// (through views). An elementwise kernel whose input dies at that kernel and has the output's dtype
// and size writes its output over that input (in place), so both share one buffer. Buffers get
// offsets by greedy best-fit (memory-arena.ts).
//
// Symbolic dims: sizes are planned at concrete values (`dims`; a symbol not given is planned at 1).
// Sizes only grow with the symbols, so a plan made at a declared maximum (say N=8) is valid for every
// smaller value. When every buffer's size is a constant times one common product of symbols (a
// batch dim N in ResNet, N·S in a transformer), the whole plan scales: offsets and the arena size
// are that product times a constant, given as `offsetDim` and `arenaDim`, valid for every value.
import { Dim, DimEnv, SymDim, dimAdd, dimMul, dimProduct, dimSub, dimSymbols, evalDim, isStatic, isUnknown } from '../ir/dim.js';
import { DType, DTYPE_INFO } from '../ir/dtype.js';
import { Graph, Node, Value } from '../ir/graph.js';
import { alignUp, lowerBound, liveBytesPerStep, placeBuffers, placementProblems } from './memory-arena.js';
import { opTraits } from '../ir/registry.js';
import { KernelLaunch, scheduleKernels, storageAliases } from './kernel-launches.js';

/** Where a value lives. */
export type Storage =
  | { kind: 'input'; index: number }
  | { kind: 'param'; index: number }
  | { kind: 'constant' }
  /** the caller's output buffer `index`, written directly by the producing kernel */
  | { kind: 'output'; index: number }
  /** the bytes of `of` (its view input), under this value's shape */
  | { kind: 'view'; of: Value }
  /** internal to a fusion group: computed and consumed inside one kernel, never stored */
  | { kind: 'fused' }
  /** a workspace buffer; several values share one when a kernel writes in place */
  | { kind: 'arena'; buffer: ArenaBuffer }
  /** its size is known only at run time, so the arena cannot hold it */
  | { kind: 'dynamic' };

export interface ArenaBuffer {
  /** index in MemoryPlan.buffers */
  id: number;
  /** the values stored in it, in the order they are written: the first, then those written in place over it */
  values: Value[];
  /** bytes as a function of the symbolic dims, rounded up to ARENA_ALIGN per term */
  bytes: Dim;
  /** bytes at the planned dims */
  size: number;
  /** offset at the planned dims */
  offset: number;
  /** the offset as a function of the dims when the plan scales (see MemoryPlan.arenaDim), else the number */
  offsetDim: Dim;
  /** first and last kernel step (inclusive) at which the buffer holds a live value */
  first: number;
  last: number;
}

export interface MemoryPlan {
  /** the dims the plan was made for (every symbol of the graph) */
  dims: ReadonlyMap<string, number>;
  /** kernels in execution order; lifetimes are in these steps */
  kernels: KernelLaunch[];
  storage: Map<Value, Storage>;
  buffers: ArenaBuffer[];
  arenaBytes: number;
  /** the arena size for every value of the dims when the plan scales; undefined when it holds only up to `dims` */
  arenaDim: Dim | undefined;
  /** most bytes live at once: no placement of these buffers fits in less */
  lowerBoundBytes: number;
  /** every stored intermediate in a buffer of its own (no reuse, no in-place) */
  noReuseBytes: number;
  /** bytes live at each kernel step (the lower-bound curve) */
  liveBytes: number[];
  /** values written in place over another: value -> the input whose buffer it takes */
  inPlace: Map<Value, Value>;
}

export interface PlanMemoryOptions {
  /** concrete symbol values (a declared maximum for a batch dim); symbols not given are planned at 1 */
  dims?: ReadonlyMap<string, number>;
  /** let elementwise kernels write over a dying input (default true) */
  inPlace?: boolean;
  /** bytes per element in the target's buffers (default: the dtype's storage size) */
  elementBytes?: ElementBytes;
  /**
   * place buffers for every value of the symbols (placeSymbolic), as the code generators do, rather
   * than best-fit at `dims`: then the arena is the workspace a compiled package allocates at `dims`
   */
  symbolic?: boolean;
}

export function planMemory(graph: Graph, opts: PlanMemoryOptions = {}): MemoryPlan {
  const dims = bindAllDims(graph, opts.dims);
  const kernels = scheduleKernels(graph);
  const aliases = storageAliases(graph);
  const storage = new Map<Value, Storage>();
  graph.inputs.forEach((v, index) => storage.set(v, { kind: 'input', index }));
  graph.params.forEach((v, index) => storage.set(v, { kind: 'param', index }));

  // storage roots through views, and which kernel computes each node
  const root = new Map<Value, Value>();
  const rootOf = (v: Value) => root.get(v) ?? v;
  const kernelOf = new Map<Node, KernelLaunch>();
  for (const k of kernels) for (const n of k.nodes) kernelOf.set(n, k);
  for (const node of graph.nodes) {
    if (node.op === 'constant') for (const o of node.outputs) storage.set(o, { kind: 'constant' });
    else if (aliases.has(node)) {
      storage.set(node.outputs[0], { kind: 'view', of: node.inputs[0]! });
      root.set(node.outputs[0], rootOf(node.inputs[0]!));
    }
  }

  // the kernels that read each stored-or-fused candidate (a value written by a kernel), through views
  const readers = new Map<Value, Set<KernelLaunch>>();
  for (const k of kernels)
    for (const n of k.nodes)
      for (const v of n.inputs) {
        if (!v) continue;
        const r = rootOf(v);
        if (!r.producer || !kernelOf.has(r.producer)) continue;
        let s = readers.get(r);
        if (!s) readers.set(r, (s = new Set()));
        s.add(k);
      }

  interface Interval { value: Value; first: number; last: number; bytes: Dim; size: number }
  const intervals: Interval[] = [];
  for (const k of kernels)
    for (const n of k.nodes)
      n.outputs.forEach((o) => {
        const outIndex = graph.outputs.indexOf(o);
        const users = readers.get(o);
        if (outIndex >= 0) storage.set(o, { kind: 'output', index: outIndex });
        else if (k.nodes.length > 1 && users && [...users].every((u) => u === k)) storage.set(o, { kind: 'fused' });
        else if (o.type.shape.some(isUnknown)) storage.set(o, { kind: 'dynamic' });
        else {
          const bytes = alignedBytes(o, opts.elementBytes);
          const last = Math.max(k.step, ...[...(users ?? [])].map((u) => u.step));
          intervals.push({ value: o, first: k.step, last, bytes, size: evalDim(bytes, dims) });
        }
      });
  const noReuseBytes = intervals.reduce((s, b) => s + b.size, 0);

  // buffers: one per interval, merged where a kernel writes in place over a dying input
  const bufferOfValue = new Map<Value, Interval & { values: Value[] }>();
  const lifetimes: (Interval & { values: Value[] })[] = [];
  const inPlace = new Map<Value, Value>();
  const intervalOf = new Map(intervals.map((iv) => [iv.value, iv]));
  for (const k of kernels) {
    const taken = new Set<Interval>();
    for (const n of k.nodes)
      for (const o of n.outputs) {
        const iv = intervalOf.get(o);
        if (!iv) continue;
        const over = opts.inPlace === false ? undefined : inPlaceInput(k, o, rootOf, (v) => bufferOfValue.get(v), taken);
        if (over) {
          const b = bufferOfValue.get(rootOf(over))!;
          b.values.push(o);
          b.last = Math.max(b.last, iv.last);
          bufferOfValue.set(o, b);
          taken.add(b);
          inPlace.set(o, over);
        } else {
          const b = { ...iv, values: [o] };
          lifetimes.push(b);
          bufferOfValue.set(o, b);
        }
      }
  }

  const steps = kernels.length;
  const { offsets, arenaBytes, arenaDim } = opts.symbolic ? placeForAllDims(lifetimes, dims) : placeAtDims(lifetimes, dims);
  const buffers: ArenaBuffer[] = lifetimes.map((g, id) => {
    const buffer: ArenaBuffer = {
      id, values: g.values, bytes: g.bytes, size: g.size, offset: evalDim(offsets[id], dims), first: g.first, last: g.last, offsetDim: offsets[id],
    };
    for (const v of g.values) storage.set(v, { kind: 'arena', buffer });
    return buffer;
  });
  return {
    dims, kernels, storage, buffers, inPlace, noReuseBytes, arenaBytes, arenaDim,
    lowerBoundBytes: lowerBound(lifetimes, steps),
    liveBytes: liveBytesPerStep(lifetimes, steps),
  };
}

interface ArenaPlacement {
  /** per buffer, its offset as a function of the dims (a number when it holds only at the planned dims) */
  offsets: Dim[];
  arenaBytes: number;
  arenaDim: Dim | undefined;
}

/** Best-fit at the planned dims; the offsets scale with the dims when every size is a multiple of one product of symbols. */
function placeAtDims(lifetimes: readonly (SymbolicBuffer & { size: number })[], dims: DimEnv): ArenaPlacement {
  const placement = placeBuffers(lifetimes);
  const scale = commonScale(lifetimes.map((g) => g.bytes), dims);
  return {
    offsets: placement.offsets.map((o) => (scale ? dimMul(scale.unit, o / scale.value) : o)),
    arenaBytes: placement.arenaBytes,
    arenaDim: scale ? dimMul(scale.unit, placement.arenaBytes / scale.value) : undefined,
  };
}

/** The placement code generators make (placeSymbolic), valid for every value of the dims, evaluated at the planned ones. */
function placeForAllDims(lifetimes: readonly SymbolicBuffer[], dims: DimEnv): ArenaPlacement {
  const placement = placeSymbolic(lifetimes);
  return {
    offsets: placement.offsets,
    arenaBytes: Math.max(0, ...placement.ends.map((e) => evalDim(e, dims))),
    arenaDim: placement.ends.length === 1 ? placement.ends[0] : placement.ends.length === 0 ? 0 : undefined,
  };
}

/**
 * The input of kernel `k` that output `o` may overwrite: every node of the kernel is elementwise
 * (or a view) and has `o`'s element count, so element i of every result depends only on element i
 * of the inputs; the input has `o`'s dtype and size, lives in a buffer no other output of the kernel
 * took, and that buffer's last reader is this kernel.
 */
function inPlaceInput<B extends { last: number }>(
  k: KernelLaunch, o: Value, rootOf: (v: Value) => Value, bufferOf: (v: Value) => B | undefined, taken: ReadonlySet<B>,
): Value | undefined {
  const count = dimProduct(o.type.shape);
  const sameCount = (v: Value) => dimKey(dimProduct(v.type.shape)) === dimKey(count);
  if (!k.nodes.every((n) => opTraits(n.op).elementwise && n.outputs.every(sameCount))) return undefined;
  const inside = new Set(k.nodes.flatMap((n) => n.outputs));
  for (const n of k.nodes)
    for (const v of n.inputs) {
      if (!v || inside.has(v) || v.type.dtype !== o.type.dtype || !sameCount(v)) continue;
      const b = bufferOf(rootOf(v));
      if (b && b.last === k.step && !taken.has(b)) return v;
    }
  return undefined;
}

function dimKey(d: Dim): string {
  return typeof d === 'number' ? String(d) : d.key;
}

/** Every symbol the graph's types mention, bound: given values first, 1 for the rest. */
function bindAllDims(graph: Graph, given: ReadonlyMap<string, number> | undefined): Map<string, number> {
  const symbols = new Set<string>();
  const values = [...graph.inputs, ...graph.params, ...graph.nodes.flatMap((n) => n.outputs)];
  for (const v of values) for (const d of v.type.shape) dimSymbols(d, symbols);
  const dims = new Map<string, number>();
  for (const s of [...symbols].sort()) dims.set(s, given?.get(s) ?? 1);
  for (const [s, n] of given ?? []) if (!dims.has(s)) dims.set(s, n);
  return dims;
}

/** Bytes one element of a dtype takes in a target's buffers (a target may widen storage, e.g. WGSL bool as u32). */
export type ElementBytes = (d: DType) => number;

export const STORAGE_BYTES: ElementBytes = (d) => DTYPE_INFO[d].bytes;

/** A value's bytes with each term's coefficient rounded up to ARENA_ALIGN, so offsets built from sizes stay aligned for every value of the dims. */
export function alignedBytes(v: Value, elementBytes: ElementBytes = STORAGE_BYTES): Dim {
  const raw = dimMul(dimProduct(v.type.shape), elementBytes(v.type.dtype));
  if (typeof raw === 'number') return alignUp(raw);
  const poly = new Map<string, number>();
  for (const [mono, c] of raw.poly) poly.set(mono, alignUp(c));
  return SymDim.make(poly, new Map(raw.atoms));
}

/**
 * The product of symbols every size is a constant multiple of (`unit`, and its value at the planned
 * dims), when there is one: then every offset, being a sum of sizes, is a multiple of it too. When
 * every size is a constant the unit is 1.
 */
function commonScale(sizes: readonly Dim[], env: DimEnv): { unit: Dim; value: number } | undefined {
  const common = commonUnit(sizes);
  if (!common) return undefined;
  const value = evalDim(common.unit, env);
  return value > 0 ? { unit: common.unit, value } : undefined;
}

/** The product of symbols every size is a constant multiple of, and each size's constant; 1 when every size is a constant. */
function commonUnit(sizes: readonly Dim[]): { unit: Dim; coefficients: number[] } | undefined {
  if (sizes.every((s) => typeof s === 'number')) return { unit: 1, coefficients: sizes as number[] };
  let unit: SymDim | undefined;
  const coefficients: number[] = [];
  for (const s of sizes) {
    if (typeof s === 'number' || s.poly.size !== 1) return undefined;
    const [[mono, c]] = s.poly;
    if (unit === undefined) unit = SymDim.make(new Map([[mono, 1]]), new Map(s.atoms)) as SymDim;
    else if (typeof unit === 'number' || !unit.poly.has(mono)) return undefined;
    coefficients.push(c);
  }
  return { unit: unit!, coefficients };
}

/** A buffer whose size is a function of the symbolic dims, live from step `first` to `last` (inclusive). */
export interface SymbolicBuffer {
  bytes: Dim;
  first: number;
  last: number;
}

export interface SymbolicPlacement {
  /** each buffer's offset, in input order, valid for every value of the symbols */
  offsets: Dim[];
  /** the arena's size is the largest of these (ends no other end provably dominates); empty for no buffers */
  ends: Dim[];
  /** 'scaled': best-fit (placeBuffers, as planMemory) times the common unit; 'symbolic': first-fit over polynomial sizes */
  strategy: 'scaled' | 'symbolic';
}

/**
 * Offsets for buffers of symbolic size that hold for every value of the symbols (code generators
 * evaluate them at run time). When every size is a constant times one product of symbols, this is
 * planMemory's best-fit placement at unit scale, scaled, so it equals planMemory's plan of the same
 * buffers. Otherwise sizes are polynomials with no common unit, and a concrete placement would hold
 * only up to the dims it was made at, so the fallback is a first-fit over lifetimes that accepts a
 * candidate offset only when the ordering it relies on is provable for all symbol values
 * (`provablyGeq`): sound without knowing the symbols, though it may use more bytes than best-fit.
 */
export function placeSymbolic(buffers: readonly SymbolicBuffer[]): SymbolicPlacement {
  const common = commonUnit(buffers.map((b) => b.bytes));
  if (common) {
    const placement = placeBuffers(buffers.map((b, i) => ({ size: common.coefficients[i], first: b.first, last: b.last })));
    return {
      offsets: placement.offsets.map((o) => dimMul(common.unit, o)),
      ends: buffers.length ? [dimMul(common.unit, placement.arenaBytes)] : [],
      strategy: 'scaled',
    };
  }
  return { ...firstFitSymbolic(buffers), strategy: 'symbolic' };
}

/** p >= q for every non-negative value of the symbols (sufficient test: no negative coefficient in p - q). */
export function provablyGeq(p: Dim, q: Dim): boolean {
  const d = dimSub(p, q);
  if (isStatic(d)) return d >= 0;
  return [...d.poly.values()].every((c) => c >= 0);
}

/**
 * First-fit in order of first step: each buffer takes the first candidate offset (0, then the end of
 * a buffer live at the same time) that provably clears every such buffer, else the sum of their ends.
 */
function firstFitSymbolic(buffers: readonly SymbolicBuffer[]): { offsets: Dim[]; ends: Dim[] } {
  const offsets = new Array<Dim>(buffers.length).fill(0);
  const placed: number[] = [];
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[a].first - buffers[b].first || a - b);
  for (const i of order) {
    const b = buffers[i];
    const conflicts = placed.filter((j) => buffers[j].first <= b.last && b.first <= buffers[j].last);
    const ends = conflicts.map((j) => dimAdd(offsets[j], buffers[j].bytes));
    const fits = (o: Dim) => conflicts.every((j, k) => provablyGeq(o, ends[k]) || provablyGeq(offsets[j], dimAdd(o, b.bytes)));
    const offset = [0, ...ends].find(fits);
    offsets[i] = offset ?? ends.reduce<Dim>((s, e) => dimAdd(s, e), 0);
    placed.push(i);
  }
  const allEnds = placed.map((j) => dimAdd(offsets[j], buffers[j].bytes));
  const ends: Dim[] = [];
  allEnds.forEach((e, i) => {
    const dominated = allEnds.some((o, j) => j !== i && provablyGeq(o, e) && (!provablyGeq(e, o) || j < i));
    if (!dominated) ends.push(e);
  });
  return { offsets, ends };
}

/** Where `v`'s bytes are: the arena buffer it is (or views) in, if any. */
export function arenaBufferOf(plan: MemoryPlan, v: Value): ArenaBuffer | undefined {
  let s = plan.storage.get(v);
  while (s?.kind === 'view') s = plan.storage.get(s.of);
  return s?.kind === 'arena' ? s.buffer : undefined;
}

/** Every way the plan is unsound (two buffers live at the same step sharing bytes, misalignment); empty when sound. */
export function checkMemoryPlan(plan: MemoryPlan): string[] {
  return placementProblems(
    plan.buffers.map((b) => ({ ...b, name: `buffer ${b.id} (%${b.values.map((v) => v.name).join(', %')})` })),
    plan.arenaBytes,
  );
}
