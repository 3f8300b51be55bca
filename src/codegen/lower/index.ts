// Graph IR → kernel program: one kernel per group of nodes (one node each by default; a fused group of
// elementwise nodes from the passes becomes one loop nest), the buffer plan, and the ABI's shape and
// workspace expressions. Every node that the target cannot lower is reported at once (DSC6002).
import { DType } from '../../ir/dtype.js';
import { Dim, isUnknown } from '../../ir/dim.js';
import { Graph, Node, Value } from '../../ir/graph.js';
import { getOp, opTraits } from '../../ir/registry.js';
import { formatNode } from '../../ir/printer.js';
import { Tensor } from '../../ir/tensor.js';
import { diag } from '../../diag/diagnostic.js';
import { manifestOf } from '../abi.js';
import {
  Kernel, KernelCall, KernelParam, KernelProgram, ProgramBuffer, applySchedule, bin, idx, ivar, load, loop, store,
} from '../kernel-ir.js';
import { ELEMENTWISE, elementwiseUnsupported, lowerElementwiseGroup, nestSchedule } from './elementwise.js';
import { LINALG } from './linalg.js';
import { NORMALIZE } from './normalize.js';
import { MOVEMENT } from './movement.js';
import { QUANTIZE } from './quantize.js';
import { RECURRENT } from './recurrent.js';
import { SAMPLING } from './sampling.js';
import { INDEXING } from './indexing.js';
import { LOSSES } from './losses.js';
import { LowerCtx, LoweredKernel, NameSource, OpLowering, Operand, fullAttrs } from './context.js';
import { ElementBytes, alignedBytes, placeSymbolic } from '../../analysis/plan-memory.js';
import { KernelGroup, attachEpilogue, groupsFromGraph, lowerWindowGroup, splitGroup } from './fusion.js';
import { dimExpr, productExpr, symbolVar } from './dims.js';
import { loadView, storeView } from './views.js';
import { kernelViews } from '../../analysis/kernel-launches.js';

export const LOWERINGS: Record<string, OpLowering> = { ...LINALG, ...NORMALIZE, ...MOVEMENT, ...INDEXING, ...QUANTIZE, ...LOSSES, ...RECURRENT, ...SAMPLING };

export interface LowerOptions {
  /**
   * kernels as groups of nodes in program order; default: by Node.group (set by the `fuse` pass),
   * else one group per node. A group that cannot be one kernel is split (fusion.ts).
   */
  groups?: Node[][];
  /** the target prints GEMM epilogues (GemmStmt.epilogue): a group of an op and its elementwise tail is one kernel; else it is split */
  epilogues?: boolean;
  /** the target named in diagnostics */
  target?: string;
  /** bytes per element in the target's buffers, for the workspace plan (default: the dtype's storage size) */
  elementBytes?: ElementBytes;
}

/** Why `node` cannot be lowered, or null. */
export function unsupportedReason(node: Node): string | null {
  for (const v of [...node.inputs, ...node.outputs])
    if (v && v.type.shape.some(isUnknown)) return `%${v.name} has a dim unknown until run time`;
  if (opTraits(node.op).reshape || node.op === 'constant') return null;
  if (ELEMENTWISE[node.op]) return elementwiseUnsupported(node);
  const l = LOWERINGS[node.op];
  if (!l) return 'no kernel for this op';
  return l.unsupported?.(node, fullAttrs(node)) ?? null;
}

/** Legality: throws DSC6002 listing every node the target cannot lower. */
export function checkSupported(graph: Graph, target: string): void {
  const bad: string[] = [];
  for (const n of graph.nodes) {
    const why = unsupportedReason(n);
    if (!why) continue;
    const dtypes = [...new Set(n.inputs.filter((v): v is Value => !!v).map((v) => v.type.dtype))].join(', ') || n.outputs[0].type.dtype;
    bad.push(`${n.op}${n.loc ? ` (${n.loc})` : ''} -> %${n.outputs.map((o) => o.name).join(', %')} [${dtypes}]: ${why}`);
  }
  if (bad.length)
    throw diag('DSC6002', `${graph.name}: ${bad.length} node${bad.length > 1 ? 's' : ''} cannot be compiled for the ${target} target:\n  ${bad.join('\n  ')}`);
}

/** C identifier for a value name: letters, digits and underscores, unique within the program. */
function identifiers(): (name: string) => string {
  const used = new Set<string>();
  return (name) => {
    let base = `v_${name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`.slice(0, 48);
    if (base === 'v_') base = 'v';
    let id = base;
    for (let i = 1; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    return id;
  };
}

export function lowerGraph(graph: Graph, opts: LowerOptions = {}): KernelProgram {
  const target = opts.target ?? 'cpu';
  const manifest = manifestOf(graph);
  checkSupported(graph, target);
  const groups = opts.groups ?? groupsFromGraph(graph.nodes);
  const outputSet = new Set(graph.outputs);
  const users = graph.users();

  // storage roots: aliases point at the value whose storage they share (reshape-family links of a
  // view chain are index maps of their kernel instead)
  const root = new Map<Value, Value>();
  const rootOf = (v: Value): Value => root.get(v) ?? v;
  const chained = kernelViews(graph);
  const aliasNodes = new Set(graph.nodes.filter((n) => opTraits(n.op).reshape && !chained.has(n)));
  for (const n of graph.nodes) if (aliasNodes.has(n)) root.set(n.outputs[0], rootOf(n.inputs[0]!));

  const constants = new Map<Value, Tensor>();
  for (const n of graph.nodes) if (n.op === 'constant') constants.set(n.outputs[0], n.attrs.value as Tensor);

  // which graph outputs a kernel writes in place; the rest are copied at the end
  const outputSlot = new Map<Value, number>();
  graph.outputs.forEach((v, i) => {
    const producedByKernel = v.producer && !aliasNodes.has(v.producer) && v.producer.op !== 'constant';
    if (producedByKernel && !outputSlot.has(v)) outputSlot.set(v, i);
  });

  const isView = (n: Node) => aliasNodes.has(n) || n.op === 'constant';
  const splitEnv = {
    lowerings: LOWERINGS, isView, epilogues: opts.epilogues ?? false,
    stored: (g: readonly Node[]) => new Set(g.flatMap((n) => n.outputs).filter((o) => groupStores(g, o, users, outputSet))),
  };
  const planned: KernelGroup[] = groups.flatMap((g) => splitGroup(g, splitEnv)).filter((k) => !(k.nodes.length === 1 && isView(k.nodes[0])));
  const kernelGroups = planned.map((k) => k.nodes);

  // lifetimes in steps (kernel index; output copies come after the last kernel)
  const first = new Map<Value, number>();
  const last = new Map<Value, number>();
  const touch = (v: Value, step: number) => {
    const r = rootOf(v);
    if (!first.has(r)) first.set(r, step);
    last.set(r, Math.max(last.get(r) ?? step, step));
  };
  kernelGroups.forEach((g, step) => {
    const inside = new Set(g.flatMap((n) => n.outputs));
    for (const n of g) {
      for (const v of n.inputs) if (v && !inside.has(v)) touch(v, step);
      for (const o of n.outputs) if (groupStores(g, o, users, outputSet)) touch(o, step);
    }
  });
  graph.outputs.forEach((v, i) => { if (outputSlot.get(v) !== i) touch(v, kernelGroups.length + i); });

  const inWorkspace = (v: Value) =>
    !graph.inputs.includes(v) && !graph.params.includes(v) && !constants.has(v) && !outputSlot.has(v);
  // the shared planner (analysis/plan-memory.ts) places the workspace values; no value is written in
  // place over another here (kernel parameters are __restrict, and fused kernels may read an input
  // after storing an output), so this is planMemory's plan with `inPlace: false` over these kernels
  const workspaceValues = [...first.keys()].filter(inWorkspace);
  const arena = placeSymbolic(workspaceValues.map((v) => ({ bytes: alignedBytes(v, opts.elementBytes), first: first.get(v)!, last: last.get(v)! })));

  // program buffers
  const ident = identifiers();
  const bufferOf = new Map<Value, ProgramBuffer>();
  const buffers: ProgramBuffer[] = [];
  const addBuffer = (v: Value, storage: ProgramBuffer['storage']) => {
    const b: ProgramBuffer = { name: ident(v.name), value: v.name, dtype: v.type.dtype, size: productExpr(v.type.shape), storage };
    buffers.push(b);
    bufferOf.set(v, b);
    return b;
  };
  graph.params.forEach((v, i) => addBuffer(v, { k: 'param', index: i }));
  graph.inputs.forEach((v, i) => addBuffer(v, { k: 'input', index: i }));
  for (const [v, slot] of outputSlot) addBuffer(v, { k: 'output', index: slot });
  for (const [v, t] of constants) if (first.has(v)) addBuffer(v, { k: 'constant', tensor: t });
  workspaceValues.forEach((v, i) => addBuffer(v, { k: 'workspace', offset: dimExpr(arena.offsets[i]) }));
  for (const n of graph.nodes)
    if (aliasNodes.has(n) && first.has(rootOf(n.outputs[0]))) addBuffer(n.outputs[0], { k: 'alias', of: bufferOf.get(rootOf(n.outputs[0]))!.name });

  const kernels: Kernel[] = [];
  const calls: KernelCall[] = [];
  const symbolVars = new Set(manifest.symbols.map((s) => symbolVar(s.name)));
  const width = String(kernelGroups.length + graph.outputs.length).length;
  const addKernel = (label: string, source: string[], params: { p: KernelParam; buf: string }[], lowered: LoweredKernel) => {
    const name = `k${String(kernels.length).padStart(width, '0')}_${label}`;
    const kernel = applySchedule({ name, source, loc: groupLoc, params: params.map((x) => x.p), scalars: [], body: lowered.body, schedule: lowered.schedule });
    kernel.scalars = [...symbolVars].filter((s) => mentions(kernel, s)).sort();
    kernels.push(kernel);
    calls.push({ kernel: name, args: params.map((x) => x.buf), scalars: kernel.scalars });
  };

  let groupLoc: string | undefined;
  for (const plan of planned) {
    const g = plan.nodes;
    groupLoc = g.find((n) => n.loc !== undefined)?.loc;
    const names = new NameSource();
    const params: { p: KernelParam; buf: string }[] = [];
    const operand = new Map<Value, Operand>();
    const inside = new Set(g.flatMap((n) => n.outputs));
    const addParam = (v: Value, name: string, access: 'read' | 'write') => {
      params.push({ p: { name, dtype: v.type.dtype, access }, buf: bufferOf.get(v)!.name });
      operand.set(v, { buf: name, type: v.type });
    };
    const source = g.map((n) => describe(n));
    if (plan.kind === 'window') {
      let k = 0;
      for (const n of g) for (const v of n.inputs) if (v && !inside.has(v) && !operand.has(v)) addParam(v, `in${k++}`, 'read');
      addParam(g[g.length - 1].outputs[0], 'out', 'write');
      addKernel(g.map((m) => m.op).join('_'), source, params, lowerWindowGroup(plan, (v) => operand.get(v)!, names, LOWERINGS));
      continue;
    }
    // views: an operand read through load views binds the chain's source; a store view binds the transposed result
    const views = plan.kind === 'single' || plan.kind === 'elementwise' ? plan.views : undefined;
    const links = new Set(views?.loads);
    const sourceParam = new Map<Value, string>();
    const viewOperand = (v: Value, name: string): Operand => {
      const { source, map } = loadView(v, links);
      if (!sourceParam.has(source)) {
        params.push({ p: { name, dtype: source.type.dtype, access: 'read' }, buf: bufferOf.get(source)!.name });
        sourceParam.set(source, name);
      }
      return { buf: sourceParam.get(source)!, type: v.type, view: map };
    };
    const viewed = (v: Value): boolean => !!v.producer && links.has(v.producer);
    if (plan.kind !== 'elementwise') {
      const n = plan.kind === 'epilogue' ? plan.anchor : views ? views.compute[0] : g[0];
      const def = getOp(n.op)!;
      const inputNames = n.inputs.map((_, i) => paramName(def.inputs[Math.min(i, def.inputs.length - 1)], def.variadic ? i : -1));
      const inOps: (Operand | null)[] = n.inputs.map((v, i) => {
        if (!v) return null;
        if (viewed(v)) return viewOperand(v, `in_${inputNames[i]}`);
        addParam(v, `in_${inputNames[i]}`, 'read');
        return { buf: `in_${inputNames[i]}`, type: v.type };
      });
      const outOps = n.outputs.map((v, i): Operand => {
        const name = n.outputs.length === 1 ? 'out' : `out${i}`;
        // an epilogue group stores only its result, which the anchor's stores write
        if (plan.kind === 'epilogue') addParam(splitEnv.stored(g).values().next().value!, name, 'write');
        else if (views?.store) {
          addParam(views.store.outputs[0], name, 'write');
          return { buf: name, type: v.type, view: storeView(views.store) };
        } else addParam(v, name, 'write');
        return { buf: name, type: v.type };
      });
      const ctx: LowerCtx = {
        node: n, attrs: fullAttrs(n),
        input: (i) => inOps[i] ?? null, inputs: () => inOps, output: (i) => outOps[i],
        fresh: (h) => names.fresh(h),
      };
      let lowered = LOWERINGS[n.op].lower(ctx);
      if (plan.kind === 'epilogue') {
        let k = 0;
        for (const m of g) for (const v of m.inputs) if (v && !inside.has(v) && !operand.has(v)) addParam(v, `in${k++}`, 'read');
        lowered = attachEpilogue(lowered, g.filter((m) => m !== n), n.outputs[0], 'out', 'out', (v) => operand.get(v)!, names);
      }
      addKernel(kernelLabel(plan.kind === 'single' && views ? views.compute : g), source, params, lowered);
      continue;
    }
    const compute = views?.compute ?? g;
    const computed = new Set(compute.flatMap((n) => n.outputs));
    let k = 0;
    for (const n of compute)
      for (const v of n.inputs) {
        if (!v || computed.has(v) || operand.has(v)) continue;
        if (viewed(v)) operand.set(v, viewOperand(v, `in${k++}`));
        else addParam(v, `in${k++}`, 'read');
      }
    let stored: Set<Value>;
    if (views?.store) {
      // the result is stored where the transpose puts it, in the transpose's buffer
      const result = views.store.inputs[0]!;
      addParam(views.store.outputs[0], 'out', 'write');
      operand.set(result, { buf: 'out', type: result.type, view: storeView(views.store) });
      stored = new Set([result]);
    } else {
      stored = new Set(g.flatMap((n) => n.outputs).filter((o) => groupStores(g, o, users, outputSet)));
      k = 0;
      for (const v of stored) addParam(v, stored.size === 1 ? 'out' : `out${k++}`, 'write');
    }
    addKernel(kernelLabel(compute), source, params, lowerElementwiseGroup(compute, (v) => operand.get(v), stored, names));
  }
  groupLoc = undefined;

  graph.outputs.forEach((v, i) => {
    if (outputSlot.get(v) === i) return;
    const out: ProgramBuffer = { name: ident(`out_${i}_${v.name}`), value: v.name, dtype: v.type.dtype, size: productExpr(v.type.shape), storage: { k: 'output', index: i } };
    buffers.push(out);
    const src = bufferOf.get(v)!;
    addKernel('copy', [`copy of %${v.name} into output ${i}`], [
      { p: { name: 'in_x', dtype: v.type.dtype, access: 'read' }, buf: src.name },
      { p: { name: 'out', dtype: v.type.dtype, access: 'write' }, buf: out.name },
    ], copyKernel(v.type.dtype, v.type.shape));
  });

  const ends = arena.ends.map(dimExpr);
  const workspaceBytes = ends.length === 0 ? idx(0) : ends.reduce((a, b) => bin('max', a, b));
  return {
    name: graph.name, manifest, symbols: manifest.symbols.map((s) => symbolVar(s.name)), buffers, kernels, calls, workspaceBytes,
    outputShapes: graph.outputs.map((v) => v.type.shape.map(dimExpr)),
  };
}

/** A kernel's name after the ops it computes. */
function kernelLabel(nodes: readonly Node[]): string {
  return nodes.map((n) => n.op).join('_');
}

function paramName(inputName: string, variadicIndex: number): string {
  const base = inputName.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  return variadicIndex >= 0 ? `${base}${variadicIndex}` : base;
}

/** A group stores a value that a node outside it reads, or that the graph outputs. */
function groupStores(g: readonly Node[], v: Value, users: Map<Value, Node[]>, outputs: ReadonlySet<Value>): boolean {
  return outputs.has(v) || (users.get(v) ?? []).some((u) => !g.includes(u)) || !users.has(v);
}

function describe(n: Node): string {
  const text = formatNode(n).replace(/\s+/g, ' ').trim();
  return text.length > 240 ? `${text.slice(0, 237)}...` : text;
}

/** Whether any expression in the kernel reads variable `name`. */
function mentions(kernel: Kernel, name: string): boolean {
  const seen = (x: unknown): boolean => {
    if (x === null || typeof x !== 'object' || x instanceof Tensor) return false;
    if (Array.isArray(x)) return x.some(seen);
    const o = x as Record<string, unknown>;
    if (o.k === 'var' && o.name === name) return true;
    return Object.values(o).some(seen);
  };
  return seen(kernel.body) || seen(kernel.schedule.work);
}

function copyKernel(dtype: DType, shape: readonly Dim[]): LoweredKernel {
  const n = productExpr(shape);
  const i = 'i0';
  return { body: [loop(i, n, [store('out', ivar(i), load('in_x', ivar(i), dtype))])], schedule: nestSchedule([i], n) };
}
