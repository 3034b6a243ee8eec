#pragma once
// Learning-rate schedulers (torch.optim.lr_scheduler): StepLR.
#include <vector>

#include "cresset/optim/optimizer.h"

namespace cresset::optim {

/// Base of the schedulers: step() sets every group's lr to get_lrs(), counting the calls as
/// Python's last_epoch does (the constructor's implicit first step is epoch 0).
class LRScheduler {
 public:
  explicit LRScheduler(Optimizer& optimizer);
  virtual ~LRScheduler() = default;
  /// Advances one epoch and updates the learning rates.
  void step();
  /// The current learning rate of each param group.
  std::vector<double> get_last_lr() const;
  int64_t last_epoch() const noexcept { return last_epoch_; }

 protected:
  /// The learning rates for epoch last_epoch(), from the current ones.
  virtual std::vector<double> get_lrs() = 0;
  Optimizer& optimizer_;

 private:
  int64_t last_epoch_ = 0;
};

/// Multiplies the learning rates by gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  std::vector<double> get_lrs() override;

 private:
  int64_t step_size_;
  double gamma_;
};

}  // namespace cresset::optim
