#pragma once
// Note [Named composites]
// A composite op that torch differentiates through a node of its own (SincBackward0,
// LogaddexpBackward0 ...) runs its forward without recording and records that one node, whose
// backward is written in ops (so it records in turn under create_graph). The graph then has
// torch's node names and one node per call instead of one per inner op. The in-place form
// (Tensor.sinc_ ...) records the same node with self as its output, as torch's does: saved
// entries that are self keep its values from before the write.
#include <string>

#include "cresset/autograd/function.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/ops/out.h"
#include "cresset/ops/view.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

/// The tensor an in-place form writes (undefined for the out-of-place form) and its op name.
struct InplaceTarget {
  Tensor self;
  const char* op = nullptr;
};

/// forward() as one autograd node `name` over `inputs`, saving `saved` for `backward`; written
/// into `target.self` (and recorded as its history) when that is defined.
template <typename Forward>
Tensor named_composite(const char* name, autograd::TensorSpan inputs, autograd::TensorSpan saved,
                       const Forward& forward, autograd::BackwardFn backward,
                       const InplaceTarget& target = {}) {
  bool record = false;
  for (const Tensor& t : inputs) record = record || (t.defined() && t.requires_grad());
  record = record && autograd::GradMode::is_enabled();
  const Tensor& self = target.self;
  if (!record && !self.defined()) return forward();
  if (record && self.defined()) autograd::check_inplace(self);
  Tensor out;
  autograd::TensorList kept;
  {
    autograd::NoGradGuard no_grad;
    out = forward();
    if (self.defined()) {
      for (const Tensor& t : saved) kept.push_back(record && t.is_same(self) ? clone(self) : t);
      out = write_inplace(target.op, self, out);
    }
  }
  if (self.defined()) saved = autograd::TensorSpan(kept);
  if (record && is_floating(out.dtype())) {
    autograd::record(name, inputs, autograd::TensorSpan(&out, 1), saved, std::move(backward));
  }
  return out;
}

}  // namespace cresset
