// See backend/no_cuda/stubs.cpp: the pool family's resampling kernels (upsample, interpolate),
// which backend/cuda has no kernel for yet.
#include "cresset/backend/cuda/pool.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

void resample_kernel(const Tensor&, const Tensor&, const ResamplePlan&) {
  throw RuntimeError("[upsample] is not implemented for CUDA tensors in this build");
}
void resample_backward_kernel(const Tensor&, const Tensor&, const ResamplePlan&) {
  throw RuntimeError("[upsample_backward] is not implemented for CUDA tensors in this build");
}

}  // namespace cresset::cuda
