#include "cresset/autograd/engine.h"

#include <algorithm>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "cresset/autograd/accumulate_grad.h"
#include "cresset/autograd/autograd_meta.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset::autograd {

namespace {

std::atomic<bool> g_anomaly{false};

struct Capture {
  Node* node;
  uint32_t input_nr;
  size_t index;  // position in the caller's inputs list
};

// One run of the engine over the graph reachable from `root_edges`.
class GraphTask {
 public:
  GraphTask(const std::vector<Edge>& roots, const TensorList& root_grads, bool keep_graph,
            const std::vector<Edge>* targets, bool run_accumulators)
      : keep_graph_(keep_graph), run_accumulators_(run_accumulators) {
    discover(roots, targets);
    for (size_t i = 0; i < roots.size(); ++i) {
      if (roots[i].valid() && visit_.count(roots[i].fn.get())) {
        add_grad(roots[i].fn.get(), roots[i].input_nr, root_grads[i]);
      }
    }
    if (targets) {
      for (size_t i = 0; i < targets->size(); ++i) {
        const Edge& e = (*targets)[i];
        if (e.valid()) captures_.push_back({e.fn.get(), e.input_nr, i});
      }
      captured_.resize(targets->size());
    }
  }

  void run() {
    auto cmp = [](Node* a, Node* b) { return priority(a) < priority(b); };
    std::priority_queue<Node*, std::vector<Node*>, decltype(cmp)> ready(cmp);
    for (Node* n : visit_) {
      if (deps_[n] == 0) ready.push(n);
    }
    while (!ready.empty()) {
      Node* node = ready.top();
      ready.pop();
      TensorList grads = std::move(buffers_[node]);
      buffers_.erase(node);
      for (const Capture& c : captures_) {
        if (c.node == node) captured_[c.index] = capture(node, grads, c.input_nr);
      }
      if (!execute_.count(node)) continue;
      TensorList out = call(node, std::move(grads));
      const auto& edges = node->next_edges();
      for (size_t i = 0; i < edges.size(); ++i) {
        Node* next = edges[i].fn.get();
        if (!next || !visit_.count(next)) continue;
        if (i < out.size() && out[i].defined()) add_grad(next, edges[i].input_nr, out[i]);
        if (--deps_[next] == 0) ready.push(next);
      }
    }
  }

  const TensorList& captured() const { return captured_; }

 private:
  static uint64_t priority(Node* n) {
    // Leaves' accumulators run as soon as they are ready; other nodes in reverse creation order.
    return dynamic_cast<AccumulateGrad*>(n) ? UINT64_MAX : n->sequence_nr();
  }

  // Finds every node reachable from the roots (iteratively), which of them must execute (all
  // of them, or with targets only those on a path to a target) and their dependency counts.
  void discover(const std::vector<Edge>& roots, const std::vector<Edge>* targets) {
    std::vector<Node*> order;  // DFS post-order
    std::unordered_set<Node*> seen;
    std::vector<std::pair<Node*, size_t>> stack;
    for (const Edge& r : roots) {
      if (!r.valid() || !seen.insert(r.fn.get()).second) continue;
      stack.push_back({r.fn.get(), 0});
      while (!stack.empty()) {
        auto& [node, child] = stack.back();
        const auto& edges = node->next_edges();
        if (child < edges.size()) {
          Node* next = edges[child++].fn.get();
          if (next && seen.insert(next).second) stack.push_back({next, 0});
        } else {
          order.push_back(node);
          stack.pop_back();
        }
      }
    }
    std::unordered_set<Node*> target_nodes;
    if (targets) {
      for (const Edge& e : *targets) {
        if (e.valid()) target_nodes.insert(e.fn.get());
      }
    }
    // Post-order visits successors first, so one pass decides what must run.
    for (Node* node : order) {
      bool is_acc = dynamic_cast<AccumulateGrad*>(node) != nullptr;
      bool run;
      if (!targets) {
        run = true;
      } else {
        run = is_acc && run_accumulators_ && target_nodes.count(node);
        for (const Edge& e : node->next_edges()) {
          if (e.fn && (visit_.count(e.fn.get()))) run = true;
        }
        if (is_acc && !run_accumulators_) run = false;
      }
      if (run) execute_.insert(node);
      if (run || target_nodes.count(node)) visit_.insert(node);
    }
    for (Node* node : visit_) {
      deps_.emplace(node, 0);
      if (!execute_.count(node)) continue;
      for (const Edge& e : node->next_edges()) {
        if (e.fn && visit_.count(e.fn.get())) ++deps_[e.fn.get()];
      }
    }
  }

  void add_grad(Node* node, uint32_t input_nr, const Tensor& grad) {
    TensorList& buf = buffers_[node];
    if (buf.size() < node->input_metadata().size()) buf.resize(node->input_metadata().size());
    Tensor g = validate(node, input_nr, grad);
    Tensor& slot = buf[input_nr];
    slot = slot.defined() ? add(slot, g) : g;
  }

  // Casts and reduces an incoming gradient to what the node's input looked like in forward.
  static Tensor validate(Node* node, uint32_t input_nr, Tensor grad) {
    const InputMetadata& md = node->input_metadata()[input_nr];
    if (grad.sizes() != md.shape) {
      DimVector b;
      bool ok = true;
      try {
        b = broadcast_shapes(md.shape, grad.sizes());
      } catch (const RuntimeError&) {
        ok = false;
      }
      CRESSET_CHECK(ok && b == grad.sizes(), RuntimeError, "Function ", node->name(),
                    " received an invalid gradient at index ", input_nr, " - got ",
                    shape_str(grad.sizes()), " but expected shape compatible with ",
                    shape_str(md.shape));
      grad = sum_to(grad, md.shape);
    }
    if (grad.dtype() != md.dtype) grad = cast_tensor(grad, md.dtype);
    return grad;
  }

  Tensor capture(Node* node, TensorList& grads, uint32_t input_nr) {
    if (input_nr >= grads.size()) return Tensor();
    Tensor g = grads[input_nr];
    // A leaf's own tensor hooks apply to what autograd.grad returns, as in torch.
    if (auto* acc = dynamic_cast<AccumulateGrad*>(node); acc && g.defined()) {
      Tensor leaf = acc->variable();
      if (AutogradMeta* m = leaf.defined() ? meta(leaf) : nullptr) {
        for (auto& [id, hook] : m->hooks) {
          Tensor r = hook(g);
          if (r.defined()) g = r;
        }
      }
    }
    return g;
  }

  TensorList call(Node* node, TensorList&& grads) {
    const auto& md = node->input_metadata();
    grads.resize(md.size());
    // All-zero gradients in: all-zero out, without running the node. Otherwise missing ones are
    // materialised as zeros so every backward formula sees defined tensors.
    if (std::none_of(grads.begin(), grads.end(), [](const Tensor& g) { return g.defined(); })) {
      if (!keep_graph_) node->release_saved();
      return {};
    }
    for (size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined()) grads[i] = zeros(md[i].shape, md[i].dtype, md[i].device);
    }
    TensorList out = node->call(std::move(grads));
    if (!keep_graph_) node->release_saved();
    if (AnomalyMode::is_enabled()) check_nan(node, out);
    return out;
  }

  static void check_nan(Node* node, const TensorList& out) {
    for (size_t i = 0; i < out.size(); ++i) {
      if (!out[i].defined() || !out[i].is_floating_point()) continue;
      Tensor c = contiguous(cast_tensor(out[i], DType::Float64));
      const double* p = c.data<double>();
      for (int64_t k = 0; k < c.numel(); ++k) {
        CRESSET_CHECK(p[k] == p[k], RuntimeError, "Function '", node->name(),
                      "' returned nan values in its ", i, "th output.",
                      node->forward_trace().empty()
                          ? std::string()
                          : "\nTraceback of forward call that caused the error:\n" +
                                node->forward_trace());
      }
    }
  }

  bool keep_graph_;
  bool run_accumulators_;
  std::unordered_set<Node*> visit_;
  std::unordered_set<Node*> execute_;
  std::unordered_map<Node*, int> deps_;
  std::unordered_map<Node*, TensorList> buffers_;
  std::vector<Capture> captures_;
  TensorList captured_;
};

std::vector<Edge> root_edges(const TensorList& roots, const char* api) {
  std::vector<Edge> edges;
  for (size_t i = 0; i < roots.size(); ++i) {
    Edge e = gradient_edge(roots[i]);
    CRESSET_CHECK(e.valid(), RuntimeError, "element ", i,
                  " of tensors does not require grad and does not have a grad_fn");
    (void)api;
    edges.push_back(e);
  }
  return edges;
}

TensorList root_grads(const TensorList& roots, const TensorList& given, bool create_graph) {
  TensorList grads;
  for (size_t i = 0; i < roots.size(); ++i) {
    Tensor g = i < given.size() ? given[i] : Tensor();
    if (!g.defined()) {
      CRESSET_CHECK(roots[i].numel() == 1, RuntimeError,
                    "grad can be implicitly created only for scalar outputs");
      g = ones(roots[i].sizes(), roots[i].dtype(), roots[i].device());
    } else {
      CRESSET_CHECK(g.sizes() == roots[i].sizes() || g.numel() == roots[i].numel(), RuntimeError,
                    "Mismatch in shape: grad_output[", i, "] has a shape of ",
                    shape_str(g.sizes()), " and output[", i, "] has a shape of ",
                    shape_str(roots[i].sizes()), ".");
      if (g.sizes() != roots[i].sizes()) g = reshape(g, roots[i].sizes());
      if (!create_graph) g = detach(g);
    }
    grads.push_back(g);
  }
  return grads;
}

}  // namespace

namespace {
std::string (*g_trace_provider)() = nullptr;
}

std::string current_forward_trace() { return g_trace_provider ? g_trace_provider() : std::string(); }
void set_forward_trace_provider(std::string (*provider)()) { g_trace_provider = provider; }

bool AnomalyMode::is_enabled() { return g_anomaly.load(); }
void AnomalyMode::set_enabled(bool enabled) { g_anomaly.store(enabled); }

Tensor sum_to(const Tensor& grad, const DimVector& shape) {
  if (grad.sizes() == shape) return grad;
  int64_t lead = grad.dim() - int64_t(shape.size());
  DimVector dims;
  for (int64_t d = 0; d < grad.dim(); ++d) {
    if (d < lead || (shape[d - lead] == 1 && grad.sizes()[d] != 1)) dims.push_back(d);
  }
  Tensor r = dims.empty() ? grad : sum(grad, dims, /*keepdim=*/true);
  return lead > 0 || r.sizes() != shape ? reshape(r, shape) : r;
}

void backward(const TensorList& roots, const TensorList& grad_roots, bool keep_graph,
              bool create_graph, const TensorList& inputs) {
  std::vector<Edge> edges = root_edges(roots, "backward");
  TensorList grads = root_grads(roots, grad_roots, create_graph);
  AutoGradMode mode(create_graph);
  if (inputs.empty()) {
    GraphTask(edges, grads, keep_graph, nullptr, true).run();
    return;
  }
  std::vector<Edge> targets;
  for (const Tensor& t : inputs) {
    Edge e = gradient_edge(t);
    CRESSET_CHECK(e.valid(), RuntimeError, "One of the differentiated Tensors does not require grad");
    targets.push_back(e);
  }
  GraphTask task(edges, grads, keep_graph, &targets, true);
  task.run();
  // Non-leaf inputs get their gradient in .grad too (leaves went through AccumulateGrad).
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (is_leaf(inputs[i]) || !task.captured()[i].defined()) continue;
    AutogradMeta& m = ensure_meta(inputs[i]);
    m.grad = m.grad.defined() ? add(m.grad, task.captured()[i]) : detach(task.captured()[i]);
  }
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                bool keep_graph, bool create_graph, bool allow_unused) {
  std::vector<Edge> edges = root_edges(outputs, "grad");
  TensorList grads = root_grads(outputs, grad_outputs, create_graph);
  std::vector<Edge> targets;
  for (const Tensor& t : inputs) {
    Edge e = gradient_edge(t);
    CRESSET_CHECK(e.valid(), RuntimeError, "One of the differentiated Tensors does not require grad");
    targets.push_back(e);
  }
  AutoGradMode mode(create_graph);
  GraphTask task(edges, grads, keep_graph, &targets, false);
  task.run();
  TensorList result = task.captured();
  for (size_t i = 0; i < result.size(); ++i) {
    CRESSET_CHECK(result[i].defined() || allow_unused, RuntimeError,
                  "One of the differentiated Tensors appears to not have been used in the graph. "
                  "Set allow_unused=True if this is the desired behavior.");
    if (result[i].defined() && !create_graph) result[i] = detach(result[i]);
  }
  return result;
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
  return grad(outputs, inputs, grad_outputs, retain_graph.value_or(create_graph), create_graph,
              allow_unused);
}

}  // namespace cresset::autograd
