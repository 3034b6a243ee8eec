#pragma once
// Note [CPU capability dispatch]
// Hot kernel files (*_kernels.cpp here) are compiled three times, with -DCPU_CAPABILITY=base
// (x86-64 baseline), avx2 (AVX2+FMA+F16C) and avx512 (AVX-512 F/BW/VL/DQ), each into its own
// namespace cresset::cpu::<capability>. At run time CRESSET_CPU_DISPATCH calls the best version
// the processor supports, so one wheel runs on any x86-64 and still uses AVX-512 where it exists.
// The environment variable CRESSET_CPU_CAPABILITY=base|avx2|avx512 lowers the choice (tests).
// Everything a kernel file defines must live in its capability namespace or be forced inline,
// or the linker may pick an AVX-512 copy for the baseline build.

namespace cresset::cpu {

enum class Capability { Base, AVX2, AVX512 };

/// The capability kernels run with: the best the CPU has, capped by CRESSET_CPU_CAPABILITY.
Capability capability();
/// "base", "avx2" or "avx512".
const char* capability_name(Capability c);

}  // namespace cresset::cpu

#define CRESSET_CPU_DISPATCH(fn, ...)                                    \
  do {                                                                   \
    switch (::cresset::cpu::capability()) {                              \
      case ::cresset::cpu::Capability::AVX512:                           \
        ::cresset::cpu::avx512::fn(__VA_ARGS__);                         \
        break;                                                           \
      case ::cresset::cpu::Capability::AVX2:                             \
        ::cresset::cpu::avx2::fn(__VA_ARGS__);                           \
        break;                                                           \
      default:                                                           \
        ::cresset::cpu::base::fn(__VA_ARGS__);                           \
    }                                                                    \
  } while (0)
