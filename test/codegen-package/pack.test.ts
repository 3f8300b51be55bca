// `dsc pack`: the MLP example's package is built once and packed with its addon in prebuilds/; a
// consumer project installs the tarball with plain `npm install <tarball>` while no compiler and no
// cmake are on PATH (only node, npm and sh), type-checks its TypeScript against the package's
// index.d.ts with --strict, and runs it; the output is compared with the interpreter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { main } from '../../src/cli/main.js';
import { generatePackage } from '../../src/codegen/compile.js';
import { emitPackage } from '../../src/codegen/package/index.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from '../conformance/compare.js';
import { compileExample, exampleWeights, inputsFor } from '../codegen-e2e/examples.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'dsc-pack-'));
const packageDir = join(work, 'mlp-package');
const tarballs = join(work, 'tarballs');
const consumerDir = join(work, 'consumer');
const graph = compileExample('mlp');
const weights = exampleWeights('mlp', graph);
const inputs = inputsFor('mlp', graph);
const inputName = graph.inputs[0].name;
const outputName = graph.outputs[0].name;
const weightsFile = join(work, 'mlp.safetensors');

/** A folder holding only node, npm and sh: a PATH on which no compiler or cmake can be found. */
function toolsWithoutCompiler(): string {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim()), join(bin, 'npm'));
  symlinkSync(realpathSync('/bin/sh'), join(bin, 'sh'));
  return bin;
}

beforeAll(() => {
  writeFileSync(weightsFile, writeSafetensors(weights));
  const gen = generatePackage(graph, { target: 'cpu' });
  emitPackage({ manifest: gen.manifest, kernelFiles: gen.kernelFiles, outDir: packageDir, packageName: 'mlp-model' });
  mkdirSync(consumerDir, { recursive: true });
  writeFileSync(join(consumerDir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('dsc pack', () => {
  let tarball = '';

  it('builds the addon once and writes a tarball that carries it in prebuilds/<platform>-<arch>/', { timeout: 600_000 }, async () => {
    const out: string[] = [];
    const code = await main(['pack', packageDir, '-o', tarballs], { out: (s) => out.push(s), err: () => {} });
    expect(code).toBe(0);
    tarball = /^packed (\S+\.tgz)/.exec(out.join('\n'))?.[1] ?? '';
    expect(existsSync(tarball), out.join('\n')).toBe(true);
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(listing).toContain(`package/prebuilds/${process.platform}-${process.arch}/dsc_model.node`);
    expect(listing).toContain('package/install.js');
    expect(listing.some((f) => f.startsWith('package/build/'))).toBe(false);
  });

  it('installs with plain `npm install <tarball>` with no compiler or cmake on PATH, and does not compile', { timeout: 300_000 }, async () => {
    const bin = toolsWithoutCompiler();
    const env = { ...process.env, PATH: bin };
    await expect(run('sh', ['-c', 'command -v cmake || command -v c++ || command -v g++ || command -v cc'], { env })).rejects.toThrow();
    const { stdout } = await run(join(bin, 'npm'), ['install', tarball, '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: consumerDir, env });
    expect(stdout).toMatch(/using the prebuilt addon prebuilds\//);
    expect(existsSync(join(consumerDir, 'node_modules', 'mlp-model', 'build'))).toBe(false);
  });

  it('type-checks a TypeScript consumer with --strict against index.d.ts and runs it', { timeout: 120_000 }, async () => {
    const source = `import { Model, Outputs } from 'mlp-model';
declare const console: { log(text: string): void };
export async function main(weights: string, data: Float32Array, batch: number): Promise<void> {
  const model = await Model.load(weights, { threads: 1 });
  const outputs: Outputs = await model.run({ ${JSON.stringify(inputName)}: { data, shape: [batch, 784] } });
  const logits: Float32Array = outputs[${JSON.stringify(outputName)}].data;
  const classes: 10 = outputs[${JSON.stringify(outputName)}].shape[1];
  console.log(JSON.stringify({ isa: model.isa, classes, logits: Array.from(logits) }));
  model.dispose();
}
`;
    const file = join(consumerDir, 'main.ts');
    writeFileSync(file, source);
    const program = ts.createProgram([file], {
      strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [], lib: ['lib.es2022.d.ts'],
    });
    expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);

    writeFileSync(join(consumerDir, 'main.js'), ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText);
    const x = inputs.get(inputName)!;
    const script = `require('./main.js').main(${JSON.stringify(weightsFile)}, Float32Array.from(${JSON.stringify(Array.from(x.data as Float32Array))}), ${x.shape[0]})`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: consumerDir, maxBuffer: 16 << 20 });
    const got = JSON.parse(stdout) as { classes: number; logits: number[] };
    expect(got.classes).toBe(10);
    const want = runGraph(graph, inputs, { weights }).get(outputName)!;
    const cmp = compareTensors(new Tensor('f32', [...want.shape], Float32Array.from(got.logits)), want, () => ({ rtol: 1e-4, atol: 1e-5 }));
    expect(cmp.ok, cmp.reason).toBe(true);
  });
});
