// The WGSL target: a kernel program printed as WebGPU compute shaders plus the plan the executor in
// runtime/webgpu/ follows (see docs/WGSL.md).
//
// Mapping: each top-level loop nest (or GEMM) of a kernel becomes one shader, dispatched in program
// order. Its grid is the longest chain of perfectly nested loops whose iterations are independent
// (no loop-carried scalar), extended by the rows and columns of a GEMM at the end of the chain; one
// invocation runs one grid point, the loops below it serially. The GEMM intrinsic becomes one
// output element per invocation with its dot product in a serial loop. Top-level immutable lets are
// recomputed by every shader; a kernel whose top level carries a mutable scalar across loops (a full
// reduction) runs as one invocation.
import { DType } from '../../ir/dtype.js';
import { Graph, Value } from '../../ir/graph.js';
import { isStatic } from '../../ir/dim.js';
import { Tensor } from '../../ir/tensor.js';
import { diag } from '../../diag/diagnostic.js';
import { assignsOuter } from '../c-printer.js';
import {
  Expr, GemmStmt, Im2colOperand, Kernel, KernelProgram, MatrixOperand, ProgramBuffer, Stmt, add, and, assign, bin, div, ge, idx, ivar,
  letv, lit, load, loop, lt, mul, rem, store, sub, svar,
} from '../kernel-ir.js';
import { LowerOptions, lowerGraph } from '../lower/index.js';
import { dimExpr } from '../lower/dims.js';
import type { IndexExpr, WgslBinding, WgslConstant, WgslDType, WgslPlan, WgslShader, WgslTensorSlot } from '../../../runtime/webgpu/plan.js';
import { BufferRef, WgslPrinter } from './printer.js';

export type WgslOptions = Pick<LowerOptions, 'groups'>;

/** Element types the WGSL target stores (WGSL has no 8/16/64-bit storage types without extensions). */
const STORED: ReadonlySet<DType> = new Set(['f32', 'i32', 'u32', 'bool']);

/** Words reserved at the start of the data buffer: the status word, padded to 16 bytes. */
const STATUS_WORDS = 4;

/** Workgroup sizes by the work one invocation does. */
const WORKGROUP = { elementwise: 256, serial: 64, gemm: 64 } as const;

export interface WgslProgram { shaders: WgslShader[]; plan: WgslPlan }

// ---------------------------------------------------------------- support

/** Constants of i64 whose values fit i32 (index tensors from ONNX) are stored as i32; other i64 is refused. */
function narrowable(t: Tensor): boolean {
  if (t.dtype !== 'i64') return false;
  for (const v of t.data as BigInt64Array) if (v < -(2n ** 31n) || v >= 2n ** 31n) return false;
  return true;
}

function checkDtypes(graph: Graph): void {
  const bad: string[] = [];
  const why = (d: DType) => (d === 'i64' || d === 'u64' || d === 'f64' ? 'WGSL has no 64-bit types' : 'WGSL stores only 32-bit elements and bool');
  const boundary = (kind: string, vs: readonly Value[]) => {
    for (const v of vs) if (!STORED.has(v.type.dtype)) bad.push(`${kind} %${v.name} [${v.type.dtype}]: ${why(v.type.dtype)}`);
  };
  boundary('input', graph.inputs);
  boundary('output', graph.outputs);
  boundary('param', graph.params);
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

// ---------------------------------------------------------------- grid mapping

interface GridDim { v: string; start: Expr; extent: Expr }

/** One dispatch: a grid over independent loops, the statements of one grid point, and lets every shader recomputes. */
interface Phase { prelude: Stmt[]; grid: GridDim[]; body: Stmt[]; kind: keyof typeof WORKGROUP }

function exprVars(e: Expr, out: Set<string>): Set<string> {
  switch (e.k) {
    case 'var': out.add(e.name); break;
    case 'load': exprVars(e.index, out); if (e.mask) exprVars(e.mask, out); if (e.other) exprVars(e.other, out); break;
    case 'binary': exprVars(e.a, out); exprVars(e.b, out); break;
    case 'unary': case 'cast': exprVars(e.a, out); break;
    case 'select': exprVars(e.cond, out); exprVars(e.then, out); exprVars(e.else, out); break;
    case 'call': for (const a of e.args) exprVars(a, out); break;
    case 'const': break;
  }
  return out;
}

/** Bounds that only symbols (never loop variables or lets) determine, so the grid is rectangular. */
const symbolic = (e: Expr, symbols: ReadonlySet<string>) => [...exprVars(e, new Set())].every((v) => symbols.has(v));

function hasLoop(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => s.k === 'for' || (s.k === 'if' && (hasLoop(s.then) || hasLoop(s.else))));
}

/** The grid chain from a top-level loop or GEMM. */
function chain(top: Stmt, symbols: ReadonlySet<string>, names: () => string): { grid: GridDim[]; body: Stmt[]; kind: Phase['kind'] } {
  const grid: GridDim[] = [];
  const inner: Stmt[] = [];
  let rest: Stmt[] = [top];
  for (;;) {
    if (rest.length !== 1) break;
    const st = rest[0];
    if (st.k === 'gemm') {
      const base = names();
      const [r, c] = [`${base}_row`, `${base}_col`];
      grid.push({ v: r, start: idx(0), extent: st.m }, { v: c, start: idx(0), extent: st.n });
      return { grid, body: [...inner, ...expandGemm(st, r, c)], kind: 'gemm' };
    }
    if (st.k !== 'for' || assignsOuter(st.body) || !symbolic(st.start, symbols) || !symbolic(st.end, symbols)) break;
    grid.push({ v: st.var, start: st.start, extent: sub(st.end, st.start) });
    let k = 0;
    while (k < st.body.length && st.body[k].k === 'let' && !(st.body[k] as { mutable: boolean }).mutable) k++;
    inner.push(...st.body.slice(0, k));
    rest = st.body.slice(k);
  }
  const body = [...inner, ...rest];
  return { grid, body, kind: hasLoop(rest) ? 'serial' : 'elementwise' };
}

function phasesOf(kernel: Kernel, symbols: ReadonlySet<string>): Phase[] {
  let n = 0;
  const names = () => `gemm${n++}`;
  const top = kernel.body.filter((s) => s.k !== 'comment');
  const carries = top.some((s) => (s.k === 'let' && s.mutable) || s.k === 'assign');
  if (carries) return [{ prelude: [], grid: [], body: top, kind: 'serial' }];
  const phases: Phase[] = [];
  const prelude: Stmt[] = [];
  let single: Stmt[] = [];
  const flush = () => {
    if (single.length) phases.push({ prelude: [...prelude], grid: [], body: single, kind: 'serial' });
    single = [];
  };
  for (const st of top) {
    if (st.k === 'let') { if (single.length) single.push(st); else prelude.push(st); continue; }
    if (st.k === 'for' || st.k === 'gemm') {
      flush();
      phases.push({ prelude: [...prelude], ...chain(st, symbols, names) });
      continue;
    }
    single.push(st);
  }
  flush();
  return phases;
}

// ---------------------------------------------------------------- the GEMM intrinsic

function matrixAt(o: MatrixOperand, r: Expr, c: Expr): Expr {
  return add(o.offset, add(mul(r, o.rowStride), mul(c, o.colStride)));
}

/**
 * Element (row, col) of an implicit im2col matrix: rows (c, kd, kh, kw), columns (od, oh, ow), zero in
 * the padding. The column's (od, oh, ow) are the caller's lets, since they do not change along the dot product.
 */
function im2colAt(o: Im2colOperand, row: Expr, pre: Stmt[], v: (h: string) => string): Expr {
  const g = o.conv;
  const taps = g.kD * g.kH * g.kW;
  const [ch, tap, kd, kh, kw, od, oh, ow] = ['ch', 'tap', 'kd', 'kh', 'kw', 'od', 'oh', 'ow'].map(v);
  pre.push(
    letv(ch, div(row, idx(taps))), letv(tap, rem(row, idx(taps))),
    letv(kd, div(ivar(tap), idx(g.kH * g.kW))), letv(kh, rem(div(ivar(tap), idx(g.kW)), idx(g.kH))), letv(kw, rem(ivar(tap), idx(g.kW))),
  );
  const coord = (out: Expr, k: string, s: number, p: number, d: number) => add(sub(mul(out, idx(s)), idx(p)), mul(ivar(k), idx(d)));
  const [id, ih, iw] = [v('id'), v('ih'), v('iw')];
  pre.push(
    letv(id, coord(ivar(od), kd, g.sD, g.pD, g.dD)), letv(ih, coord(ivar(oh), kh, g.sH, g.pH, g.dH)), letv(iw, coord(ivar(ow), kw, g.sW, g.pW, g.dW)),
  );
  const inside = (x: string, n: number) => and(ge(ivar(x), idx(0)), lt(ivar(x), idx(n)));
  const mask = and(inside(id, g.inD), and(inside(ih, g.inH), inside(iw, g.inW)));
  const at = add(o.offset, add(mul(add(mul(add(mul(ivar(ch), idx(g.inD)), ivar(id)), idx(g.inH)), ivar(ih)), idx(g.inW)), ivar(iw)));
  return load(o.buf, at, 'f32', mask, lit('f32', 0));
}

/** C[r, c] of `C = alpha A B + beta bias` as scalar statements: a dot product over k. */
function expandGemm(st: GemmStmt, r: string, c: string): Stmt[] {
  const k = `${r}_k`, acc = `${r}_acc`;
  const v = (h: string) => `${r}_${h}`;
  const stmts: Stmt[] = [];
  let bAt: Expr;
  const kLoop: Stmt[] = [];
  if ('conv' in st.b) {
    const g = st.b.conv;
    stmts.push(
      letv(v('od'), div(ivar(c), idx(g.outH * g.outW))), letv(v('oh'), rem(div(ivar(c), idx(g.outW)), idx(g.outH))), letv(v('ow'), rem(ivar(c), idx(g.outW))),
    );
    bAt = im2colAt(st.b, ivar(k), kLoop, v);
  } else bAt = load(st.b.buf, matrixAt(st.b, ivar(k), ivar(c)), 'f32');
  const aAt = load(st.a.buf, matrixAt(st.a, ivar(r), ivar(k)), 'f32');
  const accV = svar(acc, 'f32');
  stmts.push(letv(acc, lit('f32', 0), true));
  stmts.push(loop(k, st.kdim, [...kLoop, assign(acc, bin('add', accV, bin('mul', aAt, bAt)))]));
  let y: Expr = st.alpha === 1 ? accV : bin('mul', lit('f32', st.alpha), accV);
  if (st.bias) {
    const b = load(st.bias.buf, matrixAt(st.bias, ivar(r), ivar(c)), 'f32');
    y = bin('add', y, st.bias.beta === 1 ? b : bin('mul', lit('f32', st.bias.beta), b));
  }
  stmts.push(store(st.c.buf, add(st.c.offset, add(mul(ivar(r), st.c.ld), ivar(c))), y));
  return stmts;
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
  /** word offset of each program buffer (aliases resolved), with its binding */
  where: Map<string, { binding: 'params' | 'data'; offset: Expr }>;
  params: WgslTensorSlot[];
  constants: WgslConstant[];
  paramsWords: number;
  inputs: WgslTensorSlot[];
  outputs: WgslTensorSlot[];
  dataWords: Expr;
}

function layout(program: KernelProgram, inputShapes: Expr[][]): Layout {
  const where = new Map<string, { binding: 'params' | 'data'; offset: Expr }>();
  const byName = new Map(program.buffers.map((b) => [b.name, b]));
  const slot = (b: ProgramBuffer, name: string, offset: Expr, shape: Expr[]): WgslTensorSlot =>
    ({ name, dtype: b.dtype as WgslDType, shape: shape.map(toIndexExpr), offset: toIndexExpr(offset) });
  const m = program.manifest;

  let words = 0;
  const params: WgslTensorSlot[] = [];
  for (const b of program.buffers.filter((x) => x.storage.k === 'param').sort((x, y) => (x.storage as { index: number }).index - (y.storage as { index: number }).index)) {
    where.set(b.name, { binding: 'params', offset: idx(words) });
    const p = m.params[(b.storage as { index: number }).index];
    params.push(slot(b, p.name, idx(words), p.shape.map((d) => idx(Number(d)))));
    words += evalStatic(b.size);
  }
  const constants: WgslConstant[] = [];
  for (const b of program.buffers) {
    if (b.storage.k !== 'constant') continue;
    const t = b.storage.tensor;
    where.set(b.name, { binding: 'params', offset: idx(words) });
    const values = Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
    constants.push({ dtype: (t.dtype === 'i64' ? 'i32' : t.dtype) as WgslDType, offset: words, values });
    words += Math.max(1, t.size);
  }

  let data: Expr = idx(STATUS_WORDS);
  const place = (kind: 'input' | 'output') => {
    const slots: WgslTensorSlot[] = [];
    const list = program.buffers.filter((x) => x.storage.k === kind).sort((x, y) => (x.storage as { index: number }).index - (y.storage as { index: number }).index);
    for (const b of list) {
      const i = (b.storage as { index: number }).index;
      where.set(b.name, { binding: 'data', offset: data });
      const shape = kind === 'input' ? program.manifest.inputs[i] : program.manifest.outputs[i];
      slots.push(slot(b, shape.name, data, kind === 'output' ? program.outputShapes[i] : inputShapes[i]));
      data = add(data, b.size);
    }
    return slots;
  };
  const inputs = place('input');
  const outputs = place('output');
  const workspace = data;
  for (const b of program.buffers)
    if (b.storage.k === 'workspace') where.set(b.name, { binding: 'data', offset: add(workspace, div(b.storage.offset, idx(4))) });
  for (const b of program.buffers) {
    if (b.storage.k !== 'alias') continue;
    let root = b;
    while (root.storage.k === 'alias') root = byName.get(root.storage.of)!;
    where.set(b.name, where.get(root.name)!);
  }
  return { where, params, constants, paramsWords: words, inputs, outputs, dataWords: add(workspace, div(program.workspaceBytes, idx(4))) };
}

// ---------------------------------------------------------------- shaders

function printShader(name: string, kernel: Kernel, args: string[], phase: Phase, lay: Layout, program: KernelProgram): WgslShader {
  const refs = new Map<string, BufferRef>();
  kernel.params.forEach((p, i) => refs.set(p.name, { k: 'global', binding: lay.where.get(args[i])!.binding }));
  const walk = (stmts: readonly Stmt[]) => {
    for (const s of stmts) {
      if (s.k === 'alloc') refs.set(s.name, { k: 'local', dtype: s.dtype });
      if (s.k === 'for') walk(s.body);
      if (s.k === 'if') { walk(s.then); walk(s.else); }
    }
  };
  walk(phase.body);
  const printer = new WgslPrinter((b) => {
    const r = refs.get(b);
    if (!r) throw new Error(`internal error: unknown buffer ${b} in ${kernel.name}`);
    return r;
  }, 0);
  const wg = WORKGROUP[phase.kind];
  const e = (x: Expr) => printer.expr(x);

  const body: string[] = [];
  const total = phase.grid.reduce<Expr>((p, g) => mul(p, g.extent), idx(1));
  if (phase.grid.length) {
    body.push(`let flat = i32(gid.x + gid.y * nwg.x * ${wg}u);`);
    body.push(`if (flat >= ${e(total)}) { return; }`);
    let stride: Expr = idx(1);
    const decls: string[] = [];
    for (let i = phase.grid.length - 1; i >= 0; i--) {
      const g = phase.grid[i];
      const q = stride.k === 'const' && Number(stride.value) === 1 ? ivar('flat') : div(ivar('flat'), stride);
      const coord = i === 0 ? q : rem(q, g.extent);
      decls.unshift(`let ${g.v}: i32 = ${e(add(g.start, coord))};`);
      stride = mul(stride, g.extent);
    }
    body.push(...decls);
  } else body.push('if (gid.x != 0u) { return; }');
  const params = kernel.params.map((p, i) => `let ${p.name}: i32 = ${e(lay.where.get(args[i])!.offset)};`);
  const stmts = [...printer.stmts(phase.prelude, '  '), ...printer.stmts(phase.body, '  ')];
  const text = [...body.map((l) => `  ${l}`), ...stmts].join('\n');

  // only what the body reads is declared: pipelines with 'auto' layouts drop unused bindings
  const used = (re: RegExp) => re.test(text) || params.some((l) => re.test(l));
  const bindings: WgslBinding[] = [];
  const lines: string[] = [`// ${name}`, ...kernel.source.map((s) => `// ${s}`)];
  const symbolLines = program.symbols.map((s, i) => ({ s, line: `let ${s}: i32 = syms[${i >> 2}].${'xyzw'[i & 3]};` })).filter((x) => used(new RegExp(`\\b${x.s}\\b`)));
  if (text.includes('params[')) { bindings.push('params'); lines.push('@group(0) @binding(0) var<storage, read> params: array<u32>;'); }
  if (text.includes('data[')) { bindings.push('data'); lines.push('@group(0) @binding(1) var<storage, read_write> data: array<u32>;'); }
  if (symbolLines.length) {
    bindings.push('symbols');
    lines.push(`@group(0) @binding(2) var<uniform> syms: array<vec4<i32>, ${Math.max(1, Math.ceil(program.symbols.length / 4))}>;`);
  }
  lines.push(...printer.helperSource());
  lines.push('', `@compute @workgroup_size(${wg})`, 'fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {');
  lines.push(...symbolLines.map((x) => `  ${x.line}`));
  lines.push(...params.map((l) => `  ${l}`));
  lines.push(text, '}', '');
  return { name, code: lines.join('\n'), workgroupSize: wg, bindings, invocations: toIndexExpr(phase.grid.length ? total : idx(1)) };
}

/** Print a kernel program as WGSL shaders and the executor's plan. */
export function printWgslProgram(program: KernelProgram, inputShapes: Expr[][]): WgslProgram {
  const lay = layout(program, inputShapes);
  const symbols = new Set(program.symbols);
  const shaders: WgslShader[] = [];
  program.kernels.forEach((k, i) => {
    const phases = phasesOf(k, symbols);
    phases.forEach((p, j) => shaders.push(printShader(phases.length > 1 ? `${k.name}_${j}` : k.name, k, program.calls[i].args, p, lay, program)));
  });
  const plan: WgslPlan = {
    name: program.name,
    symbols: program.manifest.symbols.map((s, i) => ({ name: s.name, variable: program.symbols[i], from: s.from })),
    params: lay.params, constants: lay.constants, paramsWords: lay.paramsWords,
    inputs: lay.inputs, outputs: lay.outputs, dataWords: toIndexExpr(lay.dataWords), statusWord: 0, shaders,
  };
  return { shaders, plan };
}

/** Generate the WGSL target for a graph: its shaders, and the plan (layout, dispatch order) the executor runs. */
export function generateWgsl(graph: Graph, opts: WgslOptions = {}): WgslProgram {
  checkDtypes(graph);
  const program = lowerGraph(graph, { ...opts, target: 'wgsl', elementBytes: () => 4 });
  return printWgslProgram(program, graph.inputs.map((v) => v.type.shape.map(dimExpr)));
}
