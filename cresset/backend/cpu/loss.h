#pragma once
// CPU kernels of the loss family. They gather one entry per target and do little arithmetic, so
// they are compiled once (no per-capability copies, see Note [CPU capability dispatch]).
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset::cpu {

/// NLL loss over `self` viewed as contiguous [batch, classes, inner], `target` (int64 or uint8,
/// contiguous, batch * inner entries) and `weight` (classes entries, or undefined). reduction 0
/// (none): out[batch * inner] = -weight[t] * self[n, t, i], 0 where t == ignore_index; 1 (mean)
/// or 2 (sum): out (0-dim) = their sum, divided by total_weight for mean. total_weight (0-dim) =
/// the summed weights of the targets not ignored. IndexError for a target outside [0, classes).
void nll_loss_forward(const Tensor& out, const Tensor& total_weight, const Tensor& self,
                      const Tensor& target, const Tensor& weight, int64_t batch, int64_t classes,
                      int64_t inner, int64_t reduction, int64_t ignore_index);
/// The gradient of nll_loss_forward: grad_input (zeroed, laid out as self) receives
/// -weight[t] * g at each target, g = grad[n * inner + i] (none), grad (sum) or
/// grad / total_weight (mean). Targets were range-checked by the forward.
void nll_loss_backward(const Tensor& grad_input, const Tensor& grad, const Tensor& target,
                       const Tensor& weight, const Tensor& total_weight, int64_t batch,
                       int64_t classes, int64_t inner, int64_t reduction, int64_t ignore_index);

/// CTC forward: log_probs [T, N, C] contiguous, targets int64 with targets of sample n starting at
/// target_offsets[n] (length target_lengths[n]). Writes nll [N] and log_alpha [N, T, 2 * S + 1]
/// (S the longest target). Lengths and target values were checked by the op.
void ctc_loss_forward(const Tensor& nll, const Tensor& log_alpha, const Tensor& log_probs,
                      const Tensor& targets, const std::vector<int64_t>& target_offsets,
                      const std::vector<int64_t>& input_lengths,
                      const std::vector<int64_t>& target_lengths, int64_t blank);
/// CTC backward (torch's formula, a gradient with respect to the logits behind log_probs):
/// grad [T, N, C] = (exp(lp) - exp(log(sum of alpha * beta over label c) + nll - lp)) *
/// grad_out[n], zero beyond each input length, and zero for an infinite nll when zero_infinity.
void ctc_loss_backward(const Tensor& grad, const Tensor& grad_out, const Tensor& log_probs,
                       const Tensor& targets, const std::vector<int64_t>& target_offsets,
                       const std::vector<int64_t>& input_lengths,
                       const std::vector<int64_t>& target_lengths, const Tensor& nll,
                       const Tensor& log_alpha, int64_t blank, bool zero_infinity);

}  // namespace cresset::cpu
