// Link-time stand-ins for the CUDA index kernels in builds without the CUDA toolkit (see
// no_cuda/stubs.cpp): each throws, naming the op.
#include "cresset/backend/cuda/index.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

namespace {
[[noreturn]] void no_cuda(const char* op) {
  throw RuntimeError(str_cat("[", op, "] is not implemented for CUDA tensors in this build"));
}
}  // namespace

void index_kernel(TensorIter&, const IndexedDims&) { no_cuda("index"); }
void index_put_kernel(TensorIter&, const IndexedDims&, bool) { no_cuda("index_put_"); }
void scatter_kernel(TensorIter&, const ScatterDim&, ScatterOp, Scalar) { no_cuda("scatter"); }
void masked_fill_kernel(TensorIter&, Scalar) { no_cuda("masked_fill_"); }
bool find_out_of_range(const Tensor&, int64_t, int64_t, int64_t*) { no_cuda("index"); }
void index_offsets_kernel(TensorIter&, int64_t, int64_t) { no_cuda("index"); }
void modulo_index_kernel(TensorIter&, int64_t) { no_cuda("take_along_dim"); }
void scatter_mean_kernel(TensorIter&) { no_cuda("scatter_reduce"); }

}  // namespace cresset::cuda
