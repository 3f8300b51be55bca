// The machine's measured peak, which `dsc profile` states each kernel's rate against: a small C++
// probe, compiled once with the system compiler (-O3 -march=native, OpenMP) and cached, that times
// independent chains of vector FMAs on every thread (GFLOP/s) and a parallel copy of 64 MiB arrays (GB/s,
// bytes read plus bytes written, as the report counts a kernel's traffic).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diag } from '../diag/diagnostic.js';

export interface MachinePeak {
  gflops: number;
  gbs: number;
  threads: number;
  /** how the figures were obtained, for the table's footer and the page */
  method: string;
}

const PROBE = `// dsc profile's peak probe: FMA throughput and copy bandwidth on N threads.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <omp.h>

// one vector register: 16 floats with AVX-512, else 8
#ifdef __AVX512F__
constexpr int kLanes = 16;
#else
constexpr int kLanes = 8;
#endif
typedef float vec __attribute__((vector_size(kLanes * 4)));

static double seconds() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : omp_get_max_threads();
  const long iterations = 20000000;
  double best_flops = 0;
  for (int attempt = 0; attempt < 3; attempt++) {
    double t0 = seconds();
    float sink = 0;
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    {
      // 10 independent chains in registers hide the FMA latency on two FMA ports
      vec a, b;
      for (int l = 0; l < kLanes; l++) { a[l] = 0.999f; b[l] = 0.001f * l; }
      vec c0 = b, c1 = b + 1, c2 = b + 2, c3 = b + 3, c4 = b + 4, c5 = b + 5, c6 = b + 6, c7 = b + 7, c8 = b + 8, c9 = b + 9;
      for (long i = 0; i < iterations; i++) {
        c0 = c0 * a + b; c1 = c1 * a + b; c2 = c2 * a + b; c3 = c3 * a + b; c4 = c4 * a + b;
        c5 = c5 * a + b; c6 = c6 * a + b; c7 = c7 * a + b; c8 = c8 * a + b; c9 = c9 * a + b;
      }
      vec total = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9;
      sink += total[0];
    }
    double t = seconds() - t0;
    double flops = 2.0 * kLanes * 10 * iterations * threads / t;
    if (flops > best_flops) best_flops = flops;
    if (sink == 12345.0f) std::printf("#");
  }
  const size_t n = size_t{16} << 20;
  std::vector<float> x(n, 1.0f), y(n, 0.0f);
  double best_bytes = 0;
  for (int attempt = 0; attempt < 5; attempt++) {
    double t0 = seconds();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < n; i++) y[i] = x[i];
    double t = seconds() - t0;
    double bytes = 2.0 * n * sizeof(float) / t;
    if (bytes > best_bytes) best_bytes = bytes;
  }
  std::printf("{\\"gflops\\": %.3f, \\"gbs\\": %.3f, \\"check\\": %g}\\n", best_flops / 1e9, best_bytes / 1e9, static_cast<double>(y[n / 2]));
  return 0;
}
`;

/** Measures the peak on `threads` threads; the probe binary is built once into `cacheDir`. */
export function measurePeak(threads: number, cacheDir: string): MachinePeak {
  const flags = ['-std=c++17', '-O3', '-march=native', '-mprefer-vector-width=512', '-ffp-contract=fast', '-fopenmp'];
  const key = createHash('sha256').update(PROBE).update(flags.join(' ')).digest('hex').slice(0, 16);
  const dir = join(cacheDir, 'profile');
  const exe = join(dir, `peak-probe-${key}`);
  if (!existsSync(exe)) {
    mkdirSync(dir, { recursive: true });
    const source = join(dir, `peak-probe-${key}.cc`);
    writeFileSync(source, PROBE);
    const tmp = `${exe}.${process.pid}.tmp`;
    try {
      execFileSync(process.env.CXX || 'c++', [...flags, source, '-o', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw diag('DSC6102', `dsc profile: the peak probe does not compile: ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).slice(0, 400)}`);
    }
    renameSync(tmp, exe);
  }
  const measured = JSON.parse(execFileSync(exe, [String(threads)], { encoding: 'utf8' })) as { gflops: number; gbs: number };
  return {
    gflops: measured.gflops,
    gbs: measured.gbs,
    threads,
    method: `measured on ${threads} thread${threads > 1 ? 's' : ''}: 10 independent chains of vector FMAs per thread (GFLOP/s), a parallel copy of 64 MiB (GB/s read + written)`,
  };
}
