#pragma once
// Window functions for signal processing (cresset/ops/windows.cpp): torch.hann_window,
// hamming_window, blackman_window, bartlett_window and kaiser_window. Each returns a 1-D tensor of
// `length` points in a floating `dtype`; a periodic window is the symmetric window of length + 1
// without its last point (the form spectral analysis wants).
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.hann_window: 0.5 - 0.5 cos(2 pi n / (N - 1)).
Tensor hann_window(int64_t length, bool periodic, DType dtype, Device device = Device());
/// torch.hamming_window: alpha - beta cos(2 pi n / (N - 1)).
Tensor hamming_window(int64_t length, bool periodic, double alpha, double beta, DType dtype,
                      Device device = Device());
/// torch.blackman_window: 0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1)).
Tensor blackman_window(int64_t length, bool periodic, DType dtype, Device device = Device());
/// torch.bartlett_window: the triangle 1 - |2 n / (N - 1) - 1|.
Tensor bartlett_window(int64_t length, bool periodic, DType dtype, Device device = Device());
/// torch.kaiser_window: I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta) with a = (N - 1) / 2.
Tensor kaiser_window(int64_t length, bool periodic, double beta, DType dtype,
                     Device device = Device());

}  // namespace cresset
