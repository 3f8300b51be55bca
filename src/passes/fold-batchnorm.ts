// Batch-norm folding: inference-mode batch_normalization of a conv, gemm or 2-D matmul result is
// an affine map per output channel (y = a[c] * x + shift[c]), so it folds into the producer's
// weight and bias. The folded tensors are computed from the graph's weight data (or constants),
// become new params `<weight>.folded` / `<bias>.folded` (constants when the weight was a constant),
// and the batch norm's result keeps its name. Without the data the graph is left unchanged.
import { Attrs, Graph, Node, Value } from '../ir/graph.js';
import { DType } from '../ir/dtype.js';
import { getOp, withDefaults } from '../ir/registry.js';
import { Tensor, readNumbers } from '../ir/tensor.js';
import { definePass } from './pass.js';
import { Substitution, finishRewrite, freshName, knownTensor, nodeProducing, useCounts } from './rewrite.js';

export const foldBatchnorm = definePass({
  name: 'fold-batchnorm',
  summary: 'fold batch_normalization into the weight and bias of the conv, gemm or 2-D matmul before it (needs the weight data)',
  run(graph) {
    const uses = useCounts(graph);
    const names = graph.valueNames();
    const folded: (Value | null)[] = [];
    graph.nodes = graph.nodes.flatMap((bn) => {
      if (bn.op !== 'batch_normalization') return [bn];
      const rewrite = foldInto(graph, bn, uses, names);
      if (!rewrite) return [bn];
      folded.push(...bn.inputs);
      return rewrite;
    });
    finishRewrite(graph, new Substitution(), folded);
  },
});

interface ChannelAffine { scale: Float64Array; shift: Float64Array }

/** The nodes that replace `bn` (new constants, then the producer rebuilt), or null. */
function foldInto(graph: Graph, bn: Node, uses: Map<Value, number>, names: Set<string>): Node[] | null {
  const x = bn.inputs[0]!;
  const producer = x.producer;
  if (!producer || uses.get(x) !== 1) return null;
  const weight = producer.inputs[1];
  if (!weight || uses.get(weight) !== 1) return null;
  const w = knownTensor(graph, weight);
  const affine = channelAffine(graph, bn);
  if (!w || !affine) return null;
  const plan = planFold(graph, producer, w, affine);
  if (!plan) return null;

  const newWeight = new Value(freshName(names, `${weight.name}.folded`), typeOf(plan.weight));
  const biasBase = producer.inputs[2] ?? bn.inputs[2]!;
  const newBias = new Value(freshName(names, `${biasBase.name}.folded`), typeOf(plan.bias));
  const rebuilt = nodeProducing(plan.op, [producer.inputs[0], newWeight, newBias], plan.attrs, bn.outputs, producer.loc);
  if (!rebuilt) return null;
  const data: [Value, Tensor][] = [[newWeight, plan.weight], [newBias, plan.bias]];
  if (weight.producer) return [...data.map(([v, t]) => new Node('constant', [], { value: t }, [v], producer.loc)), rebuilt];
  for (const [v, t] of data) {
    graph.params.push(v);
    graph.weights.set(v.name, t);
  }
  return [rebuilt];
}

const typeOf = (t: Tensor) => ({ dtype: t.dtype, shape: t.shape });

/** a = scale / sqrt(var + epsilon), shift = B - mean * a, or null when the statistics are not known. */
function channelAffine(graph: Graph, bn: Node): ChannelAffine | null {
  const [s, b, m, v] = bn.inputs.slice(1).map((p) => knownTensor(graph, p));
  if (!s || !b || !m || !v) return null;
  const eps = withDefaults(getOp('batch_normalization')!, bn.attrs).epsilon as number;
  const [sv, bv, mv, vv] = [s, b, m, v].map(readNumbers);
  const scale = new Float64Array(sv.length);
  const shift = new Float64Array(sv.length);
  for (let c = 0; c < scale.length; c++) {
    scale[c] = sv[c] / Math.sqrt(vv[c] + eps);
    shift[c] = bv[c] - mv[c] * scale[c];
  }
  return { scale, shift };
}

interface FoldPlan { op: string; attrs: Attrs; weight: Tensor; bias: Tensor }

/** How the producer is rebuilt: its op (a matmul becomes a gemm to take the bias), attributes, and the new tensors. */
function planFold(graph: Graph, producer: Node, w: Tensor, affine: ChannelAffine): FoldPlan | null {
  const dtype = producer.outputs[0].type.dtype;
  const channels = affine.scale.length;
  switch (producer.op) {
    case 'conv': {
      const bias = biasValues(graph, producer.inputs[2], channels);
      if (!bias || w.shape[0] !== channels) return null;
      const inner = w.size / channels;
      return {
        op: 'conv', attrs: producer.attrs,
        weight: scaled(w, (i) => affine.scale[Math.floor(i / inner)]),
        bias: channelBias(dtype, bias, affine),
      };
    }
    case 'matmul': {
      if (producer.inputs[0]!.type.shape.length !== 2 || w.rank !== 2 || w.shape[1] !== channels) return null;
      return { op: 'gemm', attrs: {}, weight: scaled(w, (i) => affine.scale[i % channels]), bias: channelBias(dtype, new Float64Array(channels), affine) };
    }
    case 'gemm': {
      // beta moves into the new bias, so the rebuilt gemm has the default beta = 1
      const { beta, ...attrs } = producer.attrs;
      const transB = attrs.trans_b === true;
      const bias = gemmBias(graph, producer.inputs[2], channels, withDefaults(getOp('gemm')!, producer.attrs).beta as number);
      if (!bias || w.rank !== 2 || w.shape[transB ? 0 : 1] !== channels) return null;
      const weight = scaled(w, transB ? (i) => affine.scale[Math.floor(i / w.shape[1])] : (i) => affine.scale[i % channels]);
      const rows = bias.length / channels;
      const values = bias.map((v, i) => v * affine.scale[i % channels] + affine.shift[i % channels]);
      return { op: 'gemm', attrs, weight, bias: Tensor.fromNumbers(dtype, rows === 1 ? [channels] : [rows, channels], values) };
    }
    default: return null;
  }
}

function scaled(w: Tensor, factor: (i: number) => number): Tensor {
  const v = readNumbers(w);
  return Tensor.fromNumbers(w.dtype, w.shape, Array.from(v, (x, i) => x * factor(i)));
}

/** b * a + shift per channel. */
function channelBias(dtype: DType, b: Float64Array, affine: ChannelAffine): Tensor {
  return Tensor.fromNumbers(dtype, [affine.scale.length], b.map((x, c) => x * affine.scale[c] + affine.shift[c]));
}

/** A per-channel bias as numbers: zeros when absent, null when not known at compile time. */
function biasValues(graph: Graph, b: Value | null | undefined, channels: number): Float64Array | null {
  if (!b) return new Float64Array(channels);
  const t = knownTensor(graph, b);
  return t && t.size === channels ? Float64Array.from(readNumbers(t)) : null;
}

/** beta * C as [rows * channels] numbers (rows 1 unless C has a row per output row), or null. */
function gemmBias(graph: Graph, c: Value | null | undefined, channels: number, beta: number): Float64Array | null {
  if (!c) return new Float64Array(channels);
  const t = knownTensor(graph, c);
  if (!t || t.rank > 2) return null;
  const cols = t.rank === 0 ? 1 : t.shape[t.rank - 1];
  const rows = t.rank === 2 ? t.shape[0] : 1;
  if (cols !== 1 && cols !== channels) return null;
  const v = readNumbers(t);
  const out = new Float64Array(rows * channels);
  for (let r = 0; r < rows; r++)
    for (let n = 0; n < channels; n++) out[r * channels + n] = beta * v[r * cols + (cols === 1 ? 0 : n)];
  return out;
}
