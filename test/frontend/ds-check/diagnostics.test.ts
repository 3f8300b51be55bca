// Every user mistake the .ds checker reports, with the exact rendered diagnostic: code, message,
// location, code frame and notes. Sources live at /virtual/...; std/nn.ds paths show as ROOT/std/nn.ds.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diag/diagnostic.js';
import { compileDs } from '../../../src/frontend/ds/compile.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const CASES: { name: string; src: string; files?: Record<string, string>; choose?: Record<string, string | number>; expected: string }[] = [
  {
    name: 'unknown builtin with a suggestion', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] { return rellu(x) }\n}`,
    expected: "/virtual/net.ds:2:47: error DSC5011: unknown name 'rellu'; did you mean 'relu'?\n 2 |   forward(x: f32[N, 4]) -> f32[N, 4] { return rellu(x) }\n   |                                               ^^^^^",
  },
  {
    name: 'unknown local with a suggestion', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] {\n    let hidden = relu(x)\n    return hiden\n  }\n}`,
    expected: "/virtual/net.ds:4:12: error DSC5011: unknown name 'hiden'; did you mean 'hidden'?\n 4 |     return hiden\n   |            ^^^^^",
  },
  {
    name: 'unknown block', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linaer(4, 4)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:3:8: error DSC5011: unknown name 'Linaer'; did you mean 'Linear'?\n 3 |   fc = Linaer(4, 4)\n   |        ^^^^^^",
  },
  {
    name: 'unknown member of an instance', src: `block B() {\n  forward(x: f32[N]) -> f32[N] { return x }\n}\nmodel M {\n  b = B()\n  forward(x: f32[N]) -> f32[N] { return b.fwd(x) }\n}`,
    expected: "/virtual/net.ds:6:43: error DSC5011: B has no member 'fwd'\n 6 |   forward(x: f32[N]) -> f32[N] { return b.fwd(x) }\n   |                                           ^^^",
  },
  {
    name: 'import of an unknown name', src: `import { Conv3d } from "std/nn"\nmodel M {\n  forward(x: f32[N]) -> f32[N] { return x }\n}`,
    expected: "/virtual/net.ds:1:10: error DSC5009: 'std/nn' has no declaration 'Conv3d'; did you mean 'Conv1d'?\n 1 | import { Conv3d } from \"std/nn\"\n   |          ^^^^^^\n  note: 'std/nn' declares: AdaptiveAvgPool2d, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv1d, Conv2d, ConvTranspose2d, Dropout, Embedding, Flatten, GELU, GroupNorm, Identity, LayerNorm, Linear, MaxPool2d, MultiheadAttention, RMSNorm, ReLU, ReLU6, Sequential, SiLU, Sigmoid, Softmax, Tanh, Upsample",
  },
  {
    name: 'import of a missing std module', src: `import { Linear } from "std/layers"\nmodel M {\n  forward(x: f32[N]) -> f32[N] { return x }\n}`,
    expected: "/virtual/net.ds:1:24: error DSC5007: the standard library has no module 'std/layers'\n 1 | import { Linear } from \"std/layers\"\n   |                        ^^^^^^^^^^^^",
  },
  {
    name: 'import of a missing relative file', src: `import { Blk } from "./blocks"\nmodel M {\n  forward(x: f32[N]) -> f32[N] { return x }\n}`,
    expected: "/virtual/net.ds:1:21: error DSC5007: cannot read './blocks' (looked for /virtual/blocks.ds)\n 1 | import { Blk } from \"./blocks\"\n   |                     ^^^^^^^^^^",
  },
  {
    name: 'import cycle', src: `import { A } from "./a"\nmodel M {\n  forward(x: f32[N]) -> f32[N] { return x }\n}`, files: { '/virtual/a.ds': `import { B } from "./b"\nblock A() {}`, '/virtual/b.ds': `import { A } from "./a"\nblock B() {}` },
    expected: "/virtual/b.ds:1:19: error DSC5008: import cycle: /virtual/a.ds -> /virtual/b.ds -> /virtual/a.ds\n 1 | import { A } from \"./a\"\n   |                   ^^^^^",
  },
  {
    name: 'no model', src: `block B() {\n  forward(x: f32[N]) -> f32[N] { return x }\n}`,
    expected: "/virtual/net.ds:1:1: error DSC5010: /virtual/net.ds declares no model; the model is what dsc compiles (`model Name { ... }`)\n 1 | block B() {\n   | ^",
  },
  {
    name: 'two models', src: `model A {\n  forward(x: f32[N]) -> f32[N] { return x }\n}\nmodel B {\n  forward(x: f32[N]) -> f32[N] { return x }\n}`,
    expected: "/virtual/net.ds:4:7: error DSC5010: /virtual/net.ds declares 2 models; a file compiles exactly one\n 4 | model B {\n   |       ^\n  /virtual/net.ds:1:7: note: the first model, A\n   1 | model A {\n     |       ^",
  },
  {
    name: 'block declared twice', src: `block B() {}\nblock B() {}\nmodel M {\n  forward(x: f32[N]) -> f32[N] { return x }\n}`,
    expected: "/virtual/net.ds:2:7: error DSC5012: 'B' is declared twice in this file\n 2 | block B() {}\n   |       ^\n  /virtual/net.ds:1:7: note: the first 'B'\n   1 | block B() {}\n     |       ^",
  },
  {
    name: 'member declared twice', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(4, 4)\n  fc = Linear(4, 8)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:4:3: error DSC5012: M declares 'fc' twice\n 4 |   fc = Linear(4, 8)\n   |   ^^\n  /virtual/net.ds:3:3: note: the first 'fc'\n   3 |   fc = Linear(4, 4)\n     |   ^^",
  },
  {
    name: 'parameter declared twice', src: `model M {\n  param w: f32[4]\n  param w: f32[4]\n  forward(x: f32[N, 4]) -> f32[N, 4] { return x * w }\n}`,
    expected: "/virtual/net.ds:3:9: error DSC5012: M declares 'w' twice\n 3 |   param w: f32[4]\n   |         ^\n  /virtual/net.ds:2:9: note: the first 'w'\n   2 |   param w: f32[4]\n     |         ^",
  },
  {
    name: 'direct recursion', src: `block R(n: int) {\n  inner = R(n)\n}\nmodel M {\n  r = R(2)\n  forward(x: f32[N]) -> f32[N] { return x }\n}`,
    expected: "/virtual/net.ds:2:11: error DSC5013: block R instantiates itself: R -> R\n 2 |   inner = R(n)\n   |           ^^^^",
  },
  {
    name: 'indirect recursion', src: `block A() {\n  b = B()\n}\nblock B() {\n  a = A()\n}\nmodel M {\n  a = A()\n  forward(x: f32[N]) -> f32[N] { return x }\n}`,
    expected: "/virtual/net.ds:5:7: error DSC5013: block A instantiates itself: A -> B -> A\n 5 |   a = A()\n   |       ^^^\n  /virtual/net.ds:2:7: note: B is instantiated here\n   2 |   b = B()\n     |       ^^^",
  },
  {
    name: 'too many block arguments', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(4, 4, true, 7)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:3:27: error DSC5014: Linear takes 3 arguments (in_features, out_features, bias), got 4\n 3 |   fc = Linear(4, 4, true, 7)\n   |                           ^",
  },
  {
    name: 'unknown named block argument', src: `import { Conv2d } from "std/nn"\nmodel M {\n  c = Conv2d(3, 8, 3, strides: 2)\n  forward(x: f32[N, 3, 8, 8]) -> f32[N, 8, _, _] { return c(x) }\n}`,
    expected: "/virtual/net.ds:3:23: error DSC5014: Conv2d has no parameter 'strides'; did you mean 'stride'?\n 3 |   c = Conv2d(3, 8, 3, strides: 2)\n   |                       ^^^^^^^\n  note: its parameters are: in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias",
  },
  {
    name: 'missing block argument', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(4)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:3:8: error DSC5014: Linear needs 'out_features': missing argument\n 3 |   fc = Linear(4)\n   |        ^^^^^^^^^",
  },
  {
    name: 'argument given twice', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(4, 4, out_features: 4)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:3:21: error DSC5014: Linear: parameter 'out_features' is given twice\n 3 |   fc = Linear(4, 4, out_features: 4)\n   |                     ^^^^^^^^^^^^^^^",
  },
  {
    name: 'compile-time argument of the wrong type', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(4, "four")\n  forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:3:18: error DSC5015: parameter 'out_features' of Linear must be an int, got string \"four\"\n 3 |   fc = Linear(4, \"four\")\n   |                  ^^^^^^",
  },
  {
    name: 'unknown compile-time type', src: `block B(n: integer) {}\nmodel M {\n  b = B(1)\n  forward(x: f32[N]) -> f32[N] { return x }\n}`,
    expected: "/virtual/net.ds:1:12: error DSC5015: unknown type 'integer'\n 1 | block B(n: integer) {}\n   |            ^^^^^^^\n  note: types are int, float, bool, string, dtype, block, tensor, lists [T] and tensor types such as f32[N, 3]",
  },
  {
    name: 'shape mismatch at a block call, with the binding note', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(8, 4)\n  forward(x: f32[N, 6]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:4:50: error DSC5017: argument 'x' of Linear.forward: expected f32[..B, in_features], got f32[N, 6]; dim 1 is 6, not in_features = 8\n 4 |   forward(x: f32[N, 6]) -> f32[N, 4] { return fc(x) }\n   |                                                  ^\n  /virtual/net.ds:3:8: note: in_features is 8 in this Linear\n   3 |   fc = Linear(8, 4)\n     |        ^^^^^^^^^^^^",
  },
  {
    name: 'symbolic dims unify across arguments', src: `block Add() {\n  forward(a: f32[N, D], b: f32[N, D]) -> f32[N, D] { return a + b }\n}\nmodel M {\n  add = Add()\n  forward(x: f32[B, 4], y: f32[C, 4]) -> f32[B, 4] { return add(x, y) }\n}`,
    expected: "/virtual/net.ds:6:68: error DSC5017: argument 'b' of Add.forward: expected f32[N, D], got f32[C, 4]; dim 0 is C, not N = B\n 6 |   forward(x: f32[B, 4], y: f32[C, 4]) -> f32[B, 4] { return add(x, y) }\n   |                                                                    ^\n  /virtual/net.ds:6:65: note: N was bound to B here\n   6 |   forward(x: f32[B, 4], y: f32[C, 4]) -> f32[B, 4] { return add(x, y) }\n     |                                                                 ^",
  },
  {
    name: 'op shape error with symbolic dims and notes', src: `block Mix() {\n  forward(a: f32[N, D], b: f32[M, D]) -> f32[N, D] { return a + b }\n}\nmodel M {\n  mix = Mix()\n  forward(x: f32[8, 4], y: f32[3, 4]) -> f32[8, 4] { return mix(x, y) }\n}`,
    expected: "/virtual/net.ds:2:61: error DSC5018: shapes [8, 4] and [3, 4] do not broadcast (dim 8 vs 3)\n 2 |   forward(a: f32[N, D], b: f32[M, D]) -> f32[N, D] { return a + b }\n   |                                                             ^^^^^\n  /virtual/net.ds:6:65: note: N was bound to 8 here\n   6 |   forward(x: f32[8, 4], y: f32[3, 4]) -> f32[8, 4] { return mix(x, y) }\n     |                                                                 ^\n  /virtual/net.ds:6:65: note: D was bound to 4 here\n   6 |   forward(x: f32[8, 4], y: f32[3, 4]) -> f32[8, 4] { return mix(x, y) }\n     |                                                                 ^\n  /virtual/net.ds:6:68: note: M was bound to 3 here\n   6 |   forward(x: f32[8, 4], y: f32[3, 4]) -> f32[8, 4] { return mix(x, y) }\n     |                                                                    ^",
  },
  {
    name: 'matmul shape error', src: `model M {\n  param w: f32[5, 3]\n  forward(x: f32[N, 4]) -> f32[N, 3] { return x @ w }\n}`,
    expected: "/virtual/net.ds:3:47: error DSC5018: matmul inner dims differ: f32[N, 4] x f32[5, 3] (4 vs 5)\n 3 |   forward(x: f32[N, 4]) -> f32[N, 3] { return x @ w }\n   |                                               ^^^^^",
  },
  {
    name: 'dtype mismatch at a block call', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(4, 4)\n  forward(x: i64[N, 4]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:4:50: error DSC5016: argument 'x' of Linear.forward: expected f32[..B, in_features], got i64[N, 4]; dtype i64 is not f32\n 4 |   forward(x: i64[N, 4]) -> f32[N, 4] { return fc(x) }\n   |                                                  ^",
  },
  {
    name: 'dtype error from an op', src: `model M {\n  forward(x: f32[N, 4], y: i64[N, 4]) -> f32[N, 4] { return x + y }\n}`,
    expected: "/virtual/net.ds:2:61: error DSC5018: add needs operands of one dtype, got f32[N, 4] and i64[N, 4]\n 2 |   forward(x: f32[N, 4], y: i64[N, 4]) -> f32[N, 4] { return x + y }\n   |                                                             ^^^^^",
  },
  {
    name: 'rank mismatch at a block call', src: `import { Conv2d } from "std/nn"\nmodel M {\n  c = Conv2d(3, 8, 3)\n  forward(x: f32[N, 3, 8]) -> f32[N, 8, _, _] { return c(x) }\n}`,
    expected: "/virtual/net.ds:4:58: error DSC5017: argument 'x' of Conv2d.forward: expected f32[N, in_channels, H, W], got f32[N, 3, 8]; rank 3 is not 4\n 4 |   forward(x: f32[N, 3, 8]) -> f32[N, 8, _, _] { return c(x) }\n   |                                                          ^",
  },
  {
    name: 'declared result does not match', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(4, 8)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:4:28: error DSC5017: the result of M.forward: expected f32[N, 4], got f32[N, 8]; dim 1 is 8, not 4\n 4 |   forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x) }\n   |                            ^^^^^^^^^",
  },
  {
    name: 'let type does not match', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] {\n    let y: f32[N, 5] = relu(x)\n    return y\n  }\n}`,
    expected: "/virtual/net.ds:3:24: error DSC5017: 'y': expected f32[N, 5], got f32[N, 4]; dim 1 is 4, not 5\n 3 |     let y: f32[N, 5] = relu(x)\n   |                        ^^^^^^^",
  },
  {
    name: 'block result does not match its signature', src: `block B(d: int) {\n  forward(x: f32[N, d]) -> f32[N, d] { return concat([x, x], axis: 1) }\n}\nmodel M {\n  b = B(4)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return b(x) }\n}`,
    expected: "/virtual/net.ds:2:28: error DSC5017: the result of B.forward: expected f32[N, d], got f32[N, 8]; dim 1 is 8, not d = 4\n 2 |   forward(x: f32[N, d]) -> f32[N, d] { return concat([x, x], axis: 1) }\n   |                            ^^^^^^^^^\n  /virtual/net.ds:5:7: note: d is 4 in this B\n   5 |   b = B(4)\n     |       ^^^^\n  /virtual/net.ds:6:47: note: called here\n   6 |   forward(x: f32[N, 4]) -> f32[N, 4] { return b(x) }\n     |                                               ^^^^",
  },
  {
    name: 'unknown op attribute with a suggestion', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] { return softmax(x, axes: 1) }\n}`,
    expected: "/virtual/net.ds:2:58: error DSC5014: softmax has no attribute 'axes'; did you mean 'axis'?\n 2 |   forward(x: f32[N, 4]) -> f32[N, 4] { return softmax(x, axes: 1) }\n   |                                                          ^^^^\n  note: softmax takes axis",
  },
  {
    name: 'attribute of the wrong kind', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] { return softmax(x, axis: 1.5) }\n}`,
    expected: "/virtual/net.ds:2:64: error DSC5015: softmax: attribute 'axis' must be an int, got float 1.5\n 2 |   forward(x: f32[N, 4]) -> f32[N, 4] { return softmax(x, axis: 1.5) }\n   |                                                                ^^^",
  },
  {
    name: 'wrong number of op inputs', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] { return relu(x, x) }\n}`,
    expected: "/virtual/net.ds:2:47: error DSC5014: relu takes 1 input (x), got 2\n 2 |   forward(x: f32[N, 4]) -> f32[N, 4] { return relu(x, x) }\n   |                                               ^^^^^^^^^^",
  },
  {
    name: 'too many forward arguments', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(4, 4)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x, x) }\n}`,
    expected: "/virtual/net.ds:4:53: error DSC5014: Linear.forward takes 1 argument (x), got 2\n 4 |   forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x, x) }\n   |                                                     ^",
  },
  {
    name: 'tensor condition in an if', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] {\n    if x { return x }\n    return relu(x)\n  }\n}`,
    expected: "/virtual/net.ds:3:8: error DSC5019: this condition is a tensor (f32[N, 4]); a condition must be known at compile time (use where(c, a, b) for elementwise choice)\n 3 |     if x { return x }\n   |        ^",
  },
  {
    name: 'undecidable symbolic comparison', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] {\n    if N > 2 { return x }\n    return relu(x)\n  }\n}`,
    expected: "/virtual/net.ds:3:8: error DSC5019: cannot decide N > 2 at compile time\n 3 |     if N > 2 { return x }\n   |        ^^^^^",
  },
  {
    name: 'calling an absent member', src: `import { Linear } from "std/nn"\nblock B(big: bool) {\n  extra = if big { Linear(4, 4) }\n  forward(x: f32[N, 4]) -> f32[N, 4] { return extra(x) }\n}\nmodel M {\n  b = B(false)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return b(x) }\n}`,
    expected: "/virtual/net.ds:4:47: error DSC5024: 'extra' is absent (its `if` condition was false); test for it with `extra ? extra(...) : ...`\n 4 |   forward(x: f32[N, 4]) -> f32[N, 4] { return extra(x) }\n   |                                               ^^^^^",
  },
  {
    name: 'instantiating a block inside a method', src: `import { Linear } from "std/nn"\nmodel M {\n  forward(x: f32[N, 4]) -> f32[N, 4] { return Linear(4, 4)(x) }\n}`,
    expected: "/virtual/net.ds:3:47: error DSC5024: block Linear is instantiated as a member (`name = Linear(...)`), not called inside a method\n 3 |   forward(x: f32[N, 4]) -> f32[N, 4] { return Linear(4, 4)(x) }\n   |                                               ^^^^^^",
  },
  {
    name: 'assignment to an undeclared name', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] {\n    y = relu(x)\n    return x\n  }\n}`,
    expected: "/virtual/net.ds:3:5: error DSC5011: 'y' is not declared; declare it with `let y = ...`\n 3 |     y = relu(x)\n   |     ^",
  },
  {
    name: 'forward without return', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] {\n    let y = relu(x)\n  }\n}`,
    expected: "/virtual/net.ds:2:3: error DSC5023: M.forward ends without returning a value\n 2 |   forward(x: f32[N, 4]) -> f32[N, 4] {\n   |   ^^^^^^^",
  },
  {
    name: 'block without forward', src: `block B() {}\nmodel M {\n  b = B()\n  forward(x: f32[N, 4]) -> f32[N, 4] { return b(x) }\n}`,
    expected: "/virtual/net.ds:4:47: error DSC5023: block B has no forward method\n 4 |   forward(x: f32[N, 4]) -> f32[N, 4] { return b(x) }\n   |                                               ^^^^",
  },
  {
    name: 'choose outside a member', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N, 4] { return x * choose(1, 2) }\n}`,
    expected: "/virtual/net.ds:2:51: error DSC5020: choose(...) names a search point by its member path, so it belongs in a member of a block, not in a method\n 2 |   forward(x: f32[N, 4]) -> f32[N, 4] { return x * choose(1, 2) }\n   |                                                   ^^^^^^^^^^^^",
  },
  {
    name: 'choice not among the options', src: `import { Linear } from "std/nn"\nmodel M {\n  width = choose(4, 8)\n  fc = Linear(4, width)\n  forward(x: f32[N, 4]) -> f32[N, _] { return fc(x) }\n}`, choose: { width: 16 },
    expected: "/virtual/net.ds:3:11: error DSC5020: search point 'width' has no option 16; its options are 4, 8\n 3 |   width = choose(4, 8)\n   |           ^^^^^^^^^^^^",
  },
  {
    name: 'choice for an unknown search point', src: `import { Linear } from "std/nn"\nmodel M {\n  width = choose(4, 8)\n  fc = Linear(4, width)\n  forward(x: f32[N, 4]) -> f32[N, _] { return fc(x) }\n}`, choose: { 'fc.width': 8 },
    expected: "/virtual/net.ds: error DSC5020: no search point is named 'fc.width'; the search points are: width",
  },
  {
    name: 'extern op call', src: `extern op swish(x: f32[..S]) -> f32[..S] {\n  reference "ops/swish.ts"\n}\nmodel M {\n  forward(x: f32[N, 4]) -> f32[N, 4] { return swish(x) }\n}`,
    expected: "/virtual/net.ds:5:47: error DSC5021: extern op swish: extern op kernels are not available for the interpreter yet\n 5 |   forward(x: f32[N, 4]) -> f32[N, 4] { return swish(x) }\n   |                                               ^^^^^^^^\n  /virtual/net.ds:1:11: note: swish is declared here\n   1 | extern op swish(x: f32[..S]) -> f32[..S] {\n     |           ^^^^^",
  },
  {
    name: 'extern op argument of the wrong dtype', src: `extern op swish(x: f32[..S]) -> f32[..S] {\n  reference "ops/swish.ts"\n}\nmodel M {\n  forward(x: i64[N, 4]) -> f32[N, 4] { return swish(x) }\n}`,
    expected: "/virtual/net.ds:5:53: error DSC5016: argument 'x' of swish: expected f32[..S], got i64[N, 4]; dtype i64 is not f32\n 5 |   forward(x: i64[N, 4]) -> f32[N, 4] { return swish(x) }\n   |                                                     ^",
  },
  {
    name: 'unknown annotation', src: `import { Linear } from "std/nn"\nmodel M {\n  @precisoin(f16) fc = Linear(4, 4)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:3:3: error DSC5022: unknown annotation '@precisoin'; did you mean '@precision'?\n 3 |   @precisoin(f16) fc = Linear(4, 4)\n   |   ^^^^^^^^^^\n  note: annotations are @precision, @quantize, @sparsity",
  },
  {
    name: 'list index out of range', src: `import { Linear } from "std/nn"\nmodel M {\n  layers = [Linear(4, 4), Linear(4, 4)]\n  forward(x: f32[N, 4]) -> f32[N, 4] { return layers[2](x) }\n}`,
    expected: "/virtual/net.ds:4:54: error DSC5024: index 2 is out of range for a list of 2\n 4 |   forward(x: f32[N, 4]) -> f32[N, 4] { return layers[2](x) }\n   |                                                      ^",
  },
  {
    name: 'division by zero at compile time', src: `import { Linear } from "std/nn"\nmodel M {\n  fc = Linear(4, 4 / 0)\n  forward(x: f32[N, 4]) -> f32[N, 4] { return fc(x) }\n}`,
    expected: "/virtual/net.ds:3:18: error DSC5024: division by zero\n 3 |   fc = Linear(4, 4 / 0)\n   |                  ^^^^^",
  },
  {
    name: 'parameter with a symbolic dim', src: `model M {\n  param w: f32[N, 4]\n  forward(x: f32[N, 4]) -> f32[N, 4] { return x * w }\n}`,
    expected: "/virtual/net.ds:2:16: error DSC5015: parameter 'w': every dim of a parameter must be a known size; N is not a compile-time int\n 2 |   param w: f32[N, 4]\n   |                ^",
  },
  {
    name: 'too many indices', src: `model M {\n  forward(x: f32[N, 4]) -> f32[N] { return x[0, 1, 2] }\n}`,
    expected: "/virtual/net.ds:2:44: error DSC5024: 3 indices for a tensor of rank 2 (f32[N, 4])\n 2 |   forward(x: f32[N, 4]) -> f32[N] { return x[0, 1, 2] }\n   |                                            ^^^^^^^^^^",
  },
  {
    name: 'model input named like a parameter', src: `model M {\n  param w: f32[4]\n  forward(w: f32[N, 4]) -> f32[N, 4] { return w }\n}`,
    expected: "/virtual/net.ds:3:11: error DSC5012: model input 'w' has the name of a parameter\n 3 |   forward(w: f32[N, 4]) -> f32[N, 4] { return w }\n   |           ^",
  },
  {
    name: 'two results with one name', src: `model M {\n  forward(x: f32[N, 4]) -> (a: f32[N, 4], a: f32[N, 4]) { return (x, x) }\n}`,
    expected: "/virtual/net.ds:2:43: error DSC5012: forward names two results 'a'\n 2 |   forward(x: f32[N, 4]) -> (a: f32[N, 4], a: f32[N, 4]) { return (x, x) }\n   |                                           ^\n  /virtual/net.ds:2:29: note: the first 'a'\n   2 |   forward(x: f32[N, 4]) -> (a: f32[N, 4], a: f32[N, 4]) { return (x, x) }\n     |                             ^",
  },
  {
    name: 'a result named like an input', src: `model M {\n  forward(x: f32[N, 4]) -> x: f32[N, 4] { return x }\n}`,
    expected: "/virtual/net.ds:2:28: error DSC5012: result 'x' of forward has the name of its parameter\n 2 |   forward(x: f32[N, 4]) -> x: f32[N, 4] { return x }\n   |                            ^\n  /virtual/net.ds:2:11: note: the parameter 'x'\n   2 |   forward(x: f32[N, 4]) -> x: f32[N, 4] { return x }\n     |           ^",
  },
  {
    name: 'a model output named like a parameter', src: `model M {\n  param w: f32[4]\n  forward(x: f32[N, 4]) -> w: f32[N, 4] { return x * w }\n}`,
    expected: "/virtual/net.ds:3:28: error DSC5012: model output 'w' has the name of a parameter\n 3 |   forward(x: f32[N, 4]) -> w: f32[N, 4] { return x * w }\n   |                            ^",
  },
  {
    name: 'tensor computation in a member', src: `model M {\n  param w: f32[4]\n  doubled = w * 2\n  forward(x: f32[N, 4]) -> f32[N, 4] { return x }\n}`,
    expected: "/virtual/net.ds:3:13: error DSC5024: tensor computation (mul) belongs in a method such as forward, not in a member initializer\n 3 |   doubled = w * 2\n   |             ^^^^^",
  },
];

describe('.ds checker diagnostics', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { graph, diagnostics, sources } = compileDs(c.src, '/virtual/net.ds', {
        sources: new Map(Object.entries(c.files ?? {})),
        choose: c.choose ? new Map(Object.entries(c.choose)) : undefined,
      });
      expect(graph).toBeUndefined();
      const rendered = diagnostics.map((d) => formatDiagnostic(d, sources)).join('\n').split(ROOT).join('ROOT/');
      expect(rendered).toBe(c.expected);
    });
  }
});
