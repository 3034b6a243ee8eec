#pragma once
// nn::utils: gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset::nn::utils {

/// Scales the gradients of `parameters` in place so that their total norm_type norm (the norm of
/// all of them as one vector) is at most max_norm (coefficient min(max_norm / (total + 1e-6), 1)).
/// Returns the total norm before clipping; RuntimeError when it is not finite and
/// error_if_nonfinite. Parameters without a gradient are skipped.
Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm,
                       double norm_type = 2.0, bool error_if_nonfinite = false);
/// Clamps every gradient to [-clip_value, clip_value] in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

}  // namespace cresset::nn::utils
