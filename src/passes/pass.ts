// What a pass is: a named graph→graph rewrite with typed options, declared once with definePass
// so that the pass manager, `dsc ir --passes` and docs/PASSES.md all read the same table.
import { Graph } from '../ir/graph.js';

export type PassOptionKind = 'int' | 'bool' | 'string';

export interface PassOptionSpec {
  kind: PassOptionKind;
  default: number | boolean | string;
  doc: string;
}

type OptionValue<S extends PassOptionSpec> = S['kind'] extends 'int' ? number : S['kind'] extends 'bool' ? boolean : string;
export type PassOptionValues<O extends Record<string, PassOptionSpec>> = { [K in keyof O]: OptionValue<O[K]> };

export type PassOptionValue = number | boolean | string;

export interface PassDef {
  /** kebab-case, as written in `--passes` */
  name: string;
  /** one line for `dsc help` and docs/PASSES.md */
  summary: string;
  /** the pass's design decisions for docs/PASSES.md (Markdown paragraphs), where one line does not say them */
  notes?: string;
  options: Record<string, PassOptionSpec>;
  /** rewrites the graph in place; must leave it valid (the pass manager can verify after each pass) */
  run(graph: Graph, options: Record<string, PassOptionValue>): void;
}

/** Declare a pass; `run` sees its options typed by their kinds, with defaults filled in. */
export function definePass<O extends Record<string, PassOptionSpec> = {}>(def: {
  name: string;
  summary: string;
  notes?: string;
  options?: O;
  run(graph: Graph, options: PassOptionValues<O>): void;
}): PassDef {
  return { ...def, options: def.options ?? {} } as PassDef;
}
