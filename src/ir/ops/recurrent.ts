// Recurrent layers with ONNX semantics: rnn, gru and lstm over a whole sequence, forward, reverse or
// bidirectional, with optional per-batch sequence lengths. Every op has all of ONNX's outputs (Y, Y_h
// and for lstm Y_c); an importer leaves the unused ones dead. Steps are computed in doubles.
import { defineOp, OpError, Cost, InferCtx, EvalCtx } from '../registry.js';
import { Attrs, TensorType, tensorType, typeToString } from '../graph.js';
import { Dim, DimEnv, dimEq, evalDim, isStatic, dimToString } from '../dim.js';
import { Tensor, readInts } from '../tensor.js';
import { expectInputs, sameDType, defaultCost } from './util.js';
import { requireFloat, readF64, tensorOf } from './reduce.js';
import { sigmoid, softplus } from './elementwise-math.js';

export type Kind = 'rnn' | 'gru' | 'lstm';

interface KindSpec {
  /** gates stacked in W, R and each half of B: rnn 1, gru 3 (z, r, h), lstm 4 (i, o, f, c) */
  gates: number;
  /** ONNX's default activation functions of one direction */
  activations: string[];
  inputs: string[];
  outputs: number;
}

const KINDS: Record<Kind, KindSpec> = {
  rnn: { gates: 1, activations: ['Tanh'], inputs: ['x', 'w', 'r', 'b', 'sequence_lens', 'initial_h'], outputs: 2 },
  gru: { gates: 3, activations: ['Sigmoid', 'Tanh'], inputs: ['x', 'w', 'r', 'b', 'sequence_lens', 'initial_h'], outputs: 2 },
  lstm: { gates: 4, activations: ['Sigmoid', 'Tanh', 'Tanh'], inputs: ['x', 'w', 'r', 'b', 'sequence_lens', 'initial_h', 'initial_c', 'p'], outputs: 3 },
};

interface ActivationSpec {
  /** defaults of the alpha / beta parameters the function takes; absent when it takes none */
  alpha?: number;
  beta?: number;
  f(x: number, alpha: number, beta: number): number;
}

/** ONNX's recurrent activation functions, by lower-case name (the attribute's spelling varies in case). */
const ACTIVATIONS: Record<string, ActivationSpec> = {
  relu: { f: (x) => (x > 0 ? x : 0) },
  tanh: { f: Math.tanh },
  sigmoid: { f: sigmoid },
  affine: { alpha: 1, beta: 0, f: (x, a, b) => a * x + b },
  leakyrelu: { alpha: 0.01, f: (x, a) => (x < 0 ? a * x : x) },
  thresholdedrelu: { alpha: 1, f: (x, a) => (x > a ? x : 0) },
  scaledtanh: { alpha: 1, beta: 1, f: (x, a, b) => a * Math.tanh(b * x) },
  hardsigmoid: { alpha: 0.2, beta: 0.5, f: (x, a, b) => Math.max(0, Math.min(1, a * x + b)) },
  elu: { alpha: 1, f: (x, a) => (x < 0 ? a * Math.expm1(x) : x) },
  softsign: { f: (x) => x / (1 + Math.abs(x)) },
  softplus: { f: softplus },
};

type Activation = (x: number) => number;

function directionsOf(op: string, attrs: Attrs): number {
  const d = attrs.direction as string;
  if (d === 'forward' || d === 'reverse') return 1;
  if (d === 'bidirectional') return 2;
  throw new OpError(`${op} direction must be forward, reverse or bidirectional, got '${d}'`);
}

/**
 * The activation functions of every direction, in ONNX order ([f, g, h] forward then reverse).
 * alpha and beta values are consumed in that order by the functions that take them; missing ones
 * take the function's default.
 */
function activationsOf(op: Kind, attrs: Attrs, nDir: number): Activation[][] {
  return activationSpecs(op, attrs, nDir).map((fns) => fns.map(({ name, alpha, beta, clip }) => {
    const spec = ACTIVATIONS[name];
    if (clip === undefined) return (x) => spec.f(x, alpha, beta);
    return (x) => spec.f(x < -clip ? -clip : x > clip ? clip : x, alpha, beta);
  }));
}

/** One activation function of a recurrent op: its lower-case name, parameters and input clip. */
export interface ActivationUse { name: string; alpha: number; beta: number; clip?: number }

/** The activation functions of every direction resolved to names and parameters (the compiled targets build them from these). */
export function activationSpecs(op: Kind, attrs: Attrs, nDir: number): ActivationUse[][] {
  const perDir = KINDS[op].activations.length;
  const given = attrs.activations as readonly string[] | undefined;
  let names: readonly string[];
  if (!given || given.length === 0) names = Array.from({ length: nDir }, () => KINDS[op].activations).flat();
  else if (given.length === perDir * nDir) names = given;
  else if (given.length === perDir) names = Array.from({ length: nDir }, () => given).flat();
  else throw new OpError(`${op} needs ${perDir * nDir} activations, got ${given.length}`);
  const alphas = (attrs.activation_alpha as readonly number[] | undefined) ?? [];
  const betas = (attrs.activation_beta as readonly number[] | undefined) ?? [];
  let ai = 0, bi = 0;
  const clip = attrs.clip as number | undefined;
  const fns = names.map((name): ActivationUse => {
    const spec = ACTIVATIONS[name.toLowerCase()];
    if (!spec) throw new OpError(`${op} has no activation function '${name}'; it takes ${Object.keys(ACTIVATIONS).join(', ')}`);
    const alpha = spec.alpha === undefined ? 0 : ai < alphas.length ? alphas[ai++] : spec.alpha;
    const beta = spec.beta === undefined ? 0 : bi < betas.length ? betas[bi++] : spec.beta;
    return { name: name.toLowerCase(), alpha, beta, clip };
  });
  return Array.from({ length: nDir }, (_, d) => fns.slice(d * perDir, (d + 1) * perDir));
}

function hiddenSizeOf(op: string, attrs: Attrs, r: TensorType): Dim {
  const h = attrs.hidden_size as number | undefined;
  const fromR = r.shape[2];
  if (h === undefined) return fromR;
  if (isStatic(fromR) && fromR !== h) throw new OpError(`${op} hidden_size ${h} disagrees with R ${typeToString(r)}`);
  return h;
}

function checkDim(op: string, t: TensorType, axis: number, want: Dim, what: string): void {
  const d = t.shape[axis];
  if (isStatic(d) && isStatic(want) && d !== want)
    throw new OpError(`${op} ${what} ${typeToString(t)} needs dim ${axis} = ${dimToString(want)}`);
}

function inferRecurrent(op: Kind, { inputs, attrs }: InferCtx): TensorType[] {
  const spec = KINDS[op];
  const [x, w, r] = expectInputs(op, inputs, 3);
  requireFloat(op, x);
  sameDType(op, [x, w, r, inputs[3], inputs[5], inputs[6] ?? null, inputs[7] ?? null]);
  for (const [t, what] of [[x, 'X'], [w, 'W'], [r, 'R']] as const)
    if (t.shape.length !== 3) throw new OpError(`${op} needs a rank-3 ${what}, got ${typeToString(t)}`);
  const nDir = directionsOf(op, attrs);
  const layout = attrs.layout as number;
  if (layout !== 0 && layout !== 1) throw new OpError(`${op} layout must be 0 or 1, got ${layout}`);
  activationsOf(op, attrs, nDir);
  const [seq, batch] = layout === 0 ? [x.shape[0], x.shape[1]] : [x.shape[1], x.shape[0]];
  const hidden = hiddenSizeOf(op, attrs, r);
  if (!isStatic(hidden)) throw new OpError(`${op} needs a static hidden size, got ${dimToString(hidden)}`);
  const rows = spec.gates * hidden;
  checkDim(op, w, 0, nDir, 'W');
  checkDim(op, w, 1, rows, 'W');
  checkDim(op, w, 2, x.shape[2], 'W');
  checkDim(op, r, 0, nDir, 'R');
  checkDim(op, r, 1, rows, 'R');
  const b = inputs[3];
  if (b && (b.shape.length !== 2 || !isStatic(b.shape[1]) || b.shape[1] !== 2 * rows))
    throw new OpError(`${op} B ${typeToString(b)} needs shape [${nDir}, ${2 * rows}]`);
  const lens = inputs[4];
  if (lens && (lens.dtype !== 'i32' || lens.shape.length !== 1 || !dimEq(lens.shape[0], batch)))
    throw new OpError(`${op} sequence_lens needs i32[${dimToString(batch)}], got ${typeToString(lens)}`);
  const state: Dim[] = layout === 0 ? [nDir, batch, hidden] : [batch, nDir, hidden];
  for (const i of op === 'lstm' ? [5, 6] : [5]) {
    const t = inputs[i];
    if (t && (t.shape.length !== 3 || !t.shape.every((d, j) => !isStatic(d) || !isStatic(state[j]) || d === state[j])))
      throw new OpError(`${op} ${spec.inputs[i]} ${typeToString(t)} needs shape [${state.map(dimToString).join(', ')}]`);
  }
  const p = inputs[7];
  if (p && (p.shape.length !== 2 || !dimEq(p.shape[1], 3 * hidden))) throw new OpError(`${op} P ${typeToString(p)} needs shape [${nDir}, ${3 * hidden}]`);
  const y: Dim[] = layout === 0 ? [seq, nDir, batch, hidden] : [batch, seq, nDir, hidden];
  return [tensorType(x.dtype, y), ...Array.from({ length: spec.outputs - 1 }, () => tensorType(x.dtype, state))];
}

/** Index arithmetic of one layout: where (step, batch) rows of X and Y, and (direction, batch) states live. */
interface Layout {
  x(s: number, b: number): number;
  y(s: number, d: number, b: number): number;
  state(d: number, b: number): number;
}

function layoutOf(layout: number, seq: number, batch: number, nDir: number, inSize: number, hidden: number): Layout {
  if (layout === 0)
    return {
      x: (s, b) => (s * batch + b) * inSize,
      y: (s, d, b) => ((s * nDir + d) * batch + b) * hidden,
      state: (d, b) => (d * batch + b) * hidden,
    };
  return {
    x: (s, b) => (b * seq + s) * inSize,
    y: (s, d, b) => ((b * seq + s) * nDir + d) * hidden,
    state: (d, b) => (b * nDir + d) * hidden,
  };
}

/** out[r] = bias[r] + Σ_k m[r, k] · v[k] for rows r of a row-major matrix starting at mOff. */
function matVec(m: Float64Array, mOff: number, rows: number, cols: number, v: Float64Array, vOff: number, bias: Float64Array, bOff: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    let s = bias[bOff + r];
    const row = mOff + r * cols;
    for (let k = 0; k < cols; k++) s += m[row + k] * v[vOff + k];
    out[r] = s;
  }
}

function evalRecurrent(op: Kind, { inputs, attrs }: EvalCtx): Tensor[] {
  const spec = KINDS[op];
  const [xT, wT, rT, bT, lensT, h0T, c0T, pT] = inputs;
  const x = readF64(xT!), w = readF64(wT!), r = readF64(rT!);
  const nDir = directionsOf(op, attrs);
  const layoutAttr = attrs.layout as number;
  const [seq, batch] = layoutAttr === 0 ? [xT!.shape[0], xT!.shape[1]] : [xT!.shape[1], xT!.shape[0]];
  const inSize = xT!.shape[2];
  const hidden = (attrs.hidden_size as number | undefined) ?? rT!.shape[2];
  const rows = spec.gates * hidden;
  const lay = layoutOf(layoutAttr, seq, batch, nDir, inSize, hidden);
  const bias = bT ? readF64(bT) : new Float64Array(nDir * 2 * rows);
  const lens = lensT ? readInts(lensT) : new Array<number>(batch).fill(seq);
  for (const n of lens) if (n < 0 || n > seq) throw new OpError(`${op} sequence length ${n} is outside [0, ${seq}]`);
  const h0 = h0T ? readF64(h0T) : null, c0 = c0T ? readF64(c0T) : null;
  const peep = pT ? readF64(pT) : null;
  const acts = activationsOf(op, attrs, nDir);
  const direction = attrs.direction as string;
  const y = new Float64Array(seq * nDir * batch * hidden);
  const yh = new Float64Array(nDir * batch * hidden), yc = new Float64Array(nDir * batch * hidden);
  const xw = new Float64Array(rows), hr = new Float64Array(rows);
  const gated = new Float64Array(hidden), rh = new Float64Array(hidden);
  const zeroBias = new Float64Array(rows);
  for (let d = 0; d < nDir; d++) {
    const reverse = direction === 'reverse' || d === 1;
    const wOff = d * rows * inSize, rOff = d * rows * hidden;
    const wbOff = d * 2 * rows, rbOff = wbOff + rows;
    const [f, g, hAct] = acts[d];
    for (let b = 0; b < batch; b++) {
      const so = lay.state(d, b);
      const h = h0 ? h0.slice(so, so + hidden) : new Float64Array(hidden);
      const c = c0 ? c0.slice(so, so + hidden) : new Float64Array(hidden);
      const len = lens[b];
      for (let t = 0; t < len; t++) {
        const s = reverse ? len - 1 - t : t;
        matVec(w, wOff, rows, inSize, x, lay.x(s, b), bias, wbOff, xw);
        matVec(r, rOff, rows, hidden, h, 0, bias, rbOff, hr);
        if (op === 'rnn') {
          for (let j = 0; j < hidden; j++) h[j] = f(xw[j] + hr[j]);
        } else if (op === 'gru') {
          const H = hidden;
          if (attrs.linear_before_reset === true) {
            for (let j = 0; j < H; j++) {
              const z = f(xw[j] + hr[j]), rg = f(xw[H + j] + hr[H + j]);
              const cand = g(xw[2 * H + j] + rg * hr[2 * H + j]);
              h[j] = (1 - z) * cand + z * h[j];
            }
          } else {
            // the candidate multiplies the reset-gated state by R_h, so that product is taken separately
            for (let j = 0; j < H; j++) gated[j] = f(xw[H + j] + hr[H + j]) * h[j];
            matVec(r, rOff + 2 * H * H, H, H, gated, 0, zeroBias, 0, rh);
            for (let j = 0; j < H; j++) {
              const z = f(xw[j] + hr[j]);
              const cand = g(xw[2 * H + j] + rh[j] + bias[rbOff + 2 * H + j]);
              h[j] = (1 - z) * cand + z * h[j];
            }
          }
        } else {
          const H = hidden, pOff = d * 3 * H;
          const pi = (j: number) => (peep ? peep[pOff + j] : 0);
          const po = (j: number) => (peep ? peep[pOff + H + j] : 0);
          const pf = (j: number) => (peep ? peep[pOff + 2 * H + j] : 0);
          for (let j = 0; j < H; j++) {
            const ig = f(xw[j] + hr[j] + pi(j) * c[j]);
            const fg = attrs.input_forget === true ? 1 - ig : f(xw[2 * H + j] + hr[2 * H + j] + pf(j) * c[j]);
            const cand = g(xw[3 * H + j] + hr[3 * H + j]);
            c[j] = fg * c[j] + ig * cand;
            const og = f(xw[H + j] + hr[H + j] + po(j) * c[j]);
            h[j] = og * hAct(c[j]);
          }
        }
        y.set(h, lay.y(s, d, b));
      }
      yh.set(h, so);
      yc.set(c, so);
    }
  }
  const dtype = xT!.dtype;
  const yShape = layoutAttr === 0 ? [seq, nDir, batch, hidden] : [batch, seq, nDir, hidden];
  const stateShape = layoutAttr === 0 ? [nDir, batch, hidden] : [batch, nDir, hidden];
  const outs = [tensorOf(dtype, yShape, y), tensorOf(dtype, stateShape, yh)];
  if (op === 'lstm') outs.push(tensorOf(dtype, stateShape, yc));
  return outs;
}

/** A multiply and an add per weight, per step, batch row and direction, plus a few operations per gate element. */
function recurrentCost({ inputs, outputs, env }: { inputs: (TensorType | null)[]; outputs: TensorType[]; env: DimEnv }): Cost {
  const c = defaultCost(inputs, outputs, env);
  const [nDir, rows, inSize] = inputs[1]!.shape.map((d) => evalDim(d, env));
  const hidden = evalDim(inputs[2]!.shape[2], env);
  const x = inputs[0]!;
  const stepsTimesBatch = evalDim(x.shape[0], env) * evalDim(x.shape[1], env);
  const perStep = 2 * rows * (inSize + hidden) + 8 * rows;
  return { flops: stepsTimesBatch * nDir * perStep, bytes: c.bytes };
}

const COMMON_ATTRS = {
  activation_alpha: { kind: 'floats', optional: true, doc: 'parameters of the activations that take alpha, in order' },
  activation_beta: { kind: 'floats', optional: true, doc: 'parameters of the activations that take beta, in order' },
  activations: { kind: 'strings', optional: true, doc: 'activation functions per direction (ONNX names)' },
  clip: { kind: 'float', optional: true, doc: 'activation inputs are clipped to [-clip, clip]' },
  direction: { kind: 'string', default: 'forward', doc: 'forward, reverse or bidirectional' },
  hidden_size: { kind: 'int', optional: true, doc: "defaults to R's last dim" },
  layout: { kind: 'int', default: 0, doc: '0: X [seq, batch, input]; 1: X [batch, seq, input] (and outputs batch-first)' },
} as const;

defineOp({
  name: 'rnn',
  summary: 'simple recurrent layer: H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb); outputs Y (every step) and Y_h (last)',
  inputs: KINDS.rnn.inputs,
  optional: ['b', 'sequence_lens', 'initial_h'],
  outputs: 2,
  attrs: { ...COMMON_ATTRS },
  infer: (ctx) => inferRecurrent('rnn', ctx),
  eval: (ctx) => evalRecurrent('rnn', ctx),
  cost: recurrentCost,
});

defineOp({
  name: 'gru',
  summary: 'gated recurrent unit layer (gates z, r, h); outputs Y (every step) and Y_h (last)',
  inputs: KINDS.gru.inputs,
  optional: ['b', 'sequence_lens', 'initial_h'],
  outputs: 2,
  attrs: { ...COMMON_ATTRS, linear_before_reset: { kind: 'bool', default: false, doc: 'apply R_h before multiplying by the reset gate' } },
  infer: (ctx) => inferRecurrent('gru', ctx),
  eval: (ctx) => evalRecurrent('gru', ctx),
  cost: recurrentCost,
});

defineOp({
  name: 'lstm',
  summary: 'long short-term memory layer (gates i, o, f, c; optional peepholes P); outputs Y, Y_h and Y_c',
  inputs: KINDS.lstm.inputs,
  optional: ['b', 'sequence_lens', 'initial_h', 'initial_c', 'p'],
  outputs: 3,
  attrs: { ...COMMON_ATTRS, input_forget: { kind: 'bool', default: false, doc: 'couple the gates: forget = 1 - input' } },
  infer: (ctx) => inferRecurrent('lstm', ctx),
  eval: (ctx) => evalRecurrent('lstm', ctx),
  cost: recurrentCost,
});
