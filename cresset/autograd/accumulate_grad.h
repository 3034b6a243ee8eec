#pragma once
#include "cresset/autograd/node.h"

namespace cresset::autograd {

/// The node at a leaf: adds the incoming gradient into the leaf's .grad (after its hooks). It
/// holds the leaf weakly through its TensorImpl so a dead leaf simply drops its gradient.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const Tensor& leaf);
  std::string name() const override { return "torch::autograd::AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;
  /// The leaf tensor, or an undefined Tensor when it no longer exists.
  Tensor variable() const;

 private:
  std::weak_ptr<TensorImpl> leaf_;
};

}  // namespace cresset::autograd
