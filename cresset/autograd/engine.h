#pragma once
// The backward engine (see Note [Autograd graph]).
#include <optional>
#include <string>

#include "cresset/autograd/node.h"

namespace cresset::autograd {

/// Tensor.backward / torch.autograd.backward: accumulates d(roots)/d(leaf) into the .grad of the
/// leaves (or only of `inputs` when given). `grad_roots[i]` may be undefined for a scalar root.
void backward(const TensorList& roots, const TensorList& grad_roots, bool keep_graph,
              bool create_graph, const TensorList& inputs = {});

/// torch.autograd.grad: the gradients of `outputs` with respect to `inputs`, without touching
/// .grad. An unused input gives an undefined Tensor when allow_unused, else RuntimeError.
TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                bool keep_graph, bool create_graph, bool allow_unused);

/// torch::autograd::grad with libtorch's defaults: no grad_outputs (scalar outputs), retain_graph
/// defaults to create_graph.
TensorList grad(const TensorList& outputs, const TensorList& inputs,
                const TensorList& grad_outputs = {}, std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false, bool allow_unused = false);

/// Anomaly mode (torch.autograd.set_detect_anomaly): nodes record their forward trace and a
/// backward that produces NaN raises, naming the node and the forward trace.
struct AnomalyMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

/// The Python traceback of the current forward call, for anomaly mode; the Python bindings
/// install the provider (C++ programs have none and record nothing).
std::string current_forward_trace();
void set_forward_trace_provider(std::string (*provider)());

/// Sums `grad` over the dims it was broadcast along so it has `shape` (expand's backward).
Tensor sum_to(const Tensor& grad, const DimVector& shape);

}  // namespace cresset::autograd
