// Random fills, compiled once per capability (see Note [CPU capability dispatch] and Note [Random
// number generation]). A batch of kPhiloxBatch blocks is generated lane by lane so the compiler
// vectorizes the Philox rounds, and Box-Muller and the exponential use the polynomial log and
// sincos below instead of libm calls, so they vectorize too and every capability gives the same
// bits.
#include "cresset/backend/cpu/random_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

constexpr int kB = kPhiloxBatch;
constexpr int kWords = 4 * kB;
// Philox is compute-bound, so smaller chunks than kGrainSize already pay for a thread.
constexpr int64_t kRandomGrain = 8192;

// The words of blocks [first, first + kB) (sub-stream 0): word w of block j goes to raw[w*kB + j].
// Same arithmetic as philox4x32_10, written across blocks so it vectorizes.
CRESSET_INLINE void philox_batch(uint64_t seed, uint64_t first, uint32_t* __restrict raw) {
  uint32_t c0[kB], c1[kB], c2[kB], c3[kB];
  for (int j = 0; j < kB; ++j) {
    uint64_t c = first + uint64_t(j);
    c0[j] = uint32_t(c);
    c1[j] = uint32_t(c >> 32);
    c2[j] = 0;
    c3[j] = 0;
  }
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  for (int round = 0; round < 10; ++round) {
#pragma omp simd
    for (int j = 0; j < kB; ++j) {
      uint64_t p0 = uint64_t(philox::kMul0) * c0[j], p1 = uint64_t(philox::kMul1) * c2[j];
      uint32_t n0 = uint32_t(p1 >> 32) ^ c1[j] ^ k0, n2 = uint32_t(p0 >> 32) ^ c3[j] ^ k1;
      c1[j] = uint32_t(p1);
      c3[j] = uint32_t(p0);
      c0[j] = n0;
      c2[j] = n2;
    }
    k0 += philox::kWeyl0;
    k1 += philox::kWeyl1;
  }
  std::memcpy(raw, c0, sizeof(c0));
  std::memcpy(raw + kB, c1, sizeof(c1));
  std::memcpy(raw + 2 * kB, c2, sizeof(c2));
  std::memcpy(raw + 3 * kB, c3, sizeof(c3));
}

// ---- uniform variates from words ----
// [0, 1) with `digits` bits, so the value is exact in a dtype with that many significand bits.
template <int digits>
CRESSET_INLINE float unit_float(uint32_t x) {
  return float(x >> (32 - digits)) * (1.0f / float(1u << digits));
}
// (0, 1]: never 0, so its log is finite.
CRESSET_INLINE float unit_float_nonzero(uint32_t x) { return (float(x >> 8) + 1.0f) * 0x1.0p-24f; }
// (0, 1): neither end.
CRESSET_INLINE float unit_float_open(uint32_t x) { return (float(x >> 8) + 0.5f) * 0x1.0p-24f; }
CRESSET_INLINE uint64_t word_pair(uint32_t lo, uint32_t hi) {
  return uint64_t(lo) | uint64_t(hi) << 32;
}
CRESSET_INLINE double unit_double(uint64_t x) { return double(x >> 11) * 0x1.0p-53; }
CRESSET_INLINE double unit_double_nonzero(uint64_t x) {
  return (double(x >> 11) + 1.0) * 0x1.0p-53;
}
CRESSET_INLINE double unit_double_open(uint64_t x) { return (double(x >> 11) + 0.5) * 0x1.0p-53; }

// ---- math that vectorizes (arguments come from the generators above) ----
// The bits of a float or double, and back.
template <typename T>
using bits_t = std::conditional_t<std::is_same_v<T, float>, uint32_t, uint64_t>;
template <typename T>
CRESSET_INLINE bits_t<T> to_bits(T x) {
  bits_t<T> b;
  std::memcpy(&b, &x, sizeof(T));
  return b;
}
template <typename T>
CRESSET_INLINE T from_bits(bits_t<T> b) {
  T x;
  std::memcpy(&x, &b, sizeof(T));
  return x;
}

// Evaluates sum(c[i] * x^i) by Horner's rule; c is highest power first.
template <typename T, size_t N>
CRESSET_INLINE T horner(T x, const T (&c)[N]) {
  T p = c[0];
  for (size_t i = 1; i < N; ++i) p = p * x + c[i];
  return p;
}

// log(x) for normal positive x: x = 2^e * m with m in [sqrt(1/2), sqrt(2)), then
// log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, by its odd series (to s^9 for float,
// s^21 for double: truncation error below the type's rounding).
template <typename T>
CRESSET_INLINE T log_positive(T x) {
  constexpr bool is_float = std::is_same_v<T, float>;
  constexpr int mant = is_float ? 23 : 52, bias = is_float ? 127 : 1023;
  constexpr bits_t<T> mant_mask = (bits_t<T>(1) << mant) - 1, one = bits_t<T>(bias) << mant;
  const bits_t<T> b = to_bits(x);
  T e = T(int64_t(b >> mant) - bias);
  T m = from_bits<T>((b & mant_mask) | one);
  const T big = m > T(1.4142135623730951) ? T(1) : T(0);
  m = m * (T(1) - T(0.5) * big);
  e += big;
  const T s = (m - T(1)) / (m + T(1)), s2 = s * s;
  T p;
  if constexpr (is_float) {
    p = horner(s2, {1.0f / 9, 1.0f / 7, 1.0f / 5, 1.0f / 3, 1.0f});
  } else {
    p = horner(s2, {1.0 / 21, 1.0 / 19, 1.0 / 17, 1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9, 1.0 / 7,
                    1.0 / 5, 1.0 / 3, 1.0});
  }
  return T(2) * s * p + e * T(0.6931471805599453);
}

// sin and cos of 2*pi*u for u in [0, 1): quarter turn q = round(4u), remainder angle
// r in [-pi/4, pi/4] by Taylor series (to r^9 / r^8 for float, r^17 / r^16 for double), then
// rotated by q.
template <typename T>
CRESSET_INLINE void sincos_turns(T u, T& s_out, T& c_out) {
  const T t = u * T(4);
  const int32_t q = int32_t(t + T(0.5));
  const T r = (t - T(q)) * T(1.5707963267948966), r2 = r * r;
  T s, c;
  if constexpr (std::is_same_v<T, float>) {
    s = horner(r2, {1.0f / 362880, -1.0f / 5040, 1.0f / 120, -1.0f / 6, 1.0f}) * r;
    c = horner(r2, {1.0f / 40320, -1.0f / 720, 1.0f / 24, -0.5f, 1.0f});
  } else {
    s = horner(r2, {1.0 / 355687428096000, -1.0 / 1307674368000, 1.0 / 6227020800, -1.0 / 39916800,
                    1.0 / 362880, -1.0 / 5040, 1.0 / 120, -1.0 / 6, 1.0}) *
        r;
    c = horner(r2, {1.0 / 20922789888000, -1.0 / 87178291200, 1.0 / 479001600, -1.0 / 3628800,
                    1.0 / 40320, -1.0 / 720, 1.0 / 24, -0.5, 1.0});
  }
  const bool odd = q & 1;
  const T sin_sign = (q & 2) ? T(-1) : T(1), cos_sign = ((q + 1) & 2) ? T(-1) : T(1);
  s_out = (odd ? c : s) * sin_sign;
  c_out = (odd ? s : c) * cos_sign;
}

// ---- batch transforms: words of one batch -> per-batch values ----
// Each is called as tf(raw, vals, first_element) and writes random_batch_elements values.

template <int digits>
struct UniformF {
  float lo, span;
  void operator()(const uint32_t* raw, float* v, int64_t) const {
#pragma omp simd
    for (int k = 0; k < kWords; ++k) v[k] = lo + span * unit_float<digits>(raw[k]);
  }
};
struct UniformD {
  double lo, span;
  void operator()(const uint32_t* raw, double* v, int64_t) const {
    for (int h = 0; h < 2; ++h) {
      const uint32_t* w = raw + 2 * h * kB;
#pragma omp simd
      for (int k = 0; k < kB; ++k)
        v[h * kB + k] = lo + span * unit_double(word_pair(w[k], w[kB + k]));
    }
  }
};

// Box-Muller: words (0, 1) -> elements [0, 16) and [16, 32); words (2, 3) -> [32, 48), [48, 64).
struct NormalF {
  float mean, std;
  void operator()(const uint32_t* raw, float* v, int64_t) const {
    for (int h = 0; h < 2; ++h) {
      const uint32_t* w = raw + 2 * h * kB;
      float* out = v + 2 * h * kB;
#pragma omp simd
      for (int k = 0; k < kB; ++k) {
        float radius = std::sqrt(-2.0f * log_positive(unit_float_nonzero(w[k])));
        float s, c;
        sincos_turns(unit_float<24>(w[kB + k]), s, c);
        out[k] = mean + std * radius * c;
        out[kB + k] = mean + std * radius * s;
      }
    }
  }
};
// Words (0, 1) give the radius, (2, 3) the angle, for elements [0, 16) and [16, 32).
struct NormalD {
  double mean, std;
  void operator()(const uint32_t* raw, double* v, int64_t) const {
#pragma omp simd
    for (int k = 0; k < kB; ++k) {
      double u1 = unit_double_nonzero(word_pair(raw[k], raw[kB + k]));
      double u2 = unit_double(word_pair(raw[2 * kB + k], raw[3 * kB + k]));
      double radius = std::sqrt(-2.0 * log_positive(u1)), s, c;
      sincos_turns(u2, s, c);
      v[k] = mean + std * radius * c;
      v[kB + k] = mean + std * radius * s;
    }
  }
};

// A continuous distribution derived from one uniform per element on (0, 1).
template <typename T, typename F>
struct FromOpenUniform {
  F f;
  void operator()(const uint32_t* raw, T* v, int64_t) const {
    if constexpr (std::is_same_v<T, double>) {
      for (int h = 0; h < 2; ++h) {
        const uint32_t* w = raw + 2 * h * kB;
#pragma omp simd
        for (int k = 0; k < kB; ++k)
          v[h * kB + k] = f(unit_double_open(word_pair(w[k], w[kB + k])));
      }
    } else {
#pragma omp simd
      for (int k = 0; k < kWords; ++k) v[k] = f(unit_float_open(raw[k]));
    }
  }
};

template <typename T, typename F>
FromOpenUniform<T, F> from_open_uniform(F f) {
  return FromOpenUniform<T, F>{f};
}

struct IntRangeTf {
  int64_t base;
  uint64_t range;  // 0: every 64-bit value
  bool wide;
  void operator()(const uint32_t* raw, int64_t* v, int64_t) const {
    if (!wide) {
      // 32-bit modulo is several times cheaper than 64-bit; range 2^32 takes the word as is.
      const uint32_t r32 = uint32_t(range);
      for (int k = 0; k < kWords; ++k) v[k] = base + int64_t(r32 == 0 ? raw[k] : raw[k] % r32);
      return;
    }
    for (int h = 0; h < 2; ++h) {
      const uint32_t* w = raw + 2 * h * kB;
      for (int k = 0; k < kB; ++k) {
        uint64_t x = word_pair(w[k], w[kB + k]);
        v[h * kB + k] = int64_t(uint64_t(base) + (range == 0 ? x : x % range));
      }
    }
  }
};

template <typename scalar_t, typename V>
CRESSET_INLINE scalar_t convert(V v) {
  if constexpr (std::is_same_v<scalar_t, bool>) {
    return v != V(0);
  } else if constexpr (std::is_same_v<scalar_t, Half> || std::is_same_v<scalar_t, BFloat16>) {
    return scalar_t(float(v));
  } else {
    return static_cast<scalar_t>(v);
  }
}

// Runs tf over every batch of `out` in parallel; batch j uses only blocks offset + j*kB ...
template <typename scalar_t, typename V, typename Tf>
void fill_batches(const Tensor& out, const RandomSpec& spec, const Tf& tf) {
  scalar_t* data = out.data<scalar_t>();
  const int64_t n = out.numel(), per_batch = random_batch_elements(spec, out.dtype());
  const int64_t batches = (n + per_batch - 1) / per_batch;
  parallel_for(0, batches, kRandomGrain / per_batch, [&](int64_t b0, int64_t b1) {
    alignas(64) uint32_t raw[kWords];
    alignas(64) V vals[kWords];
    for (int64_t j = b0; j < b1; ++j) {
      philox_batch(spec.seed, spec.offset + uint64_t(j) * kB, raw);
      const int64_t start = j * per_batch, m = std::min(per_batch, n - start);
      tf(raw, vals, start);
      scalar_t* dst = data + start;
      for (int64_t i = 0; i < m; ++i) dst[i] = convert<scalar_t>(vals[i]);
    }
  });
}

// The continuous distributions for one floating dtype; T is the compute type.
template <typename scalar_t>
void continuous_fill(const Tensor& out, const RandomSpec& s) {
  using T = std::conditional_t<std::is_same_v<scalar_t, double>, double, float>;
  const T a = T(s.a), b = T(s.b);
  switch (s.dist) {
    case RandomDist::Uniform:
      if constexpr (std::is_same_v<T, double>) {
        fill_batches<scalar_t, T>(out, s, UniformD{s.a, s.b - s.a});
      } else {
        constexpr int digits = std::is_same_v<scalar_t, float>  ? 24
                               : std::is_same_v<scalar_t, Half> ? 11
                                                                : 8;
        fill_batches<scalar_t, T>(out, s, UniformF<digits>{a, T(s.b - s.a)});
      }
      break;
    case RandomDist::Normal:
    case RandomDist::LogNormal: {
      using Tf = std::conditional_t<std::is_same_v<T, double>, NormalD, NormalF>;
      if (s.dist == RandomDist::Normal) {
        fill_batches<scalar_t, T>(out, s, Tf{a, b});
      } else {
        fill_batches<scalar_t, T>(out, s, [&](const uint32_t* raw, T* v, int64_t i) {
          Tf{a, b}(raw, v, i);
          for (int k = 0; k < kWords; ++k) v[k] = std::exp(v[k]);
        });
      }
      break;
    }
    case RandomDist::Exponential: {
      const T scale = T(-1.0 / s.a);
      fill_batches<scalar_t, T>(
          out, s, from_open_uniform<T>([scale](T u) { return scale * log_positive(u); }));
      break;
    }
    case RandomDist::Cauchy:
      fill_batches<scalar_t, T>(out, s, from_open_uniform<T>([a, b](T u) {
                                  return a + b * std::tan(T(3.14159265358979323846) * (u - T(0.5)));
                                }));
      break;
    default:
      break;
  }
}

}  // namespace

void random_fill_kernel(const Tensor& out, const RandomSpec& s) {
  switch (s.dist) {
    case RandomDist::Geometric: {
      const double inv_log_q = 1.0 / std::log1p(-s.a);
      CRESSET_DISPATCH_ALL("geometric_", out.dtype(), [&] {
        fill_batches<scalar_t, double>(
            out, s, [inv_log_q](const uint32_t* raw, double* v, int64_t) {
              for (int k = 0; k < kWords; ++k) {
                v[k] = std::ceil(std::log((double(raw[k]) + 0.5) * 0x1.0p-32) * inv_log_q);
              }
            });
      });
      break;
    }
    case RandomDist::Bernoulli: {
      const double p = s.a;
      CRESSET_DISPATCH_ALL("bernoulli_", out.dtype(), [&] {
        fill_batches<scalar_t, uint8_t>(out, s, [p](const uint32_t* raw, uint8_t* v, int64_t) {
          for (int k = 0; k < kWords; ++k) v[k] = double(raw[k]) * 0x1.0p-32 < p;
        });
      });
      break;
    }
    case RandomDist::IntRange: {
      IntRangeTf tf{s.base, s.range, random_words_per_element(s, out.dtype()) == 2};
      CRESSET_DISPATCH_ALL("random_", out.dtype(),
                           [&] { fill_batches<scalar_t, int64_t>(out, s, tf); });
      break;
    }
    default:
      CRESSET_DISPATCH_FLOAT("random", out.dtype(), [&] { continuous_fill<scalar_t>(out, s); });
  }
}

void bernoulli_tensor_kernel(const Tensor& out, const Tensor& p, const RandomSpec& s) {
  const double* prob = p.data<double>();
  CRESSET_DISPATCH_ALL("bernoulli_", out.dtype(), [&] {
    fill_batches<scalar_t, uint8_t>(
        out, s, [prob, &out](const uint32_t* raw, uint8_t* v, int64_t start) {
          const int64_t m = std::min<int64_t>(kWords, out.numel() - start);
          for (int64_t k = 0; k < m; ++k) v[k] = double(raw[k]) * 0x1.0p-32 < prob[start + k];
        });
  });
}

}  // namespace cresset::cpu::CPU_CAPABILITY
