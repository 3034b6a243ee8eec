#pragma once
// The nn pool family: max/avg/adaptive pooling, max unpooling (pool.cpp), interpolation and pixel
// shuffle (upsample.cpp), F.interpolate's arguments (interpolate.cpp). Int lists take torch's short
// forms: one entry stands for every spatial dim, and an empty stride means stride = kernel_size.
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.max_pool1d_with_indices over [C, L] or [N, C, L]: values and int64 positions.
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& self, const DimVector& kernel_size,
                                                   const DimVector& stride,
                                                   const DimVector& padding,
                                                   const DimVector& dilation, bool ceil_mode);
/// torch._C._nn.max_pool2d_with_indices over [C, H, W] or [N, C, H, W].
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& self, const DimVector& kernel_size,
                                                   const DimVector& stride,
                                                   const DimVector& padding,
                                                   const DimVector& dilation, bool ceil_mode);
/// torch._C._nn.max_pool3d_with_indices over [C, D, H, W] or [N, C, D, H, W].
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& self, const DimVector& kernel_size,
                                                   const DimVector& stride,
                                                   const DimVector& padding,
                                                   const DimVector& dilation, bool ceil_mode);
/// torch.max_pool1d: the values of max_pool1d_with_indices.
Tensor max_pool1d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, const DimVector& dilation, bool ceil_mode);
/// torch.max_pool2d: the values of max_pool2d_with_indices (indices only made for autograd).
Tensor max_pool2d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, const DimVector& dilation, bool ceil_mode);
/// torch.max_pool3d.
Tensor max_pool3d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, const DimVector& dilation, bool ceil_mode);

/// torch.avg_pool1d.
Tensor avg_pool1d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, bool ceil_mode, bool count_include_pad);
/// torch._C._nn.avg_pool2d.
Tensor avg_pool2d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override);
/// torch._C._nn.avg_pool3d.
Tensor avg_pool3d(const Tensor& self, const DimVector& kernel_size, const DimVector& stride,
                  const DimVector& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override);

/// torch.adaptive_avg_pool1d.
Tensor adaptive_avg_pool1d(const Tensor& self, const DimVector& output_size);
/// torch._C._nn.adaptive_avg_pool2d (a mean over H, W for a 1x1 output, as torch).
Tensor adaptive_avg_pool2d(const Tensor& self, const DimVector& output_size);
/// torch._C._nn.adaptive_avg_pool3d.
Tensor adaptive_avg_pool3d(const Tensor& self, const DimVector& output_size);
/// torch.adaptive_max_pool1d: values and indices.
std::tuple<Tensor, Tensor> adaptive_max_pool1d(const Tensor& self, const DimVector& output_size);
/// torch._C._nn.adaptive_max_pool2d.
std::tuple<Tensor, Tensor> adaptive_max_pool2d(const Tensor& self, const DimVector& output_size);
/// torch._C._nn.adaptive_max_pool3d.
std::tuple<Tensor, Tensor> adaptive_max_pool3d(const Tensor& self, const DimVector& output_size);

/// torch._C._nn.fractional_max_pool2d: max pooling over windows of kernel_size placed at
/// pseudo-random steps given by random_samples [N, C, 2] (values in [0, 1), W's sample first).
std::tuple<Tensor, Tensor> fractional_max_pool2d(const Tensor& self, const DimVector& kernel_size,
                                                 const DimVector& output_size,
                                                 const Tensor& random_samples);

/// torch._C._nn.max_unpool2d: zeros of output_size [H, W] with self's values at `indices`.
Tensor max_unpool2d(const Tensor& self, const Tensor& indices, const DimVector& output_size);
/// torch._C._nn.max_unpool3d (stride and padding are only validated, as torch).
Tensor max_unpool3d(const Tensor& self, const Tensor& indices, const DimVector& output_size,
                    const DimVector& stride, const DimVector& padding);

/// Interpolation modes of the upsample_* ops (the antialiased ones are 2-D only).
enum class UpsampleMode { Nearest, NearestExact, Linear, Cubic, LinearAntialias, CubicAntialias };

/// torch._C._nn.upsample_{nearest,_nearest_exact,linear1d,bilinear2d,trilinear3d,bicubic2d}:
/// self has 1 + output_size.size() or 2 + output_size.size() dims; scales[i] (when given and
/// positive) replaces in/out as the source step of spatial dim i.
Tensor upsample(const Tensor& self, UpsampleMode mode, const DimVector& output_size,
                bool align_corners, const std::vector<std::optional<double>>& scales);

/// F.interpolate's arguments: `size` or `scale_factor`, each one value per spatial dim or, when
/// its `_is_scalar` flag is set, one value (a Python number) for every spatial dim.
struct InterpolateOptions {
  std::optional<DimVector> size;
  bool size_is_scalar = false;
  std::optional<std::vector<double>> scale_factor;
  bool scale_is_scalar = false;
  std::string mode = "nearest";  // nearest | nearest-exact | (bi|tri)linear | bicubic | area
  std::optional<bool> align_corners;
  std::optional<bool> recompute_scale_factor;
  bool antialias = false;
};

/// torch.nn.functional.interpolate: resizes the spatial dims of (N, C, *spatial), with torch's
/// argument checks (ValueError, NotImplementedError) and the upsample op or adaptive pooling
/// (area) that torch dispatches to.
Tensor interpolate(const Tensor& input, const InterpolateOptions& options);

/// torch.pixel_shuffle: [*, C*r*r, H, W] -> [*, C, H*r, W*r].
Tensor pixel_shuffle(const Tensor& self, int64_t upscale_factor);
/// torch.channel_shuffle: the C channels of [N, C, *] as `groups` groups of C / groups, reordered
/// to take one channel from each group in turn (ShuffleNet's channel mixing).
Tensor channel_shuffle(const Tensor& self, int64_t groups);
/// torch.pixel_unshuffle: [*, C, H*r, W*r] -> [*, C*r*r, H, W].
Tensor pixel_unshuffle(const Tensor& self, int64_t downscale_factor);

}  // namespace cresset
