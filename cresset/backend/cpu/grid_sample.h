#pragma once
// CPU kernels of grid sampling (torch.grid_sampler). They gather a few input values per sampled
// point (memory bound), so they are compiled once (no per-capability copies, see Note [CPU
// capability dispatch]).
#include "cresset/core/tensor.h"

namespace cresset {

/// torch's interpolation modes of grid_sampler, with its enum values.
enum class GridSampleMode : int64_t { Bilinear = 0, Nearest = 1, Bicubic = 2 };
/// torch's padding modes of grid_sampler, with its enum values.
enum class GridSamplePadding : int64_t { Zeros = 0, Border = 1, Reflection = 2 };

/// How grid points map to input positions.
struct GridSampleOptions {
  GridSampleMode mode = GridSampleMode::Bilinear;
  GridSamplePadding padding = GridSamplePadding::Zeros;
  bool align_corners = false;
};

namespace cpu {

/// out [N, C, *out_spatial] = input [N, C, *in_spatial] sampled at grid [N, *out_spatial, nd]
/// (nd = 2 or 3 spatial dims, x first); all contiguous, one floating dtype.
void grid_sample_forward(const Tensor& out, const Tensor& input, const Tensor& grid,
                         const GridSampleOptions& options);
/// The gradients of grid_sample_forward for the contiguous output gradient `grad`: grad_input
/// (zeroed, input's shape) and grad_grid (grid's shape); either may be undefined (not wanted).
void grid_sample_backward(const Tensor& grad_input, const Tensor& grad_grid, const Tensor& grad,
                          const Tensor& input, const Tensor& grid,
                          const GridSampleOptions& options);

}  // namespace cpu
}  // namespace cresset
