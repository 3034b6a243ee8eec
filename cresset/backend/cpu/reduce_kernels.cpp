// The hot reductions (sum, mean, max, min, float argmax/argmin, logsumexp over rows), compiled
// once per capability
// (see Note [CPU capability dispatch]); every other case goes to the single build in
// reduce_generic.cpp.
// clang-format off
#include "cresset/backend/cpu/vec_math.h"  // first: see Note [Vectorized libm]
// clang-format on
#include "cresset/backend/cpu/reduce_kernels.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "cresset/core/dtype.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

#include "cresset/backend/cpu/reduce_engine.h"
#include "cresset/backend/cpu/reduce_ops.h"

// Compute dtypes of these kinds (reduce_compute_dtype): Sum/Mean over bool, int64 and floats,
// Max/Min over uint8, int64 and floats.
#define CRESSET_CASES_HOT_SUM(...)                   \
  CRESSET_CASES_BOOL(__VA_ARGS__)                    \
  CRESSET_DISPATCH_CASE(int64_t, Int64, __VA_ARGS__) \
  CRESSET_CASES_FLOAT(__VA_ARGS__)
#define CRESSET_CASES_HOT_MINMAX(...)                \
  CRESSET_DISPATCH_CASE(uint8_t, UInt8, __VA_ARGS__) \
  CRESSET_DISPATCH_CASE(int64_t, Int64, __VA_ARGS__) \
  CRESSET_CASES_FLOAT(__VA_ARGS__)

namespace {

// logsumexp over contiguous rows, like torch: max + log(sum(exp(x - max))) with an infinite max
// shifting by 0, as a vectorized max pass and a vectorized exp-and-sum pass over each row (the
// engine's one-pass LogSumExpOp rescales at every element and can't vectorize). A row is never
// split, so the result doesn't depend on the thread count.
template <typename T>
void logsumexp_rows(const ReducePlan& p, const T* in, T* out) {
  const int64_t n = p.reduce_size;
  int64_t grain = std::max<int64_t>(1, kGrainSize / n);
  parallel_for(0, p.num_outputs, grain, [&](int64_t b, int64_t e) {
    KeptWalker w(p, 0, b);
    for (int64_t o = b; o < e; ++o, w.next()) {
      const T* x = in + w.in.off;
      constexpr int L = 64 / sizeof(T);  // independent maxima: a vector of them
      T lanes[L];
      for (int j = 0; j < L; ++j) lanes[j] = -std::numeric_limits<T>::infinity();
      int64_t i = 0;
      for (; i + L <= n; i += L) {
        for (int j = 0; j < L; ++j) lanes[j] = x[i + j] > lanes[j] ? x[i + j] : lanes[j];
      }
      for (; i < n; ++i) lanes[0] = x[i] > lanes[0] ? x[i] : lanes[0];
      T mx = lanes[0];
      for (int j = 1; j < L; ++j) mx = lanes[j] > mx ? lanes[j] : mx;
      const T shift = std::isinf(mx) ? T(0) : mx;  // a NaN reaches the sum through exp
      T sum = 0;
      if constexpr (std::is_same_v<T, float>) {
#pragma omp simd reduction(+ : sum)
        for (int64_t i = 0; i < n; ++i) sum += vec_math::expf(x[i] - shift);
      } else {
#pragma omp simd reduction(+ : sum)
        for (int64_t i = 0; i < n; ++i) sum += std::exp(x[i] - shift);
      }
      out[w.out.off] = std::log(sum) + shift;
    }
  });
}

}  // namespace

#define CRESSET_CASES_FLOAT32_64(...)                \
  CRESSET_DISPATCH_CASE(float, Float32, __VA_ARGS__) \
  CRESSET_DISPATCH_CASE(double, Float64, __VA_ARGS__)

void reduce_kernel(const ReducePlan& p, const ReduceCall& c) {
  char* out[2] = {static_cast<char*>(c.out[0]), static_cast<char*>(c.out[1])};
  switch (c.kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      CRESSET_DISPATCH_IMPL("sum", c.dtype, CRESSET_CASES_HOT_SUM, [&] {
        SumOp<scalar_t> op;
        op.mean = c.kind == ReduceKind::Mean;
        op.count = p.reduce_size;
        run_reduction(op, p, c.in, out);
      });
      break;
    case ReduceKind::Max:
      CRESSET_DISPATCH_IMPL("max", c.dtype, CRESSET_CASES_HOT_MINMAX,
                            [&] { run_reduction(MinMaxOp<scalar_t, true>{}, p, c.in, out); });
      break;
    case ReduceKind::Min:
      CRESSET_DISPATCH_IMPL("min", c.dtype, CRESSET_CASES_HOT_MINMAX,
                            [&] { run_reduction(MinMaxOp<scalar_t, false>{}, p, c.in, out); });
      break;
    case ReduceKind::ArgMax:  // max(dim), argmax ... over floats; int64 in the generic build
    case ReduceKind::ArgMin:
      if (c.dtype == DType::Float32 || c.dtype == DType::Float64) {
        CRESSET_DISPATCH_IMPL("argmax", c.dtype, CRESSET_CASES_FLOAT32_64, [&] {
          if (c.kind == ReduceKind::ArgMax) {
            run_reduction(ArgOp<scalar_t, true>{}, p, c.in, out);
          } else {
            run_reduction(ArgOp<scalar_t, false>{}, p, c.in, out);
          }
        });
        break;
      }
      reduce_kernel_generic(p, c);
      break;
    case ReduceKind::LogSumExp:
      if (p.red_sizes.size() == 1 && p.red_strides[0] == 1 && p.reduce_size > 0 &&
          (c.dtype == DType::Float32 || c.dtype == DType::Float64)) {
        CRESSET_DISPATCH_IMPL("logsumexp", c.dtype, CRESSET_CASES_FLOAT32_64, [&] {
          logsumexp_rows(p, static_cast<const scalar_t*>(c.in), reinterpret_cast<scalar_t*>(out[0]));
        });
        break;
      }
      reduce_kernel_generic(p, c);
      break;
    default:
      reduce_kernel_generic(p, c);
  }
}

}  // namespace cresset::cpu::CPU_CAPABILITY
