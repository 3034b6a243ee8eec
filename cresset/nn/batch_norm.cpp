// Batch norm and instance norm (instance norm is batch norm over [1, N * C, ...], as in torch).
#include <cmath>
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
#include "cresset/ops/index.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

using norm_detail::from_doubles;
using norm_detail::prepared;
using norm_detail::to_doubles;

// Channels are dim 1; torch fails reading it from a smaller input with an IndexError.
void check_has_channels(const Tensor& input, const char* op) {
  CRESSET_CHECK(input.dim() >= 2, IndexError, "[", op,
                "] expected input with a channel dim (N, C, ...); got input of shape ",
                shape_str(input.sizes()));
}

void check_channels(const Tensor& t, const char* name, int64_t c) {
  CRESSET_CHECK(!t.defined() || t.numel() == c, RuntimeError, "[batch_norm] ", name,
                " should contain ", c, " elements not ", t.numel());
}

// Writes running = (1 - momentum) * running + momentum * stat, without recording autograd.
void update_running(const Tensor& running, const std::vector<double>& stat, double momentum) {
  std::vector<double> r = to_doubles(running);
  for (size_t i = 0; i < r.size(); ++i) r[i] = (1 - momentum) * r[i] + momentum * stat[i];
  autograd::AutoGradMode no_grad(false);
  copy_(running, view(from_doubles(r, running.dtype(), running.device()), running.sizes()));
}

// What the backward needs besides the saved input and weight. Kernels see the data as [n, c, hw]:
// [N, C, H*W] for contiguous input, [N*H*W, C, 1] for channels-last input (kept channels-last,
// as torch does).
struct BatchNormStats {
  std::vector<double> mean, invstd;
  int64_t n, c, hw;
  MemoryFormat format;
  double eps;
  bool training;
  DType bias_dtype = DType::Float32;
  DimVector bias_sizes;
};

// See Note [Norm double backward].
autograd::TensorList batch_norm_backward_composite(const autograd::Ctx& ctx,
                                                   const BatchNormStats& st, bool has_weight) {
  const Tensor x = ctx.saved(0), g = ctx.grad();
  DimVector dims{0}, bshape(size_t(x.dim()), 1);
  for (int64_t i = 2; i < x.dim(); ++i) dims.push_back(i);
  bshape[1] = st.c;
  norm_detail::Normalized nz;
  if (st.training) {
    nz = norm_detail::normalize(x, dims, st.eps);
  } else {
    const Tensor m = view(from_doubles(st.mean, x.dtype(), x.device()), bshape);
    nz.invstd = view(from_doubles(st.invstd, x.dtype(), x.device()), bshape);
    nz.xhat = (x - m) * nz.invstd;
  }
  const Tensor gw = has_weight ? g * view(ctx.saved(1), bshape) : g;
  autograd::TensorList grads(3);
  if (ctx.needs_input_grad(0)) {
    grads[0] = st.training ? norm_detail::input_grad(gw, nz, dims) : gw * nz.invstd;
  }
  if (has_weight && ctx.needs_input_grad(1)) {
    grads[1] = view(sum(g * nz.xhat, dims), ctx.saved(1).sizes());
  }
  if (ctx.needs_input_grad(2)) grads[2] = view(sum(g, dims), st.bias_sizes);
  return grads;
}

autograd::TensorList batch_norm_backward(const autograd::Ctx& ctx, const BatchNormStats& st,
                                         bool has_weight) {
  if (autograd::GradMode::is_enabled()) return batch_norm_backward_composite(ctx, st, has_weight);
  const Tensor input = ctx.saved(0);
  const DType dt = norm_detail::compute_dtype(input);
  const Tensor x = prepared(input, dt, st.format), dy = prepared(ctx.grad(), dt, st.format);
  const int64_t c = st.c;
  const std::vector<double> w =
      has_weight ? to_doubles(ctx.saved(1)) : std::vector<double>(size_t(c), 1.0);
  std::vector<double> sum_dy(c), dot(c);
  CRESSET_CPU_DISPATCH(channel_grad_sums_kernel, dy, x, st.n, c, st.hw, false, st.mean.data(),
                       sum_dy.data(), dot.data());
  autograd::TensorList grads(3);
  if (ctx.needs_input_grad(0)) {
    // dx = scale * (dy - sum_dy / M - (x - mean) * invstd^2 * dot / M) in training, scale * dy
    // in eval, with scale = invstd * w: one affine map a * dy + b * (x - mean) + k per channel.
    const double count = double(st.n * st.hw);
    std::vector<double> a(c), b(c, 0.0), k(c, 0.0);
    for (int64_t i = 0; i < c; ++i) {
      a[i] = st.invstd[i] * w[i];
      if (!st.training) continue;
      b[i] = -dot[i] * st.invstd[i] * st.invstd[i] / count * a[i];
      k[i] = -sum_dy[i] / count * a[i];
    }
    Tensor dx = empty_format(x.sizes(), st.format, dt, x.device());
    CRESSET_CPU_DISPATCH(channel_affine_kernel, dx, dy, x, st.n, c, st.hw, 0, a.data(), b.data(),
                         st.mean.data(), k.data());
    grads[0] = dx.dtype() == input.dtype() ? dx : to(dx, input.dtype(), input.device());
  }
  if (has_weight && ctx.needs_input_grad(1)) {
    for (int64_t i = 0; i < c; ++i) dot[i] *= st.invstd[i];
    const Tensor weight = ctx.saved(1);
    grads[1] = view(from_doubles(dot, weight.dtype(), weight.device()), weight.sizes());
  }
  if (ctx.needs_input_grad(2)) {
    grads[2] = view(from_doubles(sum_dy, st.bias_dtype, input.device()), st.bias_sizes);
  }
  return grads;
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps) {
  check_has_channels(input, "batch_norm");
  norm_detail::check_input(input, "batch_norm", "batch_norm");
  const int64_t n = input.size(0), c = input.size(1),
                hw = norm_detail::prod(input.sizes(), 2, input.dim());
  check_channels(running_mean, "running_mean", c);
  check_channels(running_var, "running_var", c);
  check_channels(weight, "weight", c);
  check_channels(bias, "bias", c);
  CRESSET_CHECK(training || running_mean.defined(), RuntimeError,
                "[batch_norm] running_mean must be defined in evaluation mode");
  CRESSET_CHECK(training || running_var.defined(), RuntimeError,
                "[batch_norm] running_var must be defined in evaluation mode");

  const DType dt = norm_detail::compute_dtype(input);
  auto st = std::make_shared<BatchNormStats>();
  st->format = suggest_memory_format(input);
  const bool channels_last = st->format != MemoryFormat::Contiguous;
  const Tensor x = prepared(input, dt, st->format);
  st->n = channels_last ? n * hw : n;
  st->c = c;
  st->hw = channels_last ? 1 : hw;
  st->training = training;
  st->eps = eps;
  if (bias.defined()) {
    st->bias_dtype = bias.dtype();
    st->bias_sizes = bias.sizes();
  }
  st->mean.assign(size_t(c), 0.0);
  std::vector<double> var(size_t(c), 0.0);
  const bool has_data = n * hw > 0;
  if (training) {
    if (has_data) {
      CRESSET_CPU_DISPATCH(channel_moments_kernel, x, st->n, c, st->hw, st->mean.data(),
                           var.data());
    }
    if (has_data && running_mean.defined()) update_running(running_mean, st->mean, momentum);
    if (has_data && running_var.defined()) {
      // The running variance is the unbiased one.
      const double count = double(n * hw);
      std::vector<double> unbiased(var);
      for (double& v : unbiased) v *= count / std::max(count - 1, 0.0);
      update_running(running_var, unbiased, momentum);
    }
  } else {
    st->mean = to_doubles(running_mean);
    var = to_doubles(running_var);
  }
  st->invstd.resize(size_t(c));
  for (int64_t i = 0; i < c; ++i) st->invstd[i] = 1.0 / std::sqrt(var[i] + eps);

  // y = scale * (x - mean) + bias per channel, scale = invstd * w.
  std::vector<double> scale =
      weight.defined() ? to_doubles(weight) : std::vector<double>(size_t(c), 1.0);
  const std::vector<double> shift =
      bias.defined() ? to_doubles(bias) : std::vector<double>(size_t(c), 0.0);
  for (int64_t i = 0; i < c; ++i) scale[i] *= st->invstd[i];
  Tensor out = empty_format(input.sizes(), st->format, dt, input.device());
  if (input.numel() > 0) {
    CRESSET_CPU_DISPATCH(channel_affine_kernel, out, Tensor(), x, st->n, c, st->hw, 0, nullptr,
                         scale.data(), st->mean.data(), shift.data());
  }
  if (dt != input.dtype()) out = to(out, input.dtype(), input.device());

  if (autograd::needs_grad({input, weight, bias})) {
    const bool has_weight = weight.defined();
    autograd::record("NativeBatchNormBackward0", {input, weight, bias}, {out}, {input, weight},
                     [st, has_weight](const autograd::Ctx& ctx) {
                       return batch_norm_backward(ctx, *st, has_weight);
                     });
  }
  return out;
}

Tensor instance_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                     const Tensor& running_mean, const Tensor& running_var, bool use_input_stats,
                     double momentum, double eps) {
  check_has_channels(input, "instance_norm");
  const int64_t n = input.size(0), c = input.size(1);
  DimVector shape = input.sizes();
  shape[0] = 1;
  shape[1] = n * c;
  const auto tiled = [n](const Tensor& t) { return t.defined() ? repeat(t, {n}) : t; };
  const Tensor rm = tiled(running_mean), rv = tiled(running_var);
  const Tensor out = batch_norm(reshape(contiguous(input), shape), tiled(weight), tiled(bias), rm,
                                rv, use_input_stats, momentum, eps);
  {
    autograd::AutoGradMode no_grad(false);
    if (running_mean.defined()) copy_(running_mean, mean(view(rm, {n, c}), DimVector{0}));
    if (running_var.defined()) copy_(running_var, mean(view(rv, {n, c}), DimVector{0}));
  }
  return view(out, input.sizes());
}

}  // namespace cresset
