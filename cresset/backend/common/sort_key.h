#pragma once
// The sort family's order of values (see Note [Sort order] in backend/cpu/sort.h), host+device:
// key_less for the CPU's comparison sorts and order_bits, the same order as unsigned integers, for
// the CUDA radix sorts. Both order NaN above every number and treat every NaN alike, and -0.0 and
// 0.0 alike.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "cresset/core/dtype.h"

namespace cresset {

/// The type values of T compare in: float for the 16-bit floats, T otherwise.
template <class T>
using sort_key_t = std::conditional_t<std::is_floating_point_v<opmath_t<T>>, opmath_t<T>, T>;

/// a < b with NaN above every number (see Note [Sort order]).
template <class K>
CRESSET_HOST_DEVICE CRESSET_INLINE bool key_less(K a, K b) {
  if constexpr (std::is_floating_point_v<K>) {
    return a < b || (b != b && a == a);
  } else {
    return a < b;
  }
}

/// How many low bits of order_bits<T> can differ.
template <class T>
constexpr int order_bit_count() {
  return std::is_same_v<T, bool> ? 1 : int(8 * sizeof(T));
}

/// An unsigned integer that orders values of T as key_less orders their keys: a key_less b exactly
/// when order_bits(a) < order_bits(b), so equal keys (every NaN; -0.0 and 0.0) have equal bits.
/// Only the low order_bit_count<T>() bits are used.
template <class T>
CRESSET_HOST_DEVICE CRESSET_INLINE uint64_t order_bits(T v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? 1 : 0;
  } else if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    U u = U(v);
    if constexpr (std::is_signed_v<T>) u = U(u ^ (U(1) << (8 * sizeof(T) - 1)));  // negatives first
    return uint64_t(u);
  } else {
    constexpr int kBits = int(8 * sizeof(T));
    constexpr uint64_t kSign = uint64_t(1) << (kBits - 1);
    constexpr uint64_t kAll = kSign | (kSign - 1);
    const opmath_t<T> f = opmath_t<T>(v);
    if (f != f) return kAll;                // every NaN, above +inf
    if (f == opmath_t<T>(0)) return kSign;  // -0.0 as 0.0
    uint64_t u = 0;
    if constexpr (sizeof(T) == 2) {
      u = v.x;
    } else if constexpr (sizeof(T) == 4) {
      uint32_t w;
      std::memcpy(&w, &v, 4);
      u = w;
    } else {
      std::memcpy(&u, &v, 8);
    }
    // Negative floats order backwards: flip all their bits; positives go above them.
    return (u & kSign) ? (~u & kAll) : (u | kSign);
  }
}

}  // namespace cresset
