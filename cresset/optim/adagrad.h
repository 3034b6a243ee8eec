#pragma once
// optim::Adagrad (torch.optim.Adagrad, dense gradients). State per param, created with the
// optimizer: "step" and "sum" (initial_accumulator_value everywhere).
#include "cresset/core/arg.h"
#include "cresset/optim/optimizer.h"

namespace cresset::optim {

struct AdagradOptions : OptimizerCloneableOptions<AdagradOptions> {
  AdagradOptions(double lr = 1e-2) : lr_(lr) {}  // NOLINT: implicit
  CRESSET_ARG(double, lr);
  CRESSET_ARG(double, lr_decay) = 0;
  CRESSET_ARG(double, weight_decay) = 0;
  CRESSET_ARG(double, initial_accumulator_value) = 0;
  CRESSET_ARG(double, eps) = 1e-10;
  CRESSET_ARG(bool, maximize) = false;
};

class Adagrad : public Optimizer {
 public:
  /// ValueError for a negative lr, lr_decay, weight_decay, initial_accumulator_value or eps.
  Adagrad(std::vector<OptimizerParamGroup> param_groups, const AdagradOptions& defaults);
  Adagrad(std::vector<Tensor> params, const AdagradOptions& defaults)
      : Adagrad(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))},
                defaults) {}
  /// Also creates the new params' state, as torch does.
  void add_param_group(const OptimizerParamGroup& param_group) override;
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  void check_options(const OptimizerOptions& options) const override;
};

}  // namespace cresset::optim
