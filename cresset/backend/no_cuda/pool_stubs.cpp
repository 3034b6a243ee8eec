// See backend/no_cuda/stubs.cpp.
#include "cresset/backend/cuda/pool.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

namespace {
[[noreturn]] void no_cuda(const char* op) {
  throw RuntimeError(str_cat("[", op, "] is not implemented for CUDA tensors in this build"));
}
}  // namespace

void max_pool_kernel(const Tensor&, const Tensor&, const Tensor&, const PoolPlan&) {
  no_cuda("max_pool");
}
void max_pool_2x2_backward_kernel(const Tensor&, const Tensor&, const Tensor&, const PoolPlan&) {
  no_cuda("max_pool_backward");
}
void avg_pool_kernel(const Tensor&, const Tensor&, const PoolPlan&) { no_cuda("avg_pool"); }
void avg_pool_backward_kernel(const Tensor&, const Tensor&, const PoolPlan&) {
  no_cuda("avg_pool_backward");
}
void index_scatter_kernel(const Tensor&, const Tensor&, const Tensor&, int64_t, bool, bool*,
                          int64_t*) {
  no_cuda("max_unpool");
}

}  // namespace cresset::cuda
