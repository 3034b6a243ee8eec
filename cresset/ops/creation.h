#pragma once
// Tensor factories and fills.
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// A 0-dim tensor holding `value` that promotes like a Python number (see result_type).
Tensor wrapped_scalar(Scalar value);
/// A 0-dim tensor holding `value` in `dtype`.
Tensor scalar_tensor(Scalar value, DType dtype, Device device = Device());
/// torch.full: `sizes` filled with `value`.
Tensor full(const DimVector& sizes, Scalar value, DType dtype, Device device = Device());
Tensor zeros(const DimVector& sizes, DType dtype, Device device = Device());
Tensor ones(const DimVector& sizes, DType dtype, Device device = Device());
/// Tensor.fill_: writes `value` everywhere in `self` (returns self).
Tensor fill_(const Tensor& self, Scalar value);

}  // namespace cresset
