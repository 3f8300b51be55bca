// The .ds front end's entry: parse a file and its imports, instantiate its one `model`, unroll its
// forward into an IR graph, and verify the graph. Returns every diagnostic and every source read.
import { resolve } from 'node:path';
import { Diagnostic } from '../../diag/diagnostic.js';
import { GraphBuilder } from '../../ir/builder.js';
import type { Graph, Value } from '../../ir/graph.js';
import { verifyGraph } from '../../ir/verify.js';
import type { BlockDecl, MethodDecl } from './ast.js';
import { Checker } from './check.js';
import { ModuleLoader, spanLoc } from './modules.js';
import type { Val } from './values.js';

export { checkWeights, initWeights, paramList } from './weights.js';

export interface CompileDsOptions {
  /** search point choices by path (`blocks.3.k` -> 5); the first option where absent */
  choose?: ReadonlyMap<string, string | number>;
  /** file contents by path, used instead of reading the disk (tests, editors) */
  sources?: ReadonlyMap<string, string>;
}

export interface CompileDsResult {
  graph?: Graph;
  diagnostics: Diagnostic[];
  /** every file read, by path, for code frames */
  sources: Map<string, string>;
}

export function compileDsFile(path: string, opts: CompileDsOptions = {}): CompileDsResult {
  return compile(resolve(path), undefined, path, opts);
}

export function compileDs(source: string, file: string, opts: CompileDsOptions = {}): CompileDsResult {
  return compile(file, source, file, opts);
}

function compile(file: string, source: string | undefined, shownAs: string, opts: CompileDsOptions): CompileDsResult {
  const sources = new Map<string, string>();
  const loader = new ModuleLoader(sources, opts.sources ?? new Map());
  const root = loader.load(file, source);
  const diagnostics = loader.diagnostics;
  if (!root) return { diagnostics: [new Diagnostic('DSC1001', `cannot read ${shownAs}`, { file: shownAs })], sources };
  if (diagnostics.length > 0) return { diagnostics, sources };

  const models = root.ast.decls.filter((d): d is BlockDecl => d.kind === 'block' && d.isModel);
  if (models.length !== 1) {
    const message = models.length === 0 ? `${shownAs} declares no model; the model is what dsc compiles (\`model Name { ... }\`)` : `${shownAs} declares ${models.length} models; a file compiles exactly one`;
    const at = models.length === 0 ? { file: root.file, line: 1, col: 1 } : spanLoc(models[1].name.span);
    return { diagnostics: [new Diagnostic('DSC5010', message, at, models.slice(0, 1).map((m) => ({ message: `the first model, ${m.name.name}`, loc: spanLoc(m.name.span) })))], sources };
  }
  const model = models[0];
  const b = new GraphBuilder(model.name.name);
  const checker = new Checker(b, opts.choose ?? new Map());
  const instance = checker.instantiate(model, root, [], { module: root, scopes: [] }, '', model.name.span);
  let result: Val | undefined;
  if (instance.k === 'instance') result = checker.lowerModel(instance.inst);
  for (const [path] of opts.choose ?? []) {
    if (!checker.usedChoices.has(path) && checker.diagnostics.length === 0) {
      const known = checker.annotations.filter((a) => a.name === 'choose').map((a) => a.path);
      checker.diagnostics.push(new Diagnostic('DSC5020', `no search point is named '${path}'; the search points are: ${known.join(', ') || '(none)'}`, { file: shownAs }));
    }
  }
  if (checker.diagnostics.length > 0 || !result) return { diagnostics: checker.diagnostics, sources };

  const outputs = result.k === 'tuple' ? result.items : [result];
  const forward = model.members.find((m): m is MethodDecl => m.kind === 'method' && m.name.name === 'forward');
  outputs.forEach((v, i) => {
    const value = (v as { k: 'tensor'; v: Value }).v;
    const chosen = forward?.resultNames?.[i]?.name;
    const name = chosen ?? (outputs.length === 1 ? 'output' : `output${i}`);
    const isNodeResult = value.producer !== undefined && !b.graph.outputs.includes(value);
    const out = isNodeResult ? value : b.op1('identity', [value], {}, { name });
    if (chosen) claimName(b, out, chosen);
    else if (isNodeResult) out.name = b.freshName(name);
    b.output(out);
  });
  b.graph.annotations = checker.annotations;
  const problems = verifyGraph(b.graph);
  if (problems.length > 0) return { diagnostics: problems.map((d) => new Diagnostic('DSC3002', `internal error in the .ds front end: ${d.message}`, d.loc)), sources };
  return { graph: b.graph, diagnostics: [], sources };
}

/** A result named in the signature gets exactly that name; a node result that took it first is renamed. */
function claimName(b: GraphBuilder, out: Value, name: string): void {
  if (out.name === name) return;
  const holder = b.graph.nodes.flatMap((n) => n.outputs).find((v) => v.name === name);
  const reserved = b.freshName(name);
  if (holder) holder.name = reserved;
  out.name = name;
}
