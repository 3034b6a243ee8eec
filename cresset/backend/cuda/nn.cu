// softmax and log_softmax on CUDA (the nn family; backward is composed of ops, see ops/nn.cpp).
// A row of the [outer, dim, inner] view is reduced by one warp when inner == 1 (the common last-dim
// case: coalesced reads, shuffle reductions) and by one thread per (outer, inner) column otherwise
// (neighbouring threads then read neighbouring columns). Math runs at opmath precision.
#include <cmath>

#include "cresset/backend/cuda/launch.cuh"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

constexpr int kWarp = 32;
constexpr int kSoftmaxThreads = 256;
constexpr int64_t kMaxSoftmaxBlocks = int64_t(1) << 16;

template <typename M>
__device__ __forceinline__ M warp_max(M v) {
#pragma unroll
  for (int off = kWarp / 2; off > 0; off /= 2) {
    const M o = __shfl_xor_sync(0xffffffffu, v, off);
    v = o > v || o != o ? o : v;  // NaN wins, as in torch's max
  }
  return v;
}

template <typename M>
__device__ __forceinline__ M warp_sum(M v) {
#pragma unroll
  for (int off = kWarp / 2; off > 0; off /= 2) v += __shfl_xor_sync(0xffffffffu, v, off);
  return v;
}

template <typename M>
__device__ __forceinline__ M exp_m(M x) {
  return std::exp(x);
}

template <typename M>
__device__ __forceinline__ M log_m(M x) {
  return std::log(x);
}

// One warp per row of `dim` contiguous elements.
template <typename T>
__global__ void __launch_bounds__(kSoftmaxThreads)
    softmax_lastdim_kernel(T* out, const T* in, int64_t rows, int64_t dim, bool log) {
  using M = opmath_t<T>;
  const int lane = int(threadIdx.x) % kWarp;
  const int64_t warps = int64_t(gridDim.x) * (kSoftmaxThreads / kWarp);
  for (int64_t r = int64_t(blockIdx.x) * (kSoftmaxThreads / kWarp) + threadIdx.x / kWarp; r < rows;
       r += warps) {
    const T* x = in + r * dim;
    T* y = out + r * dim;
    M mx = -INFINITY;
    for (int64_t j = lane; j < dim; j += kWarp) {
      const M v = M(x[j]);
      mx = v > mx || v != v ? v : mx;
    }
    mx = warp_max(mx);
    M sum = 0;
    for (int64_t j = lane; j < dim; j += kWarp) sum += exp_m(M(x[j]) - mx);
    sum = warp_sum(sum);
    if (log) {
      const M lse = log_m(sum);
      for (int64_t j = lane; j < dim; j += kWarp) y[j] = T(M(x[j]) - mx - lse);
    } else {
      for (int64_t j = lane; j < dim; j += kWarp) y[j] = T(exp_m(M(x[j]) - mx) / sum);
    }
  }
}

// One thread per (outer, inner) column, striding `inner` along dim.
template <typename T>
__global__ void __launch_bounds__(kSoftmaxThreads)
    softmax_inner_kernel(T* out, const T* in, int64_t outer, int64_t dim, int64_t inner, bool log) {
  using M = opmath_t<T>;
  const int64_t columns = outer * inner;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t col = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; col < columns; col += step) {
    const int64_t o = col / inner, i = col % inner;
    const T* x = in + o * dim * inner + i;
    T* y = out + o * dim * inner + i;
    M mx = -INFINITY;
    for (int64_t j = 0; j < dim; ++j) {
      const M v = M(x[j * inner]);
      mx = v > mx || v != v ? v : mx;
    }
    M sum = 0;
    for (int64_t j = 0; j < dim; ++j) sum += exp_m(M(x[j * inner]) - mx);
    if (log) {
      const M lse = log_m(sum);
      for (int64_t j = 0; j < dim; ++j) y[j * inner] = T(M(x[j * inner]) - mx - lse);
    } else {
      for (int64_t j = 0; j < dim; ++j) y[j * inner] = T(exp_m(M(x[j * inner]) - mx) / sum);
    }
  }
}

int64_t blocks_for(int64_t work, int64_t per_block) {
  const int64_t b = (work + per_block - 1) / per_block;
  return b < 1 ? 1 : b > kMaxSoftmaxBlocks ? kMaxSoftmaxBlocks : b;
}

}  // namespace

void softmax_kernel(const Tensor& out, const Tensor& in, int64_t outer, int64_t dim, int64_t inner,
                    bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  if (outer * dim * inner == 0) return;
  const int device = in.device().index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  CRESSET_DISPATCH_FLOAT(op, in.dtype(), [&] {
    scalar_t* y = out.data<scalar_t>();
    const scalar_t* x = in.data<scalar_t>();
    if (inner == 1) {
      const int64_t blocks = blocks_for(outer, kSoftmaxThreads / kWarp);
      softmax_lastdim_kernel<scalar_t>
          <<<unsigned(blocks), kSoftmaxThreads, 0, stream>>>(y, x, outer, dim, log);
    } else {
      const int64_t blocks = blocks_for(outer * inner, kSoftmaxThreads);
      softmax_inner_kernel<scalar_t>
          <<<unsigned(blocks), kSoftmaxThreads, 0, stream>>>(y, x, outer, dim, inner, log);
    }
  });
  check_launch(op);
}

}  // namespace cresset::cuda::impl
