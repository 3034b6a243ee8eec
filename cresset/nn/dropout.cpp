// The dropout family, written as torch's _dropout_impl: a Bernoulli(1 - p) noise tensor (one draw
// per element, or per channel for feature dropout), scaled, then multiplied into the input
// (MulBackward0, AddBackward0 for the alpha variants, as in torch).
#include "cresset/nn/dropout.h"

#include <cmath>

#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

Tensor dropout_impl(const char* op, const Tensor& input, double p, bool train, Generator* gen,
                    bool feature, bool alpha, bool inplace) {
  CRESSET_CHECK(p >= 0 && p <= 1, RuntimeError, "[", op,
                "] dropout probability has to be between 0 and 1, but got ", p);
  if (p == 0 || !train || input.numel() == 0) return input;
  auto multiply = [&](const Tensor& noise) {
    return inplace ? mul_(input, noise) : mul(input, noise);
  };
  if (p == 1) return multiply(zeros({}, input.dtype(), input.device()));
  DimVector shape = input.sizes();
  if (feature) {
    CRESSET_CHECK(input.dim() >= 2, RuntimeError, "[", op,
                  "] Feature dropout requires at least 2 dimensions in the input");
    for (size_t d = 2; d < shape.size(); ++d) shape[d] = 1;
  }
  Tensor noise = bernoulli_(empty_tensor(shape, input.dtype(), input.device()), 1 - p, gen);
  if (!alpha) return multiply(mul_(noise, wrapped_scalar(Scalar(1 / (1 - p)))));
  // SELU's negative saturation value -alpha * scale, and the affine map a * x + b that restores
  // zero mean and unit variance.
  constexpr double kAlpha = 1.7580993408473766;
  double a = 1 / std::sqrt((kAlpha * kAlpha * p + 1) * (1 - p));
  Tensor b = add(mul(sub(noise, wrapped_scalar(Scalar(1))), wrapped_scalar(Scalar(kAlpha * a))),
                 wrapped_scalar(Scalar(kAlpha * a * p)));
  mul_(noise, wrapped_scalar(Scalar(a)));
  return add_(multiply(noise), b);
}

}  // namespace

Tensor dropout(const Tensor& input, double p, bool train, Generator* gen) {
  return dropout_impl("dropout", input, p, train, gen, false, false, false);
}
Tensor dropout_(const Tensor& input, double p, bool train, Generator* gen) {
  return dropout_impl("dropout_", input, p, train, gen, false, false, true);
}
Tensor feature_dropout(const Tensor& input, double p, bool train, Generator* gen) {
  return dropout_impl("feature_dropout", input, p, train, gen, true, false, false);
}
Tensor feature_dropout_(const Tensor& input, double p, bool train, Generator* gen) {
  return dropout_impl("feature_dropout_", input, p, train, gen, true, false, true);
}
Tensor alpha_dropout(const Tensor& input, double p, bool train, Generator* gen) {
  return dropout_impl("alpha_dropout", input, p, train, gen, false, true, false);
}
Tensor alpha_dropout_(const Tensor& input, double p, bool train, Generator* gen) {
  return dropout_impl("alpha_dropout_", input, p, train, gen, false, true, true);
}
Tensor feature_alpha_dropout(const Tensor& input, double p, bool train, Generator* gen) {
  return dropout_impl("feature_alpha_dropout", input, p, train, gen, true, true, false);
}
Tensor feature_alpha_dropout_(const Tensor& input, double p, bool train, Generator* gen) {
  return dropout_impl("feature_alpha_dropout_", input, p, train, gen, true, true, true);
}

}  // namespace cresset
