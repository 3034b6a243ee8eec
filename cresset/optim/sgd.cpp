#include "cresset/optim/sgd.h"

#include "cresset/core/error.h"
#include "cresset/optim/optim.h"

namespace cresset::optim {
SGD::SGD(std::vector<OptimizerParamGroup> param_groups, const SGDOptions& defaults)
    : Optimizer(std::make_unique<SGDOptions>(defaults)) {
  add_param_groups(param_groups);
}

void SGD::check_options(const OptimizerOptions& options) const {
  const auto& o = static_cast<const SGDOptions&>(options);
  detail::check_nonnegative("optim::SGD", "learning rate", o.lr());
  detail::check_nonnegative("optim::SGD", "momentum value", o.momentum());
  detail::check_nonnegative("optim::SGD", "weight_decay value", o.weight_decay());
  CRESSET_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0), ValueError,
                "[optim::SGD] Nesterov momentum requires a momentum and zero dampening");
}

Tensor SGD::step(LossClosure closure) {
  return fused_step(
      closure,
      [](const OptimizerOptions& options) {
        const auto& o = static_cast<const SGDOptions&>(options);
        return std::vector<std::string>{o.momentum() != 0 ? "momentum_buffer" : ""};
      },
      [](ParamState&, const Tensor&, const OptimizerOptions&) {},
      [](FusedLists& lists, const OptimizerOptions& options) {
        const auto& o = static_cast<const SGDOptions&>(options);
        OptimOptions k;
        k.lr = o.lr();
        k.momentum = o.momentum();
        k.dampening = o.dampening();
        k.weight_decay = o.weight_decay();
        k.nesterov = o.nesterov();
        k.maximize = o.maximize();
        TensorList buffers = sgd_update(lists.params, lists.grads, lists.states[0], k);
        for (size_t i = 0; i < buffers.size(); ++i) {
          lists.param_states[i]->insert_or_assign("momentum_buffer", buffers[i]);
        }
      });
}

}  // namespace cresset::optim
