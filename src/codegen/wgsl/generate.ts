// The WGSL target: a kernel program printed as WebGPU compute shaders plus the plan the executor in
// runtime/webgpu/ follows (see docs/WGSL.md). The shared GPU mapping (src/codegen/gpu/) splits each
// kernel into dispatches with WGSL's limits and op-class table (WGSL_MAPPING); this file lays out
// memory and prints each dispatch as one shader.
import { DType } from '../../ir/dtype.js';
import { Graph, Value } from '../../ir/graph.js';
import { isStatic } from '../../ir/dim.js';
import { Tensor, readNumbers } from '../../ir/tensor.js';
import { diag } from '../../diag/diagnostic.js';
import { Expr, Kernel, KernelProgram, ProgramBuffer, Stmt, add, div, idx, ivar, mul, rem, sub, walkStmts } from '../kernel-ir.js';
import { mapProgramGrid } from '../gpu/map-grid.js';
import { GpuMapping } from '../gpu/mapping.js';
import { LowerOptions, lowerGraph } from '../lower/index.js';
import { dimExpr } from '../lower/dims.js';
import type { IndexExpr, WgslBinding, WgslConstant, WgslDType, WgslHostDType, WgslPlan, WgslShader, WgslTensorSlot } from '../../../runtime/webgpu/plan.js';
import { BufferRef, WgslLoopBinder, WgslPrinter } from './printer.js';

/** f32: every tensor in 32-bit words. f16: f32 tensors stored and computed in f16, statistics and dot products accumulated in f32. */
export type Precision = 'f32' | 'f16';

export type WgslOptions = Pick<LowerOptions, 'groups'> & { precision?: Precision };

/**
 * Element types the WGSL target stores, one 32-bit word each (WGSL has no 8/16/64-bit storage types
 * without extensions): the 8- and 16-bit integers wrapped to their bits, f16/bf16 as the f32 of their value.
 */
const STORED: ReadonlySet<DType> = new Set(['f32', 'i32', 'u32', 'bool', 'u8', 'i8', 'u16', 'i16', 'f16', 'bf16']);

/** Input and output types the executor carries as i32 words: it checks each value fits on the way in and widens on the way out. */
const NARROWED_AT_RUN: ReadonlySet<DType> = new Set(['i64']);

/** The word type that holds a stored or widened dtype. */
const wordType = (d: DType): WgslDType => (d === 'f16' || d === 'bf16' ? 'f32' : d === 'u8' || d === 'u16' ? 'u32' : d === 'i8' || d === 'i16' || d === 'i64' ? 'i32' : d as WgslDType);

/** Words reserved at the start of the data buffer: the status word, padded to 16 bytes. */
const STATUS_WORDS = 4;

/**
 * WGSL's limits (WebGPU's guaranteed minimums) and its mapping per op class, measured on lavapipe
 * (docs/WGSL.md): on lavapipe, GEMM tiles lose to the serial dot product below 64 × 64.
 */
export const WGSL_MAPPING: GpuMapping = {
  limits: { maxWorkgroupSize: 256, sharedMemoryBytes: 16384 },
  elementwise: { workgroup: 256 },
  serial: { workgroup: 64 },
  rows: { workgroup: 64, minLength: 65536 },
  gemm: { tm: 64, tn: 64, tk: 16, rm: 4, rn: 4, minRows: 64, minCols: 64 },
  dot: { workgroup: 64 },
};

export interface WgslProgram { shaders: WgslShader[]; plan: WgslPlan }

// ---------------------------------------------------------------- support

/** Constants (and carried weights) of i64 whose values fit i32, like ONNX index tensors, are stored as i32; other i64 is refused. */
function narrowable(t: Tensor | undefined): boolean {
  if (t?.dtype !== 'i64') return false;
  for (const v of t.data as BigInt64Array) if (v < -(2n ** 31n) || v >= 2n ** 31n) return false;
  return true;
}

export function checkDtypes(graph: Graph): void {
  const bad: string[] = [];
  const why = (d: DType) => (d === 'i64' || d === 'u64' || d === 'f64' ? 'WGSL has no 64-bit types' : 'WGSL stores only 32-bit elements and bool');
  const boundary = (kind: string, vs: readonly Value[], narrowed: ReadonlySet<DType>) => {
    for (const v of vs) if (!STORED.has(v.type.dtype) && !narrowed.has(v.type.dtype)) bad.push(`${kind} %${v.name} [${v.type.dtype}]: ${why(v.type.dtype)}`);
  };
  boundary('input', graph.inputs, NARROWED_AT_RUN);
  boundary('output', graph.outputs, NARROWED_AT_RUN);
  // i64 weights narrow only when the graph carries them and they fit (the executor checks again as they load)
  boundary('param', graph.params.filter((p) => !(p.type.dtype === 'i64' && narrowable(graph.weights.get(p.name)))), new Set());
  for (const p of graph.params) if (!p.type.shape.every(isStatic)) bad.push(`param %${p.name}: weights need static shapes`);
  for (const n of graph.nodes) {
    if (n.op === 'constant') {
      const t = n.attrs.value as Tensor;
      if (!STORED.has(t.dtype) && !narrowable(t)) bad.push(`constant %${n.outputs[0].name} [${t.dtype}]: ${t.dtype === 'i64' ? 'i64 values beyond the i32 range' : why(t.dtype)}`);
      continue;
    }
    for (const o of n.outputs)
      if (!STORED.has(o.type.dtype) && !graph.outputs.includes(o))
        bad.push(`${n.op}${n.loc ? ` (${n.loc})` : ''} -> %${o.name} [${o.type.dtype}]: ${why(o.type.dtype)}`);
  }
  if (bad.length)
    throw diag('DSC6002', `${graph.name}: ${bad.length} value${bad.length > 1 ? 's' : ''} cannot be compiled for the wgsl target:\n  ${bad.join('\n  ')}`);
}

// ---------------------------------------------------------------- memory layout

function toIndexExpr(e: Expr): IndexExpr {
  switch (e.k) {
    case 'const': return { k: 'const', value: Number(e.value) };
    case 'var': return { k: 'var', name: e.name };
    case 'binary':
      if (['add', 'sub', 'mul', 'div', 'rem', 'min', 'max'].includes(e.op))
        return { k: 'binary', op: e.op as 'add', a: toIndexExpr(e.a), b: toIndexExpr(e.b) };
      break;
    default: break;
  }
  throw new Error(`internal error: ${e.k} is not an index expression`);
}

const evalStatic = (e: Expr): number => {
  if (e.k !== 'const') throw new Error('internal error: a parameter size is not static');
  return Number(e.value);
};

interface Layout {
  /** word offset of each program buffer (aliases resolved), with its binding and whether it holds f16 */
  where: Map<string, Placed>;
  params: WgslTensorSlot[];
  constants: WgslConstant[];
  paramsWords: number;
  inputs: WgslTensorSlot[];
  outputs: WgslTensorSlot[];
  dataWords: Expr;
}

interface Placed { binding: 'params' | 'data'; offset: Expr; half: boolean }

/** Whether tensors of `dtype` are stored as f16: every f32 tensor at precision f16. */
export const storesHalf = (precision: Precision, dtype: DType) => precision === 'f16' && dtype === 'f32';

/** Words of `size` elements of `dtype`: f16 two to a word. */
const wordsOf = (dtype: DType, size: Expr, precision: Precision): Expr => (storesHalf(precision, dtype) ? div(add(size, idx(1)), idx(2)) : size);

function layout(program: KernelProgram, inputShapes: Expr[][], precision: Precision): Layout {
  const where = new Map<string, Placed>();
  const half = (d: DType) => storesHalf(precision, d);
  const byName = new Map(program.buffers.map((b) => [b.name, b]));
  const slot = (b: ProgramBuffer, name: string, offset: Expr, shape: Expr[]): WgslTensorSlot =>
    ({ name, dtype: b.dtype as WgslHostDType, shape: shape.map(toIndexExpr), offset: toIndexExpr(offset) });
  const m = program.manifest;

  let words = 0;
  const params: WgslTensorSlot[] = [];
  for (const b of program.buffers.filter((x) => x.storage.k === 'param').sort((x, y) => (x.storage as { index: number }).index - (y.storage as { index: number }).index)) {
    where.set(b.name, { binding: 'params', offset: idx(words), half: half(b.dtype) });
    const p = m.params[(b.storage as { index: number }).index];
    params.push(slot(b, p.name, idx(words), p.shape.map((d) => idx(Number(d)))));
    words += evalStatic(wordsOf(b.dtype, b.size, precision));
  }
  const constants: WgslConstant[] = [];
  for (const b of program.buffers) {
    if (b.storage.k !== 'constant') continue;
    const t = b.storage.tensor;
    where.set(b.name, { binding: 'params', offset: idx(words), half: half(t.dtype) });
    const values = t.dtype === 'i64' ? Array.from(t.data as BigInt64Array, (x) => Number(x)) : Array.from(readNumbers(t));
    constants.push({ dtype: wordType(t.dtype), offset: words, values });
    words += Math.max(1, evalStatic(wordsOf(t.dtype, idx(t.size), precision)));
  }

  let data: Expr = idx(STATUS_WORDS);
  const place = (kind: 'input' | 'output') => {
    const slots: WgslTensorSlot[] = [];
    const list = program.buffers.filter((x) => x.storage.k === kind).sort((x, y) => (x.storage as { index: number }).index - (y.storage as { index: number }).index);
    for (const b of list) {
      const i = (b.storage as { index: number }).index;
      where.set(b.name, { binding: 'data', offset: data, half: half(b.dtype) });
      const shape = kind === 'input' ? program.manifest.inputs[i] : program.manifest.outputs[i];
      slots.push(slot(b, shape.name, data, kind === 'output' ? program.outputShapes[i] : inputShapes[i]));
      data = add(data, wordsOf(b.dtype, b.size, precision));
    }
    return slots;
  };
  const inputs = place('input');
  const outputs = place('output');
  const workspace = data;
  for (const b of program.buffers)
    if (b.storage.k === 'workspace') where.set(b.name, { binding: 'data', offset: add(workspace, div(b.storage.offset, idx(4))), half: half(b.dtype) });
  for (const b of program.buffers) {
    if (b.storage.k !== 'alias') continue;
    let root = b;
    while (root.storage.k === 'alias') root = byName.get(root.storage.of)!;
    where.set(b.name, where.get(root.name)!);
  }
  return { where, params, constants, paramsWords: words, inputs, outputs, dataWords: add(workspace, div(program.workspaceBytes, idx(4))) };
}

// ---------------------------------------------------------------- shaders

/**
 * The invocation indices that replace a dispatch's loop headers: the outermost grid loop becomes the
 * flat grid index (an invocation's or a workgroup's), split into every grid loop's variable; a thread
 * loop becomes the invocation's index within its workgroup.
 */
function bindLoops(kernel: Kernel, expr: (e: Expr) => string): WgslLoopBinder {
  const d = kernel.schedule.dispatch!;
  return (st, parents) => {
    if (st.binding === 'thread') return { lines: [`let ${st.var}: i32 = i32(lidx);`], indent: false };
    if (st.binding !== 'grid') return undefined;
    if (parents.some((p) => p.k === 'for' && p.binding === 'grid')) return { lines: [], indent: false };
    const grid: { v: string; start: Expr; extent: Expr }[] = [];
    for (let g: Stmt = st; g.k === 'for' && g.binding === 'grid'; g = g.body[0]) grid.push({ v: g.var, start: g.start, extent: sub(g.end, g.start) });
    const total = grid.reduce<Expr>((p, g) => mul(p, g.extent), idx(1));
    // a workgroup's grid point is uniform, so its early return keeps the barriers in uniform control flow
    const lines = [d.thread ? 'let flat = i32(wid.x + wid.y * nwg.x);' : `let flat = i32(gid.x + gid.y * nwg.x * ${d.workgroupSize}u);`, `if (flat >= ${expr(total)}) { return; }`];
    let stride: Expr = idx(1);
    const decls: string[] = [];
    for (let i = grid.length - 1; i >= 0; i--) {
      const g = grid[i];
      const q = stride.k === 'const' && Number(stride.value) === 1 ? ivar('flat') : div(ivar('flat'), stride);
      const coord = i === 0 ? q : rem(q, g.extent);
      decls.unshift(`let ${g.v}: i32 = ${expr(add(g.start, coord))};`);
      stride = mul(stride, g.extent);
    }
    return { lines: [...lines, ...decls], indent: false };
  };
}

/** The number of invocations a dispatch launches, over the symbols. */
function invocationsOf(kernel: Kernel): Expr {
  const d = kernel.schedule.dispatch!;
  let total: Expr = idx(1);
  for (const st of walkStmts(kernel.body)) if (st.k === 'for' && st.binding === 'grid') total = mul(total, sub(st.end, st.start));
  const points = d.grid.length ? (d.thread ? mul(total, idx(d.workgroupSize)) : total) : idx(1);
  return mul(points, d.gate ?? idx(1));
}

/** One dispatch (a kernel bound by map-grid) as a shader. */
function printShader(kernel: Kernel, args: string[], lay: Layout, program: KernelProgram, precision: Precision): WgslShader {
  const d = kernel.schedule.dispatch!;
  const refs = new Map<string, BufferRef>();
  kernel.params.forEach((p, i) => {
    const { binding, half } = lay.where.get(args[i])!;
    refs.set(p.name, { k: 'global', binding, half });
  });
  for (const s of walkStmts(kernel.body)) if (s.k === 'alloc') refs.set(s.name, { k: 'local', dtype: s.dtype });
  let printer: WgslPrinter;
  printer = new WgslPrinter((b) => {
    const r = refs.get(b);
    if (!r) throw new Error(`internal error: unknown buffer ${b} in ${kernel.name}`);
    return r;
  }, 0, precision === 'f16', bindLoops(kernel, (x) => printer.expr(x)));
  const e = (x: Expr) => printer.expr(x);

  // f16 tensors are indexed in f16 elements of the array<f16> view: two per word
  const params = kernel.params.map((p, i) => {
    const at = lay.where.get(args[i])!;
    return `let ${p.name}: i32 = ${e(at.half ? mul(at.offset, idx(2)) : at.offset)};`;
  });
  const stmts = printer.stmts(kernel.body, '  ');
  const text = [...(d.grid.length ? [] : ['  if (gid.x != 0u) { return; }']), ...stmts].join('\n');

  // only what the body reads is declared: pipelines with 'auto' layouts drop unused bindings
  const used = (re: RegExp) => re.test(text) || params.some((l) => re.test(l));
  const bindings: WgslBinding[] = [];
  const lines: string[] = [...(precision === 'f16' ? ['enable f16;'] : []), `// ${kernel.name}`, ...kernel.source.map((s) => `// ${s}`)];
  const symbolLines = program.symbols.map((s, i) => ({ s, line: `let ${s}: i32 = syms[${i >> 2}].${'xyzw'[i & 3]};` })).filter((x) => used(new RegExp(`\\b${x.s}\\b`)));
  if (text.includes('params[')) { bindings.push('params'); lines.push('@group(0) @binding(0) var<storage, read> params: array<u32>;'); }
  if (text.includes('data[')) { bindings.push('data'); lines.push('@group(0) @binding(1) var<storage, read_write> data: array<u32>;'); }
  if (text.includes('params16[')) { bindings.push('params16'); lines.push('@group(0) @binding(3) var<storage, read> params16: array<f16>;'); }
  // the data buffer a second time: WebGPU allows one buffer in several read-write storage bindings of a dispatch
  if (text.includes('data16[')) { bindings.push('data16'); lines.push('@group(0) @binding(4) var<storage, read_write> data16: array<f16>;'); }
  if (symbolLines.length) {
    bindings.push('symbols');
    lines.push(`@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, ${Math.max(1, Math.ceil(program.symbols.length / 4))}>;`);
  }
  lines.push(...printer.helperSource(), ...printer.workgroupArrays);
  const ids = d.thread ? '@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lidx: u32' : '@builtin(global_invocation_id) gid: vec3<u32>';
  lines.push('', `@compute @workgroup_size(${d.workgroupSize})`, `fn main(${ids}, @builtin(num_workgroups) nwg: vec3<u32>) {`);
  lines.push(...symbolLines.map((x) => `  ${x.line}`));
  lines.push(...params.map((l) => `  ${l}`));
  lines.push(text, '}', '');
  return { name: kernel.name, code: lines.join('\n'), workgroupSize: d.workgroupSize, bindings, invocations: toIndexExpr(invocationsOf(kernel)) };
}

/** Print a kernel program as WGSL shaders and the executor's plan. */
export function printWgslProgram(program: KernelProgram, inputShapes: Expr[][], precision: Precision = 'f32'): WgslProgram {
  const lay = layout(program, inputShapes, precision);
  const mapped = mapProgramGrid(program, WGSL_MAPPING, 'wgsl');
  const shaders = mapped.kernels.map((k, i) => printShader(k, mapped.calls[i].args, lay, program, precision));
  const plan: WgslPlan = {
    name: program.name,
    symbols: program.manifest.symbols.map((s, i) => ({ name: s.name, variable: program.symbols[i], from: s.from })),
    params: lay.params, constants: lay.constants, paramsWords: lay.paramsWords,
    inputs: lay.inputs, outputs: lay.outputs, dataWords: toIndexExpr(lay.dataWords), statusWord: 0, precision, shaders,
  };
  return { shaders, plan };
}

/** Generate the WGSL target for a graph: its shaders, and the plan (layout, dispatch order) the executor runs. */
export function generateWgsl(graph: Graph, opts: WgslOptions = {}): WgslProgram {
  checkDtypes(graph);
  const { precision = 'f32', ...lower } = opts;
  const program = lowerGraph(graph, { ...lower, target: 'wgsl', elementBytes: (d) => (storesHalf(precision, d) ? 2 : 4) });
  return printWgslProgram(program, graph.inputs.map((v) => v.type.shape.map(dimExpr)), precision);
}
