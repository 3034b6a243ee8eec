#pragma once
// The .grad of a parameter as the C++ frontend's modules and optimizers use it.
#include "cresset/core/tensor.h"

namespace cresset::autograd {

/// The accumulated gradient of `t` (Tensor.grad), undefined when there is none.
Tensor grad_of(const Tensor& t);
/// Resets t.grad as torch's zero_grad does: drops it (set_to_none), or detaches it from any graph
/// and zeroes it in place.
void reset_grad(const Tensor& t, bool set_to_none);

}  // namespace cresset::autograd
