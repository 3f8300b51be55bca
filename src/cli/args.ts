// A small, strict command-line parser: unknown flags and missing values are usage errors.
import { diag } from '../diag/diagnostic.js';
import { closestName } from '../frontend/ds/values.js';

export interface FlagSpec {
  /** takes a value (`--out DIR` or `--out=DIR`) */
  value?: boolean;
  /** may be given several times; values collected in order */
  repeat?: boolean;
  short?: string;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

export function parseArgs(argv: readonly string[], spec: Record<string, FlagSpec>, command: string): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([k, s]) => [s.short!, k]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    } else if (a.startsWith('-') && a.length > 1) {
      name = byShort.get(a.slice(1));
      // `-O1`: a one-letter option with its value attached
      if (!name && byShort.has(a[1]) && spec[byShort.get(a[1])!].value) { name = byShort.get(a[1]); inline = a.slice(2); }
      if (!name) throw diag('DSC9001', `dsc ${command}: unknown option '${a}' (see 'dsc ${command} --help')`);
    } else {
      positional.push(a);
      continue;
    }
    const s = spec[name];
    if (!s) {
      const guess = closestName(name, Object.keys(spec).filter((k) => k.length > 1));
      throw diag('DSC9001', `dsc ${command}: unknown option '--${name}'${guess ? `; did you mean '--${guess}'?` : ''} (see 'dsc ${command} --help')`);
    }
    let v = 'true';
    if (s.value) {
      if (inline !== undefined) v = inline;
      else if (i + 1 < argv.length) v = argv[++i];
      else throw diag('DSC9001', `dsc ${command}: option '--${name}' needs a value`);
    } else if (inline !== undefined) throw diag('DSC9001', `dsc ${command}: option '--${name}' takes no value`);
    const list = flags.get(name) ?? [];
    if (list.length && !s.repeat) throw diag('DSC9001', `dsc ${command}: option '--${name}' given twice`);
    list.push(v);
    flags.set(name, list);
  }
  return { positional, flags };
}

/** Whether the arguments ask for a command's help: `--help` or `-h` before any `--`. */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
