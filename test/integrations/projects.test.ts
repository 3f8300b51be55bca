// The example projects of the build integrations, built and run as their READMEs say: `dsc build` on
// examples/build-project, the esbuild plugin on examples/esbuild-project and the Vite plugin on
// examples/vite-project, and the README's Quick start command. All compile the trained LeNet-5 for the
// cpu target, so the package is built once (by the first) and reused from the content-hash cache by
// the others; they run in order.
// Each project's `dsc` dependency is linked as `npm install` links a file: dependency.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const examples = join(root, 'examples');

function run(command: string, args: string[], cwd: string) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const dsc = (cwd: string, ...args: string[]) => run(process.execPath, [join(root, 'bin', 'dsc.js'), ...args], cwd);

/** What `npm install` does for the project's `"dsc": "file:../.."` dependency. */
function linkDsc(project: string): void {
  const link = join(project, 'node_modules', 'dsc');
  if (existsSync(link)) return;
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  symlinkSync(join('..', '..', '..'), link, 'dir');
}

beforeAll(() => {
  for (const f of ['dsc.js', 'esbuild.js', 'vite.js']) expect(existsSync(join(root, 'dist', f)), 'run `npm run build` first').toBe(true);
});

describe.sequential('example projects', () => {
  it('dsc build compiles every model of examples/build-project, and its program classifies the digit', () => {
    const project = join(examples, 'build-project');
    rmSync(join(project, 'packages'), { recursive: true, force: true });
    const first = dsc(project, 'build');
    expect(first.code, first.err).toBe(0);
    expect(first.err).toContain('[1/2] ../lenet5/lenet5.ds (cpu)');
    expect(first.err).toContain('[2/2] ../mlp/mlp.ds (wgsl)');
    expect(first.err).toMatch(/ {2}optimize +\d+ ms/);
    expect(first.err).toMatch(/ {2}generate kernels +\d+ ms/);
    expect(first.out).toMatch(/(built|reused) \.\.\/lenet5\/lenet5\.ds -> packages\/lenet5 \(cpu\) in [\d.]+ s/);
    expect(first.out).toMatch(/dsc build: 2 models in [\d.]+ s/);
    expect(JSON.parse(readFileSync(join(project, 'packages', 'lenet5', 'package.json'), 'utf8')).name).toBe('lenet5-digits');
    expect(existsSync(join(project, 'packages', 'lenet5', 'build', 'Release', 'dsc_model.node'))).toBe(true);
    expect(existsSync(join(project, 'packages', 'lenet5', 'build', 'CMakeFiles'))).toBe(false);
    expect(existsSync(join(project, 'packages', 'mlp', 'browser.js'))).toBe(true);

    const second = dsc(project, 'build');
    expect(second.code, second.err).toBe(0);
    expect(second.out).toContain('reused ../lenet5/lenet5.ds -> packages/lenet5 (cpu)');
    expect(second.out).toContain('reused ../mlp/mlp.ds -> packages/mlp (wgsl)');
    expect(second.err).not.toContain('native build');

    const program = run(process.execPath, ['main.mjs'], project);
    expect(program.code, program.err).toBe(0);
    expect(program.out).toMatch(/^predicted class 7 \(p 0\.9\d+\)$/m);
  }, 900_000);

  it("the README's Quick start command prints the predicted class of the held-out digit", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const command = /```sh\nnpm ci && (node bin\/dsc\.js run [^\n]+)\n/.exec(readme)?.[1];
    expect(command, 'the Quick start block starts with `npm ci && node bin/dsc.js run ...`').toBeDefined();
    const args = command!.split(/\s+/).slice(2);
    expect(args).toContain('cpu');
    const r = dsc(root, ...args);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^ {2}top class: 7 \(p 0\.9\d+\)$/m);
  }, 900_000);

  it('the esbuild plugin bundles examples/esbuild-project, whose bundle classifies the digit', () => {
    const project = join(examples, 'esbuild-project');
    linkDsc(project);
    rmSync(join(project, 'dist'), { recursive: true, force: true });
    const build = run(process.execPath, ['build.mjs'], project);
    expect(build.code, build.err).toBe(0);
    expect(existsSync(join(project, 'dist', 'main.js'))).toBe(true);
    const program = run(process.execPath, ['dist/main.js'], project);
    expect(program.code, program.err).toBe(0);
    expect(program.out).toMatch(/^LeNet5: predicted class 7 \(p 0\.9\d+\)$/m);
  }, 900_000);

  it('the Vite plugin builds examples/vite-project, whose bundle classifies the digit', () => {
    const project = join(examples, 'vite-project');
    linkDsc(project);
    rmSync(join(project, 'dist'), { recursive: true, force: true });
    const build = run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], project);
    expect(build.code, build.out + build.err).toBe(0);
    const program = run(process.execPath, ['dist/main.js'], project);
    expect(program.code, program.err).toBe(0);
    expect(program.out).toMatch(/^LeNet5: predicted class 7 \(p 0\.9\d+\)$/m);
  }, 900_000);
});

describe('example projects in TypeScript', () => {
  it.each(['esbuild-project', 'vite-project'])('%s type-checks with tsc (strict): the model import is typed', (name) => {
    const r = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], join(examples, name));
    expect(r.code, r.out + r.err).toBe(0);
  }, 120_000);
});

describe('dsc build with mistakes', () => {
  const GOOD = 'import { Linear } from "std/nn"\n\nmodel Good {\n  fc = Linear(4, 3)\n  forward(x: f32[N, 4]) -> f32[N, 3] {\n    return relu(fc(x))\n  }\n}\n';
  const BAD_NAME = GOOD.replace('Good', 'BadName').replace('fc(x)', 'fc(y)');
  const BAD_SHAPE = GOOD.replace('Good', 'BadShape').replace('Linear(4, 3)', 'Linear(5, 3)');

  it('attempts every model, prints every diagnostic with its location and exits 1', () => {
    const project = mkdtempSync(join(tmpdir(), 'dsc-build-bad-'));
    writeFileSync(join(project, 'bad_name.ds'), BAD_NAME);
    writeFileSync(join(project, 'good.ds'), GOOD);
    writeFileSync(join(project, 'bad_shape.ds'), BAD_SHAPE);
    writeFileSync(join(project, 'dsc.config.json'), JSON.stringify({ target: 'wgsl', models: [{ model: 'bad_name.ds' }, { model: 'good.ds', out: 'web/good' }, { model: 'bad_shape.ds' }] }));
    const r = dsc(project, 'build');
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.err).toMatch(/bad_name\.ds:6:20: error DSC5011: unknown name 'y'/);
    expect(r.err).toContain('    return relu(fc(y))');
    expect(r.err).toMatch(/bad_shape\.ds:\d+:\d+: error DSC\d+/);
    expect(r.err).toContain('[3/3] bad_shape.ds (wgsl)');
    expect(r.err).toContain('dsc build: 2 of 3 models failed');
    expect(r.out).toMatch(/(built|reused) good\.ds -> \S*web\/good \(wgsl\)/);
    expect(existsSync(join(project, 'web', 'good', 'browser.js'))).toBe(true);
  }, 120_000);

  it('reads the "dsc" field of package.json, and names a project without one', () => {
    const project = mkdtempSync(join(tmpdir(), 'dsc-build-pkg-'));
    writeFileSync(join(project, 'good.ds'), GOOD);
    const onnx = join(root, 'test', 'fixtures', 'cli', 'tiny.onnx');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'p', dsc: { target: 'wgsl', outDir: 'models', models: [{ model: 'good.ds' }, { model: onnx }] } }));
    const r = dsc(project, 'build');
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(project, 'models', 'good', 'index.js'))).toBe(true);
    expect(existsSync(join(project, 'models', 'good', 'weights.safetensors'))).toBe(false);
    // an ONNX model carries its weights; its package gets them as dsc compile writes them
    expect(existsSync(join(project, 'models', 'tiny', 'weights.safetensors'))).toBe(true);

    const empty = mkdtempSync(join(tmpdir(), 'dsc-build-none-'));
    const none = dsc(empty, 'build');
    expect(none.code).toBe(1);
    expect(none.err).toContain('DSC9004');
    expect(none.err).toContain('declares no models');
  }, 120_000);

  it('will not replace the project or a folder of other files with a package', () => {
    const project = mkdtempSync(join(tmpdir(), 'dsc-build-out-'));
    writeFileSync(join(project, 'good.ds'), GOOD);
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src', 'keep.ts'), 'export {};\n');
    for (const out of ['.', 'src']) {
      writeFileSync(join(project, 'dsc.config.json'), JSON.stringify({ target: 'wgsl', models: [{ model: 'good.ds', out }] }));
      const r = dsc(project, 'build');
      expect(r.code, out).toBe(1);
      expect(r.err).toContain('give it a folder of its own');
    }
    expect(existsSync(join(project, 'src', 'keep.ts'))).toBe(true);
    expect(existsSync(join(project, 'good.ds'))).toBe(true);
  });

  it('names a config mistake by key', () => {
    const project = mkdtempSync(join(tmpdir(), 'dsc-build-key-'));
    writeFileSync(join(project, 'dsc.config.json'), JSON.stringify({ models: [{ model: 'a.ds', taget: 'cpu' }] }));
    const r = dsc(project, 'build');
    expect(r.code).toBe(1);
    expect(r.err).toContain('models[0]: unknown key "taget"');
  });
});
