#include "cresset/optim/adadelta.h"

#include "cresset/core/error.h"
#include "cresset/optim/optim.h"

namespace cresset::optim {

Adadelta::Adadelta(std::vector<OptimizerParamGroup> param_groups, const AdadeltaOptions& defaults)
    : Optimizer(std::make_unique<AdadeltaOptions>(defaults)) {
  add_param_groups(param_groups);
}

void Adadelta::check_options(const OptimizerOptions& options) const {
  const auto& o = static_cast<const AdadeltaOptions&>(options);
  detail::check_nonnegative("optim::Adadelta", "learning rate", o.lr());
  CRESSET_CHECK(o.rho() >= 0 && o.rho() <= 1, ValueError,
                "[optim::Adadelta] Invalid rho value: ", o.rho());
  detail::check_nonnegative("optim::Adadelta", "epsilon value", o.eps());
  detail::check_nonnegative("optim::Adadelta", "weight_decay value", o.weight_decay());
}

Tensor Adadelta::step(LossClosure closure) {
  return fused_step(
      closure,
      [](const OptimizerOptions&) {
        return std::vector<std::string>{"square_avg", "acc_delta", "step"};
      },
      nullptr,
      [](FusedLists& lists, const OptimizerOptions& options) {
        const auto& o = static_cast<const AdadeltaOptions&>(options);
        OptimOptions k;
        k.lr = o.lr();
        k.rho = o.rho();
        k.eps = o.eps();
        k.weight_decay = o.weight_decay();
        k.maximize = o.maximize();
        const auto& s = lists.states;
        adadelta_update(lists.params, lists.grads, s[0], s[1], s[2], k);
      });
}

}  // namespace cresset::optim
