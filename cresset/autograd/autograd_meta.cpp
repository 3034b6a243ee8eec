#include "cresset/autograd/autograd_meta.h"

#include "cresset/autograd/accumulate_grad.h"
#include "cresset/autograd/retain_grad.h"
#include "cresset/core/error.h"
#include "cresset/ops/view_autograd.h"

namespace cresset::autograd {

AutogradMeta* meta(const Tensor& t) {
  return static_cast<AutogradMeta*>(t.impl()->autograd_meta());
}

AutogradMeta& ensure_meta(const Tensor& t) {
  if (!t.impl()->autograd_meta()) t.impl()->set_autograd_meta(std::make_unique<AutogradMeta>());
  return *meta(t);
}

namespace {
// A view's grad_fn is stale once its storage was modified in place since it was set (see Note
// [In-place on views] in ops/view_autograd.cpp).
void refresh_if_view(const Tensor& t, const AutogradMeta* m) {
  if (m->view_base.defined() && m->view_version != t.impl()->storage()->version()) {
    refresh_view_grad_fn(t);
  }
}
}  // namespace

std::shared_ptr<Node> grad_fn(const Tensor& t) {
  AutogradMeta* m = meta(t);
  if (!m) return nullptr;
  refresh_if_view(t, m);
  return m->grad_fn;
}

// Note [Kept accumulator]
// torch's leaf holds its AccumulateGrad weakly, so each graph that dies takes the node with it
// and the next op on the leaf builds a new one: two heap nodes per recorded op on leaves. We keep
// it instead, and reuse it when no graph holds it only if it is indistinguishable from a fresh
// one: no hooks (a node that gets a hook is no longer kept, see stop_keeping_accumulator) and the
// leaf's current metadata. The node holds its leaf weakly, so keeping it makes no cycle.
std::shared_ptr<Node> grad_accumulator(const Tensor& t) {
  AutogradMeta& m = ensure_meta(t);
  if (Node* kept = m.kept_accumulator.get()) {
    // Held elsewhere too (a graph, Python): torch's weak reference would still find it.
    if (m.kept_accumulator.use_count() > 1) return m.kept_accumulator;
    if (kept->pre_hooks().empty() && kept->post_hooks().empty()) {
      kept->reset_input_metadata(t);
      return m.kept_accumulator;
    }
  } else if (std::shared_ptr<Node> acc = m.grad_accumulator.lock()) {
    return acc;
  }
  std::shared_ptr<Node> acc = make_node<AccumulateGrad>(t);
  m.grad_accumulator = acc;
  m.kept_accumulator = acc;
  return acc;
}

void stop_keeping_accumulator(Node& node) {
  auto* acc = dynamic_cast<AccumulateGrad*>(&node);
  if (!acc) return;
  Tensor leaf = acc->variable();
  AutogradMeta* m = leaf.defined() ? meta(leaf) : nullptr;
  if (m && m->kept_accumulator.get() == acc) m->kept_accumulator = nullptr;
}

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* m = meta(t);
  if (m) refresh_if_view(t, m);
  if (m && m->grad_fn) return {m->grad_fn, m->output_nr};
  // A view made in inference mode requires grad but, as in torch, gradients stop there.
  if (m && m->view_creation == ViewCreation::InferenceMode) return {};
  if (t.requires_grad()) return {grad_accumulator(t), 0};
  return {};
}

void set_history(const Tensor& result, const std::shared_ptr<Node>& node) {
  AutogradMeta& m = ensure_meta(result);
  m.output_nr = node->add_input_metadata(result);
  m.grad_fn = node;
  result.impl()->set_requires_grad(true);
  if (m.retains_grad) install_retain_grad_hook(result);  // torch moves it to the new grad_fn
}

}  // namespace cresset::autograd
