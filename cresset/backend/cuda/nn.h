#pragma once
// CUDA kernels of the nn family (backend/no_cuda/nn_stubs.cpp when built without CUDA).
#include "cresset/core/tensor.h"

namespace cresset::cuda {

void softmax_kernel(const Tensor& out, const Tensor& in, int64_t outer, int64_t dim, int64_t inner,
                    bool log);

}  // namespace cresset::cuda
