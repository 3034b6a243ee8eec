#pragma once
// CUDA kernels of the conv family (backend/no_cuda/conv_stubs.cpp when built without CUDA).
#include "cresset/backend/common/conv_geometry.h"
#include "cresset/core/tensor.h"

namespace cresset::cuda {

/// out = the `kind` product of contiguous a and b (see ConvKind), plus bias when defined.
void conv_kernel(ConvKind kind, const Tensor& out, const Tensor& a, const Tensor& b,
                 const Tensor& bias, const ConvGeometry& g);

}  // namespace cresset::cuda
