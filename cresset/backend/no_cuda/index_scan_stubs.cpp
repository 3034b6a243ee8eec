// See backend/no_cuda/stubs.cpp: the index family's order-dependent kernels (masked_select,
// masked_scatter_, nonzero, searchsorted), which backend/cuda has no kernel for yet.
#include "cresset/backend/cuda/index.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

namespace {
[[noreturn]] void no_cuda(const char* op) {
  throw RuntimeError(str_cat("[", op, "] is not implemented for CUDA tensors in this build"));
}
}  // namespace

void count_nonzero_kernel(const Tensor&, int64_t, int64_t*) { no_cuda("nonzero"); }
void masked_select_kernel(const Tensor&, const Tensor&, const Tensor&, const int64_t*, int64_t) {
  no_cuda("masked_select");
}
void masked_scatter_kernel(const Tensor&, const Tensor&, const Tensor&, const int64_t*, int64_t) {
  no_cuda("masked_scatter_");
}
void nonzero_kernel(const Tensor&, const Tensor&, const int64_t*, int64_t) { no_cuda("nonzero"); }
void searchsorted_kernel(const Tensor&, const Tensor&, const Tensor&, const Tensor&, bool) {
  no_cuda("searchsorted");
}

}  // namespace cresset::cuda
