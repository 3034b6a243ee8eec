#include "cresset/ops/nn.h"

#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/softmax_kernels.h"
#include "cresset/backend/cuda/nn.h"
#include "cresset/core/error.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

Tensor softmax_impl(const char* op, const Tensor& self, int64_t dim, std::optional<DType> dtype,
                    bool log) {
  Tensor x = self;
  if (dtype) {
    x = cast_tensor(x, *dtype);
  } else if (!x.is_floating_point()) {
    throw NotImplementedError(str_cat("[", op, "] \"", op,
                                      "_lastdim_kernel_impl\" not implemented for '",
                                      dtype_display(x.dtype()), "'"));
  }
  int64_t d = wrap_dim(dim, x.dim());
  x = contiguous(x);
  Tensor out = empty_tensor(x.sizes(), x.dtype(), x.device());
  if (x.numel() == 0) return out;
  int64_t size = x.dim() == 0 ? 1 : x.sizes()[d];
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < d; ++i) outer *= x.sizes()[i];
  for (int64_t i = d + 1; i < x.dim(); ++i) inner *= x.sizes()[i];
  if (x.device().is_cuda()) {
    cuda::softmax_kernel(out, x, outer, size, inner, log);
  } else {
    CRESSET_CPU_DISPATCH(softmax_kernel, out, x, outer, size, inner, log);
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
