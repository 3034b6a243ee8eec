#include "cresset/optim/rmsprop.h"

#include "cresset/optim/optim.h"

namespace cresset::optim {
namespace {

/// The state lists of a group: square_avg, then the optional momentum_buffer and grad_avg.
std::vector<std::string> state_keys(const OptimizerOptions& options) {
  const auto& o = static_cast<const RMSpropOptions&>(options);
  return {"square_avg", o.momentum() > 0 ? "momentum_buffer" : "", o.centered() ? "grad_avg" : "",
          "step"};
}

}  // namespace

RMSprop::RMSprop(std::vector<OptimizerParamGroup> param_groups, const RMSpropOptions& defaults)
    : Optimizer(std::make_unique<RMSpropOptions>(defaults)) {
  add_param_groups(param_groups);
}

void RMSprop::check_options(const OptimizerOptions& options) const {
  const auto& o = static_cast<const RMSpropOptions&>(options);
  detail::check_nonnegative("optim::RMSprop", "learning rate", o.lr());
  detail::check_nonnegative("optim::RMSprop", "epsilon value", o.eps());
  detail::check_nonnegative("optim::RMSprop", "momentum value", o.momentum());
  detail::check_nonnegative("optim::RMSprop", "weight_decay value", o.weight_decay());
  detail::check_nonnegative("optim::RMSprop", "alpha value", o.alpha());
}

Tensor RMSprop::step(LossClosure closure) {
  return fused_step(closure, state_keys, nullptr,
                    [](FusedLists& lists, const OptimizerOptions& options) {
                      const auto& o = static_cast<const RMSpropOptions&>(options);
                      OptimOptions k;
                      k.lr = o.lr();
                      k.alpha = o.alpha();
                      k.eps = o.eps();
                      k.weight_decay = o.weight_decay();
                      k.momentum = o.momentum();
                      k.centered = o.centered();
                      k.maximize = o.maximize();
                      const auto& s = lists.states;
                      rmsprop_update(lists.params, lists.grads, s[0], s[1], s[2], s[3], k);
                    });
}

}  // namespace cresset::optim
