// The Cholesky and QR families' entry points: each runs the kernel of this CPU's capability
// (linalg_factor_kernels.cpp).
#include "cresset/backend/cpu/linalg_factor.h"

#include "cresset/backend/cpu/linalg_factor_kernels.h"

namespace cresset::cpu {

void cholesky_kernel(const Tensor& u, const Tensor& info) {
  CRESSET_CPU_DISPATCH(cholesky_kernel, u, info);
}

void geqrf_kernel(const Tensor& a, const Tensor& tau) {
  CRESSET_CPU_DISPATCH(geqrf_kernel, a, tau);
}

void orgqr_kernel(const Tensor& a, const Tensor& tau, const Tensor& q) {
  CRESSET_CPU_DISPATCH(orgqr_kernel, a, tau, q);
}

void lstsq_kernel(const Tensor& a, const Tensor& b, const Tensor& rank, double rcond, bool pivot) {
  CRESSET_CPU_DISPATCH(lstsq_kernel, a, b, rank, rcond, pivot);
}

}  // namespace cresset::cpu
