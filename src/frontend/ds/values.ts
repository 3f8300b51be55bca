// The values the .ds checker computes with. Compile-time values (ints, floats, bools, strings, dtypes,
// lists, block instances) are folded while instantiating blocks and unrolling methods; tensors are IR
// values built into the graph. An int may be a symbolic dim (`N`) so shapes can be written with it.
import type { DType } from '../../ir/dtype.js';
import { Dim, dimToString } from '../../ir/dim.js';
import { typeToString, type Value } from '../../ir/graph.js';
import type { BlockDecl, ExternOpDecl, Span } from './ast.js';
import type { DsModuleInfo } from './modules.js';

export type Val =
  | { k: 'int'; v: Dim }
  | { k: 'float'; v: number }
  | { k: 'bool'; v: boolean }
  | { k: 'string'; v: string }
  | { k: 'dtype'; v: DType }
  | { k: 'list'; items: Val[] }
  | { k: 'tuple'; items: Val[] }
  | { k: 'tensor'; v: Value }
  | { k: 'instance'; inst: Instance }
  /** an `if` member without `else` whose condition was false */
  | { k: 'absent' }
  | { k: 'block'; decl: BlockDecl; module: DsModuleInfo }
  | { k: 'extern'; decl: ExternOpDecl; module: DsModuleInfo }
  | { k: 'builtin'; name: string }
  /** the result of an expression that already reported an error; consumers stay silent */
  | { k: 'poison' };

/** One instantiated block: its state_dict path prefix and its compile-time environment. */
export interface Instance {
  decl: BlockDecl;
  module: DsModuleInfo;
  /** '' for the model itself, else e.g. `layer1.0` */
  path: string;
  /** block parameters, then members in declaration order (members shadow parameters) */
  env: Map<string, Val>;
  /** where the block was instantiated, for notes */
  span: Span;
}

export const POISON: Val = { k: 'poison' };
export const intVal = (v: Dim): Val => ({ k: 'int', v });

export function joinPath(prefix: string, name: string | number): string {
  return prefix === '' ? String(name) : `${prefix}.${name}`;
}

/** A short description of a value for messages: `int 3`, `f32[N, 64]`, `block Conv2d`. */
export function describe(v: Val): string {
  switch (v.k) {
    case 'int': return `int ${dimToString(v.v)}`;
    case 'float': return `float ${formatNumber(v.v)}`;
    case 'bool': return `bool ${v.v}`;
    case 'string': return `string "${v.v}"`;
    case 'dtype': return `dtype ${v.v}`;
    case 'list': return `a list of ${v.items.length}`;
    case 'tuple': return `a tuple of ${v.items.length}`;
    case 'tensor': return `tensor ${typeToString(v.v.type)}`;
    case 'instance': return `${v.inst.decl.name.name} instance${v.inst.path ? ` '${v.inst.path}'` : ''}`;
    case 'absent': return 'an absent member';
    case 'block': return `block ${v.decl.name.name}`;
    case 'extern': return `extern op ${v.decl.name.name}`;
    case 'builtin': return `builtin ${v.name}`;
    case 'poison': return 'an erroneous value';
  }
}

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** Edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The closest candidate within two edits (a third of the name's length for long names), or undefined. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = (name.length <= 2 ? 1 : Math.max(2, Math.floor(name.length / 3))) + 1;
  for (const c of [...candidates].sort()) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return best;
}
