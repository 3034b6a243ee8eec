#include "cresset/optim/adagrad.h"

#include "cresset/ops/ops.h"
#include "cresset/optim/optim.h"

namespace cresset::optim {
namespace {

void init_state(ParamState& state, const Tensor& p, const OptimizerOptions& options) {
  const auto& o = static_cast<const AdagradOptions&>(options);
  state.insert("step", detail::new_step());
  state.insert("sum", full_like(p, o.initial_accumulator_value(), p.dtype(), p.device()));
}

}  // namespace

Adagrad::Adagrad(std::vector<OptimizerParamGroup> param_groups, const AdagradOptions& defaults)
    : Optimizer(std::make_unique<AdagradOptions>(defaults)) {
  add_param_groups(param_groups);
}

void Adagrad::check_options(const OptimizerOptions& options) const {
  const auto& o = static_cast<const AdagradOptions&>(options);
  detail::check_nonnegative("optim::Adagrad", "learning rate", o.lr());
  detail::check_nonnegative("optim::Adagrad", "lr_decay value", o.lr_decay());
  detail::check_nonnegative("optim::Adagrad", "weight_decay value", o.weight_decay());
  detail::check_nonnegative("optim::Adagrad", "initial_accumulator_value value",
                            o.initial_accumulator_value());
  detail::check_nonnegative("optim::Adagrad", "epsilon value", o.eps());
}

void Adagrad::add_param_group(const OptimizerParamGroup& param_group) {
  Optimizer::add_param_group(param_group);
  const OptimizerParamGroup& added = param_groups().back();
  for (const Tensor& p : added.params()) init_state(state(p), p, added.options());
}

Tensor Adagrad::step(LossClosure closure) {
  return fused_step(
      closure, [](const OptimizerOptions&) { return std::vector<std::string>{"sum", "step"}; },
      init_state,
      [](FusedLists& lists, const OptimizerOptions& options) {
        const auto& o = static_cast<const AdagradOptions&>(options);
        OptimOptions k;
        k.lr = o.lr();
        k.lr_decay = o.lr_decay();
        k.weight_decay = o.weight_decay();
        k.eps = o.eps();
        k.maximize = o.maximize();
        adagrad_update(lists.params, lists.grads, lists.states[0], lists.states[1], k);
      });
}

}  // namespace cresset::optim
