#pragma once
// The derivatives of the elementwise table's rows (elementwise_backward.cpp), for call() in
// elementwise.cpp to record. Internal to the elementwise family.
#include "cresset/autograd/function.h"

namespace cresset::ew {

/// A row's backward: the gradients of its inputs from the incoming gradient, the saved inputs and
/// result (Ctx::saved: inputs in order, then the result), and the row's Scalar arguments.
using RowBackward = autograd::TensorList (*)(const autograd::Ctx& c, const double* args);

struct RowGrad {
  RowBackward backward;
  bool differentiable;  // false when every derivative column is `none`
  bool saves[4];        // which of self, other, third, result the formulas read
  int nargs;            // how many Scalar arguments they read (arg(0) ...)
};

#define CRESSET_UNARY(name, ...) extern const RowGrad grad_##name;
#define CRESSET_BINARY CRESSET_UNARY
#define CRESSET_TERNARY CRESSET_UNARY
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY

}  // namespace cresset::ew
