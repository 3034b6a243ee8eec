#pragma once
// Loss functions (torch.nn.functional's losses and their torch._C._nn / torch.* entry points).
// `reduction` takes torch's enum values: 0 none, 1 mean, 2 sum (see Reduction).
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch's at::Reduction values.
enum Reduction : int64_t { kReductionNone = 0, kReductionMean = 1, kReductionSum = 2 };

/// torch._C._nn.nll_loss_nd: -weight[t] * self[n, t, ...] per target, over input (C), (N, C) or
/// (N, C, d1, ...); targets equal to ignore_index count for nothing; mean divides by the summed
/// weights of the targets. Fused kernel; NllLossBackward0 (NllLoss2DBackward0 beyond 2 dims).
Tensor nll_loss(const Tensor& self, const Tensor& target, const Tensor& weight = Tensor(),
                int64_t reduction = kReductionMean, int64_t ignore_index = -100);
/// torch._C._nn.cross_entropy_loss: log_softmax over the class dim and nll_loss for class indices
/// (with label smoothing), or the soft-label loss when target holds class probabilities.
Tensor cross_entropy_loss(const Tensor& self, const Tensor& target, const Tensor& weight = Tensor(),
                          int64_t reduction = kReductionMean, int64_t ignore_index = -100,
                          double label_smoothing = 0.0);

/// torch._C._nn.mse_loss: (self - target)^2 reduced (MseLossBackward0).
Tensor mse_loss(const Tensor& self, const Tensor& target, int64_t reduction = kReductionMean);
/// torch._C._nn.l1_loss: |self - target| reduced (a composite, as torch's).
Tensor l1_loss(const Tensor& self, const Tensor& target, int64_t reduction = kReductionMean);
/// torch._C._nn.smooth_l1_loss: quadratic below beta, linear above (SmoothL1LossBackward0).
Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, int64_t reduction = kReductionMean,
                      double beta = 1.0);
/// torch._C._nn.huber_loss: quadratic below delta, delta-scaled linear above (HuberLossBackward0).
Tensor huber_loss(const Tensor& self, const Tensor& target, int64_t reduction = kReductionMean,
                  double delta = 1.0);
/// torch._C._nn.binary_cross_entropy: logs clamped at -100; input must lie in [0, 1].
Tensor binary_cross_entropy(const Tensor& self, const Tensor& target,
                            const Tensor& weight = Tensor(), int64_t reduction = kReductionMean);
/// torch.binary_cross_entropy_with_logits: the stable log-sum-exp form; pos_weight scales the
/// positive term along the last dim.
Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target,
                                        const Tensor& weight = Tensor(),
                                        const Tensor& pos_weight = Tensor(),
                                        int64_t reduction = kReductionMean);
/// torch._C._nn.soft_margin_loss: log(1 + exp(-target * self)) reduced.
Tensor soft_margin_loss(const Tensor& self, const Tensor& target,
                        int64_t reduction = kReductionMean);
/// torch.kl_div: target * (log target - self) (log_target: exp(target) * (target - self)).
Tensor kl_div(const Tensor& self, const Tensor& target, int64_t reduction = kReductionMean,
              bool log_target = false);
/// torch.poisson_nll_loss, with the Stirling term for targets above 1 when `full`.
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input, bool full,
                        double eps, int64_t reduction);
/// torch.margin_ranking_loss: max(0, -target * (input1 - input2) + margin).
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           double margin = 0.0, int64_t reduction = kReductionMean);
/// torch.hinge_embedding_loss: self where target is 1, max(0, margin - self) where it is -1.
Tensor hinge_embedding_loss(const Tensor& self, const Tensor& target, double margin = 1.0,
                            int64_t reduction = kReductionMean);
/// torch.cosine_embedding_loss: 1 - cos where target is 1, max(0, cos - margin) where it is -1.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             double margin = 0.0, int64_t reduction = kReductionMean);
/// torch.triplet_margin_loss: max(0, margin + d(a, p) - d(a, n)) with p-norm distances.
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           double margin = 1.0, double p = 2, double eps = 1e-6, bool swap = false,
                           int64_t reduction = kReductionMean);
/// torch._C._nn.multi_margin_loss: sum over i != y of max(0, margin - x[y] + x[i])^p (times
/// weight[y]) / C per sample; input (C) or (N, C), p 1 or 2.
Tensor multi_margin_loss(const Tensor& self, const Tensor& target, int64_t p = 1,
                         double margin = 1.0, const Tensor& weight = Tensor(),
                         int64_t reduction = kReductionMean);
/// torch._C._nn.multilabel_margin_loss: target rows list class indices up to the first -1; sum
/// over listed j and unlisted i of max(0, 1 - (x[j] - x[i])) / C per sample.
Tensor multilabel_margin_loss(const Tensor& self, const Tensor& target,
                              int64_t reduction = kReductionMean);
/// torch.ctc_loss: log_probs (T, N, C) or (T, C); targets padded (N, S) or concatenated; mean
/// divides each loss by its target length. Fused alpha/beta recursions (CtcLossBackward0).
Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets,
                const std::vector<int64_t>& input_lengths,
                const std::vector<int64_t>& target_lengths, int64_t blank = 0,
                int64_t reduction = kReductionMean, bool zero_infinity = false);

// torch.nn.functional's loss semantics, shared by the Python layer and the C++ frontend: argument
// checks (torch's error types) in front of the ops above.
/// kl_div_loss's reduction that divides the sum by the batch size ('batchmean').
inline constexpr int64_t kReductionBatchMean = 3;
/// torch.nn.functional.kl_div: kl_div, also with kReductionBatchMean (the sum divided by
/// input.size(0); the sum for a 0-dim input).
Tensor kl_div_loss(const Tensor& input, const Tensor& target, int64_t reduction = kReductionMean,
                   bool log_target = false);
/// torch.nn.functional.binary_cross_entropy: ValueError unless target has input's size; weight
/// is broadcast to target's shape.
Tensor bce_loss(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                int64_t reduction = kReductionMean);
/// torch.nn.functional.binary_cross_entropy_with_logits: ValueError unless target has input's
/// size.
Tensor bce_with_logits_loss(const Tensor& input, const Tensor& target,
                            const Tensor& weight = Tensor(), const Tensor& pos_weight = Tensor(),
                            int64_t reduction = kReductionMean);

namespace detail {
/// torch's error for a tensor argument without a derivative that requires grad (grad mode on).
void check_not_differentiable(const char* fn, const char* arg, const Tensor& t);
}  // namespace detail

}  // namespace cresset
