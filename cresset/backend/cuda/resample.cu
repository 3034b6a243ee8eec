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
#include "cresset/backend/cuda/launch.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

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

// What output element e reads: its plane, its D and H positions, how many H and W taps it uses,
// and its W taps' input columns and weights.
template <typename M>
struct OutputTaps {
  int64_t plane, od, oh, kh, kw;
  const int64_t* iw;
  const M* ww;
};

template <typename M>
__device__ __forceinline__ OutputTaps<M> taps_of(const DevPlan<M>& p, int64_t e) {
  const DevAxis<M>&ah = p.axes[1], &aw = p.axes[2];
  OutputTaps<M> t;
  const int64_t ow = e % aw.out_size;
  e /= aw.out_size;
  t.oh = e % ah.out_size;
  e /= ah.out_size;
  t.od = e % p.axes[0].out_size;
  t.plane = e / p.axes[0].out_size;
  t.kh = ah.used(t.oh);
  t.kw = aw.used(ow);
  t.iw = aw.index + ow * aw.taps;
  t.ww = aw.weight + ow * aw.taps;
  return t;
}

// sum_d wd * (sum_h wh * (sum_w ww * x)), nested as the CPU's resample_row. The D axis always
// uses all its taps (only 2-D resampling antialiases).
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    resample_cuda(const T* x, T* y, DevPlan<opmath_t<T>> p) {
  using M = opmath_t<T>;
  const DevAxis<M>&ad = p.axes[0], &ah = p.axes[1], &aw = p.axes[2];
  const int64_t H = ah.in_size, W = aw.in_size, in_plane = p.in_plane();
  const int64_t n = p.planes * p.out_plane();
  CRESSET_GRID_STRIDE(e, n) {
    const OutputTaps<M> t = taps_of(p, e);
    const T* xp = x + t.plane * in_plane;
    M sd = 0;
    for (int64_t td = 0; td < ad.taps; ++td) {
      const int64_t jd = t.od * ad.taps + td;
      M sh = 0;
      for (int64_t th = 0; th < t.kh; ++th) {
        const int64_t jh = t.oh * ah.taps + th;
        const T* r = xp + (ad.index[jd] * H + ah.index[jh]) * W;
        M sw = 0;
        for (int64_t k = 0; k < t.kw; ++k) sw += M(r[t.iw[k]]) * t.ww[k];
        sh += sw * ah.weight[jh];
      }
      sd += sh * ad.weight[jd];
    }
    y[e] = T(sd);
  }
}

// The transpose: grad_out element e adds wd * wh * ww * g to each input it read.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    resample_backward_cuda(opmath_t<T>* acc, const T* g, DevPlan<opmath_t<T>> p) {
  using M = opmath_t<T>;
  const DevAxis<M>&ad = p.axes[0], &ah = p.axes[1], &aw = p.axes[2];
  const int64_t H = ah.in_size, W = aw.in_size, in_plane = p.in_plane();
  const int64_t n = p.planes * p.out_plane();
  CRESSET_GRID_STRIDE(e, n) {
    const OutputTaps<M> t = taps_of(p, e);
    M* ap = acc + t.plane * in_plane;
    const M gv = M(g[e]);
    for (int64_t td = 0; td < ad.taps; ++td) {
      const int64_t jd = t.od * ad.taps + td;
      for (int64_t th = 0; th < t.kh; ++th) {
        const int64_t jh = t.oh * ah.taps + th;
        M* r = ap + (ad.index[jd] * H + ah.index[jh]) * W;
        const M wdh = ad.weight[jd] * ah.weight[jh];
        for (int64_t k = 0; k < t.kw; ++k) atomicAdd(r + t.iw[k], wdh * t.ww[k] * gv);
      }
    }
  }
}

template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    round_to_cuda(T* out, const opmath_t<T>* in, int64_t n) {
  CRESSET_GRID_STRIDE(i, n) out[i] = T(in[i]);
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
        <<<blocks_for(n_out), kBlockThreads, 0, l.stream>>>(acc, grad_out.data<T>(), l.plan);
    check_launch("upsample_backward");
  }
  if constexpr (!std::is_same_v<M, T>) {
    round_to_cuda<T>
        <<<blocks_for(n_in), kBlockThreads, 0, l.stream>>>(grad_in.data<T>(), acc, n_in);
    check_launch("upsample_backward");
  }
}

}  // namespace

void resample_kernel(const Tensor& out, const Tensor& in, const ResamplePlan& plan) {
  const int64_t n = out.numel();
  if (n == 0) return;
  CRESSET_DISPATCH_FLOAT("upsample", in.dtype(), [&] {
    ResampleLaunch<scalar_t> l(out, plan);
    resample_cuda<scalar_t><<<blocks_for(n), kBlockThreads, 0, l.stream>>>(
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
