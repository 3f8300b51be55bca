// docs/PASSES.md is generated from the registry, so the pass list in the docs cannot drift from
// what `dsc ir --passes` accepts (test/passes/docs.test.ts fails when the file is stale). The
// pipelines come from the target records (src/codegen/targets), which the caller passes in.
import { OptLevel, listPasses } from './registry.js';

/** A target's name and its graph pipeline per -O level. */
export interface PipelineSource {
  name: string;
  pipeline(level: OptLevel): readonly string[];
}

const LEVELS: readonly OptLevel[] = [0, 1, 2];

export function renderPassesDoc(targets: readonly PipelineSource[]): string {
  const out: string[] = [
    '# Graph passes',
    '',
    '<!-- generated from src/passes/registry.ts; update with: DSC_UPDATE_DOCS=1 npx vitest run test/passes -->',
    '',
    'Each pass rewrites the SSA graph in place and leaves it valid for `verifyGraph`. Run them with',
    '`dsc ir MODEL --passes a,b{option=value} [--print-after-all]`; options are written',
    '`name{key=value,key=value}`. A graph output keeps its name through every pass.',
    '',
    '| pass | what it does |',
    '| --- | --- |',
    ...listPasses().map((p) => `| \`${p.name}\` | ${p.summary} |`),
    '',
  ];
  for (const p of listPasses()) {
    const options = Object.entries(p.options);
    if (options.length === 0 && !p.notes) continue;
    out.push(`## \`${p.name}\``, '');
    if (p.notes) out.push(p.notes.trim(), '');
    if (options.length === 0) continue;
    out.push('| option | kind | default | meaning |', '| --- | --- | --- | --- |');
    for (const [name, spec] of options) out.push(`| \`${name}\` | ${spec.kind} | \`${String(spec.default)}\` | ${spec.doc} |`);
    out.push('');
  }
  out.push('## Pipelines', '', 'The passes each target runs at each `-O` level (they differ in the options of `fuse`, which follow what the target\'s kernels take):', '');
  for (const target of targets) {
    out.push(`### \`${target.name}\``, '');
    for (const level of LEVELS) {
      const passes = target.pipeline(level);
      out.push(`- \`-O${level}\`: ${passes.length ? passes.map((p) => `\`${p}\``).join(', ') : '(none)'}`);
    }
    out.push('');
  }
  out.pop();
  return out.join('\n') + '\n';
}
