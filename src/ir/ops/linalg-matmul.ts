// matmul (numpy semantics: 1-D promotion, batch broadcasting) and gemm.
import { Dim, dimEq, dimToString, isUnknown } from '../dim.js';
import { DType } from '../dtype.js';
import { TensorType, tensorType, typeToString } from '../graph.js';
import { defineOp, OpError } from '../registry.js';
import { Tensor, readNumbers, sizeOf } from '../tensor.js';
import { broadcastIndex, broadcastShapes, broadcastStatic, bytesOf, expectInputs, numel, sameDType } from './util.js';
import { OutArray, gemmPacked, packA, packB } from './linalg-kernels.js';

const MATMUL_DTYPES: readonly DType[] = ['f32', 'f16', 'bf16', 'f64', 'i32', 'i64', 'u32', 'u64'];

export function checkDType(op: string, t: TensorType, allowed: readonly DType[]): void {
  if (!allowed.includes(t.dtype)) throw new OpError(`${op} does not support dtype ${t.dtype} (${typeToString(t)}); supported: ${allowed.join(', ')}`);
}

/** A result buffer: the tensor's own storage for f32/f64, else doubles converted once at the end. */
export function resultBuffer(dtype: DType, shape: readonly number[]): { buf: OutArray; finish(): Tensor } {
  if (dtype === 'f32' || dtype === 'f64') {
    const t = Tensor.zeros(dtype, shape);
    return { buf: t.data as OutArray, finish: () => t };
  }
  const buf = new Float64Array(sizeOf(shape));
  return { buf, finish: () => Tensor.fromNumbers(dtype, shape, buf) };
}

function sameDim(a: Dim, b: Dim): boolean {
  return dimEq(a, b) || isUnknown(a) || isUnknown(b);
}

defineOp({
  name: 'matmul',
  traits: { contraction: true },
  summary: 'Matrix product with numpy semantics: 1-D operands are promoted, batch dims broadcast.',
  inputs: ['A', 'B'],
  outputs: 1,
  attrs: {},
  infer({ inputs }) {
    const [a, b] = expectInputs('matmul', inputs, 2);
    sameDType('matmul', [a, b]);
    checkDType('matmul', a, MATMUL_DTYPES);
    if (a.shape.length === 0 || b.shape.length === 0) throw new OpError(`matmul needs operands of rank >= 1, got ${typeToString(a)} and ${typeToString(b)}`);
    const as = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
    const bs = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
    const ka = as[as.length - 1];
    const kb = bs[bs.length - 2];
    if (!sameDim(ka, kb))
      throw new OpError(`matmul inner dims differ: ${typeToString(a)} x ${typeToString(b)} (${dimToString(ka)} vs ${dimToString(kb)})`);
    const batch = broadcastShapes([as.slice(0, -2), bs.slice(0, -2)]);
    const shape = [...batch];
    if (a.shape.length > 1) shape.push(as[as.length - 2]);
    if (b.shape.length > 1) shape.push(bs[bs.length - 1]);
    return [tensorType(a.dtype, shape)];
  },
  eval({ inputs, outTypes }) {
    const a = inputs[0]!;
    const b = inputs[1]!;
    const as = a.rank === 1 ? [1, a.shape[0]] : a.shape;
    const bs = b.rank === 1 ? [b.shape[0], 1] : b.shape;
    const M = as[as.length - 2];
    const K = as[as.length - 1];
    const N = bs[bs.length - 1];
    if (bs[bs.length - 2] !== K) throw new OpError(`matmul inner dims differ: [${a.shape.join(', ')}] x [${b.shape.join(', ')}]`);
    const aBatch = as.slice(0, -2);
    const bBatch = bs.slice(0, -2);
    const batch = broadcastStatic([aBatch, bBatch]);
    const shape = [...batch];
    if (a.rank > 1) shape.push(M);
    if (b.rank > 1) shape.push(N);
    const out = resultBuffer(outTypes[0].dtype, shape);
    const av = readNumbers(a);
    const bv = readNumbers(b);
    if (sizeOf(bBatch) === 1) {
      // one right-hand matrix: fold all of A's batch into its rows
      const rows = sizeOf(batch) * M;
      gemmPacked(packA(av, 0, rows, K, K, 1), packB(bv, 0, K, N, N, 1), rows, N, K, out.buf, 0, null, 0);
      return [out.finish()];
    }
    const nb = sizeOf(batch);
    const aIdx = broadcastIndex(aBatch, batch);
    const bIdx = broadcastIndex(bBatch, batch);
    const packedA = new Map<number, Float64Array>();
    const packedB = new Map<number, Float64Array>();
    for (let i = 0; i < nb; i++) {
      let ap = packedA.get(aIdx[i]);
      if (!ap) { ap = packA(av, aIdx[i] * M * K, M, K, K, 1); packedA.set(aIdx[i], ap); }
      let bp = packedB.get(bIdx[i]);
      if (!bp) { bp = packB(bv, bIdx[i] * K * N, K, N, N, 1); packedB.set(bIdx[i], bp); }
      gemmPacked(ap, bp, M, N, K, out.buf, i * M * N, null, 0);
    }
    return [out.finish()];
  },
  cost({ inputs, outputs, env }) {
    const a = inputs[0]!;
    const k = a.shape[a.shape.length - 1];
    const kv = numel(tensorType(a.dtype, [k]), env);
    return {
      flops: 2 * numel(outputs[0], env) * kv,
      bytes: bytesOf(inputs[0], env) + bytesOf(inputs[1], env) + bytesOf(outputs[0], env),
    };
  },
});

/** C must broadcast to [M, N] by itself (unidirectional broadcasting). */
function checkGemmBias(c: TensorType, m: Dim, n: Dim): void {
  const target = [m, n];
  if (c.shape.length > 2) throw new OpError(`gemm: C ${typeToString(c)} must have rank <= 2 to broadcast to [${target.map(dimToString).join(', ')}]`);
  c.shape.forEach((d, i) => {
    const t = target[i + 2 - c.shape.length];
    if (!dimEq(d, 1) && !sameDim(d, t))
      throw new OpError(`gemm: C ${typeToString(c)} does not broadcast to [${target.map(dimToString).join(', ')}]`);
  });
}

const GEMM_DTYPES: readonly DType[] = MATMUL_DTYPES;

defineOp({
  name: 'gemm',
  traits: { contraction: true },
  summary: 'Y = alpha * op(A) * op(B) + beta * C, op transposing when trans_a / trans_b are set.',
  inputs: ['A', 'B', 'C'],
  optional: ['C'],
  outputs: 1,
  attrs: {
    alpha: { kind: 'float', default: 1 },
    beta: { kind: 'float', default: 1 },
    trans_a: { kind: 'bool', default: false },
    trans_b: { kind: 'bool', default: false },
  },
  infer({ inputs, attrs }) {
    const [a, b] = expectInputs('gemm', inputs, 2);
    const c = inputs[2];
    sameDType('gemm', [a, b, c ?? null]);
    checkDType('gemm', a, GEMM_DTYPES);
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new OpError(`gemm needs 2-D A and B, got ${typeToString(a)} and ${typeToString(b)}`);
    const [m, ka] = attrs.trans_a ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const [kb, n] = attrs.trans_b ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
    if (!sameDim(ka, kb))
      throw new OpError(`gemm inner dims differ: ${typeToString(a)}${attrs.trans_a ? 'ᵀ' : ''} x ${typeToString(b)}${attrs.trans_b ? 'ᵀ' : ''} (${dimToString(ka)} vs ${dimToString(kb)})`);
    if (c) checkGemmBias(c, m, n);
    return [tensorType(a.dtype, [m, n])];
  },
  eval({ inputs, attrs, outTypes }) {
    const [a, b, c] = inputs as [Tensor, Tensor, Tensor | null];
    const ta = attrs.trans_a === true;
    const tb = attrs.trans_b === true;
    const alpha = attrs.alpha as number;
    const beta = attrs.beta as number;
    const [M, K] = ta ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const N = tb ? b.shape[0] : b.shape[1];
    const ap = packA(readNumbers(a), 0, M, K, ta ? 1 : K, ta ? M : 1);
    const bp = packB(readNumbers(b), 0, K, N, tb ? 1 : N, tb ? K : 1);
    const prod = new Float64Array(M * N);
    gemmPacked(ap, bp, M, N, K, prod, 0, null, 0);
    if (alpha !== 1) for (let i = 0; i < prod.length; i++) prod[i] *= alpha;
    if (c && beta !== 0) {
      const cv = readNumbers(c);
      const idx = broadcastIndex(c.shape, [M, N]);
      for (let i = 0; i < prod.length; i++) prod[i] += beta * cv[idx[i]];
    }
    return [Tensor.fromNumbers(outTypes[0].dtype, [M, N], prod)];
  },
  cost({ inputs, outputs, attrs, env }) {
    const a = inputs[0]!;
    const k = numel(tensorType(a.dtype, [attrs.trans_a ? a.shape[0] : a.shape[1]]), env);
    const mn = numel(outputs[0], env);
    let bytes = bytesOf(outputs[0], env);
    for (const t of inputs) bytes += bytesOf(t, env);
    return { flops: 2 * mn * k + (inputs[2] ? 2 * mn : 0), bytes };
  },
});
