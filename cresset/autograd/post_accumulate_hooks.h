#pragma once
// Post-accumulate-grad hooks (Tensor.register_post_accumulate_grad_hook): functions called with a
// leaf once AccumulateGrad has written its .grad. Kept in a table beside the engine rather than
// in AutogradMeta: few tensors ever have one.
#include <functional>

#include "cresset/core/tensor.h"

namespace cresset::autograd {

using PostAccumulateHook = std::function<void(const Tensor& leaf)>;

/// Registers `hook` on `leaf`; returns an id for remove_post_accumulate_hook.
int add_post_accumulate_hook(const Tensor& leaf, PostAccumulateHook hook);
/// Removes the hook `id` of `leaf` (nothing when it is gone).
void remove_post_accumulate_hook(const TensorImpl* leaf, int id);
/// Runs `leaf`'s hooks, in registration order.
void run_post_accumulate_hooks(const Tensor& leaf);

}  // namespace cresset::autograd
