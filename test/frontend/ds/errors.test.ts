// Syntax errors as the user sees them: the exact rendered diagnostic, code frame and caret included.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diag/diagnostic.js';
import { parseDs } from '../../../src/frontend/ds/parse.js';

function render(source: string): string {
  const { diagnostics } = parseDs(source, 'net.ds');
  return diagnostics.map((d) => formatDiagnostic(d, new Map([['net.ds', source]]))).join('\n');
}

describe('syntax errors', () => {
  it('points a call missing its ) at the end of its line, with a note at the (', () => {
    expect(render('model M {\n  conv1 = Conv2d(3, 64\n  bn1 = BatchNorm2d(64)\n}')).toBe([
      "net.ds:2:23: error DSC5002: expected ')' to close the call to Conv2d, found 'bn1'",
      ' 2 |   conv1 = Conv2d(3, 64',
      '   |                       ^',
      "  net.ds:2:17: note: the '(' that is not closed",
      '   2 |   conv1 = Conv2d(3, 64',
      '     |                 ^',
    ].join('\n'));
  });

  it('asks for a comma between arguments on one line', () => {
    expect(render('model M {\n  conv1 = Conv2d(3 64)\n}')).toBe([
      "net.ds:2:20: error DSC5002: expected ',' or ')' in the call to Conv2d, found '64'",
      ' 2 |   conv1 = Conv2d(3 64)',
      '   |                    ^^',
      "  net.ds:2:17: note: the '(' that is not closed",
      '   2 |   conv1 = Conv2d(3 64)',
      '     |                 ^',
    ].join('\n'));
  });

  it('asks for an argument after a comma', () => {
    expect(render('model M { c = Conv2d(a,, 3) }')).toBe([
      "net.ds:1:24: error DSC5002: expected an argument or ')' in the call to Conv2d, found ','",
      ' 1 | model M { c = Conv2d(a,, 3) }',
      '   |                        ^',
      "  net.ds:1:21: note: the '(' that is not closed",
      ' 1 | model M { c = Conv2d(a,, 3) }'.replace(/^/, '  '),
      '     |                     ^',
    ].join('\n'));
  });

  it('reports a stray } after the last declaration', () => {
    expect(render('model M { a = 1 }\n}')).toBe([
      "net.ds:2:1: error DSC5002: unexpected '}'",
      ' 2 | }',
      '   | ^',
    ].join('\n'));
  });

  it('says what a block body may hold when a statement appears there', () => {
    expect(render('block B(c: int) {\n  let x = c\n}')).toBe([
      "net.ds:2:3: error DSC5002: expected a member or '}' in block B, found 'let'",
      ' 2 |   let x = c',
      '   |   ^^^',
      "  note: a member is 'name = value', 'param name: type' or a method 'name(params) -> type { ... }'",
    ].join('\n'));
  });

  it('asks for the : and type of a parameter', () => {
    expect(render('block B(cin int) {}')).toBe([
      "net.ds:1:13: error DSC5002: expected ':' and a type after the parameter name, found 'int'",
      ' 1 | block B(cin int) {}',
      '   |             ^^^',
    ].join('\n'));
  });

  it('names the unclosed shape of a tensor type', () => {
    expect(render('model M {\n  f(x: f32[N, C) -> f32[N] { return x }\n}')).toBe([
      "net.ds:2:16: error DSC5002: expected ',' or ']' in the shape of f32[...], found ')'",
      ' 2 |   f(x: f32[N, C) -> f32[N] { return x }',
      '   |                ^',
      "  net.ds:2:11: note: the '[' that is not closed",
      '   2 |   f(x: f32[N, C) -> f32[N] { return x }',
      '     |           ^',
    ].join('\n'));
  });

  it('points a missing expression at the end of the line that lacks it', () => {
    expect(render('model M {\n  forward(x: f32[N]) -> f32[N] {\n    let y =\n    return y\n  }\n}')).toBe([
      "net.ds:3:12: error DSC5002: expected an expression, found 'return'",
      ' 3 |     let y =',
      '   |            ^',
    ].join('\n'));
  });

  it('rejects an expression used as a statement', () => {
    expect(render('model M {\n  f(x: f32[N]) -> f32[N] {\n    x + 1\n    return x\n  }\n}')).toBe([
      "net.ds:3:7: error DSC5002: expected '=' after 'x' (an expression alone is not a statement), found '+'",
      ' 3 |     x + 1',
      '   |       ^',
    ].join('\n'));
  });

  it('asks for from and a path in an import', () => {
    expect(render('import { Linear } "std/nn"')).toBe([
      `net.ds:1:19: error DSC5002: expected 'from' and a module path after the imported names, found the string "std/nn"`,
      ' 1 | import { Linear } "std/nn"',
      '   |                   ^^^^^^^^',
    ].join('\n'));
  });

  it('says the file ended inside a call', () => {
    expect(render('model M {\n  a = f(x,\n')).toBe([
      "net.ds:2:11: error DSC5002: expected ')' to close the call to f, found the end of the file",
      ' 2 |   a = f(x,',
      '   |           ^',
      "  net.ds:2:8: note: the '(' that is not closed",
      '   2 |   a = f(x,',
      '     |        ^',
    ].join('\n'));
  });

  it('asks for if or { after else', () => {
    expect(render('model M {\n  f(x: f32[N]) -> f32[N] {\n    if c { return x } else return x\n  }\n}')).toBe([
      "net.ds:3:28: error DSC5002: expected 'if' or '{' after 'else', found 'return'",
      ' 3 |     if c { return x } else return x',
      '   |                            ^^^^^^',
    ].join('\n'));
  });

  it('wants at least one option in choose', () => {
    expect(render('block B(c: int) { k = choose() }')).toBe([
      "net.ds:1:30: error DSC5002: expected an expression, found ')'",
      ' 1 | block B(c: int) { k = choose() }',
      '   |                              ^',
    ].join('\n'));
  });

  it('wants a file path for each kernel of an extern op', () => {
    expect(render('extern op sw(x: f32[..S]) -> f32[..S] {\n  cpu 3\n}')).toBe([
      "net.ds:2:7: error DSC5002: expected the kernel's file path as a string after the target name, found '3'",
      ' 2 |   cpu 3',
      '   |       ^',
    ].join('\n'));
  });

  it('reports a character the language does not use, once, without an echo from the parser', () => {
    expect(render('model M { b = # }')).toBe([
      "net.ds:1:15: error DSC5001: unexpected character '#'",
      ' 1 | model M { b = # }',
      '   |               ^',
    ].join('\n'));
  });

  it('reports single quotes and parses on', () => {
    expect(render("model M { a = 'x' b = (1 }")).toBe([
      `net.ds:1:15: error DSC5001: unexpected character "'": strings are written in double quotes`,
      " 1 | model M { a = 'x' b = (1 }",
      '   |               ^^^',
      "net.ds:1:26: error DSC5002: expected ',' or ')' in the parenthesized expression, found '}'",
      " 1 | model M { a = 'x' b = (1 }",
      '   |                          ^',
      "  net.ds:1:23: note: the '(' that is not closed",
      "   1 | model M { a = 'x' b = (1 }",
      '     |                       ^',
    ].join('\n'));
  });

  it('reports an unterminated string, a bad escape and an unterminated comment', () => {
    expect(render('model M {\n  a = "abc\n  b = "x\\q"\n}\n/* open')).toBe([
      `net.ds:2:7: error DSC5003: unterminated string literal: a string ends with '"' on the same line`,
      ' 2 |   a = "abc',
      '   |       ^^^^',
      "net.ds:3:9: error DSC5005: unknown escape sequence '\\q' in a string (known: \\\" \\\\ \\n \\t \\r)",
      ' 3 |   b = "x\\q"',
      '   |         ^^',
      "net.ds:5:1: error DSC5004: unterminated block comment: '/*' has no matching '*/'",
      ' 5 | /* open',
      '   | ^^',
    ].join('\n'));
  });

  it('requires integer dimension literals', () => {
    expect(render('model M { param w: f32[2.5, 3] }')).toBe([
      'net.ds:1:24: error DSC5006: a dimension must be a non-negative integer, not 2.5',
      ' 1 | model M { param w: f32[2.5, 3] }',
      '   |                        ^^^',
    ].join('\n'));
  });

  it('names the arguments of an annotation', () => {
    expect(render('model M {\n  @precision(f16 a = 1\n}')).toBe([
      "net.ds:2:18: error DSC5002: expected ',' or ')' in the arguments of @precision, found 'a'",
      ' 2 |   @precision(f16 a = 1',
      '   |                  ^',
      "  net.ds:2:13: note: the '(' that is not closed",
      '   2 |   @precision(f16 a = 1',
      '     |             ^',
    ].join('\n'));
  });
});

describe('recovery: one parse reports every independent error', () => {
  it('reports five errors in five places of one file, in source order', () => {
    const source = [
      'import { Linear } "std/nn"',
      'block B(a: int) {',
      '  c = Conv2d(a,, 3)',
      '  d = [1 2]',
      '  forward(x: f32[N) -> f32[N] {',
      '    let y = x +',
      '    return y',
      '  }',
      '}',
      'model M {',
      '  b = B(1',
      '}',
    ].join('\n');
    const { diagnostics } = parseDs(source, 'net.ds');
    expect(diagnostics.map((d) => `${d.loc?.line}:${d.loc?.col} ${d.code} ${d.message}`)).toEqual([
      `1:19 DSC5002 expected 'from' and a module path after the imported names, found the string "std/nn"`,
      "3:16 DSC5002 expected an argument or ')' in the call to Conv2d, found ','",
      "4:10 DSC5002 expected ',' or ']' in the list, found '2'",
      "5:19 DSC5002 expected ',' or ']' in the shape of f32[...], found ')'",
      "6:16 DSC5002 expected an expression, found 'return'",
      "11:10 DSC5002 expected ')' to close the call to B, found '}'",
    ]);
  });

  it('keeps parsing the declarations after a broken one', () => {
    const { ast, diagnostics } = parseDs('block A(x: int) {\n  a = f(\n}\nmodel M {\n  b = 1\n}', 'net.ds');
    expect(diagnostics.map((d) => d.message)).toEqual(["expected ')' to close the call to f, found '}'"]);
    expect(ast.decls.map((d) => d.name.name)).toEqual(['A', 'M']);
  });

  it('allows result names only in a method result type', () => {
    expect(render('block B() {\n  f(x: (a: f32[N], f32[N])) -> (y: f32[N], (z: f32[N], f32[N])) { return x }\n}')).toBe([
      "net.ds:2:9: error DSC5002: a result name ('a:') belongs only in a method's result type",
      ' 2 |   f(x: (a: f32[N], f32[N])) -> (y: f32[N], (z: f32[N], f32[N])) { return x }',
      '   |         ^',
      "net.ds:2:45: error DSC5002: a result name ('z:') belongs only in a method's result type",
      ' 2 |   f(x: (a: f32[N], f32[N])) -> (y: f32[N], (z: f32[N], f32[N])) { return x }',
      '   |                                             ^',
    ].join('\n'));
  });
});
