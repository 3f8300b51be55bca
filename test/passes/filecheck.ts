// A small FileCheck: checks printed IR against directive lines, so pass tests state what must
// (and must not) appear without depending on value numbering.
//
//   CHECK: text       the next line at or after the previous match that contains text
//   CHECK-NEXT: text  the line right after the previous match contains text
//   CHECK-NOT: text   no line between the previous match and the next one (or the end) contains text
//
// Text is literal except `{{re}}` (a regular expression), `[[NAME:re]]` (matches re and binds
// NAME to what it matched) and `[[NAME]]` (exactly what NAME was bound to). Directives are read
// from any line of the checks text containing `CHECK`, with anything before the directive (such
// as `//`) ignored, so checks can live as comments in the IR text they test.

interface Directive {
  kind: 'CHECK' | 'CHECK-NEXT' | 'CHECK-NOT';
  pattern: string;
  /** line in the checks text, for messages */
  line: number;
}

export function parseDirectives(checks: string): Directive[] {
  const out: Directive[] = [];
  checks.split('\n').forEach((text, i) => {
    const m = /\b(CHECK(?:-NEXT|-NOT)?):(.*)$/.exec(text);
    if (m) out.push({ kind: m[1] as Directive['kind'], pattern: m[2].trim(), line: i + 1 });
    else if (/\bCHECK\b/.test(text)) throw new Error(`filecheck: line ${i + 1} looks like a directive but is not one: ${text.trim()}`);
  });
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pattern as a regular expression under the current bindings; new bindings become named groups. */
function compile(pattern: string, vars: ReadonlyMap<string, string>): { re: RegExp; binds: string[] } {
  let src = '';
  const binds: string[] = [];
  let i = 0;
  while (i < pattern.length) {
    if (pattern.startsWith('{{', i)) {
      const end = pattern.indexOf('}}', i + 2);
      if (end < 0) throw new Error(`filecheck: unclosed {{ in '${pattern}'`);
      src += `(?:${pattern.slice(i + 2, end)})`;
      i = end + 2;
    } else if (pattern.startsWith('[[', i)) {
      const end = pattern.indexOf(']]', i + 2);
      if (end < 0) throw new Error(`filecheck: unclosed [[ in '${pattern}'`);
      const body = pattern.slice(i + 2, end);
      const colon = body.indexOf(':');
      if (colon >= 0) {
        const name = body.slice(0, colon);
        binds.push(name);
        src += `(?<${name}>${body.slice(colon + 1)})`;
      } else {
        const bound = vars.get(body);
        if (bound === undefined) throw new Error(`filecheck: [[${body}]] is used before it is bound in '${pattern}'`);
        src += escapeRegExp(bound);
      }
      i = end + 2;
    } else {
      const next = [pattern.indexOf('{{', i), pattern.indexOf('[[', i)].filter((k) => k >= 0);
      const end = next.length ? Math.min(...next) : pattern.length;
      src += escapeRegExp(pattern.slice(i, end));
      i = end;
    }
  }
  return { re: new RegExp(src), binds };
}

/** Throws an Error describing the first directive that fails. */
export function filecheck(output: string, checks: string): void {
  const directives = parseDirectives(checks);
  if (directives.length === 0) throw new Error('filecheck: no CHECK directives, so nothing would be checked');
  const lines = output.replace(/\n$/, '').split('\n');
  const vars = new Map<string, string>();
  const numbered = () => lines.map((l, i) => `${String(i + 1).padStart(4)} | ${l}`).join('\n');
  const fail = (d: Directive, why: string): never => {
    throw new Error(`filecheck: ${d.kind}: ${d.pattern} (checks line ${d.line})\n${why}\noutput:\n${numbered()}`);
  };
  let last = -1;
  let nots: Directive[] = [];
  const checkNots = (from: number, to: number) => {
    for (const d of nots) {
      const { re } = compile(d.pattern, vars);
      for (let i = from; i < to; i++) if (re.test(lines[i])) fail(d, `it occurs on output line ${i + 1}`);
    }
    nots = [];
  };
  for (const d of directives) {
    if (d.kind === 'CHECK-NOT') { nots.push(d); continue; }
    const { re, binds } = compile(d.pattern, vars);
    const candidates = d.kind === 'CHECK-NEXT' ? [last + 1] : lines.map((_, i) => i).slice(last + 1);
    const at = candidates.find((i) => i < lines.length && re.test(lines[i]));
    if (at === undefined) fail(d, d.kind === 'CHECK-NEXT' ? `output line ${last + 2} does not match` : `no match after output line ${last + 1}`);
    checkNots(last + 1, at!);
    const groups = re.exec(lines[at!])!.groups ?? {};
    for (const name of binds) vars.set(name, groups[name]);
    last = at!;
  }
  checkNots(last + 1, lines.length);
}
