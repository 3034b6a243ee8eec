#pragma once
// Elementwise ops: the rows of elementwise.def, plus the ones with extra arguments.
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

// For each row: name(x), the in-place name_(x) (returns x), and name_out(x, out) (returns out).
#define CRESSET_UNARY(name, ...)                     \
  Tensor name(const Tensor& self);                   \
  Tensor name##_(const Tensor& self);                \
  Tensor name##_out(const Tensor& self, const Tensor& out);
#define CRESSET_BINARY(name, ...)                                \
  Tensor name(const Tensor& self, const Tensor& other);          \
  Tensor name##_(const Tensor& self, const Tensor& other);       \
  Tensor name##_out(const Tensor& self, const Tensor& other, const Tensor& out);
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY

}  // namespace cresset
