#pragma once
// Note [Autograd graph]
// Every differentiable op whose inputs require grad creates a Node: the backward of that op. A
// Node maps the gradients of its forward outputs ("inputs" of the node, in torch's wording) to the
// gradients of its forward inputs, which flow along `next_edges` to the nodes that produced those
// inputs (or to an AccumulateGrad node for a leaf). Tensors point at their node (grad_fn); nodes
// point only backwards, at their producers, so the graph dies with the last tensor that refers to
// it and never forms a cycle (outputs a node needs are saved without their grad_fn, see
// SavedVariable). The engine (engine.cpp) walks the graph from the roots in reverse creation
// order (sequence numbers), iteratively.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cresset/autograd/inline_vector.h"
#include "cresset/core/tensor.h"

namespace cresset::autograd {

class Node;
using TensorList = std::vector<Tensor>;

/// Where a gradient goes: input `input_nr` of node `fn` (null fn: nowhere).
struct Edge {
  std::shared_ptr<Node> fn;
  uint32_t input_nr = 0;
  bool valid() const { return fn != nullptr; }
};

/// What a node's input (a forward output) looked like, to validate and cast incoming gradients
/// and to make zeros for outputs that got no gradient.
struct InputMetadata {
  DimVector shape;
  DType dtype = DType::Float32;
  Device device;
};

/// A hook on a node's incoming or outgoing gradients (Node.register_hook / register_prehook).
using NodeHook = std::function<TensorList(const TensorList& grads_in, const TensorList& grads_out)>;
using NodePreHook = std::function<TensorList(const TensorList& grads)>;

/// A node's outgoing edges (most ops have one or two inputs) and its forward outputs (mostly one).
using EdgeList = InlineVector<Edge, 2>;
using InputMetadataList = InlineVector<InputMetadata, 1>;

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node();
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// torch's name for the node, e.g. "MulBackward0".
  virtual std::string name() const = 0;
  /// Gradients of the forward inputs from the gradients of the forward outputs. An undefined
  /// Tensor means "no gradient" (zero).
  virtual TensorList apply(TensorList&& grads) = 0;
  /// Frees saved tensors (after a backward without retain_graph).
  virtual void release_saved() {}
  /// True once release_saved ran; applying then raises torch's "backward a second time" error.
  bool released() const { return released_; }

  const EdgeList& next_edges() const { return next_edges_; }
  EdgeList& mutable_next_edges() { return next_edges_; }
  const InputMetadataList& input_metadata() const { return input_metadata_; }
  /// Registers a forward output; returns its index (the output_nr of that tensor).
  uint32_t add_input_metadata(const Tensor& t);
  /// Makes `t` the node's only forward output (a reused AccumulateGrad, see autograd_meta.cpp).
  void reset_input_metadata(const Tensor& t);
  uint64_t sequence_nr() const { return sequence_nr_; }

  /// Hooks with their handle ids (RemovableHandle.remove erases by id).
  std::vector<std::pair<int, NodePreHook>>& pre_hooks() { return pre_hooks_; }
  std::vector<std::pair<int, NodeHook>>& post_hooks() { return post_hooks_; }
  /// retain_grad's hooks: they run after every other pre-hook, so .grad sees hooked gradients.
  std::vector<NodePreHook>& retain_grad_hooks() { return retain_grad_hooks_; }

  /// Python traceback of the forward call, recorded in anomaly mode.
  const std::string& forward_trace() const { return forward_trace_; }
  void set_forward_trace(std::string t) { forward_trace_ = std::move(t); }

  /// Runs apply with the pre/post hooks and the released-graph check (what the engine calls).
  TensorList call(TensorList&& grads);

 protected:
  void mark_released() { released_ = true; }

 private:
  EdgeList next_edges_;
  InputMetadataList input_metadata_;
  std::vector<std::pair<int, NodePreHook>> pre_hooks_;
  std::vector<std::pair<int, NodeHook>> post_hooks_;
  std::vector<NodePreHook> retain_grad_hooks_;
  std::string forward_trace_;
  uint64_t sequence_nr_;
  bool released_ = false;
};

/// A fresh id for a hook handle.
int next_hook_id();

/// Creates a node (one allocation with its control block). Long chains are freed iteratively
/// (see Note [Iterative node deletion]).
template <typename T, typename... Args>
std::shared_ptr<T> make_node(Args&&... args) {
  return std::make_shared<T>(std::forward<Args>(args)...);
}

}  // namespace cresset::autograd
