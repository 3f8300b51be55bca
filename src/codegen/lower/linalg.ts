// matmul, gemm and conv: loops over batches and groups around the GEMM tile intrinsic (conv through
// its implicit im2col operand); depthwise and transposed convolutions as direct loop nests.
import { dimEq, isStatic } from '../../ir/dim.js';
import { Attrs, Node } from '../../ir/graph.js';
import { readWindow, resolvePads, geometry3, windowOutDim } from '../../ir/ops/linalg-window.js';
import { convTransposeGeometry } from '../../ir/ops/linalg-conv.js';
import { labelDims, parseEinsum } from '../../ir/ops/linalg-extra.js';
import { isFloat } from '../../ir/dtype.js';
import {
  ConvGeometry, Expr, GemmStmt, Stmt, add, and, assign, bin, call, cast, defaultSchedule, ge, idx, ivar, letv, lit, load, loop, lt, mul, num, select, store, sum,
  svar, sub, when,
} from '../kernel-ir.js';
import { broadcastNest } from './elementwise.js';
import { broadcastStrides, dimExpr, linearIndex, productExpr, stridesExpr } from './dims.js';
import { LowerCtx, LoweredKernel, OpLowering, Operand, req } from './context.js';

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

/**
 * einsum as one loop nest: the output subscripts outside (the first in parallel), the summed ones
 * inside, each operand indexed by the sum of its strides per subscript (a repeated subscript reads a
 * diagonal; a size-1 dim broadcasts). Floats accumulate in f64 and integers in i64, as the interpreter.
 */
const einsum: OpLowering = {
  unsupported(node) {
    const d = node.inputs[0]!.type.dtype;
    return d === 'f16' || d === 'bf16' ? `dtype ${d}` : null;
  },
  lower(ctx) {
    const ops = ctx.inputs().map((o) => o!);
    const Y = ctx.output(0);
    const d = Y.type.dtype;
    const equation = ctx.attrs.equation as string;
    const e = parseEinsum(equation, ops.map((o) => o.type.shape.length));
    const dims = labelDims(equation, e, ops.map((o) => o.type.shape));
    const summed = [...dims.keys()].filter((l) => !e.output.includes(l));
    const vars = new Map([...e.output, ...summed].map((l) => [l, ctx.fresh('i')]));
    const accT = isFloat(d) ? 'f64' : 'i64';
    const acc = ctx.fresh('acc');
    const at = (o: Operand, labels: string[]) => {
      const st = stridesExpr(o.type.shape);
      return sum(labels.map((l, i) => (o.type.shape[i] === 1 ? idx(0) : mul(ivar(vars.get(l)!), st[i]))));
    };
    const product = ops.map((o, k) => cast(load(o.buf, at(o, e.inputs[k]), o.type.dtype), accT)).reduce((p, x) => bin('mul', p, x));
    let inner: Stmt[] = [assign(acc, bin('add', svar(acc, accT), product))];
    for (let k = summed.length - 1; k >= 0; k--) inner = [loop(vars.get(summed[k])!, dimExpr(dims.get(summed[k])!), inner)];
    const outAt = linearIndex(e.output.map((l) => ivar(vars.get(l)!)), stridesExpr(Y.type.shape));
    let body: Stmt[] = [letv(acc, num(accT, 0), true), ...inner, store(Y.buf, outAt, cast(svar(acc, accT), d))];
    for (let k = e.output.length - 1; k >= 0; k--) body = [loop(vars.get(e.output[k])!, dimExpr(dims.get(e.output[k])!), body)];
    const s = defaultSchedule(productExpr([...dims.values()]));
    s.parallel = e.output.length ? [vars.get(e.output[0])!] : [];
    return { body, schedule: s };
  },
};

/**
 * det: per matrix, LU decomposition with partial pivoting in f64 in a local copy, in the
 * interpreter's order of operations (so results agree to the last bit); matrices run in parallel.
 */
const det: OpLowering = {
  unsupported(node) {
    const x = node.inputs[0]!.type;
    if (!FLOAT_KERNEL_DTYPES.has(x.dtype)) return `dtype ${x.dtype}`;
    return isStatic(x.shape[x.shape.length - 1]) ? null : 'the matrix size must be static';
  },
  lower(ctx) {
    const X = req(ctx, 0), Y = ctx.output(0);
    const n = X.type.shape[X.type.shape.length - 1] as number;
    const batch = productExpr(Y.type.shape);
    const [b, i, c, r, j, a, detv, zero, pivot, t, dg, fct] = ['b', 'i', 'c', 'r', 'j', 'lu', 'det', 'singular', 'pivot', 't', 'd', 'f'].map((h) => ctx.fresh(h));
    const A = (row: Expr, col: Expr) => add(mul(row, idx(n)), col);
    const get = (row: Expr, col: Expr) => load(a, A(row, col), 'f64');
    const cv = ivar(c), pv = ivar(pivot);
    const eliminate: Stmt[] = [
      when(bin('ne', pv, cv), [
        loop(j, idx(n), [letv(t, get(cv, ivar(j))), store(a, A(cv, ivar(j)), get(pv, ivar(j))), store(a, A(pv, ivar(j)), svar(t, 'f64'))]),
        assign(detv, { k: 'unary', op: 'neg', a: svar(detv, 'f64'), type: 'f64' }),
      ]),
      letv(dg, get(cv, cv)),
      assign(detv, bin('mul', svar(detv, 'f64'), svar(dg, 'f64'))),
      loop(r, idx(n), [
        letv(fct, bin('div', get(ivar(r), cv), svar(dg, 'f64'))),
        loop(j, idx(n), [store(a, A(ivar(r), ivar(j)), bin('sub', get(ivar(r), ivar(j)), bin('mul', svar(fct, 'f64'), get(cv, ivar(j)))))], add(cv, idx(1))),
      ], add(cv, idx(1))),
    ];
    const body = loop(b, batch, [
      { k: 'alloc', name: a, dtype: 'f64', size: idx(n * n), scope: 'local' },
      loop(i, idx(n * n), [store(a, ivar(i), cast(load(X.buf, add(mul(ivar(b), idx(n * n)), ivar(i)), X.type.dtype), 'f64'))]),
      letv(detv, num('f64', 1), true),
      letv(zero, lit('bool', 0), true),
      loop(c, idx(n), [when(bin('eq', svar(zero, 'bool'), lit('bool', 0)), [
        letv(pivot, cv, true),
        loop(r, idx(n), [when(bin('gt', call('abs', get(ivar(r), cv)), call('abs', get(pv, cv))), [assign(pivot, ivar(r))])], add(cv, idx(1))),
        when(bin('eq', get(pv, cv), num('f64', 0)), [assign(zero, lit('bool', 1))], eliminate),
      ])]),
      store(Y.buf, ivar(b), cast(select(svar(zero, 'bool'), num('f64', 0), svar(detv, 'f64')), Y.type.dtype)),
    ]);
    const s = defaultSchedule(mul(batch, idx(n * n * n)));
    s.parallel = [b];
    return { body: [body], schedule: s };
  },
};

export const LINALG: Record<string, OpLowering> = { matmul, gemm, conv, conv_transpose: convTranspose, einsum, det };
