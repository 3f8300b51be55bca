// `dsc ir` with passes: the pass list and -O levels come from the pass registry.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const tiny = join(root, 'test', 'fixtures', 'cli', 'tiny.onnx');

function dsc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'dsc.js'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('dsc ir with passes', () => {
  it('prints the IR after every pass', () => {
    const r = dsc('ir', tiny, '--passes', 'cse,dce', '--print-after-all');
    expect(r.code, r.err).toBe(0);
    expect(r.out.match(/^\/\/ ----- IR after (\w+) -----$/gm)).toEqual(['// ----- IR after cse -----', '// ----- IR after dce -----']);
  });

  it('runs the -O1 pipeline', () => {
    const r = dsc('ir', tiny, '-O1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('%"y:out" = relu(%z)');
  });

  it('rejects unknown passes and levels', () => {
    const bad = dsc('ir', tiny, '--passes', 'bogus');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("DSC9003: unknown pass 'bogus'; passes: ");
    const lvl = dsc('ir', tiny, '-O7');
    expect(lvl.code).toBe(1);
    expect(lvl.err).toContain("-O expects 0, 1 or 2, got '7'");
  });
});
