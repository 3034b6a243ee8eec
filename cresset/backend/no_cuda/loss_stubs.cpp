// See backend/no_cuda/stubs.cpp.
#include "cresset/backend/cuda/loss.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

void nll_loss_forward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                      int64_t, int64_t, int64_t, int64_t, int64_t) {
  throw RuntimeError("[nll_loss] is not implemented for CUDA tensors in this build");
}

void nll_loss_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                       int64_t, int64_t, int64_t, int64_t, int64_t) {
  throw RuntimeError("[nll_loss_backward] is not implemented for CUDA tensors in this build");
}

}  // namespace cresset::cuda
