// Shared assertion for the format tests: malformed input may only end in a DiagnosticError that names the file.
import { expect } from 'vitest';
import { DiagnosticError } from '../../src/diag/diagnostic.js';

/** Runs `read`; returns the DiagnosticError it threw (or undefined), failing on any other exception. */
export function diagnosticOf(read: () => unknown, file: string): DiagnosticError | undefined {
  try {
    read();
    return undefined;
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw new Error(`expected a DiagnosticError, got ${String(e)}`);
    expect(e.message).toContain(file);
    return e;
  }
}

/** Runs `read`, which must throw a DiagnosticError with `code` whose message names the file; returns the message. */
export function expectDiagnostic(read: () => unknown, file: string, code: string): string {
  const e = diagnosticOf(read, file);
  if (!e) throw new Error('expected a DiagnosticError, nothing was thrown');
  expect(e.diagnostics[0].code).toBe(code);
  return e.diagnostics[0].message;
}
