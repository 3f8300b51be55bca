// The .ds grammar as a chevrotain parser producing a concrete syntax tree. Each rule here has a
// production of the same name in grammar/ds.ebnf (a test keeps the two in step). Newlines carry
// no meaning: no statement can begin with a token that could continue an expression, except `@`,
// which the lexer splits into matmul and annotation.
import { CstParser, type CstNode, type IParserErrorMessageProvider, type IToken } from 'chevrotain';
import * as T from './tokens.js';

/**
 * Chevrotain builds an error's message when it raises it, before the token vector's context is
 * known; the parser records only the expected token's name here and syntax-errors.ts writes the
 * human message.
 */
const recordExpectedToken: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => expected.name,
  buildNotAllInputParsedMessage: () => 'EOF',
  buildNoViableAltMessage: () => '',
  buildEarlyExitMessage: () => '',
};

export class DsParser extends CstParser {
  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: recordExpectedToken });
    this.performSelfAnalysis();
  }

  module = this.RULE('module', () => {
    this.MANY(() => this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.decl) },
    ]));
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.LBrace);
    this.CONSUME(T.Identifier);
    this.MANY(() => { this.CONSUME(T.Comma); this.CONSUME2(T.Identifier); });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RBrace);
    this.CONSUME(T.From);
    this.CONSUME(T.StringLiteral);
  });

  decl = this.RULE('decl', () => {
    this.MANY(() => this.SUBRULE(this.annotation));
    this.OR([
      { ALT: () => this.SUBRULE(this.blockDecl) },
      { ALT: () => this.SUBRULE(this.modelDecl) },
      { ALT: () => this.SUBRULE(this.externOpDecl) },
    ]);
  });

  annotation = this.RULE('annotation', () => {
    this.CONSUME(T.AnnotationName);
    this.OPTION(() => this.SUBRULE(this.callArgs));
  });

  blockDecl = this.RULE('blockDecl', () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.paramList);
    this.SUBRULE(this.blockBody);
  });

  modelDecl = this.RULE('modelDecl', () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.blockBody);
  });

  externOpDecl = this.RULE('externOpDecl', () => {
    this.CONSUME(T.Extern);
    this.CONSUME(T.Op);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.paramList);
    this.OPTION(() => { this.CONSUME(T.Arrow); this.SUBRULE(this.type); });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.kernelRef));
    this.CONSUME(T.RBrace);
  });

  kernelRef = this.RULE('kernelRef', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLiteral);
  });

  paramList = this.RULE('paramList', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.param); });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  param = this.RULE('param', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
    this.OPTION(() => { this.CONSUME(T.Equals); this.SUBRULE(this.expr); });
  });

  blockBody = this.RULE('blockBody', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.member));
    this.CONSUME(T.RBrace);
  });

  member = this.RULE('member', () => {
    this.MANY(() => this.SUBRULE(this.annotation));
    this.OR([
      { ALT: () => this.SUBRULE(this.weightMember) },
      { ALT: () => this.SUBRULE(this.fieldMember) },
      { ALT: () => this.SUBRULE(this.methodDecl) },
    ]);
  });

  weightMember = this.RULE('weightMember', () => {
    this.CONSUME(T.Param);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
  });

  fieldMember = this.RULE('fieldMember', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  methodDecl = this.RULE('methodDecl', () => {
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.paramList);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      // `name: type` names the result; LL(2) tells it from a named type such as `int`
      this.OPTION2(() => { this.CONSUME2(T.Identifier, { LABEL: 'resultName' }); this.CONSUME(T.Colon); });
      this.SUBRULE(this.type);
    });
    this.SUBRULE(this.stmtBlock);
  });

  stmtBlock = this.RULE('stmtBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  statement = this.RULE('statement', () => {
    this.MANY(() => this.SUBRULE(this.annotation));
    this.OR([
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.forStmt) },
      { ALT: () => this.SUBRULE(this.assignStmt) },
    ]);
  });

  letStmt = this.RULE('letStmt', () => {
    this.CONSUME(T.Let);
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.CONSUME2(T.Identifier);
          this.MANY(() => { this.CONSUME(T.Comma); this.CONSUME3(T.Identifier); });
          this.OPTION(() => this.CONSUME2(T.Comma));
          this.CONSUME(T.RParen);
        },
      },
    ]);
    this.OPTION2(() => { this.CONSUME(T.Colon); this.SUBRULE(this.type); });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  returnStmt = this.RULE('returnStmt', () => {
    this.CONSUME(T.Return);
    this.SUBRULE(this.expr);
  });

  ifStmt = this.RULE('ifStmt', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.stmtBlock, { LABEL: 'then' });
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([
        { ALT: () => this.SUBRULE(this.ifStmt, { LABEL: 'elseIf' }) },
        { ALT: () => this.SUBRULE2(this.stmtBlock, { LABEL: 'otherwise' }) },
      ]);
    });
  });

  forStmt = this.RULE('forStmt', () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.forIterable);
    this.SUBRULE(this.stmtBlock);
  });

  forIterable = this.RULE('forIterable', () => {
    this.SUBRULE(this.expr, { LABEL: 'start' });
    this.OPTION(() => { this.CONSUME(T.DotDot); this.SUBRULE2(this.expr, { LABEL: 'end' }); });
  });

  assignStmt = this.RULE('assignStmt', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
  });

  // ---- types ----

  type = this.RULE('type', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.tensorType) },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => { this.CONSUME(T.LBracket); this.SUBRULE(this.type, { LABEL: 'element' }); this.CONSUME(T.RBracket); } },
      { ALT: () => this.SUBRULE(this.tupleType) },
    ]);
  });

  /** `bool` alone is the compile-time type; a dtype with a shape is a tensor type. */
  tensorType = this.RULE('tensorType', () => {
    this.CONSUME(T.DTypeName);
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.OPTION2(() => {
        this.SUBRULE(this.dim);
        this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.dim); });
        this.OPTION3(() => this.CONSUME2(T.Comma));
      });
      this.CONSUME(T.RBracket);
    });
  });

  tupleType = this.RULE('tupleType', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => { this.CONSUME(T.Identifier, { LABEL: 'resultName' }); this.CONSUME(T.Colon); });
    this.SUBRULE(this.type);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.OPTION2(() => { this.CONSUME2(T.Identifier, { LABEL: 'resultName' }); this.CONSUME2(T.Colon); });
      this.SUBRULE2(this.type);
    });
    this.OPTION3(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RParen);
  });

  dim = this.RULE('dim', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Underscore) },
      { ALT: () => { this.CONSUME(T.DotDot); this.CONSUME(T.Identifier); } },
      { ALT: () => this.SUBRULE(this.dimSum) },
    ]);
  });

  dimSum = this.RULE('dimSum', () => {
    this.SUBRULE(this.dimProduct, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'operator' }) },
      ]);
      this.SUBRULE2(this.dimProduct, { LABEL: 'operand' });
    });
  });

  dimProduct = this.RULE('dimProduct', () => {
    this.SUBRULE(this.dimAtom, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: 'operator' }) },
      ]);
      this.SUBRULE2(this.dimAtom, { LABEL: 'operand' });
    });
  });

  dimAtom = this.RULE('dimAtom', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => { this.CONSUME(T.LParen); this.SUBRULE(this.dimSum); this.CONSUME(T.RParen); } },
    ]);
  });

  // ---- expressions, loosest binding first ----

  expr = this.RULE('expr', () => {
    this.SUBRULE(this.orExpr, { LABEL: 'cond' });
    this.OPTION(() => {
      this.CONSUME(T.Question);
      this.SUBRULE(this.expr, { LABEL: 'then' });
      this.CONSUME(T.Colon);
      this.SUBRULE2(this.expr, { LABEL: 'otherwise' });
    });
  });

  orExpr = this.RULE('orExpr', () => {
    this.SUBRULE(this.andExpr, { LABEL: 'operand' });
    this.MANY(() => { this.CONSUME(T.OrOr, { LABEL: 'operator' }); this.SUBRULE2(this.andExpr, { LABEL: 'operand' }); });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.comparison, { LABEL: 'operand' });
    this.MANY(() => { this.CONSUME(T.AndAnd, { LABEL: 'operator' }); this.SUBRULE2(this.comparison, { LABEL: 'operand' }); });
  });

  comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.additive, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.EqEq, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.NotEq, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.LessEq, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Less, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Greater, { LABEL: 'operator' }) },
      ]);
      this.SUBRULE2(this.additive, { LABEL: 'operand' });
    });
  });

  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'operator' }) },
      ]);
      this.SUBRULE2(this.multiplicative, { LABEL: 'operand' });
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary, { LABEL: 'operand' });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.Percent, { LABEL: 'operator' }) },
        { ALT: () => this.CONSUME(T.At, { LABEL: 'operator' }) },
      ]);
      this.SUBRULE2(this.unary, { LABEL: 'operand' });
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(T.Minus, { LABEL: 'operator' }) },
            { ALT: () => this.CONSUME(T.Bang, { LABEL: 'operator' }) },
          ]);
          this.SUBRULE(this.unary, { LABEL: 'operand' });
        },
      },
      { ALT: () => this.SUBRULE(this.power) },
    ]);
  });

  /** `**` binds tighter than a unary minus on its left and is right-associative: `-x**2` is `-(x**2)`. */
  power = this.RULE('power', () => {
    this.SUBRULE(this.postfix);
    this.OPTION(() => { this.CONSUME(T.StarStar); this.SUBRULE(this.unary, { LABEL: 'exponent' }); });
  });

  postfix = this.RULE('postfix', () => {
    this.SUBRULE(this.primary);
    this.MANY(() => this.SUBRULE(this.postfixOp));
  });

  postfixOp = this.RULE('postfixOp', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.callArgs) },
      { ALT: () => { this.CONSUME(T.Dot); this.CONSUME(T.Identifier); } },
      { ALT: () => this.SUBRULE(this.indexSuffix) },
    ]);
  });

  callArgs = this.RULE('callArgs', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.arg);
      this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.arg); });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  arg = this.RULE('arg', () => {
    this.OPTION(() => { this.CONSUME(T.Identifier); this.CONSUME(T.Colon); });
    this.SUBRULE(this.expr);
  });

  indexSuffix = this.RULE('indexSuffix', () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.indexItem);
    this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.indexItem); });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RBracket);
  });

  indexItem = this.RULE('indexItem', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.DotDot) },
      { ALT: () => this.SUBRULE(this.sliceTail) },
      { ALT: () => { this.SUBRULE(this.expr, { LABEL: 'start' }); this.OPTION(() => this.SUBRULE2(this.sliceTail)); } },
    ]);
  });

  sliceTail = this.RULE('sliceTail', () => {
    this.CONSUME(T.Colon);
    this.OPTION(() => this.SUBRULE(this.expr, { LABEL: 'end' }));
    this.OPTION2(() => {
      this.CONSUME2(T.Colon, { LABEL: 'stepColon' });
      this.OPTION3(() => this.SUBRULE2(this.expr, { LABEL: 'step' }));
    });
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.DTypeName) },
      { ALT: () => this.CONSUME(T.Identifier) },
      { ALT: () => this.SUBRULE(this.parenExpr) },
      { ALT: () => this.SUBRULE(this.listExpr) },
      { ALT: () => this.SUBRULE(this.ifExpr) },
      { ALT: () => this.SUBRULE(this.forExpr) },
      { ALT: () => this.SUBRULE(this.chooseExpr) },
    ]);
  });

  /** `(e)` groups; `(a, b)`, `(a,)` and `()` are tuples. */
  parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.expr);
      this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.expr); });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  listExpr = this.RULE('listExpr', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expr);
      this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.expr); });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  ifExpr = this.RULE('ifExpr', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr, { LABEL: 'cond' });
    this.SUBRULE(this.exprBlock, { LABEL: 'then' });
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([
        { ALT: () => this.SUBRULE(this.ifExpr, { LABEL: 'elseIf' }) },
        { ALT: () => this.SUBRULE2(this.exprBlock, { LABEL: 'otherwise' }) },
      ]);
    });
  });

  forExpr = this.RULE('forExpr', () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.In);
    this.SUBRULE(this.forIterable);
    this.SUBRULE(this.exprBlock);
  });

  exprBlock = this.RULE('exprBlock', () => {
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.expr);
    this.CONSUME(T.RBrace);
  });

  chooseExpr = this.RULE('chooseExpr', () => {
    this.CONSUME(T.Choose);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expr);
    this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.expr); });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RParen);
  });

  parseModule(tokens: IToken[]): CstNode {
    this.input = tokens;
    return this.module();
  }
}
