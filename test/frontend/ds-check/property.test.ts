// Robustness of the checker: random, truncated and mutated sources through compileDs never throw,
// finish quickly, and every diagnostic they give has a location in a file that was read.
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDs } from '../../../src/frontend/ds/compile.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url);
const SOURCES = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(new URL(`${d.name}/`, EXAMPLES)).filter((f) => f.endsWith('.ds')).map((f) => readFileSync(new URL(`${d.name}/${f}`, EXAMPLES), 'utf8')));

/** Tokens that keep a mutated source mostly parseable, so the checker, not the parser, sees it. */
const REPLACEMENTS = ['0', '1', '3', '64', '-1', '1000000', '2.5', 'N', 'x', 'true', 'false', '"s"', 'f16', 'i64', '[]', '[1, 2]', 'relu', 'Linear', 'Sequential', 'choose(1, 2)', '_'];

function checkCompile(source: string): void {
  const started = Date.now();
  const { diagnostics, sources, graph } = compileDs(source, '/virtual/fuzz.ds');
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(graph === undefined).toBe(diagnostics.length > 0);
  for (const d of diagnostics) {
    expect(d.loc?.file, d.message).toBeDefined();
    expect(sources.has(d.loc!.file), d.message).toBe(true);
  }
}

/** Replace the word at a random position by a piece of the language. */
function mutate(src: string, at: number, piece: string): string {
  const words = [...src.matchAll(/[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?/g)];
  if (words.length === 0) return src;
  const m = words[at % words.length];
  return src.slice(0, m.index) + piece + src.slice(m.index! + m[0].length);
}

describe('compileDs on damaged sources', () => {
  it('survives every truncation point sampled', () => {
    fc.assert(fc.property(fc.constantFrom(...SOURCES).chain((s) => fc.tuple(fc.constant(s), fc.nat(s.length))), ([s, n]) => checkCompile(s.slice(0, n))), { numRuns: 60 });
  });

  it('survives word mutations', () => {
    const mutation = fc.tuple(fc.nat(), fc.constantFrom(...REPLACEMENTS));
    fc.assert(fc.property(fc.constantFrom(...SOURCES), fc.array(mutation, { minLength: 1, maxLength: 3 }), (s, ms) => {
      checkCompile(ms.reduce((acc, [at, piece]) => mutate(acc, at, piece), s));
    }), { numRuns: 100 });
  });

  it('survives random sequences of pieces', () => {
    const pieces = ['model M {', 'block B(n: int) {', 'forward(x: f32[N, 4]) -> f32[N, 4] {', 'return', 'x', '}', 'let y =', '=', '(', ')', '[', ']', ',', '+', '@', ...REPLACEMENTS];
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (p) => checkCompile(p.join(' '))), { numRuns: 200 });
  });
});
