#pragma once
// Per-capability softmax kernels (see Note [CPU capability dispatch]).
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/tensor.h"

#define CRESSET_SOFTMAX_DECLS                                                              \
  /* out = (log_)softmax of `in` viewed as [outer, dim, inner]; both contiguous, same dtype. */ \
  void softmax_kernel(const Tensor& out, const Tensor& in, int64_t outer, int64_t dim,      \
                      int64_t inner, bool log);                                           \
  /* grad_in = backward of (log_)softmax from grad and the forward output; all contiguous. */ \
  void softmax_backward_kernel(const Tensor& grad_in, const Tensor& grad, const Tensor& out,  \
                               int64_t outer, int64_t dim, int64_t inner, bool log);

namespace cresset::cpu {
namespace base {
CRESSET_SOFTMAX_DECLS
}
namespace avx2 {
CRESSET_SOFTMAX_DECLS
}
namespace avx512 {
CRESSET_SOFTMAX_DECLS
}
}  // namespace cresset::cpu
#undef CRESSET_SOFTMAX_DECLS
