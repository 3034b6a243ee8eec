#pragma once
// optim::Adadelta (torch.optim.Adadelta). State per param: "step", "square_avg", "acc_delta".
#include "cresset/core/arg.h"
#include "cresset/optim/optimizer.h"

namespace cresset::optim {

struct AdadeltaOptions : OptimizerCloneableOptions<AdadeltaOptions> {
  AdadeltaOptions(double lr = 1.0) : lr_(lr) {}  // NOLINT: implicit
  CRESSET_ARG(double, lr);
  CRESSET_ARG(double, rho) = 0.9;
  CRESSET_ARG(double, eps) = 1e-6;
  CRESSET_ARG(double, weight_decay) = 0;
  CRESSET_ARG(bool, maximize) = false;
};

class Adadelta : public Optimizer {
 public:
  /// ValueError for a negative lr, eps or weight_decay, or a rho outside [0, 1].
  Adadelta(std::vector<OptimizerParamGroup> param_groups, const AdadeltaOptions& defaults);
  Adadelta(std::vector<Tensor> params, const AdadeltaOptions& defaults)
      : Adadelta(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))},
                 defaults) {}
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  void check_options(const OptimizerOptions& options) const override;
};

}  // namespace cresset::optim
