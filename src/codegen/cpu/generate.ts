// The CPU target: a kernel program printed as one C++17 translation unit (model.cc) that implements
// the C ABI of src/codegen/abi.ts. Parallel loops become OpenMP `parallel for`, vector loops carry
// `GCC ivdep`, and the GEMM tile intrinsic calls runtime/cpu/kernels/dsc/gemm.h. The file includes
// "dsc/scalar.h" and "dsc/gemm.h" with runtime/cpu/kernels as an include directory.
import { DType, DTYPE_INFO, isFloat, isInteger } from '../../ir/dtype.js';
import { Graph } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { CPrinterHooks, CStylePrinter, CTargetTable, assignsOuter, cIntLiteral, shortestFloat } from '../c-printer.js';
import { Expr, GemmStmt, Kernel, KernelProgram, ScalarType, Stmt, walkStmts } from '../kernel-ir.js';
import { LowerOptions, lowerGraph } from '../lower/index.js';

export interface CpuOptions extends LowerOptions {
  /** OpenMP parallel loops and multi-threaded GEMM (default true); without, the code is serial and needs no -fopenmp */
  threads?: boolean;
}

const C_TYPES: Record<ScalarType, string> = {
  f32: 'float', f64: 'double', f16: 'uint16_t', bf16: 'uint16_t', i8: 'int8_t', u8: 'uint8_t', i16: 'int16_t', u16: 'uint16_t',
  i32: 'int32_t', u32: 'uint32_t', i64: 'int64_t', u64: 'uint64_t', bool: 'uint8_t', index: 'int64_t',
};

const STD_MATH = new Set(['exp', 'expm1', 'log', 'log1p', 'sqrt', 'floor', 'ceil', 'erf', 'erfc', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'fmod']);

const isInt = (t: ScalarType) => t !== 'index' && isInteger(t);

export const CPU_TABLE: CTargetTable = {
  type: (t) => C_TYPES[t],
  floatLiteral(v, t) {
    const single = t === 'f32';
    if (Number.isNaN(v)) return single ? 'NAN' : 'double(NAN)';
    if (!Number.isFinite(v)) return `${v < 0 ? '-' : ''}${single ? 'INFINITY' : 'double(INFINITY)'}`;
    return shortestFloat(v, single) + (single ? 'f' : '');
  },
  intLiteral: cIntLiteral,
  boolLiteral: (v) => (v ? '1' : '0'),
  intrinsic(fn, type, args, p) {
    const a = args.map((x) => p.expr(x)).join(', ');
    if (fn === 'abs') return `std::fabs(${a})`;
    if (fn === 'is_nan') return `std::isnan(${a})`;
    if (fn === 'is_inf') return `std::isinf(${a})`;
    if (fn === 'pow') return isInt(type) ? `dsc::ipow<${C_TYPES[type]}>(${a})` : `std::pow(${a})`;
    if (STD_MATH.has(fn)) return `std::${fn}(${a})`;
    return `dsc::${fn}(${a})`;
  },
  cast(a, to, p) {
    const [from, raw] = [a.type, p.expr(a)];
    // f16/bf16 bit patterns convert through double (runtime/cpu/kernels/dsc/scalar.h)
    if (to === 'f16' || to === 'bf16') return from === to ? raw : `dsc::f64_to_${to}(${from === 'f16' || from === 'bf16' ? `dsc::${from}_to_f64(${raw})` : `static_cast<double>(${raw})`})`;
    const x = from === 'f16' || from === 'bf16' ? `dsc::${from}_to_f64(${raw})` : raw;
    if (from === 'f16' || from === 'bf16') return to === 'bool' ? `dsc::to_bool(${x})` : isInt(to) ? `dsc::cast<${C_TYPES[to]}>(${x})` : `static_cast<${C_TYPES[to]}>(${x})`;
    if (to === 'bool') return from === 'bool' ? x : `dsc::to_bool(${x})`;
    if (from !== 'index' && isFloat(from) && isInt(to)) return `dsc::cast<${C_TYPES[to]}>(${x})`;
    return `static_cast<${C_TYPES[to]}>(${x})`;
  },
  integerOp(op, a, b, p) {
    const type = a.type;
    if (!isInt(type)) return null;
    const t = C_TYPES[type as DType];
    if (op === 'div') return `dsc::idiv<${t}>(${p.expr(a)}, ${p.expr(b)})`;
    if (op === 'rem') return `dsc::irem<${t}>(${p.expr(a)}, ${p.expr(b)})`;
    // 32- and 64-bit signed arithmetic would overflow (undefined); narrower types are promoted to int
    if ((type === 'i32' || type === 'i64') && (op === 'add' || op === 'sub' || op === 'mul')) return `dsc::wrap_${op}<${t}>(${p.expr(a)}, ${p.expr(b)})`;
    return null;
  },
  unary(op, a, p) {
    // ~ and - promote narrow integers to int: the result is converted back
    if (op === 'bit_not' && a.type !== 'bool') return `static_cast<${C_TYPES[a.type]}>(~${p.operand(a)})`;
    if (op === 'neg' && (a.type === 'i32' || a.type === 'i64')) return `dsc::wrap_sub<${C_TYPES[a.type]}>(0, ${p.expr(a)})`;
    return null;
  },
  minMax: (op, a, b, p) => `std::${op}<${C_TYPES[a.type]}>(${p.expr(a)}, ${p.expr(b)})`,
  select: (cond, then, otherwise) => `(${cond} ? ${then} : ${otherwise})`,
  operands: 'precedence',
  declare: (name, type, mutable, value) => `${mutable ? '' : 'const '}${C_TYPES[type]} ${name} = ${value};`,
  loopHeader: (v, start, end) => `for (int64_t ${v} = ${start}; ${v} < ${end}; ++${v}) {`,
  load(e, p) {
    const at = `${e.buf}[${p.expr(e.index)}]`;
    return e.mask ? `(${p.expr(e.mask)} ? ${at} : ${p.expr(e.other!)})` : at;
  },
  store: (buf, index, value, p) => `${buf}[${p.expr(index)}] = ${p.expr(value)};`,
  guarded: (mask, line) => `if (${mask}) ${line}`,
  fail: (code) => `return ${code};`,
};

/** Largest local allocation kept on the stack, in elements. */
const STACK_ALLOC_LIMIT = 4096;

function cpuHooks(kernel: Kernel, threads: boolean, print: () => CStylePrinter): CPrinterHooks {
  const s = kernel.schedule;
  return {
    loopPrefix(st, parents) {
      if (st.binding === 'vector') return assignsOuter(st.body) ? [] : ['#pragma GCC ivdep'];
      if (st.binding === 'unroll') return ['#pragma GCC unroll 4'];
      if (st.binding !== 'parallel' || !threads || parents.some((p) => p.k === 'for' && p.binding === 'parallel')) return [];
      if (s.work.k === 'const' && Number(s.work.value) < s.minParallelWork) return [];
      let depth = 1;
      for (let inner: Stmt = st; inner.k === 'for' && inner.body.length === 1 && inner.body[0].k === 'for' && inner.body[0].binding === 'parallel'; inner = inner.body[0]) depth++;
      const collapse = depth > 1 ? ` collapse(${depth})` : '';
      return [`#pragma omp parallel for${collapse} schedule(static) num_threads(nt) if (${print().expr(s.work)} >= ${s.minParallelWork})`];
    },
    gemm(st, expr) {
      const blocking = s.gemm ?? { mc: 96, kc: 256, nc: 2048 };
      const parallel = threads && st.parallel;
      const lines: string[] = [];
      const at = (buf: string, offset: Expr) => (offset.k === 'const' && Number(offset.value) === 0 ? buf : `${buf} + ${expr(offset)}`);
      const strided = (o: { buf: string; offset: Expr; rowStride: Expr; colStride: Expr }) =>
        `dsc::Strided{${at(o.buf, o.offset)}, ${expr(o.rowStride)}, ${expr(o.colStride)}}`;
      let bArg: string;
      if ('conv' in st.b) {
        const g = st.b.conv;
        const fields = [g.channels, g.inD, g.inH, g.inW, g.outD, g.outH, g.outW, g.kD, g.kH, g.kW, g.sD, g.sH, g.sW, g.dD, g.dH, g.dW, g.pD, g.pH, g.pW];
        bArg = `dsc::Im2col{${at(st.b.buf, st.b.offset)}, {${fields.join(', ')}}}`;
      } else bArg = strided(st.b);
      if (st.bias) lines.push(`const dsc::Strided bias = ${strided(st.bias)};`);
      const ep = st.epilogue;
      if (ep) {
        lines.push(`const auto epilogue = [&](int64_t ${ep.row}, int64_t ${ep.col}, float ${ep.value}) -> float {`);
        lines.push(...print().stmts(ep.body, '  '), `  return ${expr(ep.result)};`, '};');
      }
      const call = `dsc::gemm<${blocking.mc}, ${blocking.kc}, ${blocking.nc}>(${expr(st.m)}, ${expr(st.n)}, ${expr(st.kdim)}, ` +
        `${CPU_TABLE.floatLiteral(st.alpha, 'f32')}, ${strided(st.a)}, ${bArg}, ${at(st.c.buf, st.c.offset)}, ${expr(st.c.ld)}, ` +
        `${st.bias ? '&bias' : 'nullptr'}, ${CPU_TABLE.floatLiteral(st.bias?.beta ?? 0, 'f32')}, ${parallel}, ${threads ? 'nt' : '1'}${ep ? ', epilogue' : ''})`;
      if (gemmInParallelLoop(kernel, st)) lines.push(`if (${call} != 0) {`, '#pragma omp atomic write', '  status = 3;', '}');
      else lines.push(`if (const int rc = ${call}) return rc;`);
      return st.bias || ep ? ['{', ...lines.map((l) => (l.startsWith('#') ? l : `  ${l}`)), '}'] : lines;
    },
    alloc(st, size) {
      const t = C_TYPES[st.dtype];
      if (st.size.k === 'const' && Number(st.size.value) <= STACK_ALLOC_LIMIT) return [`${t} ${st.name}[${size}];`];
      return [`std::vector<${t}> ${st.name}_storage(${size});`, `${t}* const ${st.name} = ${st.name}_storage.data();`];
    },
    barrier: () => ['// barrier: one CPU thread runs each program instance'],
  };
}

function gemmInParallelLoop(kernel: Kernel, target: GemmStmt): boolean {
  const visit = (stmts: readonly Stmt[], underParallel: boolean): boolean =>
    stmts.some((st) => {
      if (st === target) return underParallel;
      if (st.k === 'for') return visit(st.body, underParallel || st.binding === 'parallel');
      if (st.k === 'if') return visit(st.then, underParallel) || visit(st.else, underParallel);
      return false;
    });
  return visit(kernel.body, false);
}

function usesThreads(kernel: Kernel, threads: boolean): boolean {
  if (!threads) return false;
  return [...walkStmts(kernel.body)].some((st) => (st.k === 'for' && st.binding === 'parallel') || st.k === 'gemm');
}

function printKernel(kernel: Kernel, threads: boolean): string[] {
  let printer: CStylePrinter;
  printer = new CStylePrinter(CPU_TABLE, cpuHooks(kernel, threads, () => printer));
  const params = kernel.params.map((p) => `${p.access === 'read' ? 'const ' : ''}${C_TYPES[p.dtype]}* __restrict ${p.name}`);
  for (const s of kernel.scalars) params.push(`int64_t ${s}`);
  if (usesThreads(kernel, threads)) params.push('int nt');
  const status = [...walkStmts(kernel.body)].some((st) => st.k === 'gemm' && gemmInParallelLoop(kernel, st));
  const lines = kernel.source.map((s) => `// ${s}`);
  lines.push(`static int ${kernel.name}(${params.join(', ')}) {`);
  if (status) lines.push('  int status = 0;');
  lines.push(...printer.stmts(kernel.body, '  '));
  lines.push(status ? '  return status;' : '  return 0;', '}');
  return lines;
}

function constantLines(name: string, t: Tensor): string[] {
  const type = C_TYPES[t.dtype];
  const printer = new CStylePrinter(CPU_TABLE, {} as CPrinterHooks);
  const values: string[] = [];
  const data = t.data as ArrayLike<number | bigint>;
  for (let i = 0; i < t.size; i++) values.push(DTYPE_INFO[t.dtype].float && t.dtype !== 'f16' && t.dtype !== 'bf16' ? printer.literal(Number(data[i]), t.dtype) : printer.literal(data[i], t.dtype === 'f16' || t.dtype === 'bf16' ? 'u16' : t.dtype));
  if (values.length === 0) values.push('0');
  const rows: string[] = [];
  for (let i = 0; i < values.length; i += 8) rows.push(`    ${values.slice(i, i + 8).join(', ')},`);
  return [`alignas(64) const ${type} ${name}[${Math.max(1, t.size)}] = {`, ...rows, '};'];
}

/** Print a kernel program as model.cc. */
export function printCpuProgram(program: KernelProgram, threads: boolean): string {
  const printer = new CStylePrinter(CPU_TABLE, {} as CPrinterHooks);
  const e = (x: Expr) => printer.expr(x);
  const usesGemm = program.kernels.some((k) => [...walkStmts(k.body)].some((s) => s.k === 'gemm'));
  const usesVector = program.kernels.some((k) => [...walkStmts(k.body)].some((s) => s.k === 'alloc' && !(s.size.k === 'const' && Number(s.size.value) <= STACK_ALLOC_LIMIT)));
  const out: string[] = [
    `// ${program.name}: generated by dsc for the cpu target; implements the C ABI of src/codegen/abi.ts.`,
    '// Build with runtime/cpu/kernels on the include path, C++17, -O3 (optionally -march=native) and -fopenmp.',
    '#include <algorithm>',
    '#include <cmath>',
    '#include <cstddef>',
    '#include <cstdint>',
  ];
  if (usesVector) out.push('#include <vector>');
  out.push('', '#include "dsc/scalar.h"');
  if (usesGemm) out.push('#include "dsc/gemm.h"');
  out.push('', 'namespace {', '');
  const constants = program.buffers.filter((b) => b.storage.k === 'constant');
  for (const b of constants) {
    out.push(`// constant %${b.value}`);
    out.push(...constantLines(b.name, (b.storage as { tensor: Tensor }).tensor), '');
  }
  for (const k of program.kernels) out.push(...printKernel(k, threads), '');
  out.push('}  // namespace', '');

  const bindSymbols = (indent: string) => program.symbols.map((s, i) => `${indent}const int64_t ${s} = syms[${i}];`);
  out.push('extern "C" {', '');
  out.push('// per-kernel timers (runtime/cpu/model_spec.h); weak, so kernels linked without the runtime skip them');
  out.push('__attribute__((weak)) void dsc_profile_mark(int call, const char* kernel);', '');
  out.push('void dsc_output_shape(int index, const int64_t* syms, int64_t* shape_out) {');
  out.push(...bindSymbols('  '));
  if (program.symbols.length === 0) out.push('  (void)syms;');
  out.push('  switch (index) {');
  program.outputShapes.forEach((shape, i) => {
    out.push(`    case ${i}:`);
    shape.forEach((d, j) => out.push(`      shape_out[${j}] = ${e(d)};`));
    out.push('      return;');
  });
  out.push('    default:', '      return;', '  }', '}', '');
  out.push('size_t dsc_workspace_bytes(const int64_t* syms) {');
  out.push(...bindSymbols('  '));
  if (program.symbols.length === 0) out.push('  (void)syms;');
  out.push(`  return static_cast<size_t>(${e(program.workspaceBytes)});`, '}', '');

  out.push('int dsc_run(const void* const* params, const void* const* inputs, void* const* outputs, const int64_t* syms,');
  out.push('            void* workspace, int num_threads) {');
  out.push(...bindSymbols('  '));
  if (program.symbols.length === 0) out.push('  (void)syms;');
  const threadsUsed = program.kernels.some((k) => usesThreads(k, threads));
  if (threadsUsed) out.push('  const int nt = num_threads > 0 ? num_threads : dsc::default_threads();');
  else out.push('  (void)num_threads;');
  if (program.buffers.some((b) => b.storage.k === 'workspace')) out.push('  char* const ws = static_cast<char*>(workspace);');
  else out.push('  (void)workspace;');
  for (const b of program.buffers) {
    const t = C_TYPES[b.dtype];
    const st = b.storage;
    const note = b.value !== b.name.slice(2) ? `  // %${b.value}` : '';
    switch (st.k) {
      case 'param': out.push(`  const ${t}* const ${b.name} = static_cast<const ${t}*>(params[${st.index}]);${note}`); break;
      case 'input': out.push(`  const ${t}* const ${b.name} = static_cast<const ${t}*>(inputs[${st.index}]);${note}`); break;
      case 'output': out.push(`  ${t}* const ${b.name} = static_cast<${t}*>(outputs[${st.index}]);${note}`); break;
      case 'workspace': out.push(`  ${t}* const ${b.name} = reinterpret_cast<${t}*>(ws + ${e(st.offset)});${note}`); break;
      case 'alias': out.push(`  const ${t}* const ${b.name} = ${st.of};${note}`); break;
      case 'constant': break;
    }
  }
  out.push('  void (*const mark)(int, const char*) = dsc_profile_mark;', '  if (mark) mark(-1, nullptr);');
  for (const [i, c] of program.calls.entries()) {
    const k = program.kernels[i];
    const args = [...c.args, ...c.scalars];
    if (usesThreads(k, threads)) args.push('nt');
    out.push(`  if (const int rc = ${c.kernel}(${args.join(', ')})) return rc;`);
    out.push(`  if (mark) mark(${i}, "${c.kernel}");`);
  }
  out.push('  return 0;', '}', '', '}  // extern "C"', '');
  return out.join('\n');
}

/** Generate the CPU target's sources for a graph: model.cc, to be compiled with runtime/cpu/kernels on the include path. */
export function generateCpu(graph: Graph, opts: CpuOptions = {}): { files: Map<string, string> } {
  const threads = opts.threads ?? true;
  const program = lowerGraph(graph, { epilogues: true, ...opts, target: 'cpu' });
  return { files: new Map([['model.cc', printCpuProgram(program, threads)]]) };
}
