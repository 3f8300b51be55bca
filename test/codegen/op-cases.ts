// Building blocks of the per-target op suites (test/codegen/ops.test.ts, test/codegen-wgsl/ops.test.ts):
// small graphs, one per group of ops, so one compiled model covers many ops.
import { GraphBuilder } from '../../src/ir/builder.js';
import { DType } from '../../src/ir/dtype.js';
import { Graph, tensorType } from '../../src/ir/graph.js';

export interface OpCase {
  name: string;
  graph: Graph;
  /** value range of each input, by input name (default [-2, 2)) */
  ranges?: Record<string, [number, number]>;
  /** symbol values when the graph has symbolic dims */
  syms?: Record<string, number>;
  /** a wider tolerance than the suite's, with the reason */
  tolerance?: { rtol: number; atol: number; why: string };
}

export function graphOf(name: string, build: (b: GraphBuilder) => void): Graph {
  const b = new GraphBuilder(name);
  build(b);
  return b.graph;
}

export const f32 = (...shape: number[]) => tensorType('f32', shape);
export const typed = (dtype: DType, ...shape: number[]) => tensorType(dtype, shape);

/** One graph applying each unary op to its own input `x_<op>`, giving `y_<op>`. */
export function unaryGraph(name: string, dtype: DType, ops: [string, Record<string, unknown>?][]): Graph {
  return graphOf(name, (b) => {
    for (const [op, attrs] of ops) b.output(b.op1(op, [b.input(`x_${op}`, typed(dtype, 3, 17))], (attrs ?? {}) as never, { name: `y_${op}` }));
  });
}

export const FLOAT_UNARY: [string, Record<string, unknown>?][] = [
  ['exp'], ['log'], ['sqrt'], ['rsqrt'], ['reciprocal'], ['floor'], ['ceil'], ['round'], ['erf'], ['sin'], ['cos'], ['tan'],
  ['asin'], ['acos'], ['atan'], ['sinh'], ['cosh'], ['tanh'], ['asinh'], ['acosh'], ['atanh'], ['abs'], ['neg'], ['sign'],
  ['relu'], ['leaky_relu', { alpha: 0.1 }], ['elu', { alpha: 0.7 }], ['selu'], ['celu', { alpha: 1.3 }], ['gelu'],
  ['sigmoid'], ['silu'], ['hard_sigmoid'], ['hard_swish'], ['softplus'], ['softsign'], ['mish'], ['thresholded_relu', { alpha: 0.5 }],
  ['shrink', { lambd: 0.6, bias: 0.2 }], ['clip', { min: -0.5, max: 0.75 }], ['is_nan'], ['is_inf'], ['identity'],
];

/** Input ranges inside each FLOAT_UNARY op's domain. */
export function floatUnaryRanges(): Record<string, [number, number]> {
  const positive = new Set(['log', 'sqrt', 'rsqrt']);
  const unit = new Set(['asin', 'acos', 'atanh']);
  const r: Record<string, [number, number]> = {};
  for (const [op] of FLOAT_UNARY) r[`x_${op}`] = positive.has(op) ? [0.1, 4] : unit.has(op) ? [-0.95, 0.95] : op === 'acosh' ? [1.05, 5] : [-3, 3];
  return r;
}
