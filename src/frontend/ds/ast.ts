// The .ds abstract syntax tree: plain typed objects, each with the source span it came from, so the
// checker and the lowering to IR can point every diagnostic at the text the user wrote.
import type { DType } from '../../ir/dtype.js';

/** A source range. Lines and columns are 1-based; `endLine`/`endCol` is the position just past the last character. */
export interface Span {
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** 0-based offset of the first character */
  offset: number;
  length: number;
}

/** A declared name (block, member, parameter, variable). */
export interface Ident { kind: 'ident'; name: string; span: Span }

export interface DsModule { kind: 'module'; file: string; imports: ImportDecl[]; decls: Decl[]; span: Span }

/** `import { A, B } from "std/nn"` or from a relative path `"./blocks"`. */
export interface ImportDecl { kind: 'import'; names: Ident[]; from: StringLit; span: Span }

export type Decl = BlockDecl | ExternOpDecl;

/** `@name` or `@name(args)`: steers passes (precision, quantize, sparsity, ...). */
export interface Annotation { kind: 'annotation'; name: Ident; args: Arg[]; span: Span }

/** `block Name(params) { members }`, or `model Name { members }` (no parameters; the compilation root). */
export interface BlockDecl {
  kind: 'block';
  isModel: boolean;
  name: Ident;
  params: Param[];
  members: Member[];
  annotations: Annotation[];
  span: Span;
}

/** `extern op name(params) -> type { target "path" ... }`: a plugin with one kernel file per target. */
export interface ExternOpDecl {
  kind: 'externOp';
  name: Ident;
  params: Param[];
  returnType: TypeNode | undefined;
  kernels: KernelRef[];
  annotations: Annotation[];
  span: Span;
}
/** `cpu "ops/my_swish.cc"`: the target name is checked later against the known targets. */
export interface KernelRef { kind: 'kernel'; target: Ident; path: StringLit; span: Span }

/** A parameter of a block, method or extern op: `cin: int`, `stride: int = 1`, `x: f32[N, C]`. */
export interface Param { kind: 'param'; name: Ident; type: TypeNode; default: Expr | undefined; span: Span }

export type Member = FieldMember | WeightMember | MethodDecl;

/** `conv1 = Conv2d(...)`, `layer1 = [...]`, `downsample = if c { ... }`, `k = choose(3, 5)`. */
export interface FieldMember { kind: 'field'; name: Ident; value: Expr; annotations: Annotation[]; span: Span }
/** `param weight: f32[cout, cin, k, k]`: a raw parameter, loaded by its state_dict path. */
export interface WeightMember { kind: 'weight'; name: Ident; type: TypeNode; annotations: Annotation[]; span: Span }
/** `forward(x: f32[N, C]) -> f32[N, D] { statements }`. */
export interface MethodDecl {
  kind: 'method';
  name: Ident;
  params: Param[];
  returnType: TypeNode | undefined;
  /** `-> logits: f32[...]` or `-> (logits: f32[...], f32[...])`: one entry per result, present when any is named */
  resultNames?: (Ident | undefined)[];
  body: Stmt[];
  annotations: Annotation[];
  span: Span;
}

// ---- types ----

export type TypeNode = TensorTypeNode | NamedTypeNode | ListTypeNode | TupleTypeNode | MissingNode;
/** `f32[N, C, H*2, _, ..S]`; `f32[]` is a scalar tensor. */
export interface TensorTypeNode { kind: 'tensorType'; dtype: DType; shape: DimNode[]; span: Span }
/** A compile-time type by name: `int`, `float`, `bool`, `string`, `dtype` (the checker resolves it). */
export interface NamedTypeNode { kind: 'namedType'; name: string; span: Span }
/** `[int]`: a list of compile-time values. */
export interface ListTypeNode { kind: 'listType'; element: TypeNode; span: Span }
/** `(f32[N, C], f32[N])`: several results. */
export interface TupleTypeNode { kind: 'tupleType'; elements: TypeNode[]; span: Span }

export type DimNode = DimInt | DimName | DimWildcard | DimVariadic | DimBinary | MissingNode;
export interface DimInt { kind: 'dimInt'; value: number; span: Span }
/** a named dim (`N`) or a block parameter (`cin`) */
export interface DimName { kind: 'dimName'; name: string; span: Span }
/** `_`: any size, not bound to a name */
export interface DimWildcard { kind: 'dimWildcard'; span: Span }
/** `..S`: any number of dims, bound to S */
export interface DimVariadic { kind: 'dimVariadic'; name: string; span: Span }
export interface DimBinary { kind: 'dimBinary'; op: '+' | '-' | '*' | '/' | '%'; left: DimNode; right: DimNode; span: Span }

// ---- statements ----

export type Stmt = LetStmt | AssignStmt | ReturnStmt | IfStmt | ForStmt;
/** `let y = e`, `let y: f32[N, C] = e`, `let (q, k) = e` */
export interface LetStmt {
  kind: 'let';
  names: Ident[];
  /** true for `let (a, b) = e` */
  destructure: boolean;
  type: TypeNode | undefined;
  value: Expr;
  annotations: Annotation[];
  span: Span;
}
export interface AssignStmt { kind: 'assign'; target: Ident; value: Expr; annotations: Annotation[]; span: Span }
export interface ReturnStmt { kind: 'return'; value: Expr; annotations: Annotation[]; span: Span }
/** Compile-time `if`, unrolled: `else if` is an IfStmt alone in `otherwise`. */
export interface IfStmt { kind: 'if'; cond: Expr; then: Stmt[]; otherwise: Stmt[] | undefined; annotations: Annotation[]; span: Span }
/** Compile-time `for`, unrolled: over a range `a..b` or a list (`for blk in layer1`). */
export interface ForStmt { kind: 'for'; variable: Ident; iterable: Expr | RangeNode; body: Stmt[]; annotations: Annotation[]; span: Span }
/** `start..end`, end excluded; only in a `for` head. */
export interface RangeNode { kind: 'range'; start: Expr; end: Expr; span: Span }

// ---- expressions ----

export type Expr =
  | NumberLit | StringLit | BoolLit | NameExpr | DTypeLit | ListExpr | TupleExpr
  | UnaryExpr | BinaryExpr | ConditionalExpr | CallExpr | MemberExpr | IndexExpr
  | IfExpr | ForExpr | ChooseExpr | MissingNode;

export interface NumberLit { kind: 'number'; value: number; isInteger: boolean; span: Span }
export interface StringLit { kind: 'string'; value: string; span: Span }
export interface BoolLit { kind: 'bool'; value: boolean; span: Span }
export interface NameExpr { kind: 'name'; name: string; span: Span }
/** a dtype used as a value: `@precision(f16)`, `cast(x, i64)` */
export interface DTypeLit { kind: 'dtype'; dtype: DType; span: Span }
export interface ListExpr { kind: 'list'; elements: Expr[]; span: Span }
/** `(a, b)`; `(a)` is just `a` */
export interface TupleExpr { kind: 'tuple'; elements: Expr[]; span: Span }

export type UnaryOp = '-' | '!';
export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '**' | '@' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';
export interface UnaryExpr { kind: 'unary'; op: UnaryOp; operand: Expr; span: Span }
export interface BinaryExpr { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; span: Span }
/** `c ? a : b` */
export interface ConditionalExpr { kind: 'conditional'; cond: Expr; then: Expr; otherwise: Expr; span: Span }

/** A call argument: positional (`name` undefined) or named (`stride: 2`). */
export interface Arg { kind: 'arg'; name: Ident | undefined; value: Expr; span: Span }
export interface CallExpr { kind: 'call'; callee: Expr; args: Arg[]; span: Span }
export interface MemberExpr { kind: 'member'; object: Expr; property: Ident; span: Span }
/** `x[:, 0, 1:3]`, `x[.., -1]` */
export interface IndexExpr { kind: 'index'; object: Expr; indices: IndexItem[]; span: Span }
export type IndexItem = Expr | SliceNode | EllipsisNode;
/** `start:end:step`, each part optional */
export interface SliceNode { kind: 'slice'; start: Expr | undefined; end: Expr | undefined; step: Expr | undefined; span: Span }
/** `..`: all remaining axes */
export interface EllipsisNode { kind: 'ellipsis'; span: Span }

/** `if c { a } else { b }`; without `else` the value is absent when `c` is false (an optional member). */
export interface IfExpr { kind: 'ifExpr'; cond: Expr; then: Expr; otherwise: Expr | undefined; span: Span }
/** `for i in 0..n { e }`: a list with one element per iteration. */
export interface ForExpr { kind: 'forExpr'; variable: Ident; iterable: Expr | RangeNode; body: Expr; span: Span }
/** `choose(3, 5, 7)`: a NAS search point, named by its member path. */
export interface ChooseExpr { kind: 'choose'; options: Expr[]; span: Span }
/** Where a syntax error left no expression, type or dim; only present when diagnostics were reported. */
export interface MissingNode { kind: 'missing'; span: Span }
