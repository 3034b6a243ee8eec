#pragma once
// optim::SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum, weight
// decay and maximize (torch.optim.SGD). State per param: "momentum_buffer" (with momentum).
#include "cresset/core/arg.h"
#include "cresset/optim/optimizer.h"

namespace cresset::optim {

struct SGDOptions : OptimizerCloneableOptions<SGDOptions> {
  SGDOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT: implicit, `SGD(params, 0.1)`
  CRESSET_ARG(double, lr);
  CRESSET_ARG(double, momentum) = 0;
  CRESSET_ARG(double, dampening) = 0;
  CRESSET_ARG(double, weight_decay) = 0;
  CRESSET_ARG(bool, nesterov) = false;
  CRESSET_ARG(bool, maximize) = false;
};

class SGD : public Optimizer {
 public:
  /// ValueError for a negative lr, momentum or weight_decay, and for Nesterov without momentum
  /// or with dampening.
  SGD(std::vector<OptimizerParamGroup> param_groups, const SGDOptions& defaults);
  SGD(std::vector<Tensor> params, const SGDOptions& defaults)
      : SGD(std::vector<OptimizerParamGroup>{OptimizerParamGroup(std::move(params))}, defaults) {}
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  void check_options(const OptimizerOptions& options) const override;
};

}  // namespace cresset::optim
