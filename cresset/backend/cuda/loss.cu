// nll_loss on CUDA, the contracts of cresset/backend/cpu/loss.h. The forward sums in double in one
// block (a fixed tree: the same result on every run); a target outside [0, classes) is skipped and
// reported through a DeviceFlag (see Note [CUDA error flags]).
#include "cresset/backend/common/loss_targets.h"
#include "cresset/backend/cuda/device_flag.h"
#include "cresset/backend/cuda/launch.cuh"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

constexpr int kLossThreads = 256;
constexpr int64_t kMaxLossBlocks = int64_t(1) << 16;

struct NllShape {
  int64_t batch, classes, inner, reduction, ignore_index;
};

template <typename T, typename Tgt>
__global__ void __launch_bounds__(kLossThreads)
    nll_forward_kernel(T* y, T* total_weight, const T* x, const Tgt* t, const T* w, NllShape s,
                       int64_t* flag) {
  __shared__ double sums[kLossThreads], wsums[kLossThreads];
  double sum = 0, wsum = 0;
  const int64_t n = s.batch * s.inner;
  for (int64_t k = threadIdx.x; k < n; k += kLossThreads) {
    const int64_t c = int64_t(t[k]);
    if (c == s.ignore_index) {
      if (s.reduction == 0) y[k] = T(0);
      continue;
    }
    if (c < 0 || c >= s.classes) {
      flag_set(flag, c);
      continue;
    }
    const int64_t b = k / s.inner, i = k % s.inner;
    const double wc = w ? double(opmath_t<T>(w[c])) : 1.0;
    const double v = -wc * double(opmath_t<T>(x[(b * s.classes + c) * s.inner + i]));
    if (s.reduction == 0) {
      y[k] = T(v);
    } else {
      sum += v;
    }
    wsum += wc;
  }
  sums[threadIdx.x] = sum;
  wsums[threadIdx.x] = wsum;
  __syncthreads();
  for (int h = kLossThreads / 2; h > 0; h /= 2) {
    if (int(threadIdx.x) < h) {
      sums[threadIdx.x] += sums[threadIdx.x + h];
      wsums[threadIdx.x] += wsums[threadIdx.x + h];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    *total_weight = T(wsums[0]);
    if (s.reduction == 1) {
      *y = T(sums[0] / wsums[0]);
    } else if (s.reduction == 2) {
      *y = T(sums[0]);
    }
  }
}

// grad_input was zeroed; each target writes its one entry.
template <typename T, typename Tgt>
__global__ void __launch_bounds__(kLossThreads)
    nll_backward_kernel(T* gi, const T* g, const T* total_weight, const Tgt* t, const T* w,
                        NllShape s) {
  using M = opmath_t<T>;
  const int64_t n = s.batch * s.inner;
  M scale = s.reduction == 0 ? M(1) : M(g[0]);
  if (s.reduction == 1) scale /= M(*total_weight);
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t k = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; k < n; k += step) {
    const int64_t c = int64_t(t[k]);
    if (c == s.ignore_index || c < 0 || c >= s.classes) continue;  // the forward checked range
    const M gk = s.reduction == 0 ? M(g[k]) : scale;
    const int64_t b = k / s.inner, i = k % s.inner;
    const M wc = w ? M(w[c]) : M(1);
    gi[(b * s.classes + c) * s.inner + i] = T(-wc * gk);
  }
}

}  // namespace

void nll_loss_forward(const Tensor& out, const Tensor& total_weight, const Tensor& self,
                      const Tensor& target, const Tensor& weight, int64_t batch, int64_t classes,
                      int64_t inner, int64_t reduction, int64_t ignore_index) {
  const int device = self.device().index;
  DeviceFlag flag(device);
  DeviceGuard guard(device);
  const NllShape s{batch, classes, inner, reduction, ignore_index};
  CRESSET_DISPATCH_FLOAT("nll_loss", self.dtype(), [&] {
    const scalar_t* w = weight.defined() ? weight.data<scalar_t>() : nullptr;
    with_targets(target, [&](const auto* t) {
      using Tgt = std::remove_cv_t<std::remove_pointer_t<decltype(t)>>;
      nll_forward_kernel<scalar_t, Tgt><<<1, kLossThreads, 0, stream_of(device)>>>(
          out.data<scalar_t>(), total_weight.data<scalar_t>(), self.data<scalar_t>(), t, w, s,
          flag.ptr());
    });
  });
  check_launch("nll_loss");
  int64_t bad = 0;
  CRESSET_CHECK(!flag.read(&bad), IndexError, "Target ", bad, " is out of bounds.");
}

void nll_loss_backward(const Tensor& grad_input, const Tensor& grad, const Tensor& target,
                       const Tensor& weight, const Tensor& total_weight, int64_t batch,
                       int64_t classes, int64_t inner, int64_t reduction, int64_t ignore_index) {
  const int device = grad_input.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  check(cudaMemsetAsync(grad_input.raw_data(), 0, size_t(grad_input.nbytes()), stream),
        "nll_loss_backward");
  const int64_t n = batch * inner;
  if (n == 0) return;
  const NllShape s{batch, classes, inner, reduction, ignore_index};
  int64_t blocks = (n + kLossThreads - 1) / kLossThreads;
  if (blocks > kMaxLossBlocks) blocks = kMaxLossBlocks;
  CRESSET_DISPATCH_FLOAT("nll_loss_backward", grad_input.dtype(), [&] {
    const scalar_t* w = weight.defined() ? weight.data<scalar_t>() : nullptr;
    with_targets(target, [&](const auto* t) {
      using Tgt = std::remove_cv_t<std::remove_pointer_t<decltype(t)>>;
      nll_backward_kernel<scalar_t, Tgt><<<unsigned(blocks), kLossThreads, 0, stream>>>(
          grad_input.data<scalar_t>(), grad.data<scalar_t>(), total_weight.data<scalar_t>(), t, w,
          s);
    });
  });
  check_launch("nll_loss_backward");
}

}  // namespace cresset::cuda::impl
