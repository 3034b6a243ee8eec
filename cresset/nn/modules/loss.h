#pragma once
// Loss modules: forward(input, target) calls the F:: loss with the module's options. Class
// weights (and BCEWithLogitsLoss's pos_weight) are buffers, as in Python.
#include "cresset/nn/modules/functional.h"
#include "cresset/nn/modules/holder.h"

namespace cresset::nn {
namespace detail {

/// A loss module over `Options`, calling `Fn`; the Impl classes below only name it.
template <typename Options, Tensor (*Fn)(const Tensor&, const Tensor&, const Options&)>
class LossImpl : public Module {
 public:
  explicit LossImpl(const Options& options = {}) : options(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) {
    return Fn(input, target, options);
  }
  Options options;
};

/// Registers the class weights of a weighted loss as the buffer "weight" when given.
void register_weight_buffers(Module& m, const Tensor& weight, const Tensor& pos_weight = Tensor());

}  // namespace detail

#define CRESSET_LOSS_MODULE(Name, Options, fn)                                      \
  class Name##Impl : public detail::LossImpl<Options, functional::fn> {             \
   public:                                                                           \
    explicit Name##Impl(const Options& options = {});                                \
  };                                                                                 \
  CRESSET_MODULE(Name)

/// log_softmax + nll_loss over class indices (or class probabilities).
CRESSET_LOSS_MODULE(CrossEntropyLoss, CrossEntropyLossOptions, cross_entropy);
/// -input[n, target[n]] (inputs are log-probabilities).
CRESSET_LOSS_MODULE(NLLLoss, NLLLossOptions, nll_loss);
/// (input - target)^2.
CRESSET_LOSS_MODULE(MSELoss, MSELossOptions, mse_loss);
/// |input - target|.
CRESSET_LOSS_MODULE(L1Loss, L1LossOptions, l1_loss);
/// Binary cross entropy of probabilities.
CRESSET_LOSS_MODULE(BCELoss, BCELossOptions, binary_cross_entropy);
/// Binary cross entropy of logits (sigmoid fused, numerically stable).
CRESSET_LOSS_MODULE(BCEWithLogitsLoss, BCEWithLogitsLossOptions,
                    binary_cross_entropy_with_logits);
/// Quadratic below beta, linear above.
CRESSET_LOSS_MODULE(SmoothL1Loss, SmoothL1LossOptions, smooth_l1_loss);
/// Kullback-Leibler divergence of log-probabilities input to target.
CRESSET_LOSS_MODULE(KLDivLoss, KLDivLossOptions, kl_div);

#undef CRESSET_LOSS_MODULE

}  // namespace cresset::nn
