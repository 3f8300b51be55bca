// Which instruction-set variant of the kernels this process runs. On x86-64 Linux a package carries
// AVX-512, AVX2+FMA and baseline copies of its kernels (CMakeLists.txt) and isa.cc forwards the C
// ABI of the kernels to the best one the CPU supports; elsewhere there is one baseline copy.
#pragma once

namespace dsc {

/** "avx512", "avx2" or "baseline": chosen once, at the first call, from the CPU and DSC_CPU_ISA. */
const char* kernel_isa();

}  // namespace dsc
