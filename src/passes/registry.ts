// The pass registry and pass manager: every pass in one table, pass lists with options
// (`fold-constants{max-elements=1024},dce`), the pipeline of each -O level, and runPasses, which
// can verify the graph after each pass and show it.
import { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/printer.js';
import { verifyGraph } from '../ir/verify.js';
import { DiagnosticError, diag } from '../diag/diagnostic.js';
import { PassDef, PassOptionSpec, PassOptionValue } from './pass.js';
import { foldConstants } from './fold-constants.js';
import { dce } from './dce.js';
import { cse } from './cse.js';
import { removeIdentities } from './remove-identities.js';
import { simplifyReshapes } from './simplify-reshapes.js';
import { foldBatchnorm } from './fold-batchnorm.js';
import { recognizeLayernorm } from './recognize-layernorm.js';
import { recognizeRmsnorm } from './recognize-rmsnorm.js';
import { recognizeGelu } from './recognize-gelu.js';
import { recognizeSilu } from './recognize-silu.js';
import { recognizeAttention } from './recognize-attention.js';
import { sinkTransposes } from './sink-transposes.js';
import { fuse } from './fuse-groups.js';

const PASSES: readonly PassDef[] = [
  foldConstants, simplifyReshapes, removeIdentities, cse, foldBatchnorm,
  recognizeLayernorm, recognizeRmsnorm, recognizeGelu, recognizeSilu, recognizeAttention, sinkTransposes, fuse, dce,
];

const BY_NAME = new Map(PASSES.map((p) => [p.name, p]));

/** The canonicalization pipeline: each pass exposes work for the next, dce sweeps up last. */
const CANONICALIZE = ['fold-constants', 'simplify-reshapes', 'remove-identities', 'cse', 'fold-batchnorm', 'dce'];

/**
 * Single ops for the subgraphs exporters decompose; LayerNorm before RMSNorm, since the centered
 * value of a LayerNorm also reads as the input of an RMSNorm.
 */
const RECOGNIZE = ['recognize-layernorm', 'recognize-rmsnorm', 'recognize-gelu', 'recognize-silu', 'recognize-attention'];

export type OptLevel = 0 | 1 | 2;

/** How a target's kernels take fused groups: the options of its `fuse` (the target records set them). */
export interface FusionLimits {
  /** most distinct buffers one kernel may read and write; 0 is no limit */
  maxBuffers: number;
  /** a conv/matmul/gemm kernel applies an elementwise tail before it stores (GEMM epilogues) */
  epilogues: boolean;
  /** a pool or depthwise conv joins the conv kernel whose output it reads */
  windows: boolean;
}

/**
 * The pass specs `dsc compile -O<level>` runs for a target whose kernels take `fusion`. All targets
 * share canonicalization (whose dce leaves no dead reader to hide a pattern) and recognition;
 * transposes then sink next to the data movement after them (after recognition, whose patterns
 * contain transposes); fusion comes last and dce sweeps after it, which only removes nodes and so
 * keeps every group whole.
 */
export function graphPipeline(level: OptLevel, fusion: FusionLimits): string[] {
  const fuse = `fuse{max-inputs=${fusion.maxBuffers},epilogues=${fusion.epilogues},windows=${fusion.windows}}`;
  return level === 0 ? [] : [...CANONICALIZE, ...RECOGNIZE, 'sink-transposes', fuse, 'dce'];
}

/** Every pass, in registry order (for docs and `dsc help`). */
export function listPasses(): readonly PassDef[] {
  return PASSES;
}

export function getPass(name: string): PassDef | undefined {
  return BY_NAME.get(name);
}

/** A pass to run and its option values (defaults filled in). */
export interface PassInvocation {
  pass: PassDef;
  options: Record<string, PassOptionValue>;
}

/**
 * Read one pass spec, `name` or `name{key=value,key=value}`. An unknown pass or option, or a
 * value of the wrong kind, is a user mistake: a DSC9003 diagnostic.
 */
export function parsePassSpec(spec: string): PassInvocation {
  const m = /^\s*([a-z0-9-]+)\s*(?:\{(.*)\})?\s*$/s.exec(spec);
  if (!m) throw diag('DSC9003', `'${spec}' is not a pass spec; write NAME or NAME{option=value,...}`);
  const pass = BY_NAME.get(m[1]);
  if (!pass) throw diag('DSC9003', `unknown pass '${m[1]}'; passes: ${PASSES.map((p) => p.name).join(', ')}`);
  const options: Record<string, PassOptionValue> = {};
  for (const [k, spec] of Object.entries(pass.options)) options[k] = spec.default;
  for (const item of m[2]?.split(',') ?? []) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = (eq < 0 ? item : item.slice(0, eq)).trim();
    const spec = pass.options[key];
    if (!spec) {
      const known = Object.keys(pass.options);
      throw diag('DSC9003', `pass '${pass.name}' has no option '${key}'${known.length ? `; options: ${known.join(', ')}` : ''}`);
    }
    options[key] = readOption(pass.name, key, spec, eq < 0 ? undefined : item.slice(eq + 1).trim());
  }
  return { pass, options };
}

function readOption(pass: string, key: string, spec: PassOptionSpec, text: string | undefined): PassOptionValue {
  const bad = (want: string) => diag('DSC9003', `option '${key}' of pass '${pass}' takes ${want}, got '${text ?? ''}'`);
  switch (spec.kind) {
    case 'bool':
      if (text === undefined || text === 'true') return true;
      if (text === 'false') return false;
      throw bad('true or false');
    case 'int':
      if (text === undefined || !/^-?[0-9]+$/.test(text)) throw bad('an integer');
      return Number(text);
    case 'string':
      if (text === undefined) throw bad('a value');
      return text;
  }
}

/** Split a `--passes` list at the commas that are not inside an option block. */
export function splitPassList(text: string): string[] {
  const specs: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') depth--;
    else if (text[i] === ',' && depth === 0) {
      specs.push(text.slice(start, i));
      start = i + 1;
    }
  }
  specs.push(text.slice(start));
  return specs.map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * A pass broke an IR invariant or crashed: the compiler's fault, not the user's, so it is not a
 * diagnostic (the CLI reports it as an internal error, exit code 70). The message names the pass.
 */
export class PassInternalError extends Error {
  constructor(readonly passName: string, detail: string, options?: ErrorOptions) {
    super(`in pass '${passName}': ${detail}`, options);
    this.name = 'PassInternalError';
  }
}

export interface RunPassesOptions {
  /** run the verifier after each pass; a failure throws PassInvariantError naming the pass */
  verify?: boolean;
  /** receives the graph's text after each pass (`--print-after-all`) */
  printAfterAll?: (passName: string, text: string) => void;
}

/**
 * Run passes over the graph, in place, in the order given. Each entry is a pass spec
 * (`name` or `name{option=value}`); all are checked before any runs.
 */
export function runPasses(graph: Graph, specs: readonly string[], opts: RunPassesOptions = {}): Graph {
  return runInvocations(graph, specs.map(parsePassSpec), opts);
}

/** runPasses for passes already looked up (and for passes that are not in the registry). */
export function runInvocations(graph: Graph, invocations: readonly PassInvocation[], opts: RunPassesOptions = {}): Graph {
  if (opts.verify) {
    // an invalid input is the user's (or the frontend's) problem, not the first pass's
    const problems = verifyGraph(graph);
    if (problems.length > 0) throw new DiagnosticError(problems);
  }
  for (const { pass, options } of invocations) {
    try {
      pass.run(graph, options);
    } catch (e) {
      if (e instanceof DiagnosticError || !(e instanceof Error)) throw e;
      throw new PassInternalError(pass.name, e.message, { cause: e });
    }
    if (opts.verify) {
      const problems = verifyGraph(graph);
      if (problems.length > 0) throw new PassInternalError(pass.name, `the graph it left is invalid:\n  ${problems.map((d) => d.message).join('\n  ')}`);
    }
    opts.printAfterAll?.(pass.name, printGraph(graph));
  }
  return graph;
}
