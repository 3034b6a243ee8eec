// Link-time stand-ins for the entry points backend/cuda implements, in builds without the CUDA
// toolkit. Each throws the same error (a CUDA tensor can never be created there anyway). The
// *_stubs.cpp files hold the entry points backend/cuda has no kernel for yet; they link into both
// builds and name the op.
#include "cresset/backend/cuda/kernels.h"
#include "cresset/backend/cuda/random.h"
#include "cresset/backend/cuda/reduce.h"
#include "cresset/core/allocator.h"
#include "cresset/core/error.h"

namespace cresset {

namespace {
[[noreturn]] void no_cuda(const char* op) {
  throw RuntimeError(str_cat("[", op, "] cresset was built without CUDA support"));
}
}  // namespace

Allocator* cuda_allocator() { no_cuda("cuda allocator"); }

namespace cuda {
void copy_across_devices(const Tensor&, const Tensor&) { no_cuda("to"); }
void copy_kernel(TensorIter&) { no_cuda("copy_"); }
void fill_kernel(TensorIter&, Scalar) { no_cuda("fill_"); }
#define CRESSET_UNARY(name, ...) \
  void name##_kernel(TensorIter&, const Scalar*) { no_cuda(#name); }
#define CRESSET_BINARY CRESSET_UNARY
#define CRESSET_TERNARY CRESSET_UNARY
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY
void reduce_kernel(const ReducePlan&, const ReduceCall&) { no_cuda("reduce"); }
void random_fill_kernel(const Tensor&, const RandomSpec&) { no_cuda("random"); }
void bernoulli_tensor_kernel(const Tensor&, const Tensor&, const RandomSpec&) {
  no_cuda("bernoulli_");
}
void check_generator_device(int) { no_cuda("Generator"); }
}  // namespace cuda

}  // namespace cresset
