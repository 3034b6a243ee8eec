// Convolution on CUDA by im2col + GEMM (batched_gemm: cuBLAS or cresset's kernel), for the three
// products of Note [Convolution autograd]. Columns are built for a chunk of the batch at a time
// (at most kColumnBudget bytes), per group:
//   Forward:        y_g[n] = w_g @ col_g[n]                               (+ bias)
//   BackwardInput:  col_g[n] = w_g^T @ gy_g[n], then gx[n] = col2im(col)   (+ bias)
//   BackwardWeight: gw_g += gy_g @ col_g^T over every (n, position), as one product per chunk
//                   of [C_out, n * L] and [C_in * K, n * L] copies.
#include "cresset/backend/copy.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/backend/cuda/launch.cuh"
#include "cresset/core/dtype.h"

namespace cresset::cuda::impl {

namespace {

constexpr int64_t kColumnBudget = int64_t(256) << 20;

__device__ __forceinline__ void unravel3(int64_t i, const int64_t* sizes, int64_t* idx) {
  idx[2] = i % sizes[2];
  i /= sizes[2];
  idx[1] = i % sizes[1];
  idx[0] = i / sizes[1];
}

// col [n, C * K, L] from x [n, C, I...]: zero where a tap falls in the padding.
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    im2col_cuda(const T* x, T* col, ConvGeometry g, int64_t n, int64_t channels) {
  const int64_t K = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const int64_t L = g.out[0] * g.out[1] * g.out[2];
  const int64_t I = g.in[0] * g.in[1] * g.in[2];
  const int64_t total = n * channels * K * L;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += int64_t(gridDim.x) * blockDim.x) {
    int64_t o[3], k[3];
    unravel3(e % L, g.out, o);
    const int64_t r = e / L;
    unravel3(r % K, g.kernel, k);
    const int64_t plane = r / K;  // b * channels + c
    int64_t at = 0;
    bool inside = true;
    for (int d = 0; d < 3; ++d) {
      const int64_t p = o[d] * g.stride[d] - g.pad[d] + k[d] * g.dilation[d];
      inside = inside && p >= 0 && p < g.in[d];
      at = at * g.in[d] + p;
    }
    col[e] = inside ? x[plane * I + at] : T(0);
  }
}

// x [n, C, I...] = the sum of col's entries that im2col took from each pixel (overwrites x).
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    col2im_cuda(T* x, const T* col, ConvGeometry g, int64_t n, int64_t channels) {
  const int64_t K = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const int64_t L = g.out[0] * g.out[1] * g.out[2];
  const int64_t I = g.in[0] * g.in[1] * g.in[2];
  const int64_t total = n * channels * I;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += int64_t(gridDim.x) * blockDim.x) {
    int64_t p[3];
    unravel3(e % I, g.in, p);
    const T* cp = col + (e / I) * K * L;
    T sum = T(0);
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
      const int64_t td = p[0] + g.pad[0] - kd * g.dilation[0];
      if (td < 0 || td % g.stride[0] != 0 || td / g.stride[0] >= g.out[0]) continue;
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
        const int64_t th = p[1] + g.pad[1] - kh * g.dilation[1];
        if (th < 0 || th % g.stride[1] != 0 || th / g.stride[1] >= g.out[1]) continue;
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
          const int64_t tw = p[2] + g.pad[2] - kw * g.dilation[2];
          if (tw < 0 || tw % g.stride[2] != 0 || tw / g.stride[2] >= g.out[2]) continue;
          const int64_t kk = (kd * g.kernel[1] + kh) * g.kernel[2] + kw;
          const int64_t l =
              ((td / g.stride[0]) * g.out[1] + th / g.stride[1]) * g.out[2] + tw / g.stride[2];
          sum += cp[kk * L + l];
        }
      }
    }
    x[e] = sum;
  }
}

// out [N, C, L] += bias[C].
template <typename T>
__global__ void __launch_bounds__(kBlockThreads)
    add_bias_cuda(T* out, const T* bias, int64_t total, int64_t channels, int64_t L) {
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += int64_t(gridDim.x) * blockDim.x) {
    out[e] += bias[(e / L) % channels];
  }
}

// The kernels above for one dtype (Float32, Float64 or Int64), dispatched once per call.
template <typename F>
void with_conv_dtype(DType t, const F& f) {
  switch (t) {
    case DType::Float32:
      return f(float{});
    case DType::Float64:
      return f(double{});
    default:
      return f(int64_t{});
  }
}

Tensor view(const Tensor& t, const DimVector& sizes, const DimVector& strides, int64_t offset) {
  return t.as_strided_view(sizes, strides, t.storage_offset() + offset);
}

struct ConvRun {
  const ConvGeometry& g;
  DType dtype;
  int device;
  int64_t K, L, I, cin_g, cout_g;

  void im2col(const Tensor& x, const Tensor& col, int64_t n0, int64_t n) const {
    with_conv_dtype(dtype, [&](auto zero) {
      using T = decltype(zero);
      im2col_cuda<T>
          <<<blocks_for(n * g.in_channels * K * L), kBlockThreads, 0, stream_of(device)>>>(
              x.data<T>() + n0 * g.in_channels * I, col.data<T>(), g, n, g.in_channels);
    });
    check_launch("convolution");
  }

  void col2im(const Tensor& x, const Tensor& col, int64_t n0, int64_t n) const {
    with_conv_dtype(dtype, [&](auto zero) {
      using T = decltype(zero);
      col2im_cuda<T><<<blocks_for(n * g.in_channels * I), kBlockThreads, 0, stream_of(device)>>>(
          x.data<T>() + n0 * g.in_channels * I, col.data<T>(), g, n, g.in_channels);
    });
    check_launch("convolution_backward");
  }

  void add_bias(const Tensor& out, const Tensor& bias, int64_t channels, int64_t positions) const {
    with_conv_dtype(dtype, [&](auto zero) {
      using T = decltype(zero);
      add_bias_cuda<T><<<blocks_for(out.numel()), kBlockThreads, 0, stream_of(device)>>>(
          out.data<T>(), bias.data<T>(), out.numel(), channels, positions);
    });
    check_launch("convolution");
  }

  // w_g [C_out / G, C_in / G * K] (transposed when `trans`), broadcast over n.
  Tensor weight(const Tensor& w, int64_t grp, int64_t n, bool trans) const {
    const int64_t cols = cin_g * K;
    const int64_t off = grp * cout_g * cols;
    return trans ? view(w, {n, cols, cout_g}, {0, 1, cols}, off)
                 : view(w, {n, cout_g, cols}, {0, cols, 1}, off);
  }
  // The group's slice of an [n, C, L] buffer starting at sample n0.
  Tensor slice(const Tensor& t, int64_t channels, int64_t per_group, int64_t grp, int64_t n0,
               int64_t n, int64_t len) const {
    return view(t, {n, per_group, len}, {channels * len, len, 1},
                (n0 * channels + grp * per_group) * len);
  }
};

}  // namespace

void conv_kernel(ConvKind kind, const Tensor& out, const Tensor& a, const Tensor& b,
                 const Tensor& bias, const ConvGeometry& g) {
  const int device = out.device().index;
  DeviceGuard guard(device);
  const int64_t K = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const int64_t L = g.out[0] * g.out[1] * g.out[2];
  const int64_t I = g.in[0] * g.in[1] * g.in[2];
  const ConvRun r{
      g, out.dtype(), device, K, L, I, g.in_channels / g.groups, g.out_channels / g.groups};
  const int64_t N = g.batch, G = g.groups, cin = g.in_channels, cout = g.out_channels;
  const int64_t per_sample = cin * K * L * itemsize(out.dtype());
  int64_t chunk = per_sample > 0 ? kColumnBudget / per_sample : N;
  chunk = chunk < 1 ? 1 : chunk > N ? N : chunk;
  const Scalar one(int64_t(1)), zero(int64_t(0));
  const Device dev = out.device();
  if (N == 0) {  // only a weight gradient can be non-empty: the sum over no samples
    check(cudaMemsetAsync(out.raw_data(), 0, size_t(out.nbytes()), stream_of(device)),
          "convolution_backward");
    return;
  }
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t n = N - n0 < chunk ? N - n0 : chunk;
    Tensor col = empty_tensor({n, cin * K, L}, out.dtype(), dev);
    switch (kind) {
      case ConvKind::Forward:  // a = x, b = w, out = y
        r.im2col(a, col, n0, n);
        for (int64_t grp = 0; grp < G; ++grp) {
          batched_gemm(r.slice(out, cout, r.cout_g, grp, n0, n, L), r.weight(b, grp, n, false),
                       r.slice(col, cin * K, r.cin_g * K, grp, 0, n, L), one, zero);
        }
        break;
      case ConvKind::BackwardInput:  // a = gy, b = w, out = gx
        for (int64_t grp = 0; grp < G; ++grp) {
          batched_gemm(r.slice(col, cin * K, r.cin_g * K, grp, 0, n, L), r.weight(b, grp, n, true),
                       r.slice(a, cout, r.cout_g, grp, n0, n, L), one, zero);
        }
        r.col2im(out, col, n0, n);
        break;
      case ConvKind::BackwardWeight: {  // a = gy, b = x, out = gw
        r.im2col(b, col, n0, n);
        // [C, n, L] copies make every (sample, position) pair one index of the reduced dim.
        Tensor gy = empty_tensor({cout, n, L}, out.dtype(), dev);
        copy_into(gy, view(a, {cout, n, L}, {L, cout * L, 1}, n0 * cout * L));
        Tensor cols = empty_tensor({cin * K, n, L}, out.dtype(), dev);
        copy_into(cols, view(col, {cin * K, n, L}, {L, cin * K * L, 1}, 0));
        const int64_t rows = r.cin_g * K;
        for (int64_t grp = 0; grp < G; ++grp) {
          batched_gemm(view(out, {r.cout_g, rows}, {rows, 1}, grp * r.cout_g * rows),
                       view(gy, {r.cout_g, n * L}, {n * L, 1}, grp * r.cout_g * n * L),
                       view(cols, {n * L, rows}, {1, n * L}, grp * rows * n * L), one,
                       n0 == 0 ? zero : one);
        }
        break;
      }
    }
  }
  if (bias.defined() && kind != ConvKind::BackwardWeight) {
    const int64_t channels = kind == ConvKind::Forward ? cout : cin;
    r.add_bias(out, bias, channels, kind == ConvKind::Forward ? L : I);
  }
}

}  // namespace cresset::cuda::impl
