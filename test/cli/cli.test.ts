// The dsc command as a user meets it: real processes, exit codes, messages, no stack traces.
import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '../../src/formats/npy.js';

const root = join(import.meta.dirname, '..', '..');
const fx = join(root, 'test', 'fixtures', 'cli');

function dsc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'dsc.js'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function expectUserError(r: ReturnType<typeof dsc>, ...fragments: string[]) {
  expect(r.code, r.err).toBe(1);
  expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.err).not.toMatch(/internal error/);
  for (const f of fragments) expect(r.err).toContain(f);
}

let tmp: string;
beforeAll(() => {
  expect(existsSync(join(root, 'dist', 'dsc.js')), 'run `npm run build` first').toBe(true);
  tmp = mkdtempSync(join(tmpdir(), 'dsc-cli-'));
});

describe('dsc run', () => {
  it('runs an ONNX model and writes outputs with safe names', () => {
    const out = join(tmp, 'ok');
    const r = dsc('run', join(fx, 'tiny.onnx'), '--input', `x=${join(fx, 'x.npy')}`, '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/y:out: f32\[2, 3\] \[[-0-9.e, ]+\] ->/);
    const y = readNpy(readFileSync(join(out, 'y_out.npy')), 'y_out.npy');
    const want = readNpy(readFileSync(join(fx, 'expected_y.npy')), 'expected_y.npy');
    expect(y.shape).toEqual([2, 3]);
    for (let i = 0; i < 6; i++) expect(y.data[i]).toBeCloseTo(want.data[i] as number, 5);
  });

  it('names a wrong input', () => {
    expectUserError(dsc('run', join(fx, 'tiny.onnx'), '--input', `q=${join(fx, 'x.npy')}`, '--out', tmp), "'q' is not an input", 'inputs are: x');
  });

  it('names a missing input', () => {
    expectUserError(dsc('run', join(fx, 'tiny.onnx'), '--out', tmp), "input 'x' (f32[N, 4]) is missing");
  });

  it('names an input of the wrong shape or dtype', () => {
    expectUserError(dsc('run', join(fx, 'tiny.onnx'), '--input', `x=${join(fx, 'x_wrong_shape.npy')}`, '--out', tmp), "input 'x' has shape [2, 5]");
    expectUserError(dsc('run', join(fx, 'tiny.onnx'), '--input', `x=${join(fx, 'x_f64.npy')}`, '--out', tmp), "input 'x' has dtype f64, expected f32");
  });

  it('reports unsupported operators together, with node names', () => {
    expectUserError(dsc('run', join(fx, 'unsupported.onnx'), '--input', `x=${join(fx, 'x.npy')}`, '--out', tmp), 'DSC2001', 'Scan', 'scan_1', 'scan_2', 'StringNormalizer', 'sn_1');
  });

  it('rejects truncated and corrupt files, naming them', () => {
    const onnxBytes = readFileSync(join(fx, 'tiny.onnx'));
    const badOnnx = join(tmp, 'truncated.onnx');
    writeFileSync(badOnnx, onnxBytes.subarray(0, onnxBytes.length - 40));
    expectUserError(dsc('run', badOnnx, '--input', `x=${join(fx, 'x.npy')}`, '--out', tmp), 'truncated.onnx');

    const npyBytes = readFileSync(join(fx, 'x.npy'));
    const badNpy = join(tmp, 'truncated.npy');
    writeFileSync(badNpy, npyBytes.subarray(0, npyBytes.length - 5));
    expectUserError(dsc('run', join(fx, 'tiny.onnx'), '--input', `x=${badNpy}`, '--out', tmp), 'truncated.npy');

    const badSt = join(tmp, 'bad.safetensors');
    writeFileSync(badSt, Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    expectUserError(dsc('run', join(fx, 'tiny.onnx'), '--input', `x=${join(fx, 'x.npy')}`, '--weights', badSt, '--out', tmp), 'bad.safetensors');

    expectUserError(dsc('run', join(tmp, 'nope.onnx'), '--out', tmp), 'cannot read', 'nope.onnx', 'no such file');
  });

  it('rejects usage mistakes', () => {
    expectUserError(dsc('run'), 'expected one MODEL');
    expectUserError(dsc('run', join(fx, 'tiny.onnx'), '--bogus'), "unknown option '--bogus'");
    expectUserError(dsc('run', join(fx, 'tiny.onnx'), '--input', 'x', '--out', tmp), 'expects NAME=FILE.npy');
    expectUserError(dsc('frobnicate'), "unknown command 'frobnicate'");
    expectUserError(dsc('run', 'model.txt', '--out', tmp), "unknown model file kind '.txt'");
  });
});

describe('dsc ir', () => {
  it('prints the IR of an ONNX model, which parses back', () => {
    const r = dsc('ir', join(fx, 'tiny.onnx'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^graph @/);
    expect(r.out).toContain('%x: f32[N, 4]');
    const file = join(tmp, 'tiny.ir');
    writeFileSync(file, r.out);
    const again = dsc('ir', file);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toBe(r.out);
  });

  it('shows a code frame for IR syntax errors', () => {
    const file = join(tmp, 'bad.ir');
    writeFileSync(file, 'graph @g(%x: f33[2]) -> (f32[2]) {\n  return %x\n}\n');
    const r = dsc('ir', file);
    expectUserError(r, 'bad.ir:1:', 'DSC3001', '^');
  });
});
