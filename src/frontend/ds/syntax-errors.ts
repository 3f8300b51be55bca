// Lexer and parser errors → diagnostics in the user's words. Chevrotain's own messages name token
// types ("Expecting token of type --> RParen <--"); these name the text and the construct instead:
// "expected ')' to close the call to Conv2d, found 'bn1'", with a note at the opening bracket.
import { tokenMatcher, EOF, type CstNode, type ILexingResult, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import { Diagnostic, type Note, type SourceLoc } from '../../diag/diagnostic.js';
import * as T from './tokens.js';

const TOKEN_BY_NAME = new Map<string, TokenType>(T.ALL_TOKENS.map((t) => [t.name, t]));
const CLOSER_OF: ReadonlyMap<string, string> = new Map([['(', ')'], ['[', ']'], ['{', '}']]);
const OPENER_OF: ReadonlyMap<string, string> = new Map([[')', '('], [']', '['], ['}', '{']]);
const STRING_ESCAPES = new Set(['"', '\\', 'n', 't', 'r']);

export function lexerDiagnostics(lexed: ILexingResult, source: string, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of lexed.errors) {
    const text = source.substr(e.offset, e.length);
    const chars = text.length === 1 ? `character ${quoteChar(text)}` : `characters ${quoteChar(text)}`;
    const hint = text === ';' ? " (statements need no ';')" : '';
    out.push(new Diagnostic('DSC5001', `unexpected ${chars}${hint}`, { file, line: e.line ?? 1, col: e.column ?? 1, length: e.length }));
  }
  for (const t of lexed.tokens) {
    if (t.tokenType === T.SingleQuotedString) {
      out.push(new Diagnostic('DSC5001', `unexpected character "'": strings are written in double quotes`, tokenLoc(t, file)));
      continue;
    }
    if (t.tokenType !== T.StringLiteral) continue;
    if (!isTerminatedString(t.image)) {
      out.push(new Diagnostic('DSC5003', 'unterminated string literal: a string ends with \'"\' on the same line', tokenLoc(t, file)));
    }
    for (const m of t.image.matchAll(/\\(.?)/gs)) {
      if (m[1] !== '' && STRING_ESCAPES.has(m[1])) continue;
      const col = t.startColumn! + m.index!;
      out.push(new Diagnostic('DSC5005', `unknown escape sequence '${m[0]}' in a string (known: \\" \\\\ \\n \\t \\r)`, { file, line: t.startLine!, col, length: m[0].length }));
    }
  }
  for (const c of lexed.groups.comments ?? []) {
    if (c.image.length < 4 || !c.image.endsWith('*/')) {
      out.push(new Diagnostic('DSC5004', "unterminated block comment: '/*' has no matching '*/'", { file, line: c.startLine!, col: c.startColumn!, length: 2 }));
    }
  }
  return out;
}

function quoteChar(text: string): string {
  return text.includes("'") ? `"${text}"` : `'${text}'`;
}

/** The string token pattern also matches a string missing its closing quote. */
function isTerminatedString(image: string): boolean {
  if (image.length < 2 || !image.endsWith('"')) return false;
  let backslashes = 0;
  for (let i = image.length - 2; i > 0 && image[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}

function tokenLoc(t: IToken, file: string): SourceLoc {
  return { file, line: t.startLine!, col: t.startColumn!, length: t.endOffset! - t.startOffset + 1 };
}

function isRealToken(t: IToken | undefined): t is IToken {
  return t !== undefined && t.tokenType !== EOF && !t.isInsertedInRecovery && !Number.isNaN(t.startOffset);
}

/** How a message names a token the user wrote. */
export function describeToken(t: IToken | undefined): string {
  if (!isRealToken(t)) return 'the end of the file';
  if (tokenMatcher(t, T.StringLiteral)) return `the string ${t.image}`;
  return `'${t.image}'`;
}

/** How a message names an expected token type: its label (`')'`, `a name`). */
function describeTokenType(name: string): string {
  return TOKEN_BY_NAME.get(name)?.LABEL ?? name;
}

/** What a rule expects when none of its alternatives matches. */
const RULE_EXPECTS: Record<string, string> = {
  decl: "'block', 'model' or 'extern op' after the annotations",
  member: "a member ('name = value', 'param name: type' or a method)",
  statement: "a statement ('let', 'return', 'if', 'for' or 'name = value')",
  type: 'a type',
  tensorType: 'a type',
  tupleType: 'a type',
  dim: 'a dimension',
  dimAtom: 'a dimension',
  indexItem: 'an index',
  letStmt: "a name or '(' after 'let'",
  ifStmt: "'if' or '{' after 'else'",
  ifExpr: "'if' or '{' after 'else'",
};

/** Rules whose bracketed contents are a comma-separated list, and what one element is. */
const LIST_ELEMENT: Record<string, string> = {
  importDecl: 'a name', paramList: 'a parameter', callArgs: 'an argument', indexSuffix: 'an index', tensorType: 'a dimension',
  tupleType: 'a type', parenExpr: 'an expression', listExpr: 'an expression', chooseExpr: 'an option', letStmt: 'a name',
};

/** Token-specific wording where the plain "expected X" says too little. */
const MISMATCH_WORDING: Record<string, string> = {
  'param:Colon': "':' and a type after the parameter name",
  'weightMember:Colon': "':' and a tensor type after the parameter name",
  'importDecl:From': "'from' and a module path after the imported names",
  'importDecl:StringLiteral': "the module path as a string after 'from'",
  'kernelRef:StringLiteral': "the kernel's file path as a string after the target name",
  'paramList:LParen': "'(' and the parameter list",
  'blockDecl:Identifier': "the block's name after 'block'",
  'modelDecl:Identifier': "the model's name after 'model'",
  'externOpDecl:Op': "'op' after 'extern'",
  'externOpDecl:Identifier': "the op's name after 'extern op'",
  'assignStmt:Equals': "'=' after '{prev}' (an expression alone is not a statement)",
};

/** What may stand inside each kind of braced body, for a stray token there: [short name, note]. */
const BODY_CONTENT: Record<string, [string, string]> = {
  blockBody: ['a member', "a member is 'name = value', 'param name: type' or a method 'name(params) -> type { ... }'"],
  stmtBlock: ['a statement', "a statement is 'let name = value', 'name = value', 'return value', 'if' or 'for'"],
  externOpDecl: ['a kernel', 'a kernel is a target name and a file path: cpu "ops/my_op.cc"'],
};

interface BracketOwner { rule: string; node: CstNode; parent: CstNode | undefined }

/** Which CST node consumed each opening bracket, by offset: tells what an unclosed bracket opened. */
function bracketOwners(root: CstNode): Map<number, BracketOwner> {
  const owners = new Map<number, BracketOwner>();
  const visit = (node: CstNode, parent: CstNode | undefined) => {
    for (const list of Object.values(node.children)) {
      for (const el of list) {
        if ('children' in el) visit(el, node);
        else if (isRealToken(el) && CLOSER_OF.has(el.image)) owners.set(el.startOffset, { rule: node.name, node, parent });
      }
    }
  };
  visit(root, undefined);
  return owners;
}

function firstToken(node: CstNode, key: string): IToken | undefined {
  const el = node.children[key]?.[0];
  return el && !('children' in el) && isRealToken(el) ? el : undefined;
}

function nameIn(node: CstNode | undefined): string {
  return (node && firstToken(node, 'Identifier')?.image) || '';
}

export class SyntaxErrorReporter {
  private readonly indexByOffset = new Map<number, number>();
  private readonly owners: Map<number, BracketOwner>;

  constructor(
    private readonly tokens: IToken[],
    cst: CstNode,
    private readonly file: string,
    /** offsets of characters the lexer dropped: a syntax error right after one is its echo, not news */
    private readonly lexerErrorOffsets: readonly number[] = [],
  ) {
    tokens.forEach((t, i) => this.indexByOffset.set(t.startOffset, i));
    this.owners = bracketOwners(cst);
  }

  /** One diagnostic per error position; chevrotain may raise several at the token it resynchronizes on. */
  report(errors: readonly IRecognitionException[]): Diagnostic[] {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const e of errors) {
      if (this.followsLexerError(e)) continue;
      const d = this.toDiagnostic(e);
      const key = `${d.loc?.line}:${d.loc?.col}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
    return out;
  }

  private followsLexerError(e: IRecognitionException): boolean {
    const prevEnd = this.previousToken(e)?.endOffset ?? -1;
    const foundStart = isRealToken(e.token) ? e.token.startOffset : Infinity;
    return this.lexerErrorOffsets.some((o) => o > prevEnd && o < foundStart);
  }

  private toDiagnostic(e: IRecognitionException): Diagnostic {
    const found = isRealToken(e.token) ? e.token : undefined;
    const prev = this.previousToken(e);
    const rule = e.context.ruleStack[e.context.ruleStack.length - 1] ?? 'module';
    if (e.name === 'MismatchedTokenException') {
      const expected = e.message;
      if (expected === 'EOF') return this.unexpected(found, prev);
      const closer = TOKEN_BY_NAME.get(expected)?.LABEL?.slice(1, -1) ?? '';
      if (OPENER_OF.has(closer)) return this.missingCloser(closer, found, prev, rule);
      const wording = MISMATCH_WORDING[`${rule}:${expected}`]?.replace('{prev}', prev?.image ?? '') ?? describeTokenType(expected);
      return this.expected(wording, found, prev);
    }
    if (e.name === 'NoViableAltException' || e.name === 'EarlyExitException') {
      const what = RULE_EXPECTS[rule] ?? 'an expression';
      return this.expected(what, found, prev);
    }
    return this.unexpected(found, prev);
  }

  private previousToken(e: IRecognitionException): IToken | undefined {
    const i = isRealToken(e.token) ? this.indexByOffset.get(e.token.startOffset) ?? this.tokens.length : this.tokens.length;
    return this.tokens[i - 1];
  }

  /**
   * Where an "expected ..." error points: at the found token, or just after the previous token
   * when the found one is on a later line (the missing piece belongs at the end of that line).
   */
  private expectedAt(found: IToken | undefined, prev: IToken | undefined): SourceLoc {
    if (prev && (!found || found.startLine! > prev.endLine!)) {
      return { file: this.file, line: prev.endLine!, col: prev.endColumn! + 1, length: 1 };
    }
    if (found) return tokenLoc(found, this.file);
    return { file: this.file, line: 1, col: 1, length: 1 };
  }

  private expected(what: string, found: IToken | undefined, prev: IToken | undefined, notes: Note[] = []): Diagnostic {
    return new Diagnostic('DSC5002', `expected ${what}, found ${describeToken(found)}`, this.expectedAt(found, prev), notes);
  }

  private unexpected(found: IToken | undefined, prev: IToken | undefined): Diagnostic {
    const loc = found ? tokenLoc(found, this.file) : this.expectedAt(found, prev);
    return new Diagnostic('DSC5002', `unexpected ${describeToken(found)}`, loc);
  }

  private missingCloser(closer: string, found: IToken | undefined, prev: IToken | undefined, rule: string): Diagnostic {
    const opener = this.unclosedOpener(found, OPENER_OF.get(closer)!);
    if (!opener) return this.expected(`'${closer}'`, found, prev);
    const construct = this.describeConstruct(opener);
    const notes: Note[] = [{ message: `the '${opener.image}' that is not closed`, loc: tokenLoc(opener, this.file) }];
    const sameLine = found && prev && found.startLine === prev.endLine;
    const element = LIST_ELEMENT[rule];
    if (found && sameLine && element) {
      const afterSeparator = prev.image === ',' || prev === opener;
      return this.expected(`${afterSeparator ? element : "','"} or '${closer}' in ${construct}`, found, prev, notes);
    }
    const bodyContent = BODY_CONTENT[rule];
    if (found && bodyContent) {
      return new Diagnostic('DSC5002', `expected ${bodyContent[0]} or '}' in ${construct}, found ${describeToken(found)}`,
        tokenLoc(found, this.file), [{ message: bodyContent[1] }]);
    }
    return this.expected(`'${closer}' to close ${construct}`, found, prev, notes);
  }

  /** The innermost opening bracket before `found` that no closer matches. */
  private unclosedOpener(found: IToken | undefined, openerText: string): IToken | undefined {
    const end = found ? this.indexByOffset.get(found.startOffset) ?? this.tokens.length : this.tokens.length;
    let depth = 0;
    for (let i = end - 1; i >= 0; i--) {
      const t = this.tokens[i];
      if (OPENER_OF.has(t.image)) depth++;
      else if (CLOSER_OF.has(t.image)) {
        if (depth === 0) return t.image === openerText ? t : undefined;
        depth--;
      }
    }
    return undefined;
  }

  /** "the call to Conv2d", "block BasicBlock", "the shape of f32[...]": what an opening bracket belongs to. */
  private describeConstruct(opener: IToken): string {
    const owner = this.owners.get(opener.startOffset);
    const i = this.indexByOffset.get(opener.startOffset)!;
    const before = this.tokens[i - 1];
    if (!owner) return `'${opener.image}'`;
    const parentName = nameIn(owner.parent);
    switch (owner.rule) {
      case 'paramList':
        if (owner.parent?.name === 'blockDecl') return `the parameters of block ${parentName}`;
        if (owner.parent?.name === 'externOpDecl') return `the parameters of extern op ${parentName}`;
        return `the parameters of ${parentName}`;
      case 'callArgs':
        if (owner.parent?.name === 'annotation') return `the arguments of ${firstToken(owner.parent, 'AnnotationName')?.image ?? 'the annotation'}`;
        return before && tokenMatcher(before, T.Identifier) ? `the call to ${before.image}` : 'the call';
      case 'indexSuffix':
        return before && tokenMatcher(before, T.Identifier) ? `the index into ${before.image}` : 'the index';
      case 'tensorType': return `the shape of ${firstToken(owner.node, 'DTypeName')?.image ?? 'the tensor type'}[...]`;
      case 'blockBody':
        return owner.parent?.name === 'modelDecl' ? `model ${parentName}` : `block ${parentName}`;
      case 'externOpDecl': return `extern op ${nameIn(owner.node)}`;
      case 'stmtBlock':
        if (owner.parent?.name === 'methodDecl') return `the body of ${parentName}`;
        return `the body of '${owner.parent?.name === 'forStmt' ? 'for' : 'if'}'`;
      case 'exprBlock': return `the body of '${owner.parent?.name === 'forExpr' ? 'for' : 'if'}'`;
      case 'importDecl': return 'the import list';
      case 'chooseExpr': return 'choose(...)';
      case 'listExpr': return 'the list';
      case 'parenExpr': return 'the parenthesized expression';
      case 'letStmt': return "the names after 'let'";
      case 'tupleType': return 'the tuple type';
      case 'type': return 'the list type';
      case 'dimAtom': return 'the parenthesized dimension';
      default: return `'${opener.image}'`;
    }
  }
}
