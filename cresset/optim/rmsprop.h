#pragma once
// optim::RMSprop (torch.optim.RMSprop). State per param: "step", "square_avg", and
// "momentum_buffer" (momentum > 0) and "grad_avg" (centered).
#include "cresset/core/arg.h"
#include "cresset/optim/optimizer.h"

namespace cresset::optim {

struct RMSpropOptions : OptimizerCloneableOptions<RMSpropOptions> {
  RMSpropOptions(double lr = 1e-2) : lr_(lr) {}  // NOLINT: implicit
  CRESSET_ARG(double, lr);
  CRESSET_ARG(double, alpha) = 0.99;
  CRESSET_ARG(double, eps) = 1e-8;
  CRESSET_ARG(double, weight_decay) = 0;
  CRESSET_ARG(double, momentum) = 0;
  CRESSET_ARG(bool, centered) = false;
  CRESSET_ARG(bool, maximize) = false;
};

class RMSprop : public Optimizer {
 public:
  /// ValueError for a negative lr, alpha, eps, momentum or weight_decay.
  RMSprop(std::vector<OptimizerParamGroup> param_groups, const RMSpropOptions& defaults);
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults)
      : RMSprop(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))},
                defaults) {}
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  void check_options(const OptimizerOptions& options) const override;
};

}  // namespace cresset::optim
