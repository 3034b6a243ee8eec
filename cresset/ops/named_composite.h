#pragma once
// Note [Named composites]
// A composite op that torch differentiates through a node of its own (SincBackward0,
// LogaddexpBackward0 ...) runs its forward without recording and records that one node, whose
// backward is written in ops (so it records in turn under create_graph). The graph then has
// torch's node names and one node per call instead of one per inner op.
#include <string>

#include "cresset/autograd/function.h"

namespace cresset {

/// forward() as one autograd node `name` over `inputs`, saving `saved` for `backward`.
template <typename Forward>
Tensor named_composite(const char* name, autograd::TensorSpan inputs, autograd::TensorSpan saved,
                       const Forward& forward, autograd::BackwardFn backward) {
  bool record = false;
  for (const Tensor& t : inputs) record = record || (t.defined() && t.requires_grad());
  record = record && autograd::GradMode::is_enabled();
  if (!record) return forward();
  Tensor out;
  {
    autograd::NoGradGuard no_grad;
    out = forward();
  }
  if (is_floating(out.dtype())) {
    autograd::record(name, inputs, autograd::TensorSpan(&out, 1), saved, std::move(backward));
  }
  return out;
}

}  // namespace cresset
