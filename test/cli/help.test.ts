// Help and mistyped names: every command prints its help for --help and -h, and an unknown command
// or option gets the closest known name as a suggestion.
import { describe, expect, it } from 'vitest';
import { HELP, main } from '../../src/cli/main.js';

async function dsc(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const COMMANDS = Object.keys(HELP).filter((c) => c !== '');

describe('dsc COMMAND --help', () => {
  it('knows the commands the overview lists', () => {
    expect(COMMANDS).toEqual(expect.arrayContaining(['compile', 'run', 'check', 'params', 'import', 'ir', 'report', 'graph']));
    for (const c of COMMANDS) expect(HELP[''], c).toContain(`  ${c}`);
  });

  it.each(COMMANDS)('%s --help and -h print its help and exit 0', async (command) => {
    for (const flag of ['--help', '-h']) {
      const r = await dsc(command, flag);
      expect(r.err, `${command} ${flag}`).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toBe(HELP[command]);
      expect(r.out).toMatch(new RegExp(`^usage: dsc ${command}\\b`));
    }
  });

  it('wins over other arguments and missing required ones', async () => {
    const r = await dsc('run', 'model.ds', '--input', 'x=a.npy', '-h');
    expect(r.code).toBe(0);
    expect(r.out).toBe(HELP.run);
  });

  it('is an argument, not a request, after --', async () => {
    const r = await dsc('check', '--', '--help');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
  });
});

describe('did you mean', () => {
  it('suggests the closest command', async () => {
    const r = await dsc('compiel', 'model.ds');
    expect(r.code).toBe(1);
    expect(r.err).toContain("unknown command 'compiel'; did you mean 'compile'?");
    expect((await dsc('parms')).err).toContain("did you mean 'params'?");
    expect((await dsc('help', 'improt')).err).toContain("did you mean 'import'?");
  });

  it('lists the commands when nothing is close', async () => {
    const r = await dsc('frobnicate');
    expect(r.code).toBe(1);
    expect(r.err).not.toContain('did you mean');
    expect(r.err).toContain('commands: ');
  });

  it('suggests the closest option of the command', async () => {
    const r = await dsc('run', 'model.ds', '--iput', 'x=a.npy');
    expect(r.code).toBe(1);
    expect(r.err).toContain("dsc run: unknown option '--iput'; did you mean '--input'?");
    expect((await dsc('compile', 'model.ds', '--taget', 'cpu')).err).toContain("did you mean '--target'?");
    expect((await dsc('ir', 'model.ds', '--print-after-al')).err).toContain("did you mean '--print-after-all'?");
  });

  it('does not suggest a name that is far away', async () => {
    const r = await dsc('run', 'model.ds', '--zzzzzz');
    expect(r.code).toBe(1);
    expect(r.err).toContain("unknown option '--zzzzzz'");
    expect(r.err).not.toContain('did you mean');
  });
});
