#pragma once
// The list plumbing behind every fused update (see Note [Fused optimizer updates]).
#include <vector>

#include "cresset/backend/common/optim_rules.h"
#include "cresset/core/tensor.h"

namespace cresset::optim_detail {

/// One param group's tensors, checked and resolved into kernel buffers.
class FusedBatch {
 public:
  /// Checks that params are floating tensors of one device and grads match them ("[op] ..."
  /// errors). CUDA tensors are updated on their device (see Note [CUDA optimizer updates]).
  FusedBatch(const char* op, const std::vector<Tensor>& params, const std::vector<Tensor>& grads);
  /// Puts a state list (one tensor per param, shaped like it) in kernel buffer `slot` (2..4).
  void add_state(int slot, const std::vector<Tensor>& list);
  size_t size() const { return ts_.size(); }
  /// The per-tensor coefficients of param i, read by the kernel.
  double* scalars(size_t i) { return ts_[i].s; }
  /// Runs the kernel of the params' device over every tensor and records the in-place writes
  /// (version counters).
  void run(OptimKind kind, const OptimOptions& h);

 private:
  const char* op_;
  DType dtype_ = DType::Float32;
  std::vector<OptimTensor> ts_;
  std::vector<std::vector<Tensor>> slots_;  // per param: the tensor of each buffer slot
};

/// Adds one to a 0-dim 'step' tensor (float32 as torch 2.x stores it) and returns its new value.
double increment_step(const char* op, const Tensor& step);
/// The value of a one-element float state tensor, as Tensor.item() gives it.
double scalar_value(const char* op, const Tensor& t);
/// Writes `value` into a one-element float state tensor (rounded to its dtype).
void set_scalar_value(const Tensor& t, double value);

}  // namespace cresset::optim_detail
