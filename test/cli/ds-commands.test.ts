// The .ds commands as a user meets them: check, params, init-weights, import, run with --choose,
// compile --emit; and a language error rendered with file:line:col and a caret.
import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '../../src/formats/safetensors.js';

const root = join(import.meta.dirname, '..', '..');
const mlp = join(root, 'examples', 'mlp', 'mlp.ds');

function dsc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'dsc.js'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let tmp: string;
beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'dsc-ds-cli-')); });

describe('dsc commands on .ds models', () => {
  it('checks a model and prints its signature', () => {
    const r = dsc('check', mlp);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/ok — Mlp\(x: f32\[N, 784\]\) -> \(output: f32\[N, 10\]\), 6 parameters/);
  });

  it('lists parameters by state_dict path', () => {
    const r = dsc('params', mlp);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n').slice(0, 2)).toEqual(['fc1.weight  f32[512, 784]', 'fc1.bias    f32[512]']);
  });

  it('writes seeded weights deterministically and runs with them', () => {
    const a = join(tmp, 'a', 'w.safetensors');
    const b = join(tmp, 'b.safetensors');
    expect(dsc('init-weights', mlp, '--seed', '5', '-o', a).code).toBe(0);
    expect(dsc('init-weights', mlp, '--seed', '5', '-o', b).code).toBe(0);
    expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
    expect([...readSafetensors(readFileSync(a), a).keys()].sort()).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight', 'fc3.bias', 'fc3.weight']);
    const run = dsc('run', mlp, '--weights', a, '--input', `x=${join(root, 'test', 'fixtures', 'ds', 'mlp.input.x.npy')}`, '--out', join(tmp, 'out'));
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('output: f32[2, 10]');
  });

  it('asks for weights instead of inventing them', () => {
    const r = dsc('run', mlp, '--input', `x=${join(root, 'test', 'fixtures', 'ds', 'mlp.input.x.npy')}`, '--out', tmp);
    expect(r.code).toBe(1);
    expect(r.err).toContain('DSC4005');
    expect(r.err).toContain('pass --weights');
  });

  it('names weights that do not match the model, by path', () => {
    const w = join(tmp, 'lenet.safetensors');
    expect(dsc('init-weights', join(root, 'examples', 'lenet5', 'lenet5.ds'), '-o', w).code).toBe(0);
    const r = dsc('run', mlp, '--weights', w, '--input', `x=${join(root, 'test', 'fixtures', 'ds', 'mlp.input.x.npy')}`, '--out', tmp);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/fc1\.weight/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('imports ONNX to .ds that runs', () => {
    const ds = join(tmp, 'imported', 'lenet5.ds');
    const imp = dsc('import', join(root, 'test', 'fixtures', 'onnx', 'lenet5.onnx'), '-o', ds);
    expect(imp.code, imp.err).toBe(0);
    expect(existsSync(join(tmp, 'imported', 'lenet5.safetensors'))).toBe(true);
    const run = dsc('run', ds, '--weights', join(tmp, 'imported', 'lenet5.safetensors'), '--input', `input=${join(root, 'examples', 'lenet5', 'digit.npy')}`, '--out', join(tmp, 'imp-out'));
    expect(run.code, run.err).toBe(0);
  });

  it('renders language errors with a caret and exits 1', () => {
    const bad = join(tmp, 'bad.ds');
    writeFileSync(bad, 'import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(4, 3)\n  forward(x: f32[N, 5]) -> f32[N, 3] { return fc(x) }\n}\n');
    const r = dsc('check', bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.ds:4:\d+: error DSC5\d{3}: /);
    expect(r.err).toMatch(/\n\s+\|\s+\^+/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('emits a package without building it', () => {
    const out = join(tmp, 'pkg');
    const r = dsc('compile', mlp, '-o', out, '--emit');
    expect(r.code, r.err).toBe(0);
    for (const f of ['package.json', 'CMakeLists.txt', 'index.js', 'index.d.ts', 'README.md', 'src/model.cc', 'src/addon.cc']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'index.d.ts'), 'utf8')).toContain('x');
  });

  it('rejects a bad --choose', () => {
    const r = dsc('check', mlp, '--choose', 'nothing=3');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nothing/);
  });
});
