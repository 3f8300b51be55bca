// AST snapshots: JSON with each span shortened to `line:col-endLine:endCol` so a snapshot diff reads as source positions.
import type { Span } from '../../../src/frontend/ds/ast.js';

function isSpan(v: unknown): v is Span {
  return typeof v === 'object' && v !== null && 'offset' in v && 'endCol' in v;
}

export function astJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (isSpan(v) ? `${v.line}:${v.col}-${v.endLine}:${v.endCol}` : v), 2) + '\n';
}

/** The same tree without spans, for small inline expectations. */
export function withoutSpans(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'span' ? undefined : v)));
}
