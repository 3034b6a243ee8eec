// Link-time stand-ins for the view family's CUDA kernels in builds without CUDA.
#include "cresset/backend/cuda/view.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

void tril_triu(const Tensor&, const Tensor&, int64_t, bool lower) {
  throw RuntimeError(
      str_cat("[", lower ? "tril" : "triu", "] is not implemented for CUDA tensors in this build"));
}

void gather_slices(const Tensor&, const Tensor&, int64_t, const Tensor&) {
  throw RuntimeError("[repeat_interleave] is not implemented for CUDA tensors in this build");
}

}  // namespace cresset::cuda
