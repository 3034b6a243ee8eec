#pragma once
// Parameters shared by the CPU and CUDA kernels of the index family (ops/index*.cpp).
#include <cstdint>
#include <type_traits>

#include "cresset/backend/common/tensor_iter.h"
#include "cresset/core/dtype.h"
#include "cresset/core/half.h"

namespace cresset {

/// The dims advanced indexing replaces: their sizes (to wrap negative indices) and byte strides in
/// the indexed tensor. The iterator carries one index operand per dim, after the data operands.
struct IndexedDims {
  static constexpr int kMax = kMaxIterOperands - 2;
  int count = 0;
  int64_t sizes[kMax] = {};
  int64_t strides[kMax] = {};
};

/// What the scatter kernel does where an index points.
enum class ScatterOp : int8_t { Assign, Add, Mul, Max, Min };

/// The dim a scatter follows its index along: the index's length there and each operand's byte
/// stride along it (the iterator covers the other dims).
struct ScatterDim {
  int64_t length = 0;
  int64_t index_stride = 0;
  int64_t self_stride = 0;
  int64_t src_stride = 0;
};

/// scatter_reduce's mean: x /= count where count is nonzero; integers use floor division like
/// torch's div_(count, rounding_mode="floor").
template <typename T>
CRESSET_HOST_DEVICE CRESSET_INLINE void divide_by_count(T& x, T count) {
  using M = opmath_t<T>;
  const M c = M(count), v = M(x);
  if (c == M(0)) return;
  if constexpr (std::is_floating_point_v<M>) {
    x = T(v / c);
  } else if constexpr (std::is_signed_v<M>) {
    M q = v / c;
    if (v % c != 0 && ((v < 0) != (c < 0))) --q;
    x = T(q);
  } else {
    x = T(v / c);
  }
}

}  // namespace cresset
