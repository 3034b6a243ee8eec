// The pooling kernels on CUDA, the contracts of backend/cpu/pool_decls.inc (see Note [Pooling
// plans]). The plan's per-output tables go to the device once per call. Forward kernels run one
// thread per output element; backward kernels that accumulate run one thread per plane, walking
// the plane in the CPU kernel's order: no atomics, and the same rounding as the CPU's results.
#include <limits>
#include <vector>

#include "cresset/backend/copy.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/device_flag.h"
#include "cresset/backend/cuda/launch.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

// One spatial axis on the device: sizes, step, and its tables inside the uploaded buffer.
struct DevAxis {
  int64_t in_size, out_size, step;
  const int64_t* first;
  const int64_t* count;
  const int64_t* divisor;
};

struct DevPlan {
  int64_t planes, divisor_override;
  bool divide_per_axis;
  DevAxis axes[3];
  __host__ __device__ int64_t in_plane() const {
    return axes[0].in_size * axes[1].in_size * axes[2].in_size;
  }
  __host__ __device__ int64_t out_plane() const {
    return axes[0].out_size * axes[1].out_size * axes[2].out_size;
  }
};

// What every pool kernel launch needs: the plan with its tables on the device (`tables` keeps
// them), the device made current, and its current stream.
struct PoolLaunch {
  int device;
  Tensor tables;
  DevPlan plan;
  DeviceGuard guard;
  cudaStream_t stream;

  PoolLaunch(const Tensor& t, const PoolPlan& p)
      : device(t.device().index), plan(upload(p)), guard(device), stream(stream_of(device)) {}

  DevPlan upload(const PoolPlan& p) {
    std::vector<int64_t> host;
    for (const PoolAxis& a : p.axes) {
      for (const std::vector<int64_t>* v : {&a.first, &a.count, &a.divisor}) {
        if (v->empty()) {
          host.insert(host.end(), size_t(a.out_size), 1);  // max pooling has no divisors
        } else {
          host.insert(host.end(), v->begin(), v->end());
        }
      }
    }
    Tensor cpu = empty_tensor({int64_t(host.size())}, DType::Int64, Device());
    std::copy(host.begin(), host.end(), cpu.data<int64_t>());
    tables = empty_tensor({int64_t(host.size())}, DType::Int64, Device(DeviceType::CUDA, device));
    copy_into(tables, cpu);
    const int64_t* base = tables.data<int64_t>();
    DevPlan d{p.planes, p.divisor_override, p.divide_per_axis, {}};
    for (int k = 0; k < 3; ++k) {
      const PoolAxis& a = p.axes[k];
      d.axes[k] = {a.in_size, a.out_size, a.step, base, base + a.out_size, base + 2 * a.out_size};
      base += 3 * a.out_size;
    }
    return d;
  }

  void zero(const Tensor& t, const char* op) const {
    check(cudaMemsetAsync(t.raw_data(), 0, size_t(t.nbytes()), stream), op);
  }
};

// Output position o of a plane as (od, oh, ow).
__device__ __forceinline__ void unravel3(const DevPlan& p, int64_t o, int64_t* od, int64_t* oh,
                                         int64_t* ow) {
  *ow = o % p.axes[2].out_size;
  o /= p.axes[2].out_size;
  *oh = o % p.axes[1].out_size;
  *od = o / p.axes[1].out_size;
}

template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    max_pool_cuda(const T* x, T* y, int64_t* ind, DevPlan p) {
  using M = opmath_t<T>;
  const M lowest = std::numeric_limits<M>::has_infinity ? -std::numeric_limits<M>::infinity()
                                                        : std::numeric_limits<M>::lowest();
  const DevAxis &ad = p.axes[0], &ah = p.axes[1], &aw = p.axes[2];
  const int64_t out_plane = p.out_plane(), in_plane = p.in_plane();
  const int64_t H = ah.in_size, W = aw.in_size;
  CRESSET_GRID_STRIDE(e, p.planes * out_plane) {
    int64_t od, oh, ow;
    unravel3(p, e % out_plane, &od, &oh, &ow);
    const T* xp = x + (e / out_plane) * in_plane;
    const int64_t d0 = ad.first[od], h0 = ah.first[oh], w0 = aw.first[ow];
    M best = lowest;
    int64_t at = (d0 * H + h0) * W + w0;
    // Taps in torch's (kd, kh, kw) order: the first maximum wins, NaN over anything.
    for (int64_t kd = 0; kd < ad.count[od]; ++kd) {
      for (int64_t kh = 0; kh < ah.count[oh]; ++kh) {
        const int64_t row = ((d0 + kd * ad.step) * H + h0 + kh * ah.step) * W;
        for (int64_t kw = 0; kw < aw.count[ow]; ++kw) {
          const int64_t j = row + w0 + kw * aw.step;
          const M v = M(xp[j]);
          if (v > best || v != v) {
            best = v;
            at = j;
          }
        }
      }
    }
    y[e] = T(best);
    if (ind) ind[e] = at;
  }
}

// 2x2 windows don't overlap: each input element takes its window's gradient or zero.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    max_pool_2x2_backward_cuda(T* gi, const T* go, const int64_t* ind, DevPlan p) {
  const int64_t H = p.axes[1].in_size, W = p.axes[2].in_size;
  const int64_t OH = p.axes[1].out_size, OW = p.axes[2].out_size;
  CRESSET_GRID_STRIDE(e, p.planes * H * W) {
    const int64_t pl = e / (H * W), pos = e % (H * W);
    const int64_t h = pos / W, w = pos % W, oh = h / 2, ow = w / 2;
    T v = T(0);
    if (oh < OH && ow < OW) {
      const int64_t o = (pl * OH + oh) * OW + ow;
      if (ind[o] == pos) v = go[o];
    }
    gi[e] = v;
  }
}

// The averaging divisor of output (od, oh, ow) applied to v as the CPU kernel applies it;
// round_steps rounds each step to T (torch's backwards compute in T).
template <typename T>
__device__ opmath_t<T> divide(opmath_t<T> v, const DevPlan& p, int64_t od, int64_t oh, int64_t ow,
                              bool round_steps) {
  using M = opmath_t<T>;
  const int64_t f[3] = {p.axes[0].divisor[od], p.axes[1].divisor[oh], p.axes[2].divisor[ow]};
  if (!p.divide_per_axis) {
    const int64_t total = p.divisor_override != 0 ? p.divisor_override : f[0] * f[1] * f[2];
    return round_steps ? M(T(v / M(total))) : v / M(total);
  }
  for (int64_t a : f) {
    v = v / M(a);
    if (round_steps) v = M(T(v));
  }
  return v;
}

template <typename T>
__global__ void __launch_bounds__(kBlockThreads) avg_pool_cuda(const T* x, T* y, DevPlan p) {
  using M = opmath_t<T>;
  const DevAxis &ad = p.axes[0], &ah = p.axes[1], &aw = p.axes[2];
  const int64_t out_plane = p.out_plane(), in_plane = p.in_plane();
  const int64_t H = ah.in_size, W = aw.in_size;
  // A global average divides by the plane size, as the CPU kernel's fast path.
  const bool global = out_plane == 1 && p.divisor_override == 0 &&
                      ad.count[0] * ah.count[0] * aw.count[0] == in_plane;
  CRESSET_GRID_STRIDE(e, p.planes * out_plane) {
    int64_t od, oh, ow;
    unravel3(p, e % out_plane, &od, &oh, &ow);
    const T* xp =
        x + (e / out_plane) * in_plane + (ad.first[od] * H + ah.first[oh]) * W + aw.first[ow];
    M s = 0;
    for (int64_t kd = 0; kd < ad.count[od]; ++kd) {
      for (int64_t kh = 0; kh < ah.count[oh]; ++kh) {
        const T* r = xp + (kd * H + kh) * W;
        for (int64_t kw = 0; kw < aw.count[ow]; ++kw) s += M(r[kw]);
      }
    }
    y[e] = T(global ? s / M(in_plane) : divide<T>(s, p, od, oh, ow, false));
  }
}

// One thread per plane, outputs in order, accumulating in T like the CPU kernel.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    avg_pool_backward_cuda(T* gi, const T* go, DevPlan p) {
  using M = opmath_t<T>;
  const DevAxis &ad = p.axes[0], &ah = p.axes[1], &aw = p.axes[2];
  const int64_t out_plane = p.out_plane(), in_plane = p.in_plane();
  const int64_t H = ah.in_size, W = aw.in_size;
  CRESSET_GRID_STRIDE(pl, p.planes) {
    T* acc = gi + pl * in_plane;
    const T* gp = go + pl * out_plane;
    for (int64_t o = 0; o < out_plane; ++o) {
      int64_t od, oh, ow;
      unravel3(p, o, &od, &oh, &ow);
      const M g = divide<T>(M(gp[o]), p, od, oh, ow, true);
      T* start = acc + (ad.first[od] * H + ah.first[oh]) * W + aw.first[ow];
      for (int64_t kd = 0; kd < ad.count[od]; ++kd) {
        for (int64_t kh = 0; kh < ah.count[oh]; ++kh) {
          T* r = start + (kd * H + kh) * W;
          for (int64_t kw = 0; kw < aw.count[ow]; ++kw) r[kw] = T(M(r[kw]) + g);
        }
      }
    }
  }
}

// One thread per plane; an index outside the plane is skipped and flagged.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    index_scatter_cuda(T* dst, const T* src, const int64_t* index, int64_t planes,
                       int64_t dst_plane, int64_t src_plane, bool accumulate, int64_t* flag) {
  using M = opmath_t<T>;
  CRESSET_GRID_STRIDE(pl, planes) {
    T* acc = dst + pl * dst_plane;
    const T* s = src + pl * src_plane;
    const int64_t* ix = index + pl * src_plane;
    for (int64_t i = 0; i < src_plane; ++i) {
      const int64_t at = ix[i];
      if (at < 0 || at >= dst_plane) {
        flag_set(flag, at);
        continue;
      }
      acc[at] = accumulate ? T(M(acc[at]) + M(s[i])) : s[i];
    }
  }
}

}  // namespace

void max_pool_kernel(const Tensor& out, const Tensor& indices, const Tensor& in,
                     const PoolPlan& plan) {
  PoolLaunch l(in, plan);
  CRESSET_DISPATCH_NUMERIC("max_pool", in.dtype(), [&] {
    max_pool_cuda<scalar_t><<<blocks_for(out.numel()), kBlockThreads, 0, l.stream>>>(
        in.data<scalar_t>(), out.data<scalar_t>(),
        indices.defined() ? indices.data<int64_t>() : nullptr, l.plan);
  });
  check_launch("max_pool");
}

void max_pool_2x2_backward_kernel(const Tensor& grad_in, const Tensor& grad_out,
                                  const Tensor& indices, const PoolPlan& plan) {
  PoolLaunch l(grad_in, plan);
  CRESSET_DISPATCH_FLOAT("max_pool_backward", grad_out.dtype(), [&] {
    max_pool_2x2_backward_cuda<scalar_t>
        <<<blocks_for(grad_in.numel()), kBlockThreads, 0, l.stream>>>(
            grad_in.data<scalar_t>(), grad_out.data<scalar_t>(), indices.data<int64_t>(), l.plan);
  });
  check_launch("max_pool_backward");
}

void avg_pool_kernel(const Tensor& out, const Tensor& in, const PoolPlan& plan) {
  PoolLaunch l(in, plan);
  const unsigned blocks = blocks_for(out.numel());
  if (in.dtype() == DType::Int64) {  // sums and divides in int64 (truncating), as torch
    avg_pool_cuda<int64_t>
        <<<blocks, kBlockThreads, 0, l.stream>>>(in.data<int64_t>(), out.data<int64_t>(), l.plan);
  } else {
    CRESSET_DISPATCH_FLOAT("avg_pool", in.dtype(), [&] {
      avg_pool_cuda<scalar_t><<<blocks, kBlockThreads, 0, l.stream>>>(in.data<scalar_t>(),
                                                                      out.data<scalar_t>(), l.plan);
    });
  }
  check_launch("avg_pool");
}

void avg_pool_backward_kernel(const Tensor& grad_in, const Tensor& grad_out, const PoolPlan& plan) {
  PoolLaunch l(grad_in, plan);
  l.zero(grad_in, "avg_pool_backward");
  CRESSET_DISPATCH_FLOAT("avg_pool_backward", grad_out.dtype(), [&] {
    avg_pool_backward_cuda<scalar_t><<<blocks_for(plan.planes), kBlockThreads, 0, l.stream>>>(
        grad_in.data<scalar_t>(), grad_out.data<scalar_t>(), l.plan);
  });
  check_launch("avg_pool_backward");
}

void index_scatter_kernel(const Tensor& dst, const Tensor& src, const Tensor& index, int64_t planes,
                          bool accumulate, bool* found, int64_t* bad) {
  const int device = dst.device().index;
  DeviceFlag flag(device);
  DeviceGuard guard(device);
  cudaStream_t stream = stream_of(device);
  check(cudaMemsetAsync(dst.raw_data(), 0, size_t(dst.nbytes()), stream), "index_scatter");
  const int64_t dst_plane = planes == 0 ? 0 : dst.numel() / planes;
  const int64_t src_plane = planes == 0 ? 0 : src.numel() / planes;
  CRESSET_DISPATCH_FLOAT("index_scatter", src.dtype(), [&] {
    index_scatter_cuda<scalar_t><<<blocks_for(planes), kBlockThreads, 0, stream>>>(
        dst.data<scalar_t>(), src.data<scalar_t>(), index.data<int64_t>(), planes, dst_plane,
        src_plane, accumulate, flag.ptr());
  });
  check_launch("index_scatter");
  *found = flag.read(bad);
}

}  // namespace cresset::cuda::impl
