#pragma once
// Normalization layers (torch.nn.functional's batch_norm, instance_norm, layer_norm, group_norm,
// rms_norm). Batch, layer and group norm are fused kernels with a fused backward; instance norm is
// batch norm over a reshaped input and rms_norm a composite, as in torch.
#include <optional>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.batch_norm: normalizes each channel (dim 1) with batch statistics when `training` (then
/// updates running_mean/running_var in place, if given) or with the running statistics.
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps);

/// torch.instance_norm: batch norm of each (sample, channel) plane; running stats are averaged
/// over the batch.
Tensor instance_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                     const Tensor& running_mean, const Tensor& running_var, bool use_input_stats,
                     double momentum, double eps);

/// torch.layer_norm: normalizes over the trailing `normalized_shape` dims.
Tensor layer_norm(const Tensor& input, const DimVector& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps);

/// torch.group_norm: normalizes each group of num_groups channel groups per sample.
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                  double eps);

/// torch.rms_norm: x / sqrt(mean(x^2) + eps) over the trailing dims, times weight (composite).
Tensor rms_norm(const Tensor& input, const DimVector& normalized_shape, const Tensor& weight,
                std::optional<double> eps);

}  // namespace cresset
