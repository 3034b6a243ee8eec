#pragma once
// The autograd state of a tensor (see Note [Autograd graph]); the core stores it opaquely in
// TensorImpl::autograd_meta and only tensors that take part in autograd have one.
#include <functional>
#include <memory>
#include <vector>

#include "cresset/autograd/node.h"

namespace cresset::autograd {

/// A tensor hook (Tensor.register_hook): may return a replacement gradient (undefined: keep).
using TensorHook = std::function<Tensor(const Tensor& grad)>;
/// A post-accumulate-grad hook (Tensor.register_post_accumulate_grad_hook): called with the leaf
/// once AccumulateGrad has written its .grad.
using PostAccumulateHook = std::function<void(const Tensor& leaf)>;

/// How a tracked view was made; in-place ops on some kinds are refused, like torch's.
enum class ViewCreation : uint8_t { Default, NoGradMode, MultipleOutputs, InferenceMode };

struct AutogradMeta final : AutogradMetaBase {
  Tensor grad;                           // .grad of a leaf, or of a non-leaf that retains grad
  std::shared_ptr<Node> grad_fn;         // the node that made this tensor; null for leaves
  std::weak_ptr<Node> grad_accumulator;  // the AccumulateGrad of a leaf, while a graph uses it
  std::shared_ptr<Node> kept_accumulator;  // the same, kept between graphs (Note [Kept accumulator])
  uint32_t output_nr = 0;                // which output of grad_fn this tensor is
  bool retains_grad = false;
  std::vector<std::pair<int, TensorHook>> hooks;  // (handle id, hook), run in order
  std::vector<std::pair<int, PostAccumulateHook>> post_accumulate_hooks;  // likewise, for leaves
  // A view of a tensor that requires grad (see Note [In-place on views], ops/view_autograd.cpp):
  Tensor view_base;                      // its base (never itself a view)
  uint32_t view_version = 0;             // the storage version grad_fn was set at
  ViewCreation view_creation = ViewCreation::Default;
};

/// The tensor's AutogradMeta, or null.
AutogradMeta* meta(const Tensor& t);
/// The tensor's AutogradMeta, created when missing.
AutogradMeta& ensure_meta(const Tensor& t);

/// True when `t` takes part in the graph: a leaf with requires_grad, or an op result with grad_fn.
inline bool requires_grad(const Tensor& t) { return t.defined() && t.requires_grad(); }
/// The node that made `t`, or null.
std::shared_ptr<Node> grad_fn(const Tensor& t);
/// True for tensors without grad_fn.
inline bool is_leaf(const Tensor& t) { return grad_fn(t) == nullptr; }

/// Where gradients for `t` go: (grad_fn, output_nr), or the leaf's AccumulateGrad.
Edge gradient_edge(const Tensor& t);
/// The (cached) AccumulateGrad node of a leaf that requires grad.
std::shared_ptr<Node> grad_accumulator(const Tensor& t);
/// Stops keeping `node` between graphs when it is a leaf's AccumulateGrad (a hook is being added
/// to it, so it must die with the graphs that use it, as in torch).
void stop_keeping_accumulator(Node& node);

/// Tensor.requires_grad_ / the requires_grad setter: leaves only, floating dtypes only.
void set_requires_grad(const Tensor& t, bool requires_grad);

/// Makes `result` an output of `node`: records its metadata, sets grad_fn and requires_grad.
void set_history(const Tensor& result, const std::shared_ptr<Node>& node);

}  // namespace cresset::autograd
