#pragma once
// Copies between tensors of any dtypes and devices; the iterator uses it to cast operands.
#include "cresset/core/tensor.h"

namespace cresset {

/// dst[...] = src[...] converted to dst's dtype; src broadcasts to dst's shape.
void copy_into(const Tensor& dst, const Tensor& src);
/// A new tensor with src's values in `dtype`, keeping src's memory layout.
Tensor cast_tensor(const Tensor& src, DType dtype);

}  // namespace cresset
