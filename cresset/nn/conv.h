#pragma once
// Convolutions (torch.convolution, conv1d/2d/3d, conv_transpose1d/2d/3d) and their gradients.
// Argument lists (stride, padding, dilation, output_padding) hold one value per spatial dim, or
// a single value used for every dim, as torch's Python API accepts them.
#include <string>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.convolution: input [N, C_in, *], weight [C_out, C_in / groups, *] ([C_in, C_out /
/// groups, *] when transposed), bias [C_out] or undefined. Records ConvolutionBackward0.
Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias,
                   const DimVector& stride, const DimVector& padding, const DimVector& dilation,
                   bool transposed, const DimVector& output_padding, int64_t groups);

/// torch.conv1d / conv2d / conv3d (spatial_dims 1, 2, 3): also accepts an unbatched input.
Tensor conv_nd(int64_t spatial_dims, const Tensor& input, const Tensor& weight, const Tensor& bias,
               const DimVector& stride, const DimVector& padding, const DimVector& dilation,
               int64_t groups);

/// conv_nd with padding "same" (output size = input size, stride 1) or "valid" (no padding).
Tensor conv_nd(int64_t spatial_dims, const Tensor& input, const Tensor& weight, const Tensor& bias,
               const DimVector& stride, const std::string& padding, const DimVector& dilation,
               int64_t groups);

/// torch.conv_transpose1d / 2d / 3d: also accepts an unbatched input.
Tensor conv_transpose_nd(int64_t spatial_dims, const Tensor& input, const Tensor& weight,
                         const Tensor& bias, const DimVector& stride, const DimVector& padding,
                         const DimVector& output_padding, int64_t groups,
                         const DimVector& dilation);

}  // namespace cresset
