#pragma once
// CUDA kernels of the view family's copying ops (see cresset/backend/cpu/view_copy.h for their
// contracts). Defined in backend/cuda when the CUDA toolkit is found, otherwise by
// backend/no_cuda/view_stubs.cpp, which throws.
#include "cresset/core/tensor.h"

namespace cresset::cuda {

void tril_triu(const Tensor& out, const Tensor& self, int64_t diagonal, bool lower);
void gather_slices(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index);

}  // namespace cresset::cuda
