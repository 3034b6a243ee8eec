#pragma once
// Note [Vectorized libm]
// glibc's libmvec holds SIMD versions of libm functions (_ZGVeN16v_expf is expf on 16 floats with
// AVX-512, _ZGVdN8v_expf on 8 with AVX2, _ZGVbN4v_expf on 4 with SSE). GCC calls them from a
// vectorized loop when the scalar function is declared with __attribute__((simd)); glibc's headers
// only say so under -ffast-math, so this header redeclares the functions the functors use. Each
// capability build of a *_kernels.cpp then calls the variant of its ISA. libm.so's linker script
// adds libmvec as needed, so nothing else is linked. The vector versions are within 4 ulp of the
// scalar ones (which the few remainder elements of a loop use). Include this first, at global
// scope, in kernel files that call transcendental functions.
#include <cmath>

#if defined(__GLIBC__) && defined(__x86_64__) && !defined(__CUDACC__)

#define CRESSET_VEC_MATH_1(name)                                                 \
  extern "C" __attribute__((simd("notinbranch"))) float name##f(float) noexcept; \
  extern "C" __attribute__((simd("notinbranch"))) double name(double) noexcept;
#define CRESSET_VEC_MATH_2(name)                                                        \
  extern "C" __attribute__((simd("notinbranch"))) float name##f(float, float) noexcept; \
  extern "C" __attribute__((simd("notinbranch"))) double name(double, double) noexcept;

// Since glibc 2.22.
CRESSET_VEC_MATH_1(exp)
CRESSET_VEC_MATH_1(log)
CRESSET_VEC_MATH_1(sin)
CRESSET_VEC_MATH_1(cos)
CRESSET_VEC_MATH_2(pow)

#if __GLIBC_PREREQ(2, 35)
CRESSET_VEC_MATH_1(exp2)
CRESSET_VEC_MATH_1(expm1)
CRESSET_VEC_MATH_1(log2)
CRESSET_VEC_MATH_1(log10)
CRESSET_VEC_MATH_1(log1p)
CRESSET_VEC_MATH_1(tan)
CRESSET_VEC_MATH_1(asin)
CRESSET_VEC_MATH_1(acos)
CRESSET_VEC_MATH_1(atan)
CRESSET_VEC_MATH_1(sinh)
CRESSET_VEC_MATH_1(cosh)
CRESSET_VEC_MATH_1(tanh)
CRESSET_VEC_MATH_1(asinh)
CRESSET_VEC_MATH_1(acosh)
CRESSET_VEC_MATH_1(atanh)
CRESSET_VEC_MATH_1(erf)
CRESSET_VEC_MATH_1(erfc)
CRESSET_VEC_MATH_2(atan2)
CRESSET_VEC_MATH_2(hypot)
#endif

#undef CRESSET_VEC_MATH_1
#undef CRESSET_VEC_MATH_2

#endif

#include <cstdint>
#include <cstring>

// Note [Fast expf]
// libmvec's expf is slower than torch's (SLEEF). This one is plain scalar code that a simd loop
// vectorizes for any capability: exp(x) = 2^n exp(r), n = round(x log2 e), r = x - n ln 2 with ln 2
// split in two (Cody-Waite), exp(r) by a degree-6 polynomial on [-ln2/2, ln2/2] (a relative
// minimax fit, 0.07 ulp). 2^n is applied as two factors 2^(n/2) so that results near overflow and denormal
// results round once, correctly. Inputs are clamped to [-104, 89], beyond which the result is 0
// or inf anyway; NaN passes through. The AVX2/AVX-512 builds fuse the multiply-adds (half the
// vector ops: a 512-bit loop is bound by them), the baseline build doesn't; both are within 2 ulp
// of exp over all floats (tests/cpp/test_vec_math.cpp checks a dense sample of each).
#define CRESSET_VEC_EXPF 1
namespace cresset::vec_math {

__attribute__((always_inline)) inline float bits_to_float(uint32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}
__attribute__((always_inline)) inline int32_t float_to_bits(float f) {
  int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i;
}

// a * b + c, fused where the build has FMA (see Note [Fast expf]).
__attribute__((always_inline)) inline float mul_add(float a, float b, float c) {
#if defined(__FMA__)
  return __builtin_fmaf(a, b, c);
#else
  return a * b + c;
#endif
}

__attribute__((always_inline)) inline float expf(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f;
  constexpr float kLn2Lo = -2.12194440e-4f;
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  float xc = x < -104.0f ? -104.0f : x;  // NaN fails both tests and flows through
  xc = xc > 89.0f ? 89.0f : xc;
  float t = mul_add(xc, kLog2e, kRound);
  float n = t - kRound;
  float r = mul_add(n, -kLn2Lo, mul_add(n, -kLn2Hi, xc));
  float p = 1.381461275741458e-3f;
  p = mul_add(p, r, 8.368710055947304e-3f);
  p = mul_add(p, r, 4.166838899254799e-2f);
  p = mul_add(p, r, 1.666652113199234e-1f);
  p = mul_add(p, r, 4.999999403953552e-1f);
  p = mul_add(p, r, 1.0f);
  p = mul_add(p, r, 1.0f);
  int32_t ni = float_to_bits(t) - float_to_bits(kRound);  // n as an integer
  int32_t half = ni >> 1;
  return p * bits_to_float(uint32_t(half + 127) << 23) *  // NaN has stayed NaN
         bits_to_float(uint32_t(ni - half + 127) << 23);
}

}  // namespace cresset::vec_math
