#pragma once
// CUDA kernels of the linalg family, one per CPU kernel (backend/cpu/gemm.h, backend/cpu/linalg.h).
// Defined in backend/cuda when the CUDA toolkit is found, otherwise by backend/no_cuda, whose
// versions throw "[op] cresset was built without CUDA support".
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset::cuda {

/// c = alpha * a @ b + beta * c over the batch dims (see cpu::batched_gemm).
void batched_gemm(const Tensor& c, const Tensor& a, const Tensor& b, Scalar alpha, Scalar beta);
/// out (0-dim) = the sum of self's diagonal.
void trace_kernel(const Tensor& out, const Tensor& self);
/// out = a x b along `dim` (see cpu::cross_kernel).
void cross_kernel(const Tensor& out, const Tensor& a, const Tensor& b, int64_t dim);

}  // namespace cresset::cuda
