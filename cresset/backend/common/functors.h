#pragma once
// Scalar functors for the elementwise table (ops/elementwise.def). Each is one templated
// host/device function that the CPU loops and the CUDA kernels both call; T is the compute type
// (float for the 16-bit floats, see opmath_t). Keep them branch-light: they are vectorized.
#include <cmath>
#include <type_traits>

#include "cresset/core/half.h"

namespace cresset::functors {

#define CRESSET_FN CRESSET_HOST_DEVICE CRESSET_INLINE

// ---- unary ----
struct Neg {
  template <typename T>
  CRESSET_FN T operator()(T x) const { return -x; }
};
struct Exp {
  template <typename T>
  CRESSET_FN T operator()(T x) const { return std::exp(x); }
};

// ---- binary ----
struct Add {
  template <typename T>
  CRESSET_FN T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) {
      return a || b;
    } else {
      return a + b;
    }
  }
};
struct Mul {
  template <typename T>
  CRESSET_FN T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) {
      return a && b;
    } else {
      return a * b;
    }
  }
};

}  // namespace cresset::functors
