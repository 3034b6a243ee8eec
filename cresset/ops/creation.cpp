#include "cresset/ops/creation.h"

#include "cresset/backend/cpu/kernels.h"
#include "cresset/backend/cuda/kernels.h"
#include "cresset/core/error.h"

namespace cresset {

Tensor fill_(const Tensor& self, Scalar value) {
  TensorIter it = TensorIterConfig("fill_").add_output(self).is_inplace(true).build();
  if (it.numel() > 0) {
    if (self.device().is_cpu()) {
      CRESSET_CPU_DISPATCH(fill_kernel, it, value);
    } else {
      cuda::fill_kernel(it, value);
    }
  }
  self.bump_version();
  return self;
}

Tensor scalar_tensor(Scalar value, DType dtype, Device device) {
  Tensor t = empty_tensor({}, dtype, device);
  if (device.is_cpu()) {
    CRESSET_DISPATCH_ALL("scalar_tensor", dtype,
                         [&] { *t.data<scalar_t>() = value.to<scalar_t>(); });
    return t;
  }
  return fill_(t, value);
}

Tensor wrapped_scalar(Scalar value) {
  Tensor t = scalar_tensor(value, value.natural_dtype());
  t.impl()->set_wrapped_number(true);
  return t;
}

Tensor full(const DimVector& sizes, Scalar value, DType dtype, Device device) {
  return fill_(empty_tensor(sizes, dtype, device), value);
}

Tensor zeros(const DimVector& sizes, DType dtype, Device device) {
  return full(sizes, Scalar(int64_t(0)), dtype, device);
}

Tensor ones(const DimVector& sizes, DType dtype, Device device) {
  return full(sizes, Scalar(int64_t(1)), dtype, device);
}

}  // namespace cresset
