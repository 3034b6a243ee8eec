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
