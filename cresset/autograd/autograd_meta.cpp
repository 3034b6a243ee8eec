#include "cresset/autograd/autograd_meta.h"

#include "cresset/autograd/accumulate_grad.h"
#include "cresset/core/error.h"

namespace cresset::autograd {

AutogradMeta* meta(const Tensor& t) {
  return static_cast<AutogradMeta*>(t.impl()->autograd_meta());
}

AutogradMeta& ensure_meta(const Tensor& t) {
  if (!t.impl()->autograd_meta()) t.impl()->set_autograd_meta(std::make_unique<AutogradMeta>());
  return *meta(t);
}

std::shared_ptr<Node> grad_fn(const Tensor& t) {
  AutogradMeta* m = meta(t);
  return m ? m->grad_fn : nullptr;
}

std::shared_ptr<Node> grad_accumulator(const Tensor& t) {
  AutogradMeta& m = ensure_meta(t);
  std::shared_ptr<Node> acc = m.grad_accumulator.lock();
  if (!acc) {
    acc = make_node<AccumulateGrad>(t);
    m.grad_accumulator = acc;
  }
  return acc;
}

Edge gradient_edge(const Tensor& t) {
  if (AutogradMeta* m = meta(t); m && m->grad_fn) return {m->grad_fn, m->output_nr};
  if (t.requires_grad()) return {grad_accumulator(t), 0};
  return {};
}

void set_history(const Tensor& result, const std::shared_ptr<Node>& node) {
  AutogradMeta& m = ensure_meta(result);
  m.output_nr = node->add_input_metadata(result);
  m.grad_fn = node;
  result.impl()->set_requires_grad(true);
}

}  // namespace cresset::autograd
