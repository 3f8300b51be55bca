// `dsc build [DIR]`: the project's models, each compiled through the package cache into its output
// folder, with progress per model and stage; every model is attempted and every diagnostic printed.
import { relative } from 'node:path';
import { diag, formatDiagnostic } from '../diag/diagnostic.js';
import { buildProject } from '../integrations/project.js';
import { parseArgs } from './args.js';

type StageReporter = (stage: string, state: 'start' | 'done', ms: number) => void;

export async function cmdBuild(argv: string[], log: (s: string) => void, err: (s: string) => void, onStage: StageReporter): Promise<number> {
  const a = parseArgs(argv, {}, 'build');
  if (a.positional.length > 1) throw diag('DSC9001', `dsc build: expected at most one project folder, got ${a.positional.length} (see 'dsc build --help')`);
  const dir = a.positional[0] ?? '.';
  const t0 = performance.now();
  let failed = 0;
  const built = await buildProject(dir, {
    onModel: (i, count, m) => err(`[${i + 1}/${count}] ${m.model} (${m.target})`),
    onStage,
    onBuilt: (b) => {
      if (b.result.ok) {
        log(`${b.result.pkg.reused ? 'reused' : 'built'} ${b.model} -> ${relative(process.cwd(), b.out) || '.'} (${b.target}) in ${(b.ms / 1000).toFixed(1)} s`);
        return;
      }
      failed++;
      for (const d of b.result.diagnostics) err(formatDiagnostic(d, b.result.sources));
      err(`failed ${b.model} (${b.target}): ${b.result.diagnostics.length} diagnostic${b.result.diagnostics.length === 1 ? '' : 's'}`);
    },
  });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (failed) {
    err(`dsc build: ${failed} of ${built.length} models failed (${seconds} s)`);
    return 1;
  }
  log(`dsc build: ${built.length} model${built.length === 1 ? '' : 's'} in ${seconds} s`);
  return 0;
}
