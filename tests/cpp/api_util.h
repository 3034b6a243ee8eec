#pragma once
// Helpers of the C++ frontend tests: tensors from literal values, values back, closeness.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "cresset/autograd/engine.h"
#include "cresset/core/tensor.h"
#include "cresset/ops/ops.h"

/// A float32 tensor of `sizes` holding `values` (row-major).
inline cresset::Tensor make(const std::vector<float>& values, const cresset::DimVector& sizes) {
  cresset::Tensor t = cresset::empty_tensor(sizes, cresset::DType::Float32);
  std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(float));
  return t;
}

/// The values of a float32 tensor, row-major.
inline std::vector<float> values(const cresset::Tensor& t) {
  cresset::Tensor c = cresset::contiguous(t);
  const float* p = c.data<float>();
  return std::vector<float>(p, p + c.numel());
}

/// True when every value is within atol + rtol * |expected| (and the counts agree); prints the
/// first mismatch.
inline bool close(const cresset::Tensor& t, const std::vector<float>& expected, double rtol = 1e-5,
                  double atol = 1e-6) {
  std::vector<float> got = values(t);
  if (got.size() != expected.size()) {
    std::fprintf(stderr, "size %zu != expected %zu\n", got.size(), expected.size());
    return false;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::fabs(got[i] - expected[i]) > atol + rtol * std::fabs(expected[i])) {
      std::fprintf(stderr, "value %zu: %.8g != expected %.8g\n", i, got[i], expected[i]);
      return false;
    }
  }
  return true;
}

/// Runs backward from a scalar loss.
inline void backward(const cresset::Tensor& loss) {
  cresset::autograd::backward({loss}, {cresset::Tensor()}, false, false);
}
