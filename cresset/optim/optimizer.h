#pragma once
// cresset::optim::Optimizer: the C++ frontend's optimizer base (the concept of torch.optim's
// Optimizer, spelled as libtorch's torch::optim::Optimizer). It owns param groups, each with
// its own copy of the options, and a per-parameter state named as in Python
// (`optimizer.state(p)["exp_avg"]`). The update math is the fused kernels of
// cresset/optim/optim.h, the same calls the Python optimizers make (see Note [Fused optimizer
// updates]).
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "cresset/core/ordered_dict.h"
#include "cresset/core/tensor.h"

namespace cresset::optim {

/// Re-evaluates the model and returns the loss (step(closure)).
using LossClosure = std::function<Tensor()>;

/// Base of the options of each optimizer (SGDOptions, AdamOptions, ...).
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
};

/// Implements clone / get_lr / set_lr for an options struct with an `lr` option.
template <typename Derived>
class OptimizerCloneableOptions : public OptimizerOptions {
 public:
  std::unique_ptr<OptimizerOptions> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
  double get_lr() const override { return static_cast<const Derived&>(*this).lr(); }
  void set_lr(double lr) override { static_cast<Derived&>(*this).lr(lr); }
};

/// Params optimized together with one set of options (the optimizer's defaults when none
/// are given).
class OptimizerParamGroup {
 public:
  OptimizerParamGroup(std::vector<Tensor> params);  // NOLINT: implicit, as libtorch's
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options);
  OptimizerParamGroup(const OptimizerParamGroup& other);
  OptimizerParamGroup& operator=(const OptimizerParamGroup& other);
  OptimizerParamGroup(OptimizerParamGroup&&) = default;
  OptimizerParamGroup& operator=(OptimizerParamGroup&&) = default;

  bool has_options() const noexcept { return options_ != nullptr; }
  OptimizerOptions& options();
  const OptimizerOptions& options() const;
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }
  std::vector<Tensor>& params() noexcept { return params_; }
  const std::vector<Tensor>& params() const noexcept { return params_; }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

/// A parameter's state: named tensors, as Python's optimizer.state[p] ("step", "exp_avg", ...).
using ParamState = OrderedDict<std::string, Tensor>;

class Optimizer {
 public:
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  virtual ~Optimizer() = default;

  /// Adds a group; its params must be leaves and in no other group, its options valid
  /// (ValueError). A group without options gets a copy of the defaults.
  virtual void add_param_group(const OptimizerParamGroup& param_group);
  /// Performs one update and returns the closure's loss (undefined without a closure).
  virtual Tensor step(LossClosure closure = nullptr) = 0;
  /// Resets the gradients of all optimized params: drops them (set_to_none) or zeroes them.
  void zero_grad(bool set_to_none = true);

  std::vector<OptimizerParamGroup>& param_groups() noexcept { return param_groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return param_groups_; }
  OptimizerOptions& defaults() noexcept { return *defaults_; }
  /// The state of `param` (empty before its first step).
  ParamState& state(const Tensor& param) { return state_[param.impl()]; }
  /// Whether `param` has state yet.
  bool has_state(const Tensor& param) const;
  /// The number of params over all groups.
  size_t size() const noexcept;

 protected:
  explicit Optimizer(std::unique_ptr<OptimizerOptions> defaults) : defaults_(std::move(defaults)) {}
  /// Checks the defaults, then adds the constructor's groups through add_param_group (call it
  /// from the subclass's constructor, where its overrides apply); ValueError when there are no
  /// params.
  void add_param_groups(const std::vector<OptimizerParamGroup>& param_groups);
  /// Throws ValueError for invalid options (torch's messages).
  virtual void check_options(const OptimizerOptions& options) const = 0;

  /// One param group's tensors for a fused update: the params that have a gradient (all of one
  /// dtype), their gradients, and for each state key the params' state tensors (an empty list
  /// for an unused key ""; an undefined entry for state not created yet).
  struct FusedLists {
    std::vector<Tensor> params;
    std::vector<Tensor> grads;
    std::vector<std::vector<Tensor>> states;
    std::vector<ParamState*> param_states;
  };
  /// The state keys of a group's fused update, "" for an unused list.
  using StateKeys = std::function<std::vector<std::string>(const OptimizerOptions&)>;
  /// Fills the state of a param at its first step (nullptr: detail::init_zero_state).
  using InitState = std::function<void(ParamState&, const Tensor&, const OptimizerOptions&)>;
  using Update = std::function<void(FusedLists&, const OptimizerOptions&)>;
  /// Runs the closure with grad enabled, then `update` once per group and params dtype, with
  /// grad disabled; returns the closure's loss.
  Tensor fused_step(const LossClosure& closure, const StateKeys& keys, const InitState& init,
                    const Update& update);

 private:
  std::vector<OptimizerParamGroup> param_groups_;
  std::unordered_map<const TensorImpl*, ParamState> state_;
  std::unique_ptr<OptimizerOptions> defaults_;
};

namespace detail {
/// A fresh 'step' state: a 0-dim zero in float32 (float64 when that is the default dtype).
Tensor new_step();
/// A zero-filled tensor shaped and laid out as `param`.
Tensor zeros_like_param(const Tensor& param);
/// A param's first state as Python's fused optimizers make it: "step", then zeros shaped like
/// the param for the other (non-empty) keys.
void init_zero_state(ParamState& state, const Tensor& param, const std::vector<std::string>& keys);
/// ValueError "[op] Invalid <label>: <value>" unless 0 <= value.
void check_nonnegative(const char* op, const char* label, double value);
}  // namespace detail

}  // namespace cresset::optim
