#pragma once
// Note [CUDA elementwise launcher]
// Every elementwise CUDA kernel (the elementwise.def rows, copies, casts, fills) is one
// instantiation of elementwise_kernel: a grid-stride loop over the TensorIter's linear index that
// computes each operand's byte pointer and calls an `Op` on them. One-dimensional iterations (all
// contiguous or broadcast operands, the common case after the iterator's coalescing) take a
// multiply per operand; others unravel the index over at most kMaxLaunchDims dims. Indices are
// 64-bit, so tensors over 2^31 elements work; the grid is capped and the loop strides over the
// rest.
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/backend/cuda/cuda_check.h"

namespace cresset::cuda::impl {

constexpr int kMaxLaunchDims = 16;
constexpr int kBlockThreads = 256;
constexpr int64_t kMaxBlocks = int64_t(1) << 20;

/// A grid-stride loop of int64 `i` over [0, n).
#define CRESSET_GRID_STRIDE(i, n)                                           \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += int64_t(gridDim.x) * blockDim.x)

/// Blocks of kBlockThreads for a grid-stride loop over n items: at least one, at most kMaxBlocks.
inline unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kBlockThreads - 1) / kBlockThreads;
  return unsigned(b < 1 ? 1 : b > kMaxBlocks ? kMaxBlocks : b);
}

/// Operand pointers and strides of a TensorIter, passed by value to the kernel.
template <int N>
struct IterGeometry {
  char* base[N];
  int64_t sizes[kMaxLaunchDims];       // innermost first
  int64_t strides[kMaxLaunchDims][N];  // bytes
  int ndim;

  __device__ __forceinline__ void pointers(int64_t linear, char* (&p)[N]) const {
#pragma unroll
    for (int k = 0; k < N; ++k) p[k] = base[k];
    if (ndim == 1) {
#pragma unroll
      for (int k = 0; k < N; ++k) p[k] += linear * strides[0][k];
      return;
    }
    for (int d = 0; d < ndim; ++d) {
      int64_t i = linear % sizes[d];
      linear /= sizes[d];
#pragma unroll
      for (int k = 0; k < N; ++k) p[k] += i * strides[d][k];
    }
  }
};

template <int N, typename Op>
__global__ void __launch_bounds__(kBlockThreads)
    elementwise_kernel(int64_t n, IterGeometry<N> g, Op op) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    char* p[N];
    g.pointers(i, p);
    op(p);
  }
}

/// A copy on `device` of a CPU 0-dim operand (torch lets CPU scalars join CUDA ops).
Tensor scalar_to_device(const Tensor& t, int device);

/// Runs op(char* ptrs[N]) over every element of `it` (outputs first) on the current stream of the
/// iterator's device. `it` has at most N operands; the pointers past its own are null.
template <int N, typename Op>
void launch_elementwise(const char* name, TensorIter& it, const Op& op) {
  const int64_t n = it.numel();
  if (n == 0) return;
  const int nt = it.ntensors();
  CRESSET_CHECK(nt <= N, RuntimeError, "[", name, "] expected at most ", N, " operands, got ", nt);
  CRESSET_CHECK(it.ndim() <= kMaxLaunchDims, NotImplementedError, "[", name,
                "] CUDA kernels take at most ", kMaxLaunchDims, " non-mergeable dims; got ",
                it.ndim());
  const int device = it.device().index;
  IterGeometry<N> g{};
  Tensor staged[N];  // device copies of CPU scalars; freed in stream order after the launch
  for (int k = 0; k < nt; ++k) g.base[k] = it.data_ptr(k);
  for (int k = it.noutputs(); k < nt; ++k) {
    if (it.operand(k).device().is_cpu()) {
      staged[k] = scalar_to_device(it.operand(k), device);
      g.base[k] = static_cast<char*>(staged[k].raw_data());
    }
  }
  g.ndim = it.ndim() == 0 ? 1 : it.ndim();
  for (int d = 0; d < it.ndim(); ++d) {
    g.sizes[d] = it.shape()[d];
    for (int k = 0; k < nt; ++k) g.strides[d][k] = it.strides(k)[d];
  }
  if (it.ndim() == 0) {
    g.sizes[0] = 1;
    for (int k = 0; k < N; ++k) g.strides[0][k] = 0;
  }
  DeviceGuard guard(device);
  elementwise_kernel<N, Op><<<blocks_for(n), kBlockThreads, 0, stream_of(device)>>>(n, g, op);
  check_launch(name);
}

}  // namespace cresset::cuda::impl
