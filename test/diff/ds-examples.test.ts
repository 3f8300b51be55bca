// Differential test of the .ds examples: each examples/NAME/NAME.ds is compiled, loaded with the
// weights of a PyTorch module written layer for layer like it (test/fixtures/make_ds_fixtures.py), and
// run by the reference interpreter against PyTorch's output. The state_dict keys must be exactly the
// .ds parameter paths, with the same shapes: that is the promise that PyTorch checkpoints load as-is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { readNpy } from '../../src/formats/npy.js';
import { readSafetensors } from '../../src/formats/safetensors.js';
import { compileDsFile } from '../../src/frontend/ds/compile.js';
import { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor } from '../../src/ir/tensor.js';
import { Tolerance, compareTensors } from '../conformance/compare.js';

const PYTHON = '/usr/bin/python3';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures');
const SCRIPT = join(FIXTURES, 'make_ds_fixtures.py');
/** examples whose weights are under 5 MB, committed */
const COMMITTED = join(FIXTURES, 'ds');
/** the ResNets and MobileNetV2, written by the script when missing (gitignored) */
const GENERATED = join(FIXTURES, 'generated/ds');

const TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

/** per-test time limits: the interpreter is a reference, not a fast path (ResNet-50 is 4.1 GFLOP an image) */
const EXAMPLES: { name: string; timeoutMs: number }[] = [
  { name: 'mlp', timeoutMs: 30_000 },
  { name: 'lenet5', timeoutMs: 30_000 },
  { name: 'bert_encoder', timeoutMs: 60_000 },
  { name: 'gpt_decoder', timeoutMs: 60_000 },
  { name: 'unet', timeoutMs: 120_000 },
  { name: 'resnet18', timeoutMs: 300_000 },
  { name: 'resnet50', timeoutMs: 600_000 },
  { name: 'mobilenet_v2', timeoutMs: 300_000 },
];

function fixtureDir(name: string): string | undefined {
  return [COMMITTED, GENERATED].find((dir) => existsSync(join(dir, `${name}.safetensors`)) && existsSync(join(dir, `${name}.output.npy`)));
}

const missing = EXAMPLES.map((e) => e.name).filter((name) => !fixtureDir(name));
const torchAvailable = missing.length === 0 || spawnSync(PYTHON, ['-c', 'import torch, numpy']).status === 0;
// CI installs PyTorch, so there a missing generator is a failure, not a reason to skip.
const skip = !torchAvailable && !process.env.CI;
if (skip) console.warn(`skipping .ds example diff tests: ${PYTHON} cannot import torch to generate ${missing.join(', ')}`);

function readNpyFile(path: string): Tensor {
  return readNpy(readFileSync(path), path);
}

interface Fixture {
  weightsFile: string;
  weights: Map<string, Tensor>;
  /** input name -> file and tensor, from NAME.input.INPUT.npy */
  inputs: Map<string, { file: string; tensor: Tensor }>;
  output: Tensor;
}

function loadFixture(name: string): Fixture {
  const dir = fixtureDir(name);
  if (!dir) throw new Error(`${name}: fixture files are missing after generation`);
  const weightsFile = join(dir, `${name}.safetensors`);
  const prefix = `${name}.input.`;
  const inputs = new Map<string, { file: string; tensor: Tensor }>();
  for (const entry of readdirSync(dir).sort()) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.npy')) continue;
    const file = join(dir, entry);
    inputs.set(entry.slice(prefix.length, -'.npy'.length), { file, tensor: readNpyFile(file) });
  }
  return { weightsFile, weights: readSafetensors(readFileSync(weightsFile), weightsFile), inputs, output: readNpyFile(join(dir, `${name}.output.npy`)) };
}

function compileExample(name: string): Graph {
  const path = join(ROOT, 'examples', name, `${name}.ds`);
  const { graph, diagnostics, sources } = compileDsFile(path);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => formatDiagnostic(d, sources)).join('\n'), `${path} does not compile`).toBe('');
  if (!graph) throw new Error(`${path}: no graph and no error diagnostic`);
  return graph;
}

/** Every difference between the .ds parameters and the state_dict, one line per path. */
function parameterMismatches(graph: Graph, weights: ReadonlyMap<string, Tensor>): string[] {
  const problems: string[] = [];
  const declared = new Set<string>();
  for (const p of graph.params) {
    declared.add(p.name);
    const t = weights.get(p.name);
    const want = `${p.type.dtype}[${p.type.shape.join(', ')}]`;
    if (!t) problems.push(`${p.name}: declared ${want} in .ds, missing from the state_dict`);
    else if (t.dtype !== p.type.dtype || t.shape.length !== p.type.shape.length || t.shape.some((d, i) => d !== p.type.shape[i]))
      problems.push(`${p.name}: declared ${want} in .ds, ${t.dtype}[${t.shape.join(', ')}] in the state_dict`);
  }
  for (const key of weights.keys()) if (!declared.has(key)) problems.push(`${key}: in the state_dict, not a parameter of the .ds model`);
  return problems;
}

function expectClose(actual: Tensor, expected: Tensor, what: string): void {
  const cmp = compareTensors(actual, expected, () => TOLERANCE);
  expect(cmp.ok, `${what}: ${cmp.reason}`).toBe(true);
}

describe.skipIf(skip)('.ds examples: interpreter vs PyTorch', () => {
  beforeAll(() => {
    expect(torchAvailable, `${PYTHON} cannot import torch; CI must install python3-torch`).toBe(true);
    if (missing.length === 0) return;
    const gen = spawnSync(PYTHON, [SCRIPT, GENERATED, '--models', missing.join(',')], { encoding: 'utf8' });
    expect(gen.status, `${SCRIPT} failed:\n${gen.stderr}`).toBe(0);
  }, 300_000);

  for (const { name, timeoutMs } of EXAMPLES) {
    describe(name, () => {
      let graph: Graph | undefined;
      let fixture: Fixture | undefined;
      const load = () => ({ graph: (graph ??= compileExample(name)), fixture: (fixture ??= loadFixture(name)) });

      it('declares exactly the PyTorch state_dict', () => {
        const { graph, fixture } = load();
        expect(parameterMismatches(graph, fixture.weights)).toEqual([]);
      }, timeoutMs);

      it('matches PyTorch', () => {
        const { graph, fixture } = load();
        expect(graph.inputs.map((v) => v.name).sort()).toEqual([...fixture.inputs.keys()].sort());
        expect(graph.outputs).toHaveLength(1);
        const inputs = new Map([...fixture.inputs].map(([k, v]) => [k, v.tensor]));
        const ours = runGraph(graph, inputs, { weights: fixture.weights }).get(graph.outputs[0].name)!;
        expectClose(ours, fixture.output, 'interpreter vs PyTorch');
      }, timeoutMs);

      it('matches PyTorch through `dsc run`', () => {
        const { graph, fixture } = load();
        const out = mkdtempSync(join(tmpdir(), `dsc-ds-${name}-`));
        const args = ['run', join(ROOT, 'examples', name, `${name}.ds`), '--weights', fixture.weightsFile, '--out', out];
        for (const [input, { file }] of fixture.inputs) args.push('--input', `${input}=${file}`);
        const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'dsc.js'), ...args], { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
        expectClose(readNpyFile(join(out, `${graph.outputs[0].name}.npy`)), fixture.output, '`dsc run` vs PyTorch');
      }, timeoutMs);
    });
  }
});
