// The autograd methods of Tensor (see Note [Tensor methods] in core/tensor.h) and the rule behind
// Tensor.requires_grad_, shared with the Python bindings.
#include "cresset/autograd/autograd_meta.h"
#include "cresset/autograd/engine.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/autograd/retain_grad.h"

namespace cresset {

namespace autograd {

void set_requires_grad(const Tensor& t, bool requires_grad) {
  CRESSET_CHECK(is_leaf(t) || requires_grad, RuntimeError,
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().");
  CRESSET_CHECK(!requires_grad || t.is_floating_point(), RuntimeError,
                "only Tensors of floating point and complex dtype can require gradients");
  CRESSET_CHECK(!requires_grad || !t.impl()->is_inference() || InferenceMode::is_enabled(),
                RuntimeError,
                "Setting requires_grad=True on inference tensor outside InferenceMode is not "
                "allowed.");
  t.impl()->set_requires_grad(requires_grad);
}

}  // namespace autograd

Tensor Tensor::requires_grad_(bool requires_grad) const {
  autograd::set_requires_grad(*this, requires_grad);
  return *this;
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph,
                      bool create_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph.value_or(create_graph), create_graph);
}

Tensor Tensor::grad() const {
  autograd::AutogradMeta* m = autograd::meta(*this);
  return m ? m->grad : Tensor();
}

Tensor& Tensor::mutable_grad() const { return autograd::ensure_meta(*this).grad; }

std::shared_ptr<autograd::Node> Tensor::grad_fn() const { return autograd::grad_fn(*this); }

bool Tensor::is_leaf() const { return autograd::is_leaf(*this); }

void Tensor::retain_grad() const { autograd::retain_grad(*this); }

}  // namespace cresset
