#include "cresset/nn/norm_util.h"

#include <cstring>

#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset::norm_detail {

DType compute_dtype(const Tensor& input) {
  return input.dtype() == DType::Float64 ? DType::Float64 : DType::Float32;
}

void check_input(const Tensor& input, const char* op, const char* kernel) {
  CRESSET_CHECK(input.is_floating_point(), NotImplementedError, "[", op, "] \"", kernel,
                "\" not implemented for '", dtype_display(input.dtype()), "'");
  CRESSET_CHECK(input.device().is_cpu(), NotImplementedError, "[", op,
                "] only CPU tensors are supported so far; got input on ", input.device().str());
}

Tensor prepared(const Tensor& t, DType dtype, MemoryFormat format) {
  if (!t.defined()) return t;
  Tensor d = detach(t);
  if (d.dtype() != dtype) d = to(d, dtype, d.device());
  return is_contiguous(d, format) ? d : contiguous(d, format);
}

std::vector<double> to_doubles(const Tensor& t) {
  const Tensor d = prepared(t, DType::Float64);
  const double* p = d.data<double>();
  return std::vector<double>(p, p + d.numel());
}

Tensor from_doubles(const std::vector<double>& values, DType dtype, Device device) {
  Tensor t = empty_tensor({int64_t(values.size())}, DType::Float64, device);
  if (!values.empty()) std::memcpy(t.data<double>(), values.data(), values.size() * sizeof(double));
  return dtype == DType::Float64 ? t : to(t, dtype, device);
}

int64_t prod(const DimVector& sizes, int64_t begin, int64_t end) {
  int64_t p = 1;
  for (int64_t i = begin; i < end; ++i) p *= sizes[i];
  return p;
}

Normalized normalize(const Tensor& x, const DimVector& dims, double eps) {
  const Tensor centered = x - mean(x, dims, true);
  const Tensor invstd = rsqrt(add(var(x, dims, 0, true), wrapped_scalar(eps)));
  return {centered * invstd, invstd};
}

Tensor input_grad(const Tensor& gw, const Normalized& n, const DimVector& dims) {
  return n.invstd * (gw - mean(gw, dims, true) - n.xhat * mean(gw * n.xhat, dims, true));
}

}  // namespace cresset::norm_detail
