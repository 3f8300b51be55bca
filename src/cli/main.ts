// The `dsc` command line: argument handling, output and exit codes only; the work is done by
// the compiler's modules. Exit 0 on success, 1 on a user mistake (a diagnostic), 70 on an
// internal error.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, basename, extname, dirname } from 'node:path';
import { parseArgs, ParsedArgs, wantsHelp } from './args.js';
import { closestName } from '../frontend/ds/values.js';
import { cmdBuild } from './build.js';
import { Graph } from '../ir/graph.js';
import { reportText } from '../report/report.js';
import { renderGraphSvg, renderGraphHtml } from '../report/graph-svg.js';
import { DiagnosticError, diag, formatDiagnostic } from '../diag/diagnostic.js';
import { loadModel, readSourceFile } from '../frontend/load.js';
import { printGraph } from '../ir/printer.js';
import { runGraph } from '../ir/interp.js';
import { readNpy, writeNpy } from '../formats/npy.js';
import { readSafetensors, writeSafetensors } from '../formats/safetensors.js';
import { checkWeights, initWeights } from '../frontend/ds/compile.js';
import { importToDs } from '../frontend/onnx-to-ds/emit.js';
import { typeToString } from '../ir/graph.js';
import { Tensor, readNumbers } from '../ir/tensor.js';
import type { DType } from '../ir/dtype.js';
import { verifyGraph } from '../ir/verify.js';
import { profileInputs, profileModel, profileText } from '../profile/profile.js';
import { profilePage } from '../profile/page.js';
import { compileToPackage } from '../codegen/compile.js';
import { DEFAULT_TARGET, getTarget, targetNames } from '../codegen/targets/registry.js';
import { TargetPlanning, targetPlanning } from '../codegen/targets/target.js';
import { defaultPackageName } from '../codegen/package/index.js';
import { PACK_HELP, cmdPack } from './pack.js';
import { runPasses, splitPassList } from '../passes/registry.js';
import { KIR_HELP, cmdKir } from './kir.js';

export const VERSION = '0.1.0';

export const HELP: Record<string, string> = {
  '': `dsc ${VERSION} — ahead-of-time compiler for neural-network models

usage: dsc <command> [options]

commands:
  compile MODEL [--target cpu|wgsl] [-o DIR]      compile to an npm package (addon or WebGPU shaders + typed bindings)
  check MODEL                                     check a model (types, shapes) and print its signature
  params MODEL                                    list every parameter path, dtype and shape
  init-weights MODEL --seed S -o W.safetensors    write seeded weights for a model
  import MODEL.onnx [-o MODEL.ds]                 write readable .ds plus its weights (.safetensors)
  run MODEL --input NAME=FILE.npy ... --out DIR   run a model, write each output as DIR/<name>.npy
  ir MODEL                                        print the model's IR as text
  kir MODEL [--target cpu|wgsl]                   print the model's kernel program (kernel IR text)
  pack [PACKAGE_DIR | MODEL ...] [-o DIR]         an npm tarball that ships the built addon (no compiler to install)
  report MODEL [--dim N=1]                        kernels, flops, bytes moved, memory plan
  graph MODEL -o FILE.svg|FILE.html               draw the fused graph and the memory timeline
  build [DIR]                                     compile every model the project in DIR declares (cached)
  profile MODEL [--target cpu|wgsl] [-o PAGE.html]  time each kernel of the compiled package against the machine's peak
  help [COMMAND]                                  show help (also: dsc COMMAND --help, -h)

MODEL is a .ds file (the dsc language, docs/LANGUAGE.md), an .onnx file or an .ir file (IR text).
Search points of a .ds model are chosen with --choose PATH=VALUE (the first option by default).`,
  check: `usage: dsc check MODEL [--choose PATH=VALUE ...]

Parses and checks MODEL (names, types, symbolic shapes) and prints its signature. Errors are printed
with file:line:col and a caret; the exit code is 1 when there are any.`,
  params: `usage: dsc params MODEL [--choose PATH=VALUE ...]

Lists every parameter: its path (the PyTorch state_dict key), dtype and shape.`,
  'init-weights': `usage: dsc init-weights MODEL --seed S -o W.safetensors [--choose PATH=VALUE ...]

Writes deterministic weights for every parameter (PyTorch-like default initialization).`,
  import: `usage: dsc import MODEL.onnx [-o MODEL.ds] [--name MODEL_NAME]

Writes readable .ds for an ONNX model (blocks and std/nn layers recovered from parameter names where
they allow it) and its weights as MODEL.safetensors beside it.`,
  compile: `usage: dsc compile MODEL [--target cpu|wgsl] [--precision f32|f16] [-o DIR] [--emit] [-O LEVEL] [--name NPM_NAME]

Compiles MODEL to an npm package in DIR (default out/<model name>): kernels for the target, a native
addon (built now unless --emit), TypeScript bindings and a README. The model's weights, when it
carries them (ONNX), are written to DIR/weights.safetensors.
  --target T   cpu (default): C++ kernels in a native addon; wgsl: WebGPU compute shaders with a
               Node entry (index.js) and a browser bundle (browser.js), no native code (docs/WGSL.md)
  --precision P  wgsl: f32 (default), or f16 tensors (needs the adapter's shader-f16 feature)
  -o DIR       where the package goes
  --emit       write the sources only; \`npm install\` in DIR builds them (cpu)
  -O LEVEL     0: no graph optimization; 1, 2: the target's pass pipeline (default 1)
  --name NAME  the package's npm name (default: the model's name)`,
  report: `usage: dsc report MODEL [--target T] [--precision P] [--dim NAME=SIZE ...] [-O LEVEL]

After the target's pipeline (fusion included): kernels before and after fusion, per kernel its ops,
estimated flops and bytes moved, and the memory plan (arena vs lower bound vs no reuse), as the
target's package launches and allocates them.
  --target T   the target whose pipeline, kernels and workspace are described (default cpu)
  --dim N=1    the size of a symbolic dim for the figures (symbols not given count as 1)`,
  graph: `usage: dsc graph MODEL -o FILE.svg|FILE.html [--target T] [--precision P] [--dim NAME=SIZE ...] [-O LEVEL]

Draws the graph after the target's pipeline (default cpu) with fusion groups coloured, and the memory timeline
(each buffer as a rectangle over its lifetime, with the lower bound). .html adds hover details.`,
  run: `usage: dsc run MODEL --input NAME=FILE.npy [--input ...] --out DIR [--weights W.safetensors] [--target interp|cpu|wgsl] [--precision f32|f16] [--top K]

Runs MODEL on the given inputs and writes each output to DIR/<output name>.npy (characters
outside [A-Za-z0-9_.-] in the name become '_'). Prints the written files and the run time.
  --input NAME=FILE.npy   a model input (repeat for each input)
  --out DIR               where outputs are written (created if missing)
  --weights FILE          safetensors file whose tensors replace the model's parameters by name
  --choose PATH=VALUE     pick a search point's option (.ds models; repeatable)
  --target T              where to run: interp (the reference interpreter, default), or cpu: a
                          package compiled once and cached by content hash ($DSC_CACHE_DIR,
                          default ~/.cache/dsc), or wgsl: WebGPU shaders run in this process
                          through the \`webgpu\` package (any Vulkan driver, e.g. Mesa lavapipe)
  --precision P           wgsl: f32 (default) or f16 tensors
  -O LEVEL                optimization level for compiled targets (default 1)
  --top K                 for an output that is one row of class scores (shape [1, C]), print
                          the K most likely classes with their probabilities (softmax of
                          logits; scores that already sum to 1 are taken as they are);
                          default 1, 0 turns it off`,
  profile: `usage: dsc profile MODEL [--target cpu|wgsl] [--input NAME=FILE.npy ...] [--weights W.safetensors] [--runs K] [--threads T] [-o PAGE.html]

Compiles MODEL for the target (cpu: through the package cache), runs it K times (default 10, after one
warm-up) with per-kernel timers, and prints per kernel of \`dsc report\` its median time, the GFLOP/s and
GB/s that achieves on the report's flops and bytes, and its share of the machine's peak (cpu: measured
by a small FMA and copy probe on the same threads). -o writes an HTML page with a bar chart.
  --input NAME=FILE.npy   a model input; inputs not given get seeded values, symbolic dims 1
  --weights FILE          weights to run with (.ds models default to seeded ones, as init-weights writes)
  --runs K                profiled runs (default 10)
  --threads T             cpu: threads a run may use (default: all cores)
  -O LEVEL                optimization level (default 1)`,
  build: `usage: dsc build [DIR]

Compiles every model the project in DIR (default .) declares, in dsc.config.json or in the "dsc"
field of its package.json:
  { "target": "cpu", "outDir": "dsc-packages",
    "models": [{ "model": "models/net.ds" }, { "model": "web.ds", "target": "wgsl", "out": "public/web" }] }
Per model: "model" (required), "target", "out" (default OUTDIR/<file name>), "level" (-O), "precision",
"name" (the npm name). Packages come from the content-hash cache ($DSC_CACHE_DIR, default
~/.cache/dsc): an unchanged model is copied, not rebuilt. Prints each model's stages and times;
every model is attempted, and when any fails, all diagnostics are printed and the exit code is 1.`,
  ir: `usage: dsc ir MODEL [-o FILE] [--passes P1,P2 | -O LEVEL] [--print-after-all]

Prints the model's verified IR (SSA graph text, see docs/IR.md). With -o, writes it to FILE.
  --passes LIST        run these passes in order (names from docs/PASSES.md; options as name{key=value})
  -O LEVEL             run the pipeline of an optimization level: 0 (none), 1 or 2 (canonicalization)
  --print-after-all    print the IR after every pass`,
  kir: KIR_HELP,
  pack: PACK_HELP,
};

/** Write a file the user asked for, creating its folder; failures are diagnostics naming the file. */
function writeOutput(path: string, data: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path) || '.', { recursive: true });
    writeFileSync(path, data);
  } catch (e) {
    throw diag('DSC1001', `cannot write ${path}: ${(e as Error).message}`, { file: path });
  }
}

export function safeOutputName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return s === '' || s === '.' || s === '..' ? `_${s}` : s;
}

/** The first few values of a tensor, for the terminal. */
function preview(t: Tensor, count = 6): string {
  const n = Math.min(count, t.size);
  const vals = Array.from(t.size > 0 ? readNumbers(new Tensor(t.dtype, [t.size], t.data)) : [], (v) => v).slice(0, n);
  const text = vals.map((v) => (Number.isInteger(v) ? String(v) : v.toPrecision(5))).join(', ');
  return `[${text}${t.size > n ? ', ...' : ''}]`;
}

/**
 * The K most likely classes of a classifier-shaped output (one row of C >= 2 float scores, shape [1, C]
 * or [C]), with probabilities: the values themselves when they already form a distribution, else their
 * softmax (logits). Undefined for any other output.
 */
export function topClasses(t: Tensor, k: number): { index: number; p: number }[] | undefined {
  const rows = t.shape.length === 2 ? t.shape[0] : t.shape.length === 1 ? 1 : 0;
  if (k <= 0 || rows !== 1 || t.size < 2 || !['f32', 'f64', 'f16', 'bf16'].includes(t.dtype)) return undefined;
  const values = Array.from(readNumbers(t));
  const isDistribution = values.every((v) => v >= 0 && v <= 1) && Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-3;
  let p = values;
  if (!isDistribution) {
    const max = Math.max(...values);
    const e = values.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    p = e.map((v) => v / sum);
  }
  return p.map((v, index) => ({ index, p: v })).sort((a, b) => b.p - a.p || a.index - b.index).slice(0, k);
}

/**
 * .npy has no bfloat16: a bf16 input is given as its u16 bit patterns (as ml_dtypes arrays are
 * viewed) or as f32 values rounded to bf16, and a bf16 output is written as f32, which holds it exactly.
 */
function fromNpyDType(t: Tensor, want: DType): Tensor {
  if (want !== 'bf16' || t.dtype === 'bf16') return t;
  if (t.dtype === 'u16') return new Tensor('bf16', t.shape, t.data);
  return t.dtype === 'f32' ? Tensor.fromNumbers('bf16', t.shape, t.data as Float32Array) : t;
}

function toNpyDType(t: Tensor): Tensor {
  return t.dtype === 'bf16' ? Tensor.fromNumbers('f32', t.shape, readNumbers(t)) : t;
}

function parseInputs(specs: string[]): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw diag('DSC9001', `dsc run: --input expects NAME=FILE.npy, got '${spec}'`);
    const name = spec.slice(0, eq);
    const file = spec.slice(eq + 1);
    if (out.has(name)) throw diag('DSC9001', `dsc run: input '${name}' given twice`);
    out.set(name, readNpy(readSourceFile(file), file));
  }
  return out;
}

async function cmdRun(argv: string[], log: (s: string) => void, err: (s: string) => void): Promise<number> {
  const a = parseArgs(argv, { input: { value: true, repeat: true, short: 'i' }, out: { value: true, short: 'o' }, weights: { value: true }, target: { value: true }, precision: { value: true }, O: { value: true, short: 'O' }, choose: { value: true, repeat: true }, top: { value: true } }, 'run');
  const topText = a.flags.get('top')?.[0] ?? '1';
  if (!/^\d+$/.test(topText)) throw diag('DSC9001', `dsc run: --top expects a count of classes (0 turns it off), got '${topText}'`);
  if (a.positional.length !== 1) throw diag('DSC9001', `dsc run: expected one MODEL, got ${a.positional.length} (see 'dsc help run')`);
  const out = a.flags.get('out')?.[0];
  if (!out) throw diag('DSC9001', `dsc run: --out DIR is required`);
  const target = a.flags.get('target')?.[0] ?? 'interp';
  if (target !== 'interp' && !targetNames().includes(target))
    throw diag('DSC9001', `dsc run: unknown target '${target}'; available: interp, ${targetNames().join(', ')}`);
  const level = optLevel(a.flags.get('O')?.[0], 'run');
  const targetPrecision = precision(a.flags.get('precision')?.[0], target === 'interp' ? undefined : target, 'run');
  const model = a.positional[0];
  const inputs = parseInputs(a.flags.get('input') ?? []);
  const graph = loadModel(model, { knownInputs: inputs, choose: parseChoices(a.flags.get('choose') ?? [], 'run') });
  for (const name of graph.unreadInputs)
    if (inputs.delete(name)) log(`input '${name}' is read only for its dtype: its values are ignored`);
  for (const v of graph.inputs) {
    const given = inputs.get(v.name);
    if (given) inputs.set(v.name, fromNpyDType(given, v.type.dtype));
  }
  let weights = graph.weights;
  const wfile = a.flags.get('weights')?.[0];
  if (wfile && extname(model).toLowerCase() === '.ds') {
    weights = readSafetensors(readSourceFile(wfile), wfile);
    const problems = checkWeights(graph, weights, wfile);
    if (problems.length) throw new DiagnosticError(problems);
  } else if (!wfile && extname(model).toLowerCase() === '.ds' && graph.params.length) {
    throw diag('DSC4005', `${model} has ${graph.params.length} parameters; pass --weights W.safetensors (dsc init-weights writes seeded ones)`, { file: model });
  } else if (wfile) {
    weights = new Map(graph.weights);
    const given = readSafetensors(readSourceFile(wfile), wfile);
    const known = new Set(graph.params.map((p) => p.name));
    for (const [k, t] of given) {
      if (!known.has(k)) throw diag('DSC4007', `${wfile}: tensor '${k}' is not a parameter of ${model}`, { file: wfile });
      weights.set(k, t);
    }
  }
  let results: Map<string, Tensor>;
  let ms: number;
  if (target === 'interp') {
    const t0 = performance.now();
    results = runGraph(graph, inputs, { weights, source: model });
    ms = performance.now() - t0;
  } else {
    for (const p of graph.params) if (!weights.has(p.name)) throw diag('DSC4005', `weight '${p.name}' is missing; pass --weights`, { file: model });
    graph.weights = weights;
    ({ outputs: results, ms } = await getTarget(target, 'run').run(graph, inputs, { level, precision: targetPrecision, source: model, onStage: stageReporter(err), log }));
  }
  mkdirSync(out, { recursive: true });
  const written = new Set<string>();
  for (const [name, t] of results) {
    let file = safeOutputName(name);
    while (written.has(file)) file = `_${file}`;
    written.add(file);
    const path = join(out, `${file}.npy`);
    writeOutput(path, writeNpy(toNpyDType(t)));
    log(`${name}: ${t.dtype}[${t.shape.join(', ')}] ${preview(t)} -> ${path}`);
    const top = topClasses(t, Number(topText));
    if (top) log(`  ${top.length === 1 ? 'top class' : `top ${top.length} classes`}: ${top.map((c) => `${c.index} (p ${c.p.toFixed(4)})`).join(', ')}`);
  }
  log(`ran ${basename(model)} on ${target} in ${ms.toFixed(1)} ms`);
  return 0;
}

/** A --precision the target takes (none for the interpreter, `target` undefined). */
function precision(text: string | undefined, target: string | undefined, command: string): string | undefined {
  if (text === undefined) return undefined;
  const taken = target === undefined ? [] : getTarget(target, command).precisions;
  if (taken.length < 2) throw diag('DSC9001', `dsc ${command}: --precision applies to --target ${targetNames().filter((t) => getTarget(t).precisions.length > 1).join('|')} only`);
  if (!taken.includes(text)) throw diag('DSC9001', `dsc ${command}: --precision expects ${taken.join(' or ')}, got '${text}'`);
  return text;
}

function optLevel(text: string | undefined, command: string): 0 | 1 | 2 {
  if (text === undefined) return 1;
  if (!['0', '1', '2'].includes(text)) throw diag('DSC9001', `dsc ${command}: -O expects 0, 1 or 2, got '${text}'`);
  return Number(text) as 0 | 1 | 2;
}

/** Stage progress on stderr: one line per stage with its time. */
function stageReporter(err: (s: string) => void) {
  return (name: string, state: 'start' | 'done', ms: number) => {
    if (state === 'done') err(`  ${name.padEnd(16)} ${ms.toFixed(0).padStart(6)} ms`);
  };
}

/** The native build's progress: ninja's `[3/7]` (or make's `[ 42%]`) steps, one updating line on a terminal. */
function buildReporter(err: (s: string) => void) {
  const tty = process.stderr.isTTY;
  return (line: string) => {
    const m = /^\[\s*(\d+)(?:\/(\d+)|%)\]\s*(.*)$/.exec(line.trim());
    if (!m) return;
    const pct = m[2] ? Math.round((100 * Number(m[1])) / Number(m[2])) : Number(m[1]);
    const what = m[3].replace(/^Building CXX object .*\/([^/]+?)\.o$/, 'compiling $1').replace(/^Linking CXX shared library .*$/, 'linking');
    const text = `  native build     [${String(pct).padStart(3)}%] ${what}`;
    if (tty) process.stderr.write(`\r\x1b[K${text}`);
    else err(text);
  };
}

function parseChoices(specs: string[], command: string): Map<string, string | number> {
  const out = new Map<string, string | number>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw diag('DSC9001', `dsc ${command}: --choose expects PATH=VALUE (e.g. blocks.3.k=5), got '${spec}'`);
    const v = spec.slice(eq + 1);
    out.set(spec.slice(0, eq), /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
  }
  return out;
}

function loadWithChoices(a: ParsedArgs, command: string): Graph {
  if (a.positional.length !== 1) throw diag('DSC9001', `dsc ${command}: expected one MODEL, got ${a.positional.length} (see 'dsc help ${command}')`);
  return loadModel(a.positional[0], { choose: parseChoices(a.flags.get('choose') ?? [], command) });
}

async function cmdProfile(argv: string[], log: (s: string) => void, err: (s: string) => void): Promise<number> {
  const a = parseArgs(argv, { input: { value: true, repeat: true, short: 'i' }, weights: { value: true }, target: { value: true, short: 't' }, runs: { value: true }, threads: { value: true }, out: { value: true, short: 'o' }, O: { value: true, short: 'O' }, choose: { value: true, repeat: true } }, 'profile');
  if (a.positional.length !== 1) throw diag('DSC9001', `dsc profile: expected one MODEL, got ${a.positional.length} (see 'dsc help profile')`);
  const target = getTarget(a.flags.get('target')?.[0] ?? DEFAULT_TARGET, 'profile').name;
  const count = (flag: string) => {
    const text = a.flags.get(flag)?.[0];
    if (text !== undefined && !/^[1-9][0-9]*$/.test(text)) throw diag('DSC9001', `dsc profile: --${flag} expects a positive integer, got '${text}'`);
    return text === undefined ? undefined : Number(text);
  };
  const model = a.positional[0];
  const given = parseInputs(a.flags.get('input') ?? []);
  const graph = loadModel(model, { knownInputs: given, choose: parseChoices(a.flags.get('choose') ?? [], 'profile') });
  const wfile = a.flags.get('weights')?.[0];
  const isDs = extname(model).toLowerCase() === '.ds';
  // a .ds model is compiled without its weights, as `dsc compile` does, and they are given at load
  let loadWeights: Map<string, Tensor> | undefined;
  if (wfile) {
    const weights = readSafetensors(readSourceFile(wfile), wfile);
    if (isDs) {
      const problems = checkWeights(graph, weights, wfile);
      if (problems.length) throw new DiagnosticError(problems);
      loadWeights = weights;
    } else {
      const known = new Set(graph.params.map((p) => p.name));
      for (const [k, t] of weights) {
        if (!known.has(k)) throw diag('DSC4007', `${wfile}: tensor '${k}' is not a parameter of ${model}`, { file: wfile });
        graph.weights.set(k, t);
      }
    }
  } else if (isDs && graph.params.length) {
    loadWeights = initWeights(graph, 0);
    log(`(no --weights: seeded weights, as \`dsc init-weights --seed 0\` writes)`);
  }
  const profile = await profileModel(graph, {
    target, inputs: profileInputs(graph, given), weights: loadWeights, runs: count('runs'), threads: count('threads'), level: optLevel(a.flags.get('O')?.[0], 'profile'), onStage: stageReporter(err),
  });
  log(profileText(profile).replace(/\n$/, ''));
  const out = a.flags.get('out')?.[0];
  if (out) {
    writeOutput(out, profilePage(profile));
    log(`wrote ${out}`);
  }
  return 0;
}

function cmdCheck(argv: string[], log: (s: string) => void): number {
  const a = parseArgs(argv, { choose: { value: true, repeat: true } }, 'check');
  const graph = loadWithChoices(a, 'check');
  const sig = (vs: typeof graph.inputs) => vs.map((v) => `${v.name}: ${typeToString(v.type)}`).join(', ');
  log(`${a.positional[0]}: ok — ${graph.name}(${sig(graph.inputs)}) -> (${sig(graph.outputs)}), ${graph.params.length} parameters, ${graph.nodes.length} ops`);
  return 0;
}

function cmdParams(argv: string[], log: (s: string) => void): number {
  const a = parseArgs(argv, { choose: { value: true, repeat: true } }, 'params');
  const graph = loadWithChoices(a, 'params');
  const rows = graph.params.map((p) => [p.name, typeToString(p.type)]);
  const width = Math.max(4, ...rows.map((r) => r[0].length));
  for (const [name, type] of rows) log(`${name.padEnd(width)}  ${type}`);
  let total = 0;
  for (const p of graph.params) total += p.type.shape.reduce<number>((n, d) => n * (typeof d === 'number' ? d : 1), 1);
  log(`${graph.params.length} parameters, ${total} values`);
  return 0;
}

function cmdInitWeights(argv: string[], log: (s: string) => void): number {
  const a = parseArgs(argv, { seed: { value: true }, out: { value: true, short: 'o' }, choose: { value: true, repeat: true } }, 'init-weights');
  const out = a.flags.get('out')?.[0];
  if (!out) throw diag('DSC9001', 'dsc init-weights: -o FILE.safetensors is required');
  const seedText = a.flags.get('seed')?.[0] ?? '0';
  if (!/^\d+$/.test(seedText)) throw diag('DSC9001', `dsc init-weights: --seed expects a non-negative integer, got '${seedText}'`);
  const graph = loadWithChoices(a, 'init-weights');
  const weights = initWeights(graph, Number(seedText));
  writeOutput(out, writeSafetensors(weights));
  log(`wrote ${weights.size} tensors to ${out} (seed ${seedText})`);
  return 0;
}

function cmdImport(argv: string[], log: (s: string) => void): number {
  const a = parseArgs(argv, { out: { value: true, short: 'o' }, name: { value: true } }, 'import');
  if (a.positional.length !== 1) throw diag('DSC9001', `dsc import: expected one MODEL.onnx, got ${a.positional.length} (see 'dsc help import')`);
  const model = a.positional[0];
  if (extname(model).toLowerCase() !== '.onnx') throw diag('DSC9002', `${model}: dsc import reads .onnx files`, { file: model });
  const out = a.flags.get('out')?.[0] ?? model.replace(/\.onnx$/i, '.ds');
  if (extname(out) !== '.ds') throw diag('DSC9001', `dsc import: -o must name a .ds file, got '${out}'`);
  const result = importToDs(model, { modelName: a.flags.get('name')?.[0] });
  const weightsFile = out.replace(/\.ds$/, '.safetensors');
  writeOutput(out, result.source);
  writeOutput(weightsFile, writeSafetensors(result.weights));
  log(`wrote ${out} and ${weightsFile} (${result.weights.size} tensors)`);
  return 0;
}

function parseDims(specs: string[], command: string): Map<string, number> {
  const dims = new Map<string, number>();
  for (const spec of specs) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\d+)$/.exec(spec);
    if (!m) throw diag('DSC9001', `dsc ${command}: --dim expects NAME=SIZE (e.g. N=1), got '${spec}'`);
    dims.set(m[1], Number(m[2]));
  }
  return dims;
}

/** The model after the target's pipeline, as `dsc report` and `dsc graph` describe it, and the target's planning options. */
function optimizedModel(a: ParsedArgs, command: string): { graph: Graph; planning: TargetPlanning } {
  if (a.positional.length !== 1) throw diag('DSC9001', `dsc ${command}: expected one MODEL, got ${a.positional.length} (see 'dsc help ${command}')`);
  const targetName = a.flags.get('target')?.[0] ?? DEFAULT_TARGET;
  const target = getTarget(targetName, command);
  const prec = precision(a.flags.get('precision')?.[0], targetName, command);
  const graph = loadModel(a.positional[0]);
  const problems = verifyGraph(graph);
  if (problems.length) throw new DiagnosticError(problems);
  return { graph: runPasses(graph, target.pipeline(optLevel(a.flags.get('O')?.[0], command)), { verify: true }), planning: targetPlanning(target, prec) };
}

function cmdReport(argv: string[], log: (s: string) => void): number {
  const a = parseArgs(argv, { dim: { value: true, repeat: true }, O: { value: true, short: 'O' }, target: { value: true, short: 't' }, precision: { value: true } }, 'report');
  const { graph, planning } = optimizedModel(a, 'report');
  log(reportText(graph, { ...planning, dims: parseDims(a.flags.get('dim') ?? [], 'report') }).replace(/\n$/, ''));
  return 0;
}

function cmdGraph(argv: string[], log: (s: string) => void): number {
  const a = parseArgs(argv, { dim: { value: true, repeat: true }, O: { value: true, short: 'O' }, out: { value: true, short: 'o' }, target: { value: true, short: 't' }, precision: { value: true } }, 'graph');
  const out = a.flags.get('out')?.[0];
  if (!out) throw diag('DSC9001', 'dsc graph: -o FILE.svg or FILE.html is required');
  const kind = extname(out).toLowerCase();
  if (kind !== '.svg' && kind !== '.html') throw diag('DSC9001', `dsc graph: -o must name an .svg or .html file, got '${out}'`);
  const { graph, planning } = optimizedModel(a, 'graph');
  const dims = parseDims(a.flags.get('dim') ?? [], 'graph');
  writeOutput(out, kind === '.svg' ? renderGraphSvg(graph, { ...planning, dims }) : renderGraphHtml(graph, { ...planning, dims }));
  log(`wrote ${out}`);
  return 0;
}

async function cmdCompile(argv: string[], log: (s: string) => void, err: (s: string) => void): Promise<number> {
  const a = parseArgs(argv, { target: { value: true, short: 't' }, precision: { value: true }, out: { value: true, short: 'o' }, emit: {}, O: { value: true, short: 'O' }, name: { value: true } }, 'compile');
  if (a.positional.length !== 1) throw diag('DSC9001', `dsc compile: expected one MODEL, got ${a.positional.length} (see 'dsc help compile')`);
  const target = getTarget(a.flags.get('target')?.[0] ?? DEFAULT_TARGET).name;
  const model = a.positional[0];
  const out = a.flags.get('out')?.[0] ?? join('out', basename(model).replace(/\.[^.]*$/, ''));
  const t0 = performance.now();
  const graph = loadModel(model);
  err(`  ${'load'.padEnd(16)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms`);
  const build = buildReporter(err);
  const gen = await compileToPackage(graph, out, {
    target, level: optLevel(a.flags.get('O')?.[0], 'compile'), precision: precision(a.flags.get('precision')?.[0], target, 'compile'), packageName: a.flags.get('name')?.[0] ?? defaultPackageName(basename(model).replace(/\.[^.]*$/, '')), emitOnly: a.flags.has('emit'),
    onStage: (name, state, ms) => { if (state === 'done') { if (name === 'native build' && process.stderr.isTTY) process.stderr.write('\r\x1b[K'); stageReporter(err)(name, state, ms); } },
    onBuildLine: build,
  });
  log(`${a.flags.has('emit') ? 'wrote' : 'built'} ${out} (${target}; inputs ${gen.manifest.inputs.map((t) => `${t.name}: ${t.dtype}[${t.shape.join(', ')}]`).join(', ')}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return 0;
}

function cmdIr(argv: string[], log: (s: string) => void): number {
  const a = parseArgs(argv, { out: { value: true, short: 'o' }, passes: { value: true }, O: { value: true, short: 'O' }, 'print-after-all': {} }, 'ir');
  if (a.positional.length !== 1) throw diag('DSC9001', `dsc ir: expected one MODEL, got ${a.positional.length} (see 'dsc help ir')`);
  let graph = loadModel(a.positional[0]);
  const problems = verifyGraph(graph);
  if (problems.length) throw new DiagnosticError(problems);
  const passesText = a.flags.get('passes')?.[0];
  const level = a.flags.get('O')?.[0];
  if (passesText !== undefined && level !== undefined) throw diag('DSC9001', 'dsc ir: give either --passes or -O, not both');
  if (level !== undefined && !['0', '1', '2'].includes(level)) throw diag('DSC9001', `dsc ir: -O expects 0, 1 or 2, got '${level}'`);
  const specs = passesText !== undefined ? splitPassList(passesText) : getTarget(DEFAULT_TARGET).pipeline(Number(level ?? 0) as 0 | 1 | 2);
  if (specs.length)
    graph = runPasses(graph, specs, {
      verify: true,
      printAfterAll: a.flags.has('print-after-all') ? (pass, text) => log(`// ----- IR after ${pass} -----\n${text.replace(/\n$/, '')}`) : undefined,
    });
  const text = printGraph(graph);
  const out = a.flags.get('out')?.[0];
  if (out) writeOutput(out, text);
  else log(text.replace(/\n$/, ''));
  return 0;
}

/** A mistyped command: the closest one by edit distance, and the list. */
function unknownCommand(cmd: string) {
  const commands = Object.keys(HELP).filter((k) => k);
  const guess = closestName(cmd, commands);
  return diag('DSC9001', `unknown command '${cmd}'${guess ? `; did you mean '${guess}'?` : ''} (commands: ${commands.join(', ')})`);
}

/** Run the CLI; returns the exit code. Output and errors go through the given writers. */
export async function main(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = { out: (s) => console.log(s), err: (s) => console.error(s) }): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd && Object.hasOwn(HELP, cmd) && wantsHelp(rest)) {
      io.out(HELP[cmd]);
      return 0;
    }
    switch (cmd) {
      case undefined: case 'help': case '--help': case '-h': {
        const topic = rest[0] ?? '';
        if (!Object.hasOwn(HELP, topic)) throw unknownCommand(topic);
        io.out(HELP[topic]);
        return 0;
      }
      case '--version': case 'version': io.out(VERSION); return 0;
      case 'run': return await cmdRun(rest, io.out, io.err);
      case 'compile': return await cmdCompile(rest, io.out, io.err);
      case 'pack': return await cmdPack(rest, io.out, io.err);
      case 'report': return cmdReport(rest, io.out);
      case 'check': return cmdCheck(rest, io.out);
      case 'params': return cmdParams(rest, io.out);
      case 'init-weights': return cmdInitWeights(rest, io.out);
      case 'import': return cmdImport(rest, io.out);
      case 'graph': return cmdGraph(rest, io.out);
      case 'ir': return cmdIr(rest, io.out);
      case 'build': return await cmdBuild(rest, io.out, io.err, stageReporter(io.err));
      case 'profile': return await cmdProfile(rest, io.out, io.err);
      case 'kir': return cmdKir(rest, io.out);
      default: throw unknownCommand(cmd);
    }
  } catch (e) {
    if (e instanceof DiagnosticError) {
      const sources = new Map<string, string>();
      for (const d of e.diagnostics)
        if (d.loc?.line && !sources.has(d.loc.file)) {
          try { sources.set(d.loc.file, new TextDecoder().decode(readSourceFile(d.loc.file))); } catch { /* frame is optional */ }
        }
      for (const d of e.diagnostics) io.err(formatDiagnostic(d, sources));
      return 1;
    }
    io.err(`dsc: internal error: ${(e as Error)?.message ?? String(e)}`);
    if (process.env.DSC_DEBUG) io.err(String((e as Error)?.stack));
    else io.err('(set DSC_DEBUG=1 for a stack trace, and please report this)');
    return 70;
  }
}
