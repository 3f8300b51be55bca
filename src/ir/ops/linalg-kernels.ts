// Numeric kernels of the reference interpreter for matmul and convolution. They accumulate in
// doubles and are shaped for speed in V8: operands are packed into 4-wide panels of a
// Float64Array so the inner loop of the 4x4 register tile reads both operands contiguously.
import { Geometry3 } from './linalg-window.js';

/** An output buffer the kernels may store into directly (f32 rounding happens on store). */
export type OutArray = Float32Array | Float64Array;

/**
 * Pack an M x K matrix (element (i, k) at src[off + i*rowStride + k*colStride]) into 4-row
 * panels: element (i, k) lands at ((i >> 2) * K + k) * 4 + (i & 3). Rows past M are zero.
 */
export function packA(src: ArrayLike<number>, off: number, M: number, K: number, rowStride: number, colStride: number): Float64Array {
  const out = new Float64Array(((M + 3) >> 2) * K * 4);
  for (let i = 0; i < M; i++) {
    const base = (i >> 2) * K * 4 + (i & 3);
    const s = off + i * rowStride;
    for (let k = 0; k < K; k++) out[base + k * 4] = src[s + k * colStride];
  }
  return out;
}

/** Pack a K x N matrix into 4-column panels: element (k, j) lands at ((j >> 2) * K + k) * 4 + (j & 3). */
export function packB(src: ArrayLike<number>, off: number, K: number, N: number, rowStride: number, colStride: number): Float64Array {
  const out = new Float64Array(((N + 3) >> 2) * K * 4);
  for (let k = 0; k < K; k++) {
    const s = off + k * rowStride;
    for (let j = 0; j < N; j++) out[((j >> 2) * K + k) * 4 + (j & 3)] = src[s + j * colStride];
  }
  return out;
}

/**
 * out[outOff + i*N + j] = rowInit[rowInitOff + i] (or 0) + sum_k A(i, k) * B(k, j), with A and B
 * packed by packA / packB.
 */
export function gemmPacked(
  Ap: Float64Array, Bp: Float64Array, M: number, N: number, K: number,
  out: OutArray, outOff: number, rowInit: ArrayLike<number> | null, rowInitOff: number,
): void {
  const Mp = (M + 3) >> 2;
  const Np = (N + 3) >> 2;
  const K4 = K * 4;
  // keep one panel of the larger operand in cache and stream the smaller one past it
  const rowsOuter = Mp > Np;
  const nOuter = rowsOuter ? Mp : Np;
  const nInner = rowsOuter ? Np : Mp;
  for (let po = 0; po < nOuter; po++) {
    for (let pi = 0; pi < nInner; pi++) {
      const ip = rowsOuter ? po : pi;
      const jp = rowsOuter ? pi : po;
      const i = ip * 4;
      const j = jp * 4;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      let pa = ip * K4;
      let pb = jp * K4;
      const paEnd = pa + K4;
      for (; pa < paEnd; pa += 4, pb += 4) {
        const a0 = Ap[pa], a1 = Ap[pa + 1], a2 = Ap[pa + 2], a3 = Ap[pa + 3];
        const b0 = Bp[pb], b1 = Bp[pb + 1], b2 = Bp[pb + 2], b3 = Bp[pb + 3];
        s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
        s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
        s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
        s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
      }
      const r0 = rowInit ? rowInit[rowInitOff + i] : 0;
      const r1 = rowInit && i + 1 < M ? rowInit[rowInitOff + i + 1] : 0;
      const r2 = rowInit && i + 2 < M ? rowInit[rowInitOff + i + 2] : 0;
      const r3 = rowInit && i + 3 < M ? rowInit[rowInitOff + i + 3] : 0;
      if (i + 4 <= M && j + 4 <= N) {
        let o = outOff + i * N + j;
        out[o] = r0 + s00; out[o + 1] = r0 + s01; out[o + 2] = r0 + s02; out[o + 3] = r0 + s03; o += N;
        out[o] = r1 + s10; out[o + 1] = r1 + s11; out[o + 2] = r1 + s12; out[o + 3] = r1 + s13; o += N;
        out[o] = r2 + s20; out[o + 1] = r2 + s21; out[o + 2] = r2 + s22; out[o + 3] = r2 + s23; o += N;
        out[o] = r3 + s30; out[o + 1] = r3 + s31; out[o + 2] = r3 + s32; out[o + 3] = r3 + s33;
      } else {
        const tile = [r0 + s00, r0 + s01, r0 + s02, r0 + s03, r1 + s10, r1 + s11, r1 + s12, r1 + s13,
          r2 + s20, r2 + s21, r2 + s22, r2 + s23, r3 + s30, r3 + s31, r3 + s32, r3 + s33];
        for (let di = 0; di < 4 && i + di < M; di++)
          for (let dj = 0; dj < 4 && j + dj < N; dj++) out[outOff + (i + di) * N + j + dj] = tile[di * 4 + dj];
      }
    }
  }
}

/**
 * im2col for one image and one channel group, written straight into packB's panel layout:
 * row (c, kd, kh, kw) of K = C*kD*kH*kW, column = output position; taps in the padding read 0.
 */
export function im2colPacked(x: ArrayLike<number>, xOff: number, C: number, g: Geometry3): Float64Array {
  const { inD, inH, inW, outD, outH, outW, kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW } = g;
  const K = C * kD * kH * kW;
  const N = outD * outH * outW;
  const out = new Float64Array(((N + 3) >> 2) * K * 4);
  const K4 = K * 4;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = xOff + c * inD * inH * inW;
    for (let kz = 0; kz < kD; kz++)
      for (let ky = 0; ky < kH; ky++)
        for (let kx = 0; kx < kW; kx++, r++) {
          let j = 0;
          for (let oz = 0; oz < outD; oz++) {
            const iz = oz * sD - pD + kz * dD;
            const zIn = iz >= 0 && iz < inD;
            for (let oy = 0; oy < outH; oy++) {
              const iy = oy * sH - pH + ky * dH;
              if (!zIn || iy < 0 || iy >= inH) { j += outW; continue; }
              const row = xc + (iz * inH + iy) * inW;
              let ix = kx * dW - pW;
              for (let ox = 0; ox < outW; ox++, j++, ix += sW)
                if (ix >= 0 && ix < inW) out[(j >> 2) * K4 + r * 4 + (j & 3)] = x[row + ix];
            }
          }
        }
  }
  return out;
}

/**
 * Convolution where every output channel reads one input channel (depthwise, with an optional
 * channel multiplier): a direct loop, since im2col would do little work per column.
 * out[(n*M + m) * outSize + p] for m in [0, M), input channel m / (M / C).
 */
export function convDirectSingleChannel(
  x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null,
  Nb: number, C: number, M: number, g: Geometry3, out: OutArray,
): void {
  const { inD, inH, inW, outD, outH, outW, kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW } = g;
  const inSize = inD * inH * inW;
  const outSize = outD * outH * outW;
  const kSize = kD * kH * kW;
  const perC = M / C;
  const acc = new Float64Array(outW);
  for (let n = 0; n < Nb; n++)
    for (let m = 0; m < M; m++) {
      const xc = (n * C + Math.floor(m / perC)) * inSize;
      const wm = m * kSize;
      const b = bias ? bias[m] : 0;
      let o = (n * M + m) * outSize;
      for (let oz = 0; oz < outD; oz++)
        for (let oy = 0; oy < outH; oy++, o += outW) {
          acc.fill(b);
          for (let kz = 0; kz < kD; kz++) {
            const iz = oz * sD - pD + kz * dD;
            if (iz < 0 || iz >= inD) continue;
            for (let ky = 0; ky < kH; ky++) {
              const iy = oy * sH - pH + ky * dH;
              if (iy < 0 || iy >= inH) continue;
              const row = xc + (iz * inH + iy) * inW;
              for (let kx = 0; kx < kW; kx++) {
                const wv = w[wm + (kz * kH + ky) * kW + kx];
                const off = kx * dW - pW;
                // output columns whose tap lands inside the row: 0 <= ox*sW + off < inW
                const lo = off >= 0 ? 0 : Math.ceil(-off / sW);
                const hi = Math.min(outW, Math.ceil((inW - off) / sW));
                for (let ox = lo, ix = lo * sW + off; ox < hi; ox++, ix += sW) acc[ox] += wv * x[row + ix];
              }
            }
          }
          for (let ox = 0; ox < outW; ox++) out[o + ox] = acc[ox];
        }
    }
}
