// Classification losses (ONNX semantics): negative_log_likelihood_loss and
// softmax_cross_entropy_loss over [N, C, d1, ..., dk] scores with [N, d1, ..., dk] class targets.
import { Dim } from '../dim.js';
import { Attrs, TensorType, tensorType, typeToString } from '../graph.js';
import { EvalCtx, InferCtx, OpError, defineOp } from '../registry.js';
import { Tensor, readNumbers } from '../tensor.js';
import { expectInputs } from './util.js';
import { FLOATS, INTS, checkDType, perElementCost } from './elementwise-kernels.js';
import { dimsCompatible, readF64, splitAt, tensorOf } from './reduce.js';
import { softmaxAlong } from './normalize.js';
import { shapeText } from './shape-common.js';

const REDUCTIONS = ['none', 'sum', 'mean'];

const LOSS_ATTRS = {
  reduction: { kind: 'string', default: 'mean', doc: 'none, sum or mean (weighted mean over the targets not ignored)' },
  ignore_index: { kind: 'int', optional: true, doc: 'a target value that contributes nothing, not even to the mean\'s divisor' },
} as const;

/** Checks scores [N, C, d...], target [N, d...] and weight [C]; returns the loss type. */
function inferLoss(op: string, { inputs, attrs }: InferCtx): TensorType {
  const [x, target] = expectInputs(op, inputs, 2);
  const weight = inputs[2] ?? null;
  checkDType(op, x, FLOATS, 'scores');
  checkDType(op, target, INTS, 'target');
  if (!REDUCTIONS.includes(attrs.reduction as string)) throw new OpError(`${op}: reduction '${String(attrs.reduction)}' is not one of ${REDUCTIONS.join(', ')}`);
  if (x.shape.length < 2) throw new OpError(`${op} needs scores of rank >= 2 ([N, C, d...]), got ${typeToString(x)}`);
  const targetShape: Dim[] = [x.shape[0], ...x.shape.slice(2)];
  if (target.shape.length !== targetShape.length || !target.shape.every((d, i) => dimsCompatible(d, targetShape[i])))
    throw new OpError(`${op}: target ${typeToString(target)} must have shape ${shapeText(targetShape)} for scores ${typeToString(x)}`);
  if (weight) {
    if (weight.dtype !== x.dtype) throw new OpError(`${op}: weight ${typeToString(weight)} must have the dtype of the scores ${typeToString(x)}`);
    if (weight.shape.length !== 1 || !dimsCompatible(weight.shape[0], x.shape[1]))
      throw new OpError(`${op}: weight ${typeToString(weight)} must hold one value per class (${String(x.shape[1])})`);
  }
  return tensorType(x.dtype, attrs.reduction === 'none' ? target.shape : []);
}

/**
 * loss[n, d] = -logProb[n, target[n, d], d] * weight[target[n, d]], 0 where the target is
 * ignore_index; then reduced: none, sum, or mean (divided by the sum of the weights applied).
 */
function nllLoss(logProb: Float64Array, shape: readonly number[], target: Tensor, weight: Tensor | null, attrs: Attrs): { values: Float64Array; shape: number[] } {
  const { outer: n, n: c, inner: d } = splitAt(shape, 1);
  const t = readNumbers(target);
  const w = weight ? readNumbers(weight) : null;
  const ignore = attrs.ignore_index as number | undefined;
  const loss = new Float64Array(n * d);
  let weightSum = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const cls = t[i * d + j];
      if (cls === ignore) continue;
      if (!Number.isInteger(cls) || cls < 0 || cls >= c) throw new OpError(`target ${cls} is not a class index in [0, ${c})`);
      const wv = w ? w[cls] : 1;
      loss[i * d + j] = -logProb[(i * c + cls) * d + j] * wv;
      weightSum += wv;
    }
  if (attrs.reduction === 'none') return { values: loss, shape: [shape[0], ...shape.slice(2)] };
  let sum = 0;
  for (let i = 0; i < loss.length; i++) sum += loss[i];
  return { values: Float64Array.of(attrs.reduction === 'mean' ? sum / weightSum : sum), shape: [] };
}

function evalLoss(logProb: Float64Array, { inputs, attrs, outTypes }: EvalCtx): Tensor {
  const [x, target, weight] = inputs as [Tensor, Tensor, Tensor | null];
  const r = nllLoss(logProb, x.shape, target, weight, attrs);
  return tensorOf(outTypes[0].dtype, r.shape, r.values);
}

defineOp({
  name: 'negative_log_likelihood_loss',
  summary: 'mean, sum or per-element -input[n, target[n, d...], d...] * weight[target], skipping ignore_index',
  inputs: ['input', 'target', 'weight'],
  optional: ['weight'],
  outputs: 1,
  attrs: LOSS_ATTRS,
  infer: (ctx) => [inferLoss('negative_log_likelihood_loss', ctx)],
  eval: (ctx) => [evalLoss(readF64(ctx.inputs[0]!), ctx)],
  cost: perElementCost(2),
});

defineOp({
  name: 'softmax_cross_entropy_loss',
  summary: 'negative_log_likelihood_loss of log_softmax(scores) over axis 1; the optional second output is that log_softmax',
  inputs: ['scores', 'labels', 'weights'],
  optional: ['weights'],
  outputs: 'variadic',
  attrs: LOSS_ATTRS,
  infer(ctx) {
    if (ctx.nOutputs !== 1 && ctx.nOutputs !== 2) throw new OpError(`softmax_cross_entropy_loss has 1 or 2 outputs (loss, log_prob), not ${ctx.nOutputs}`);
    const loss = inferLoss('softmax_cross_entropy_loss', ctx);
    return ctx.nOutputs === 2 ? [loss, ctx.inputs[0]!] : [loss];
  },
  eval(ctx) {
    const x = ctx.inputs[0]!;
    const logProb = softmaxAlong('log_softmax', readF64(x), x.shape, 1);
    const loss = evalLoss(logProb, ctx);
    return ctx.nOutputs === 2 ? [loss, tensorOf(x.dtype, x.shape, logProb)] : [loss];
  },
  cost: perElementCost(6),
});
