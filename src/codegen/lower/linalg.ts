// matmul, gemm and conv: loops over batches and groups around the GEMM tile intrinsic (conv through
// its implicit im2col operand); depthwise and transposed convolutions as direct loop nests.
import { dimEq, isStatic } from '../../ir/dim.js';
import { Attrs, Node } from '../../ir/graph.js';
import { readWindow, resolvePads, geometry3, windowOutDim } from '../../ir/ops/linalg-window.js';
import { convTransposeGeometry } from '../../ir/ops/linalg-conv.js';
import {
  ConvGeometry, Expr, GemmStmt, Stmt, add, and, assign, bin, defaultSchedule, ge, idx, ivar, letv, lit, load, loop, lt, mul, store, svar, sub, when,
} from '../kernel-ir.js';
import { broadcastNest } from './elementwise.js';
import { broadcastStrides, dimExpr, productExpr } from './dims.js';
import { LowerCtx, LoweredKernel, OpLowering, req } from './context.js';

/** Default GEMM blocking: KC x NR panels of B fit L1, MC x KC blocks of A fit L2, KC x NC blocks of B fit L3. */
const GEMM_BLOCKING = { mc: 96, kc: 256, nc: 2048 };

const FLOAT_KERNEL_DTYPES: ReadonlySet<string> = new Set(['f32', 'f64']);

const onlyF32 = (node: Node): string | null => {
  const d = node.inputs[0]!.type.dtype;
  return d === 'f32' ? null : `dtype ${d} (the CPU GEMM is f32)`;
};

function gemmSchedule(work: Expr, parallelGemm: boolean, parallelLoops: string[] = []) {
  const s = defaultSchedule(work);
  s.parallel = parallelLoops;
  s.gemm = { ...GEMM_BLOCKING, parallel: parallelGemm };
  return s;
}

const matmul: OpLowering = {
  unsupported: onlyF32,
  lower(ctx) {
    const A = req(ctx, 0), B = req(ctx, 1), Y = ctx.output(0);
    const as = A.type.shape.length === 1 ? [1, A.type.shape[0]] : A.type.shape;
    const bs = B.type.shape.length === 1 ? [B.type.shape[0], 1] : B.type.shape;
    const M = as[as.length - 2], K = as[as.length - 1], N = bs[bs.length - 1];
    const aBatch = as.slice(0, -2), bBatch = bs.slice(0, -2);
    const [m, k, n] = [M, K, N].map(dimExpr);
    const work = mul(productExpr(Y.type.shape), k);
    const tile = (aOff: Expr, bOff: Expr, cOff: Expr, rows: Expr, parallel: boolean): GemmStmt => ({
      k: 'gemm', m: rows, n, kdim: k,
      a: { buf: A.buf, offset: aOff, rowStride: k, colStride: idx(1) },
      b: { buf: B.buf, offset: bOff, rowStride: n, colStride: idx(1) },
      c: { buf: Y.buf, offset: cOff, ld: n }, alpha: 1, parallel,
    });
    if (bBatch.every((d) => dimEq(d, 1))) {
      // one right-hand matrix: A's batch folds into its rows
      return { body: [tile(idx(0), idx(0), idx(0), mul(productExpr(aBatch), m), true)], schedule: gemmSchedule(work, true) };
    }
    const outBatch = Y.type.shape.slice(0, Y.type.shape.length - (A.type.shape.length > 1 ? 1 : 0) - (B.type.shape.length > 1 ? 1 : 0));
    const batches = productExpr(outBatch);
    const fewLarge = batches.k === 'const' && Number(batches.value) < 4;
    const nest = broadcastNest(ctx, outBatch, [aBatch, bBatch], (o, [ai, bi]) => [
      tile(mul(ai, mul(m, k)), mul(bi, mul(k, n)), mul(o, mul(m, n)), m, fewLarge),
    ]);
    return { body: nest.stmts, schedule: gemmSchedule(work, fewLarge, fewLarge ? [] : nest.loops.slice(0, 1)) };
  },
};

const gemm: OpLowering = {
  unsupported: onlyF32,
  lower(ctx) {
    const A = req(ctx, 0), B = req(ctx, 1), C = ctx.input(2), Y = ctx.output(0);
    const ta = ctx.attrs.trans_a === true, tb = ctx.attrs.trans_b === true;
    const [M, N] = Y.type.shape;
    const K = ta ? A.type.shape[0] : A.type.shape[1];
    const [m, n, k] = [M, N, K].map(dimExpr);
    const st: GemmStmt = {
      k: 'gemm', m, n, kdim: k,
      a: ta ? { buf: A.buf, offset: idx(0), rowStride: idx(1), colStride: m } : { buf: A.buf, offset: idx(0), rowStride: k, colStride: idx(1) },
      b: tb ? { buf: B.buf, offset: idx(0), rowStride: idx(1), colStride: k } : { buf: B.buf, offset: idx(0), rowStride: n, colStride: idx(1) },
      c: { buf: Y.buf, offset: idx(0), ld: n }, alpha: ctx.attrs.alpha as number, parallel: true,
    };
    const beta = ctx.attrs.beta as number;
    if (C && beta !== 0) {
      const [rs, cs] = broadcastStrides(C.type.shape, [M, N]);
      st.bias = { buf: C.buf, offset: idx(0), rowStride: rs, colStride: cs, beta };
    }
    return { body: [st], schedule: gemmSchedule(mul(mul(m, n), k), true) };
  },
};

export interface ConvPlan { geo: ConvGeometry; group: number; C: number; M: number; Cg: number; Mg: number; inSize: number; outSize: number; taps: number }

/** The geometry of a conv node whose image and weight are inputs `xi` and `wi`, or why it has none. */
export function convPlan(node: Node, attrs: Attrs, xi = 0, wi = 1): ConvPlan | string {
  const x = node.inputs[xi]!.type, w = node.inputs[wi]!.type;
  const dims = [...x.shape.slice(1), ...w.shape];
  if (!dims.every(isStatic)) return 'channels and spatial dims must be static';
  const nSpatial = x.shape.length - 2;
  if (nSpatial > 3) return `${nSpatial} spatial dims`;
  const win = readWindow('conv', attrs, nSpatial, w.shape.slice(2));
  const inSp = x.shape.slice(2) as number[];
  const outSp = inSp.map((d, i) => windowOutDim('conv', d, win, i) as number);
  const g3 = geometry3(win, inSp, outSp, resolvePads(win, inSp, outSp));
  const group = attrs.group as number;
  const C = x.shape[1] as number, M = w.shape[0] as number;
  const Cg = C / group;
  const geo: ConvGeometry = { channels: Cg, ...g3 };
  const taps = g3.kD * g3.kH * g3.kW;
  return { geo, group, C, M, Cg, Mg: M / group, inSize: g3.inD * g3.inH * g3.inW, outSize: g3.outD * g3.outH * g3.outW, taps };
}

const conv: OpLowering = {
  unsupported(node, attrs) {
    const d = onlyF32(node);
    if (d) return d;
    const p = convPlan(node, attrs);
    return typeof p === 'string' ? p : null;
  },
  lower(ctx) {
    const X = req(ctx, 0), W = req(ctx, 1), Bias = ctx.input(2), Y = ctx.output(0);
    const p = convPlan(ctx.node, ctx.attrs) as ConvPlan;
    const batch = dimExpr(X.type.shape[0]);
    if (p.Cg === 1) return depthwise(ctx, p, batch);
    const K = p.Cg * p.taps;
    const { geo } = p;
    const pointwise = p.taps === 1 && geo.sD * geo.sH * geo.sW === 1 && geo.pD + geo.pH + geo.pW === 0 && p.inSize === p.outSize;
    const n = ctx.fresh('n'), g = ctx.fresh('g');
    const xOff = mul(add(mul(ivar(n), idx(p.C)), mul(ivar(g), idx(p.Cg))), idx(p.inSize));
    const st: GemmStmt = {
      k: 'gemm', m: idx(p.Mg), n: idx(p.outSize), kdim: idx(K),
      a: { buf: W.buf, offset: mul(ivar(g), idx(p.Mg * K)), rowStride: idx(K), colStride: idx(1) },
      b: pointwise ? { buf: X.buf, offset: xOff, rowStride: idx(p.inSize), colStride: idx(1) } : { buf: X.buf, offset: xOff, conv: geo },
      c: { buf: Y.buf, offset: mul(add(mul(ivar(n), idx(p.M)), mul(ivar(g), idx(p.Mg))), idx(p.outSize)), ld: idx(p.outSize) },
      alpha: 1, parallel: true,
    };
    if (Bias) st.bias = { buf: Bias.buf, offset: mul(ivar(g), idx(p.Mg)), rowStride: idx(1), colStride: idx(0), beta: 1 };
    let body: Stmt[] = [st];
    if (p.group > 1) body = [loop(g, idx(p.group), body)];
    else body = [letv(g, idx(0)), ...body];
    const work = mul(batch, idx(p.M * p.outSize * K));
    return { body: [loop(n, batch, body)], schedule: gemmSchedule(work, true) };
  },
};

/** One input channel per group: each output plane is a direct sum over its window taps. */
function depthwise(ctx: LowerCtx, p: ConvPlan, batch: Expr): LoweredKernel {
  const X = req(ctx, 0), W = req(ctx, 1), Bias = ctx.input(2), Y = ctx.output(0);
  const g = p.geo;
  const [n, m, od, oh, ow, kd, kh, kw] = ['n', 'm', 'od', 'oh', 'ow', 'kd', 'kh', 'kw'].map((h) => ctx.fresh(h));
  const acc = ctx.fresh('acc');
  const c = ctx.fresh('c');
  const coord = (o: string, k: string, s: number, pad: number, dil: number) => add(sub(mul(ivar(o), idx(s)), idx(pad)), mul(ivar(k), idx(dil)));
  const [id, ih, iw] = [ctx.fresh('id'), ctx.fresh('ih'), ctx.fresh('iw')];
  const inside = (v: string, ext: number) => and(ge(ivar(v), idx(0)), lt(ivar(v), idx(ext)));
  const plane = mul(add(mul(ivar(n), idx(p.C)), ivar(c)), idx(p.inSize));
  const xIndex = add(plane, add(mul(add(mul(ivar(id), idx(g.inH)), ivar(ih)), idx(g.inW)), ivar(iw)));
  const wIndex = add(mul(ivar(m), idx(p.taps)), add(mul(add(mul(ivar(kd), idx(g.kH)), ivar(kh)), idx(g.kW)), ivar(kw)));
  const tap = loop(kw, idx(g.kW), [
    letv(iw, coord(ow, kw, g.sW, g.pW, g.dW)),
    letv(`${iw}_in`, and(svar(`${ih}_in`, 'bool'), inside(iw, g.inW))),
    assign(acc, bin('add', svar(acc, 'f32'), bin('mul', load(X.buf, xIndex, 'f32', svar(`${iw}_in`, 'bool'), lit('f32', 0)), load(W.buf, wIndex, 'f32')))),
  ]);
  const taps = loop(kd, idx(g.kD), [
    letv(id, coord(od, kd, g.sD, g.pD, g.dD)),
    loop(kh, idx(g.kH), [
      letv(ih, coord(oh, kh, g.sH, g.pH, g.dH)),
      letv(`${ih}_in`, and(inside(id, g.inD), inside(ih, g.inH))),
      tap,
    ]),
  ]);
  const outIndex = add(mul(add(mul(ivar(n), idx(p.M)), ivar(m)), idx(p.outSize)), add(mul(add(mul(ivar(od), idx(g.outH)), ivar(oh)), idx(g.outW)), ivar(ow)));
  const body = loop(n, batch, [
    loop(m, idx(p.M), [
      // output channel m reads input channel m / (M / C) of its group
      letv(c, bin('div', ivar(m), idx(p.Mg))),
      loop(od, idx(g.outD), [loop(oh, idx(g.outH), [loop(ow, idx(g.outW), [
        letv(acc, Bias ? load(Bias.buf, ivar(m), 'f32') : lit('f32', 0), true),
        taps,
        store(Y.buf, outIndex, svar(acc, 'f32')),
      ])])]),
    ]),
  ]);
  const s = defaultSchedule(mul(batch, idx(p.M * p.outSize * p.taps)));
  s.parallel = [n, m];
  return { body: [body], schedule: s };
}

/**
 * conv_transpose in gather form: each output element sums the input taps that reach it (input
 * position = (output + pad - tap * dilation) / stride where that divides exactly), so the loops
 * run in parallel over outputs with no scatter race and no column buffer (a GEMM + col2im would
 * need a workspace of channels x taps x input positions per image).
 */
const convTranspose: OpLowering = {
  unsupported(node) {
    const x = node.inputs[0]!.type, w = node.inputs[1]!.type;
    if (!FLOAT_KERNEL_DTYPES.has(x.dtype)) return `dtype ${x.dtype}`;
    if (![...x.shape.slice(1), ...w.shape].every(isStatic)) return 'channels and spatial dims must be static';
    if (x.shape.length - 2 > 3) return `${x.shape.length - 2} spatial dims`;
    return null;
  },
  lower(ctx) {
    const X = req(ctx, 0), W = req(ctx, 1), Bias = ctx.input(2), Y = ctx.output(0);
    const d = X.type.dtype;
    const g = convTransposeGeometry(ctx.attrs, X.type.shape.slice(2) as number[], W.type.shape.slice(2));
    const group = ctx.attrs.group as number;
    const C = X.type.shape[1] as number, Mg = W.type.shape[1] as number, M = Mg * group, Cg = C / group;
    const inSize = g.inD * g.inH * g.inW, outSize = g.outD * g.outH * g.outW, taps = g.kD * g.kH * g.kW;
    const batch = dimExpr(X.type.shape[0]);
    const [n, m, o, c, kd, kh, kw, acc] = ['n', 'm', 'o', 'c', 'kd', 'kh', 'kw', 'acc'].map((h) => ctx.fresh(h));
    const [od, oh, ow] = [ctx.fresh('od'), ctx.fresh('oh'), ctx.fresh('ow')];
    // the input coordinate a tap reads, and whether that tap reaches this output at all
    const source = (out: string, k: string, s: number, pad: number, dil: number, ext: number, name: string): Stmt[] => {
      const t = ctx.fresh(`${name}t`);
      return [
        letv(t, sub(add(ivar(out), idx(pad)), mul(ivar(k), idx(dil)))),
        letv(name, bin('div', ivar(t), idx(s))),
        letv(`${name}_in`, and(and(ge(ivar(t), idx(0)), bin('eq', bin('rem', ivar(t), idx(s)), idx(0))), lt(ivar(name), idx(ext)))),
      ];
    };
    const [id, ih, iw] = [ctx.fresh('id'), ctx.fresh('ih'), ctx.fresh('iw')];
    const gOf = bin('div', ivar(m), idx(Mg));
    const channel = add(mul(gOf, idx(Cg)), ivar(c));
    const xIndex = add(mul(add(mul(ivar(n), idx(C)), channel), idx(inSize)), add(mul(add(mul(ivar(id), idx(g.inH)), ivar(ih)), idx(g.inW)), ivar(iw)));
    const wIndex = add(mul(add(mul(channel, idx(Mg)), bin('rem', ivar(m), idx(Mg))), idx(taps)), add(mul(add(mul(ivar(kd), idx(g.kH)), ivar(kh)), idx(g.kW)), ivar(kw)));
    const reached = and(and(svar(`${id}_in`, 'bool'), svar(`${ih}_in`, 'bool')), svar(`${iw}_in`, 'bool'));
    const tapsNest = loop(kd, idx(g.kD), [
      ...source(od, kd, g.sD, g.pD, g.dD, g.inD, id),
      loop(kh, idx(g.kH), [
        ...source(oh, kh, g.sH, g.pH, g.dH, g.inH, ih),
        loop(kw, idx(g.kW), [
          ...source(ow, kw, g.sW, g.pW, g.dW, g.inW, iw),
          when(reached, [loop(c, idx(Cg), [
            assign(acc, bin('add', svar(acc, d), bin('mul', load(X.buf, xIndex, d), load(W.buf, wIndex, d)))),
          ])]),
        ]),
      ]),
    ]);
    const body = loop(n, batch, [loop(m, idx(M), [loop(o, idx(outSize), [
      letv(od, bin('div', ivar(o), idx(g.outH * g.outW))),
      letv(oh, bin('rem', bin('div', ivar(o), idx(g.outW)), idx(g.outH))),
      letv(ow, bin('rem', ivar(o), idx(g.outW))),
      letv(acc, Bias ? load(Bias.buf, ivar(m), d) : lit(d, 0), true),
      tapsNest,
      store(Y.buf, add(mul(add(mul(ivar(n), idx(M)), ivar(m)), idx(outSize)), ivar(o)), svar(acc, d)),
    ])])]);
    const s = defaultSchedule(mul(batch, idx(M * outSize * taps * Cg)));
    s.parallel = [n, m, o];
    return { body: [body], schedule: s };
  },
};

export const LINALG: Record<string, OpLowering> = { matmul, gemm, conv, conv_transpose: convTranspose };
