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
  InputMetadata& m = input_metadata_.emplace_back();
  m.shape = t.sizes();
  m.dtype = t.dtype();
  m.device = t.device();
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

// Note [Iterative node deletion]
// Destroying a node drops its edges, which may destroy the nodes behind it, and so on: recursion
// as deep as the graph (a 100,000-op chain would overflow the stack). Instead, the outermost dying
// node on a thread moves its edges' references into a local list and drops them one at a time;
// every node dying meanwhile moves its own edges into that same list (found through a
// thread-local pointer, plain data: no guard, no exit-time destructor). A node that holds no
// producer's last reference frees nothing behind it, so the common case builds no list.
namespace {
using PendingList = InlineVector<std::shared_ptr<Node>, 8>;
thread_local PendingList* t_pending = nullptr;

// True when dropping `edges` frees a producer: all its references are among them (x + x holds
// one producer twice). Long lists are not searched.
bool frees_producer(const EdgeList& edges) {
  if (edges.size() > 4) return true;
  for (const Edge& e : edges) {
    if (!e.fn) continue;
    long ours = 0;
    for (const Edge& o : edges) ours += o.fn == e.fn;
    if (e.fn.use_count() <= ours) return true;
  }
  return false;
}
}  // namespace

Node::~Node() {
  PendingList*& pending = t_pending;
  if (pending != nullptr) {
    for (Edge& e : next_edges_) {
      if (e.fn) pending->push_back(std::move(e.fn));
    }
    return;
  }
  if (!frees_producer(next_edges_)) return;
  PendingList list;
  for (Edge& e : next_edges_) {
    if (e.fn) list.push_back(std::move(e.fn));
  }
  pending = &list;
  while (!list.empty()) {
    std::shared_ptr<Node> last = std::move(list.back());
    list.resize(list.size() - 1);
    last.reset();  // may push more
  }
  pending = nullptr;
}

}  // namespace cresset::autograd
