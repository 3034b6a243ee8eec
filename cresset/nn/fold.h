#pragma once
// Sliding blocks (F.unfold / F.fold): torch._C._nn.im2col and col2im over 2-D images.
#include "cresset/core/tensor.h"

namespace cresset {

/// torch._C._nn.im2col: input [N, C, H, W] (or [C, H, W]) to columns [N, C * kh * kw, L].
/// Records Im2ColBackward0.
Tensor im2col(const Tensor& input, const DimVector& kernel_size, const DimVector& dilation,
              const DimVector& padding, const DimVector& stride);

/// torch._C._nn.col2im: columns [N, C * kh * kw, L] (or unbatched) summed into [N, C,
/// *output_size]. Records Col2ImBackward0.
Tensor col2im(const Tensor& input, const DimVector& output_size, const DimVector& kernel_size,
              const DimVector& dilation, const DimVector& padding, const DimVector& stride);

}  // namespace cresset
