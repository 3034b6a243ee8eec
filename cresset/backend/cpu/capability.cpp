#include "cresset/backend/cpu/capability.h"

#include <cstdlib>
#include <cstring>

namespace cresset::cpu {

namespace {
Capability detect() {
  Capability best = Capability::Base;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = Capability::AVX2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    best = Capability::AVX512;
  }
#endif
  if (const char* env = std::getenv("CRESSET_CPU_CAPABILITY")) {
    Capability want = std::strcmp(env, "base") == 0   ? Capability::Base
                      : std::strcmp(env, "avx2") == 0 ? Capability::AVX2
                                                      : Capability::AVX512;
    if (want < best) best = want;
  }
  return best;
}
}  // namespace

Capability capability() {
  static const Capability c = detect();
  return c;
}

const char* capability_name(Capability c) {
  switch (c) {
    case Capability::AVX512: return "avx512";
    case Capability::AVX2: return "avx2";
    default: return "base";
  }
}

}  // namespace cresset::cpu
