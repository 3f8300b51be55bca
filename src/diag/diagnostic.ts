// Diagnostics: every user-facing error has a stable code from CATALOG, a message, and where
// possible a location (file, line, column, span) rendered with a code frame and a caret.
import { CATALOG, DiagCode } from './catalog.js';

export interface SourceLoc {
  file: string;
  /** 1-based */
  line?: number;
  col?: number;
  /** length of the span on that line, for the caret */
  length?: number;
}

export interface Note { message: string; loc?: SourceLoc }

export class Diagnostic {
  constructor(
    readonly code: DiagCode,
    readonly message: string,
    readonly loc?: SourceLoc,
    readonly notes: Note[] = [],
  ) {}
  get severity() { return CATALOG[this.code].severity; }
}

/** An exception carrying one or more diagnostics; the CLI prints them and exits 1. */
export class DiagnosticError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diags: Diagnostic | Diagnostic[]) {
    const list = Array.isArray(diags) ? diags : [diags];
    super(list.map((d) => `${d.code}: ${d.message}`).join('\n'));
    this.name = 'DiagnosticError';
    this.diagnostics = list;
  }
}

export function diag(code: DiagCode, message: string, loc?: SourceLoc, notes: Note[] = []): DiagnosticError {
  return new DiagnosticError(new Diagnostic(code, message, loc, notes));
}

/** Render as `file:line:col: error DSC1234: message` plus a code frame when the source is given. */
export function formatDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, string> = new Map()): string {
  const sev = d.severity;
  const where = d.loc ? `${d.loc.file}${d.loc.line ? `:${d.loc.line}:${d.loc.col ?? 1}` : ''}: ` : '';
  let out = `${where}${sev} ${d.code}: ${d.message}`;
  if (d.loc?.line) out += codeFrame(d.loc, sources.get(d.loc.file));
  for (const n of d.notes) {
    const nw = n.loc ? `${n.loc.file}${n.loc.line ? `:${n.loc.line}:${n.loc.col ?? 1}` : ''}: ` : '';
    out += `\n  ${nw}note: ${n.message}`;
    if (n.loc?.line) out += codeFrame(n.loc, sources.get(n.loc.file)).replace(/\n/g, '\n  ');
  }
  return out;
}

function codeFrame(loc: SourceLoc, source: string | undefined): string {
  if (source === undefined || !loc.line) return '';
  const lines = source.split(/\r?\n/);
  const text = lines[loc.line - 1];
  if (text === undefined) return '';
  const num = String(loc.line);
  const pad = ' '.repeat(num.length);
  const col = Math.max(1, loc.col ?? 1);
  const len = Math.max(1, Math.min(loc.length ?? 1, Math.max(1, text.length - col + 1)));
  return `\n ${num} | ${text}\n ${pad} | ${' '.repeat(col - 1)}${'^'.repeat(len)}`;
}
