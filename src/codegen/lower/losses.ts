// Classification losses: negative_log_likelihood_loss and softmax_cross_entropy_loss over scores
// [N, C, d...] and class targets [N, d...], in every reduction with optional class weights and
// ignore_index (src/ir/ops/loss.ts). Per-position losses run in parallel over (n, d); the sum and the
// weighted mean fold every position in order in one serial loop. Arithmetic is in f64 as in the
// interpreter, so results round once on store. A target outside [0, C) that is not ignore_index stops
// the run with the ABI's index code; reads clamp it so that none leaves the scores.
import { Expr, Stmt, add, and, assign, bin, call, cast, defaultSchedule, ge, idx, ivar, letv, load, loop, lt, mul, num, select, store, svar, when } from '../kernel-ir.js';
import { dimExpr, productExpr } from './dims.js';
import { LowerCtx, LoweredKernel, OpLowering, req } from './context.js';
import { INDEX_OUT_OF_RANGE } from './context.js';

const f64 = (v: number) => num('f64', v);

/** The kernel of one loss node; with `withSoftmax` the scores are turned into log-probabilities over the classes first. */
function lossKernel(ctx: LowerCtx, withSoftmax: boolean): LoweredKernel {
  const X = req(ctx, 0), T = req(ctx, 1), W = ctx.input(2), Y = ctx.output(0);
  const LP = withSoftmax && ctx.node.outputs.length > 1 ? ctx.output(1) : null;
  const d = X.type.dtype;
  const shape = X.type.shape;
  const batch = dimExpr(shape[0]), classes = dimExpr(shape[1]), inner = productExpr(shape.slice(2));
  const ignore = ctx.attrs.ignore_index as number | undefined;
  const reduction = ctx.attrs.reduction as 'none' | 'sum' | 'mean';
  const [n, j, c, cls, row, shift, mx, total, v, loss, weight, sum, weights] =
    ['n', 'j', 'c', 'cls', 'row', 'shift', 'max', 'total', 'v', 'loss', 'w', 'sum', 'weights'].map((h) => ctx.fresh(h));
  const xAt = (ci: Expr) => add(mul(add(mul(ivar(n), classes), ci), inner), ivar(j));
  const x64 = (ci: Expr) => cast(load(X.buf, xAt(ci), d), 'f64');
  const positionOf = (nv: string, jv: string) => add(mul(ivar(nv), inner), ivar(jv));
  const position = positionOf(n, j);

  // one position: the target, its check, the (log-softmax of the) score it picks, the weighted loss
  const targetAt = (nv: string, jv: string) => cast(load(T.buf, positionOf(nv, jv), T.type.dtype), 'index');
  const ignoredClass = (k: string) => (ignore === undefined ? null : bin('eq', ivar(k), idx(ignore)));
  const checkClass = (k: string): Stmt => {
    const inClasses = and(ge(ivar(k), idx(0)), lt(ivar(k), classes));
    const skipped = ignoredClass(k);
    return { k: 'check', cond: skipped ? bin('or', skipped, inClasses) : inClasses, code: INDEX_OUT_OF_RANGE, message: 'loss target is not a class index' };
  };
  const ignored = ignoredClass(cls);
  const check = checkClass(cls);
  const body: Stmt[] = [letv(cls, targetAt(n, j))];
  if (withSoftmax) {
    // log_softmax over the classes, as the interpreter's softmaxAlong: x - (max + log(sum(exp(x - max))))
    body.push(
      letv(mx, f64(-Infinity), true),
      loop(c, classes, [letv(v, x64(ivar(c))), when(bin('gt', svar(v, 'f64'), svar(mx, 'f64')), [assign(mx, svar(v, 'f64'))])]),
      letv(total, f64(0), true),
      loop(c, classes, [assign(total, add(svar(total, 'f64'), call('exp', bin('sub', x64(ivar(c)), svar(mx, 'f64')))))]),
      letv(shift, add(svar(mx, 'f64'), call('log', svar(total, 'f64')))),
    );
    if (LP) body.push(loop(c, classes, [store(LP.buf, xAt(ivar(c)), cast(bin('sub', x64(ivar(c)), svar(shift, 'f64')), d))]));
  }
  body.push(letv(row, bin('min', bin('max', ivar(cls), idx(0)), bin('sub', classes, idx(1)))));
  const picked = withSoftmax ? bin('sub', x64(ivar(row)), svar(shift, 'f64')) : x64(ivar(row));
  const w = W ? cast(load(W.buf, ivar(row), d), 'f64') : f64(1);
  const weighted = bin('mul', bin('sub', f64(0), picked), svar(weight, 'f64'));
  // an ignored position adds nothing, even where its score is not finite
  body.push(letv(weight, ignored ? select(ignored, f64(0), w) : w), letv(loss, ignored ? select(ignored, f64(0), weighted) : weighted));

  if (reduction === 'none') {
    // the checks loop gets names of its own: the schedule binds loops by name, and a check may not run in a parallel loop
    const [cn, cj, ccls] = ['n', 'j', 'cls'].map((h) => ctx.fresh(h));
    const checks = loop(cn, batch, [loop(cj, inner, [letv(ccls, targetAt(cn, cj)), checkClass(ccls)])]);
    const s = defaultSchedule(mul(mul(batch, inner), classes));
    s.parallel = [n, j];
    return { body: [checks, loop(n, batch, [loop(j, inner, [...body, store(Y.buf, position, cast(svar(loss, 'f64'), Y.type.dtype))])])], schedule: s };
  }
  const result = reduction === 'mean' ? bin('div', svar(sum, 'f64'), svar(weights, 'f64')) : svar(sum, 'f64');
  return {
    body: [
      letv(sum, f64(0), true),
      letv(weights, f64(0), true),
      loop(n, batch, [loop(j, inner, [...body.slice(0, 1), check, ...body.slice(1),
        assign(sum, add(svar(sum, 'f64'), svar(loss, 'f64'))), assign(weights, add(svar(weights, 'f64'), svar(weight, 'f64')))])]),
      store(Y.buf, idx(0), cast(result, Y.type.dtype)),
    ],
    schedule: defaultSchedule(mul(mul(batch, inner), classes)),
  };
}

function lossLowering(withSoftmax: boolean): OpLowering {
  return {
    unsupported(node) {
      const d = node.inputs[0]!.type.dtype;
      return d === 'f32' || d === 'f64' ? null : `dtype ${d}`;
    },
    lower: (ctx) => lossKernel(ctx, withSoftmax),
  };
}

export const LOSSES: Record<string, OpLowering> = {
  negative_log_likelihood_loss: lossLowering(false),
  softmax_cross_entropy_loss: lossLowering(true),
};
