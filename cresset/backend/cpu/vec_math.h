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
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

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

// Note [Explicit vector exp]
// GCC vectorizes expf above well, but its 2^n is nine integer ops per vector and the loop is
// bound by the vector ports. Builds with AVX2+FMA or AVX-512 therefore also get exp on a whole
// register, `exp(Vec)`: the same clamp, reduction and polynomial in the same order, so every lane
// equals expf of that element bit for bit, with 2^n applied by one vscalefps on AVX-512
// (p * 2^n rounded once, denormals included; about 13 instead of 22 vector ops) and by the two
// factors above on AVX2. Kernels call it through map() on contiguous float32 runs.
#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#define CRESSET_VEC_FLOAT 1

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kLanes = 16;
__attribute__((always_inline)) inline Vec load(const float* p) { return _mm512_loadu_ps(p); }
__attribute__((always_inline)) inline void store(float* p, Vec v) { _mm512_storeu_ps(p, v); }
__attribute__((always_inline)) inline Vec splat(float x) { return _mm512_set1_ps(x); }
__attribute__((always_inline)) inline Vec fma(Vec a, Vec b, Vec c) {
  return _mm512_fmadd_ps(a, b, c);
}
__attribute__((always_inline)) inline Vec add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
__attribute__((always_inline)) inline Vec sub(Vec a, Vec b) { return _mm512_sub_ps(a, b); }
__attribute__((always_inline)) inline Vec div(Vec a, Vec b) { return _mm512_div_ps(a, b); }
__attribute__((always_inline)) inline Vec neg(Vec a) {
  return _mm512_castsi512_ps(
      _mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32(int32_t(0x80000000u))));
}
// The second operand when either is NaN, like minps/maxps: clamp(x) keeps a NaN x. The masked
// intrinsics with a full mask compile to the plain instructions; the unmasked ones trip GCC 12's
// -Wmaybe-uninitialized in its own header.
constexpr __mmask16 kAll = 0xFFFF;
__attribute__((always_inline)) inline Vec min(Vec a, Vec b) {
  return _mm512_mask_min_ps(a, kAll, a, b);
}
__attribute__((always_inline)) inline Vec max(Vec a, Vec b) {
  return _mm512_mask_max_ps(a, kAll, a, b);
}
// p * 2^n for integer-valued n, rounded once.
__attribute__((always_inline)) inline Vec scale(Vec p, Vec n, Vec) {
  return _mm512_mask_scalef_ps(p, kAll, p, n);
}
__attribute__((always_inline)) inline Vec mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
// |a|, and |a| with the sign of s.
__attribute__((always_inline)) inline Vec abs(Vec a) {
  return _mm512_castsi512_ps(
      _mm512_and_si512(_mm512_castps_si512(a), _mm512_set1_epi32(0x7FFFFFFF)));
}
__attribute__((always_inline)) inline Vec copysign(Vec a, Vec s) {
  return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(
      _mm512_castps_si512(a), _mm512_castps_si512(s), _mm512_set1_epi32(0x7FFFFFFF), 0xE4));
}
/// a < b ? x : y, lane by lane (false when either is NaN).
__attribute__((always_inline)) inline Vec select_lt(Vec a, Vec b, Vec x, Vec y) {
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x);
}
// 1 / d within 1 ulp: a 14-bit estimate and one Newton step (a division costs 8 times more).
__attribute__((always_inline)) inline Vec recip(Vec d) {
  Vec r = _mm512_mask_rcp14_ps(d, kAll, d);
  return _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
}
// x = 2^e m with m in [sqrt(1/2), sqrt(2)) for finite x > 0, denormals included; returns m - 1.
__attribute__((always_inline)) inline Vec log_split(Vec x, Vec& e) {
  Vec m = _mm512_mask_getmant_ps(x, kAll, x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
  e = _mm512_mask_getexp_ps(x, kAll, x);
  __mmask16 high = _mm512_cmp_ps_mask(m, _mm512_set1_ps(1.41421356f), _CMP_GT_OQ);
  m = _mm512_mask_mul_ps(m, high, m, _mm512_set1_ps(0.5f));
  e = _mm512_mask_add_ps(e, high, e, _mm512_set1_ps(1.0f));
  return _mm512_sub_ps(m, _mm512_set1_ps(1.0f));
}
// log's special inputs in one instruction, by the class of x: NaN stays NaN, +-0 gives -inf,
// +inf gives +inf, a negative number or -inf gives NaN, 1 gives +0; other lanes keep r.
__attribute__((always_inline)) inline Vec log_fixup(Vec r, Vec x) {
  // One nibble per class, from QNaN up: QNaN(x), QNaN(x), -inf, +0, NaN, +inf, NaN, keep r.
  constexpr int kTable = 0x03538422;
  return _mm512_fixupimm_ps(r, x, _mm512_set1_epi32(kTable), 0);
}
// The first n < kLanes floats at p, the other lanes `fill`; the first n lanes of v stored; v with
// lanes from n on zeroed.
__attribute__((always_inline)) inline Vec load_first(const float* p, int64_t n, float fill) {
  return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), __mmask16((1u << n) - 1), p);
}
__attribute__((always_inline)) inline void store_first(float* p, Vec v, int64_t n) {
  _mm512_mask_storeu_ps(p, __mmask16((1u << n) - 1), v);
}
__attribute__((always_inline)) inline Vec keep_first(Vec v, int64_t n) {
  return _mm512_maskz_mov_ps(__mmask16((1u << n) - 1), v);
}
// The sum and the max of the lanes, halving down to one (GCC 12's _mm512_reduce_* and unmasked
// extracts trip -Wuninitialized in its own header; the zero-masking forms with a full mask don't).
__attribute__((always_inline)) inline __m256 lower_half(Vec v) {
  return _mm512_maskz_extractf32x8_ps(0xFF, v, 0);
}
__attribute__((always_inline)) inline __m256 upper_half(Vec v) {
  return _mm512_maskz_extractf32x8_ps(0xFF, v, 1);
}
__attribute__((always_inline)) inline float reduce_add(Vec v) {
  __m256 q = _mm256_add_ps(lower_half(v), upper_half(v));
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(q), _mm256_extractf128_ps(q, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_add_ss(h, _mm_movehdup_ps(h)));
}
__attribute__((always_inline)) inline float reduce_max(Vec v) {
  __m256 q = _mm256_max_ps(lower_half(v), upper_half(v));
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(q), _mm256_extractf128_ps(q, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
}
#else
using Vec = __m256;
constexpr int kLanes = 8;
__attribute__((always_inline)) inline Vec load(const float* p) { return _mm256_loadu_ps(p); }
__attribute__((always_inline)) inline void store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
__attribute__((always_inline)) inline Vec splat(float x) { return _mm256_set1_ps(x); }
__attribute__((always_inline)) inline Vec fma(Vec a, Vec b, Vec c) {
  return _mm256_fmadd_ps(a, b, c);
}
__attribute__((always_inline)) inline Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
__attribute__((always_inline)) inline Vec sub(Vec a, Vec b) { return _mm256_sub_ps(a, b); }
__attribute__((always_inline)) inline Vec div(Vec a, Vec b) { return _mm256_div_ps(a, b); }
__attribute__((always_inline)) inline Vec neg(Vec a) {
  return _mm256_xor_ps(a, _mm256_set1_ps(-0.0f));
}
__attribute__((always_inline)) inline Vec min(Vec a, Vec b) { return _mm256_min_ps(a, b); }
__attribute__((always_inline)) inline Vec max(Vec a, Vec b) { return _mm256_max_ps(a, b); }
// p * 2^n as two exact power-of-two factors (see Note [Fast expf]); t holds n + 1.5 * 2^23.
__attribute__((always_inline)) inline Vec scale(Vec p, Vec, Vec t) {
  __m256i ni = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(0x4B400000));
  __m256i half = _mm256_srai_epi32(ni, 1);
  __m256i bias = _mm256_set1_epi32(127);
  Vec f1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
  Vec f2 = _mm256_castsi256_ps(
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, half), bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, f1), f2);
}
__attribute__((always_inline)) inline Vec mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
__attribute__((always_inline)) inline Vec abs(Vec a) {
  return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a);
}
__attribute__((always_inline)) inline Vec copysign(Vec a, Vec s) {
  const Vec sign = _mm256_set1_ps(-0.0f);
  return _mm256_or_ps(_mm256_andnot_ps(sign, a), _mm256_and_ps(sign, s));
}
__attribute__((always_inline)) inline Vec select_lt(Vec a, Vec b, Vec x, Vec y) {
  return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ));
}
// AVX2's estimate has 12 bits, too few for one Newton step: divide.
__attribute__((always_inline)) inline Vec recip(Vec d) {
  return _mm256_div_ps(_mm256_set1_ps(1.0f), d);
}
// The AVX-512 version's split from the bits: a denormal x is scaled by 2^23 first.
__attribute__((always_inline)) inline Vec log_split(Vec x, Vec& e) {
  Vec tiny = _mm256_cmp_ps(x, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
  x = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), tiny);
  const __m256i sqrt_half = _mm256_set1_epi32(0x3F3504F3);
  __m256i bits = _mm256_sub_epi32(_mm256_castps_si256(x), sqrt_half);
  e = _mm256_sub_ps(_mm256_cvtepi32_ps(_mm256_srai_epi32(bits, 23)),
                    _mm256_and_ps(tiny, _mm256_set1_ps(23.0f)));
  __m256i m = _mm256_add_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x7FFFFF)), sqrt_half);
  return _mm256_sub_ps(_mm256_castsi256_ps(m), _mm256_set1_ps(1.0f));
}
__attribute__((always_inline)) inline Vec log_fixup(Vec r, Vec x) {
  const Vec inf = _mm256_set1_ps(__builtin_inff());
  r = _mm256_blendv_ps(r, _mm256_set1_ps(-__builtin_inff()),
                       _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_EQ_OQ));
  r = _mm256_blendv_ps(r, inf, _mm256_cmp_ps(x, inf, _CMP_EQ_OQ));
  return _mm256_blendv_ps(r, _mm256_set1_ps(__builtin_nanf("")),
                          _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NGE_UQ));
}
// The first n < kLanes floats at p, the other lanes `fill`; the first n lanes of v stored; v with
// lanes from n on zeroed.
__attribute__((always_inline)) inline __m256i first_lanes(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
__attribute__((always_inline)) inline Vec load_first(const float* p, int64_t n, float fill) {
  const __m256i m = first_lanes(n);
  return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
__attribute__((always_inline)) inline void store_first(float* p, Vec v, int64_t n) {
  _mm256_maskstore_ps(p, first_lanes(n), v);
}
__attribute__((always_inline)) inline Vec keep_first(Vec v, int64_t n) {
  return _mm256_and_ps(v, _mm256_castsi256_ps(first_lanes(n)));
}
// The sum and the max of the lanes.
__attribute__((always_inline)) inline float reduce_add(Vec v) {
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_add_ss(h, _mm_movehdup_ps(h)));
}
__attribute__((always_inline)) inline float reduce_max(Vec v) {
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
}
#endif

// exp of x in [-104, 89] (or NaN).
__attribute__((always_inline)) inline Vec exp_clamped(Vec xc) {
  const Vec kRound = splat(12582912.0f);
  Vec t = fma(xc, splat(1.44269504088896341f), kRound);
  Vec n = sub(t, kRound);
  Vec r = fma(n, splat(2.12194440e-4f), fma(n, splat(-0.693359375f), xc));
  Vec p = splat(1.381461275741458e-3f);
  p = fma(p, r, splat(8.368710055947304e-3f));
  p = fma(p, r, splat(4.166838899254799e-2f));
  p = fma(p, r, splat(1.666652113199234e-1f));
  p = fma(p, r, splat(4.999999403953552e-1f));
  p = fma(p, r, splat(1.0f));
  p = fma(p, r, splat(1.0f));
  return scale(p, n, t);
}

/// exp of every lane, equal to expf lane by lane (see Note [Explicit vector exp]).
__attribute__((always_inline)) inline Vec exp(Vec x) {
  return exp_clamped(min(splat(89.0f), max(splat(-104.0f), x)));
}

// Note [Vector log and tanh]
// libmvec's logf and tanhf are slower than torch's. log: x = 2^e m with m in [sqrt(1/2), sqrt(2)),
// f = m - 1, log x = e ln 2 + f + f^2 R(f) with R a degree-8 relative minimax fit; e ln 2 needs no
// split of ln 2 (its rounding error is below 0.1 ulp of log x once e != 0, and the multiply-add
// rounds once); special inputs are patched at the end. tanh: |x| < 0.625 by
// x + x^3 P(x^2) (degree 4, a relative minimax fit), above by 1 - 2 / (exp(2|x|) + 1) with 2|x|
// clamped to 40 (tanh is 1 in float32 from 9.1 on), then x's sign; NaN flows through both.
// Measured over every 61st float: log within 0.92 ulp, tanh within 1.65 (test_fast_paths checks a
// sample). The strided loop calls them too (through a buffer), so a float32 result doesn't depend
// on the layout.

/// log of every lane (see Note [Vector log and tanh]).
__attribute__((always_inline)) inline Vec log(Vec x) {
  Vec e;
  Vec f = log_split(x, e);
  Vec r = splat(-0.07621774822473526f);
  r = fma(r, f, splat(0.129044309258461f));
  r = fma(r, f, splat(-0.13242988288402557f));
  r = fma(r, f, splat(0.14181825518608093f));
  r = fma(r, f, splat(-0.16609083116054535f));
  r = fma(r, f, splat(0.2000197321176529f));
  r = fma(r, f, splat(-0.25001582503318787f));
  r = fma(r, f, splat(0.33333325386047363f));
  r = fma(r, f, splat(-0.49999988079071045f));
  Vec log_m = fma(mul(f, f), r, f);
  return log_fixup(fma(e, splat(0.693147182f), log_m), x);
}

/// tanh of every lane (see Note [Vector log and tanh]).
__attribute__((always_inline)) inline Vec tanh(Vec x) {
  Vec a = abs(x);
  Vec u = mul(a, a);
  Vec p = splat(-0.005704451818019152f);
  p = fma(p, u, splat(0.020638572052121162f));
  p = fma(p, u, splat(-0.05373954772949219f));
  p = fma(p, u, splat(0.13331440091133118f));
  p = fma(p, u, splat(-0.3333328068256378f));
  Vec small = fma(mul(a, u), p, a);
  Vec d = add(exp_clamped(min(splat(40.0f), add(a, a))), splat(1.0f));
  Vec big = fma(splat(-2.0f), recip(d), splat(1.0f));
  return copysign(select_lt(a, splat(0.625f), small, big), x);
}

/// out[i] = f(in[i]) for i < n, f taking and returning a Vec; the tail goes through a padded
/// register so f sees whole vectors only.
template <typename F>
__attribute__((always_inline)) inline void map(float* out, const float* in, int64_t n, F f) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) store(out + i, f(load(in + i)));
  if (i < n) {
    float buf[kLanes] = {};
    std::memcpy(buf, in + i, size_t(n - i) * sizeof(float));
    store(buf, f(load(buf)));
    std::memcpy(out + i, buf, size_t(n - i) * sizeof(float));
  }
}
#endif

}  // namespace cresset::vec_math
