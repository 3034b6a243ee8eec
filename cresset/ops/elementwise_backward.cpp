// Derivatives of the elementwise table: each row's derivative columns, compiled as C++ over
// tensors (operators.h). Formulas call ops, so with create_graph they are recorded too and give
// higher-order gradients.
#include <cmath>
#include <string_view>

#include "cresset/core/error.h"
#include "cresset/ops/elementwise_grad.h"
#include "cresset/ops/operators.h"

namespace cresset::ew {

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double ln2 = 0.69314718055994530942;
constexpr double ln10 = 2.30258509299404568402;
constexpr double two_over_sqrt_pi = 1.12837916709551257390;
constexpr double half_sqrt_pi = 0.88622692545275801365;

// True when `text` contains `word` as a whole identifier (decides what a row saves).
constexpr bool mentions(std::string_view text, std::string_view word) {
  for (size_t i = text.find(word); i != std::string_view::npos; i = text.find(word, i + 1)) {
    auto ident = [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '_';
    };
    bool left = i == 0 || !ident(text[i - 1]);
    bool right = i + word.size() >= text.size() || !ident(text[i + word.size()]);
    if (left && right) return true;
  }
  return false;
}

// The number of Scalar arguments a formula reads: one more than the largest i in arg(i).
constexpr int count_args(std::string_view text) {
  int n = 0;
  for (size_t i = text.find("arg("); i != std::string_view::npos; i = text.find("arg(", i + 1)) {
    int k = text[i + 4] - '0';
    n = k + 1 > n ? k + 1 : n;
  }
  return n;
}

Tensor zeros_like(const Tensor& t) { return full_like(t, Scalar(0.0), t.dtype(), t.device()); }

// d max(a, b) / d a: the whole gradient where a wins, half of it on ties (torch's rule).
Tensor max_grad(const Tensor& grad, const Tensor& a, const Tensor& b) {
  return where(eq(a, b), grad / 2, grad * (a > b));
}

// log(t) for a gradient of `like`'s dtype: a number's or integer operand's log (2 ** x,
// x.xlogy(2.5)) is otherwise taken in float32, too coarse for a float64 gradient.
Tensor log_as(const Tensor& t, const Tensor& like) {
  if (like.dtype() != DType::Float64) return log(t);
  // A wrapped number alone computes in the default dtype: unwrap it.
  if (t.impl()->is_wrapped_number()) return log(scalar_tensor(item_scalar(t), DType::Float64));
  return log(is_floating(t.dtype()) ? t : t.to(DType::Float64));
}

// pow's exponent gradient is 0 (not nan) where the base is 0 and the exponent non-negative.
Tensor pow_base_zero(const Tensor& self, const Tensor& other) {
  return logical_and(eq(self, wrapped_scalar(Scalar(0))), other >= 0);
}

// logit's derivative is 0 outside [eps, 1 - eps] (outside [0, 1] without eps, passed as < 0).
Tensor logit_grad(const Tensor& grad, const Tensor& self, double eps) {
  double lo = eps < 0 ? 0.0 : eps, hi = eps < 0 ? 1.0 : 1.0 - eps;
  return where((self < lo) | (self > hi), zeros_like(grad), grad / (self * (1 - self)));
}

// A derivative torch doesn't define: backward through it raises torch's error.
[[noreturn]] Tensor not_implemented(const char* op) {
  throw RuntimeError(str_cat("derivative for aten::", op, " is not implemented"));
}

// An input torch does not differentiate (igamma's shape parameter): backward raises torch's
// NotImplementedError naming it.
[[noreturn]] Tensor not_differentiable(const char* what) {
  throw NotImplementedError(str_cat("the derivative for '", what, "' is not implemented."));
}

// d/dx of P(a, x): the Gamma(a) density x^(a - 1) e^-x / Gamma(a).
Tensor incomplete_gamma_density(const Tensor& a, const Tensor& x) {
  return exp((a - 1) * log(x) - x - lgamma(a));
}

// remainder(number, tensor) has no derivative for the tensor in torch; otherwise -floor(a / b).
Tensor remainder_other_grad(const Tensor& grad, const Tensor& self, const Tensor& other) {
  if (self.impl()->is_wrapped_number()) not_implemented("remainder");
  return -grad * floor_divide(self, other);
}

// The trigamma function (digamma's derivative): recurrence up to x >= 6, then the asymptotic
// series; reflection for x < 0.5. Written in ops, so it is itself differentiable.
Tensor trigamma(const Tensor& x) {
  Tensor neg = x < 0.5;
  Tensor y = where(neg, 1 - x, x);
  Tensor acc = zeros_like(y);
  for (int k = 0; k < 6; ++k) acc = acc + 1 / ((y + k) * (y + k));
  Tensor z = y + 6, z2 = z * z;
  Tensor series = 1 / z + 1 / (2 * z2) +
                  (1 / (6 * z2 * z)) * (1 - (1 / (5 * z2)) * (1 - (5 / (7 * z2)) * (1 - 7 / (5 * z2))));
  Tensor pos = acc + series;
  Tensor s = sin(pi * x);
  return where(neg, (pi * pi) / (s * s) - pos, pos);
}

// ---- activations ----
// elu's derivative: scale for x > 0, else alpha * scale * input_scale * exp(x * input_scale).
Tensor elu_grad(const Tensor& grad, const Tensor& self, double alpha, double scale,
                double input_scale) {
  return where(self <= 0, grad * (alpha * scale * input_scale) * exp(self * input_scale),
               grad * scale);
}

// grad where x > threshold, else 0, in one pass (the fused row; relu's and threshold's
// derivative).
Tensor threshold_grad(const Tensor& grad, const Tensor& x, double threshold) {
  const Scalar args[1] = {Scalar(threshold)};
  return threshold_backward_row("threshold_backward", grad, x, args, Tensor(), false);
}

// grad * gelu'(x) and grad * silu'(x), by the fused rows.
Tensor gelu_grad(const Tensor& grad, const Tensor& self) {
  return gelu_backward_row("gelu_backward", grad, self, nullptr, Tensor(), false);
}
Tensor silu_grad(const Tensor& grad, const Tensor& self) {
  return silu_backward_row("silu_backward", grad, self, nullptr, Tensor(), false);
}

// gelu''(x) = phi(x) * (2 - x^2), phi the standard normal density.
Tensor gelu_second_derivative(const Tensor& x) {
  constexpr double inv_sqrt_2pi = 0.39894228040143267794;
  return exp(-0.5 * x * x) * inv_sqrt_2pi * (2 - x * x);
}

// silu''(x) = s (1 - s) (2 + x (1 - 2 s)), s = sigmoid(x).
Tensor silu_second_derivative(const Tensor& x) {
  Tensor s = sigmoid(x);
  return s * (1 - s) * (2 + x * (1 - 2 * s));
}

// The tanh approximation's derivative, factored as torch's.
Tensor gelu_tanh_grad(const Tensor& grad, const Tensor& self) {
  constexpr double beta = 0.79788456080286535588, kappa = 0.044715;
  Tensor x_sq = self * self;
  Tensor t = tanh(beta * (self + kappa * x_sq * self));
  Tensor left_derivative = 0.5 * (1 + t);
  Tensor right_derivative = 1 - t * t;
  Tensor inner_derivative = beta * (1 + 3 * kappa * x_sq);
  return grad * (left_derivative + 0.5 * self * right_derivative * inner_derivative);
}

// mish's derivative: tanh(softplus(x)) + x * sigmoid(x) * (1 - tanh(softplus(x))^2).
Tensor mish_grad(const Tensor& grad, const Tensor& self) {
  Tensor t = tanh(log1p(exp(self)));
  return grad * (t + self * sigmoid(self) * (1 - t * t));
}

// softshrink's and hardshrink's derivative: 0 on [-lambd, lambd] (NaN passes the gradient).
Tensor shrink_grad(const Tensor& grad, const Tensor& self, double lambd) {
  return grad * !((self >= -lambd) & (self <= lambd));
}

}  // namespace

#define none Tensor()
// `text` is the row's derivative columns as written (before macro expansion): it decides what the
// row saves and whether it is differentiable at all.
#define CRESSET_EW_GRAD(name, text, none_text, ...)                                          \
  autograd::TensorList name##_backward(const autograd::Ctx& c, const double* args) {         \
    [[maybe_unused]] const Tensor& grad = c.grad();                                           \
    [[maybe_unused]] Tensor self = c.saved(0), other = c.saved(1), third = c.saved(2),        \
                            result = c.saved(3);                                              \
    [[maybe_unused]] auto arg = [args](int i) { return args[i]; };                            \
    return {__VA_ARGS__};                                                                     \
  }                                                                                           \
  constexpr std::string_view name##_text = text;                                              \
  const RowGrad grad_##name{&name##_backward,                                                 \
                            name##_text != std::string_view(none_text),                       \
                            {mentions(name##_text, "self"), mentions(name##_text, "other"),    \
                             mentions(name##_text, "third"), mentions(name##_text, "result")}, \
                            count_args(name##_text)};
// Only the gradients some input needs are computed (a formula may even be not_implemented).
#define CRESSET_EW_NEED(i, ...) (c.needs_input_grad(i) ? Tensor(__VA_ARGS__) : Tensor())
#define CRESSET_UNARY(name, Functor, Kind, Api, d0) \
  CRESSET_EW_GRAD(name, #d0, "none", CRESSET_EW_NEED(0, d0))
#define CRESSET_BINARY(name, Functor, Kind, Api, d0, d1)                        \
  CRESSET_EW_GRAD(name, #d0 ", " #d1, "none, none", CRESSET_EW_NEED(0, d0), \
                  CRESSET_EW_NEED(1, d1))
#define CRESSET_TERNARY(name, Functor, Kind, d0, d1, d2)                                 \
  CRESSET_EW_GRAD(name, #d0 ", " #d1 ", " #d2, "none, none, none", CRESSET_EW_NEED(0, d0), \
                  CRESSET_EW_NEED(1, d1), CRESSET_EW_NEED(2, d2))
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY
#undef CRESSET_EW_GRAD
#undef CRESSET_EW_NEED
#undef none

}  // namespace cresset::ew
