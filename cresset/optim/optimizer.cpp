#include "cresset/optim/optimizer.h"

#include <unordered_set>

#include "cresset/autograd/autograd_meta.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/autograd/param_grad.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset::optim {

OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}

OptimizerParamGroup::OptimizerParamGroup(std::vector<Tensor> params,
                                         std::unique_ptr<OptimizerOptions> options)
    : params_(std::move(params)), options_(std::move(options)) {}

OptimizerParamGroup::OptimizerParamGroup(const OptimizerParamGroup& other)
    : params_(other.params_), options_(other.options_ ? other.options_->clone() : nullptr) {}

OptimizerParamGroup& OptimizerParamGroup::operator=(const OptimizerParamGroup& other) {
  params_ = other.params_;
  options_ = other.options_ ? other.options_->clone() : nullptr;
  return *this;
}

OptimizerOptions& OptimizerParamGroup::options() {
  CRESSET_CHECK(options_, RuntimeError, "[optim] this param group has no options");
  return *options_;
}

const OptimizerOptions& OptimizerParamGroup::options() const {
  return const_cast<OptimizerParamGroup*>(this)->options();
}

void Optimizer::add_param_groups(const std::vector<OptimizerParamGroup>& param_groups) {
  size_t count = 0;
  for (const OptimizerParamGroup& group : param_groups) count += group.params().size();
  CRESSET_CHECK(count > 0, ValueError, "[optim] optimizer got an empty parameter list");
  check_options(*defaults_);
  for (const OptimizerParamGroup& group : param_groups) add_param_group(group);
}

void Optimizer::add_param_group(const OptimizerParamGroup& param_group) {
  if (param_group.has_options()) check_options(param_group.options());
  std::unordered_set<const TensorImpl*> taken;
  for (const OptimizerParamGroup& group : param_groups_) {
    for (const Tensor& p : group.params()) taken.insert(p.impl());
  }
  for (const Tensor& p : param_group.params()) {
    CRESSET_CHECK(p.defined(), TypeError, "[optim] optimizer can only optimize Tensors");
    CRESSET_CHECK(autograd::is_leaf(p), ValueError, "[optim] can't optimize a non-leaf Tensor");
    CRESSET_CHECK(taken.insert(p.impl()).second, ValueError,
                  "[optim] some parameters appear more than once in the parameter groups");
  }
  OptimizerParamGroup group(param_group.params());
  group.set_options(param_group.has_options() ? param_group.options().clone() : defaults_->clone());
  param_groups_.push_back(std::move(group));
}

void Optimizer::zero_grad(bool set_to_none) {
  for (const OptimizerParamGroup& group : param_groups_) {
    for (const Tensor& p : group.params()) autograd::reset_grad(p, set_to_none);
  }
}

bool Optimizer::has_state(const Tensor& param) const {
  auto it = state_.find(param.impl());
  return it != state_.end() && !it->second.empty();
}

size_t Optimizer::size() const noexcept {
  size_t n = 0;
  for (const OptimizerParamGroup& group : param_groups_) n += group.params().size();
  return n;
}

Tensor Optimizer::fused_step(const LossClosure& closure, const StateKeys& keys,
                             const InitState& init, const Update& update) {
  Tensor loss;
  if (closure) {
    autograd::AutoGradMode enable_grad(true);
    loss = closure();
  }
  autograd::AutoGradMode no_grad(false);
  for (OptimizerParamGroup& group : param_groups_) {
    const OptimizerOptions& options = group.options();
    const std::vector<std::string> names = keys(options);
    // One fused call per params dtype, in order of first appearance (as Python splits them).
    std::vector<FusedLists> parts;
    std::vector<DType> part_dtypes;
    for (const Tensor& p : group.params()) {
      Tensor grad = p.grad();
      if (!grad.defined()) continue;
      size_t k = 0;
      while (k < part_dtypes.size() && part_dtypes[k] != p.dtype()) ++k;
      if (k == part_dtypes.size()) {
        part_dtypes.push_back(p.dtype());
        parts.emplace_back().states.resize(names.size());
      }
      FusedLists& lists = parts[k];
      ParamState& state = state_[p.impl()];
      if (state.empty()) {
        if (init) {
          init(state, p, options);
        } else {
          detail::init_zero_state(state, p, names);
        }
      }
      lists.params.push_back(p);
      lists.grads.push_back(grad);
      lists.param_states.push_back(&state);
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty()) continue;
        const Tensor* value = state.find(names[i]);
        lists.states[i].push_back(value ? *value : Tensor());
      }
    }
    for (FusedLists& lists : parts) update(lists, options);
  }
  return loss;
}

namespace detail {

Tensor new_step() {
  return zeros({}, default_dtype() == DType::Float64 ? DType::Float64 : DType::Float32);
}

Tensor zeros_like_param(const Tensor& param) {
  return zero_(empty_like(param, param.dtype(), param.device()));
}

void init_zero_state(ParamState& state, const Tensor& param, const std::vector<std::string>& keys) {
  state.insert("step", new_step());
  for (const std::string& key : keys) {
    if (!key.empty() && key != "step") state.insert(key, zeros_like_param(param));
  }
}

void check_nonnegative(const char* op, const char* label, double value) {
  CRESSET_CHECK(value >= 0.0, ValueError, "[", op, "] Invalid ", label, ": ", value);
}

}  // namespace detail

}  // namespace cresset::optim
