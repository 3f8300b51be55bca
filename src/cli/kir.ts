// `dsc kir`: the kernel program a target's code generator starts from, as kernel IR text
// (docs/CODEGEN.md), after the target's graph pipeline and lowering and any kernel passes given.
import { parseArgs } from './args.js';
import { DiagnosticError, diag } from '../diag/diagnostic.js';
import { loadModel } from '../frontend/load.js';
import { verifyGraph } from '../ir/verify.js';
import { DEFAULT_TARGET, getTarget } from '../codegen/targets/registry.js';
import { kernelProgramFor } from '../codegen/kir/lower.js';
import { runKernelPasses } from '../codegen/kir/passes.js';
import { printProgram } from '../codegen/kir/print.js';

export const KIR_HELP = `usage: dsc kir MODEL [--target cpu|wgsl] [--precision P] [-O LEVEL] [--passes P1,P2] [--print-after-all]

Prints the kernel program of MODEL for a target as kernel IR text (docs/CODEGEN.md): the target's
graph pipeline, then lowering as its code generator does, then the kernel passes given, with the
kernel IR verifier run before and after each.
  --target T           the target whose lowering to show (default cpu)
  --precision P        a precision the target takes (wgsl: f32 or f16)
  -O LEVEL             graph optimization level: 0, 1 (default) or 2
  --passes LIST        kernel passes to run in order (docs/CODEGEN.md; options as name{key=value})
  --print-after-all    print the program after every kernel pass`;

export function cmdKir(argv: string[], log: (s: string) => void): number {
  const a = parseArgs(argv, {
    target: { value: true }, precision: { value: true }, O: { value: true, short: 'O' }, passes: { value: true }, 'print-after-all': {},
  }, 'kir');
  if (a.positional.length !== 1) throw diag('DSC9001', `dsc kir: expected one MODEL, got ${a.positional.length} (see 'dsc help kir')`);
  const target = getTarget(a.flags.get('target')?.[0] ?? DEFAULT_TARGET, 'kir');
  const precision = a.flags.get('precision')?.[0];
  if (precision !== undefined && !target.precisions.includes(precision)) throw diag('DSC9001', `dsc kir: --target ${target.name} takes --precision ${target.precisions.join(' or ')}, got '${precision}'`);
  const level = a.flags.get('O')?.[0] ?? '1';
  if (!['0', '1', '2'].includes(level)) throw diag('DSC9001', `dsc kir: -O expects 0, 1 or 2, got '${level}'`);
  const graph = loadModel(a.positional[0]);
  const problems = verifyGraph(graph);
  if (problems.length) throw new DiagnosticError(problems);
  const lowered = kernelProgramFor(graph, target, { level: Number(level) as 0 | 1 | 2, precision });
  const program = runKernelPasses(lowered, a.flags.get('passes')?.[0] ?? '', {
    verify: true,
    printAfterAll: a.flags.has('print-after-all') ? (pass, text) => log(`// ----- kernel IR after ${pass} -----\n${text.replace(/\n$/, '')}`) : undefined,
  });
  log(printProgram(program).replace(/\n$/, ''));
  return 0;
}
