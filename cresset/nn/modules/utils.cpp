#include "cresset/nn/modules/utils.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cresset/autograd/grad_mode.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset::nn::utils {

namespace {

// A double as Python's repr prints it (2.0, 0.5, inf): the shortest form that reads back.
std::string python_float(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  if (v == std::floor(v) && std::abs(v) < 1e16) return str_cat(int64_t(v), ".0");
  char buf[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace

Tensor get_total_norm(const std::vector<Tensor>& tensors, double norm_type,
                      bool error_if_nonfinite) {
  autograd::AutoGradMode no_grad(false);
  if (tensors.empty()) return zeros({}, default_dtype());
  std::vector<Tensor> norms;
  norms.reserve(tensors.size());
  for (const Tensor& t : tensors) norms.push_back(norm(t, norm_type));
  Tensor total = norm(stack(norms), norm_type);
  // torch's message word for word (no "[op]" prefix): Python's clip_grad_norm_ raises this one.
  CRESSET_CHECK(!error_if_nonfinite || std::isfinite(item_scalar(total).to_double()), RuntimeError,
                "The total norm of order ", python_float(norm_type),
                " for gradients from `parameters` is non-finite, so it cannot be clipped. To "
                "disable this error and scale the gradients by the non-finite norm anyway, set "
                "`error_if_nonfinite=False`");
  return total;
}

void clip_grads_with_norm_(const std::vector<Tensor>& grads, double max_norm,
                           const Tensor& total_norm) {
  autograd::AutoGradMode no_grad(false);
  if (grads.empty()) return;
  // Multiplying by the clamped coefficient (even 1) avoids reading total back on the host.
  Tensor coef = clamp(div(wrapped_scalar(max_norm), add(total_norm, wrapped_scalar(1e-6))),
                      std::nullopt, Scalar(1.0));
  for (const Tensor& g : grads) mul_(g, coef);
}

Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters) {
    Tensor g = p.grad();
    if (g.defined()) grads.push_back(g);
  }
  Tensor total = get_total_norm(grads, norm_type, error_if_nonfinite);
  clip_grads_with_norm_(grads, max_norm, total);
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
