// The grammar's three renderings stay in step: the parser's rules, grammar/ds.ebnf (also embedded in
// docs/LANGUAGE.md), and the editor grammar; and every example in the reference parses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DTYPES } from '../../../src/ir/dtype.js';
import { DsParser } from '../../../src/frontend/ds/parser.js';
import { parseDs } from '../../../src/frontend/ds/parse.js';
import { CONTEXTUAL_KEYWORDS, RESERVED_WORDS } from '../../../src/frontend/ds/tokens.js';
import { formatDiagnostic } from '../../../src/diag/diagnostic.js';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const ebnf = read('grammar/ds.ebnf');
const languageDoc = read('docs/LANGUAGE.md');

describe('grammar files', () => {
  it('grammar/ds.ebnf has one production per parser rule, with the same names', () => {
    const productions = [...ebnf.matchAll(/^([a-zA-Z]+)\s*=/gm)].map((m) => m[1]);
    expect(productions).toEqual(Object.keys(new DsParser().getGAstProductions()));
  });

  it('docs/LANGUAGE.md embeds grammar/ds.ebnf unchanged', () => {
    const embedded = /```ebnf\n([\s\S]*?)```/.exec(languageDoc)?.[1];
    expect(embedded).toBe(ebnf);
  });

  it('every ds example in docs/LANGUAGE.md parses without diagnostics', () => {
    const examples = [...languageDoc.matchAll(/```ds\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(examples.length).toBeGreaterThanOrEqual(10);
    for (const [i, source] of examples.entries()) {
      const file = `LANGUAGE.md example ${i + 1}`;
      const rendered = parseDs(source, file).diagnostics.map((d) => formatDiagnostic(d, new Map([[file, source]])));
      expect(rendered).toEqual([]);
    }
  });

  it('the TextMate grammar highlights exactly the lexer keywords and dtypes', () => {
    const tm = JSON.parse(read('grammar/ds.tmLanguage.json'));
    const words = (pattern: string) => /\\b\(([^)]*)\)\\b/.exec(pattern)![1].split('|');
    const [control, constants] = tm.repository.keywords.patterns.map((p: { match: string }) => words(p.match));
    expect([...control, ...constants].sort()).toEqual([...RESERVED_WORDS].sort());
    expect(words(tm.repository.types.match)).toEqual([...DTYPES]);
    const declared = tm.repository.declarations.patterns.flatMap((p: { match: string }) => [...p.match.matchAll(/\(([a-z|]+)\)/g)].flatMap((m) => m[1].split('|')));
    expect([...new Set(declared)].sort()).toEqual([...CONTEXTUAL_KEYWORDS].sort());
  });
});
