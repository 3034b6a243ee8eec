#include "cresset/autograd/retain_grad.h"

#include "cresset/core/error.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/view.h"

namespace cresset::autograd {

void install_retain_grad_hook(const Tensor& t) {
  AutogradMeta& m = *meta(t);
  std::weak_ptr<TensorImpl> weak = t.impl_ptr();
  uint32_t nr = m.output_nr;
  const Node* owner = m.grad_fn.get();
  m.grad_fn->retain_grad_hooks().emplace_back([weak, nr, owner](const TensorList& grads) {
    auto impl = weak.lock();
    if (!impl || nr >= grads.size() || !grads[nr].defined()) return TensorList();
    AutogradMeta* self = meta(Tensor(impl));
    // An in-place op gave the tensor a new grad_fn, which has its own hook now.
    if (self->grad_fn.get() != owner) return TensorList();
    Tensor g = detach(grads[nr]);
    self->grad = self->grad.defined() ? add(self->grad, g) : clone(g);
    return TensorList();
  });
}

void retain_grad(const Tensor& t) {
  CRESSET_CHECK(t.requires_grad(), RuntimeError,
                "can't retain_grad on Tensor that has requires_grad=False");
  if (is_leaf(t)) return;  // leaves keep .grad anyway
  AutogradMeta& m = ensure_meta(t);
  if (m.retains_grad) return;
  m.retains_grad = true;
  install_retain_grad_hook(t);
}

}  // namespace cresset::autograd
