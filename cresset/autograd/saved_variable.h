#pragma once
// A tensor a node keeps for its backward, with the version it had when saved.
#include <memory>
#include <string>

#include "cresset/autograd/node.h"

namespace cresset::autograd {

class SavedVariable {
 public:
  SavedVariable() = default;
  /// Saves `t`. An output of the node that saves it is stored without its grad_fn (no cycle);
  /// unpack() reattaches the node for double backward.
  SavedVariable(const Tensor& t, bool is_output);

  /// The saved tensor; RuntimeError when it was freed or modified in place since it was saved.
  /// `owner` is the node that saved it (needed for saved outputs and for error messages).
  Tensor unpack(const std::shared_ptr<Node>& owner) const;
  /// Frees the tensor (after backward without retain_graph).
  void reset();
  bool was_defined() const { return was_defined_; }

 private:
  Tensor data_;
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool was_defined_ = false;
  bool requires_grad_ = false;
};

/// torch's legacy type name of a tensor, e.g. "torch.FloatTensor", used in autograd errors.
std::string legacy_type_name(const Tensor& t);

}  // namespace cresset::autograd
