// Bindings of the nn pool family (pooling, interpolation, pixel shuffle, grid sampling): torch.*
// and torch._C._nn functions.
#include <nanobind/stl/tuple.h>

#include "bind.h"
#include "cresset/nn/grid_sample.h"
#include "cresset/nn/pool.h"

namespace cresset::py {

namespace {

// An int or a sequence of ints (torch's IntArrayRef arguments).
DimVector ints(nb::handle h) { return to_sizes(h); }

std::optional<int64_t> optional_int(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return nb::cast<int64_t>(h);
}

// The first nd of the optional per-dim scales arguments.
std::vector<std::optional<double>> scales_of(int nd, nb::handle a, nb::handle b, nb::handle c) {
  const nb::handle all[3] = {a, b, c};
  std::vector<std::optional<double>> s;
  for (int i = 0; i < nd; ++i) {
    s.push_back(all[i].is_none() ? std::nullopt : std::optional<double>(nb::cast<double>(all[i])));
  }
  return s;
}

// A max pooling op, values or (values, indices): (input, kernel_size, stride, padding,
// dilation, ceil_mode).
template <typename R>
void def_max_pool(nb::module_& m, const char* name,
                  R (*f)(const Tensor&, const DimVector&, const DimVector&, const DimVector&,
                         const DimVector&, bool)) {
  m.def(
      name,
      [f](const Tensor& x, nb::handle k, nb::handle s, nb::handle p, nb::handle d, bool ceil_mode) {
        return f(x, ints(k), ints(s), ints(p), ints(d), ceil_mode);
      },
      "input"_a, "kernel_size"_a, "stride"_a = nb::tuple(), "padding"_a = 0, "dilation"_a = 1,
      "ceil_mode"_a = false);
}

// An adaptive pooling op: (input, output_size).
template <typename R>
void def_adaptive(nb::module_& m, const char* name, R (*f)(const Tensor&, const DimVector&)) {
  m.def(
      name, [f](const Tensor& x, nb::handle size) { return f(x, ints(size)); }, "input"_a,
      "output_size"_a);
}

void def_nearest(nb::module_& nn, const char* name, UpsampleMode mode, int nd) {
  nn.def(
      name,
      [mode, nd](const Tensor& x, nb::handle size, nb::handle a, nb::handle b, nb::handle c) {
        return upsample(x, mode, ints(size), false, scales_of(nd, a, b, c));
      },
      "input"_a, "output_size"_a, "scales_0"_a = nb::none(), "scales_1"_a = nb::none(),
      "scales_2"_a = nb::none());
}

void def_interp(nb::module_& nn, const char* name, UpsampleMode mode, int nd) {
  nn.def(
      name,
      [mode, nd](const Tensor& x, nb::handle size, bool align_corners, nb::handle a, nb::handle b,
                 nb::handle c) {
        return upsample(x, mode, ints(size), align_corners, scales_of(nd, a, b, c));
      },
      "input"_a, "output_size"_a, "align_corners"_a, "scales_0"_a = nb::none(),
      "scales_1"_a = nb::none(), "scales_2"_a = nb::none());
}

}  // namespace

void init_nn_pool(nb::module_& m) {
  nb::module_ nn = m.def_submodule("_nn");
  def_max_pool(m, "max_pool1d", max_pool1d);
  def_max_pool(m, "max_pool2d", max_pool2d);
  def_max_pool(m, "max_pool3d", max_pool3d);
  def_max_pool(m, "max_pool1d_with_indices", max_pool1d_with_indices);
  def_max_pool(nn, "max_pool2d_with_indices", max_pool2d_with_indices);
  def_max_pool(nn, "max_pool3d_with_indices", max_pool3d_with_indices);

  m.def(
      "avg_pool1d",
      [](const Tensor& x, nb::handle k, nb::handle s, nb::handle p, bool ceil_mode,
         bool count_include_pad) {
        return avg_pool1d(x, ints(k), ints(s), ints(p), ceil_mode, count_include_pad);
      },
      "input"_a, "kernel_size"_a, "stride"_a = nb::tuple(), "padding"_a = 0, "ceil_mode"_a = false,
      "count_include_pad"_a = true);
  for (auto [name, f] :
       {std::pair{"avg_pool2d", &avg_pool2d}, std::pair{"avg_pool3d", &avg_pool3d}}) {
    nn.def(
        name,
        [f = f](const Tensor& x, nb::handle k, nb::handle s, nb::handle p, bool ceil_mode,
                bool count_include_pad, nb::handle divisor_override) {
          return f(x, ints(k), ints(s), ints(p), ceil_mode, count_include_pad,
                   optional_int(divisor_override));
        },
        "input"_a, "kernel_size"_a, "stride"_a = nb::tuple(), "padding"_a = 0,
        "ceil_mode"_a = false, "count_include_pad"_a = true, "divisor_override"_a = nb::none());
  }

  def_adaptive(m, "adaptive_avg_pool1d", adaptive_avg_pool1d);
  def_adaptive(nn, "adaptive_avg_pool2d", adaptive_avg_pool2d);
  def_adaptive(nn, "adaptive_avg_pool3d", adaptive_avg_pool3d);
  def_adaptive(m, "adaptive_max_pool1d", adaptive_max_pool1d);
  def_adaptive(nn, "adaptive_max_pool2d", adaptive_max_pool2d);
  def_adaptive(nn, "adaptive_max_pool3d", adaptive_max_pool3d);

  nn.def(
      "max_unpool2d",
      [](const Tensor& x, const Tensor& indices, nb::handle size) {
        return max_unpool2d(x, indices, ints(size));
      },
      "input"_a, "indices"_a, "output_size"_a);
  nn.def(
      "max_unpool3d",
      [](const Tensor& x, const Tensor& indices, nb::handle size, nb::handle s, nb::handle p) {
        return max_unpool3d(x, indices, ints(size), ints(s), ints(p));
      },
      "input"_a, "indices"_a, "output_size"_a, "stride"_a, "padding"_a);

  nn.def(
      "fractional_max_pool2d",
      [](const Tensor& x, nb::handle k, nb::handle size, const Tensor& samples) {
        return fractional_max_pool2d(x, ints(k), ints(size), samples);
      },
      "input"_a, "kernel_size"_a, "output_size"_a, "random_samples"_a);

  // F.interpolate: a number for size or scale_factor stands for every spatial dim.
  nn.def(
      "interpolate",
      [](const Tensor& input, nb::handle size, nb::handle scale_factor, const std::string& mode,
         std::optional<bool> align_corners, std::optional<bool> recompute_scale_factor,
         bool antialias) {
        InterpolateOptions o;
        if (!size.is_none()) {
          o.size = ints(size);
          o.size_is_scalar = is_number(size);
        }
        if (!scale_factor.is_none()) {
          o.scale_is_scalar = is_number(scale_factor);
          o.scale_factor = o.scale_is_scalar ? std::vector<double>{nb::cast<double>(scale_factor)}
                                             : nb::cast<std::vector<double>>(scale_factor);
        }
        o.mode = mode;
        o.align_corners = align_corners;
        o.recompute_scale_factor = recompute_scale_factor;
        o.antialias = antialias;
        return interpolate(input, o);
      },
      "input"_a, "size"_a = nb::none(), "scale_factor"_a = nb::none(), "mode"_a = "nearest",
      "align_corners"_a = nb::none(), "recompute_scale_factor"_a = nb::none(),
      "antialias"_a = false);

  def_nearest(nn, "upsample_nearest1d", UpsampleMode::Nearest, 1);
  def_nearest(nn, "upsample_nearest2d", UpsampleMode::Nearest, 2);
  def_nearest(nn, "upsample_nearest3d", UpsampleMode::Nearest, 3);
  def_nearest(nn, "_upsample_nearest_exact1d", UpsampleMode::NearestExact, 1);
  def_nearest(nn, "_upsample_nearest_exact2d", UpsampleMode::NearestExact, 2);
  def_nearest(nn, "_upsample_nearest_exact3d", UpsampleMode::NearestExact, 3);
  def_interp(nn, "upsample_linear1d", UpsampleMode::Linear, 1);
  def_interp(nn, "upsample_bilinear2d", UpsampleMode::Linear, 2);
  def_interp(nn, "upsample_trilinear3d", UpsampleMode::Linear, 3);
  def_interp(nn, "upsample_bicubic2d", UpsampleMode::Cubic, 2);
  def_interp(nn, "_upsample_bilinear2d_aa", UpsampleMode::LinearAntialias, 2);
  def_interp(nn, "_upsample_bicubic2d_aa", UpsampleMode::CubicAntialias, 2);

  m.def("pixel_shuffle", &pixel_shuffle, "input"_a, "upscale_factor"_a);
  m.def("channel_shuffle", &channel_shuffle, "input"_a, "groups"_a);
  m.def("pixel_unshuffle", &pixel_unshuffle, "input"_a, "downscale_factor"_a);

  m.def(
      "affine_grid_generator",
      [](const Tensor& theta, nb::handle size, bool align_corners) {
        return affine_grid_generator(theta, ints(size), align_corners);
      },
      "theta"_a, "size"_a, "align_corners"_a);
  m.def("grid_sampler", &grid_sampler, "input"_a, "grid"_a, "interpolation_mode"_a,
        "padding_mode"_a, "align_corners"_a);
  nn.def(
      "affine_grid",
      [](const Tensor& theta, nb::handle size, std::optional<bool> align_corners) {
        return affine_grid(theta, ints(size), align_corners);
      },
      "theta"_a, "size"_a, "align_corners"_a = nb::none());
  nn.def("grid_sample", &grid_sample, "input"_a, "grid"_a, "mode"_a = "bilinear",
         "padding_mode"_a = "zeros", "align_corners"_a = nb::none());
}

}  // namespace cresset::py
