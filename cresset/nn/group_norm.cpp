// Group norm: row statistics over each (sample, group), then one per-(sample, channel) affine map
// forward and backward.
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
#include "cresset/ops/operators.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

using norm_detail::prepared;
using norm_detail::to_doubles;

struct GroupNormStats {
  std::vector<double> mean, rstd;  // per (n, g)
  int64_t n, c, hw, groups;
  double eps;
  DType bias_dtype = DType::Float32;
  DimVector bias_sizes;

  /// The group mean of each (n, c): the center the affine kernel subtracts.
  std::vector<double> channel_means() const {
    std::vector<double> out(size_t(n * c));
    for (int64_t i = 0; i < n * c; ++i) out[i] = mean[(i / c) * groups + (i % c) / (c / groups)];
    return out;
  }
};

// See Note [Norm double backward]: each (sample, group) is a row normalized over dim 2.
autograd::TensorList group_norm_backward_composite(const autograd::Ctx& ctx,
                                                   const GroupNormStats& st, bool has_weight,
                                                   bool has_bias) {
  const Tensor x = ctx.saved(0), g = ctx.grad();
  const DimVector rows{st.n, st.groups, -1}, group_dim{2};
  DimVector dims{0}, bshape(size_t(x.dim()), 1);
  for (int64_t i = 2; i < x.dim(); ++i) dims.push_back(i);
  bshape[1] = st.c;
  const norm_detail::Normalized nz = norm_detail::normalize(reshape(x, rows), group_dim, st.eps);
  autograd::TensorList grads(3);
  if (ctx.needs_input_grad(0)) {
    const Tensor gw = has_weight ? g * view(ctx.saved(1), bshape) : g;
    grads[0] = reshape(norm_detail::input_grad(reshape(gw, rows), nz, group_dim), x.sizes());
  }
  if (has_weight && ctx.needs_input_grad(1)) {
    grads[1] = sum(g * reshape(nz.xhat, x.sizes()), dims);
  }
  if (has_bias && ctx.needs_input_grad(2)) grads[2] = sum(g, dims);
  return grads;
}

autograd::TensorList group_norm_backward(const autograd::Ctx& ctx, const GroupNormStats& st,
                                         bool has_weight, bool has_bias) {
  if (autograd::GradMode::is_enabled()) {
    return group_norm_backward_composite(ctx, st, has_weight, has_bias);
  }
  const Tensor input = ctx.saved(0);
  const DType dt = norm_detail::compute_dtype(input);
  const Tensor x = prepared(input, dt), dy = prepared(ctx.grad(), dt);
  const Tensor weight = has_weight ? ctx.saved(1) : Tensor();
  const int64_t n = st.n, c = st.c, g = st.groups, d = c / g;
  const std::vector<double> w = has_weight ? to_doubles(weight) : std::vector<double>(c, 1.0);
  std::vector<double> sdy(n * c, 0.0), sdyx(n * c, 0.0);
  if (x.numel() > 0) {
    CRESSET_CPU_DISPATCH(channel_grad_sums_kernel, dy, x, n, c, st.hw, true, nullptr, sdy.data(),
                         sdyx.data());
  }
  autograd::TensorList grads(3);
  if (ctx.needs_input_grad(0)) {
    // dx = rstd * w * dy + b * (x - mean) + k, with b and k per (n, g) from the group's
    // weighted sums.
    std::vector<double> a(n * c), b(n * c), k(n * c);
    const double scale = 1.0 / double(d * st.hw);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < g; ++j) {
        double ds = 0, db = 0;
        for (int64_t ch = j * d; ch < (j + 1) * d; ++ch) {
          ds += sdyx[i * c + ch] * w[ch];
          db += sdy[i * c + ch] * w[ch];
        }
        const double m = st.mean[i * g + j], r = st.rstd[i * g + j];
        const double bx = (db * m - ds) * r * r * r * scale;
        const double kk = -db * r * scale;
        for (int64_t ch = j * d; ch < (j + 1) * d; ++ch) {
          a[i * c + ch] = r * w[ch];
          b[i * c + ch] = bx;
          k[i * c + ch] = kk;
        }
      }
    }
    Tensor dx = empty_tensor(x.sizes(), dt, x.device());
    if (x.numel() > 0) {
      CRESSET_CPU_DISPATCH(channel_affine_kernel, dx, dy, x, n, c, st.hw, c, a.data(), b.data(),
                           st.channel_means().data(), k.data());
    }
    grads[0] = dx.dtype() == input.dtype() ? dx : to(dx, input.dtype(), dx.device());
  }
  if (has_weight && ctx.needs_input_grad(1)) {
    std::vector<double> dw(c, 0.0);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t ch = 0; ch < c; ++ch) {
        const int64_t grp = i * g + ch / d;
        dw[ch] += (sdyx[i * c + ch] - sdy[i * c + ch] * st.mean[grp]) * st.rstd[grp];
      }
    }
    grads[1] = view(norm_detail::from_doubles(dw, weight.dtype(), weight.device()), weight.sizes());
  }
  if (has_bias && ctx.needs_input_grad(2)) {
    std::vector<double> db(c, 0.0);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t ch = 0; ch < c; ++ch) db[ch] += sdy[i * c + ch];
    }
    grads[2] = view(norm_detail::from_doubles(db, st.bias_dtype, input.device()), st.bias_sizes);
  }
  return grads;
}

}  // namespace

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                  double eps) {
  CRESSET_CHECK(input.dim() >= 2, RuntimeError,
                "[group_norm] Expected at least 2 dimensions for input tensor but received ",
                input.dim());
  const int64_t n = input.size(0), c = input.size(1),
                hw = norm_detail::prod(input.sizes(), 2, input.dim());
  CRESSET_CHECK(num_groups > 0 && c % num_groups == 0, RuntimeError,
                "[group_norm] Expected number of channels in input to be divisible by "
                "num_groups, but got input of shape ",
                shape_str(input.sizes()), " and num_groups=", num_groups);
  const auto check_param = [&](const Tensor& t, const char* name) {
    CRESSET_CHECK(
        !t.defined() || (t.dim() == 1 && t.numel() == c), RuntimeError, "[group_norm] Expected ",
        name, " to be a vector of size equal to the number of channels in input, but got ", name,
        " of shape ", shape_str(t.sizes()), " and input of shape ", shape_str(input.sizes()));
  };
  check_param(weight, "weight");
  check_param(bias, "bias");
  norm_detail::check_input(input, "group_norm", "GroupNormKernelImpl");

  const DType dt = norm_detail::compute_dtype(input);
  const Tensor x = prepared(input, dt);
  auto st = std::make_shared<GroupNormStats>();
  st->n = n;
  st->c = c;
  st->hw = hw;
  st->groups = num_groups;
  st->eps = eps;
  st->mean.assign(size_t(n * num_groups), 0.0);
  st->rstd.assign(size_t(n * num_groups), 0.0);
  if (bias.defined()) {
    st->bias_dtype = bias.dtype();
    st->bias_sizes = bias.sizes();
  }
  Tensor out = empty_tensor(input.sizes(), dt, input.device());
  if (input.numel() > 0) {
    const std::vector<double> w =
        weight.defined() ? to_doubles(weight) : std::vector<double>(c, 1.0);
    const std::vector<double> b = bias.defined() ? to_doubles(bias) : std::vector<double>(c, 0.0);
    CRESSET_CPU_DISPATCH(group_norm_kernel, out, x, w.data(), b.data(), n, c, hw, num_groups, eps,
                         st->mean.data(), st->rstd.data());
  }
  if (dt != input.dtype()) out = to(out, input.dtype(), input.device());
  // The kernels run on [N, C, H*W]; the output keeps a channels-last input's layout, as torch's.
  const MemoryFormat format = suggest_memory_format(input);
  if (format != MemoryFormat::Contiguous) out = contiguous(out, format);
  if (autograd::needs_grad({input, weight, bias})) {
    const bool has_weight = weight.defined(), has_bias = bias.defined();
    autograd::record("NativeGroupNormBackward0", {input, weight, bias}, {out}, {input, weight},
                     [st, has_weight, has_bias](const autograd::Ctx& ctx) {
                       return group_norm_backward(ctx, *st, has_weight, has_bias);
                     });
  }
  return out;
}

}  // namespace cresset
