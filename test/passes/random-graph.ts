// Random well-typed graphs for the pass property tests. fast-check generates a recipe (input
// shapes and a list of steps, each a menu choice plus a few numbers); buildGraph turns it into a
// graph with GraphBuilder, picking operands that fit, so every recipe gives a valid graph. The
// menu leans on what the passes rewrite: constants, identities, layout chains, repeated nodes,
// conv/matmul followed by batch norm with weights, and LayerNorm, RMSNorm, GELU, SiLU and attention
// decomposed into primitive ops as exporters write them.
import fc from 'fast-check';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph, Value } from '../../src/ir/graph.js';
import { Tensor, sizeOf } from '../../src/ir/tensor.js';

const STEPS = [
  'unary', 'binary', 'binary-constant', 'matmul', 'reshape', 'transpose', 'layout-chain', 'constant',
  'constant-op', 'identity', 'neutral-arith', 'repeat', 'conv-bn', 'matmul-bn',
  'layernorm-decomposed', 'rmsnorm-decomposed', 'gelu-decomposed', 'silu-decomposed', 'attention-decomposed',
] as const;

export interface Step { kind: (typeof STEPS)[number]; picks: number[] }
export interface Recipe { inputs: number[][]; steps: Step[]; outputs: number[]; seed: number }

const dim = fc.integer({ min: 1, max: 4 });

export const recipeArb: fc.Arbitrary<Recipe> = fc.record({
  inputs: fc.array(fc.array(dim, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 2 }),
  steps: fc.array(fc.record({ kind: fc.constantFrom(...STEPS), picks: fc.array(fc.nat(1000), { minLength: 4, maxLength: 4 }) }), { minLength: 1, maxLength: 12 }),
  outputs: fc.array(fc.nat(1000), { minLength: 1, maxLength: 3 }),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
});

/** Deterministic values in [-1, 1) from a seed (xorshift). */
function valuesFrom(seed: number, n: number): number[] {
  let s = seed | 0 || 1;
  return Array.from({ length: n }, () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return ((s >>> 0) / 2 ** 32) * 2 - 1;
  });
}

export interface BuiltGraph { graph: Graph; inputs: Map<string, Tensor> }

export function buildGraph(recipe: Recipe): BuiltGraph {
  const b = new GraphBuilder('random');
  let seed = recipe.seed;
  const data = (shape: number[], lo = -1, hi = 1) =>
    Tensor.fromNumbers('f32', shape, valuesFrom(seed++, sizeOf(shape)).map((v) => lo + ((v + 1) / 2) * (hi - lo)));
  const inputs = new Map<string, Tensor>();
  const pool: Value[] = recipe.inputs.map((shape, i) => {
    const v = b.input(`x${i}`, { dtype: 'f32', shape });
    inputs.set(v.name, data(shape));
    return v;
  });
  const shapeOf = (v: Value) => v.type.shape as number[];
  const pick = <T>(xs: readonly T[], k: number): T => xs[k % xs.length];
  const constant = (t: Tensor) => b.op1('constant', [], { value: t });
  const param = (name: string, t: Tensor) => b.param(name, { dtype: t.dtype, shape: t.shape }, t);

  for (const { kind, picks: [p0, p1, p2, p3] } of recipe.steps) {
    const x = pick(pool, p0);
    const shape = shapeOf(x);
    const rank = shape.length;
    const added: Value[] = [];
    switch (kind) {
      case 'unary': added.push(b.op1(pick(['relu', 'neg', 'tanh', 'sigmoid', 'abs'], p1), [x])); break;
      case 'binary': {
        const same = pool.filter((v) => shapeOf(v).join() === shape.join());
        added.push(b.op1(pick(['add', 'sub', 'mul', 'max'], p1), [x, pick(same, p2)]));
        break;
      }
      case 'binary-constant': {
        const c = constant(data(p2 % 2 ? shape : [1]));
        added.push(b.op1(pick(['add', 'mul', 'sub'], p1), p3 % 2 ? [x, c] : [c, x]));
        break;
      }
      case 'matmul': {
        if (rank < 2) break;
        const w = data([shape[rank - 1], 1 + (p1 % 4)]);
        added.push(b.op1('matmul', [x, p2 % 2 ? constant(w) : param(`w${p3}`, w)]));
        break;
      }
      case 'reshape': {
        const n = sizeOf(shape);
        const targets = [[n], [n, 1], [1, ...shape], [...shape].reverse(), ...(rank > 0 ? [[shape[0], -1]] : [])];
        added.push(b.op1('reshape', [x], { shape: pick(targets, p1) }));
        break;
      }
      case 'transpose': {
        const perm = [...Array(rank).keys()].sort((i, j) => ((i * 7 + p1) % 5) - ((j * 7 + p1) % 5));
        added.push(b.op1('transpose', [x], p2 % 3 ? { perm } : {}));
        break;
      }
      case 'layout-chain': {
        const u = b.op1('unsqueeze', [x], { axes: [p1 % (rank + 1)] });
        const f = b.op1('flatten', [u], { axis: p2 % (rank + 2) });
        added.push(b.op1('squeeze', [f]), u);
        break;
      }
      case 'constant': added.push(constant(data(pick([shape, [1 + (p1 % 3)], [2, 2]], p2)))); break;
      case 'constant-op': {
        const c = pick(pool.filter((v) => v.producer?.op === 'constant'), p1);
        if (c) added.push(b.op1(pick(['neg', 'relu', 'tanh'], p2), [c]));
        break;
      }
      case 'identity': {
        const choices = [
          () => b.op1('identity', [x]),
          () => b.op1('cast', [x], { to: 'f32' }),
          () => b.op1('reshape', [x], { shape }),
          () => b.op1('transpose', [x], { perm: [...Array(rank).keys()] }),
        ];
        added.push(pick(choices, p1)());
        break;
      }
      case 'neutral-arith': {
        const zero = p1 % 2 === 0;
        const c = constant(Tensor.fromNumbers('f32', p2 % 2 ? [] : [1], [zero ? 0 : 1]));
        added.push(b.op1(zero ? pick(['add', 'sub'], p3) : pick(['mul', 'div'], p3), [x, c]));
        break;
      }
      case 'repeat': {
        const n = pick(b.graph.nodes, p1);
        if (n) added.push(...b.op(n.op, n.inputs, n.attrs, { outputs: n.outputs.length }));
        break;
      }
      case 'conv-bn': {
        if (rank !== 4) break;
        const m = 1 + (p1 % 3);
        const k = p2 % 2 ? 3 : 1;
        const w = data([m, shape[1], k, k]);
        const conv = b.op1('conv', [x, p3 % 2 ? constant(w) : param(`conv${p3}.weight`, w), p3 % 3 ? null : param(`conv${p3}.bias`, data([m]))], { pads: [k >> 1, k >> 1, k >> 1, k >> 1] });
        added.push(batchNorm(conv, m));
        break;
      }
      case 'matmul-bn': {
        if (rank !== 2) break;
        const n = 1 + (p1 % 4);
        const w = data(p2 % 2 ? [n, shape[1]] : [shape[1], n]);
        const y = p2 % 2
          ? b.op1('gemm', [x, param(`fc${p3}.weight`, w), p3 % 2 ? param(`fc${p3}.bias`, data([n])) : null], { trans_b: true, alpha: 0.5 })
          : b.op1('matmul', [x, param(`fc${p3}.weight`, w)]);
        added.push(batchNorm(y, n));
        break;
      }
      case 'layernorm-decomposed': {
        if (rank === 0) break;
        const mean = b.op1('reduce_mean', [x], { axes: [-1] });
        const d = b.op1('sub', [x, mean]);
        const variance = b.op1('reduce_mean', [p1 % 2 ? b.op1('mul', [d, d]) : b.op1('pow', [d, scalar(2)])], { axes: [-1] });
        // a large epsilon keeps the f32 decomposition within the test's tolerance of the exact norm
        const root = b.op1('sqrt', [b.op1('add', [variance, scalar(0.1)])]);
        const n = p2 % 2 ? b.op1('div', [d, root]) : b.op1('mul', [b.op1('reciprocal', [root]), d]);
        const gamma = param(`ln${p3}.weight`, data([shape[rank - 1]]));
        added.push(p3 % 3 ? b.op1('add', [b.op1('mul', [gamma, n]), param(`ln${p3}.bias`, data([shape[rank - 1]]))]) : n);
        break;
      }
      case 'rmsnorm-decomposed': {
        if (rank === 0) break;
        const meanSquare = b.op1('reduce_mean', [b.op1('mul', [x, x])], { axes: [-1] });
        const inv = b.op1('rsqrt', [b.op1('add', [scalar(0.1), meanSquare])]);
        const n = b.op1('mul', [x, inv]);
        added.push(p1 % 2 ? b.op1('mul', [n, param(`rms${p2}.weight`, data([shape[rank - 1]]))]) : n);
        break;
      }
      case 'gelu-decomposed': {
        if (p1 % 2) {
          const erf = b.op1('erf', [b.op1('div', [x, scalar(Math.SQRT2)])]);
          added.push(b.op1('mul', [b.op1('mul', [x, b.op1('add', [erf, scalar(1)])]), scalar(0.5)]));
        } else {
          const cube = b.op1('pow', [x, scalar(3)]);
          const inner = b.op1('add', [x, b.op1('mul', [scalar(0.044715), cube])]);
          const t = b.op1('tanh', [b.op1('mul', [inner, scalar(Math.sqrt(2 / Math.PI))])]);
          added.push(b.op1('mul', [b.op1('mul', [scalar(0.5), x]), b.op1('add', [scalar(1), t])]));
        }
        break;
      }
      case 'silu-decomposed': {
        const s = b.op1('sigmoid', [x]);
        added.push(b.op1('mul', p1 % 2 ? [x, s] : [s, x]));
        break;
      }
      case 'attention-decomposed': {
        if (rank < 2) break;
        const same = pool.filter((v) => shapeOf(v).join() === shape.join());
        const [k, v] = [pick(same, p1), pick(same, p2)];
        const swap = [...Array(rank).keys()];
        [swap[rank - 2], swap[rank - 1]] = [rank - 1, rank - 2];
        let s = b.op1('matmul', [x, b.op1('transpose', [k], { perm: swap })]);
        s = b.op1(p3 % 2 ? 'div' : 'mul', [s, scalar(p3 % 2 ? 2 : 0.5)]);
        if (p3 % 3 === 0) s = b.op1('add', [s, constant(data([shape[rank - 2], shape[rank - 2]]))]);
        added.push(b.op1('matmul', [b.op1('softmax', [s], { axis: -1 }), v]));
        break;
      }
    }
    pool.push(...added);
  }

  function scalar(value: number): Value {
    return constant(Tensor.fromNumbers('f32', [], [value]));
  }

  function batchNorm(x: Value, c: number): Value {
    const stats = [data([c], 0.5, 2), data([c]), data([c]), data([c], 0.5, 2)];
    const params = stats.map((t, i) => param(`bn.${['weight', 'bias', 'running_mean', 'running_var'][i]}`, t));
    return b.op1('batch_normalization', [x, ...params]);
  }

  b.output(pool[pool.length - 1], ...recipe.outputs.slice(1).map((k) => pick(pool, k)));
  return { graph: b.graph, inputs };
}
