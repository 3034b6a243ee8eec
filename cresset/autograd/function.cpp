#include "cresset/autograd/function.h"

#include "cresset/autograd/engine.h"
#include "cresset/core/error.h"
#include "cresset/ops/view_autograd.h"

namespace cresset::autograd {

const Tensor TensorSpan::kUndefined;

bool needs_grad(std::initializer_list<TensorRef> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (TensorRef t : inputs) {
    if (t->defined() && t->requires_grad()) return true;
  }
  return false;
}

bool needs_grad(const TensorList& inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs) {
    if (t.defined() && t.requires_grad()) return true;
  }
  return false;
}

Tensor Ctx::saved(size_t i) const {
  return node_.saved()[i].unpack(std::const_pointer_cast<Node>(node_.shared_from_this()));
}

bool Ctx::needs_input_grad(size_t i) const {
  const auto& edges = node_.next_edges();
  int e = node_.edge_of_input(i);
  return e >= 0 && size_t(e) < edges.size() && edges[e].valid();
}

int FunctionNode::edge_of_input(size_t i) const {
  if (edgeless_inputs_ == 0) return int(i);
  if (i < 32 && (edgeless_inputs_ >> i & 1)) return -1;
  uint32_t before = i < 32 ? edgeless_inputs_ & ((1u << i) - 1) : edgeless_inputs_;
  return int(i) - __builtin_popcount(before);
}

TensorList FunctionNode::apply(TensorList&& grads) {
  Ctx ctx(*this, grads);
  TensorList out = fn_(ctx);
  if (edgeless_inputs_ != 0) {
    size_t kept = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (i >= 32 || !(edgeless_inputs_ >> i & 1)) out[kept++] = std::move(out[i]);
    }
    out.resize(kept);
  }
  return out;
}

void FunctionNode::release_saved() {
  for (SavedVariable& s : saved_) s.reset();
  mark_released();
}

namespace {
// An input viewing the storage that this in-place op has just written (x[1:].copy_(x[:-1])) was
// read before the write: its edge is the grad_fn it had then (torch collects edges before running
// the op), not the AsStridedBackward0 one regenerated for the write.
Edge input_edge(const Tensor& in, TensorSpan outputs) {
  const AutogradMeta* m = meta(in);
  if (m && m->grad_fn && m->view_base.defined() &&
      m->view_version + 1 == in.impl()->storage()->version()) {
    for (const Tensor& out : outputs) {
      if (out.defined() && !out.is_same(in) && out.impl()->storage() == in.impl()->storage()) {
        return {m->grad_fn, m->output_nr};
      }
    }
  }
  return gradient_edge(in);
}
}  // namespace

std::shared_ptr<FunctionNode> record(std::string name, TensorSpan inputs, TensorSpan outputs,
                                     TensorSpan saved, BackwardFn backward) {
  // An output that is a tracked view was modified in place: its base's history is rebased
  // instead (see Note [In-place on views] in ops/view_autograd.cpp). Errors come first.
  for (const Tensor& out : outputs) {
    if (!out.defined()) continue;
    track_view_written_in_place(out, inputs);
    check_inplace_on_view(out);
  }
  auto node = make_node<FunctionNode>(std::move(name), std::move(backward));
  auto& edges = node->mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor& in : inputs) {
    edges.push_back(in.defined() && in.requires_grad() ? input_edge(in, outputs) : Edge());
  }
  for (const Tensor& out : outputs) {
    if (!out.defined()) continue;
    AutogradMeta* m = meta(out);
    if (m && m->view_base.defined()) {
      TensorList in_list;
      for (const Tensor& in : inputs) in_list.push_back(in);
      rebase_view_history(out, node, in_list);
    } else {
      set_history(out, node);
    }
  }
  // Saved by position: an undefined slot stays an empty SavedVariable.
  SavedList& slots = node->saved();
  slots.resize(saved.size());
  for (size_t i = 0; i < saved.size(); ++i) {
    const Tensor& s = saved[i];
    if (!s.defined()) continue;
    bool is_output = false;
    for (const Tensor& out : outputs) is_output = is_output || s.is_same(out);
    slots[i] = SavedVariable(s, is_output);
  }
  if (AnomalyMode::is_enabled()) node->set_forward_trace(current_forward_trace());
  return node;
}

}  // namespace cresset::autograd
