#pragma once
// Activation functions (torch.nn.functional / torch._C._nn). The pointwise ones run rows of the
// elementwise table (ops/elementwise.def), which give them fused kernels and derivatives; each
// has an in-place form name_ that returns self.
#include <string_view>

#include "cresset/core/generator.h"
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// torch._C._nn.leaky_relu: x for x > 0, else negative_slope * x.
Tensor leaky_relu(const Tensor& self, Scalar negative_slope = 0.01);
Tensor leaky_relu_(const Tensor& self, Scalar negative_slope = 0.01);
/// torch._C._nn.hardtanh: x clamped to [min_val, max_val].
Tensor hardtanh(const Tensor& self, Scalar min_val = -1, Scalar max_val = 1);
Tensor hardtanh_(const Tensor& self, Scalar min_val = -1, Scalar max_val = 1);
/// torch._C._nn.relu6: hardtanh(x, 0, 6).
Tensor relu6(const Tensor& self);
Tensor relu6_(const Tensor& self);
/// torch._C._nn.elu: scale * x for x > 0, else alpha * scale * (exp(x * input_scale) - 1).
Tensor elu(const Tensor& self, Scalar alpha = 1, Scalar scale = 1, Scalar input_scale = 1);
Tensor elu_(const Tensor& self, Scalar alpha = 1, Scalar scale = 1, Scalar input_scale = 1);
/// torch.selu: elu with the self-normalising alpha and scale.
Tensor selu(const Tensor& self);
Tensor selu_(const Tensor& self);
/// torch.celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
Tensor celu(const Tensor& self, Scalar alpha = 1);
Tensor celu_(const Tensor& self, Scalar alpha = 1);
/// torch._C._nn.gelu: x * Phi(x); approximate "tanh" uses the tanh formula.
Tensor gelu(const Tensor& self, std::string_view approximate = "none");
Tensor gelu_(const Tensor& self, std::string_view approximate = "none");
/// torch._C._nn.silu: x * sigmoid(x).
Tensor silu(const Tensor& self);
Tensor silu_(const Tensor& self);
/// torch._C._nn.mish: x * tanh(softplus(x)).
Tensor mish(const Tensor& self);
Tensor mish_(const Tensor& self);
/// torch._C._nn.hardsigmoid: relu6(x + 3) / 6.
Tensor hardsigmoid(const Tensor& self);
Tensor hardsigmoid_(const Tensor& self);
/// torch._C._nn.hardswish: x * relu6(x + 3) / 6.
Tensor hardswish(const Tensor& self);
Tensor hardswish_(const Tensor& self);
/// torch._C._nn.softplus: log(1 + exp(beta * x)) / beta, x itself where beta * x > threshold.
Tensor softplus(const Tensor& self, Scalar beta = 1, Scalar threshold = 20);
/// torch._C._nn.log_sigmoid: log(sigmoid(x)).
Tensor log_sigmoid(const Tensor& self);
/// torch._C._nn.softshrink: x - lambd above lambd, x + lambd below -lambd, else 0.
Tensor softshrink(const Tensor& self, Scalar lambd = 0.5);
/// torch.hardshrink: x outside [-lambd, lambd], else 0.
Tensor hardshrink(const Tensor& self, Scalar lambd = 0.5);
/// torch.threshold: value where x <= threshold, else x.
Tensor threshold(const Tensor& self, Scalar threshold, Scalar value);
Tensor threshold_(const Tensor& self, Scalar threshold, Scalar value);
/// torch.rrelu: leaky ReLU with slope (lower + upper) / 2, or in training a slope drawn
/// uniformly from [lower, upper) for each non-positive element.
Tensor rrelu(const Tensor& self, Scalar lower = 1.0 / 8, Scalar upper = 1.0 / 3,
             bool training = false, Generator* gen = nullptr);
Tensor rrelu_(const Tensor& self, Scalar lower = 1.0 / 8, Scalar upper = 1.0 / 3,
              bool training = false, Generator* gen = nullptr);
/// torch.prelu: x for x > 0, else weight * x, weight one number or one per channel (dim 1).
Tensor prelu(const Tensor& self, const Tensor& weight);
/// torch._C._nn.glu: a * sigmoid(b), a and b the halves of self along dim.
Tensor glu(const Tensor& self, int64_t dim = -1);

}  // namespace cresset
