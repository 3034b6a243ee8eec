#pragma once
// A tensor a node keeps for its backward, with the version it had when saved, or what the
// saved-tensor hooks made of it (see saved_hooks.h).
#include <memory>
#include <string>

#include "cresset/autograd/node.h"
#include "cresset/autograd/saved_hooks.h"

namespace cresset::autograd {

class SavedVariable {
 public:
  SavedVariable() = default;
  /// Saves `t`. An output of the node that saves it is stored without its grad_fn (no cycle);
  /// unpack() reattaches the node for double backward.
  SavedVariable(const Tensor& t, bool is_output);

  /// The saved tensor; RuntimeError when it was freed or modified in place since it was saved
  /// (hooked tensors are not version-checked: unpack may rebuild them). `owner` is the node that
  /// saved it (needed for saved outputs and for error messages).
  Tensor unpack(const std::shared_ptr<Node>& owner) const;
  /// Frees the tensor (after backward without retain_graph).
  void reset();
  bool was_defined() const { return was_defined_; }

 private:
  // `t` as the backward sees it: a saved output gets its owner back as grad_fn.
  Tensor attach(const Tensor& t, const std::shared_ptr<Node>& owner) const;

  // What the hooks registered at save time made of the tensor; data_ stays empty then.
  struct Hooked {
    std::shared_ptr<SavedTensorHooks> hooks;
    std::shared_ptr<void> packed;
  };
  Tensor data_;
  std::shared_ptr<Hooked> hooked_;
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool was_defined_ = false;
  bool requires_grad_ = false;
};

/// torch's legacy type name of a tensor, e.g. "torch.FloatTensor", used in autograd errors.
std::string legacy_type_name(const Tensor& t);

}  // namespace cresset::autograd
