#pragma once
// CUDA kernels of the index family, one per CPU kernel (backend/cpu/index_kernels.h, same operand
// conventions). Defined in backend/cuda when the toolkit is found, otherwise by
// backend/no_cuda/index_stubs.cpp, which throws.
#include "cresset/backend/common/index_params.h"
#include "cresset/core/scalar.h"

namespace cresset::cuda {

void index_kernel(TensorIter& it, const IndexedDims& dims);
void index_put_kernel(TensorIter& it, const IndexedDims& dims, bool accumulate);
void scatter_kernel(TensorIter& it, const ScatterDim& d, ScatterOp op, Scalar alpha);
void masked_fill_kernel(TensorIter& it, Scalar value);
void count_nonzero_kernel(const Tensor& t, int64_t chunks, int64_t* counts);
void masked_select_kernel(const Tensor& out, const Tensor& self, const Tensor& mask,
                          const int64_t* counts, int64_t chunks);
void masked_scatter_kernel(const Tensor& self, const Tensor& mask, const Tensor& source,
                           const int64_t* counts, int64_t chunks);
void nonzero_kernel(const Tensor& out, const Tensor& self, const int64_t* counts, int64_t chunks);
bool find_out_of_range(const Tensor& index, int64_t lo, int64_t hi, int64_t* bad);
void searchsorted_kernel(const Tensor& out, const Tensor& sorted, const Tensor& values,
                         const Tensor& sorter, bool right);
void index_offsets_kernel(TensorIter& it, int64_t size, int64_t stride);
void modulo_index_kernel(TensorIter& it, int64_t size);
void scatter_mean_kernel(TensorIter& it);

}  // namespace cresset::cuda
