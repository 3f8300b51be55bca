// Kernel passes: FileCheck tests over the printed kernel per pass, the pass manager (specs, options,
// verification naming the pass, print-after-all), and docs/CODEGEN.md kept in step with the registry.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DiagnosticError } from '../../../src/diag/diagnostic.js';
import { PassInternalError } from '../../../src/passes/registry.js';
import { parseKernel } from '../../../src/codegen/kir/parse.js';
import { listKernelPasses, parseKernelPassSpec, runKernelPasses } from '../../../src/codegen/kir/passes.js';
import { renderKernelPassesDoc, withKernelPassesDoc } from '../../../src/codegen/kir/docs.js';
import { checkKernelPasses, programAround } from './harness.js';

const HEAD = 'kernel @k(read x: f32, write y: f32; s_N) {';
const SCHEDULE = '  schedule {parallel = [i], vector = [], unroll = [], minParallelWork = 0, work = (s_N * 1 + 0)}';

describe('simplify-index', () => {
  const kernel = `${HEAD}
${SCHEDULE}
  for i in 0 to s_N * 1 parallel {
    let a: index = (i + 2) + 3
    let b: index = (i - 2) + 5
    let c: index = (i * 4) * 2
    let d: index = 7 / 2 + -7 / 2 * 10 + -7 % 2 * 100 + 5 / 0 * 1000
    let e: index = i * 0 + 0 * i + i % 1
    let f: index = max(3, 9) - min(3, 9)
    let v: f32 = x[i * 1 + 0]:f32 * 1:f32 + 0:f32
    y[a + b + c + d + e + f + (i - 0) / 1] = v:f32
  }
}`;

  it('folds constants and identities in index expressions, and leaves element arithmetic alone', () => {
    checkKernelPasses(kernel, 'simplify-index', `
      CHECK: schedule {{.*}}work = (s_N)}
      CHECK: for i in 0 to s_N parallel {
      CHECK-NEXT: let a: index = i + 5
      CHECK-NEXT: let b: index = i + 3
      CHECK-NEXT: let c: index = i * 8
      CHECK-NEXT: let d: index = -127
      CHECK-NEXT: let e: index = 0
      CHECK-NEXT: let f: index = 6
      CHECK-NEXT: let v: f32 = x[i]:f32 * 1:f32 + 0:f32
      CHECK-NEXT: y[a + b + c + d + e + f + i] = v:f32`);
  });

  it('reassociates only when asked', () => {
    checkKernelPasses(kernel, 'simplify-index{reassociate=false}', `
      CHECK: let a: index = i + 2 + 3
      CHECK-NEXT: let b: index = i - 2 + 5
      CHECK-NEXT: let c: index = i * 4 * 2`);
  });

  it('keeps folds inside the safe-integer range', () => {
    checkKernelPasses(`${HEAD}\n${SCHEDULE}\n  for i in 0 to s_N parallel {\n    y[i + 9007199254740991 * 4] = 0:f32\n  }\n}`, 'simplify-index', `
      CHECK: y[i + 9007199254740991 * 4] = 0:f32`);
  });
});

describe('dce-lets', () => {
  it('removes lets nothing reads, chains of them at once, and unread mutable lets with their assignments', () => {
    checkKernelPasses(`${HEAD}
${SCHEDULE}
  for i in 0 to s_N parallel {
    let dead0: f32 = x[i]:f32
    let dead1: f32 = dead0:f32 * 2:f32
    let live: f32 = x[i]:f32 + 1:f32
    var acc: f32 = 0:f32
    for j in 0 to 4 {
      acc = acc:f32 + live:f32
      let inner: index = j * 2
    }
    y[i] = live:f32
  }
}`, 'dce-lets', `
      CHECK: for i in 0 to s_N parallel {
      CHECK-NOT: dead
      CHECK-NEXT: let live: f32 = x[i]:f32 + 1:f32
      CHECK-NEXT: for j in 0 to 4 {
      CHECK-NEXT: }
      CHECK-NEXT: y[i] = live:f32
      CHECK-NOT: acc
      CHECK-NOT: inner`);
  });

  it('keeps what a GEMM epilogue yields and what a read mutable let holds', () => {
    checkKernelPasses(`kernel @k(read a: f32, read bias: f32, write c: f32) {
  schedule {parallel = [], vector = [], unroll = [], minParallelWork = 0, work = (16)}
  var n: index = 0
  for j in 0 to 4 {
    n = n + j
  }
  gemm m = 4, n = 4, k = 4, alpha = 1, parallel = false {
    a = a[0; 4, 1]
    b = a[0; 4, 1]
    c = c[n; ld 4]
    epilogue(r, col, v) {
      let unused: f32 = v:f32 * 3:f32
      let b0: f32 = bias[col]:f32
      yield v:f32 + b0:f32
    }
  }
}`, 'dce-lets', `
      CHECK: var n: index = 0
      CHECK: n = n + j
      CHECK: epilogue(r, col, v) {
      CHECK-NOT: unused
      CHECK-NEXT: let b0: f32 = bias[col]:f32
      CHECK-NEXT: yield v:f32 + b0:f32`);
  });
});

describe('hoist-invariant-lets', () => {
  it('moves invariant lets out of each loop as far as they go, and keeps loads and loop-bound values in', () => {
    checkKernelPasses(`${HEAD}
${SCHEDULE}
  for i in 0 to s_N parallel {
    for j in 0 to 4 {
      let row: index = i * 4
      let twice: index = s_N * 2
      let scale: f32 = f32(twice) * 0.5:f32
      let v: f32 = x[row + j]:f32
      let both: index = row + twice
      y[both + j] = v:f32 * scale:f32
    }
  }
}`, 'hoist-invariant-lets', `
      CHECK: let twice: index = s_N * 2
      CHECK-NEXT: let scale: f32 = f32(twice) * 0.5:f32
      CHECK-NEXT: for i in 0 to s_N parallel {
      CHECK-NEXT: let row: index = i * 4
      CHECK-NEXT: let both: index = row + twice
      CHECK-NEXT: for j in 0 to 4 {
      CHECK-NEXT: let v: f32 = x[row + j]:f32
      CHECK-NEXT: y[both + j] = v:f32 * scale:f32`);
  });

  it('keeps lets that read an assigned variable, sit under an if, or share a name with a sibling loop\'s', () => {
    checkKernelPasses(`${HEAD}
${SCHEDULE}
  var acc: index = 0
  for i in 0 to s_N parallel {
    let t: index = s_N + 1
    let a: index = acc * 2
    acc = acc + a
    if s_N > 2 {
      let u: index = s_N * 3
      y[u] = 0:f32
    }
  }
  for k in 0 to 2 {
    let t: index = s_N + 2
    y[t + k] = 1:f32
  }
}`, 'hoist-invariant-lets', `
      CHECK: var acc: index = 0
      CHECK-NEXT: for i in 0 to s_N parallel {
      CHECK-NEXT: let t: index = s_N + 1
      CHECK-NEXT: let a: index = acc * 2
      CHECK: let u: index = s_N * 3
      CHECK: for k in 0 to 2 {
      CHECK-NEXT: let t: index = s_N + 2`);
  });
});

describe('apply-schedule', () => {
  it('binds loops and the GEMM intrinsic as the schedule says', () => {
    checkKernelPasses(`kernel @k(read a: f32, write c: f32; s_N) {
  schedule {parallel = [i], vector = [j], unroll = [u], minParallelWork = 0, work = (s_N), gemm = {mc = 8, kc = 8, nc = 8, parallel = true}}
  for i in 0 to s_N {
    for j in 0 to 4 {
      for u in 0 to 2 {
        for w in 0 to 2 {
          c[i * 16 + j * 4 + u * 2 + w] = a[j]:f32
        }
      }
    }
  }
  gemm m = 4, n = 4, k = 4, alpha = 1, parallel = false {
    a = a[0; 4, 1]
    b = a[0; 4, 1]
    c = c[0; ld 4]
  }
}`, 'apply-schedule', `
      CHECK: for i in 0 to s_N parallel {
      CHECK-NEXT: for j in 0 to 4 vector {
      CHECK-NEXT: for u in 0 to 2 unroll {
      CHECK-NEXT: for w in 0 to 2 {
      CHECK: gemm m = 4, n = 4, k = 4, alpha = 1, parallel = true {`);
  });
});

describe('the kernel pass manager', () => {
  const valid = () => programAround(parseKernel(`${HEAD}\n${SCHEDULE}\n  for i in 0 to s_N parallel {\n    y[i] = x[i]:f32\n  }\n}`));
  const invalid = () => programAround(parseKernel(`${HEAD}\n${SCHEDULE}\n  for i in 0 to s_N parallel {\n    y[i] = f32(x[i]:f64)\n  }\n}`));

  it('reads specs with options, and reports unknown passes, options and bad values as DSC9003', () => {
    expect(parseKernelPassSpec('simplify-index{reassociate=false}').options).toEqual({ reassociate: false });
    expect(parseKernelPassSpec('simplify-index').options).toEqual({ reassociate: true });
    for (const [spec, message] of [
      ['fold-everything', /unknown kernel pass 'fold-everything'; kernel passes: apply-schedule/],
      ['dce-lets{depth=2}', /kernel pass 'dce-lets' has no option 'depth'/],
      ['simplify-index{reassociate=maybe}', /option 'reassociate' of kernel pass 'simplify-index' takes true or false, got 'maybe'/],
    ] as const) {
      expect(() => parseKernelPassSpec(spec)).toThrow(DiagnosticError);
      expect(() => parseKernelPassSpec(spec)).toThrow(message);
    }
  });

  it('verifies its input first: an invalid program is lowering\'s fault', () => {
    expect(() => runKernelPasses(invalid(), 'dce-lets', { verify: true })).toThrow(PassInternalError);
    expect(() => runKernelPasses(invalid(), 'dce-lets', { verify: true })).toThrow(/in pass 'lowering': invalid kernel IR:\n\s+kernel @k: load of f64 from 'x' of f32/);
  });

  it('the verify pass names itself when the program is invalid', () => {
    expect(() => runKernelPasses(invalid(), 'verify')).toThrow(/in pass 'verify': invalid kernel IR/);
    expect(runKernelPasses(valid(), 'verify')).toEqual(valid());
  });

  it('prints the program after every pass when asked', () => {
    const seen: string[] = [];
    runKernelPasses(valid(), 'simplify-index,dce-lets,verify', { verify: true, printAfterAll: (name, text) => seen.push(`${name}: ${text.split('\n')[0]}`) });
    expect(seen).toEqual(['simplify-index: program @k {', 'dce-lets: program @k {', 'verify: program @k {']);
  });
});

const DOC = fileURLToPath(new URL('../../../docs/CODEGEN.md', import.meta.url));

describe('docs/CODEGEN.md', () => {
  it('lists every kernel pass and its options', () => {
    const text = renderKernelPassesDoc();
    for (const p of listKernelPasses()) {
      expect(text).toContain(`| \`${p.name}\` | ${p.summary} |`);
      for (const o of Object.keys(p.options)) expect(text).toContain(`| \`${o}\` |`);
    }
  });

  it('is up to date with the kernel pass registry', () => {
    const have = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
    const want = withKernelPassesDoc(have);
    if (process.env.DSC_UPDATE_DOCS) writeFileSync(DOC, want);
    else if (have !== want) throw new Error('the kernel pass list in docs/CODEGEN.md is out of date; regenerate it with: DSC_UPDATE_DOCS=1 npx vitest run test/codegen/kir');
  });
});
