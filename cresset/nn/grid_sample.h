#pragma once
// Spatial transformer ops: affine_grid makes a sampling grid from affine matrices, grid_sample
// reads an input at a grid's points (grid_sample.cpp; the CPU kernels in backend/cpu).
#include <optional>
#include <string>

#include "cresset/backend/cpu/grid_sample.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.affine_grid_generator: the grid [N, H, W, 2] (size N, C, H, W; theta [N, 2, 3]) or
/// [N, D, H, W, 3] (size N, C, D, H, W; theta [N, 3, 4]) of theta applied to the target's
/// normalized coordinates (x first).
Tensor affine_grid_generator(const Tensor& theta, const DimVector& size, bool align_corners);
/// torch.nn.functional.affine_grid: affine_grid_generator with torch's argument checks (ValueError,
/// NotImplementedError) and its warnings; align_corners defaults to false.
Tensor affine_grid(const Tensor& theta, const DimVector& size,
                   std::optional<bool> align_corners = std::nullopt);

/// torch.grid_sampler: input [N, C, H, W] (or [N, C, D, H, W]) sampled at grid [N, H', W', 2]
/// (or [N, D', H', W', 3]) of normalized (x, y[, z]) positions: [N, C, H', W'] (or [N, C, D', H',
/// W']). mode and padding_mode are torch's enum values (GridSampleMode, GridSamplePadding).
Tensor grid_sampler(const Tensor& input, const Tensor& grid, int64_t mode, int64_t padding_mode,
                    bool align_corners);
/// torch.nn.functional.grid_sample: grid_sampler with the modes by name ('bilinear' | 'nearest' |
/// 'bicubic', 'zeros' | 'border' | 'reflection'; ValueError otherwise); align_corners defaults to
/// false, with torch's warning.
Tensor grid_sample(const Tensor& input, const Tensor& grid, const std::string& mode = "bilinear",
                   const std::string& padding_mode = "zeros",
                   std::optional<bool> align_corners = std::nullopt);

}  // namespace cresset
