// Layer norm (fused forward and backward) and rms_norm (a composite, as torch's).
#include <cmath>
#include <limits>
#include <memory>

#include "cresset/autograd/function.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/backend/cpu/norm_kernels.h"
#include "cresset/core/error.h"
#include "cresset/core/shape.h"
#include "cresset/nn/norm.h"
#include "cresset/nn/norm_util.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

using norm_detail::prepared;

// Checks layer_norm/rms_norm arguments; returns the normalized element count per row.
int64_t check_normalized(const char* op, const Tensor& input, const DimVector& shape,
                         const Tensor& weight, const Tensor& bias) {
  CRESSET_CHECK(!shape.empty(), RuntimeError, "[", op,
                "] Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
                "least one element, but got normalized_shape = []");
  const auto check_param = [&](const Tensor& t, const char* name) {
    CRESSET_CHECK(!t.defined() || t.sizes() == shape, RuntimeError, "[", op, "] Expected ", name,
                  " to be of same shape as normalized_shape, but got ", name, " of shape ",
                  shape_str(t.sizes()), " and normalized_shape = ", shape_str(shape));
  };
  check_param(weight, "weight");
  check_param(bias, "bias");
  const int64_t nd = int64_t(shape.size()), off = input.dim() - nd;
  bool ok = off >= 0;
  for (int64_t i = 0; ok && i < nd; ++i) ok = input.size(off + i) == shape[i];
  CRESSET_CHECK(
      ok, RuntimeError, "[", op, "] Given normalized_shape=", shape_str(shape),
      ", expected input with shape [*",
      [&] {
        std::string s;
        for (int64_t v : shape) s += ", " + std::to_string(v);
        return s;
      }(),
      "], but got input of size", shape_str(input.sizes()));
  return norm_detail::prod(shape, 0, nd);
}

struct LayerNormStats {
  std::vector<double> mean, rstd;
  int64_t rows, len;
  double eps;
  DimVector shape;  // normalized_shape
  DType bias_dtype = DType::Float32;
};

// See Note [Norm double backward].
autograd::TensorList layer_norm_backward_composite(const autograd::Ctx& ctx,
                                                   const LayerNormStats& st, bool has_weight,
                                                   bool has_bias) {
  const Tensor x = ctx.saved(0), g = ctx.grad();
  const int64_t lead = x.dim() - int64_t(st.shape.size());
  DimVector dims, lead_dims;
  for (int64_t i = 0; i < x.dim(); ++i) (i < lead ? lead_dims : dims).push_back(i);
  const norm_detail::Normalized nz = norm_detail::normalize(x, dims, st.eps);
  // Summing over the leading dims; with none, the gradient is the product itself.
  const auto over_rows = [&](const Tensor& t) { return lead_dims.empty() ? t : sum(t, lead_dims); };
  autograd::TensorList grads(3);
  if (ctx.needs_input_grad(0)) {
    grads[0] = norm_detail::input_grad(has_weight ? g * ctx.saved(1) : g, nz, dims);
  }
  if (has_weight && ctx.needs_input_grad(1)) grads[1] = over_rows(g * nz.xhat);
  if (has_bias && ctx.needs_input_grad(2)) grads[2] = over_rows(g);
  return grads;
}

autograd::TensorList layer_norm_backward(const autograd::Ctx& ctx, const LayerNormStats& st,
                                         bool has_weight, bool has_bias) {
  if (autograd::GradMode::is_enabled()) {
    return layer_norm_backward_composite(ctx, st, has_weight, has_bias);
  }
  const Tensor input = ctx.saved(0);
  const DType dt = norm_detail::compute_dtype(input);
  const Tensor x = prepared(input, dt), dy = prepared(ctx.grad(), dt);
  const Tensor weight = has_weight ? ctx.saved(1) : Tensor();
  const Tensor w = prepared(weight, dt);
  const bool want_w = has_weight && ctx.needs_input_grad(1);
  const bool want_b = has_bias && ctx.needs_input_grad(2);
  // Zero-filled: an empty input leaves the column sums at zero.
  std::vector<double> dw(want_w ? st.len : 0, 0.0), db(want_b ? st.len : 0, 0.0);
  Tensor dx;
  if (ctx.needs_input_grad(0)) dx = empty_tensor(x.sizes(), dt, x.device());
  if (x.numel() > 0) {
    CRESSET_CPU_DISPATCH(layer_norm_backward_kernel, dx, dy, x, w, st.rows, st.len, st.mean.data(),
                         st.rstd.data(), want_w ? dw.data() : nullptr,
                         want_b ? db.data() : nullptr);
  }
  autograd::TensorList grads(3);
  if (dx.defined()) {
    grads[0] = dx.dtype() == input.dtype() ? dx : to(dx, input.dtype(), dx.device());
  }
  if (want_w) {
    grads[1] = view(norm_detail::from_doubles(dw, weight.dtype(), weight.device()), weight.sizes());
  }
  if (want_b) {
    grads[2] = view(norm_detail::from_doubles(db, st.bias_dtype, input.device()), st.shape);
  }
  return grads;
}

}  // namespace

Tensor layer_norm(const Tensor& input, const DimVector& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const int64_t len = check_normalized("layer_norm", input, normalized_shape, weight, bias);
  norm_detail::check_input(input, "layer_norm", "LayerNormKernelImpl");
  const DType dt = norm_detail::compute_dtype(input);
  const Tensor x = prepared(input, dt);
  auto st = std::make_shared<LayerNormStats>();
  st->len = len;
  st->shape = normalized_shape;
  st->eps = eps;
  st->rows = len == 0 ? 0 : input.numel() / len;
  st->mean.assign(size_t(st->rows), 0.0);
  st->rstd.assign(size_t(st->rows), 0.0);
  if (bias.defined()) st->bias_dtype = bias.dtype();
  Tensor out = empty_tensor(input.sizes(), dt, input.device());
  if (input.numel() > 0) {
    CRESSET_CPU_DISPATCH(layer_norm_kernel, out, x, prepared(weight, dt), prepared(bias, dt),
                         st->rows, len, eps, st->mean.data(), st->rstd.data());
  }
  if (dt != input.dtype()) out = to(out, input.dtype(), input.device());
  if (autograd::needs_grad({input, weight, bias})) {
    const bool has_weight = weight.defined(), has_bias = bias.defined();
    autograd::record("NativeLayerNormBackward0", {input, weight, bias}, {out}, {input, weight},
                     [st, has_weight, has_bias](const autograd::Ctx& ctx) {
                       return layer_norm_backward(ctx, *st, has_weight, has_bias);
                     });
  }
  return out;
}

Tensor rms_norm(const Tensor& input, const DimVector& normalized_shape, const Tensor& weight,
                std::optional<double> eps) {
  check_normalized("rms_norm", input, normalized_shape, weight, Tensor());
  norm_detail::check_input(input, "rms_norm", "rms_norm");
  // 16-bit inputs are computed in float32 and rounded back, like torch's upcast.
  const DType dt = norm_detail::compute_dtype(input);
  const Tensor x = dt == input.dtype() ? input : to(input, dt, input.device());
  const double e =
      eps ? *eps
          : (input.dtype() == DType::Float64   ? std::numeric_limits<double>::epsilon()
             : input.dtype() == DType::Float32 ? double(std::numeric_limits<float>::epsilon())
             : input.dtype() == DType::Float16 ? 0.0009765625
                                               : 0.0078125);
  DimVector dims;
  for (int64_t i = input.dim() - int64_t(normalized_shape.size()); i < input.dim(); ++i)
    dims.push_back(i);
  Tensor y = x * rsqrt(mean(pow(x, wrapped_scalar(2)), dims, true) + e);  // AddBackward1, as torch
  if (weight.defined()) y = y * weight;
  return y.dtype() == input.dtype() ? y : to(y, input.dtype(), input.device());
}

}  // namespace cresset
