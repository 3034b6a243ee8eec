// Interpolation (upsample_*) and pixel shuffle. Every interpolation mode is a separable resampling
// (see Note [Pooling plans]): per spatial dim, each output reads 1 (nearest), 2 (linear) or 4
// (cubic) input positions with weights computed exactly as torch's CPU kernels compute them.
#include <cmath>
#include <memory>

#include "cresset/autograd/function.h"
#include "cresset/core/error.h"
#include "cresset/nn/pool.h"
#include "cresset/nn/pool_common.h"
#include "cresset/ops/view.h"

namespace cresset {

using namespace pool_detail;

namespace {

// torch's compute_scales_value: 1/scale when a positive scale was given, else in/out.
template <typename M>
M scales_value(std::optional<double> scale, int64_t in, int64_t out) {
  return scale && *scale > 0 ? M(1.0 / *scale) : M(in) / M(out);
}

// torch's area_pixel_compute_scale.
template <typename M>
M area_scale(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  if (align_corners) return out > 1 ? M(in - 1) / M(out - 1) : M(0);
  return scales_value<M>(scale, in, out);
}

// torch's area_pixel_compute_source_index.
template <typename M>
M source_index(M scale, int64_t dst, bool align_corners, bool cubic) {
  if (align_corners) return scale * M(dst);
  const M src = scale * (M(dst) + M(0.5)) - M(0.5);
  return !cubic && src < 0 ? M(0) : src;
}

// torch's guard_index_and_lambda: the floor index (at most in - 1) and the clamped fraction.
template <typename M>
void index_and_lambda(M real, int64_t in, int64_t* index, M* lambda) {
  *index = std::min(static_cast<int64_t>(std::floor(real)), in - 1);
  *lambda = std::min(std::max(real - M(*index), M(0)), M(1));
}

template <typename M>
ResampleAxis make_axis(UpsampleMode mode, int64_t in, int64_t out, bool align_corners,
                       std::optional<double> scale) {
  ResampleAxis a;
  a.in_size = in;
  a.out_size = out;
  a.taps = mode == UpsampleMode::Cubic ? 4 : mode == UpsampleMode::Linear ? 2 : 1;
  a.index.resize(size_t(out * a.taps));
  a.weight.resize(size_t(out * a.taps));
  for (int64_t o = 0; o < out; ++o) {
    int64_t* ix = &a.index[size_t(o * a.taps)];
    double* w = &a.weight[size_t(o * a.taps)];
    switch (mode) {
      case UpsampleMode::Nearest: {
        const float s = scales_value<float>(scale, in, out);
        ix[0] = out == in       ? o
                : out == 2 * in ? o >> 1
                                : std::min(int64_t(std::floor(float(o) * s)), in - 1);
        w[0] = 1;
        break;
      }
      case UpsampleMode::NearestExact: {
        const float s = scales_value<float>(scale, in, out);
        ix[0] = std::min(int64_t(std::floor(float((double(o) + 0.5) * s))), in - 1);
        w[0] = 1;
        break;
      }
      case UpsampleMode::Linear: {
        if (out == in) {
          ix[0] = ix[1] = o;
          w[0] = 1;
          w[1] = 0;
          break;
        }
        const M s = area_scale<M>(in, out, align_corners, scale);
        M lambda;
        index_and_lambda(source_index<M>(s, o, align_corners, false), in, &ix[0], &lambda);
        ix[1] = ix[0] + (ix[0] < in - 1 ? 1 : 0);
        w[0] = M(1) - lambda;
        w[1] = lambda;
        break;
      }
      case UpsampleMode::Cubic: {
        const M s = area_scale<M>(in, out, align_corners, scale);
        M t;
        int64_t i0;
        index_and_lambda(source_index<M>(s, o, align_corners, true), in, &i0, &t);
        // Keys' cubic convolution with A = -0.75, as torch's get_cubic_upsample_coefficients.
        const M A = M(-0.75);
        auto conv1 = [A](M x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };
        auto conv2 = [A](M x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };
        const M t2 = M(1) - t;
        w[0] = conv2(t + M(1));
        w[1] = conv1(t);
        w[2] = conv1(t2);
        w[3] = conv2(t2 + M(1));
        for (int64_t j = 0; j < 4; ++j) ix[j] = std::max<int64_t>(std::min(i0 - 1 + j, in - 1), 0);
        break;
      }
      case UpsampleMode::LinearAntialias:
      case UpsampleMode::CubicAntialias:
        break;  // antialias_axis builds these
    }
  }
  return a;
}

// torch's antialiased (_aa) weights: the triangle (linear) or Keys a = -0.5 (cubic) filter
// stretched by the downscale factor over a variable window, normalised to sum 1. The mix of
// compute-type and double arithmetic is torch's, term by term.
template <typename M>
ResampleAxis antialias_axis(bool cubic, int64_t in, int64_t out, bool align_corners,
                            std::optional<double> scale_opt) {
  const int interp = cubic ? 4 : 2;
  const M scale = area_scale<M>(in, out, align_corners, scale_opt);
  const M support = scale >= 1.0 ? M((interp * 0.5) * scale) : M(interp * 0.5);
  const M invscale = scale >= 1.0 ? M(1.0 / scale) : M(1.0);
  auto filter = [cubic](M x) -> M {
    x = x < 0 ? -x : x;
    if (!cubic) return x < 1 ? M(1) - x : M(0);
    const M a = M(-0.5);
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return M(0);
  };
  ResampleAxis ax;
  ax.in_size = in;
  ax.out_size = out;
  ax.taps = static_cast<int64_t>(std::ceil(double(support))) * 2 + 1;
  ax.index.assign(size_t(out * ax.taps), 0);
  ax.weight.assign(size_t(out * ax.taps), 0.0);
  ax.count.resize(size_t(out));
  for (int64_t i = 0; i < out; ++i) {
    const M center = M(scale * (i + 0.5));
    const int64_t xmin = std::max(static_cast<int64_t>((center - support) + 0.5), int64_t(0));
    const int64_t xsize = std::clamp(
        std::min(static_cast<int64_t>((center + support) + 0.5), in) - xmin, int64_t(0), ax.taps);
    std::vector<M> w(static_cast<size_t>(xsize));
    M total = 0;
    for (int64_t j = 0; j < xsize; ++j) {
      w[size_t(j)] = filter(M((M(j + xmin) - center + 0.5) * invscale));
      total += w[size_t(j)];
    }
    for (int64_t j = 0; j < xsize; ++j) {
      ax.index[size_t(i * ax.taps + j)] = xmin + j;
      ax.weight[size_t(i * ax.taps + j)] = double(total != 0 ? w[size_t(j)] / total : w[size_t(j)]);
    }
    ax.count[size_t(i)] = xsize;
  }
  return ax;
}

std::string node_name(UpsampleMode mode, int64_t nd) {
  const std::string n = std::to_string(nd);
  switch (mode) {
    case UpsampleMode::Nearest:
      return "UpsampleNearest" + n + "DBackward0";
    case UpsampleMode::NearestExact:
      return "UpsampleNearestExact" + n + "DBackward0";
    case UpsampleMode::Linear:
      return std::string(nd == 1   ? "UpsampleLinear"
                         : nd == 2 ? "UpsampleBilinear"
                                   : "UpsampleTrilinear") +
             n + "DBackward0";
    case UpsampleMode::Cubic:
      return "UpsampleBicubic" + n + "DBackward0";
    case UpsampleMode::LinearAntialias:
      return "UpsampleBilinear2DAaBackward0";
    case UpsampleMode::CubicAntialias:
      return "UpsampleBicubic2DAaBackward0";
  }
  return "";
}

const char* op_name(UpsampleMode mode, int64_t nd) {
  static const char* names[6][3] = {
      {"upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d"},
      {"_upsample_nearest_exact1d", "_upsample_nearest_exact2d", "_upsample_nearest_exact3d"},
      {"upsample_linear1d", "upsample_bilinear2d", "upsample_trilinear3d"},
      {"upsample_bicubic1d", "upsample_bicubic2d", "upsample_bicubic3d"},
      {"_upsample_bilinear1d_aa", "_upsample_bilinear2d_aa", "_upsample_bilinear3d_aa"},
      {"_upsample_bicubic1d_aa", "_upsample_bicubic2d_aa", "_upsample_bicubic3d_aa"}};
  return names[int(mode)][nd - 1];
}

Tensor dense(const Tensor& t) { return t.is_contiguous() ? detach(t) : contiguous(detach(t)); }

Tensor resample_backward(const Tensor& grad, std::shared_ptr<ResamplePlan> plan,
                         const DimVector& in_sizes, const std::string& name);

// Resampling by `plan`, recorded as `name`; its backward is resample_backward.
Tensor resample(const Tensor& self, std::shared_ptr<ResamplePlan> plan, const DimVector& out_sizes,
                const std::string& name) {
  Tensor out = empty_tensor(out_sizes, self.dtype(), self.device());
  if (out.numel() > 0) CRESSET_POOL_KERNEL(out, resample_kernel, out, dense(self), *plan);
  if (autograd::needs_grad({self})) {
    const DimVector in_sizes = self.sizes();
    autograd::record(name, {self}, {out}, {},
                     [plan, in_sizes, name](const autograd::Ctx& c) -> autograd::TensorList {
                       return {resample_backward(c.grad(), plan, in_sizes, name)};
                     });
  }
  return out;
}

Tensor resample_backward(const Tensor& grad, std::shared_ptr<ResamplePlan> plan,
                         const DimVector& in_sizes, const std::string& name) {
  Tensor gi = empty_tensor(in_sizes, grad.dtype(), grad.device());
  if (gi.numel() > 0) CRESSET_POOL_KERNEL(gi, resample_backward_kernel, gi, dense(grad), *plan);
  if (autograd::needs_grad({grad})) {
    const DimVector out_sizes = grad.sizes();
    autograd::record(backward_name(name), {grad}, {gi}, {},
                     [plan, out_sizes, name](const autograd::Ctx& c) -> autograd::TensorList {
                       return {resample(c.grad(), plan, out_sizes, name)};
                     });
  }
  return gi;
}

}  // namespace

Tensor upsample(const Tensor& self, UpsampleMode mode, const DimVector& output_size,
                bool align_corners, const std::vector<std::optional<double>>& scales) {
  const int64_t nd = int64_t(output_size.size());
  CRESSET_CHECK(nd >= 1 && nd <= 3, RuntimeError, "[upsample] expected 1 to 3 output sizes, got ",
                shape_str(output_size));
  const char* op = op_name(mode, nd);
  const bool antialias =
      mode == UpsampleMode::LinearAntialias || mode == UpsampleMode::CubicAntialias;
  CRESSET_CHECK(!antialias || nd == 2, RuntimeError, "[", op,
                "] antialiasing is only implemented for 2-D resampling");
  CRESSET_CHECK(self.dim() == nd + 2, RuntimeError, "[", op, "] Expected ", nd + 2, "D input (got ",
                self.dim(), "D input): sizes ", shape_str(self.sizes()));
  bool ok = true;
  for (int64_t i = 0; i < nd; ++i) ok = ok && self.size(2 + i) > 0 && output_size[i] > 0;
  CRESSET_CHECK(ok, RuntimeError, "[", op,
                "] Input and output sizes should be greater than 0, but got input (",
                shape_str(self.sizes()), ") output ", shape_str(output_size));
  CRESSET_CHECK(self.is_floating_point(), NotImplementedError, "[", op, "] \"", op,
                "\" not implemented for '", dtype_display(self.dtype()), "'");
  auto plan = std::make_shared<ResamplePlan>();
  plan->planes = self.size(0) * self.size(1);
  for (int64_t i = 0; i < 3 - nd; ++i) {
    plan->axes[i].index = {0};
    plan->axes[i].weight = {1.0};
  }
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t in = self.size(2 + i);
    std::optional<double> s;
    if (size_t(i) < scales.size()) s = scales[size_t(i)];
    const int64_t out = output_size[i];
    const bool f64 = self.dtype() == DType::Float64;
    if (antialias) {
      const bool cubic = mode == UpsampleMode::CubicAntialias;
      plan->axes[3 - nd + i] = f64 ? antialias_axis<double>(cubic, in, out, align_corners, s)
                                   : antialias_axis<float>(cubic, in, out, align_corners, s);
    } else {
      plan->axes[3 - nd + i] = f64 ? make_axis<double>(mode, in, out, align_corners, s)
                                   : make_axis<float>(mode, in, out, align_corners, s);
    }
  }
  return resample(self, std::move(plan), with_spatial(self, nd, output_size), node_name(mode, nd));
}

namespace {

// Shuffles [*, C*r*r, H, W] into [*, C, H*r, W*r] (or back) by one reshape-permute-copy, recorded
// as one node whose backward is the inverse shuffle.
Tensor shuffle(const Tensor& self, int64_t r, bool up) {
  const char* op = up ? "pixel_shuffle" : "pixel_unshuffle";
  CRESSET_CHECK(self.dim() >= 3, RuntimeError, "[", op, "] ", op,
                " expects input to have at least 3 dimensions, but got input with ", self.dim(),
                " dimension(s)");
  CRESSET_CHECK(r > 0, RuntimeError, "[", op, "] ", op, " expects a positive ",
                up ? "upscale_factor" : "downscale_factor", ", but got ", r);
  const int64_t n = self.dim();
  const int64_t c = self.size(n - 3), h = self.size(n - 2), w = self.size(n - 1);
  if (up) {
    // Absurd factors overflow r * r (torch's ValueError) or the output sizes.
    int64_t rr = 0, hr = 0, wr = 0;
    CRESSET_CHECK(
        !__builtin_mul_overflow(r, r, &rr), ValueError, "[", op,
        "] upscale factor is too large, (upscale_factor)^2 overflowed: upscale_factor=", r);
    CRESSET_CHECK(!__builtin_mul_overflow(h, r, &hr) && !__builtin_mul_overflow(w, r, &wr),
                  RuntimeError, "[", op, "] upscale_factor ", r, " overflows the output size of ",
                  shape_str(self.sizes()));
    CRESSET_CHECK(c % rr == 0, RuntimeError, "[", op, "] ", op,
                  " expects its input's 'channel' dimension to be divisible by the square of "
                  "upscale_factor, but input.size(-3)=",
                  c, " is not divisible by ", rr);
  } else {
    CRESSET_CHECK(h % r == 0, RuntimeError, "[", op, "] ", op,
                  " expects height to be divisible by downscale_factor, but input.size(-2)=", h,
                  " is not divisible by ", r);
    CRESSET_CHECK(w % r == 0, RuntimeError, "[", op, "] ", op,
                  " expects width to be divisible by downscale_factor, but input.size(-1)=", w,
                  " is not divisible by ", r);
  }
  DimVector batch(self.sizes().data(), size_t(n - 3));
  auto dims = [&](std::initializer_list<int64_t> tail) {
    DimVector d = batch;
    for (int64_t x : tail) d.push_back(x);
    return d;
  };
  DimVector perm;
  for (int64_t i = 0; i < n - 3; ++i) perm.push_back(i);
  const int64_t b = n - 3;
  Tensor x = detach(self), out;
  if (up) {
    const int64_t oc = c / (r * r);
    x = reshape(x, dims({oc, r, r, h, w}));
    for (int64_t p : {0, 3, 1, 4, 2}) perm.push_back(b + p);
    out = reshape(contiguous(permute(x, perm)), dims({oc, h * r, w * r}));
  } else {
    const int64_t oh = h / r, ow = w / r;
    x = reshape(x, dims({c, oh, r, ow, r}));
    for (int64_t p : {0, 2, 4, 1, 3}) perm.push_back(b + p);
    out = reshape(contiguous(permute(x, perm)), dims({c * r * r, oh, ow}));
  }
  if (autograd::needs_grad({self})) {
    autograd::record(up ? "PixelShuffleBackward0" : "PixelUnshuffleBackward0", {self}, {out}, {},
                     [r, up](const autograd::Ctx& c) -> autograd::TensorList {
                       return {shuffle(c.grad(), r, !up)};
                     });
  }
  return out;
}

}  // namespace

Tensor pixel_shuffle(const Tensor& self, int64_t upscale_factor) {
  return shuffle(self, upscale_factor, true);
}

Tensor pixel_unshuffle(const Tensor& self, int64_t downscale_factor) {
  return shuffle(self, downscale_factor, false);
}

Tensor channel_shuffle(const Tensor& self, int64_t groups) {
  CRESSET_CHECK(self.dim() > 2, RuntimeError,
                "[channel_shuffle] channel_shuffle expects input with > 2 dims, but got input with "
                "sizes ", shape_str(self.sizes()));
  CRESSET_CHECK(groups > 0, RuntimeError,
                "[channel_shuffle] Number of groups to divide channels in must be positive. Value "
                "of groups:", groups);
  const int64_t c = self.size(1);
  CRESSET_CHECK(c % groups == 0, RuntimeError,
                "[channel_shuffle] Number of channels must be divisible by groups. Got ", c,
                " channels and ", groups, " groups.");
  // [N, g, C/g, *] with its two group dims swapped, copied back into [N, C, *].
  DimVector split = {self.size(0), groups, c / groups};
  for (int64_t d = 2; d < self.dim(); ++d) split.push_back(self.size(d));
  Tensor out =
      reshape(contiguous(transpose(reshape(detach(self), split), 1, 2)), self.sizes());
  if (autograd::needs_grad({self})) {
    // The inverse permutation is the shuffle with C / groups groups.
    autograd::record("ChannelShuffleBackward0", {self}, {out}, {},
                     [inverse = c / groups](const autograd::Ctx& ctx) -> autograd::TensorList {
                       return {channel_shuffle(ctx.grad(), inverse)};
                     });
  }
  return out;
}

}  // namespace cresset
