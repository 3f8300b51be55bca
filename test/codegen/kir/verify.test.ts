// Expected-error tests of the kernel IR verifier: one small kernel or program in the text form per
// rule, with the message it must give (docs/CODEGEN.md states the rules).
import { describe, expect, it } from 'vitest';
import { parseKernel, parseProgram } from '../../../src/codegen/kir/parse.js';
import { KernelVerifyError, kernelProblems, programProblems, verifyKernel, verifyProgram } from '../../../src/codegen/kir/verify.js';

const SCHEDULE = 'schedule {parallel = [i], vector = [], unroll = [], minParallelWork = 0, work = (s_N)}';

/** A kernel over x (read), y (write) and w (read) whose parallel loop `i` holds `body`. */
const kernel = (body: string, schedule = SCHEDULE) => `kernel @k(read x: f32, write y: f32, read w: f32; s_N) {
  ${schedule}
  for i in 0 to s_N parallel {
${body.split('\n').map((l) => `    ${l}`).join('\n')}
  }
}`;

const problems = (text: string) => kernelProblems(parseKernel(text));

/** The kernel gives exactly one problem, matching `message`. */
function expectError(text: string, message: RegExp): void {
  const found = problems(text);
  expect(found, found.join('\n')).toHaveLength(1);
  expect(found[0]).toMatch(message);
}

describe('kernel verifier', () => {
  it('accepts a well-formed kernel', () => {
    expect(problems(kernel('let v: f32 = x[i]:f32 * 2:f32\ny[i] = select(v:f32 < 0:f32, 0:f32, exp(v:f32))'))).toEqual([]);
  });

  it('names the kernel and prints the offending statement', () => {
    const text = kernel('y[i] = x[i]:f32 + 1:f64');
    expect(() => verifyKernel(parseKernel(text))).toThrow(KernelVerifyError);
    expect(() => verifyKernel(parseKernel(text))).toThrow(/kernel @k: operands of add differ: f32 and f64: x\[i\]:f32 \+ 1:f64\n\s+at: y\[i\] = x\[i\]:f32 \+ 1:f64/);
  });

  describe('types', () => {
    it('binary operands agree', () => expectError(kernel('y[i] = x[i]:f32 + 1:f64'), /operands of add differ: f32 and f64/));
    it('comparisons give bool', () => expectError(kernel('let c: f32 = (x[i]:f32 < 0:f32):f32'), /lt gives bool, not f32/));
    it('logic takes bool', () => expectError(kernel('let c: bool = i && i'), /and takes bool operands, not index/));
    it('arithmetic keeps its operand type', () => expectError(kernel('let c: f64 = (x[i]:f32 * 2:f32):f64'), /mul of f32 operands is f32, not f64/));
    it('rem is not for floats', () => expectError(kernel('y[i] = x[i]:f32 % 2:f32'), /rem of floating-point operands/));
    it('bitwise operators take integers', () => expectError(kernel('let c: f32 = x[i]:f32 & x[i]:f32'), /bit_and needs integer operands, not f32/));
    it('intrinsics take floats', () => expectError(kernel('let n: i32 = exp(3:i32)'), /intrinsic exp on i32; intrinsics take floating-point operands/));
    it('intrinsics take their number of operands', () => expectError(kernel('y[i] = pow(x[i]:f32)'), /pow takes 2 operands, got 1/));
    it('is_nan and is_inf test a float and give bool', () => {
      expect(problems(kernel('y[i] = select(is_nan(x[i]:f32) || is_inf(x[i]:f32), 0:f32, x[i]:f32)'))).toEqual([]);
      expectError(kernel('y[i] = select(is_nan(x[i]:f32):f32 != 0:f32, 0:f32, x[i]:f32)'), /is_nan gives bool, not f32/);
    });
    it('select conditions are bool', () => expectError(kernel('y[i] = select(i, 0:f32, 1:f32)'), /select condition must be bool, not index/));
    it('a let holds its declared type', () => expectError(kernel('let v: f64 = x[i]:f32'), /the value of f64 'v' must be f64, not f32/));
    it('a cast converts any type', () => expect(problems(kernel('y[i] = f32(i) + f32(i32(x[i]:f32))'))).toEqual([]));
    it('indices are index-typed', () => expectError(kernel('y[i32(i)] = 0:f32'), /a store index must be index, not i32/));
    it('if conditions are bool', () => expectError(kernel('if i {\n}'), /an if condition must be bool, not index/));
    it('constants fit their type', () => expectError(kernel('let c: i32 = 1.5:i32'), /constant 1.5 is not a value of i32/));
  });

  describe('buffers', () => {
    it('loads name a parameter or allocation', () => expectError(kernel('y[i] = z[i]:f32'), /load from 'z', which is no parameter or allocation in scope/));
    it('loads have the element type of their buffer', () => expectError(kernel('let v: i32 = x[i]:i32'), /load of i32 from 'x' of f32/));
    it('masked loads have a mask and a value for elsewhere', () => expectError(kernel('y[i] = x[i if i < 3]:f32'), /a masked load needs both/));
    it('stores go to write parameters', () => expectError(kernel('x[i] = 1:f32'), /store to read-only parameter 'x'/));
    it('stores go to declared buffers', () => expectError(kernel('z[i] = 1:f32'), /store to 'z', which is no parameter or allocation in scope/));
    it('stores keep the element type', () => expectError(kernel('y[i] = 1:f64'), /store of f64 to 'y' of f32/));
    it('allocations are in scope only in their body', () =>
      expectError(kernel('if i < 2 {\n  alloc local t: f32[4]\n}\ny[i] = t[0]:f32'), /load from 't', which is no parameter or allocation in scope/));
    it('stores into allocations are fine', () => expect(problems(kernel('alloc local t: f32[4]\nt[0] = x[i]:f32\ny[i] = t[0]:f32'))).toEqual([]));
  });

  describe('scopes', () => {
    it('variables are declared', () => expectError(kernel('y[i] = t:f32'), /'t' is not declared here/));
    it('variables keep their declared type', () => expectError(kernel('let t: f32 = 1:f32\ny[i] = f32(t)'), /'t' is f32, used as index/));
    it('a name is not declared again inside its scope', () => expectError(kernel('let i: index = 0'), /'i' is declared again where an outer 'i' is in scope/));
    it('buffers and scalars share one namespace', () => expectError(kernel('let x: index = 0'), /'x' is declared again/));
    it('sibling scopes may reuse a name', () => expect(problems(kernel('for j in 0 to 2 {\n}\nfor j in 0 to 3 {\n}'))).toEqual([]));
    it('lets are visible only after their declaration', () => expectError(kernel('y[i] = v:f32\nlet v: f32 = 0:f32'), /'v' is not declared here/));
    it('assignments go to mutable lets', () => expectError(kernel('let a: f32 = 0:f32\na = 1:f32'), /assignment to 'a', which is not mutable/));
    it('assignments keep the let type', () => expectError(kernel('var a: f32 = 0:f32\na = 1:f64'), /assignment of f64 to f32 'a'/));
    it('assignments go to lets', () => expectError(kernel('s_N = 1'), /assignment to 's_N', which is no let in scope/));
    it('names are identifiers', () => expectError(kernel('let "a b": index = 0'), /'a b' is not an identifier/));
  });

  describe('barriers', () => {
    it('are fine in uniform control flow, also inside a parallel loop', () =>
      expect(problems(kernel('for j in 0 to s_N {\n  if s_N > 4 {\n    barrier\n  }\n}'))).toEqual([]));
    it('not under an if whose condition reads memory', () =>
      expectError(kernel('if x[i]:f32 > 0:f32 {\n  barrier\n}'), /a barrier in control flow that varies between invocations/));
    it('not under an if on a parallel loop variable', () => expectError(kernel('if i < 4 {\n  barrier\n}'), /a barrier in control flow that varies/));
    it('not in a loop whose bound depends on a parallel loop variable', () => expectError(kernel('for j in 0 to i {\n  barrier\n}'), /a barrier in control flow that varies/));
    it('not under a condition on a let computed from a varying value', () =>
      expectError(kernel('let t: index = i * 2\nif t < 4 {\n  barrier\n}'), /a barrier in control flow that varies/));
    it('not under a condition on a mutable let assigned in varying control flow, even later in a loop', () =>
      expectError(kernel('var u: index = 0\nfor j in 0 to 4 {\n  if u > 0 {\n    barrier\n  }\n  if i > 2 {\n    u = 1\n  }\n}'), /a barrier in control flow that varies/));
    const gpu = (body: string, thread = ', thread = t') => `kernel @k(write y: f32) {
  schedule {parallel = [], vector = [], unroll = [], minParallelWork = 0, work = (1), dispatch = {grid = [g]${thread}, workgroupSize = 64}}
  for g in 0 to 4 grid {
${body}
  }
}`;
    it('are fine in a workgroup\'s thread loop, which reaches each barrier with all its invocations', () =>
      expect(problems(gpu('    for t in 0 to 64 thread {\n      y[t]= 0:f32\n      barrier\n    }'))).toEqual([]));
    it('not under a condition on a thread loop variable', () =>
      expectError(gpu('    for t in 0 to 64 thread {\n      if t < 32 {\n        barrier\n      }\n    }'), /a barrier in control flow that varies/));
    it('a grid point with a thread loop is one workgroup, so its variable is uniform', () =>
      expect(problems(gpu('    for t in 0 to 64 thread {\n      if g < 2 {\n        barrier\n      }\n    }'))).toEqual([]));
    it('a grid point without a thread loop is one invocation, so its variable varies', () =>
      expectError(gpu('    if g < 2 {\n      barrier\n    }', ''), /a barrier in control flow that varies/));
    it('not in a vector loop variable condition', () =>
      expectError(kernel('for j in 0 to 4 vector {\n  if j < 2 {\n    barrier\n  }\n}', 'schedule {parallel = [i], vector = [j], unroll = [], minParallelWork = 0, work = (s_N)}'), /a barrier in control flow that varies/));
  });

  describe('checks, schedules and GEMMs', () => {
    it('a check is never inside a parallel loop', () => expectError(kernel('check i < s_N, 4, "out of range"'), /a check inside a parallel loop/));
    it('a check is never inside a grid loop', () =>
      expectError('kernel @k(write y: f32) {\n  schedule {parallel = [], vector = [], unroll = [], minParallelWork = 0, work = (1), dispatch = {grid = [g], workgroupSize = 64}}\n  for g in 0 to 4 grid {\n    check g < 4, 4, "bad"\n  }\n}', /a check inside a parallel loop/));
    it('a check code is a nonzero integer', () =>
      expectError('kernel @k() {\n  schedule {parallel = [], vector = [], unroll = [], minParallelWork = 0, work = (1)}\n  check 1 < 2, 0.5, "half"\n}', /a check's code must be a nonzero integer, not 0.5/));
    it('a check outside parallel loops is fine', () =>
      expect(problems(`kernel @k(read x: i64; s_N) {\n  schedule {parallel = [], vector = [], unroll = [], minParallelWork = 0, work = (s_N)}\n  for i in 0 to s_N {\n    check x[i]:i64 < 4:i64, 4, "bad"\n  }\n}`)).toEqual([]));
    it('schedule lists name loops of the kernel', () =>
      expectError(kernel('y[i] = 0:f32', 'schedule {parallel = [i], vector = [j], unroll = [], minParallelWork = 0, work = (s_N)}'), /schedule vector names 'j', which is no loop of the kernel/));
    it('a bound loop is named by its schedule', () =>
      expectError(kernel('y[i] = 0:f32', 'schedule {parallel = [], vector = [], unroll = [], minParallelWork = 0, work = (s_N)}'), /loop 'i' is bound parallel but the schedule's parallel loops do not include it/));
    it('the work estimate reads only scalars', () =>
      expectError(kernel('y[i] = 0:f32', 'schedule {parallel = [i], vector = [], unroll = [], minParallelWork = 0, work = (i)}'), /schedule work: 'i' is not declared here/));

    const gemm = (a: string, b: string, c: string, epilogue = '') => kernel(`gemm m = 4, n = 4, k = 4, alpha = 1, parallel = false {
  a = ${a}[0; 4, 1]
  b = ${b}[0; 4, 1]
  c = ${c}[i * 16; ld 4]${epilogue}
}`);
    it('GEMM operands name declared buffers', () => expectError(gemm('x', 'v', 'y'), /GEMM B 'v' is no parameter or allocation in scope/));
    it('GEMM results go to writable buffers', () => expectError(gemm('x', 'w', 'x'), /GEMM C 'x' is a read-only parameter/));
    it('GEMM epilogues do not store', () =>
      expectError(gemm('x', 'w', 'y', '\n  epilogue(r, c, v) {\n    y[0] = v:f32\n    yield v:f32\n  }'), /a GEMM epilogue must not store/));
    it('GEMM epilogues yield f32', () => expectError(gemm('x', 'w', 'y', '\n  epilogue(r, c, v) {\n    yield f64(v:f32)\n  }'), /the epilogue result must be f32, not f64/));
    it('GEMM operands are f32', () =>
      expectError(`kernel @k(read x: f16, write y: f32) {\n  schedule {parallel = [], vector = [], unroll = [], minParallelWork = 0, work = (1)}\n  gemm m = 1, n = 1, k = 1, alpha = 1, parallel = false {\n    a = x[0; 1, 1]\n    b = x[0; 1, 1]\n    c = y[0; ld 1]\n  }\n}`.replace('b = x', 'b = y'), /GEMM A 'x' is f16; the GEMM intrinsic takes f32/));
  });
});

const PROGRAM = `program @p {
  manifest p {
    param w: f32[4]
    input x: f32[N]
    output y: f32[N]
    symbol N = input 0 axis 0
  }
  symbols(s_N)
  buffer v_w w: f32[4] = param 0
  buffer v_x x: f32[s_N] = input 0
  buffer v_y y: f32[s_N] = output 0
  buffer v_t t: f32[s_N] = workspace 0
  buffer v_r r: f32[s_N] = alias v_t
  workspace 64 * s_N
  output_shape [s_N]

  kernel @k0(read a: f32, write b: f32; s_N) {
    schedule {parallel = [i], vector = [], unroll = [], minParallelWork = 0, work = (s_N)}
    for i in 0 to s_N parallel {
      b[i] = a[i]:f32
    }
  }

  kernel @k1(read a: f32, write b: f32; s_N) {
    schedule {parallel = [i], vector = [], unroll = [], minParallelWork = 0, work = (s_N)}
    for i in 0 to s_N parallel {
      b[i] = a[i]:f32
    }
  }

  call @k0(v_x, v_t; s_N)
  call @k1(v_r, v_y; s_N)
}
`;

/** The program with `from` replaced by `to` has problems, one of them matching `message`. */
function expectProgramError(from: string, to: string, message: RegExp): void {
  expect(PROGRAM).toContain(from);
  const found = programProblems(parseProgram(PROGRAM.replace(from, to)));
  expect(found.filter((p) => message.test(p)), found.join('\n')).toHaveLength(1);
}

describe('program verifier', () => {
  it('accepts a well-formed program', () => {
    expect(programProblems(parseProgram(PROGRAM))).toEqual([]);
    expect(() => verifyProgram(parseProgram(PROGRAM))).not.toThrow();
  });
  it('calls name kernels', () => expectProgramError('call @k1(', 'call @k9(', /call 1 \(@k9\): no kernel @k9/));
  it('call i runs kernel i', () => expectProgramError('call @k0(v_x, v_t; s_N)\n  call @k1(v_r, v_y; s_N)', 'call @k1(v_x, v_t; s_N)\n  call @k0(v_r, v_y; s_N)', /call 0 \(@k1\): call 0 must run kernel 0 \(@k0\)/));
  it('argument counts match the parameters', () => expectProgramError('call @k0(v_x, v_t; s_N)', 'call @k0(v_x; s_N)', /call 0 \(@k0\): 1 arguments for 2 parameters/));
  it('argument dtypes match the parameters', () =>
    expectProgramError('buffer v_t t: f32[s_N] = workspace 0\n  buffer v_r r: f32[s_N] = alias v_t', 'buffer v_t t: i32[s_N] = workspace 0\n  buffer v_r r: i32[s_N] = alias v_t', /argument 'v_t' is i32, parameter 'b' f32/));
  it('arguments are buffers', () => expectProgramError('call @k0(v_x, v_t; s_N)', 'call @k0(v_x, v_q; s_N)', /argument 'v_q' is no buffer/));
  it('scalars are program symbols', () => expectProgramError('call @k0(v_x, v_t; s_N)', 'call @k0(v_x, v_t; s_M)', /scalar 's_M' is no symbol of the program/));
  it('buffers are declared once', () => expectProgramError('buffer v_r r: f32[s_N] = alias v_t', 'buffer v_r r: f32[s_N] = alias v_t\n  buffer v_r q: f32[s_N] = workspace 0', /buffer v_r is declared more than once/));
  it('aliases resolve', () => expectProgramError('= alias v_t', '= alias v_u', /buffer v_r aliases 'v_u', which is not declared/));
  it('aliases do not form a cycle', () => expectProgramError('buffer v_r r: f32[s_N] = alias v_t', 'buffer v_r r: f32[s_N] = alias v_q\n  buffer v_q q: f32[s_N] = alias v_r', /buffer v_r: its aliases form a cycle/));
  it('kernels write only outputs and the workspace', () => expectProgramError('call @k0(v_x, v_t; s_N)', 'call @k0(v_t, v_x; s_N)', /parameter 'b' writes 'v_x', whose storage is input/));
  it('storage slots exist in the manifest with the buffer dtype', () => expectProgramError('= output 0', '= output 1', /buffer v_y: the manifest has no output 1/));
  it('sizes are index expressions over the symbols', () => expectProgramError('workspace 64 * s_N', 'workspace 64 * s_M', /workspace bytes: 's_M' is not declared here/));
  it('kernel problems are program problems, naming the kernel', () => expectProgramError('b[i] = a[i]:f32\n    }\n  }\n\n  call', 'b[i] = f32(a[i]:f64)\n    }\n  }\n\n  call', /kernel @k1: load of f64 from 'a' of f32/));
});
