#pragma once
// zero_grad of one parameter, shared by nn::Module::zero_grad and optim::Optimizer::zero_grad.
#include "cresset/core/tensor.h"

namespace cresset::autograd {

/// Resets t.grad as torch's zero_grad does: drops it (set_to_none), or detaches it from any graph
/// and zeroes it in place.
void reset_grad(const Tensor& t, bool set_to_none);

}  // namespace cresset::autograd
