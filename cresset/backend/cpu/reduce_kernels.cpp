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
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "cresset/core/dtype.h"
#include "cresset/core/parallel.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace cresset::cpu::CPU_CAPABILITY {

#include "cresset/backend/cpu/transpose.h"
#include "cresset/backend/cpu/reduce_engine.h"
#include "cresset/backend/cpu/reduce_ops.h"

// Sum, mean, max and min of types that accumulate in themselves combine whole vectors of lanes
// (see Note [Vector lanes]); combine is also their update, a lane taking an element by combining.
template <class T>
struct VectorLanes<SumOp<T>, std::enable_if_t<std::is_same_v<T, sum_acc_t<T>>>> : std::true_type {
  using V = typename LaneVector<T>::V;
  CRESSET_INLINE static V combine(V a, V b) { return a + b; }
};
template <class T, bool kMax>
struct VectorLanes<MinMaxOp<T, kMax>,
                   std::enable_if_t<std::is_same_v<T, cmp_t<T>> && sizeof(T) >= 4>>
    : std::true_type {
  using V = typename LaneVector<T>::V;
  CRESSET_INLINE static V combine(V a, V b) { return ((kMax ? b > a : b < a) | (b != b)) ? b : a; }
};

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

// exp for the logsumexp passes: the fast expf for floats (Note [Fast expf]), libm's for doubles.
template <typename T>
CRESSET_INLINE T exp_of(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return vec_math::expf(x);
  } else {
    return std::exp(x);
  }
}

// The max of a contiguous row (NaN if it holds one) in vector lanes (Note [Vector lanes]).
template <typename T>
T row_max(const T* x, int64_t n) {
  using Max = MinMaxOp<T, true>;
  constexpr int L = lanes_for<T>(), G = lane_group_for<T>();
  if (n >= L) return contiguous_leaf<L>(Max{}, x, n, 0);
  if (n >= G) return contiguous_leaf<G>(Max{}, x, n, 0);
  T mx = Max{}.identity();
  for (int64_t i = 0; i < n; ++i) mx = Max{}.update(mx, x[i], i);
  return mx;
}

// logsumexp over contiguous rows, like torch: max + log(sum(exp(x - max))) with an infinite max
// shifting by 0, as a max pass in vector lanes and a vectorized exp-and-sum pass over each row (the
// engine's one-pass LogSumExpOp rescales at every element and can't vectorize). A row is never
// split, so the result doesn't depend on the thread count. Rows shorter than kShortRow go a tile
// of rows at a time (Note [Short rows]), each pass one vector across the rows per element:
// measured 2-8x faster than one row at a time on 2- to 48-element rows.
template <typename T>
void logsumexp_rows(const ReducePlan& p, const T* in, T* out) {
  const int64_t n = p.reduce_size;
  constexpr int G = 64 / sizeof(T);
  if (n < kShortRow && p.num_outputs >= G) {
    for_each_row_tile<G>(p, in, [&](const T (*cols)[G], int64_t, const int64_t* out_off,
                                    int width) {
      T shift[G], sum[G] = {};
#pragma omp simd
      for (int r = 0; r < G; ++r) shift[r] = -std::numeric_limits<T>::infinity();
      for (int64_t k = 0; k < n; ++k) {
#pragma omp simd
        for (int r = 0; r < G; ++r) shift[r] = cols[k][r] > shift[r] ? cols[k][r] : shift[r];
      }
#pragma omp simd
      for (int r = 0; r < G; ++r) shift[r] = std::isinf(shift[r]) ? T(0) : shift[r];
      for (int64_t k = 0; k < n; ++k) {
#pragma omp simd
        for (int r = 0; r < G; ++r) sum[r] += exp_of(cols[k][r] - shift[r]);
      }
      for (int r = 0; r < width; ++r) out[out_off[r]] = std::log(sum[r]) + shift[r];
    });
    return;
  }
  int64_t grain = std::max<int64_t>(1, kGrainSize / n);
  parallel_for(0, p.num_outputs, grain, [&](int64_t b, int64_t e) {
    KeptWalker w(p, 0, b);
    for (int64_t o = b; o < e; ++o, w.next()) {
      const T* x = in + w.in.off;
      const T mx = row_max(x, n);
      const T shift = std::isinf(mx) ? T(0) : mx;  // a NaN max makes every term NaN
      T sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t i = 0; i < n; ++i) sum += exp_of(x[i] - shift);
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
