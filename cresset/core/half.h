#pragma once
// 16-bit floating point storage types. Arithmetic happens in float (see opmath_t in dtype.h);
// these types only convert, so kernels stay generic over every floating dtype.
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define CRESSET_HOST_DEVICE __host__ __device__
#else
#define CRESSET_HOST_DEVICE
#endif
// Small functions used inside kernels are forced inline: kernel files are compiled once per CPU
// ISA, and an out-of-line copy built for AVX-512 must never be picked by the linker for the
// baseline build (see Note [CPU capability dispatch]).
#define CRESSET_INLINE __attribute__((always_inline)) inline

namespace cresset {

namespace detail {
CRESSET_HOST_DEVICE CRESSET_INLINE uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
CRESSET_HOST_DEVICE CRESSET_INLINE float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
}  // namespace detail

/// IEEE 754 binary16. Conversions round to nearest even, like torch.
struct Half {
  uint16_t x = 0;
  Half() = default;
  CRESSET_HOST_DEVICE CRESSET_INLINE Half(float f) : x(from_float(f)) {}
  CRESSET_HOST_DEVICE CRESSET_INLINE operator float() const { return to_float(x); }

  static constexpr Half from_bits(uint16_t b) {
    Half h;
    h.x = b;
    return h;
  }

  CRESSET_HOST_DEVICE CRESSET_INLINE static float to_float(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    if (exp == 0x1f) return detail::bits_float(sign | 0x7f800000u | (mant << 13));
    if (exp == 0) {
      if (mant == 0) return detail::bits_float(sign);
      // Subnormal half: value = mant * 2^-24, exact in float.
      float v = float(mant) * 5.9604644775390625e-8f;
      return sign ? -v : v;
    }
    return detail::bits_float(sign | ((exp + 112) << 23) | (mant << 13));
  }

  CRESSET_HOST_DEVICE CRESSET_INLINE static uint16_t from_float(float f) {
    uint32_t u = detail::float_bits(f);
    uint16_t sign = uint16_t((u >> 16) & 0x8000);
    uint32_t au = u & 0x7fffffffu;
    if (au >= 0x7f800000u) return sign | (au > 0x7f800000u ? 0x7e00 : 0x7c00);
    if (au >= 0x477ff000u) return sign | 0x7c00;  // rounds to >= 65520: overflow to inf
    if (au < 0x38800000u) {
      // Result is subnormal (or zero): add a magic number so the FPU does the rounding.
      float v = detail::bits_float(au) + 0.5f;
      return sign | uint16_t(detail::float_bits(v) - 0x3f000000u);
    }
    uint32_t mant_odd = (au >> 13) & 1;
    au += 0xc8000fffu + mant_odd;  // rebias exponent (-112 << 23) and round half to even
    return sign | uint16_t(au >> 13);
  }
};

/// bfloat16: the top half of a float32. Conversions round to nearest even; NaN stays NaN.
struct BFloat16 {
  uint16_t x = 0;
  BFloat16() = default;
  CRESSET_HOST_DEVICE CRESSET_INLINE BFloat16(float f) : x(from_float(f)) {}
  CRESSET_HOST_DEVICE CRESSET_INLINE operator float() const { return detail::bits_float(uint32_t(x) << 16); }

  static constexpr BFloat16 from_bits(uint16_t b) {
    BFloat16 h;
    h.x = b;
    return h;
  }

  CRESSET_HOST_DEVICE CRESSET_INLINE static uint16_t from_float(float f) {
    uint32_t u = detail::float_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
    u += 0x7fffu + ((u >> 16) & 1);
    return uint16_t(u >> 16);
  }
};

}  // namespace cresset
