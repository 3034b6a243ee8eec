#pragma once
// optim::Adam and optim::AdamW (decoupled weight decay), with amsgrad and maximize
// (torch.optim.Adam / AdamW). State per param: "step", "exp_avg", "exp_avg_sq" and, with
// amsgrad, "max_exp_avg_sq".
#include <tuple>

#include "cresset/core/arg.h"
#include "cresset/optim/optimizer.h"

namespace cresset::optim {

using Betas = std::tuple<double, double>;

struct AdamOptions : OptimizerCloneableOptions<AdamOptions> {
  AdamOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT: implicit
  CRESSET_ARG(double, lr);
  CRESSET_ARG(Betas, betas) = Betas(0.9, 0.999);
  CRESSET_ARG(double, eps) = 1e-8;
  CRESSET_ARG(double, weight_decay) = 0;
  CRESSET_ARG(bool, amsgrad) = false;
  CRESSET_ARG(bool, maximize) = false;
};

/// AdamW's options: Adam's with weight_decay 1e-2 by default.
struct AdamWOptions : AdamOptions {
  AdamWOptions(double lr = 1e-3) : AdamOptions(lr) { weight_decay(1e-2); }  // NOLINT: implicit
};

class Adam : public Optimizer {
 public:
  /// ValueError for a negative lr, eps or weight_decay, or a beta outside [0, 1).
  Adam(std::vector<OptimizerParamGroup> param_groups, const AdamOptions& defaults);
  Adam(std::vector<Tensor> params, const AdamOptions& defaults)
      : Adam(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  void check_options(const OptimizerOptions& options) const override;
  /// AdamW's constructor: decoupled weight decay.
  Adam(std::vector<OptimizerParamGroup> param_groups, const AdamOptions& defaults,
       bool decoupled_weight_decay);

 private:
  bool decoupled_weight_decay_;
};

/// Adam with decoupled weight decay (the decay is applied to the param, not the gradient).
class AdamW : public Adam {
 public:
  AdamW(std::vector<OptimizerParamGroup> param_groups, const AdamOptions& defaults)
      : Adam(std::move(param_groups), defaults, true) {}
  AdamW(std::vector<Tensor> params, const AdamOptions& defaults)
      : AdamW(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
};

}  // namespace cresset::optim
