#include "cresset/autograd/node.h"

#include <atomic>

#include "cresset/core/error.h"

namespace cresset::autograd {

namespace {
std::atomic<uint64_t> g_next_sequence_nr{0};
std::atomic<int> g_next_hook_id{0};
}  // namespace

int next_hook_id() { return g_next_hook_id.fetch_add(1) + 1; }

Node::Node() : sequence_nr_(g_next_sequence_nr.fetch_add(1, std::memory_order_relaxed)) {}

uint32_t Node::add_input_metadata(const Tensor& t) {
  input_metadata_.push_back({t.sizes(), t.dtype(), t.device()});
  return uint32_t(input_metadata_.size() - 1);
}

void Node::reset_input_metadata(const Tensor& t) {
  input_metadata_.resize(1);
  InputMetadata& m = input_metadata_[0];
  if (m.shape != t.sizes()) m.shape = t.sizes();
  m.dtype = t.dtype();
  m.device = t.device();
}

TensorList Node::call(TensorList&& grads) {
  CRESSET_CHECK(!released_, RuntimeError,
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or if "
                "you need to access saved tensors after calling backward. (node: ", name(), ")");
  for (auto& [id, hook] : pre_hooks_) {
    TensorList r = hook(grads);
    if (!r.empty()) grads = std::move(r);
  }
  for (auto& hook : retain_grad_hooks_) hook(grads);
  TensorList inputs_copy = post_hooks_.empty() ? TensorList() : grads;
  TensorList out = apply(std::move(grads));
  for (auto& [id, hook] : post_hooks_) {
    TensorList r = hook(out, inputs_copy);
    if (!r.empty()) out = std::move(r);
  }
  return out;
}

namespace detail {

// Note [Iterative node deletion]
// Destroying a node drops its edges and saved tensors, which may destroy the nodes behind it, and
// so on: recursion as deep as the graph. Instead, a node whose last reference dies is queued, and
// only the outermost deletion on this thread deletes; nested deletions just enqueue.
void delete_node(Node* node) {
  struct Queue {
    std::vector<Node*> nodes;
    bool draining = false;
  };
  thread_local Queue q;  // one thread-local lookup per call: every recorded op ends here
  Queue& queue = q;
  queue.nodes.push_back(node);
  if (queue.draining) return;
  queue.draining = true;
  while (!queue.nodes.empty()) {
    Node* next = queue.nodes.back();
    queue.nodes.pop_back();
    delete next;
  }
  queue.draining = false;
}

}  // namespace detail

}  // namespace cresset::autograd
