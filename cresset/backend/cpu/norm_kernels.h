#pragma once
// Per-capability kernels of the normalization layers (see Note [CPU capability dispatch]).
// Every tensor argument is contiguous; float32 and float64 only (the ops compute 16-bit inputs in
// float32). Statistics and coefficients are double arrays: they are per channel or per row, so
// their size is small next to the data, and double keeps the sums as exact as torch's.
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/tensor.h"

#define CRESSET_NORM_DECLS                                                                         \
  /* Mean and biased variance of each channel of x viewed [n, c, hw] (double sums). */             \
  void channel_moments_kernel(const Tensor& x, int64_t n, int64_t c, int64_t hw, double* mean,     \
                              double* var);                                                        \
  /* Group norm of x viewed [n, c, hw] in `groups` channel groups, with per-channel weight and     \
     bias; writes each (n, group)'s mean and 1 / sqrt(var + eps). */                               \
  void group_norm_kernel(const Tensor& out, const Tensor& x, const double* weight,                 \
                         const double* bias, int64_t n, int64_t c, int64_t hw, int64_t groups,     \
                         double eps, double* mean, double* rstd);                                  \
  /* out = a[i] * dy + b[i] * (x - center[i]) + k[i] over [n, c, hw] with i = n * nstride + c;     \
     dy may be undefined (then a is unused). Centering first keeps x == center exact. */           \
  void channel_affine_kernel(const Tensor& out, const Tensor& dy, const Tensor& x, int64_t n,      \
                             int64_t c, int64_t hw, int64_t nstride, const double* a,              \
                             const double* b, const double* center, const double* k);              \
  /* Sums of dy and dy * (x - center[c]) per channel ([c] results), or per (n, c) when             \
     per_sample ([n, c] results, center unused). */                                                \
  void channel_grad_sums_kernel(const Tensor& dy, const Tensor& x, int64_t n, int64_t c,           \
                                int64_t hw, bool per_sample, const double* center, double* sum_dy, \
                                double* sum_dyx);                                                  \
  /* Layer norm of rows [rows, len] with per-column weight/bias (either may be undefined); writes  \
     each row's mean and 1 / sqrt(var + eps). */                                                   \
  void layer_norm_kernel(const Tensor& out, const Tensor& x, const Tensor& weight,                 \
                         const Tensor& bias, int64_t rows, int64_t len, double eps, double* mean,  \
                         double* rstd);                                                            \
  /* Layer norm backward: dx (if defined) and the per-column sums dw = sum dy * xhat,              \
     db = sum dy (if non-null, length len). */                                                     \
  void layer_norm_backward_kernel(const Tensor& dx, const Tensor& dy, const Tensor& x,             \
                                  const Tensor& weight, int64_t rows, int64_t len,                 \
                                  const double* mean, const double* rstd, double* dw, double* db);

namespace cresset::cpu {
namespace base {
CRESSET_NORM_DECLS
}
namespace avx2 {
CRESSET_NORM_DECLS
}
namespace avx512 {
CRESSET_NORM_DECLS
}
}  // namespace cresset::cpu
#undef CRESSET_NORM_DECLS
