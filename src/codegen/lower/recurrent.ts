// rnn, gru and lstm over a whole sequence: one kernel whose (direction, batch row) recurrences run in
// parallel, each stepping through time serially with its state in local f64 arrays. Gate
// pre-activations are matrix-vector products summed in the interpreter's order, in f64, so results
// agree to the rounding of the output dtype.
import { isStatic } from '../../ir/dim.js';
import { ActivationUse, Kind, activationSpecs } from '../../ir/ops/recurrent.js';
import {
  Expr, Stmt, add, and, assign, bin, call, cast, defaultSchedule, ge, idx, ivar, letv, load, loop, mul, num, select, store, sub, svar,
} from '../kernel-ir.js';
import { dimExpr } from './dims.js';
import { INDEX_OUT_OF_RANGE, LowerCtx, OpLowering, Operand, req } from './context.js';

const f64 = (v: number) => num('f64', v);

/** An ONNX recurrent activation applied to an f64 expression (clipped first when the op says so). */
function activation(a: ActivationUse, x: Expr): Expr {
  if (a.clip !== undefined) x = bin('min', bin('max', x, f64(-a.clip)), f64(a.clip));
  const [al, be] = [f64(a.alpha), f64(a.beta)];
  switch (a.name) {
    case 'relu': return select(bin('gt', x, f64(0)), x, f64(0));
    case 'tanh': return call('tanh', x);
    case 'sigmoid': return call('sigmoid', x);
    case 'affine': return add(bin('mul', al, x), be);
    case 'leakyrelu': return select(bin('lt', x, f64(0)), bin('mul', al, x), x);
    case 'thresholdedrelu': return select(bin('gt', x, al), x, f64(0));
    case 'scaledtanh': return bin('mul', al, call('tanh', bin('mul', be, x)));
    case 'hardsigmoid': return bin('max', f64(0), bin('min', f64(1), add(bin('mul', al, x), be)));
    case 'elu': return select(bin('lt', x, f64(0)), bin('mul', al, call('expm1', x)), x);
    case 'softsign': return bin('div', x, add(f64(1), call('abs', x)));
    case 'softplus': return call('softplus', x);
    default: throw new Error(`internal error: recurrent activation '${a.name}'`);
  }
}

const GATES: Record<Kind, number> = { rnn: 1, gru: 3, lstm: 4 };

function recurrentLowering(kind: Kind): OpLowering {
  return {
    unsupported(node) {
      const x = node.inputs[0]!.type;
      if (x.dtype !== 'f32' && x.dtype !== 'f64') return `dtype ${x.dtype}`;
      return isStatic(x.shape[2]) ? null : 'the input size must be static';
    },
    lower: (ctx) => lowerRecurrent(kind, ctx),
  };
}

function lowerRecurrent(kind: Kind, ctx: LowerCtx) {
  const X = req(ctx, 0), W = req(ctx, 1), R = req(ctx, 2);
  const [B, Lens, H0, C0, P] = [3, 4, 5, 6, 7].map((i) => ctx.input(i));
  const d = X.type.dtype;
  const layout = ctx.attrs.layout as number;
  const direction = ctx.attrs.direction as string;
  const nDir = direction === 'bidirectional' ? 2 : 1;
  const [seq, batch] = (layout === 0 ? [X.type.shape[0], X.type.shape[1]] : [X.type.shape[1], X.type.shape[0]]).map(dimExpr);
  const inSize = X.type.shape[2] as number;
  const H = (ctx.attrs.hidden_size as number | undefined) ?? (R.type.shape[2] as number);
  const rows = GATES[kind] * H;
  const acts = activationSpecs(kind, ctx.attrs, nDir);
  const nd = idx(nDir);
  const at = {
    x: (s: Expr, b: Expr) => mul(layout === 0 ? add(mul(s, batch), b) : add(mul(b, seq), s), idx(inSize)),
    y: (s: Expr, dir: number, b: Expr) => mul(layout === 0 ? add(mul(add(mul(s, nd), idx(dir)), batch), b) : add(mul(add(mul(b, seq), s), nd), idx(dir)), idx(H)),
    state: (dir: number, b: Expr) => mul(layout === 0 ? add(mul(idx(dir), batch), b) : add(mul(b, nd), idx(dir)), idx(H)),
  };
  const Y = ctx.output(0), Yh = ctx.output(1), Yc = kind === 'lstm' ? ctx.output(2) : null;
  const [h, c, xw, hr, gated, rh] = ['h', 'c', 'xw', 'hr', 'gated', 'rh'].map((n) => ctx.fresh(n));
  const get = (buf: string, i: Expr) => load(buf, i, 'f64');
  const ld = (o: Operand, i: Expr) => cast(load(o.buf, i, d), 'f64');
  const body: Stmt[] = [];
  const check: Stmt[] = [];
  if (Lens) {
    const b = ctx.fresh('b');
    const len = load(Lens.buf, ivar(b), 'i32');
    // out-of-range lengths stop the run before any recurrence reads past the sequence
    check.push(loop(b, batch, [{ k: 'check', cond: and(ge(len, num('i32', 0)), bin('le', cast(len, 'index'), seq)), code: INDEX_OUT_OF_RANGE, message: `${kind}: a sequence length is outside [0, sequence length]` }]));
  }
  const loops: string[] = [];
  for (let dir = 0; dir < nDir; dir++) {
    const reverse = direction === 'reverse' || dir === 1;
    const [f, g, hAct] = acts[dir];
    const [b, j, k, t, s, len, sum] = ['b', 'j', 'k', 't', 's', 'len', 'sum'].map((n) => ctx.fresh(n));
    const bv = ivar(b), jv = ivar(j), kv = ivar(k);
    const so = at.state(dir, bv);
    const wbOff = dir * 2 * rows, rbOff = wbOff + rows;
    // out[r] = bias[r] + Σ_k M[r, k] v[k], summed in order
    const matVec = (out: string, m: Operand, mOff: number, nRows: number, cols: number, v: (k: Expr) => Expr, biasOff: number | null): Stmt =>
      loop(j, idx(nRows), [
        letv(sum, biasOff !== null && B ? ld(B, add(idx(biasOff), jv)) : f64(0), true),
        loop(k, idx(cols), [assign(sum, add(svar(sum, 'f64'), bin('mul', ld(m, add(idx(mOff), add(mul(jv, idx(cols)), kv))), v(kv))))]),
        store(out, jv, svar(sum, 'f64')),
      ]);
    const sv = ivar(s);
    const step: Stmt[] = [
      letv(s, reverse ? sub(sub(ivar(len), idx(1)), ivar(t)) : ivar(t)),
      matVec(xw, W, dir * rows * inSize, rows, inSize, (kk) => ld(X, add(at.x(sv, bv), kk)), wbOff),
      matVec(hr, R, dir * rows * H, rows, H, (kk) => get(h, kk), rbOff),
    ];
    const gate = (buf: string, g0: number) => get(buf, add(idx(g0 * H), jv));
    const hj = get(h, jv), cj = get(c, jv);
    if (kind === 'rnn') {
      step.push(loop(j, idx(H), [store(h, jv, activation(f, add(gate(xw, 0), gate(hr, 0))))]));
    } else if (kind === 'gru') {
      const z = ctx.fresh('z'), cand = ctx.fresh('cand');
      const update = (candidate: Expr): Stmt[] => [
        letv(z, activation(f, add(gate(xw, 0), gate(hr, 0)))),
        letv(cand, candidate),
        store(h, jv, add(bin('mul', sub(f64(1), svar(z, 'f64')), svar(cand, 'f64')), bin('mul', svar(z, 'f64'), hj))),
      ];
      if (ctx.attrs.linear_before_reset === true) {
        const rg = activation(f, add(gate(xw, 1), gate(hr, 1)));
        step.push(loop(j, idx(H), update(activation(g, add(gate(xw, 2), bin('mul', rg, gate(hr, 2)))))));
      } else {
        // the candidate multiplies the reset-gated state by R_h, so that product is taken separately
        step.push(loop(j, idx(H), [store(gated, jv, bin('mul', activation(f, add(gate(xw, 1), gate(hr, 1))), hj))]));
        step.push(matVec(rh, R, dir * rows * H + 2 * H * H, H, H, (kk) => get(gated, kk), null));
        const rb = B ? ld(B, add(idx(rbOff + 2 * H), jv)) : f64(0);
        step.push(loop(j, idx(H), update(activation(g, add(add(gate(xw, 2), get(rh, jv)), rb)))));
      }
    } else {
      const peep = (q: number) => (P ? (v: Expr) => add(v, bin('mul', ld(P, add(idx(dir * 3 * H + q * H), jv)), cj)) : (v: Expr) => v);
      const [ig, fg, cand, og] = ['ig', 'fg', 'cand', 'og'].map((n) => ctx.fresh(n));
      step.push(loop(j, idx(H), [
        letv(ig, activation(f, peep(0)(add(gate(xw, 0), gate(hr, 0))))),
        letv(fg, ctx.attrs.input_forget === true ? sub(f64(1), svar(ig, 'f64')) : activation(f, peep(2)(add(gate(xw, 2), gate(hr, 2))))),
        letv(cand, activation(g, add(gate(xw, 3), gate(hr, 3)))),
        store(c, jv, add(bin('mul', svar(fg, 'f64'), cj), bin('mul', svar(ig, 'f64'), svar(cand, 'f64')))),
        letv(og, activation(f, peep(1)(add(gate(xw, 1), gate(hr, 1))))),
        store(h, jv, bin('mul', svar(og, 'f64'), activation(hAct, cj))),
      ]));
    }
    step.push(loop(j, idx(H), [store(Y.buf, add(at.y(sv, dir, bv), jv), cast(hj, d))]));
    const lenExpr = Lens ? cast(load(Lens.buf, bv, 'i32'), 'index') : seq;
    const row: Stmt[] = [
      ...[h, c, xw, hr, gated, rh].map((name, i): Stmt => ({ k: 'alloc', name, dtype: 'f64', size: idx(i < 2 || i > 3 ? H : rows), scope: 'local' })),
      loop(j, idx(H), [
        store(h, jv, H0 ? ld(H0, add(so, jv)) : f64(0)),
        store(c, jv, C0 ? ld(C0, add(so, jv)) : f64(0)),
      ]),
      // steps past a row's length leave zeros in Y
      loop(t, seq, [loop(j, idx(H), [store(Y.buf, add(at.y(ivar(t), dir, bv), jv), num(d, 0))])]),
      letv(len, lenExpr),
      loop(t, ivar(len), step),
      loop(j, idx(H), [
        store(Yh.buf, add(so, jv), cast(hj, d)),
        ...(Yc ? [store(Yc.buf, add(so, jv), cast(cj, d))] : []),
      ]),
    ];
    body.push(loop(b, batch, row));
    loops.push(b);
  }
  const sched = defaultSchedule(mul(mul(seq, batch), idx(nDir * rows * (inSize + H))));
  sched.parallel = loops;
  return { body: [...check, ...body], schedule: sched };
}

export const RECURRENT: Record<string, OpLowering> = {
  rnn: recurrentLowering('rnn'),
  gru: recurrentLowering('gru'),
  lstm: recurrentLowering('lstm'),
};
