// bincount and histc on CUDA, with the contracts of backend/cpu/sort.h: one thread per element
// adds into its bin with an atomic. bincount first finds the inputs' range on the device (the
// output's length depends on it, so the host waits for it, as torch does). histc counts in int64
// and converts once, so its counts are exact in every dtype.
#include <cstdint>

#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/sort.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

__global__ void __launch_bounds__(kBlockThreads) init_range(long long* range) {
  range[0] = INT64_MAX;
  range[1] = INT64_MIN;
}

// range = {min, max} of x.
__global__ void __launch_bounds__(kBlockThreads)
    find_range(const int64_t* x, int64_t n, long long* range) {
  long long lo = INT64_MAX, hi = INT64_MIN;
  CRESSET_GRID_STRIDE(i, n) {
    const long long v = x[i];
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  atomicMin(&range[0], lo);
  atomicMax(&range[1], hi);
}

__global__ void __launch_bounds__(kBlockThreads)
    count_bins(const int64_t* x, int64_t n, unsigned long long* counts) {
  CRESSET_GRID_STRIDE(i, n) { atomicAdd(&counts[x[i]], 1ull); }
}

template <typename W>
__global__ void __launch_bounds__(kBlockThreads)
    add_weights(const int64_t* x, const W* w, int64_t n, W* sums) {
  CRESSET_GRID_STRIDE(i, n) { atomicAdd(&sums[x[i]], w[i]); }
}

// The CPU's bin arithmetic, in opmath: see cpu::histc_kernel.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    histc_count(const T* x, int64_t n, int64_t bins, opmath_t<T> left, opmath_t<T> right,
                unsigned long long* counts) {
  using M = opmath_t<T>;
  CRESSET_GRID_STRIDE(i, n) {
    const M v = M(x[i]);
    if (!(v >= left && v <= right)) continue;  // outside, or NaN
    int64_t pos = int64_t((v - left) * M(bins) / (right - left));
    pos = pos < bins - 1 ? pos : bins - 1;
    atomicAdd(&counts[pos], 1ull);
  }
}

template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    counts_to(const unsigned long long* counts, int64_t bins, T* out) {
  CRESSET_GRID_STRIDE(b, bins) { out[b] = T(opmath_t<T>(counts[b])); }
}

}  // namespace

Tensor bincount_kernel(const Tensor& in, const Tensor& weights, int64_t minlength) {
  const char* op = "bincount";
  const int64_t n = in.numel();
  const Device dev = in.device();
  const int device = dev.index;
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  int64_t hi = -1;
  if (n > 0) {
    Tensor range = device_int64(2, device);
    long long* r = static_cast<long long*>(range.raw_data());
    init_range<<<1, 1, 0, stream>>>(r);
    check_launch(op);
    find_range<<<blocks_for(n), kBlockThreads, 0, stream>>>(in.data<int64_t>(), n, r);
    check_launch(op);
    long long host[2];
    check(cudaMemcpyAsync(host, r, sizeof(host), cudaMemcpyDeviceToHost, stream), op);
    check(cudaStreamSynchronize(stream), op);
    CRESSET_CHECK(host[0] >= 0, RuntimeError,
                  "bincount only supports 1-d non-negative integral inputs.");
    hi = host[1];
  }
  const int64_t bins = minlength > hi + 1 ? minlength : hi + 1;
  Tensor out = empty_tensor({bins}, weights.defined() ? weights.dtype() : DType::Int64, dev);
  if (bins == 0) return out;
  check(cudaMemsetAsync(out.raw_data(), 0, size_t(out.nbytes()), stream), op);
  if (n == 0) return out;
  if (!weights.defined()) {
    count_bins<<<blocks_for(n), kBlockThreads, 0, stream>>>(
        in.data<int64_t>(), n, static_cast<unsigned long long*>(out.raw_data()));
  } else if (weights.dtype() == DType::Float32) {
    add_weights<float><<<blocks_for(n), kBlockThreads, 0, stream>>>(
        in.data<int64_t>(), weights.data<float>(), n, out.data<float>());
  } else {
    add_weights<double><<<blocks_for(n), kBlockThreads, 0, stream>>>(
        in.data<int64_t>(), weights.data<double>(), n, out.data<double>());
  }
  check_launch(op);
  return out;
}

void histc_kernel(const Tensor& in, int64_t bins, double lo, double hi, const Tensor& out) {
  const char* op = "histc";
  const int device = out.device().index;
  const int64_t n = in.numel();
  Tensor counts = empty_tensor({bins}, DType::Int64, out.device());
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  check(cudaMemsetAsync(counts.raw_data(), 0, size_t(counts.nbytes()), stream), op);
  CRESSET_DISPATCH_FLOAT(op, in.dtype(), [&] {
    using M = opmath_t<scalar_t>;
    auto* c = static_cast<unsigned long long*>(counts.raw_data());
    if (n > 0) {
      histc_count<scalar_t><<<blocks_for(n), kBlockThreads, 0, stream>>>(
          in.data<scalar_t>(), n, bins, M(scalar_t(lo)), M(scalar_t(hi)), c);
      check_launch(op);
    }
    counts_to<scalar_t>
        <<<blocks_for(bins), kBlockThreads, 0, stream>>>(c, bins, out.data<scalar_t>());
    check_launch(op);
  });
}

}  // namespace cresset::cuda::impl
