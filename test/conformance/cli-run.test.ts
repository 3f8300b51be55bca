// The ONNX node suite run as a user runs a model: `dsc run model.onnx --input NAME=FILE.npy ... --out DIR`
// with every test input given as an .npy file, on the interpreter, the cpu and the wgsl target, outputs
// read back from DIR and compared with the suite's. Every case that passes in-process (baseline.json,
// cpu-baseline.json, wgsl-baseline.json) must pass here too: inputs that carry values stay inputs of the
// compiled model, inputs that determine shapes are specialized from the given files.
//
// The interpreter runs every case. A cpu case builds a native package (seconds each) and a wgsl case
// compiles its shaders on lavapipe, so by default those run a fixed sample (every SAMPLE_EVERY-th
// case, plus the cases whose inputs carry values); DSC_CLI_RUN=full runs them all (docs/CONFORMANCE.md
// gives the full figures).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main, safeOutputName } from '../../src/cli/main.js';
import { ONNX_DTYPE } from '../../src/formats/onnx-types.js';
import { decodeModel, decodeTensorProto, onnxTensorToTensor } from '../../src/formats/onnx-proto.js';
import { readNpy, writeNpy } from '../../src/formats/npy.js';
import { Tensor, readNumbers } from '../../src/ir/tensor.js';
import { compareTensors } from './compare.js';
import { CASE_FILTER, TESTDATA_ROOT } from './runner.js';
import { lavapipeGpu } from '../codegen-wgsl/harness.js';

const FULL = process.env.DSC_CLI_RUN === 'full';
const SAMPLE_EVERY = { cpu: 60, wgsl: 8 } as const;
/** cases whose inputs carry values a compiled model must take at run time (Clip's bounds, Trilu's k, Pad's value, quantization parameters) */
const VALUE_INPUTS = /test_clip_example$|test_trilu_upper_pos$|test_constant_pad$|test_dequantizelinear$|test_quantizelinear$/;

const installed = existsSync(TESTDATA_ROOT);
const skip = !installed && !process.env.CI;
if (skip) console.warn(`skipping dsc run over the ONNX suite: ${TESTDATA_ROOT} is missing (apt-get install libonnx-testdata)`);

const baselineFile = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));
const interpCases: string[] = JSON.parse(readFileSync(baselineFile('baseline.json'), 'utf8'));
const targetCases = (name: string): string[] => (JSON.parse(readFileSync(baselineFile(name), 'utf8')) as { pass: string[] }).pass;

/** Every `every`-th case (a fixed sample, the same in every run) and the value-input cases; all with DSC_CLI_RUN=full. */
function sample(ids: readonly string[], every: number): string[] {
  return ids.filter((id, i) => FULL || i % every === 0 || VALUE_INPUTS.test(id));
}

const selected = (ids: readonly string[]) => ids.filter((id) => !CASE_FILTER || CASE_FILTER.test(id));

const work = mkdtempSync(join(tmpdir(), 'dsc-cli-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** .npy has no bfloat16: dsc run writes a bf16 output as f32, which holds it exactly, so it narrows back without loss */
const asExpected = (actual: Tensor, expected: Tensor) =>
  expected.dtype === 'bf16' && actual.dtype === 'f32' ? Tensor.fromNumbers('bf16', actual.shape, readNumbers(actual)) : actual;

/** Runs data set 0 of the case through `dsc run`; '' when every output matches, else what went wrong. */
async function runThroughCli(id: string, target: string): Promise<string> {
  const dir = join(TESTDATA_ROOT, id);
  const model = decodeModel(readFileSync(join(dir, 'model.onnx')), id);
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  const inputNames = model.graph.inputs.map((v) => v.name).filter((n) => !initializers.has(n));
  const set = join(dir, 'test_data_set_0');
  const files = (prefix: string) =>
    readdirSync(set).filter((f) => f.startsWith(`${prefix}_`)).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
  const caseDir = join(work, target, id.replace('/', '_'));
  mkdirSync(caseDir, { recursive: true });
  const args = ['run', join(dir, 'model.onnx'), '--out', join(caseDir, 'out'), '--target', target];
  files('input').forEach((f, i) => {
    // the suite stores bf16 data as u16 bit patterns, which dsc run takes for a bf16 input
    const t = onnxTensorToTensor(decodeTensorProto(readFileSync(join(set, f)), f), { file: f });
    const path = join(caseDir, `input_${i}.npy`);
    writeFileSync(path, writeNpy(t));
    args.push('--input', `${inputNames[i]}=${path}`);
  });
  const messages: string[] = [];
  const rc = await main(args, { out: () => {}, err: (s) => messages.push(s) });
  if (rc !== 0) return `exit ${rc}: ${messages.join(' ').slice(0, 300)}`;
  const problems: string[] = [];
  files('output').forEach((f, k) => {
    let expected = onnxTensorToTensor(decodeTensorProto(readFileSync(join(set, f)), f), { file: f });
    const declared = model.graph.outputs[k];
    if (expected.dtype === 'u16' && declared.tensor?.elemType === ONNX_DTYPE.BFLOAT16) expected = new Tensor('bf16', expected.shape, expected.data);
    const path = join(caseDir, 'out', `${safeOutputName(declared.name)}.npy`);
    if (!existsSync(path)) { problems.push(`output '${declared.name}' was not written`); return; }
    const cmp = compareTensors(asExpected(readNpy(readFileSync(path), path), expected), expected);
    if (!cmp.ok) problems.push(`output '${declared.name}': ${cmp.reason}`);
  });
  return problems.join('; ');
}

async function expectAllPass(ids: readonly string[], target: string): Promise<void> {
  // a run over no case would pass whatever dsc run does
  if (!CASE_FILTER) expect(ids.length).toBeGreaterThan(0);
  const failures: string[] = [];
  for (const id of ids) {
    const why = await runThroughCli(id, target);
    if (why) failures.push(`${id}: ${why}`);
  }
  console.log(`dsc run --target ${target}: ${ids.length - failures.length} of ${ids.length} cases pass`);
  expect(failures, `${failures.length} of ${ids.length} cases failed through dsc run --target ${target}`).toEqual([]);
}

describe.skipIf(skip)('dsc run over the ONNX suite, inputs as .npy files', () => {
  it('interpreter: every case that passes in-process passes through dsc run', async () => {
    await expectAllPass(selected(interpCases), 'interp');
  }, 600_000);

  it('cpu: the sampled cases of the cpu baseline pass through dsc run', async () => {
    await expectAllPass(selected(sample(targetCases('cpu-baseline.json'), SAMPLE_EVERY.cpu)), 'cpu');
  }, 1_800_000);

  const gpu = lavapipeGpu();
  it.skipIf(!gpu && !process.env.CI)('wgsl: the sampled cases of the wgsl baseline pass through dsc run', async () => {
    await expectAllPass(selected(sample(targetCases('wgsl-baseline.json'), SAMPLE_EVERY.wgsl)), 'wgsl');
  }, 1_800_000);
});
