import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDs } from '../../../src/frontend/ds/parse.js';
import type { BlockDecl, Expr, FieldMember, MethodDecl, Stmt } from '../../../src/frontend/ds/ast.js';
import { astJson, withoutSpans } from './ast-json.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseDs on whole models', () => {
  for (const name of ['resnet18', 'mlp', 'transformer', 'mbconv', 'swish']) {
    it(`parses ${name}.ds without diagnostics and matches its AST snapshot`, async () => {
      const { ast, diagnostics } = parseDs(fixture(`${name}.ds`), `${name}.ds`);
      expect(diagnostics).toEqual([]);
      await expect(astJson(ast)).toMatchFileSnapshot(`__snapshots__/${name}.ast.json`);
    });
  }

  it('gives ResNet-18 its blocks, members and state_dict-shaped member names', () => {
    const { ast } = parseDs(fixture('resnet18.ds'), 'resnet18.ds');
    expect(ast.imports.map((i) => [i.names.map((n) => n.name), i.from.value])).toEqual([[['Conv2d', 'BatchNorm2d', 'Linear', 'Sequential'], 'std/nn']]);
    const blocks = ast.decls as BlockDecl[];
    expect(blocks.map((b) => [b.name.name, b.isModel, b.params.map((p) => p.name.name)])).toEqual([
      ['BasicBlock', false, ['cin', 'cout', 'stride']],
      ['Stage', false, ['cin', 'cout', 'blocks', 'stride']],
      ['ResNet18', true, []],
    ]);
    expect(blocks[2].members.map((m) => `${m.kind}:${m.name.name}`)).toEqual([
      'field:conv1', 'field:bn1', 'field:layer1', 'field:layer2', 'field:layer3', 'field:layer4', 'field:fc', 'method:forward',
    ]);
  });
});

/** The value of `a = <source>` in a model. */
function exprOf(source: string): unknown {
  const { ast, diagnostics } = parseDs(`model M {\n  a = ${source}\n}\n`, 'e.ds');
  expect(diagnostics).toEqual([]);
  return withoutSpans(((ast.decls[0] as BlockDecl).members[0] as FieldMember).value);
}

const name = (n: string) => ({ kind: 'name', name: n });
const int = (value: number) => ({ kind: 'number', value, isInteger: true });
const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'binary', op, left, right });

describe('expressions', () => {
  it('binds ** tighter than unary minus, and * / % @ tighter than + -', () => {
    expect(exprOf('-a ** 2 + b * c @ d')).toEqual(
      bin('+', { kind: 'unary', op: '-', operand: bin('**', name('a'), int(2)) }, bin('@', bin('*', name('b'), name('c')), name('d'))),
    );
  });

  it('makes ** right-associative and the other binary operators left-associative', () => {
    expect(exprOf('a ** b ** c')).toEqual(bin('**', name('a'), bin('**', name('b'), name('c'))));
    expect(exprOf('a - b - c')).toEqual(bin('-', bin('-', name('a'), name('b')), name('c')));
  });

  it('orders comparison, &&, || and the conditional from tightest to loosest', () => {
    expect(exprOf('a < b || c != d && !e ? x : y')).toEqual({
      kind: 'conditional',
      cond: bin('||', bin('<', name('a'), name('b')), bin('&&', bin('!=', name('c'), name('d')), { kind: 'unary', op: '!', operand: name('e') })),
      then: name('x'),
      otherwise: name('y'),
    });
  });

  it('parses calls with positional and named arguments, member access and indexing', () => {
    expect(exprOf('blocks[0].conv(x, stride: 2)')).toEqual({
      kind: 'call',
      callee: { kind: 'member', object: { kind: 'index', object: name('blocks'), indices: [int(0)] }, property: { kind: 'ident', name: 'conv' } },
      args: [{ kind: 'arg', value: name('x') }, { kind: 'arg', name: { kind: 'ident', name: 'stride' }, value: int(2) }],
    });
  });

  it('parses slices with omitted parts and the ellipsis', () => {
    expect(exprOf('x[:, 0, 1:3, ::2, ..]')).toEqual({
      kind: 'index', object: name('x'),
      indices: [
        { kind: 'slice' }, int(0), { kind: 'slice', start: int(1), end: int(3) }, { kind: 'slice', step: int(2) }, { kind: 'ellipsis' },
      ],
    });
  });

  it('tells a parenthesized expression from a tuple', () => {
    expect(exprOf('(a)')).toEqual(name('a'));
    expect(exprOf('(a,)')).toEqual({ kind: 'tuple', elements: [name('a')] });
    expect(exprOf('(a, 1.5, "s", true, f16)')).toEqual({
      kind: 'tuple',
      elements: [name('a'), { kind: 'number', value: 1.5, isInteger: false }, { kind: 'string', value: 's' }, { kind: 'bool', value: true }, { kind: 'dtype', dtype: 'f16' }],
    });
  });

  it('parses if, for and choose as expressions', () => {
    expect(exprOf('if c { A(1) } else if d { B } else { [] }')).toEqual({
      kind: 'ifExpr', cond: name('c'), then: { kind: 'call', callee: name('A'), args: [{ kind: 'arg', value: int(1) }] },
      otherwise: { kind: 'ifExpr', cond: name('d'), then: name('B'), otherwise: { kind: 'list', elements: [] } },
    });
    expect(exprOf('for i in 0..n { L(i) }')).toEqual({
      kind: 'forExpr', variable: { kind: 'ident', name: 'i' },
      iterable: { kind: 'range', start: int(0), end: name('n') },
      body: { kind: 'call', callee: name('L'), args: [{ kind: 'arg', value: name('i') }] },
    });
    expect(exprOf('choose(3, 5, 7,)')).toEqual({ kind: 'choose', options: [int(3), int(5), int(7)] });
  });

  it('decodes string escapes', () => {
    expect(exprOf('"a\\"b\\\\c\\n"')).toEqual({ kind: 'string', value: 'a"b\\c\n' });
  });

  it('gives every node the span of its text', () => {
    const { ast } = parseDs('model M {\n  a = f(x) + 1\n}', 'e.ds');
    const value = ((ast.decls[0] as BlockDecl).members[0] as FieldMember).value as Expr & { kind: 'binary' };
    expect(value.span).toEqual({ file: 'e.ds', line: 2, col: 7, endLine: 2, endCol: 15, offset: 16, length: 8 });
    expect(value.left.span).toEqual({ file: 'e.ds', line: 2, col: 7, endLine: 2, endCol: 11, offset: 16, length: 4 });
    expect(ast.span).toEqual({ file: 'e.ds', line: 1, col: 1, endLine: 3, endCol: 2, offset: 0, length: 26 });
  });
});

describe('types, members and statements', () => {
  it('parses tensor types with dim arithmetic, wildcards and variadic dims', () => {
    const { ast, diagnostics } = parseDs('model M {\n  param w: f32[2*C + 1, (H - k) / s, _, ..S]\n  param t: f32[]\n}', 't.ds');
    expect(diagnostics).toEqual([]);
    const [w, t] = (ast.decls[0] as BlockDecl).members.map(withoutSpans);
    const dim = (n: string) => ({ kind: 'dimName', name: n });
    expect(w).toEqual({
      kind: 'weight', name: { kind: 'ident', name: 'w' }, annotations: [],
      type: {
        kind: 'tensorType', dtype: 'f32',
        shape: [
          { kind: 'dimBinary', op: '+', left: { kind: 'dimBinary', op: '*', left: { kind: 'dimInt', value: 2 }, right: dim('C') }, right: { kind: 'dimInt', value: 1 } },
          { kind: 'dimBinary', op: '/', left: { kind: 'dimBinary', op: '-', left: dim('H'), right: dim('k') }, right: dim('s') },
          { kind: 'dimWildcard' },
          { kind: 'dimVariadic', name: 'S' },
        ],
      },
    });
    expect(t).toEqual({ kind: 'weight', name: { kind: 'ident', name: 't' }, annotations: [], type: { kind: 'tensorType', dtype: 'f32', shape: [] } });
  });

  it('parses compile-time parameter types: named, bool, lists', () => {
    const { ast, diagnostics } = parseDs('block B(n: int, on: bool = true, sizes: [int] = [1, 2], dt: dtype = f16) {}', 'p.ds');
    expect(diagnostics).toEqual([]);
    expect((ast.decls[0] as BlockDecl).params.map((p) => withoutSpans(p.type))).toEqual([
      { kind: 'namedType', name: 'int' },
      { kind: 'namedType', name: 'bool' },
      { kind: 'listType', element: { kind: 'namedType', name: 'int' } },
      { kind: 'namedType', name: 'dtype' },
    ]);
  });

  it('lets contextual keywords name members: model, param, block, op, extern', () => {
    const { ast, diagnostics } = parseDs('model model {\n  model = A()\n  param param: f32[1]\n  block = op(extern)\n}', 'k.ds');
    expect(diagnostics).toEqual([]);
    expect((ast.decls[0] as BlockDecl).members.map((m) => `${m.kind}:${m.name.name}`)).toEqual(['field:model', 'weight:param', 'field:block']);
  });

  it('parses let with a type and destructuring, assignment, if/else if/else and for', () => {
    const src = 'model M {\n  f(x: f32[N]) -> f32[N] {\n    let (a, b): (f32[N], f32[N]) = g(x)\n    if a { x = a } else if b { x = b } else { return x }\n    for i in xs { x = i }\n    return x\n  }\n}';
    const { ast, diagnostics } = parseDs(src, 's.ds');
    expect(diagnostics).toEqual([]);
    const body = ((ast.decls[0] as BlockDecl).members[0] as MethodDecl).body;
    const shape = (s: Stmt): unknown => {
      switch (s.kind) {
        case 'let': return ['let', s.names.map((n) => n.name), s.destructure, s.type?.kind];
        case 'if': return ['if', s.then.map(shape), s.otherwise?.map(shape)];
        case 'for': return ['for', s.variable.name, s.iterable.kind, s.body.map(shape)];
        case 'assign': return ['assign', s.target.name];
        case 'return': return ['return'];
      }
    };
    expect(body.map(shape)).toEqual([
      ['let', ['a', 'b'], true, 'tupleType'],
      ['if', [['assign', 'x']], [['if', [['assign', 'x']], [['return']]]]],
      ['for', 'i', 'name', [['assign', 'x']]],
      ['return'],
    ]);
  });

  it('reads @name at the start of a line as an annotation and x@w or a @ b as matmul', () => {
    const src = 'model M {\n  @precision(f16) @fuse\n  a = x@w\n  b = x @ w\n  @sparsity(0.5) c = q\n  @keep d = 1\n}';
    const { ast, diagnostics } = parseDs(src, 'a.ds');
    expect(diagnostics).toEqual([]);
    const [a, b, c, d] = (ast.decls[0] as BlockDecl).members.map((m) => withoutSpans(m)) as FieldMember[];
    expect(a.annotations).toEqual([
      { kind: 'annotation', name: { kind: 'ident', name: 'precision' }, args: [{ kind: 'arg', value: { kind: 'dtype', dtype: 'f16' } }] },
      { kind: 'annotation', name: { kind: 'ident', name: 'fuse' }, args: [] },
    ]);
    expect(a.value).toEqual(bin('@', name('x'), name('w')));
    expect(b.value).toEqual(bin('@', name('x'), name('w')));
    expect(c.annotations.map((n) => n.name.name)).toEqual(['sparsity']);
    expect(c.value).toEqual(name('q'));
    expect(d.annotations.map((n) => n.name.name)).toEqual(['keep']);
  });

  it('names a single result or tuple results in the signature, and tells `name: f32` from the named type `int`', () => {
    const { ast, diagnostics } = parseDs(`block B() {
  one(x: f32[N]) -> logits: f32[N] { return x }
  two(x: f32[N]) -> (logits: f32[N], f32[N], probs: f32[N]) { return (x, x, x) }
  plain(x: f32[N]) -> int { return 1 }
  pair(x: f32[N]) -> (int, f32[N]) { return (1, x) }
}`, 'net.ds');
    expect(diagnostics).toEqual([]);
    const [one, two, plain, pair] = (ast.decls[0] as BlockDecl).members as MethodDecl[];
    expect(one.resultNames?.map((n) => n?.name)).toEqual(['logits']);
    expect(withoutSpans(one.returnType)).toEqual({ kind: 'tensorType', dtype: 'f32', shape: [{ kind: 'dimName', name: 'N' }] });
    expect(two.resultNames?.map((n) => n?.name)).toEqual(['logits', undefined, 'probs']);
    expect(two.resultNames?.[2]?.span).toMatchObject({ line: 3, col: 46 });
    expect((two.returnType as { elements: unknown[] }).elements).toHaveLength(3);
    expect(plain.resultNames).toBeUndefined();
    expect(withoutSpans(plain.returnType)).toEqual({ kind: 'namedType', name: 'int' });
    expect(pair.resultNames).toBeUndefined();
  });
});
