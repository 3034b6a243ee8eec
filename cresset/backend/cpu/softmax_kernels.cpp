// Fused softmax / log_softmax: one read of the input and one write of the output per element
// (a composite of max, sub, exp, sum, div would make five passes over memory).
#include "cresset/backend/cpu/vec_math.h"  // first: see Note [Vectorized libm]

#include <cmath>
#include <limits>
#include <vector>

#include "cresset/backend/common/functors.h"
#include "cresset/backend/cpu/softmax_kernels.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

#ifdef CRESSET_VEC_FLOAT
// Rows [0, count) of n floats at x (count <= kLanes, rows n apart) in whole vectors of vec_math,
// their tails masked: the passes of the generic loop below, with exp on whole registers (Note
// [Explicit vector exp]) and no scalar remainder (GCC's loops ran the last n % 16 elements one at
// a time: rows of 2-24 floats up to 4x slower than torch). The rows' logs or reciprocals of
// their sums are one vector operation between the passes: a log per row was a long chain each
// row waited on (log_softmax of 16 floats a row 1.5x faster).
void float_rows(const float* x, float* y, int64_t n, int64_t count, bool log) {
  using namespace vec_math;
  // exp(x - top) of a row's last `tail` elements, the other lanes 0.
  auto tail_exp = [](const float* p, int64_t tail, float top) {
    return keep_first(exp(sub(load_first(p, tail, top), splat(top))), tail);
  };
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  const int64_t full = n / kLanes * kLanes, tail = n - full;
  alignas(64) float tops[kLanes], sums[kLanes];
  for (int64_t r = 0; r < kLanes; ++r) sums[r] = 1.0f;  // rows past count: any valid sum
  for (int64_t r = 0; r < count; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    Vec m = splat(kNegInf);
    for (int64_t i = 0; i < full; i += kLanes) m = max(m, load(xr + i));
    if (tail) m = max(m, load_first(xr + full, tail, kNegInf));
    tops[r] = reduce_max(m);
    const Vec mx = splat(tops[r]);
    Vec sum = splat(0.0f);
    for (int64_t i = 0; i < full; i += kLanes) {
      const Vec e = exp(sub(load(xr + i), mx));
      if (!log) store(yr + i, e);
      sum = add(sum, e);
    }
    if (tail) {  // padded with the max: exp(0), dropped before the sum (exp(-inf) went denormal)
      sum = add(sum, tail_exp(xr + full, tail, tops[r]));
    }
    sums[r] = reduce_add(sum);
  }
  // (x - max) - log(sum), in that order: max + log(sum) would round away small results.
  alignas(64) float factors[kLanes];
  store(factors, log ? vec_math::log(load(sums)) : div(splat(1.0f), load(sums)));
  for (int64_t r = 0; r < count; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    const Vec mx = splat(tops[r]), factor = splat(factors[r]);
    for (int64_t i = 0; i < full; i += kLanes) {
      store(yr + i, log ? sub(sub(load(xr + i), mx), factor) : mul(load(yr + i), factor));
    }
    if (tail) {  // the exps again: reloading a masked store waits for it to reach the cache
      const Vec v = log ? sub(sub(load_first(xr + full, tail, 0.0f), mx), factor)
                        : mul(tail_exp(xr + full, tail, tops[r]), factor);
      store_first(yr + full, v, tail);
    }
  }
}
#endif

// Softmax over contiguous rows of length n. Exps go to `buf` (the output row itself when T is the
// compute type), then get scaled; the row stays in L1/L2 between the passes.
template <typename T>
void rows_kernel(const T* in, T* out, int64_t rows, int64_t n, bool log) {
  using M = opmath_t<T>;
  constexpr bool kDirect = std::is_same_v<T, M>;
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(n, 1));
  parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
#ifdef CRESSET_VEC_FLOAT
    if constexpr (std::is_same_v<T, float>) {
      for (int64_t r = begin; r < end; r += vec_math::kLanes) {
        float_rows(in + r * n, out + r * n, n, std::min<int64_t>(vec_math::kLanes, end - r), log);
      }
      return;
    }
#endif
    std::vector<M> scratch(kDirect ? 0 : static_cast<size_t>(n));
    for (int64_t r = begin; r < end; ++r) {
      const T* x = in + r * n;
      T* y = out + r * n;
      M mx = -std::numeric_limits<M>::infinity();
#pragma omp simd reduction(max : mx)
      for (int64_t i = 0; i < n; ++i) mx = std::max(mx, M(x[i]));
      M sum = 0;
      if (log) {
#pragma omp simd reduction(+ : sum)
        for (int64_t i = 0; i < n; ++i) sum += functors::Exp<M>{}(M(x[i]) - mx);
        // (x - max) - log(sum), in that order: max + log(sum) would round away small results.
        const M log_sum = std::log(sum);
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) y[i] = T((M(x[i]) - mx) - log_sum);
        continue;
      }
      M* e = kDirect ? reinterpret_cast<M*>(y) : scratch.data();
#pragma omp simd reduction(+ : sum)
      for (int64_t i = 0; i < n; ++i) {
        e[i] = functors::Exp<M>{}(M(x[i]) - mx);
        sum += e[i];
      }
      const M inv = M(1) / sum;
#pragma omp simd
      for (int64_t i = 0; i < n; ++i) y[i] = T(e[i] * inv);
    }
  });
}

// Softmax along a middle dim: for each outer index, reduce over `dim` for all `inner` positions
// at once so the innermost loop runs over contiguous memory.
template <typename T>
void strided_kernel(const T* in, T* out, int64_t outer, int64_t dim, int64_t inner, bool log) {
  using M = opmath_t<T>;
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(dim * inner, 1));
  parallel_for(0, outer, grain, [&](int64_t begin, int64_t end) {
    std::vector<M> mx(static_cast<size_t>(inner)), sum(static_cast<size_t>(inner));
    for (int64_t o = begin; o < end; ++o) {
      const T* x = in + o * dim * inner;
      T* y = out + o * dim * inner;
      std::fill(mx.begin(), mx.end(), -std::numeric_limits<M>::infinity());
      std::fill(sum.begin(), sum.end(), M(0));
      for (int64_t d = 0; d < dim; ++d) {
        for (int64_t i = 0; i < inner; ++i) mx[i] = std::max(mx[i], M(x[d * inner + i]));
      }
      for (int64_t d = 0; d < dim; ++d) {
        for (int64_t i = 0; i < inner; ++i) sum[i] += functors::Exp<M>{}(M(x[d * inner + i]) - mx[i]);
      }
      for (int64_t i = 0; i < inner; ++i) {
        sum[i] = log ? std::log(sum[i]) : M(1) / sum[i];
      }
      for (int64_t d = 0; d < dim; ++d) {
        for (int64_t i = 0; i < inner; ++i) {
          M v = M(x[d * inner + i]);
          y[d * inner + i] = T(log ? (v - mx[i]) - sum[i] : functors::Exp<M>{}(v - mx[i]) * sum[i]);
        }
      }
    }
  });
}

// Backward of both along [outer, dim, inner], from the output y and its gradient g:
// softmax: y * (g - sum(g * y)); log_softmax: g - exp(y) * sum(g). Two passes per row.
template <typename T>
void backward_kernel(const T* g, const T* y, T* gi, int64_t outer, int64_t dim, int64_t inner,
                     bool log) {
  using M = opmath_t<T>;
  int64_t grain = std::max<int64_t>(1, kGrainSize / std::max<int64_t>(dim * inner, 1));
  parallel_for(0, outer, grain, [&](int64_t begin, int64_t end) {
    std::vector<M> sum(static_cast<size_t>(inner));
    for (int64_t o = begin; o < end; ++o) {
      const int64_t base = o * dim * inner;
      if (inner == 1) {
        M s = 0;
#pragma omp simd reduction(+ : s)
        for (int64_t d = 0; d < dim; ++d) s += log ? M(g[base + d]) : M(g[base + d]) * M(y[base + d]);
        if (log) {
#pragma omp simd
          for (int64_t d = 0; d < dim; ++d)
            gi[base + d] = T(M(g[base + d]) - functors::Exp<M>{}(M(y[base + d])) * s);
        } else {
#pragma omp simd
          for (int64_t d = 0; d < dim; ++d)
            gi[base + d] = T(M(y[base + d]) * (M(g[base + d]) - s));
        }
        continue;
      }
      std::fill(sum.begin(), sum.end(), M(0));
      for (int64_t d = 0; d < dim; ++d) {
        const int64_t at = base + d * inner;
        for (int64_t i = 0; i < inner; ++i)
          sum[i] += log ? M(g[at + i]) : M(g[at + i]) * M(y[at + i]);
      }
      for (int64_t d = 0; d < dim; ++d) {
        const int64_t at = base + d * inner;
        for (int64_t i = 0; i < inner; ++i) {
          const M gv = M(g[at + i]), yv = M(y[at + i]);
          gi[at + i] = T(log ? gv - functors::Exp<M>{}(yv) * sum[i] : yv * (gv - sum[i]));
        }
      }
    }
  });
}

}  // namespace

void softmax_backward_kernel(const Tensor& grad_in, const Tensor& grad, const Tensor& out,
                             int64_t outer, int64_t dim, int64_t inner, bool log) {
  CRESSET_DISPATCH_FLOAT(log ? "log_softmax_backward" : "softmax_backward", out.dtype(), [&] {
    backward_kernel(grad.data<scalar_t>(), out.data<scalar_t>(), grad_in.data<scalar_t>(),
                    outer, dim, inner, log);
  });
}

void softmax_kernel(const Tensor& out, const Tensor& in, int64_t outer, int64_t dim,
                    int64_t inner, bool log) {
  CRESSET_DISPATCH_FLOAT(log ? "log_softmax" : "softmax", in.dtype(), [&] {
    const scalar_t* x = in.data<scalar_t>();
    scalar_t* y = out.data<scalar_t>();
    if (inner == 1) {
      rows_kernel(x, y, outer, dim, log);
    } else {
      strided_kernel(x, y, outer, dim, inner, log);
    }
  });
}

}  // namespace cresset::cpu::CPU_CAPABILITY
