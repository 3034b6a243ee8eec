#pragma once
// C++ operators on tensors, as torch's C++ API has them: `a + b`, `2 * x`, `x > 0`, `!mask` ...
// Numbers promote like Python numbers (see wrapped_scalar). Derivative formulas are written with
// them (elementwise.def), and so is user code of the C++ frontend.
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"

namespace cresset {

#define CRESSET_TENSOR_OPERATOR(op, fn)                                                       \
  inline Tensor operator op(const Tensor& a, const Tensor& b) { return fn(a, b); }            \
  inline Tensor operator op(const Tensor& a, Scalar b) { return fn(a, wrapped_scalar(b)); }   \
  inline Tensor operator op(Scalar a, const Tensor& b) { return fn(wrapped_scalar(a), b); }
// Arithmetic with a number records torch's C++ graph: x + 2.0 and 2.0 + x are x.add(2.0)
// (AddBackward1, one edge), while 2.0 - x and 2.0 / x keep the number as a tensor (None edge).
#define CRESSET_ARITHMETIC_OPERATOR(op, fn, commutative)                                     \
  inline Tensor operator op(const Tensor& a, const Tensor& b) { return fn(a, b); }           \
  inline Tensor operator op(const Tensor& a, Scalar b) { return fn(a, scalar_argument(b)); } \
  inline Tensor operator op(Scalar a, const Tensor& b) {                                     \
    return commutative ? fn(b, scalar_argument(a)) : fn(wrapped_scalar(a), b);               \
  }
CRESSET_ARITHMETIC_OPERATOR(+, add, true)
CRESSET_ARITHMETIC_OPERATOR(-, sub, false)
CRESSET_ARITHMETIC_OPERATOR(*, mul, true)
CRESSET_ARITHMETIC_OPERATOR(/, div, false)
#undef CRESSET_ARITHMETIC_OPERATOR
CRESSET_TENSOR_OPERATOR(<, lt)
CRESSET_TENSOR_OPERATOR(<=, le)
CRESSET_TENSOR_OPERATOR(>, gt)
CRESSET_TENSOR_OPERATOR(>=, ge)
CRESSET_TENSOR_OPERATOR(==, eq)
CRESSET_TENSOR_OPERATOR(!=, ne)
CRESSET_TENSOR_OPERATOR(&, bitwise_and)
CRESSET_TENSOR_OPERATOR(|, bitwise_or)
CRESSET_TENSOR_OPERATOR(^, bitwise_xor)
#undef CRESSET_TENSOR_OPERATOR

inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator!(const Tensor& a) { return logical_not(a); }
inline Tensor operator~(const Tensor& a) { return bitwise_not(a); }

}  // namespace cresset
