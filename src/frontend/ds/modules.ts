// Loading .ds files and resolving their imports: "std/..." names the standard library (std/*.ds at
// the repository root, found from this file's location, which works from src/ and from the bundle in
// dist/), any other string is a path relative to the importing file. Every file read is kept in
// `sources` so diagnostics can show code frames.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Diagnostic } from '../../diag/diagnostic.js';
import type { Decl, DsModule, Span } from './ast.js';
import { parseDs } from './parse.js';
import { closestName, type Val } from './values.js';

export interface DsModuleInfo {
  file: string;
  ast: DsModule;
  /** declarations of this file by name */
  decls: Map<string, Decl>;
  /** every name visible at the top level of this file: its declarations and its imports */
  scope: Map<string, Val>;
}

let stdRootCache: string | undefined;

/** The folder holding std/nn.ds: the nearest ancestor of this module's folder that has one. */
export function stdRoot(): string {
  if (stdRootCache !== undefined) return stdRootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'std', 'nn.ds'))) return (stdRootCache = join(dir, 'std'));
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`internal error: std/nn.ds is not in any folder above ${dirname(fileURLToPath(import.meta.url))}`);
    dir = parent;
  }
}

function spanLoc(span: Span) {
  return { file: span.file, line: span.line, col: span.col, length: span.endLine === span.line ? Math.max(1, span.endCol - span.col) : 1 };
}

/**
 * Parsing is pure, so a module seen before with the same text is not parsed again (std/nn.ds is
 * imported by almost every compile). Bounded so a long-lived process editing files stays small.
 */
const parseCache = new Map<string, ReturnType<typeof parseDs>>();
const PARSE_CACHE_LIMIT = 64;

function parseCached(text: string, file: string): ReturnType<typeof parseDs> {
  const key = `${file}\0${text}`;
  let parsed = parseCache.get(key);
  if (!parsed) {
    if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.clear();
    parsed = parseDs(text, file);
    parseCache.set(key, parsed);
  }
  return parsed;
}

export class ModuleLoader {
  readonly modules = new Map<string, DsModuleInfo>();
  readonly diagnostics: Diagnostic[] = [];
  private loading: string[] = [];

  constructor(readonly sources: Map<string, string>, private readonly given: ReadonlyMap<string, string>) {}

  private read(file: string): string | undefined {
    const text = this.given.get(file) ?? this.sources.get(file);
    if (text !== undefined) { this.sources.set(file, text); return text; }
    try {
      const read = readFileSync(file, 'utf8');
      this.sources.set(file, read);
      return read;
    } catch {
      return undefined;
    }
  }

  /** Parse a file and, recursively, the files it imports. Undefined when the file cannot be read. */
  load(file: string, source?: string): DsModuleInfo | undefined {
    const known = this.modules.get(file);
    if (known) return known;
    const text = source ?? this.read(file);
    if (text === undefined) return undefined;
    if (source !== undefined) this.sources.set(file, source);
    const parsed = parseCached(text, file);
    this.diagnostics.push(...parsed.diagnostics);
    const info: DsModuleInfo = { file, ast: parsed.ast, decls: new Map(), scope: new Map() };
    this.modules.set(file, info);
    this.loading.push(file);
    this.resolveImports(info);
    this.loading.pop();
    for (const decl of parsed.ast.decls) {
      const name = decl.name.name;
      const earlier = info.decls.get(name);
      if (earlier) {
        this.diagnostics.push(new Diagnostic('DSC5012', `'${name}' is declared twice in this file`, spanLoc(decl.name.span), [
          { message: `the first '${name}'`, loc: spanLoc(earlier.name.span) },
        ]));
        continue;
      }
      info.decls.set(name, decl);
      info.scope.set(name, decl.kind === 'block' ? { k: 'block', decl, module: info } : { k: 'extern', decl, module: info });
    }
    return info;
  }

  private resolveImports(info: DsModuleInfo): void {
    for (const imp of info.ast.imports) {
      const spec = imp.from.value;
      const target = spec.startsWith('std/')
        ? join(stdRoot(), `${spec.slice(4)}.ds`)
        : resolve(dirname(info.file), extname(spec) === '.ds' ? spec : `${spec}.ds`);
      const at = spanLoc(imp.from.span);
      if (this.loading.includes(target)) {
        const chain = [...this.loading.slice(this.loading.indexOf(target)), target].join(' -> ');
        this.diagnostics.push(new Diagnostic('DSC5008', `import cycle: ${chain}`, at));
        continue;
      }
      const mod = this.load(target);
      if (!mod) {
        const what = spec.startsWith('std/') ? `the standard library has no module '${spec}'` : `cannot read '${spec}' (looked for ${target})`;
        this.diagnostics.push(new Diagnostic('DSC5007', what, at));
        continue;
      }
      for (const name of imp.names) {
        const decl = mod.decls.get(name.name);
        if (!decl) {
          const available = [...mod.decls.keys()].sort();
          const guess = closestName(name.name, available);
          this.diagnostics.push(new Diagnostic('DSC5009', `'${spec}' has no declaration '${name.name}'${guess ? `; did you mean '${guess}'?` : ''}`, spanLoc(name.span), [
            { message: `'${spec}' declares: ${available.join(', ') || '(nothing)'}` },
          ]));
          continue;
        }
        info.scope.set(name.name, decl.kind === 'block' ? { k: 'block', decl, module: mod } : { k: 'extern', decl, module: mod });
      }
    }
  }
}

export { spanLoc };
