#pragma once
// Tensor.retain_grad: a non-leaf's .grad filled in by a hook on its grad_fn.
#include "cresset/autograd/autograd_meta.h"

namespace cresset::autograd {

/// Tensor.retain_grad on a non-leaf: its grad_fn's gradient for it is added into its .grad. When
/// an in-place op (or a view's refresh) gives it a new grad_fn, set_history moves the hook there.
void retain_grad(const Tensor& t);
/// Hooks the .grad-filling hook of a tensor that retains grad onto its current grad_fn.
void install_retain_grad_hook(const Tensor& t);

}  // namespace cresset::autograd
