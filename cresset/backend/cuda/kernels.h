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

// Elementwise rows, as in backend/cpu/kernel_decls.inc.
#define CRESSET_UNARY(name, ...) void name##_kernel(TensorIter& it, const Scalar* args);
#define CRESSET_BINARY CRESSET_UNARY
#define CRESSET_TERNARY CRESSET_UNARY
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY

}  // namespace cresset::cuda
