// The GEMM tile intrinsic of the dsc kernel IR for C++: C = alpha * A B (+ beta * bias), f32.
//
// Blocked in the BLIS way: B is packed in KC x NC blocks of NR-column panels (shared by the threads),
// A in MC x KC blocks of MR-row panels (one per thread), and an MR x NR register-tile micro-kernel
// written with GCC vector extensions, so plain -O3 gives SSE code and -march=native gives AVX2 or
// AVX-512 without source changes. B may be a strided matrix or the implicit im2col matrix of a
// convolution input, packed straight from the image, so convolutions never materialize im2col.
// Scratch panels are per-thread heap buffers that grow once and are reused across runs.
#ifndef DSC_GEMM_H
#define DSC_GEMM_H

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace dsc {

/** Element (i, j) at p[i*rs + j*cs]. */
struct Strided {
  const float* p;
  int64_t rs, cs;
};

/** Static geometry of a convolution over three spatial dims (leading dims of 1 for 1-d and 2-d). */
struct ConvGeometry {
  int64_t channels, inD, inH, inW, outD, outH, outW, kD, kH, kW, sD, sH, sW, dD, dH, dW, pD, pH, pW;
};

/** The im2col matrix of one image at p: rows (c, kd, kh, kw), columns (od, oh, ow); zero in the padding. */
struct Im2col {
  const float* p;
  ConvGeometry g;
};

/** The default epilogue: the value unchanged. An epilogue maps (row, column, value) of C to the value stored. */
struct NoEpilogue {
  float operator()(int64_t, int64_t, float v) const { return v; }
};

constexpr int kMR = 6;
constexpr int kNR = 16;
typedef float v16f __attribute__((vector_size(64)));

/** Grow-only, 64-byte aligned scratch owned by the calling thread. */
struct Scratch {
  float* p = nullptr;
  size_t n = 0;
  ~Scratch() { std::free(p); }
  float* get(size_t want) {
    if (want <= n) return p;
    std::free(p);
    const size_t bytes = (want * sizeof(float) + 63) / 64 * 64;
    p = static_cast<float*>(std::aligned_alloc(64, bytes));
    n = p ? want : 0;
    return p;
  }
};

inline float* thread_scratch(int slot, size_t floats) {
  thread_local Scratch s[2];
  return s[slot].get(floats);
}

/** Pack rows [k0, k0+kc) x columns [j0, j0+nc) of a strided B into NR-column panels, zero-padded. */
inline void pack_b_panel(const Strided& b, int64_t k0, int64_t kc, int64_t j0, int64_t nr, float* dst) {
  for (int64_t k = 0; k < kc; ++k) {
    const float* row = b.p + (k0 + k) * b.rs + j0 * b.cs;
    float* d = dst + k * kNR;
    if (b.cs == 1) {
      std::memcpy(d, row, sizeof(float) * nr);
    } else {
      for (int64_t j = 0; j < nr; ++j) d[j] = row[j * b.cs];
    }
    for (int64_t j = nr; j < kNR; ++j) d[j] = 0.0f;
  }
}

/**
 * The same for the im2col matrix: each row names one (c, kd, kh, kw) tap, each column one output
 * position. Columns are walked in runs along one output row, where the source row is fixed and only
 * the input column moves, so the bounds test of a run is one comparison per element.
 */
inline void pack_b_panel(const Im2col& b, int64_t k0, int64_t kc, int64_t j0, int64_t nr, float* dst) {
  const ConvGeometry& g = b.g;
  const int64_t taps = g.kD * g.kH * g.kW;
  for (int64_t k = 0; k < kc; ++k) {
    const int64_t row = k0 + k;
    const int64_t c = row / taps, t = row % taps;
    const int64_t kd = t / (g.kH * g.kW), kh = (t / g.kW) % g.kH, kw = t % g.kW;
    const float* plane = b.p + c * g.inD * g.inH * g.inW;
    float* d = dst + k * kNR;
    int64_t j = 0;
    while (j < nr) {
      const int64_t col = j0 + j;
      const int64_t od = col / (g.outH * g.outW), oh = (col / g.outW) % g.outH, ow = col % g.outW;
      const int64_t run = std::min<int64_t>(nr - j, g.outW - ow);
      const int64_t id = od * g.sD - g.pD + kd * g.dD;
      const int64_t ih = oh * g.sH - g.pH + kh * g.dH;
      if (id < 0 || id >= g.inD || ih < 0 || ih >= g.inH) {
        for (int64_t r = 0; r < run; ++r) d[j + r] = 0.0f;
      } else {
        const float* src = plane + (id * g.inH + ih) * g.inW;
        const int64_t iw0 = ow * g.sW - g.pW + kw * g.dW;
        for (int64_t r = 0; r < run; ++r) {
          const int64_t iw = iw0 + r * g.sW;
          d[j + r] = (iw >= 0 && iw < g.inW) ? src[iw] : 0.0f;
        }
      }
      j += run;
    }
    for (int64_t r = nr; r < kNR; ++r) d[r] = 0.0f;
  }
}

/** Pack rows [i0, i0+mc) x columns [k0, k0+kc) of A into MR-row panels (k-major), zero-padded. */
inline void pack_a(const Strided& a, int64_t i0, int64_t mc, int64_t k0, int64_t kc, float* dst) {
  for (int64_t ip = 0; ip < mc; ip += kMR) {
    const int64_t mr = std::min<int64_t>(kMR, mc - ip);
    float* d = dst + ip * kc;
    for (int64_t k = 0; k < kc; ++k) {
      for (int64_t r = 0; r < mr; ++r) d[k * kMR + r] = a.p[(i0 + ip + r) * a.rs + (k0 + k) * a.cs];
      for (int64_t r = mr; r < kMR; ++r) d[k * kMR + r] = 0.0f;
    }
  }
}

/**
 * One MR x NR tile of C from packed panels. `first`: the tile is overwritten, else accumulated;
 * `last`: the accumulation is complete and the epilogue (alpha, bias, then `ep`) is applied before the store.
 */
template <class Epilogue>
inline void micro_tile(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t mr, int64_t nr,
                       bool first, bool last, float alpha, const Strided* bias, float beta, int64_t i0, int64_t j0,
                       const Epilogue& ep) {
  v16f acc[kMR];
  for (int r = 0; r < kMR; ++r) acc[r] = v16f{} ;
  for (int64_t k = 0; k < kc; ++k) {
    const v16f bv = *reinterpret_cast<const v16f*>(b + k * kNR);
    const float* ak = a + k * kMR;
    for (int r = 0; r < kMR; ++r) acc[r] += ak[r] * bv;
  }
  for (int64_t r = 0; r < mr; ++r) {
    float* crow = c + r * ldc;
    alignas(64) float lane[kNR];
    std::memcpy(lane, &acc[r], sizeof(lane));
    for (int64_t j = 0; j < nr; ++j) {
      float v = first ? lane[j] : crow[j] + lane[j];
      if (last) {
        v *= alpha;
        if (bias) v += beta * bias->p[(i0 + r) * bias->rs + (j0 + j) * bias->cs];
        v = ep(i0 + r, j0 + j, v);
      }
      crow[j] = v;
    }
  }
}

/**
 * C[m, n] (row stride ldc) = alpha * A[m, k] B[k, n] + beta * bias (bias optional, broadcast by its
 * strides), then ep(row, column, value) applied to each element of C once its accumulation is complete,
 * while the tile is still in registers (fused elementwise epilogues). With `parallel`, the tiles of each
 * block are spread over nt OpenMP threads, so `ep` must be safe to call concurrently. Returns 0, or 3
 * when scratch memory cannot be allocated.
 */
template <int MC, int KC, int NC, class BSource, class Epilogue = NoEpilogue>
int gemm(int64_t m, int64_t n, int64_t k, float alpha, const Strided& a, const BSource& b, float* c, int64_t ldc,
         const Strided* bias, float beta, bool parallel, int nt, const Epilogue& ep = Epilogue()) {
  static_assert(MC % kMR == 0 && NC % kNR == 0, "blocks must hold whole micro-tiles");
  if (m <= 0 || n <= 0) return 0;
  if (k <= 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = ep(i, j, bias ? beta * bias->p[i * bias->rs + j * bias->cs] : 0.0f);
    return 0;
  }
  const int64_t kc_max = std::min<int64_t>(KC, k);
  const int64_t nc_max = (std::min<int64_t>(NC, n) + kNR - 1) / kNR * kNR;
  float* bpack = thread_scratch(0, static_cast<size_t>(kc_max * nc_max));
  if (!bpack) return 3;
  int failed = 0;
  const bool threads = parallel && nt > 1 && m * n * k >= 32768;
  (void)threads;
#pragma omp parallel num_threads(nt) if (threads)
  {
    const int64_t mc_max = std::min<int64_t>(MC, (m + kMR - 1) / kMR * kMR);
    float* apack = thread_scratch(1, static_cast<size_t>(mc_max * kc_max));
    if (!apack) {
#pragma omp atomic write
      failed = 1;
    }
    for (int64_t j0 = 0; j0 < n; j0 += NC) {
      const int64_t nc = std::min<int64_t>(NC, n - j0);
      const int64_t panels = (nc + kNR - 1) / kNR;
      for (int64_t k0 = 0; k0 < k; k0 += KC) {
        const int64_t kc = std::min<int64_t>(KC, k - k0);
#pragma omp for schedule(static)
        for (int64_t p = 0; p < panels; ++p)
          pack_b_panel(b, k0, kc, j0 + p * kNR, std::min<int64_t>(kNR, nc - p * kNR), bpack + p * kc * kNR);
        // work items: (row block, group of panels), row-block major so a thread keeps its packed A
        const int64_t row_blocks = (m + MC - 1) / MC;
        const int64_t group = 4;
        const int64_t groups = (panels + group - 1) / group;
        int64_t packed_block = -1;
#pragma omp for schedule(static)
        for (int64_t item = 0; item < row_blocks * groups; ++item) {
          if (!apack) continue;
          const int64_t rb = item / groups, gp = item % groups;
          const int64_t i0 = rb * MC, mc = std::min<int64_t>(MC, m - i0);
          if (packed_block != rb) {
            pack_a(a, i0, mc, k0, kc, apack);
            packed_block = rb;
          }
          for (int64_t p = gp * group; p < std::min(panels, (gp + 1) * group); ++p) {
            const int64_t jj = j0 + p * kNR, nr = std::min<int64_t>(kNR, n - jj);
            for (int64_t ip = 0; ip < mc; ip += kMR)
              micro_tile(kc, apack + ip * kc, bpack + p * kc * kNR, c + (i0 + ip) * ldc + jj, ldc,
                         std::min<int64_t>(kMR, mc - ip), nr, k0 == 0, k0 + kc >= k, alpha, bias, beta, i0 + ip, jj, ep);
          }
        }
      }
    }
  }
  return failed ? 3 : 0;
}

}  // namespace dsc

#endif  // DSC_GEMM_H
