#include "cresset/ops/nn.h"

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/softmax_kernels.h"
#include "cresset/backend/cuda/nn.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

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
    int64_t size = xc.dim() == 0 ? 1 : xc.sizes()[d];
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < d; ++i) outer *= xc.sizes()[i];
    for (int64_t i = d + 1; i < xc.dim(); ++i) inner *= xc.sizes()[i];
    if (xc.device().is_cuda()) {
      cuda::softmax_kernel(out, xc, outer, size, inner, log);
    } else {
      CRESSET_CPU_DISPATCH(softmax_kernel, out, xc, outer, size, inner, log);
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
