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
/// torch.nn.utils.get_total_norm: the norm_type norm of the tensors' norms (their norm as one
/// vector; 0 for none); RuntimeError when it is not finite and error_if_nonfinite.
Tensor get_total_norm(const std::vector<Tensor>& tensors, double norm_type = 2.0,
                      bool error_if_nonfinite = false);
/// torch.nn.utils.clip_grads_with_norm_ on the gradients themselves: each multiplied in place by
/// min(max_norm / (total_norm + 1e-6), 1).
void clip_grads_with_norm_(const std::vector<Tensor>& grads, double max_norm,
                           const Tensor& total_norm);
/// Clamps every gradient to [-clip_value, clip_value] in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

}  // namespace cresset::nn::utils
