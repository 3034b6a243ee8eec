// Link-time stand-ins for the CUDA random kernels (see no_cuda/stubs.cpp).
#include "cresset/backend/cuda/random.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

namespace {
[[noreturn]] void no_cuda(const char* op) {
  throw RuntimeError(str_cat("[", op, "] is not implemented for CUDA tensors in this build"));
}
}  // namespace

void random_fill_kernel(const Tensor&, const RandomSpec&) { no_cuda("random"); }
void bernoulli_tensor_kernel(const Tensor&, const Tensor&, const RandomSpec&) {
  no_cuda("bernoulli_");
}
void check_generator_device(int) { no_cuda("Generator"); }

}  // namespace cresset::cuda
