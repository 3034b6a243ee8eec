#include "cresset/nn/modules/utils.h"

#include <cmath>

#include "cresset/autograd/grad_mode.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset::nn::utils {

Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  autograd::AutoGradMode no_grad(false);
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters) {
    Tensor g = p.grad();
    if (g.defined()) grads.push_back(g);
  }
  if (grads.empty()) return zeros({}, default_dtype());
  std::vector<Tensor> norms;
  norms.reserve(grads.size());
  for (const Tensor& g : grads) norms.push_back(norm(g, norm_type));
  Tensor total = norm(stack(norms), norm_type);
  CRESSET_CHECK(!error_if_nonfinite || std::isfinite(item_scalar(total).to_double()), RuntimeError,
                "[clip_grad_norm_] The total norm of order ", norm_type,
                " for gradients from `parameters` is non-finite, so it cannot be clipped. To "
                "disable this error and scale the gradients by the non-finite norm anyway, set "
                "`error_if_nonfinite=False`");
  // Multiplying by the clamped coefficient (even 1) avoids reading total back on the host.
  Tensor coef = clamp(div(wrapped_scalar(max_norm), add(total, wrapped_scalar(1e-6))), std::nullopt,
                      Scalar(1.0));
  for (const Tensor& g : grads) mul_(g, coef);
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  autograd::AutoGradMode no_grad(false);
  for (const Tensor& p : parameters) {
    Tensor g = p.grad();
    if (g.defined()) clamp_(g, Scalar(-clip_value), Scalar(clip_value));
  }
}

}  // namespace cresset::nn::utils
