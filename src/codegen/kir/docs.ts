// The kernel pass list in docs/CODEGEN.md is generated from the kernel pass registry, so the docs
// cannot drift from what `dsc kir --passes` accepts (test/codegen/kir/passes.test.ts keeps it current).
import { listKernelPasses } from './passes.js';

export const KERNEL_PASSES_BEGIN = '<!-- kernel passes: generated from src/codegen/kir/passes.ts; update with: DSC_UPDATE_DOCS=1 npx vitest run test/codegen/kir -->';
export const KERNEL_PASSES_END = '<!-- end of kernel passes -->';

/** The generated part of docs/CODEGEN.md, markers included. */
export function renderKernelPassesDoc(): string {
  const out = [KERNEL_PASSES_BEGIN, '', '| pass | what it does |', '| --- | --- |', ...listKernelPasses().map((p) => `| \`${p.name}\` | ${p.summary} |`), ''];
  for (const p of listKernelPasses()) {
    const options = Object.entries(p.options);
    if (options.length === 0 && !p.notes) continue;
    out.push(`#### \`${p.name}\``, '');
    if (p.notes) out.push(p.notes.trim(), '');
    if (options.length === 0) continue;
    out.push('| option | kind | default | meaning |', '| --- | --- | --- | --- |');
    for (const [name, spec] of options) out.push(`| \`${name}\` | ${spec.kind} | \`${String(spec.default)}\` | ${spec.doc} |`);
    out.push('');
  }
  out.push(KERNEL_PASSES_END);
  return out.join('\n');
}

/** `doc` with its generated kernel pass section replaced by the current one. */
export function withKernelPassesDoc(doc: string): string {
  const begin = doc.indexOf(KERNEL_PASSES_BEGIN);
  const end = doc.indexOf(KERNEL_PASSES_END);
  if (begin < 0 || end < begin) throw new Error('internal error: docs/CODEGEN.md has no generated kernel pass section');
  return doc.slice(0, begin) + renderKernelPassesDoc() + doc.slice(end + KERNEL_PASSES_END.length);
}
