// affine_grid (a matmul of the target's coordinates by theta^T, with its own node as torch's) and
// grid_sample (argument checks, the CPU kernels of backend/cpu/grid_sample.cpp, the backward).
#include "cresset/nn/grid_sample.h"

#include "cresset/autograd/function.h"
#include "cresset/core/error.h"
#include "cresset/core/warning.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

constexpr const char* kAlignCornersWarning =
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
    "Please specify align_corners=True if the old behavior is desired. See the documentation of "
    "grid_sample for details.";

// The normalized coordinates of `steps` target positions, as torch: -1 to 1 over the corner
// centers (align_corners) or the same scaled by (steps - 1) / steps onto the pixel centers; 0 for
// a single position.
Tensor coordinates(int64_t steps, bool align_corners, DType dtype, Device device) {
  if (steps <= 1) return zeros({1}, dtype, device);
  Tensor r = linspace(-1, 1, steps, dtype, device);
  if (align_corners) return r;
  return div(mul(r, full({}, steps - 1, dtype, device)), full({}, steps, dtype, device));
}

}  // namespace

Tensor affine_grid_generator(const Tensor& theta, const DimVector& size, bool align_corners) {
  const int64_t nd = int64_t(size.size()) - 2;
  CRESSET_CHECK(nd == 2 || nd == 3, RuntimeError,
                "[affine_grid_generator] expected a size of 4 (2-D) or 5 (3-D) entries, got ",
                shape_str(size));
  CRESSET_CHECK(theta.dim() == 3 && theta.size(1) == nd && theta.size(2) == nd + 1, RuntimeError,
                "[affine_grid_generator] expected theta of shape [N, ", nd, ", ", nd + 1,
                "] for size ", shape_str(size), ", got ", shape_str(theta.sizes()));
  CRESSET_CHECK(theta.size(0) == size[0], RuntimeError,
                "[affine_grid_generator] expected theta's batch size to be size[0] = ", size[0],
                ", got theta of shape ", shape_str(theta.sizes()));
  CRESSET_CHECK(theta.is_floating_point(), RuntimeError,
                "[affine_grid_generator] expected a floating point theta, got ",
                dtype_name(theta.dtype()));
  // The target's homogeneous coordinates (x, y[, z], 1), one row per point, x fastest.
  const DType dt = theta.dtype();
  const Device dev = theta.device();
  const int64_t d = nd == 3 ? size[2] : 1, h = size[size.size() - 2], w = size.back();
  const DimVector spatial = {d, h, w};
  std::vector<Tensor> columns = {
      expand(view(coordinates(w, align_corners, dt, dev), {1, 1, -1}), spatial),
      expand(view(coordinates(h, align_corners, dt, dev), {1, -1, 1}), spatial)};
  if (nd == 3)
    columns.push_back(expand(view(coordinates(d, align_corners, dt, dev), {-1, 1, 1}), spatial));
  columns.push_back(expand(ones({1, 1, 1}, dt, dev), spatial));
  const Tensor base = reshape(stack(columns, -1), {d * h * w, nd + 1});
  Tensor grid = matmul(base, transpose(detach(theta), 1, 2));
  DimVector grid_sizes = {size[0]};
  for (size_t i = 2; i < size.size(); ++i) grid_sizes.push_back(size[i]);
  grid_sizes.push_back(nd);
  grid = reshape(grid, grid_sizes);
  if (autograd::needs_grad({theta})) {
    autograd::record("AffineGridGeneratorBackward0", {theta}, {grid}, {},
                     [base, nd](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor g = reshape(c.grad(), {c.grad().size(0), -1, nd});
                       return {matmul(transpose(g, 1, 2), base)};
                     });
  }
  return grid;
}

Tensor affine_grid(const Tensor& theta, const DimVector& size, std::optional<bool> align_corners) {
  if (!align_corners) warn(kAlignCornersWarning);
  CRESSET_CHECK(theta.is_floating_point(), ValueError,
                "[affine_grid] Expected theta to have floating point type, but got ",
                dtype_name(theta.dtype()));
  const int64_t n = int64_t(size.size());
  CRESSET_CHECK(n == 4 || n == 5, NotImplementedError,
                "[affine_grid] affine_grid only supports 4D and 5D sizes, for 2D and 3D affine "
                "transforms, respectively. Got size ",
                shape_str(size), ".");
  const int64_t nd = n - 2;
  CRESSET_CHECK(theta.dim() == 3 && theta.size(1) == nd && theta.size(2) == nd + 1, ValueError,
                "[affine_grid] Expected a batch of ", nd, "D affine matrices of shape Nx", nd, "x",
                nd + 1, " for size ", shape_str(size), ". Got ", shape_str(theta.sizes()), ".");
  int64_t smallest_spatial = size[2], smallest = size[0];
  for (int64_t i = 0; i < n; ++i) {
    smallest = std::min(smallest, size[i]);
    if (i >= 2) smallest_spatial = std::min(smallest_spatial, size[i]);
  }
  // As torch: a unit-size grid with align_corners only warns (and skips the size check).
  if (align_corners.value_or(false) && smallest_spatial == 1) {
    warn(
        "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
        "align_corners=True. This is not an intended use case of affine_grid. See the "
        "documentation of affine_grid for details.");
  } else {
    CRESSET_CHECK(smallest > 0, ValueError,
                  "[affine_grid] Expected non-zero, positive output size. Got ", shape_str(size));
  }
  return affine_grid_generator(theta, size, align_corners.value_or(false));
}

namespace {

// The gradients of sample with respect to input and grid (undefined where not wanted). Double
// backward is not implemented: when the gradients could be differentiated again they carry a
// node that says so rather than passing for constants.
autograd::TensorList sample_backward(const Tensor& grad, const Tensor& input, const Tensor& grid,
                                     const GridSampleOptions& o, bool want_input, bool want_grid) {
  const Tensor g = contiguous(detach(grad));
  const Tensor x = contiguous(detach(input)), pts = contiguous(detach(grid));
  Tensor gi = want_input ? zeros(x.sizes(), x.dtype(), x.device()) : Tensor();
  Tensor gg = want_grid ? zeros(pts.sizes(), pts.dtype(), pts.device()) : Tensor();
  if (g.numel() > 0) cpu::grid_sample_backward(gi, gg, g, x, pts, o);
  if (autograd::needs_grad({grad, input, grid})) {
    autograd::record(
        grid.dim() == 4 ? "GridSampler2DBackwardBackward0" : "GridSampler3DBackwardBackward0",
        {grad, input, grid}, {gi, gg}, {}, [](const autograd::Ctx&) -> autograd::TensorList {
          throw NotImplementedError(
              "[grid_sampler] the derivative of grid_sampler's backward (double backward) is not "
              "implemented");
        });
  }
  return {gi, gg};
}

// Grid sampling of checked, contiguous operands, recorded as GridSampler{2,3}DBackward0.
Tensor sample(const Tensor& input, const Tensor& grid, const GridSampleOptions& o) {
  const Tensor x = contiguous(detach(input)), g = contiguous(detach(grid));
  DimVector sizes = {x.size(0), x.size(1)};
  for (int64_t i = 1; i < g.dim() - 1; ++i) sizes.push_back(g.size(i));
  Tensor out = empty_tensor(sizes, x.dtype(), x.device());
  if (out.numel() > 0) cpu::grid_sample_forward(out, x, g, o);
  if (autograd::needs_grad({input, grid})) {
    autograd::record(grid.dim() == 4 ? "GridSampler2DBackward0" : "GridSampler3DBackward0",
                     {input, grid}, {out}, {input, grid},
                     [o](const autograd::Ctx& c) -> autograd::TensorList {
                       return sample_backward(c.grad(), c.saved(0), c.saved(1), o,
                                              c.needs_input_grad(0), c.needs_input_grad(1));
                     });
  }
  return out;
}

}  // namespace

Tensor grid_sampler(const Tensor& input, const Tensor& grid, int64_t mode, int64_t padding_mode,
                    bool align_corners) {
  CRESSET_CHECK(input.defined() && grid.defined(), RuntimeError,
                "[grid_sampler] expected input and grid to be defined");
  CRESSET_CHECK(input.device() == grid.device(), RuntimeError,
                "[grid_sampler] expected input and grid to be on same device, but input is on ",
                input.device().str(), " and grid is on ", grid.device().str());
  CRESSET_CHECK(input.dtype() == grid.dtype(), RuntimeError,
                "[grid_sampler] expected input and grid to have same dtype, but input has ",
                dtype_display(input.dtype()), " and grid has ", dtype_display(grid.dtype()));
  CRESSET_CHECK(grid.dim() >= 1 && grid.size(-1) == input.dim() - 2, RuntimeError,
                "[grid_sampler] expected grid to have size ", input.dim() - 2,
                " in last dimension, but got grid with sizes ", shape_str(grid.sizes()));
  CRESSET_CHECK((input.dim() == 4 || input.dim() == 5) && input.dim() == grid.dim(), RuntimeError,
                "[grid_sampler] expected 4D or 5D input and grid with same number of dimensions, "
                "but got input with sizes ",
                shape_str(input.sizes()), " and grid with sizes ", shape_str(grid.sizes()));
  CRESSET_CHECK(input.size(0) == grid.size(0), RuntimeError,
                "[grid_sampler] expected grid and input to have same batch size, but got input "
                "with sizes ",
                shape_str(input.sizes()), " and grid with sizes ", shape_str(grid.sizes()));
  for (int64_t i = 2; i < input.dim(); ++i) {
    CRESSET_CHECK(input.size(i) > 0, RuntimeError,
                  "[grid_sampler] expected input to have non-empty spatial dimensions, but input "
                  "has sizes ",
                  shape_str(input.sizes()), " with dimension ", i, " being empty");
  }
  CRESSET_CHECK(mode >= 0 && mode <= 2, RuntimeError,
                "[grid_sampler] expected interpolation mode 0 (bilinear), 1 (nearest) or 2 "
                "(bicubic), got ",
                mode);
  CRESSET_CHECK(padding_mode >= 0 && padding_mode <= 2, RuntimeError,
                "[grid_sampler] expected padding mode 0 (zeros), 1 (border) or 2 (reflection), "
                "got ",
                padding_mode);
  const GridSampleOptions o{GridSampleMode(mode), GridSamplePadding(padding_mode), align_corners};
  CRESSET_CHECK(o.mode != GridSampleMode::Bicubic || input.dim() == 4, RuntimeError,
                "[grid_sampler] bicubic interpolation only supports 4D input");
  CRESSET_CHECK(input.is_floating_point(), NotImplementedError, "[grid_sampler] \"grid_sampler_",
                input.dim() - 2, "d_cpu\" not implemented for '", dtype_display(input.dtype()),
                "'");
  CRESSET_CHECK(!input.device().is_cuda(), NotImplementedError,
                "[grid_sampler] grid_sampler is not implemented for CUDA tensors yet");
  return sample(input, grid, o);
}

Tensor grid_sample(const Tensor& input, const Tensor& grid, const std::string& mode,
                   const std::string& padding_mode, std::optional<bool> align_corners) {
  const int64_t m = mode == "bilinear" ? 0 : mode == "nearest" ? 1 : mode == "bicubic" ? 2 : -1;
  CRESSET_CHECK(m >= 0, ValueError,
                "[grid_sample] nn.functional.grid_sample(): expected mode to be 'bilinear', "
                "'nearest' or 'bicubic', but got: '",
                mode, "'");
  const int64_t p = padding_mode == "zeros"        ? 0
                    : padding_mode == "border"     ? 1
                    : padding_mode == "reflection" ? 2
                                                   : -1;
  CRESSET_CHECK(p >= 0, ValueError,
                "[grid_sample] nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                "'border', or 'reflection', but got: '",
                padding_mode, "'");
  if (!align_corners) warn(kAlignCornersWarning);
  return grid_sampler(input, grid, m, p, align_corners.value_or(false));
}

}  // namespace cresset
