#include "cresset/optim/lr_scheduler.h"

#include "cresset/core/error.h"

namespace cresset::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {}

void LRScheduler::step() {
  ++last_epoch_;
  std::vector<double> lrs = get_lrs();
  auto& groups = optimizer_.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(lrs[i]);
}

std::vector<double> LRScheduler::get_last_lr() const {
  std::vector<double> lrs;
  for (const OptimizerParamGroup& group : optimizer_.param_groups()) {
    lrs.push_back(group.options().get_lr());
  }
  return lrs;
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  CRESSET_CHECK(step_size > 0, ValueError, "[optim::StepLR] step_size must be positive, got ",
                step_size);
}

std::vector<double> StepLR::get_lrs() {
  std::vector<double> lrs = get_last_lr();
  if (last_epoch() % step_size_ == 0) {
    for (double& lr : lrs) lr *= gamma_;
  }
  return lrs;
}

}  // namespace cresset::optim
