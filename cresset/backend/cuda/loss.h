#pragma once
// CUDA kernels of the loss family (backend/no_cuda/loss_stubs.cpp when built without CUDA); the
// same contracts as cresset/backend/cpu/loss.h.
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset::cuda {

void nll_loss_forward(const Tensor& out, const Tensor& total_weight, const Tensor& self,
                      const Tensor& target, const Tensor& weight, int64_t batch, int64_t classes,
                      int64_t inner, int64_t reduction, int64_t ignore_index);
void nll_loss_backward(const Tensor& grad_input, const Tensor& grad, const Tensor& target,
                       const Tensor& weight, const Tensor& total_weight, int64_t batch,
                       int64_t classes, int64_t inner, int64_t reduction, int64_t ignore_index);

}  // namespace cresset::cuda
