// Activation functions. The pointwise ones validate their parameters and run a row of the
// elementwise table through ew::<row>_row, whose `op` string gives torch's node name (selu is
// recorded as elu, relu6 as hardtanh, like torch). rrelu in training, prelu and glu record their
// own nodes, with backwards written in ops (double backward works).
#include "cresset/nn/activation.h"

#include <cmath>

#include "cresset/autograd/function.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

namespace {

// Runs the elementwise row `row` as op `op`, out of place or in place.
template <typename RowFn>
Tensor run(RowFn row, const char* op, const Tensor& self, bool inplace,
           std::initializer_list<Scalar> args = {}) {
  return row(op, self, args.begin(), inplace ? self : Tensor(), inplace);
}

// torch reads a number parameter of an integer op at the tensor's dtype and refuses one out of its
// range ("value cannot be converted to type int8_t without overflow"); negative integers down to
// -max wrap for unsigned dtypes, negative floats don't.
Scalar at_dtype(const char* op, Scalar v, DType t) {
  if (!is_integral(t, false)) return v;
  double hi = 0, lo = 0;
  switch (t) {
    case DType::UInt8:
      hi = 255;
      lo = v.is_int() ? -hi : 0;
      break;
    case DType::Int8:
      hi = 127;
      lo = -128;
      break;
    case DType::Int16:
      hi = 32767;
      lo = -32768;
      break;
    case DType::Int32:
      hi = 2147483647.0;
      lo = -2147483648.0;
      break;
    default:
      return v.is_int() ? v : Scalar(int64_t(v.to_double()));
  }
  double d = v.to_double();
  CRESSET_CHECK(d >= lo && d <= hi, RuntimeError, "[", op, "] value cannot be converted to type ",
                dtype_name(t), " without overflow");
  return Scalar(int64_t(d));
}

Tensor hardtanh_impl(const char* op, const Tensor& self, Scalar min_val, Scalar max_val,
                     bool inplace) {
  CRESSET_CHECK(self.dtype() != DType::Bool, RuntimeError, "[", op,
                "] Bool inputs not supported for hardtanh");
  if (is_integral(self.dtype(), false)) {
    // Integer bounds are truncated first, like torch (no type promotion by the bounds).
    min_val = Scalar(int64_t(min_val.to_double()));
    max_val = Scalar(int64_t(max_val.to_double()));
    CRESSET_CHECK(self.dtype() != DType::UInt8 || (min_val.to_int() >= 0 && max_val.to_int() >= 0),
                  RuntimeError, "[", op,
                  "] cannot do hardtanh on an unsigned type with negative limits");
    min_val = at_dtype(op, min_val, self.dtype());
    max_val = at_dtype(op, max_val, self.dtype());
  }
  return run(ew::hardtanh_row, inplace ? "hardtanh_" : "hardtanh", self, inplace,
             {min_val, max_val});
}

Tensor threshold_impl(const char* op, const Tensor& self, Scalar threshold, Scalar value,
                      bool inplace) {
  return run(ew::threshold_row, op, self, inplace,
             {at_dtype(op, threshold, self.dtype()), at_dtype(op, value, self.dtype())});
}

// torch's log_sigmoid and rrelu write a contiguous result whatever the input's layout.
Tensor dense(const Tensor& self) { return self.is_contiguous() ? self : contiguous(self); }

Tensor celu_impl(const char* op, const Tensor& self, Scalar alpha, bool inplace) {
  CRESSET_CHECK(alpha.to_double() != 0, RuntimeError, "[", op,
                "] ZeroDivisionError: alpha cannot be 0 for CELU");
  return run(ew::elu_row, op, self, inplace, {alpha, 1.0, 1.0 / alpha.to_double()});
}

Tensor gelu_impl(const char* op, const Tensor& self, std::string_view approximate, bool inplace) {
  CRESSET_CHECK(approximate == "none" || approximate == "tanh", RuntimeError, "[", op,
                "] approximate argument must be either none or tanh.");
  return run(approximate == "none" ? ew::gelu_row : ew::gelu_tanh_row, op, self, inplace);
}

// selu's constants (Klambauer et al.).
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

Tensor rrelu_impl(const char* op, const Tensor& self, Scalar lower, Scalar upper, bool training,
                  Generator* gen, bool inplace) {
  double lo = lower.to_double(), hi = upper.to_double();
  CRESSET_CHECK(lo <= hi, RuntimeError, "[", op,
                "] Lower bound should be less than or equal to the upper bound");
  if (!training) {
    Scalar slope((lo + hi) / 2);
    return run(ew::leaky_relu_row, inplace ? "rrelu_with_noise_" : "rrelu_with_noise",
               inplace ? self : dense(self), inplace, {slope});
  }
  CRESSET_CHECK(self.is_floating_point(), NotImplementedError, "[", op,
                "] \"rrelu_with_noise_out_cpu\" not implemented for '", dtype_display(self.dtype()),
                "'");
  // noise: a slope from [lower, upper) where x <= 0, 1 elsewhere; the result is x * noise.
  Tensor noise = uniform_(empty_tensor(self.sizes(), self.dtype(), self.device()), lo, hi, gen);
  noise = where(le(detach(self), wrapped_scalar(Scalar(0))), noise, wrapped_scalar(Scalar(1)));
  bool record = autograd::needs_grad({self});
  if (record && inplace) autograd::check_inplace(self);
  Tensor out;
  {
    autograd::AutoGradMode off(false);
    out = inplace ? mul_(self, noise) : mul(dense(self), noise);
  }
  if (record) {
    autograd::record(
        inplace ? "RreluWithNoiseBackward1" : "RreluWithNoiseBackward0", {self}, {out}, {noise},
        [](const autograd::Ctx& c) -> autograd::TensorList { return {c.grad() * c.saved(0)}; });
  }
  return out;
}

}  // namespace

Tensor leaky_relu(const Tensor& self, Scalar negative_slope) {
  return run(ew::leaky_relu_row, "leaky_relu", self, false, {negative_slope});
}
Tensor leaky_relu_(const Tensor& self, Scalar negative_slope) {
  return run(ew::leaky_relu_row, "leaky_relu_", self, true, {negative_slope});
}
Tensor hardtanh(const Tensor& self, Scalar min_val, Scalar max_val) {
  return hardtanh_impl("hardtanh", self, min_val, max_val, false);
}
Tensor hardtanh_(const Tensor& self, Scalar min_val, Scalar max_val) {
  return hardtanh_impl("hardtanh_", self, min_val, max_val, true);
}
Tensor relu6(const Tensor& self) { return hardtanh_impl("relu6", self, 0, 6, false); }
Tensor relu6_(const Tensor& self) { return hardtanh_impl("relu6_", self, 0, 6, true); }
Tensor elu(const Tensor& self, Scalar alpha, Scalar scale, Scalar input_scale) {
  return run(ew::elu_row, "elu", self, false, {alpha, scale, input_scale});
}
Tensor elu_(const Tensor& self, Scalar alpha, Scalar scale, Scalar input_scale) {
  return run(ew::elu_row, "elu_", self, true, {alpha, scale, input_scale});
}
Tensor selu(const Tensor& self) {
  return run(ew::elu_row, "elu", self, false, {kSeluAlpha, kSeluScale, 1.0});
}
Tensor selu_(const Tensor& self) {
  return run(ew::elu_row, "elu_", self, true, {kSeluAlpha, kSeluScale, 1.0});
}
Tensor celu(const Tensor& self, Scalar alpha) { return celu_impl("celu", self, alpha, false); }
Tensor celu_(const Tensor& self, Scalar alpha) { return celu_impl("celu_", self, alpha, true); }
Tensor gelu(const Tensor& self, std::string_view approximate) {
  return gelu_impl("gelu", self, approximate, false);
}
Tensor gelu_(const Tensor& self, std::string_view approximate) {
  return gelu_impl("gelu_", self, approximate, true);
}
Tensor silu(const Tensor& self) { return run(ew::silu_row, "silu", self, false); }
Tensor silu_(const Tensor& self) { return run(ew::silu_row, "silu_", self, true); }
Tensor mish(const Tensor& self) { return run(ew::mish_row, "mish", self, false); }
Tensor mish_(const Tensor& self) { return run(ew::mish_row, "mish_", self, true); }
Tensor hardsigmoid(const Tensor& self) {
  return run(ew::hardsigmoid_row, "hardsigmoid", self, false);
}
Tensor hardsigmoid_(const Tensor& self) {
  return run(ew::hardsigmoid_row, "hardsigmoid_", self, true);
}
Tensor hardswish(const Tensor& self) { return run(ew::hardswish_row, "hardswish", self, false); }
Tensor hardswish_(const Tensor& self) { return run(ew::hardswish_row, "hardswish_", self, true); }
Tensor softplus(const Tensor& self, Scalar beta, Scalar threshold) {
  return run(ew::softplus_row, "softplus", self, false, {beta, threshold});
}
Tensor log_sigmoid(const Tensor& self) {
  return run(ew::log_sigmoid_row, "log_sigmoid", dense(self), false);
}
Tensor softshrink(const Tensor& self, Scalar lambd) {
  CRESSET_CHECK(lambd.to_double() >= 0, RuntimeError,
                "[softshrink] lambda must be greater or equal to 0, but found to be ",
                lambd.to_double(), ".");
  return run(ew::softshrink_row, "softshrink", self, false, {lambd});
}
Tensor hardshrink(const Tensor& self, Scalar lambd) {
  return run(ew::hardshrink_row, "hardshrink", self, false, {lambd});
}
Tensor threshold(const Tensor& self, Scalar threshold, Scalar value) {
  return threshold_impl("threshold", self, threshold, value, false);
}
Tensor threshold_(const Tensor& self, Scalar threshold, Scalar value) {
  return threshold_impl("threshold_", self, threshold, value, true);
}
Tensor rrelu(const Tensor& self, Scalar lower, Scalar upper, bool training, Generator* gen) {
  return rrelu_impl("rrelu", self, lower, upper, training, gen, false);
}
Tensor rrelu_(const Tensor& self, Scalar lower, Scalar upper, bool training, Generator* gen) {
  return rrelu_impl("rrelu_", self, lower, upper, training, gen, true);
}

Tensor prelu(const Tensor& self, const Tensor& weight) {
  CRESSET_CHECK(weight.dim() <= 1, RuntimeError,
                "[prelu] prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = ",
                weight.dim());
  CRESSET_CHECK(self.is_floating_point(), NotImplementedError,
                "[prelu] \"prelu_cpu\" not implemented for '", dtype_display(self.dtype()), "'");
  CRESSET_CHECK(self.dtype() == weight.dtype(), RuntimeError,
                "[prelu] prelu: Type promoting not supported. Got ", dtype_display(self.dtype()),
                " and ", dtype_display(weight.dtype()));
  int64_t n = weight.numel();
  Tensor w = weight;
  if (n > 1) {
    CRESSET_CHECK(self.dim() > 0, RuntimeError, "[prelu] Not allow zero-dim input tensor.");
    int64_t channels = self.dim() > 1 ? self.sizes()[1] : 1;
    CRESSET_CHECK(channels == n, RuntimeError,
                  "[prelu] Mismatch of parameter numbers and input channel size. Found parameter "
                  "numbers = ",
                  n, " and channel size = ", channels, ".");
  }
  // The weight viewed to [1, C, 1, ...] (every dim but the channels broadcast; [C] for 1-d input,
  // [] for 0-d), as torch does, so its graph gets torch's ViewBackward0 whenever the shape changes.
  DimVector shape(size_t(self.dim()), 1);
  if (self.dim() == 1) shape[0] = n;
  if (self.dim() > 1) shape[1] = n;
  if (weight.sizes() != shape) w = reshape(weight, shape);
  Tensor out;
  {
    autograd::AutoGradMode off(false);
    out = where(self > 0, self, self * w);
  }
  if (autograd::needs_grad({self, w})) {
    autograd::record("PreluKernelBackward0", {self, w}, {out}, {self, w},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       Tensor x = c.saved(0), w = c.saved(1);
                       const Tensor& g = c.grad();
                       Tensor positive = x > 0;
                       Tensor gx, gw;
                       if (c.needs_input_grad(0)) gx = where(positive, g, g * w);
                       if (c.needs_input_grad(1))
                         gw =
                             where(positive, full_like(g, Scalar(0), g.dtype(), g.device()), g * x);
                       return {gx, gw};
                     });
  }
  return out;
}

Tensor glu(const Tensor& self, int64_t dim) {
  CRESSET_CHECK(self.dim() > 0, RuntimeError,
                "[glu] glu does not support scalars because halving size must be even");
  int64_t d = wrap_dim(dim, self.dim());
  int64_t size = self.sizes()[d];
  CRESSET_CHECK(size % 2 == 0, RuntimeError, "[glu] Halving dimension must be even, but dimension ",
                d, " is size ", size);
  CRESSET_CHECK(self.is_floating_point(), NotImplementedError,
                "[glu] \"glu_cpu\" not implemented for '", dtype_display(self.dtype()), "'");
  Tensor out;
  {
    autograd::AutoGradMode off(false);
    out = narrow(self, d, 0, size / 2) * sigmoid(narrow(self, d, size / 2, size / 2));
  }
  if (autograd::needs_grad({self})) {
    autograd::record("GluBackward0", {self}, {out}, {self},
                     [d, size](const autograd::Ctx& c) -> autograd::TensorList {
                       Tensor x = c.saved(0);
                       const Tensor& g = c.grad();
                       Tensor a = narrow(x, d, 0, size / 2);
                       Tensor s = sigmoid(narrow(x, d, size / 2, size / 2));
                       Tensor ga = g * s;
                       return {cat({ga, ga * a * (1 - s)}, d)};
                     });
  }
  return out;
}

}  // namespace cresset
