// See backend/no_cuda/stubs.cpp.
#include "cresset/backend/cuda/nn.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

void softmax_kernel(const Tensor&, const Tensor&, int64_t, int64_t, int64_t, bool log) {
  throw RuntimeError(str_cat("[", log ? "log_softmax" : "softmax",
                             "] is not implemented for CUDA tensors in this build"));
}

}  // namespace cresset::cuda
