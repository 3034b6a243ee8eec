#include "cresset/autograd/param_grad.h"

#include "cresset/autograd/autograd_meta.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/view.h"

namespace cresset::autograd {

void reset_grad(const Tensor& t, bool set_to_none) {
  AutogradMeta* m = meta(t);
  if (!m || !m->grad.defined()) return;
  if (set_to_none) {
    m->grad = Tensor();
    return;
  }
  if (grad_fn(m->grad)) {
    detach_(m->grad);
  } else {
    m->grad.impl()->set_requires_grad(false);
  }
  zero_(m->grad);
}

}  // namespace cresset::autograd
