// Resampling (upsample, F.interpolate) on CUDA, the contracts of backend/cpu/pool_decls.inc: the
// separable weighted sums a ResamplePlan describes (see Note [Pooling plans]). The plan's tables
// go to the device once per call. The forward runs one thread per output element and nests its
// sums as the CPU kernel does; the backward runs one thread per gradient element and adds each
// tap's share with atomics (as torch's CUDA backward), into a float buffer for the 16-bit floats.
#include <algorithm>
#include <type_traits>
#include <vector>

#include "cresset/backend/copy.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/cuda_check.h"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

constexpr int kResampleThreads = 256;
constexpr int64_t kMaxResampleBlocks = int64_t(1) << 20;

unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kResampleThreads - 1) / kResampleThreads;
  return unsigned(std::min(std::max<int64_t>(b, 1), kMaxResampleBlocks));
}

// One axis on the device: `taps` entries per output in `index` and `weight`, of which count[o]
// are used when `count` is set (antialiasing's variable windows).
template <typename M>
struct DevAxis {
  int64_t in_size, out_size, taps;
  const int64_t* index;
  const M* weight;
  const int64_t* count;
  __device__ __forceinline__ int64_t used(int64_t o) const { return count ? count[o] : taps; }
};

template <typename M>
struct DevPlan {
  int64_t planes;
  DevAxis<M> axes[3];
  __host__ __device__ int64_t in_plane() const {
    return axes[0].in_size * axes[1].in_size * axes[2].in_size;
  }
  __host__ __device__ int64_t out_plane() const {
    return axes[0].out_size * axes[1].out_size * axes[2].out_size;
  }
};

// The plan with its tables on the device (kept alive by `ints` and `weights`), the device made
// current, and its current stream.
template <typename T>
struct ResampleLaunch {
  using M = opmath_t<T>;
  int device;
  Tensor ints, weights;
  DevPlan<M> plan;
  DeviceGuard guard;
  cudaStream_t stream;

  ResampleLaunch(const Tensor& t, const ResamplePlan& p)
      : device(t.device().index), plan(upload(p)), guard(device), stream(stream_of(device)) {}

  DevPlan<M> upload(const ResamplePlan& p) {
    std::vector<int64_t> host_ints;
    std::vector<M> host_weights;
    for (const ResampleAxis& a : p.axes) {
      host_ints.insert(host_ints.end(), a.index.begin(), a.index.end());
      host_ints.insert(host_ints.end(), a.count.begin(), a.count.end());
      // Weights are rounded through T first, as torch stores them (the CPU's axis_weights).
      for (double w : a.weight) host_weights.push_back(M(T(w)));
    }
    const Device dev(DeviceType::CUDA, device);
    const DType wdtype = std::is_same_v<M, double> ? DType::Float64 : DType::Float32;
    Tensor ci = empty_tensor({int64_t(host_ints.size())}, DType::Int64, Device());
    Tensor cw = empty_tensor({int64_t(host_weights.size())}, wdtype, Device());
    std::copy(host_ints.begin(), host_ints.end(), ci.data<int64_t>());
    std::copy(host_weights.begin(), host_weights.end(), cw.data<M>());
    ints = empty_tensor(ci.sizes(), DType::Int64, dev);
    weights = empty_tensor(cw.sizes(), wdtype, dev);
    copy_into(ints, ci);
    copy_into(weights, cw);
    const int64_t* ib = ints.data<int64_t>();
    const M* wb = weights.data<M>();
    DevPlan<M> d{};
    d.planes = p.planes;
    for (int k = 0; k < 3; ++k) {
      const ResampleAxis& a = p.axes[k];
      const int64_t entries = int64_t(a.index.size());
      d.axes[k] = {a.in_size, a.out_size, a.taps, ib, wb, a.count.empty() ? nullptr : ib + entries};
      ib += entries + int64_t(a.count.size());
      wb += int64_t(a.weight.size());
    }
    return d;
  }
};

// Output position e as (plane, od, oh, ow).
template <typename M>
__device__ __forceinline__ void unravel(const DevPlan<M>& p, int64_t e, int64_t* pl, int64_t* od,
                                        int64_t* oh, int64_t* ow) {
  *ow = e % p.axes[2].out_size;
  e /= p.axes[2].out_size;
  *oh = e % p.axes[1].out_size;
  e /= p.axes[1].out_size;
  *od = e % p.axes[0].out_size;
  *pl = e / p.axes[0].out_size;
}

// sum_d wd * (sum_h wh * (sum_w ww * x)), nested as the CPU's resample_row. The D axis always
// uses all its taps (only 2-D resampling antialiases).
template <typename T>
__global__ void __launch_bounds__(kResampleThreads)
    resample_cuda(const T* x, T* y, DevPlan<opmath_t<T>> p) {
  using M = opmath_t<T>;
  const DevAxis<M>&ad = p.axes[0], &ah = p.axes[1], &aw = p.axes[2];
  const int64_t H = ah.in_size, W = aw.in_size, in_plane = p.in_plane();
  const int64_t n = p.planes * p.out_plane();
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += step) {
    int64_t pl, od, oh, ow;
    unravel(p, e, &pl, &od, &oh, &ow);
    const T* xp = x + pl * in_plane;
    const int64_t kh = ah.used(oh), kw = aw.used(ow);
    const int64_t* iw = aw.index + ow * aw.taps;
    const M* ww = aw.weight + ow * aw.taps;
    M sd = 0;
    for (int64_t td = 0; td < ad.taps; ++td) {
      const int64_t jd = od * ad.taps + td;
      M sh = 0;
      for (int64_t th = 0; th < kh; ++th) {
        const int64_t jh = oh * ah.taps + th;
        const T* r = xp + (ad.index[jd] * H + ah.index[jh]) * W;
        M sw = 0;
        for (int64_t k = 0; k < kw; ++k) sw += M(r[iw[k]]) * ww[k];
        sh += sw * ah.weight[jh];
      }
      sd += sh * ad.weight[jd];
    }
    y[e] = T(sd);
  }
}

// The transpose: grad_out element e adds wd * wh * ww * g to each input it read.
template <typename T>
__global__ void __launch_bounds__(kResampleThreads)
    resample_backward_cuda(opmath_t<T>* acc, const T* g, DevPlan<opmath_t<T>> p) {
  using M = opmath_t<T>;
  const DevAxis<M>&ad = p.axes[0], &ah = p.axes[1], &aw = p.axes[2];
  const int64_t H = ah.in_size, W = aw.in_size, in_plane = p.in_plane();
  const int64_t n = p.planes * p.out_plane();
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += step) {
    int64_t pl, od, oh, ow;
    unravel(p, e, &pl, &od, &oh, &ow);
    M* ap = acc + pl * in_plane;
    const M gv = M(g[e]);
    const int64_t kh = ah.used(oh), kw = aw.used(ow);
    const int64_t* iw = aw.index + ow * aw.taps;
    const M* ww = aw.weight + ow * aw.taps;
    for (int64_t td = 0; td < ad.taps; ++td) {
      const int64_t jd = od * ad.taps + td;
      for (int64_t th = 0; th < kh; ++th) {
        const int64_t jh = oh * ah.taps + th;
        M* r = ap + (ad.index[jd] * H + ah.index[jh]) * W;
        const M wdh = ad.weight[jd] * ah.weight[jh];
        for (int64_t k = 0; k < kw; ++k) atomicAdd(r + iw[k], wdh * ww[k] * gv);
      }
    }
  }
}

template <typename T>
__global__ void __launch_bounds__(kResampleThreads)
    round_to_cuda(T* out, const opmath_t<T>* in, int64_t n) {
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    out[i] = T(in[i]);
  }
}

// float and double accumulate in grad_in itself; the 16-bit floats in a float buffer, rounded
// once at the end.
template <typename T>
void resample_backward(const Tensor& grad_in, const Tensor& grad_out, const ResamplePlan& plan) {
  using M = opmath_t<T>;
  const int64_t n_in = grad_in.numel(), n_out = grad_out.numel();
  ResampleLaunch<T> l(grad_in, plan);
  Tensor buf = grad_in;
  if constexpr (!std::is_same_v<M, T>) {
    buf = empty_tensor(grad_in.sizes(), DType::Float32, grad_in.device());
  }
  M* acc = static_cast<M*>(buf.raw_data());
  check(cudaMemsetAsync(acc, 0, size_t(n_in) * sizeof(M), l.stream), "upsample_backward");
  if (n_out > 0) {
    resample_backward_cuda<T>
        <<<blocks_for(n_out), kResampleThreads, 0, l.stream>>>(acc, grad_out.data<T>(), l.plan);
    check_launch("upsample_backward");
  }
  if constexpr (!std::is_same_v<M, T>) {
    round_to_cuda<T>
        <<<blocks_for(n_in), kResampleThreads, 0, l.stream>>>(grad_in.data<T>(), acc, n_in);
    check_launch("upsample_backward");
  }
}

}  // namespace

void resample_kernel(const Tensor& out, const Tensor& in, const ResamplePlan& plan) {
  const int64_t n = out.numel();
  if (n == 0) return;
  CRESSET_DISPATCH_FLOAT("upsample", in.dtype(), [&] {
    ResampleLaunch<scalar_t> l(out, plan);
    resample_cuda<scalar_t><<<blocks_for(n), kResampleThreads, 0, l.stream>>>(
        in.data<scalar_t>(), out.data<scalar_t>(), l.plan);
  });
  check_launch("upsample");
}

void resample_backward_kernel(const Tensor& grad_in, const Tensor& grad_out,
                              const ResamplePlan& plan) {
  if (grad_in.numel() == 0) return;
  CRESSET_DISPATCH_FLOAT("upsample_backward", grad_out.dtype(),
                         [&] { resample_backward<scalar_t>(grad_in, grad_out, plan); });
}

}  // namespace cresset::cuda::impl
