#pragma once
// CUDA kernels, one per CPU kernel. Defined in backend/cuda (*.cu) when the CUDA toolkit is
// found, otherwise by backend/no_cuda, whose versions throw "[op] cresset was built without CUDA".
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/core/scalar.h"

namespace cresset::cuda {

/// Copies between a CPU and a CUDA tensor (either direction), converting dtype.
void copy_across_devices(const Tensor& dst, const Tensor& src);
void copy_kernel(TensorIter& it);
void fill_kernel(TensorIter& it, Scalar value);

#define CRESSET_UNARY(name, ...) void name##_kernel(TensorIter& it);
#define CRESSET_BINARY(name, ...) void name##_kernel(TensorIter& it);
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY

}  // namespace cresset::cuda
