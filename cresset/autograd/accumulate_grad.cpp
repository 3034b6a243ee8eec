#include "cresset/autograd/accumulate_grad.h"

#include "cresset/autograd/autograd_meta.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/index.h"
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
    // The new .grad must not alias a buffer the graph (or the user) may still write to, and it
    // follows torch's layout contract: the leaf's strides when the leaf is dense, contiguous
    // otherwise (a transposed mm result stored as is would make every optimizer step strided).
    // With create_graph it is always a recorded copy, as torch's: into the leaf's strides
    // (CopyBackwards) when the leaf is dense, else a contiguous clone (CloneBackward0).
    bool exclusive = g.impl_ptr().use_count() <= 2 && g.impl()->storage().use_count() == 1;
    bool obeys_layout = leaf.is_contiguous() ? g.is_contiguous() : g.strides() == leaf.strides();
    if (create_graph && !is_non_overlapping_and_dense(leaf.sizes(), leaf.strides())) {
      m.grad = clone(g, MemoryFormat::Contiguous);
    } else if (!create_graph && exclusive && obeys_layout) {
      m.grad = detach(g);
    } else {
      m.grad = empty_like(leaf, g.dtype(), g.device());
      copy_(m.grad, g);
    }
  } else if (create_graph) {
    m.grad = add(m.grad, g);
  } else {
    add_(m.grad, g);
  }
  if (!m.post_accumulate_hooks.empty()) {
    auto hooks = m.post_accumulate_hooks;  // a copy: a hook may remove itself
    for (auto& [id, hook] : hooks) hook(leaf);
  }
  return {};
}

}  // namespace cresset::autograd
