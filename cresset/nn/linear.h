#pragma once
// torch.nn.functional.linear, composed from addmm/matmul (their backwards give torch's graph).
#include "cresset/core/tensor.h"

namespace cresset {

/// F.linear: input @ weight^T + bias (bias may be undefined). With a bias and an input that
/// flattens to 2-D as a view, one addmm does the product and the bias (AddmmBackward0 for 2-D
/// input, ViewBackward0 over it otherwise, as torch).
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace cresset
