#include "cresset/optim/adam.h"

#include "cresset/core/error.h"
#include "cresset/optim/optim.h"

namespace cresset::optim {
namespace {

/// The state lists of a group: exp_avg, exp_avg_sq, max_exp_avg_sq (with amsgrad), step.
std::vector<std::string> state_keys(const OptimizerOptions& options) {
  const auto& o = static_cast<const AdamOptions&>(options);
  return {"exp_avg", "exp_avg_sq", o.amsgrad() ? "max_exp_avg_sq" : "", "step"};
}

}  // namespace

Adam::Adam(std::vector<OptimizerParamGroup> param_groups, const AdamOptions& defaults)
    : Adam(std::move(param_groups), defaults, false) {}

Adam::Adam(std::vector<OptimizerParamGroup> param_groups, const AdamOptions& defaults,
           bool decoupled_weight_decay)
    : Optimizer(std::make_unique<AdamOptions>(defaults)),
      decoupled_weight_decay_(decoupled_weight_decay) {
  add_param_groups(param_groups);
}

void Adam::check_options(const OptimizerOptions& options) const {
  const auto& o = static_cast<const AdamOptions&>(options);
  detail::check_nonnegative("optim::Adam", "learning rate", o.lr());
  detail::check_nonnegative("optim::Adam", "epsilon value", o.eps());
  detail::check_nonnegative("optim::Adam", "weight_decay value", o.weight_decay());
  auto [beta1, beta2] = o.betas();
  CRESSET_CHECK(beta1 >= 0 && beta1 < 1, ValueError,
                "[optim::Adam] Invalid beta parameter at index 0: ", beta1);
  CRESSET_CHECK(beta2 >= 0 && beta2 < 1, ValueError,
                "[optim::Adam] Invalid beta parameter at index 1: ", beta2);
}

Tensor Adam::step(LossClosure closure) {
  const bool decoupled = decoupled_weight_decay_;
  return fused_step(closure, state_keys, nullptr,
                    [decoupled](FusedLists& lists, const OptimizerOptions& options) {
                      const auto& o = static_cast<const AdamOptions&>(options);
                      OptimOptions k;
                      k.lr = o.lr();
                      std::tie(k.beta1, k.beta2) = o.betas();
                      k.eps = o.eps();
                      k.weight_decay = o.weight_decay();
                      k.amsgrad = o.amsgrad();
                      k.maximize = o.maximize();
                      k.decoupled_weight_decay = decoupled;
                      const auto& s = lists.states;
                      adam_update(lists.params, lists.grads, s[0], s[1], s[2], s[3], k);
                    });
}

}  // namespace cresset::optim
