// Scaled dot-product attention as one op, with PyTorch's semantics
// (torch.nn.functional.scaled_dot_product_attention, math backend).
import { defineOp, OpError } from '../registry.js';
import { TensorType, typeToString } from '../graph.js';
import { Dim, dimToString, evalDim, dimProduct } from '../dim.js';
import { Tensor, sizeOf } from '../tensor.js';
import { expectInputs, broadcastShapes, broadcastStatic, broadcastIndex, defaultCost } from './util.js';
import { requireFloat, tensorOf, readF64, dimsCompatible } from './reduce.js';

function needMatrix(t: TensorType, what: string): void {
  if (t.shape.length < 2) throw new OpError(`scaled_dot_product_attention ${what} needs rank >= 2, got ${typeToString(t)}`);
}

/** Leading (batch) shape of the output: q, k, v and the mask's leading dims broadcast together. */
function outputLead(q: TensorType, k: TensorType, v: TensorType, mask: TensorType | null): Dim[] {
  const lead = broadcastShapes([q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2)]);
  if (!mask) return lead;
  const sq = q.shape[q.shape.length - 2], sk = k.shape[k.shape.length - 2];
  const full = broadcastShapes([[...lead, sq, sk], mask.shape]);
  const [mq, mk] = full.slice(-2);
  if (!dimsCompatible(mq, sq) || !dimsCompatible(mk, sk))
    throw new OpError(`scaled_dot_product_attention mask ${typeToString(mask)} does not broadcast to [..., ${dimToString(sq)}, ${dimToString(sk)}]`);
  return full.slice(0, -2);
}

/** dot product of a[ao..ao+n) and b[bo..bo+n) with four partial sums, for instruction-level parallelism */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t = 0;
  for (; t + 4 <= n; t += 4) {
    s0 += a[ao + t] * b[bo + t]; s1 += a[ao + t + 1] * b[bo + t + 1];
    s2 += a[ao + t + 2] * b[bo + t + 2]; s3 += a[ao + t + 3] * b[bo + t + 3];
  }
  for (; t < n; t++) s0 += a[ao + t] * b[bo + t];
  return s0 + s1 + s2 + s3;
}

defineOp({
  name: 'scaled_dot_product_attention',
  traits: { viewInputs: [0, 1, 2, 3], storeView: true },
  summary:
    'softmax(q k^T * scale + mask) v over q [..., Sq, D], k [..., Sk, D], v [..., Sk, Dv], leading dims broadcast; ' +
    'mask is bool (true = attend) or float (added), broadcast to [..., Sq, Sk]; is_causal lets query i see keys j <= i ' +
    '(top-left aligned); scale defaults to 1/sqrt(D). A row with every key masked gives NaN, as in PyTorch.',
  inputs: ['q', 'k', 'v', 'mask'],
  optional: ['mask'],
  outputs: 1,
  attrs: {
    scale: { kind: 'float', optional: true, doc: 'factor on q k^T; 1/sqrt(D) when absent' },
    is_causal: { kind: 'bool', default: false },
  },
  infer({ inputs }) {
    const [q, k, v] = expectInputs('scaled_dot_product_attention', inputs, 3);
    const mask = inputs[3];
    for (const [t, what] of [[q, 'q'], [k, 'k'], [v, 'v']] as const) { requireFloat('scaled_dot_product_attention', t, what); needMatrix(t, what); }
    if (k.dtype !== q.dtype || v.dtype !== q.dtype)
      throw new OpError(`scaled_dot_product_attention needs q, k, v of one dtype, got ${[q, k, v].map(typeToString).join(', ')}`);
    const d = q.shape[q.shape.length - 1];
    if (!dimsCompatible(k.shape[k.shape.length - 1], d))
      throw new OpError(`scaled_dot_product_attention: q ${typeToString(q)} and k ${typeToString(k)} differ in the last dim`);
    if (!dimsCompatible(k.shape[k.shape.length - 2], v.shape[v.shape.length - 2]))
      throw new OpError(`scaled_dot_product_attention: k ${typeToString(k)} and v ${typeToString(v)} differ in the key count`);
    if (mask && mask.dtype !== 'bool') requireFloat('scaled_dot_product_attention', mask, 'mask');
    const lead = outputLead(q, k, v, mask);
    return [{ dtype: q.dtype, shape: [...lead, q.shape[q.shape.length - 2], v.shape[v.shape.length - 1]] }];
  },
  eval({ inputs, attrs }) {
    const [q, k, v] = inputs as Tensor[];
    const mask = inputs[3];
    const [sq, d] = q.shape.slice(-2);
    const [sk, dk] = k.shape.slice(-2);
    const [sv, dv] = v.shape.slice(-2);
    if (dk !== d || sv !== sk) throw new OpError(`scaled_dot_product_attention: shapes [${q.shape}], [${k.shape}], [${v.shape}] do not fit`);
    const leadShapes = [q, k, v].map((t) => t.shape.slice(0, -2));
    let maskShape: number[] = [];
    if (mask) {
      maskShape = mask.shape.slice();
      while (maskShape.length < 2) maskShape.unshift(1);
      leadShapes.push(maskShape.slice(0, -2));
      const [mq, mk] = maskShape.slice(-2);
      if ((mq !== 1 && mq !== sq) || (mk !== 1 && mk !== sk))
        throw new OpError(`scaled_dot_product_attention mask [${mask.shape}] does not broadcast to [..., ${sq}, ${sk}]`);
    }
    const lead = broadcastStatic(leadShapes);
    const batches = sizeOf(lead);
    const [qb, kb, vb] = [q, k, v].map((t) => broadcastIndex(t.shape.slice(0, -2), lead));
    const mb = mask ? broadcastIndex(maskShape.slice(0, -2), lead) : null;
    const mRowStride = maskShape[maskShape.length - 2] === 1 ? 0 : maskShape[maskShape.length - 1];
    const mColStride = maskShape[maskShape.length - 1] === 1 ? 0 : 1;
    const mSize = mask ? maskShape[maskShape.length - 2] * maskShape[maskShape.length - 1] : 0;
    const boolMask = mask?.dtype === 'bool';
    const mv = mask ? readF64(mask) : null;
    const qv = readF64(q), kv = readF64(k), vv = readF64(v);
    const scale = (attrs.scale as number | undefined) ?? 1 / Math.sqrt(d);
    const causal = attrs.is_causal as boolean;
    const out = new Float64Array(batches * sq * dv);
    const scores = new Float64Array(sk);
    const acc = new Float64Array(dv);
    for (let b = 0; b < batches; b++) {
      const qOff = qb[b] * sq * d, kOff = kb[b] * sk * d, vOff = vb[b] * sk * dv;
      const mOff = mb ? mb[b] * mSize : 0;
      for (let i = 0; i < sq; i++) {
        const qi = qOff + i * d;
        const mRow = mOff + i * mRowStride;
        const visible = causal ? Math.min(sk, i + 1) : sk;
        let max = -Infinity;
        for (let j = 0; j < sk; j++) {
          let s = -Infinity;
          if (j < visible && !(boolMask && mv![mRow + j * mColStride] === 0)) {
            const kj = kOff + j * d;
            s = dot(qv, qi, kv, kj, d) * scale;
            if (mv && !boolMask) s += mv[mRow + j * mColStride];
          }
          scores[j] = s;
          if (s > max) max = s;
        }
        // with every key masked, max is -inf and exp(-inf - -inf) is NaN: the PyTorch result
        let sum = 0;
        for (let j = 0; j < sk; j++) { const e = Math.exp(scores[j] - max); scores[j] = e; sum += e; }
        acc.fill(0);
        for (let j = 0; j < sk; j++) {
          const p = scores[j];
          if (p === 0) continue;
          const vj = vOff + j * dv;
          let t = 0;
          for (; t + 4 <= dv; t += 4) {
            acc[t] += p * vv[vj + t]; acc[t + 1] += p * vv[vj + t + 1];
            acc[t + 2] += p * vv[vj + t + 2]; acc[t + 3] += p * vv[vj + t + 3];
          }
          for (; t < dv; t++) acc[t] += p * vv[vj + t];
        }
        const o = (b * sq + i) * dv, inv = 1 / sum;
        for (let t = 0; t < dv; t++) out[o + t] = acc[t] * inv;
      }
    }
    return [tensorOf(q.dtype, [...lead, sq, dv], out)];
  },
  cost({ inputs, outputs, env }) {
    const [q, k, v] = inputs as TensorType[];
    const c = defaultCost(inputs, outputs, env);
    const lead = evalDim(dimProduct(outputs[0].shape.slice(0, -2)), env);
    const [sq, d] = q.shape.slice(-2).map((x) => evalDim(x, env));
    const sk = evalDim(k.shape[k.shape.length - 2], env);
    const dv = evalDim(v.shape[v.shape.length - 1], env);
    return { flops: lead * sq * sk * (2 * (d + dv) + 5), bytes: c.bytes };
  },
});
