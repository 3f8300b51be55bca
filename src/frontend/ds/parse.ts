// The .ds front door: source text → AST plus every lexical and syntax diagnostic (sorted by
// position). It never throws for bad input; a caller stops before checking if any error was reported.
import type { Diagnostic } from '../../diag/diagnostic.js';
import type { DsModule } from './ast.js';
import { AstBuilder } from './cst-to-ast.js';
import { DsParser } from './parser.js';
import { lexerDiagnostics, SyntaxErrorReporter } from './syntax-errors.js';
import { dsLexer } from './tokens.js';

/** Building a chevrotain parser analyses the whole grammar, so one instance serves every parse. */
let sharedParser: DsParser | undefined;

export interface DsParseResult { ast: DsModule; diagnostics: Diagnostic[] }

export function parseDs(source: string, file: string): DsParseResult {
  const lexed = dsLexer.tokenize(source);
  const diagnostics = lexerDiagnostics(lexed, source, file);
  sharedParser ??= new DsParser();
  const cst = sharedParser.parseModule(lexed.tokens);
  diagnostics.push(...new SyntaxErrorReporter(lexed.tokens, cst, file, lexed.errors.map((e) => e.offset)).report(sharedParser.errors));
  const ast = new AstBuilder(file, diagnostics).module(cst, source);
  diagnostics.sort((a, b) => (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0));
  return { ast, diagnostics };
}
