// Conjugation of real tensors: cresset has no complex dtypes, so conj, conj_physical, real,
// resolve_conj and resolve_neg return self (as torch does for real tensors) and imag is torch's
// error; only the in-place conj_physical_ does something: it counts as a write, like torch's.
#include "cresset/autograd/function.h"
#include "cresset/core/error.h"
#include "cresset/ops/view.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

Tensor conj_physical_(const Tensor& self) {
  const bool grad = autograd::needs_grad({self});
  if (grad) autograd::check_inplace(self);
  self.bump_version();
  if (grad) {
    autograd::record("ConjPhysicalBackward1", {self}, {self}, {},
                     [](const autograd::Ctx& c) { return autograd::TensorList{c.grad()}; });
  }
  return self;
}

Tensor imag(const Tensor&) {
  throw RuntimeError("[imag] imag is not implemented for tensors with non-complex dtypes.");
}

}  // namespace cresset
