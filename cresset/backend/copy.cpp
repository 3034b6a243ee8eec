#include "cresset/backend/copy.h"

#include <cstring>

#include "cresset/backend/common/tensor_iter.h"
#include "cresset/backend/cpu/kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"

namespace cresset {

void copy_into(const Tensor& dst, const Tensor& src) {
  if (dst.numel() == 0) return;
  if (dst.device() != src.device()) {
    cuda::copy_across_devices(dst, src);
    return;
  }
  // Same layout and dtype, both dense: one memcpy.
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() &&
      dst.sizes() == src.sizes() && dst.device().is_cpu()) {
    if (dst.raw_data() != src.raw_data()) std::memmove(dst.raw_data(), src.raw_data(), dst.nbytes());
    return;
  }
  TensorIter it = TensorIterConfig("copy_").add_output(dst).add_input(src).promote_inputs(false)
                      .output_dtype(dst.dtype()).is_inplace(true).inputs_by_value(true).build();
  if (dst.device().is_cpu()) {
    CRESSET_CPU_DISPATCH(copy_kernel, it);
  } else {
    cuda::copy_kernel(it);
  }
}

Tensor cast_tensor(const Tensor& src, DType dtype) {
  if (src.dim() == 0 && src.device().is_cpu()) {  // scalars (wrapped numbers): no iterator
    Tensor out = empty_tensor({}, dtype);
    out.impl()->set_wrapped_number(src.impl()->is_wrapped_number());
    CRESSET_DISPATCH_ALL("to", src.dtype(), [&] {
      using src_t = scalar_t;
      opmath_t<src_t> v = *src.data<src_t>();
      CRESSET_DISPATCH_ALL("to", dtype, [&] {
        if constexpr (std::is_same_v<scalar_t, bool>) {
          *out.data<bool>() = v != opmath_t<src_t>(0);
        } else {
          *out.data<scalar_t>() = scalar_t(v);
        }
      });
    });
    return out;
  }
  DimVector strides = src.is_contiguous() ? contiguous_strides(src.sizes()) : src.strides();
  bool dense = storage_span(src.sizes(), strides) == src.numel();
  Tensor out = dense ? empty_strided_tensor(src.sizes(), strides, dtype, src.device())
                     : empty_tensor(src.sizes(), dtype, src.device());
  out.impl()->set_wrapped_number(src.impl()->is_wrapped_number());
  copy_into(out, src);
  return out;
}

}  // namespace cresset
