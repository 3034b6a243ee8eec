#include "cresset/autograd/accumulate_grad.h"

#include "cresset/autograd/autograd_meta.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/view.h"

namespace cresset::autograd {

AccumulateGrad::AccumulateGrad(const Tensor& leaf) : leaf_(leaf.impl_ptr()) {
  add_input_metadata(leaf);
}

Tensor AccumulateGrad::variable() const {
  std::shared_ptr<TensorImpl> impl = leaf_.lock();
  return impl ? Tensor(impl) : Tensor();
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor leaf = variable();
  Tensor g = grads.empty() ? Tensor() : grads[0];
  if (!leaf.defined() || !g.defined()) return {};
  AutogradMeta& m = ensure_meta(leaf);
  for (auto& [id, hook] : m.hooks) {
    Tensor r = hook(g);
    if (r.defined()) g = r;
  }
  bool create_graph = GradMode::is_enabled();
  if (!m.grad.defined()) {
    // The new .grad must not alias a buffer the graph (or the user) may still write to.
    bool exclusive = g.impl_ptr().use_count() <= 2 && g.impl()->storage().use_count() == 1 &&
                     g.is_contiguous();
    m.grad = create_graph ? g : (exclusive ? detach(g) : clone(detach(g)));
  } else if (create_graph) {
    m.grad = add(m.grad, g);
  } else {
    add_(m.grad, g);
  }
  return {};
}

}  // namespace cresset::autograd
