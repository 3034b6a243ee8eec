// The LU family's entry points: each runs the kernel of this CPU's capability (lu_kernels.cpp).
#include "cresset/backend/cpu/lu.h"

#include "cresset/backend/cpu/lu_kernels.h"

namespace cresset::cpu {

void lu_factor_kernel(const Tensor& lu, const Tensor& pivots, const Tensor& info) {
  CRESSET_CPU_DISPATCH(lu_factor_kernel, lu, pivots, info);
}

void lu_solve_kernel(const Tensor& lu, const Tensor& pivots, const Tensor& b, bool adjoint) {
  CRESSET_CPU_DISPATCH(lu_solve_kernel, lu, pivots, b, adjoint);
}

void triangular_solve_kernel(const Tensor& a, const Tensor& b, bool upper, bool unit,
                             bool transpose) {
  CRESSET_CPU_DISPATCH(triangular_solve_kernel, a, b, upper, unit, transpose);
}

void lu_det_kernel(const Tensor& lu, const Tensor& pivots, const Tensor& sign, const Tensor& value,
                   bool log) {
  CRESSET_CPU_DISPATCH(lu_det_kernel, lu, pivots, sign, value, log);
}

}  // namespace cresset::cpu
