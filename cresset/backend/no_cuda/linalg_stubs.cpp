// Link-time stand-ins for the CUDA linalg kernels in builds without the CUDA toolkit (see
// no_cuda/stubs.cpp).
#include "cresset/backend/cuda/linalg.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

namespace {
[[noreturn]] void no_cuda(const char* op) {
  throw RuntimeError(str_cat("[", op, "] is not implemented for CUDA tensors in this build"));
}
}  // namespace

void batched_gemm(const Tensor&, const Tensor&, const Tensor&, Scalar, Scalar) {
  no_cuda("matmul");
}
void trace_kernel(const Tensor&, const Tensor&) { no_cuda("trace"); }
void cross_kernel(const Tensor&, const Tensor&, const Tensor&, int64_t) { no_cuda("cross"); }

}  // namespace cresset::cuda
