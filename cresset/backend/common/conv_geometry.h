#pragma once
// The shape of a convolution problem, shared by the CPU and CUDA convolution kernels.
#include <cstdint>

namespace cresset {

/// One convolution seen from its forward direction: input x [N, C_in, I...], weight w [C_out,
/// C_in / groups, K...], output y [N, C_out, O...]. Every problem is three-dimensional; conv1d
/// and conv2d have leading spatial dims of size 1 (kernel 1, stride 1, padding 0).
struct ConvGeometry {
  int64_t batch = 0, groups = 1, in_channels = 0, out_channels = 0;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
};

/// Which product of a convolution a kernel computes: the output y = conv(x, w), the input
/// gradient gx = conv^T(gy, w), or the weight gradient gw from (gy, x).
enum class ConvKind { Forward, BackwardInput, BackwardWeight };

}  // namespace cresset
