// The kernels' C ABI (model_spec.h) forwarded to one of the package's kernel variants. CMakeLists.txt
// compiles the kernel sources once per ISA, makes every symbol of each copy local except the ABI,
// and renames that to dsc_<isa>_*; so inline functions compiled for AVX-512 can never be shared with
// the baseline copy. The environment variable DSC_CPU_ISA=avx512|avx2|baseline picks a variant the
// CPU supports (tests force each path); an unsupported or unknown name falls back to the best one.
#include "isa.h"

#include <cstdlib>
#include <cstring>

#include "model_spec.h"

#if DSC_KERNEL_VARIANTS

#define DSC_DECLARE_VARIANT(isa)                                                                            \
  void dsc_##isa##_output_shape(int index, const int64_t* syms, int64_t* shape_out);                       \
  size_t dsc_##isa##_workspace_bytes(const int64_t* syms);                                                  \
  int dsc_##isa##_run(const void* const* params, const void* const* inputs, void* const* outputs, const int64_t* syms, \
                      void* workspace, int num_threads);

extern "C" {
DSC_DECLARE_VARIANT(avx512)
DSC_DECLARE_VARIANT(avx2)
DSC_DECLARE_VARIANT(baseline)
}

namespace {

struct KernelVariant {
  const char* name;
  bool (*supported)();
  void (*output_shape)(int, const int64_t*, int64_t*);
  size_t (*workspace_bytes)(const int64_t*);
  int (*run)(const void* const*, const void* const*, void* const*, const int64_t*, void*, int);
};

// The features -march=x86-64-v4 and -march=x86-64-v3 let the compiler use (LZCNT and MOVBE come with
// every CPU that has AVX2, FMA and BMI2).
bool has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx2") &&
         __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
}
bool has_avx2() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("f16c");
}
bool always() { return true; }

#define DSC_VARIANT(isa, check) {#isa, check, dsc_##isa##_output_shape, dsc_##isa##_workspace_bytes, dsc_##isa##_run}
// Best first.
const KernelVariant kVariants[] = {DSC_VARIANT(avx512, has_avx512), DSC_VARIANT(avx2, has_avx2), DSC_VARIANT(baseline, always)};

const KernelVariant& choose() {
  __builtin_cpu_init();
  const char* forced = std::getenv("DSC_CPU_ISA");
  if (forced && *forced)
    for (const KernelVariant& v : kVariants)
      if (std::strcmp(forced, v.name) == 0 && v.supported()) return v;
  for (const KernelVariant& v : kVariants)
    if (v.supported()) return v;
  return kVariants[sizeof kVariants / sizeof kVariants[0] - 1];
}

const KernelVariant& chosen() {
  static const KernelVariant& variant = choose();
  return variant;
}

}  // namespace

extern "C" {
void dsc_output_shape(int index, const int64_t* syms, int64_t* shape_out) { chosen().output_shape(index, syms, shape_out); }
size_t dsc_workspace_bytes(const int64_t* syms) { return chosen().workspace_bytes(syms); }
int dsc_run(const void* const* params, const void* const* inputs, void* const* outputs, const int64_t* syms, void* workspace,
            int num_threads) {
  return chosen().run(params, inputs, outputs, syms, workspace, num_threads);
}
}

const char* dsc::kernel_isa() { return chosen().name; }

#else

const char* dsc::kernel_isa() { return "baseline"; }

#endif
