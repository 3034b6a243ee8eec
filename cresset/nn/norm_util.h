#pragma once
// Helpers shared by the normalization ops (internal to cresset/nn).
#include <vector>

#include "cresset/core/tensor.h"
#include "cresset/ops/view.h"

namespace cresset::norm_detail {

/// The dtype the kernels compute in: float64 for float64 input, float32 otherwise.
DType compute_dtype(const Tensor& input);
/// Rejects non-floating input with torch's NotImplementedError ("`kernel`" not implemented) and
/// input the CPU kernels cannot reach.
void check_input(const Tensor& input, const char* op, const char* kernel);
/// A detached copy of `t` in `dtype` and dense in `format` (t itself when already so); undefined
/// stays so.
Tensor prepared(const Tensor& t, DType dtype, MemoryFormat format = MemoryFormat::Contiguous);
/// The values of `t` as doubles.
std::vector<double> to_doubles(const Tensor& t);
/// A new 1-D tensor of `dtype` holding `values`.
Tensor from_doubles(const std::vector<double>& values, DType dtype, Device device);
/// Product of sizes[begin, end).
int64_t prod(const DimVector& sizes, int64_t begin, int64_t end);

// Note [Norm double backward]
// The fused backward kernels give first-order gradients only. When the gradient's own graph is
// needed (create_graph=True: grad mode is on inside the backward), the norms differentiate with
// the composite below instead, built from differentiable ops.

/// x normalized over `dims` with its own biased statistics, and 1 / sqrt(var + eps), both
/// differentiable (see Note [Norm double backward]).
struct Normalized {
  Tensor xhat, invstd;
};
Normalized normalize(const Tensor& x, const DimVector& dims, double eps);
/// The input gradient of y = xhat * w for gw = grad * w (see Note [Norm double backward]).
Tensor input_grad(const Tensor& gw, const Normalized& n, const DimVector& dims);

}  // namespace cresset::norm_detail
