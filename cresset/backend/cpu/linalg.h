#pragma once
// CPU kernels of the linalg family other than the GEMM (backend/cpu/gemm.h). Not hot enough to be
// compiled per capability.
#include "cresset/core/tensor.h"

namespace cresset::cpu {

/// out (0-dim) = the sum of self's diagonal (self 2-D; accumulates in double or int64).
void trace_kernel(const Tensor& out, const Tensor& self);
/// out = a x b along `dim` (size 3), for a, b viewed with out's shape and all of one dtype.
void cross_kernel(const Tensor& out, const Tensor& a, const Tensor& b, int64_t dim);

}  // namespace cresset::cpu
