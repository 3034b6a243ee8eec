#pragma once
// The functions of torch.special that are not torch functions under another name nor composites
// written in python/cresset/special. Each is one named autograd node (Note [Named composites]).
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.special.erfcx: the scaled complementary error function exp(x^2) erfc(x).
Tensor special_erfcx(const Tensor& self);
/// torch.special.ndtri: the inverse of the standard normal CDF.
Tensor special_ndtri(const Tensor& self);
/// torch.special.i1: the modified Bessel function of the first kind, order 1 (ops/numeric.cpp).
Tensor special_i1(const Tensor& self);
/// torch.special.i0e / i1e: i0 and i1 scaled by e^-|x| (ops/numeric.cpp).
Tensor special_i0e(const Tensor& self);
Tensor special_i1e(const Tensor& self);

}  // namespace cresset
