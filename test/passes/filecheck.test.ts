import { describe, expect, it } from 'vitest';
import { filecheck } from './filecheck.js';

const OUT = `graph @g(%x: f32[2]) -> (f32[2]) {
  %t0 = relu(%x) : f32[2]
  %t1 = neg(%t0) : f32[2]
  return %t1
}`;

describe('filecheck', () => {
  it('matches CHECK lines in order, CHECK-NEXT on the following line', () => {
    filecheck(OUT, '// CHECK: graph @g\n// CHECK-NEXT: relu(%x)\n// CHECK: return');
  });

  it('rejects a CHECK that does not occur after the previous match', () => {
    expect(() => filecheck(OUT, 'CHECK: neg\nCHECK: relu')).toThrow(/CHECK: relu.*\n.*no match after output line 3/);
  });

  it('rejects a CHECK-NEXT that matches only a later line', () => {
    expect(() => filecheck(OUT, 'CHECK: graph\nCHECK-NEXT: neg')).toThrow(/output line 2 does not match/);
  });

  it('rejects a CHECK-NOT between two matches, and accepts it elsewhere', () => {
    expect(() => filecheck(OUT, 'CHECK: graph\nCHECK-NOT: relu\nCHECK: return')).toThrow(/occurs on output line 2/);
    filecheck(OUT, 'CHECK: relu\nCHECK-NOT: relu\nCHECK: return');
    expect(() => filecheck(OUT, 'CHECK: graph\nCHECK-NOT: return')).toThrow(/occurs on output line 4/);
  });

  it('treats text literally except {{regex}} wildcards', () => {
    filecheck(OUT, 'CHECK: %{{.*}} = relu(%x) : f32[2]');
    expect(() => filecheck(OUT, 'CHECK: f32[.]')).toThrow();
  });

  it('binds [[NAME:re]] and requires the same text at [[NAME]]', () => {
    filecheck(OUT, 'CHECK: %[[R:[a-z0-9]+]] = relu\nCHECK: neg(%[[R]])');
    expect(() => filecheck(OUT, 'CHECK: %[[R:[a-z0-9]+]] = neg\nCHECK: return %x')).toThrow();
    expect(() => filecheck(OUT, 'CHECK: %[[N:[a-z0-9]+]] = relu\nCHECK: return %[[N]]')).toThrow(/no match/);
  });

  it('refuses checks without directives and misspelled directives', () => {
    expect(() => filecheck(OUT, '// nothing here')).toThrow(/no CHECK directives/);
    expect(() => filecheck(OUT, '// CHECK relu')).toThrow(/looks like a directive/);
  });
});
