#include "cresset/ops/nn.h"

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/softmax_kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

// [outer, size, inner] of a contiguous tensor around dim `d`.
struct DimSplit {
  int64_t outer = 1, size = 1, inner = 1;
};
DimSplit split_at(const Tensor& x, int64_t d) {
  DimSplit s;
  if (x.dim() == 0) return s;
  s.size = x.sizes()[d];
  for (int64_t i = 0; i < d; ++i) s.outer *= x.sizes()[i];
  for (int64_t i = d + 1; i < x.dim(); ++i) s.inner *= x.sizes()[i];
  return s;
}

// One-kernel backward for the common case (no double backward): two passes over each row
// instead of the four ops of the composite formula.
Tensor fused_backward(const Tensor& grad, const Tensor& out, int64_t d, bool log) {
  const Tensor g = contiguous(grad), y = contiguous(out);
  Tensor gi = empty_tensor(y.sizes(), y.dtype(), y.device());
  if (y.numel() == 0) return gi;
  const DimSplit s = split_at(y, d);
  CRESSET_CPU_DISPATCH(softmax_backward_kernel, gi, g, y, s.outer, s.size, s.inner, log);
  return gi;
}

Tensor softmax_impl(const char* op, const Tensor& self, int64_t dim, std::optional<DType> dtype,
                    bool log) {
  // The dtype= cast is part of the graph (ToCopyBackward0), like torch's.
  Tensor x = self;
  if (dtype) {
    x = to(x, *dtype, x.device());
  } else if (!x.is_floating_point()) {
    throw NotImplementedError(str_cat("[", op, "] \"", op,
                                      "_lastdim_kernel_impl\" not implemented for '",
                                      dtype_display(x.dtype()), "'"));
  }
  int64_t d = wrap_dim(dim, x.dim());
  Tensor out = empty_tensor(x.sizes(), x.dtype(), x.device());
  if (x.numel() > 0) {
    const Tensor xc = x.is_contiguous() ? x : contiguous(detach(x));
    const DimSplit s = split_at(xc, d);
    if (xc.device().is_cuda()) {
      cuda::softmax_kernel(out, xc, s.outer, s.size, s.inner, log);
    } else {
      CRESSET_CPU_DISPATCH(softmax_kernel, out, xc, s.outer, s.size, s.inner, log);
    }
  }
  if (autograd::needs_grad({x})) {
    // Both backwards read only the output y and are written with ops (double backward works):
    // softmax: y * (g - sum(g * y)); log_softmax: g - exp(y) * sum(g), sums along dim.
    const DimVector dims{d};
    autograd::record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", {x}, {out}, {out},
                     [dims, log](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor y = c.saved(0);
                       const Tensor& g = c.grad();
                       if (!autograd::GradMode::is_enabled() && y.device().is_cpu() &&
                           g.dtype() == y.dtype()) {
                         return {fused_backward(g, y, dims[0], log)};
                       }
                       if (log) return {g - exp(y) * sum(g, dims, true)};
                       return {y * (g - sum(g * y, dims, true))};
                     });
  }
  return out;
}

}  // namespace

Tensor softmax(const Tensor& self, int64_t dim, std::optional<DType> dtype) {
  return softmax_impl("softmax", self, dim, dtype, false);
}

Tensor log_softmax(const Tensor& self, int64_t dim, std::optional<DType> dtype) {
  return softmax_impl("log_softmax", self, dim, dtype, true);
}

}  // namespace cresset
