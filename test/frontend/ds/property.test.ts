// Robustness: whatever the text, parseDs returns (never throws, never loops) and every diagnostic
// it gives has a position inside the file.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDs } from '../../../src/frontend/ds/parse.js';

const FIXTURES = ['resnet18', 'mlp', 'transformer', 'mbconv', 'swish'].map((n) => readFileSync(new URL(`./fixtures/${n}.ds`, import.meta.url), 'utf8'));

/** Pieces of the language (and a few of other languages) to build random sources from. */
const PIECES = [
  'model', 'block', 'extern', 'op', 'param', 'import', 'from', 'let', 'return', 'if', 'else', 'for', 'in', 'choose', 'true', 'false',
  'f32', 'bool', 'i64', '_', 'x', 'Conv2d', 'forward', '0', '12', '1.5e-3', '"std/nn"', '"open', "'q'",
  '(', ')', '[', ']', '{', '}', ',', ':', '.', '..', '=', '==', '!=', '<', '<=', '->', '+', '-', '*', '**', '/', '%', '@', '@precision',
  '&&', '||', '!', '?', ';', '#', '\\', '/*', '*/', '//', ' ', '\n', '\t', '\r\n',
];

function checkParse(source: string): void {
  const { ast, diagnostics } = parseDs(source, 'fuzz.ds');
  expect(ast.kind).toBe('module');
  const lines = source.split(/\r\n|\r|\n/).length;
  for (const d of diagnostics) {
    expect(d.loc?.file).toBe('fuzz.ds');
    expect(d.loc?.line).toBeGreaterThanOrEqual(1);
    expect(d.loc?.line).toBeLessThanOrEqual(lines);
    expect(d.loc?.col).toBeGreaterThanOrEqual(1);
  }
}

describe('parseDs on arbitrary input', () => {
  it('handles sequences of language pieces', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 80 }).map((p) => p.join(' ')), checkParse), { numRuns: 400 });
  });

  it('handles arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), checkParse), { numRuns: 300 });
  });

  it('handles every truncation of a real model', () => {
    fc.assert(fc.property(fc.constantFrom(...FIXTURES).chain((src) => fc.tuple(fc.constant(src), fc.nat(src.length))), ([src, n]) => {
      checkParse(src.slice(0, n));
    }), { numRuns: 300 });
  });

  it('handles real models with a span deleted, duplicated or replaced by a piece', () => {
    const mutated = fc.constantFrom(...FIXTURES).chain((src) =>
      fc.tuple(fc.nat(src.length), fc.nat(12), fc.constantFrom('delete', 'duplicate', 'replace'), fc.constantFrom(...PIECES)).map(([at, len, how, piece]) => {
        const cut = src.slice(at, at + len);
        const insert = how === 'delete' ? '' : how === 'duplicate' ? cut + cut : piece;
        return src.slice(0, at) + insert + src.slice(at + len);
      }));
    fc.assert(fc.property(mutated, checkParse), { numRuns: 500 });
  });

  it('reports an error for a truncated model rather than accepting it', () => {
    const src = FIXTURES[0];
    const cut = src.slice(0, src.lastIndexOf('return fc(x)'));
    expect(parseDs(cut, 'fuzz.ds').diagnostics.map((d) => d.message)).toEqual(["expected '}' to close the body of forward, found the end of the file"]);
  });
});
