// See backend/no_cuda/stubs.cpp.
#include "cresset/backend/cuda/conv.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

void conv_kernel(ConvKind, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                 const ConvGeometry&) {
  throw RuntimeError("[convolution] is not implemented for CUDA tensors in this build");
}

}  // namespace cresset::cuda
