// The targets, one line each. Everything outside this folder finds a target here by its name.
// The list is read at call time: the records import the compile driver, which imports this file.
import { diag } from '../../diag/diagnostic.js';
import { OptLevel } from '../../passes/registry.js';
import { TargetDef } from './target.js';
import { cpuTarget } from './cpu/index.js';
import { wgslTarget } from './wgsl/index.js';

const targets = (): readonly TargetDef[] => [
  cpuTarget,
  wgslTarget,
];

/** The target `dsc compile`, `dsc report` and `dsc graph` use when none is named. */
export const DEFAULT_TARGET = 'cpu';

export function listTargets(): readonly TargetDef[] {
  return targets();
}

export function targetNames(): string[] {
  return targets().map((t) => t.name);
}

export function findTarget(name: string): TargetDef | undefined {
  return targets().find((t) => t.name === name);
}

/** The target called `name`; an unknown name is a user mistake (DSC9001) that lists the registered ones. */
export function getTarget(name: string, command = 'compile'): TargetDef {
  const t = findTarget(name);
  if (!t) throw diag('DSC9001', `dsc ${command}: unknown target '${name}'; available: ${targetNames().join(', ')}`);
  return t;
}

/** The graph passes `-O<level>` runs for the target called `name`. */
export function pipelineFor(name: string, level: OptLevel): string[] {
  return getTarget(name).pipeline(level);
}
