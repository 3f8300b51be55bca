import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderPassesDoc } from '../../src/passes/docs.js';
import { listPasses } from '../../src/passes/registry.js';
import { listTargets } from '../../src/codegen/targets/registry.js';

const DOC = fileURLToPath(new URL('../../docs/PASSES.md', import.meta.url));

describe('docs/PASSES.md', () => {
  it('lists every pass and its options', () => {
    const text = renderPassesDoc(listTargets());
    for (const p of listPasses()) {
      expect(text).toContain(`| \`${p.name}\` | ${p.summary} |`);
      for (const o of Object.keys(p.options)) expect(text).toContain(`| \`${o}\` |`);
    }
  });

  it('is up to date with the registry', () => {
    const want = renderPassesDoc(listTargets());
    if (process.env.DSC_UPDATE_DOCS) writeFileSync(DOC, want);
    const have = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
    if (have !== want) throw new Error('docs/PASSES.md is out of date; regenerate it with: DSC_UPDATE_DOCS=1 npx vitest run test/passes');
  });
});
