#pragma once
// Saved-tensor hooks (torch.autograd.graph.saved_tensors_hooks): while a pair is registered on
// this thread, every tensor a node saves for its backward is stored as pack(tensor), whatever
// pack returns, and read back as unpack(packed). The innermost pair applies. Checkpointing uses
// them to keep nothing during the forward and recompute the tensors when the backward asks.
#include <memory>

#include "cresset/core/tensor.h"

namespace cresset::autograd {

class SavedTensorHooks {
 public:
  virtual ~SavedTensorHooks() = default;
  /// What to keep in place of `t` (an opaque value that unpack understands).
  virtual std::shared_ptr<void> pack(const Tensor& t) = 0;
  /// The tensor to hand to the backward for a value pack returned.
  virtual Tensor unpack(const std::shared_ptr<void>& packed) = 0;
};

/// Makes `hooks` the innermost pair of this thread.
void push_saved_tensor_hooks(std::shared_ptr<SavedTensorHooks> hooks);
/// Removes the innermost pair of this thread.
void pop_saved_tensor_hooks();
/// The innermost pair of this thread, or null.
const std::shared_ptr<SavedTensorHooks>& current_saved_tensor_hooks();

}  // namespace cresset::autograd
