// The tokens of the .ds language: the single source of truth for the lexer, the parser, the
// error messages (each token's `label` is how a diagnostic names it) and the editor grammar test.
import { createToken, Lexer, tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import { DTYPES } from '../../ir/dtype.js';

/** Tokens after which an expression may end; an `@name` right after one (same line) is matmul, not an annotation. */
export const ExpressionEnd = createToken({ name: 'ExpressionEnd', pattern: Lexer.NA });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED });
// Matches an unterminated comment too (up to the end of the file) so the lexer can report it by name.
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*(?:[^*]|\*(?!\/))*(?:\*\/)?/, group: 'comments', line_breaks: true });

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name', categories: [ExpressionEnd] });

function keyword(word: string, reserved = true): TokenType {
  const name = word[0].toUpperCase() + word.slice(1);
  return createToken({
    name, pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'`,
    // Contextual keywords stay names outside their construct, so `model` or `param` can name a
    // member (PyTorch state_dict keys such as `model.0.weight` are common).
    categories: reserved ? [] : [Identifier],
  });
}

export const Import = keyword('import');
export const From = keyword('from');
export const Let = keyword('let');
export const Return = keyword('return');
export const If = keyword('if');
export const Else = keyword('else');
export const For = keyword('for');
export const In = keyword('in');
export const Choose = keyword('choose');
export const True = createToken({ name: 'True', pattern: /true/, longer_alt: Identifier, label: "'true'", categories: [ExpressionEnd] });
export const False = createToken({ name: 'False', pattern: /false/, longer_alt: Identifier, label: "'false'", categories: [ExpressionEnd] });
export const Block = keyword('block', false);
export const Model = keyword('model', false);
export const Param = keyword('param', false);
export const Extern = keyword('extern', false);
export const Op = keyword('op', false);

/** Every IR dtype name is a reserved word; the image says which. */
export const DTypeName = createToken({
  name: 'DTypeName',
  pattern: new RegExp([...DTYPES].sort((a, b) => b.length - a.length).join('|')),
  longer_alt: Identifier, label: 'a dtype', categories: [ExpressionEnd],
});
export const Underscore = createToken({ name: 'Underscore', pattern: /_/, longer_alt: Identifier, label: "'_'", categories: [ExpressionEnd] });

export const NumberLiteral = createToken({ name: 'NumberLiteral', pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/, label: 'a number', categories: [ExpressionEnd] });
// Matches an unterminated string too (up to the end of its line) so the lexer can report it by name.
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\n\r]|\\.)*"?/, label: 'a string', categories: [ExpressionEnd] });

/** Reported as an error, then parsed as a string so one wrong quote does not derail the parse. */
export const SingleQuotedString = createToken({ name: 'SingleQuotedString', pattern: /'[^'\n\r]*'?/, label: 'a string', categories: [StringLiteral] });

/**
 * `@name` with no space starts an annotation when the `@` begins a line, follows a token that
 * cannot end an expression, or follows another annotation (`@precision(f16) @fuse`); otherwise
 * `@` is matrix multiplication (`q @ k`, `x@w`).
 */
function matchAnnotation(text: string, offset: number, tokens: IToken[]): [string] | null {
  if (text.charCodeAt(offset) !== 64) return null;
  const name = /[A-Za-z_][A-Za-z0-9_]*/y;
  name.lastIndex = offset + 1;
  const m = name.exec(text);
  if (!m) return null;
  const prev = tokens[tokens.length - 1];
  const sameLine = prev && !/[\n\r]/.test(text.slice(prev.endOffset! + 1, offset));
  if (sameLine && tokenMatcher(prev, ExpressionEnd) && !closesAnnotationArgs(tokens)) return null;
  return [`@${m[0]}`];
}

/** Whether the last token is the `)` of an annotation's argument list. */
function closesAnnotationArgs(tokens: IToken[]): boolean {
  if (tokens[tokens.length - 1].image !== ')') return false;
  let depth = 0;
  for (let i = tokens.length - 1; i > 0; i--) {
    const image = tokens[i].image;
    if (image === ')') depth++;
    else if (image === '(' && --depth === 0) return tokens[i - 1].tokenType === AnnotationName;
  }
  return false;
}
export const AnnotationName = createToken({ name: 'AnnotationName', pattern: { exec: matchAnnotation }, line_breaks: false, start_chars_hint: ['@'], label: 'an annotation' });

function punct(name: string, text: string, ...categories: TokenType[]): TokenType {
  return createToken({ name, pattern: new RegExp(text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), label: `'${text}'`, categories });
}
export const Arrow = punct('Arrow', '->');
export const StarStar = punct('StarStar', '**');
export const DotDot = punct('DotDot', '..');
export const EqEq = punct('EqEq', '==');
export const NotEq = punct('NotEq', '!=');
export const LessEq = punct('LessEq', '<=');
export const GreaterEq = punct('GreaterEq', '>=');
export const AndAnd = punct('AndAnd', '&&');
export const OrOr = punct('OrOr', '||');
export const Less = punct('Less', '<');
export const Greater = punct('Greater', '>');
export const Equals = punct('Equals', '=');
export const Bang = punct('Bang', '!');
export const Plus = punct('Plus', '+');
export const Minus = punct('Minus', '-');
export const Star = punct('Star', '*');
export const Slash = punct('Slash', '/');
export const Percent = punct('Percent', '%');
export const At = punct('At', '@');
export const Question = punct('Question', '?');
export const Colon = punct('Colon', ':');
export const Comma = punct('Comma', ',');
export const Dot = punct('Dot', '.');
export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')', ExpressionEnd);
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']', ExpressionEnd);
export const LBrace = punct('LBrace', '{');
export const RBrace = punct('RBrace', '}');

/** Reserved words, as written; also checked against the TextMate grammar. */
export const RESERVED_WORDS = ['import', 'from', 'let', 'return', 'if', 'else', 'for', 'in', 'choose', 'true', 'false'] as const;
/** Words that are keywords only where their construct starts. */
export const CONTEXTUAL_KEYWORDS = ['block', 'model', 'param', 'extern', 'op'] as const;

/** Lexer order: longer operators before their prefixes, keywords before Identifier. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace, LineComment, BlockComment, AnnotationName,
  Arrow, StarStar, DotDot, EqEq, NotEq, LessEq, GreaterEq, AndAnd, OrOr,
  Less, Greater, Equals, Bang, Plus, Minus, Star, Slash, Percent, At, Question, Colon, Comma, Dot,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace,
  NumberLiteral, StringLiteral, SingleQuotedString,
  Import, From, Let, Return, If, Else, For, In, Choose, True, False, Block, Model, Param, Extern, Op,
  DTypeName, Underscore, Identifier,
  ExpressionEnd,
];

export const dsLexer = new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: true });
