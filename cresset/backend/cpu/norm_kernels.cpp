// Fused kernels of batch, layer and group norm: statistics with double sums (as torch's CPU batch
// norm accumulates), then one read and one write per element to normalize. Backward kernels
// reduce the two sums the gradient needs and apply it as one affine map.
//
// Note [One-pass float moments]
// For float32 data the mean and variance come from one pass of sum(x) and sum(x^2) in double:
// squares of floats are exact in double and the cancellation in E[x^2] - mean^2 costs ~1e-16 *
// mean^2 / var, far below float32 resolution, so a second read of the data buys nothing. float64
// data has no such headroom and takes two passes (sum, then sum of centered squares).
#include "cresset/backend/cpu/norm_kernels.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "cresset/backend/cpu/vec_math.h"  // first: see Note [Vectorized libm]
#include "cresset/core/parallel.h"

#define CRESSET_NORM_CASES(...)                      \
  CRESSET_DISPATCH_CASE(float, Float32, __VA_ARGS__) \
  CRESSET_DISPATCH_CASE(double, Float64, __VA_ARGS__)
#define CRESSET_NORM_DISPATCH(OP, DTYPE, ...) \
  CRESSET_DISPATCH_IMPL(OP, DTYPE, CRESSET_NORM_CASES, __VA_ARGS__)

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

int64_t grain_for(int64_t work_per_item) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(work_per_item, 1));
}

template <typename T>
double sum_of(const T* p, int64_t len) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < len; ++i) s += double(p[i]);
  return s;
}

template <typename T>
double centered_squares(const T* p, int64_t len, double m) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < len; ++i) {
    const double d = double(p[i]) - m;
    s += d * d;
  }
  return s;
}

// sum dy and sum dy * (x - center) over one contiguous segment, added into the accumulators.
template <typename T>
void grad_sums_of(const T* dy, const T* x, int64_t len, double center, double& sdy, double& sdyx) {
  double a = 0, b = 0;
#pragma omp simd reduction(+ : a, b)
  for (int64_t i = 0; i < len; ++i) {
    const double g = double(dy[i]);
    a += g;
    b += g * (double(x[i]) - center);
  }
  sdy += a;
  sdyx += b;
}

template <typename T>
constexpr bool kOnePass = std::is_same_v<T, float>;  // See Note [One-pass float moments].

// Adds sum(x) and sum(x^2) of one contiguous segment into s and q.
template <typename T>
void sums_of(const T* p, int64_t len, double& s, double& q) {
  double a = 0, b = 0;
#pragma omp simd reduction(+ : a, b)
  for (int64_t i = 0; i < len; ++i) {
    const double v = double(p[i]);
    a += v;
    b += v * v;
  }
  s += a;
  q += b;
}

double variance_from_sums(double s, double q, double count) {
  const double m = s / count;
  return std::max(q / count - m * m, 0.0);
}

template <typename T>
void channel_moments(const T* x, int64_t n, int64_t c, int64_t hw, double* mean, double* var) {
  const double count = double(n * hw);
  if (hw == 1) {
    // [n, c]: walk whole rows so the inner loop runs over contiguous channels.
    parallel_for(0, c, grain_for(n), [&](int64_t b, int64_t e) {
      std::fill(mean + b, mean + e, 0.0);
      std::fill(var + b, var + e, 0.0);
      for (int64_t r = 0; r < n; ++r) {
        const T* row = x + r * c;
#pragma omp simd
        for (int64_t j = b; j < e; ++j) mean[j] += double(row[j]);
      }
      for (int64_t j = b; j < e; ++j) mean[j] /= count;
      for (int64_t r = 0; r < n; ++r) {
        const T* row = x + r * c;
#pragma omp simd
        for (int64_t j = b; j < e; ++j) {
          const double d = double(row[j]) - mean[j];
          var[j] += d * d;
        }
      }
      for (int64_t j = b; j < e; ++j) var[j] /= count;
    });
    return;
  }
  parallel_for(0, c, grain_for(n * hw), [&](int64_t b, int64_t e) {
    for (int64_t ch = b; ch < e; ++ch) {
      double s = 0;
      if constexpr (kOnePass<T>) {
        double q = 0;
        for (int64_t r = 0; r < n; ++r) sums_of(x + (r * c + ch) * hw, hw, s, q);
        mean[ch] = s / count;
        var[ch] = variance_from_sums(s, q, count);
        continue;
      }
      for (int64_t r = 0; r < n; ++r) s += sum_of(x + (r * c + ch) * hw, hw);
      const double m = s / count;
      double q = 0;
      for (int64_t r = 0; r < n; ++r) q += centered_squares(x + (r * c + ch) * hw, hw, m);
      mean[ch] = m;
      var[ch] = q / count;
    }
  });
}

// Mean and 1 / sqrt(var + eps) of one contiguous row.
template <typename T>
void row_moment(const T* p, int64_t len, double eps, double& mean, double& rstd) {
  double s = 0, v;
  if constexpr (kOnePass<T>) {
    double q = 0;
    sums_of(p, len, s, q);
    v = variance_from_sums(s, q, double(len));
  } else {
    s = sum_of(p, len);
    v = centered_squares(p, len, s / double(len)) / double(len);
  }
  mean = s / double(len);
  rstd = 1.0 / std::sqrt(v + eps);
}

// Group norm over [n, groups, d, hw]: each (sample, group) row of d * hw elements gets its
// statistics and is normalized channel by channel in the same visit.
template <typename T>
void group_norm_rows(T* out, const T* x, const double* w, const double* b, int64_t n, int64_t c,
                     int64_t hw, int64_t groups, double eps, double* mean, double* rstd) {
  const int64_t d = c / groups;
  parallel_for(0, n * groups, grain_for(d * hw), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; ++r) {
      const T* p = x + r * d * hw;
      row_moment(p, d * hw, eps, mean[r], rstd[r]);
      const T m = T(mean[r]);
      for (int64_t j = 0; j < d; ++j) {
        const int64_t ch = (r % groups) * d + j;
        const T sc = T(rstd[r] * w[ch]), sh = T(b[ch]);
        const T* xr = p + j * hw;
        T* o = out + r * d * hw + j * hw;
#pragma omp simd
        for (int64_t i = 0; i < hw; ++i) o[i] = sc * (xr[i] - m) + sh;
      }
    }
  });
}

template <typename T>
void channel_affine(T* out, const T* dy, const T* x, int64_t n, int64_t c, int64_t hw,
                    int64_t nstride, const double* a, const double* b, const double* center,
                    const double* k) {
  if (hw == 1) {
    parallel_for(0, n, grain_for(c), [&](int64_t rb, int64_t re) {
      for (int64_t r = rb; r < re; ++r) {
        const double* ar = a + r * nstride;
        const double* br = b + r * nstride;
        const double* mr = center + r * nstride;
        const double* kr = k + r * nstride;
        const T* xr = x + r * c;
        T* o = out + r * c;
        if (dy) {
          const T* gr = dy + r * c;
#pragma omp simd
          for (int64_t j = 0; j < c; ++j) {
            o[j] = T(ar[j]) * gr[j] + T(br[j]) * (xr[j] - T(mr[j])) + T(kr[j]);
          }
        } else {
#pragma omp simd
          for (int64_t j = 0; j < c; ++j) o[j] = T(br[j]) * (xr[j] - T(mr[j])) + T(kr[j]);
        }
      }
    });
    return;
  }
  parallel_for(0, n * c, grain_for(hw), [&](int64_t rb, int64_t re) {
    for (int64_t row = rb; row < re; ++row) {
      const int64_t i = (row / c) * nstride + row % c;
      const T bv = T(b[i]), mv = T(center[i]), kv = T(k[i]);
      const T* xr = x + row * hw;
      T* o = out + row * hw;
      if (dy) {
        const T av = T(a[i]);
        const T* gr = dy + row * hw;
#pragma omp simd
        for (int64_t j = 0; j < hw; ++j) o[j] = av * gr[j] + bv * (xr[j] - mv) + kv;
      } else {
#pragma omp simd
        for (int64_t j = 0; j < hw; ++j) o[j] = bv * (xr[j] - mv) + kv;
      }
    }
  });
}

template <typename T>
void channel_grad_sums(const T* dy, const T* x, int64_t n, int64_t c, int64_t hw, bool per_sample,
                       const double* center, double* sum_dy, double* sum_dyx) {
  if (per_sample) {
    parallel_for(0, n * c, grain_for(hw), [&](int64_t b, int64_t e) {
      for (int64_t row = b; row < e; ++row) {
        sum_dy[row] = sum_dyx[row] = 0;
        grad_sums_of(dy + row * hw, x + row * hw, hw, 0.0, sum_dy[row], sum_dyx[row]);
      }
    });
    return;
  }
  if (hw == 1) {
    parallel_for(0, c, grain_for(n), [&](int64_t b, int64_t e) {
      std::fill(sum_dy + b, sum_dy + e, 0.0);
      std::fill(sum_dyx + b, sum_dyx + e, 0.0);
      for (int64_t r = 0; r < n; ++r) {
        const T* g = dy + r * c;
        const T* xr = x + r * c;
#pragma omp simd
        for (int64_t j = b; j < e; ++j) {
          sum_dy[j] += double(g[j]);
          sum_dyx[j] += double(g[j]) * (double(xr[j]) - (center ? center[j] : 0.0));
        }
      }
    });
    return;
  }
  parallel_for(0, c, grain_for(n * hw), [&](int64_t b, int64_t e) {
    for (int64_t ch = b; ch < e; ++ch) {
      double sdy = 0, sdyx = 0;
      const double m = center ? center[ch] : 0.0;
      for (int64_t r = 0; r < n; ++r) {
        const int64_t off = (r * c + ch) * hw;
        grad_sums_of(dy + off, x + off, hw, m, sdy, sdyx);
      }
      sum_dy[ch] = sdy;
      sum_dyx[ch] = sdyx;
    }
  });
}

// Statistics and normalization of each row in one visit, while the row is in L1.
template <typename T>
void layer_norm_rows(T* out, const T* x, const T* w, const T* bias, int64_t rows, int64_t len,
                     double eps, double* mean, double* rstd) {
  parallel_for(0, rows, grain_for(len), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* p = x + r * len;
      row_moment(p, len, eps, mean[r], rstd[r]);
      const T m = T(mean[r]), s = T(rstd[r]);
      T* o = out + r * len;
      if (w && bias) {
#pragma omp simd
        for (int64_t j = 0; j < len; ++j) o[j] = (p[j] - m) * s * w[j] + bias[j];
      } else if (w) {
#pragma omp simd
        for (int64_t j = 0; j < len; ++j) o[j] = (p[j] - m) * s * w[j];
      } else if (bias) {
#pragma omp simd
        for (int64_t j = 0; j < len; ++j) o[j] = (p[j] - m) * s + bias[j];
      } else {
#pragma omp simd
        for (int64_t j = 0; j < len; ++j) o[j] = (p[j] - m) * s;
      }
    }
  });
}

// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * w; the column sums of dy * xhat
// and dy go to one buffer per block of rows, added in block order (deterministic per thread count).
template <typename T>
void layer_norm_backward(T* dx, const T* dy, const T* x, const T* w, int64_t rows, int64_t len,
                         const double* mean, const double* rstd, double* dw, double* db) {
  const int64_t blocks =
      std::max<int64_t>(1, std::min<int64_t>({get_num_threads(), rows, rows * len / kGrainSize}));
  const bool cols = dw || db;
  std::vector<double> part(cols ? size_t(blocks * len * 2) : 0, 0.0);
  parallel_for(0, blocks, 1, [&](int64_t bb, int64_t be) {
    std::vector<T> g(dx && w ? size_t(len) : 0);
    for (int64_t blk = bb; blk < be; ++blk) {
      double* pw = cols ? part.data() + blk * len * 2 : nullptr;
      double* pb = cols ? pw + len : nullptr;
      for (int64_t r = rows * blk / blocks; r < rows * (blk + 1) / blocks; ++r) {
        const T* gy = dy + r * len;
        const T* xr = x + r * len;
        const double m = mean[r], s = rstd[r];
        if (cols) {
          const T mt = T(m), st = T(s);
#pragma omp simd
          for (int64_t j = 0; j < len; ++j) {
            pw[j] += double(gy[j] * ((xr[j] - mt) * st));
            pb[j] += double(gy[j]);
          }
        }
        if (!dx) continue;
        const T* gw = gy;
        if (w) {
#pragma omp simd
          for (int64_t j = 0; j < len; ++j) g[j] = gy[j] * w[j];
          gw = g.data();
        }
        double sg = 0, sgx = 0;
        grad_sums_of(gw, xr, len, m, sg, sgx);
        const double inv_n = 1.0 / double(len);
        const T a = T(s), bx = T(-s * s * s * sgx * inv_n);
        const T k = T(-s * sg * inv_n + m * s * s * s * sgx * inv_n);
        T* o = dx + r * len;
#pragma omp simd
        for (int64_t j = 0; j < len; ++j) o[j] = a * gw[j] + bx * xr[j] + k;
      }
    }
  });
  if (!cols) return;
  for (int64_t j = 0; j < len; ++j) {
    double sw = 0, sb = 0;
    for (int64_t blk = 0; blk < blocks; ++blk) {
      sw += part[blk * len * 2 + j];
      sb += part[blk * len * 2 + len + j];
    }
    if (dw) dw[j] = sw;
    if (db) db[j] = sb;
  }
}

template <typename T>
const T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

}  // namespace

void channel_moments_kernel(const Tensor& x, int64_t n, int64_t c, int64_t hw, double* mean,
                            double* var) {
  CRESSET_NORM_DISPATCH("batch_norm", x.dtype(),
                        [&] { channel_moments(x.data<scalar_t>(), n, c, hw, mean, var); });
}

void group_norm_kernel(const Tensor& out, const Tensor& x, const double* weight, const double* bias,
                       int64_t n, int64_t c, int64_t hw, int64_t groups, double eps, double* mean,
                       double* rstd) {
  CRESSET_NORM_DISPATCH("group_norm", x.dtype(), [&] {
    group_norm_rows(out.data<scalar_t>(), x.data<scalar_t>(), weight, bias, n, c, hw, groups, eps,
                    mean, rstd);
  });
}

void channel_affine_kernel(const Tensor& out, const Tensor& dy, const Tensor& x, int64_t n,
                           int64_t c, int64_t hw, int64_t nstride, const double* a, const double* b,
                           const double* center, const double* k) {
  CRESSET_NORM_DISPATCH("batch_norm", x.dtype(), [&] {
    channel_affine(out.data<scalar_t>(), data_or_null<scalar_t>(dy), x.data<scalar_t>(), n, c, hw,
                   nstride, a, b, center, k);
  });
}

void channel_grad_sums_kernel(const Tensor& dy, const Tensor& x, int64_t n, int64_t c, int64_t hw,
                              bool per_sample, const double* center, double* sum_dy,
                              double* sum_dyx) {
  CRESSET_NORM_DISPATCH("batch_norm_backward", x.dtype(), [&] {
    channel_grad_sums(dy.data<scalar_t>(), x.data<scalar_t>(), n, c, hw, per_sample, center, sum_dy,
                      sum_dyx);
  });
}

void layer_norm_kernel(const Tensor& out, const Tensor& x, const Tensor& weight, const Tensor& bias,
                       int64_t rows, int64_t len, double eps, double* mean, double* rstd) {
  CRESSET_NORM_DISPATCH("layer_norm", x.dtype(), [&] {
    layer_norm_rows(out.data<scalar_t>(), x.data<scalar_t>(), data_or_null<scalar_t>(weight),
                    data_or_null<scalar_t>(bias), rows, len, eps, mean, rstd);
  });
}

void layer_norm_backward_kernel(const Tensor& dx, const Tensor& dy, const Tensor& x,
                                const Tensor& weight, int64_t rows, int64_t len, const double* mean,
                                const double* rstd, double* dw, double* db) {
  CRESSET_NORM_DISPATCH("layer_norm_backward", x.dtype(), [&] {
    layer_norm_backward(dx.defined() ? dx.data<scalar_t>() : nullptr, dy.data<scalar_t>(),
                        x.data<scalar_t>(), data_or_null<scalar_t>(weight), rows, len, mean, rstd,
                        dw, db);
  });
}

}  // namespace cresset::cpu::CPU_CAPABILITY
