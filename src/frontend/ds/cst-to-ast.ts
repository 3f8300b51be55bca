// CST → AST. After error recovery a CST node may lack any of its children, so every accessor here
// tolerates absence: a missing expression, type or dim becomes a `missing` node and a missing name
// an empty one (the parser has already reported the error).
import { EOF, type CstElement, type CstNode, type IToken } from 'chevrotain';
import { Diagnostic } from '../../diag/diagnostic.js';
import { isDType, type DType } from '../../ir/dtype.js';
import type * as A from './ast.js';

function isNode(el: CstElement | undefined): el is CstNode {
  return el !== undefined && 'children' in el;
}

function isRealToken(el: CstElement | undefined): el is IToken {
  return el !== undefined && !('children' in el) && el.tokenType !== EOF && !el.isInsertedInRecovery && !Number.isNaN(el.startOffset);
}

function nodes(n: CstNode | undefined, key: string): CstNode[] {
  return (n?.children[key] ?? []).filter(isNode);
}
function node(n: CstNode | undefined, key: string): CstNode | undefined {
  return nodes(n, key)[0];
}
function tokens(n: CstNode | undefined, key: string): IToken[] {
  return (n?.children[key] ?? []).filter(isRealToken);
}
function token(n: CstNode | undefined, key: string): IToken | undefined {
  return tokens(n, key)[0];
}

/** The offset of a node's first real token (Infinity when it has none). */
function firstOffset(n: CstNode): number {
  let first = Infinity;
  for (const list of Object.values(n.children)) {
    for (const el of list) first = Math.min(first, isNode(el) ? firstOffset(el) : isRealToken(el) ? el.startOffset : Infinity);
  }
  return first;
}

const ESCAPED: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

/** The value of a string token; unknown escapes stay as written (the lexer reported them). */
function unquote(image: string): string {
  const body = image.length >= 2 && image.endsWith(image[0]) ? image.slice(1, -1) : image.slice(1);
  return body.replace(/\\(.)/g, (all, c: string) => ESCAPED[c] ?? all);
}

export class AstBuilder {
  /** Where a node with no tokens is placed: just after the last token a span was taken from. */
  private cursor: A.Span;

  constructor(private readonly file: string, private readonly diagnostics: Diagnostic[]) {
    this.cursor = { file, line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, length: 0 };
  }

  module(cst: CstNode, source: string): A.DsModule {
    const lines = source.split(/\r\n|\r|\n/);
    const span: A.Span = {
      file: this.file, line: 1, col: 1, endLine: lines.length, endCol: lines[lines.length - 1].length + 1,
      offset: 0, length: source.length,
    };
    return {
      kind: 'module', file: this.file,
      imports: nodes(cst, 'importDecl').map((n) => this.importDecl(n)),
      decls: nodes(cst, 'decl').map((n) => this.decl(n)),
      span,
    };
  }

  // ---- spans ----

  private tokenSpan(first: IToken, last: IToken = first): A.Span {
    const span: A.Span = {
      file: this.file, line: first.startLine!, col: first.startColumn!,
      endLine: last.endLine!, endCol: last.endColumn! + 1,
      offset: first.startOffset, length: last.endOffset! + 1 - first.startOffset,
    };
    this.cursor = { ...span, line: span.endLine, col: span.endCol, offset: span.offset + span.length, length: 0 };
    return span;
  }

  private span(n: CstNode | undefined): A.Span {
    let first: IToken | undefined;
    let last: IToken | undefined;
    const visit = (x: CstNode) => {
      for (const list of Object.values(x.children)) {
        for (const el of list) {
          if (isNode(el)) visit(el);
          else if (isRealToken(el)) {
            if (!first || el.startOffset < first.startOffset) first = el;
            if (!last || el.startOffset > last.startOffset) last = el;
          }
        }
      }
    };
    if (n) visit(n);
    return first ? this.tokenSpan(first, last) : { ...this.cursor };
  }

  private join(a: A.Span, b: A.Span): A.Span {
    return { ...a, endLine: b.endLine, endCol: b.endCol, length: b.offset + b.length - a.offset };
  }

  private ident(t: IToken | undefined): A.Ident {
    return t ? { kind: 'ident', name: t.image, span: this.tokenSpan(t) } : { kind: 'ident', name: '', span: { ...this.cursor } };
  }

  private missing(): A.MissingNode {
    return { kind: 'missing', span: { ...this.cursor } };
  }

  private stringLit(t: IToken | undefined): A.StringLit {
    return t ? { kind: 'string', value: unquote(t.image), span: this.tokenSpan(t) } : { kind: 'string', value: '', span: { ...this.cursor } };
  }

  // ---- declarations ----

  private importDecl(n: CstNode): A.ImportDecl {
    const span = this.span(n);
    return { kind: 'import', names: tokens(n, 'Identifier').map((t) => this.ident(t)), from: this.stringLit(token(n, 'StringLiteral')), span };
  }

  private decl(n: CstNode): A.Decl {
    const annotations = nodes(n, 'annotation').map((a) => this.annotation(a));
    const ext = node(n, 'externOpDecl');
    if (ext) {
      const span = this.span(n);
      const paramList = node(ext, 'paramList');
      return {
        kind: 'externOp', name: this.ident(token(ext, 'Identifier')), params: this.params(paramList),
        returnType: this.optionalType(node(ext, 'type')),
        kernels: nodes(ext, 'kernelRef').map((k) => {
          const kspan = this.span(k);
          return { kind: 'kernel', target: this.ident(token(k, 'Identifier')), path: this.stringLit(token(k, 'StringLiteral')), span: kspan };
        }),
        annotations, span,
      };
    }
    const model = node(n, 'modelDecl');
    const block = model ?? node(n, 'blockDecl');
    const span = this.span(n);
    return {
      kind: 'block', isModel: model !== undefined, name: this.ident(token(block, 'Identifier')),
      params: model ? [] : this.params(node(block, 'paramList')),
      members: nodes(node(block, 'blockBody'), 'member').map((m) => this.member(m)),
      annotations, span,
    };
  }

  private annotation(n: CstNode): A.Annotation {
    const span = this.span(n);
    const t = token(n, 'AnnotationName');
    const name = this.ident(t);
    if (t) name.name = t.image.slice(1);
    return { kind: 'annotation', name, args: this.args(node(n, 'callArgs')), span };
  }

  private params(n: CstNode | undefined): A.Param[] {
    return nodes(n, 'param').map((p) => {
      const span = this.span(p);
      const name = this.ident(token(p, 'Identifier'));
      const type = this.type(node(p, 'type'));
      const def = node(p, 'expr');
      return { kind: 'param', name, type, default: def ? this.expr(def) : undefined, span };
    });
  }

  private member(n: CstNode): A.Member {
    const annotations = nodes(n, 'annotation').map((a) => this.annotation(a));
    const weight = node(n, 'weightMember');
    const method = node(n, 'methodDecl');
    const span = this.span(n);
    if (weight) return { kind: 'weight', name: this.ident(token(weight, 'Identifier')), type: this.type(node(weight, 'type')), annotations, span };
    if (method) {
      const name = this.ident(token(method, 'Identifier'));
      const params = this.params(node(method, 'paramList'));
      const returnNode = node(method, 'type');
      const single = token(method, 'resultName');
      const tuple = node(returnNode, 'tupleType');
      const resultNames = single ? [this.ident(single)] : tuple ? this.tupleNames(tuple) : undefined;
      const returnType = this.optionalType(returnNode, true);
      return {
        kind: 'method', name, params, returnType, ...(resultNames?.some((n) => n) ? { resultNames } : {}),
        body: this.stmtBlock(node(method, 'stmtBlock')), annotations, span,
      };
    }
    const field = node(n, 'fieldMember');
    return { kind: 'field', name: this.ident(token(field, 'Identifier')), value: this.expr(node(field, 'expr')), annotations, span };
  }

  // ---- statements ----

  private stmtBlock(n: CstNode | undefined): A.Stmt[] {
    return nodes(n, 'statement').map((s) => this.statement(s));
  }

  private statement(n: CstNode): A.Stmt {
    const annotations = nodes(n, 'annotation').map((a) => this.annotation(a));
    const span = this.span(n);
    const letStmt = node(n, 'letStmt');
    if (letStmt) {
      return {
        kind: 'let', names: tokens(letStmt, 'Identifier').map((t) => this.ident(t)), destructure: token(letStmt, 'LParen') !== undefined,
        type: this.optionalType(node(letStmt, 'type')), value: this.expr(node(letStmt, 'expr')), annotations, span,
      };
    }
    const ret = node(n, 'returnStmt');
    if (ret) return { kind: 'return', value: this.expr(node(ret, 'expr')), annotations, span };
    const ifStmt = node(n, 'ifStmt');
    if (ifStmt) return { ...this.ifStmt(ifStmt), annotations, span };
    const forStmt = node(n, 'forStmt');
    if (forStmt) {
      return {
        kind: 'for', variable: this.ident(token(forStmt, 'Identifier')), iterable: this.forIterable(node(forStmt, 'forIterable')),
        body: this.stmtBlock(node(forStmt, 'stmtBlock')), annotations, span,
      };
    }
    const assign = node(n, 'assignStmt');
    return { kind: 'assign', target: this.ident(token(assign, 'Identifier')), value: this.expr(node(assign, 'expr')), annotations, span };
  }

  private ifStmt(n: CstNode): A.IfStmt {
    const span = this.span(n);
    const cond = this.expr(node(n, 'expr'));
    const then = this.stmtBlock(node(n, 'then'));
    const elseIf = node(n, 'elseIf');
    const otherwise = elseIf ? [this.ifStmt(elseIf)] : node(n, 'otherwise') ? this.stmtBlock(node(n, 'otherwise')) : undefined;
    return { kind: 'if', cond, then, otherwise, annotations: [], span };
  }

  private forIterable(n: CstNode | undefined): A.Expr | A.RangeNode {
    const start = this.expr(node(n, 'start'));
    if (!token(n, 'DotDot')) return start;
    const end = this.expr(node(n, 'end'));
    return { kind: 'range', start, end, span: this.join(start.span, end.span) };
  }

  // ---- types ----

  private optionalType(n: CstNode | undefined, isResult = false): A.TypeNode | undefined {
    return n ? this.type(n, isResult) : undefined;
  }

  /** The name of each element of a result tuple: the `name:` written just before that element's type. */
  private tupleNames(tuple: CstNode): (A.Ident | undefined)[] {
    const names = tokens(tuple, 'resultName');
    const starts = nodes(tuple, 'type').map((t) => firstOffset(t));
    return starts.map((start, i) => {
      const name = names.find((t) => t.startOffset < start && (i === 0 || t.startOffset > starts[i - 1]));
      return name ? this.ident(name) : undefined;
    });
  }

  /** `isResult`: the type is a method's result type, whose tuple elements may be named. */
  private type(n: CstNode | undefined, isResult = false): A.TypeNode {
    if (!n) return this.missing();
    const span = this.span(n);
    const tensor = node(n, 'tensorType');
    if (tensor) {
      const dtype = token(tensor, 'DTypeName');
      if (!dtype) return this.missing();
      if (!token(tensor, 'LBracket')) return { kind: 'namedType', name: dtype.image, span };
      return { kind: 'tensorType', dtype: dtype.image as DType, shape: nodes(tensor, 'dim').map((d) => this.dim(d)), span };
    }
    const element = node(n, 'element');
    if (element) return { kind: 'listType', element: this.type(element), span };
    const tuple = node(n, 'tupleType');
    if (tuple) {
      const named = tokens(tuple, 'resultName')[0];
      if (named && !isResult) {
        this.diagnostics.push(new Diagnostic('DSC5002', `a result name ('${named.image}:') belongs only in a method's result type`, {
          file: this.file, line: named.startLine!, col: named.startColumn!, length: named.image.length,
        }));
      }
      return { kind: 'tupleType', elements: nodes(tuple, 'type').map((t) => this.type(t)), span };
    }
    const name = token(n, 'Identifier');
    return name ? { kind: 'namedType', name: name.image, span } : this.missing();
  }

  private dim(n: CstNode): A.DimNode {
    const span = this.span(n);
    if (token(n, 'Underscore')) return { kind: 'dimWildcard', span };
    if (token(n, 'DotDot')) return { kind: 'dimVariadic', name: token(n, 'Identifier')?.image ?? '', span };
    return this.dimOperation(node(n, 'dimSum'));
  }

  private dimOperation(n: CstNode | undefined): A.DimNode {
    const operands = nodes(n, 'operand').map((o) => (o.name === 'dimAtom' ? this.dimAtom(o) : this.dimOperation(o)));
    const operators = tokens(n, 'operator');
    let acc = operands[0] ?? this.missing();
    operators.forEach((op, i) => {
      const right = operands[i + 1] ?? this.missing();
      acc = { kind: 'dimBinary', op: op.image as A.DimBinary['op'], left: acc, right, span: this.join(acc.span, right.span) };
    });
    return acc;
  }

  private dimAtom(n: CstNode): A.DimNode {
    const num = token(n, 'NumberLiteral');
    if (num) {
      const span = this.tokenSpan(num);
      if (!/^\d+$/.test(num.image)) {
        this.diagnostics.push(new Diagnostic('DSC5006', `a dimension must be a non-negative integer, not ${num.image}`,
          { file: this.file, line: span.line, col: span.col, length: span.length }));
      }
      return { kind: 'dimInt', value: Number(num.image), span };
    }
    const name = token(n, 'Identifier');
    if (name) return { kind: 'dimName', name: name.image, span: this.tokenSpan(name) };
    return this.dimOperation(node(n, 'dimSum'));
  }

  // ---- expressions ----

  private expr(n: CstNode | undefined): A.Expr {
    if (!n) return this.missing();
    switch (n.name) {
      case 'expr': {
        const cond = this.expr(node(n, 'cond'));
        if (!token(n, 'Question')) return cond;
        const then = this.expr(node(n, 'then'));
        const otherwise = this.expr(node(n, 'otherwise'));
        return { kind: 'conditional', cond, then, otherwise, span: this.join(cond.span, otherwise.span) };
      }
      case 'orExpr': case 'andExpr': case 'comparison': case 'additive': case 'multiplicative': {
        const operands = nodes(n, 'operand').map((o) => this.expr(o));
        let acc = operands[0] ?? this.missing();
        tokens(n, 'operator').forEach((op, i) => {
          const right = operands[i + 1] ?? this.missing();
          acc = { kind: 'binary', op: op.image as A.BinaryOp, left: acc, right, span: this.join(acc.span, right.span) };
        });
        return acc;
      }
      case 'unary': {
        const op = token(n, 'operator');
        if (!op) return this.expr(node(n, 'power'));
        const opSpan = this.tokenSpan(op);
        const operand = this.expr(node(n, 'operand'));
        return { kind: 'unary', op: op.image as A.UnaryOp, operand, span: this.join(opSpan, operand.span) };
      }
      case 'power': {
        const base = this.expr(node(n, 'postfix'));
        const exponent = node(n, 'exponent');
        if (!exponent) return base;
        const right = this.expr(exponent);
        return { kind: 'binary', op: '**', left: base, right, span: this.join(base.span, right.span) };
      }
      case 'postfix': return this.postfix(n);
      default: return this.missing();
    }
  }

  private postfix(n: CstNode): A.Expr {
    let acc = this.primary(node(n, 'primary'));
    for (const op of nodes(n, 'postfixOp')) {
      const opSpan = this.span(op);
      const call = node(op, 'callArgs');
      const index = node(op, 'indexSuffix');
      const span = this.join(acc.span, opSpan);
      if (call) acc = { kind: 'call', callee: acc, args: this.args(call), span };
      else if (index) acc = { kind: 'index', object: acc, indices: nodes(index, 'indexItem').map((i) => this.indexItem(i)), span };
      else acc = { kind: 'member', object: acc, property: this.ident(token(op, 'Identifier')), span };
    }
    return acc;
  }

  private args(n: CstNode | undefined): A.Arg[] {
    return nodes(n, 'arg').map((a) => {
      const span = this.span(a);
      const name = token(a, 'Identifier');
      return { kind: 'arg', name: name ? this.ident(name) : undefined, value: this.expr(node(a, 'expr')), span };
    });
  }

  private indexItem(n: CstNode): A.IndexItem {
    const span = this.span(n);
    if (token(n, 'DotDot')) return { kind: 'ellipsis', span };
    const start = node(n, 'start');
    const tail = node(n, 'sliceTail');
    if (!tail) return this.expr(start);
    const end = node(tail, 'end');
    const step = node(tail, 'step');
    return {
      kind: 'slice', start: start ? this.expr(start) : undefined, end: end ? this.expr(end) : undefined,
      step: step ? this.expr(step) : undefined, span,
    };
  }

  private primary(n: CstNode | undefined): A.Expr {
    if (!n) return this.missing();
    const t = token(n, 'NumberLiteral');
    if (t) return { kind: 'number', value: Number(t.image), isInteger: /^\d+$/.test(t.image), span: this.tokenSpan(t) };
    const s = token(n, 'StringLiteral');
    if (s) return this.stringLit(s);
    const b = token(n, 'True') ?? token(n, 'False');
    if (b) return { kind: 'bool', value: b.image === 'true', span: this.tokenSpan(b) };
    const d = token(n, 'DTypeName');
    if (d && isDType(d.image)) return { kind: 'dtype', dtype: d.image, span: this.tokenSpan(d) };
    const name = token(n, 'Identifier');
    if (name) return { kind: 'name', name: name.image, span: this.tokenSpan(name) };
    const paren = node(n, 'parenExpr');
    if (paren) {
      const span = this.span(paren);
      const elements = nodes(paren, 'expr').map((e) => this.expr(e));
      if (elements.length === 1 && !token(paren, 'Comma')) return elements[0];
      return { kind: 'tuple', elements, span };
    }
    const list = node(n, 'listExpr');
    if (list) {
      const span = this.span(list);
      return { kind: 'list', elements: nodes(list, 'expr').map((e) => this.expr(e)), span };
    }
    const ifExpr = node(n, 'ifExpr');
    if (ifExpr) return this.ifExpr(ifExpr);
    const forExpr = node(n, 'forExpr');
    if (forExpr) {
      const span = this.span(forExpr);
      return {
        kind: 'forExpr', variable: this.ident(token(forExpr, 'Identifier')), iterable: this.forIterable(node(forExpr, 'forIterable')),
        body: this.expr(node(node(forExpr, 'exprBlock'), 'expr')), span,
      };
    }
    const choose = node(n, 'chooseExpr');
    if (choose) {
      const span = this.span(choose);
      return { kind: 'choose', options: nodes(choose, 'expr').map((e) => this.expr(e)), span };
    }
    return this.missing();
  }

  private ifExpr(n: CstNode): A.IfExpr {
    const span = this.span(n);
    const cond = this.expr(node(n, 'cond'));
    const then = this.expr(node(node(n, 'then'), 'expr'));
    const elseIf = node(n, 'elseIf');
    const otherwiseBlock = node(n, 'otherwise');
    const otherwise = elseIf ? this.ifExpr(elseIf) : otherwiseBlock ? this.expr(node(otherwiseBlock, 'expr')) : undefined;
    return { kind: 'ifExpr', cond, then, otherwise, span };
  }
}
