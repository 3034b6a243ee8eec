#pragma once
// Helpers shared by the normalization ops (internal to cresset/nn).
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset::norm_detail {

/// The dtype the kernels compute in: float64 for float64 input, float32 otherwise.
DType compute_dtype(const Tensor& input);
/// Rejects non-floating input with torch's NotImplementedError ("`kernel`" not implemented).
void check_floating(const Tensor& input, const char* op, const char* kernel);
/// A detached contiguous copy of `t` in `dtype` (t itself when already so); undefined stays so.
Tensor prepared(const Tensor& t, DType dtype);
/// The values of `t` as doubles.
std::vector<double> to_doubles(const Tensor& t);
/// A new 1-D tensor of `dtype` holding `values`.
Tensor from_doubles(const std::vector<double>& values, DType dtype, Device device);
/// Product of sizes[begin, end).
int64_t prod(const DimVector& sizes, int64_t begin, int64_t end);

}  // namespace cresset::norm_detail
