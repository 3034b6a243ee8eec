#pragma once
// Per-capability fused LSTM cell kernels (see Note [CPU capability dispatch]).
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/tensor.h"

#define CRESSET_RNN_DECLS                                                                    \
  /* LSTM gate math over n = H * B state entries: gates (4, n) pre-activations (i, f, g, o), \
     c (n); writes h_out and c_out (n). All contiguous, one dtype. */                        \
  void lstm_cell_kernel(const Tensor& h_out, const Tensor& c_out, const Tensor& gates,       \
                        const Tensor& c, int64_t n);                                         \
  /* Its backward: from dh, dc_out (n) and the saved gates, c, c_out, writes dgates (4, n)   \
     and dc (n). */                                                                          \
  void lstm_cell_backward_kernel(const Tensor& dgates, const Tensor& dc, const Tensor& dh,   \
                                 const Tensor& dc_out, const Tensor& gates, const Tensor& c, \
                                 const Tensor& c_out, int64_t n);

namespace cresset::cpu {
namespace base {
CRESSET_RNN_DECLS
}
namespace avx2 {
CRESSET_RNN_DECLS
}
namespace avx512 {
CRESSET_RNN_DECLS
}
}  // namespace cresset::cpu
#undef CRESSET_RNN_DECLS
