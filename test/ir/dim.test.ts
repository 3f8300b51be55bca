import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sym, dimAdd, dimSub, dimMul, dimFloorDiv, dimCeilDiv, dimMod, dimEq, dimToString, parseDim, evalDim, substDim, unknownDim, dimProduct } from '../../src/ir/dim.js';

const N = sym('N');
const S = sym('S');

describe('symbolic dims', () => {
  it('canonicalizes sums and products', () => {
    expect(dimToString(dimAdd(dimMul(N, 2), dimMul(2, N)))).toBe('4*N');
    expect(dimEq(dimMul(N, S), dimMul(S, N))).toBe(true);
    expect(dimToString(dimSub(dimAdd(N, 3), N))).toBe('3');
    expect(dimSub(dimAdd(N, 3), N)).toBe(3);
    expect(dimToString(dimAdd(dimMul(N, S), dimAdd(N, 1)))).toBe('N*S + N + 1');
    expect(dimToString(dimSub(1, N))).toBe('-N + 1');
  });

  it('divides exactly when it can and keeps floor() otherwise', () => {
    expect(dimToString(dimFloorDiv(dimMul(N, 64), 8))).toBe('8*N');
    expect(dimToString(dimFloorDiv(dimAdd(N, 1), 2))).toBe('floor(N + 1, 2)');
    expect(dimToString(dimCeilDiv(N, 2))).toBe('floor(N + 1, 2)');
    expect(dimFloorDiv(7, 2)).toBe(3);
    expect(dimMod(dimMul(N, 4), 2)).toBe(0);
    expect(dimToString(dimMod(N, 3))).toBe('mod(N, 3)');
  });

  it('evaluates and substitutes', () => {
    const d = dimAdd(dimFloorDiv(dimSub(N, 1), 2), 1);
    expect(evalDim(d, new Map([['N', 224]]))).toBe(112);
    expect(evalDim(dimMod(N, 3), new Map([['N', 10]]))).toBe(1);
    expect(substDim(d, new Map([['N', 9]]))).toBe(5);
    expect(dimToString(substDim(dimMul(N, S), new Map([['S', dimMul(N, 2)]])))).toBe('2*N*N');
    expect(() => evalDim(N, new Map())).toThrow('symbolic dim N is not bound');
  });

  it('unknown dims equal nothing but themselves', () => {
    const u = unknownDim();
    expect(dimEq(u, unknownDim())).toBe(false);
    expect(dimEq(u, u)).toBe(true);
    expect(dimToString(u)).toBe('?');
  });

  it('parses what it prints', () => {
    for (const t of ['N', '4*N', 'N*S + N + 1', 'floor(N + 1, 2)', 'mod(N, 3) + 2', '-N + 1', '12']) {
      expect(dimToString(parseDim(t))).toBe(t);
    }
    expect(() => parseDim('N +')).toThrow(/bad dim/);
    expect(() => parseDim('floor(N, S)')).toThrow(/divisor must be a number/);
  });

  it('agrees with integer arithmetic on random expressions', () => {
    const names = ['N', 'S', 'H'];
    type E = { d: ReturnType<typeof sym>; f: (env: Record<string, number>) => number };
    const leaf = fc.oneof(fc.integer({ min: 0, max: 9 }).map((n): E => ({ d: n, f: () => n })), fc.constantFrom(...names).map((n): E => ({ d: sym(n), f: (e) => e[n] })));
    const expr: fc.Arbitrary<E> = fc.letrec<{ e: E }>((tie) => ({
      e: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf,
        fc.tuple(tie('e'), tie('e')).map(([a, b]): E => ({ d: dimAdd(a.d, b.d), f: (e) => a.f(e) + b.f(e) })),
        fc.tuple(tie('e'), tie('e')).map(([a, b]): E => ({ d: dimMul(a.d, b.d), f: (e) => a.f(e) * b.f(e) })),
        fc.tuple(tie('e'), fc.integer({ min: 1, max: 5 })).map(([a, k]): E => ({ d: dimFloorDiv(a.d, k), f: (e) => Math.floor(a.f(e) / k) })),
      ),
    })).e;
    fc.assert(fc.property(expr, fc.record({ N: fc.integer({ min: 1, max: 50 }), S: fc.integer({ min: 1, max: 50 }), H: fc.integer({ min: 1, max: 50 }) }), (e, env) => {
      const m = new Map(Object.entries(env));
      expect(evalDim(e.d, m)).toBe(e.f(env));
      expect(evalDim(parseDim(dimToString(e.d)), m)).toBe(e.f(env));
    }));
  });

  it('multiplies shapes', () => {
    expect(dimToString(dimProduct([N, 3, S]))).toBe('3*N*S');
  });
});
