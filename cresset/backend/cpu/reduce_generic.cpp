// The reductions outside the hot set (see reduce_kernels.cpp), compiled once for the baseline ISA:
// they are rarer, and each kind costs build time per capability.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "cresset/backend/cpu/reduce_kernels.h"
#include "cresset/core/dtype.h"
#include "cresset/core/parallel.h"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace cresset::cpu {

namespace generic {

#include "cresset/backend/cpu/transpose.h"
#include "cresset/backend/cpu/reduce_engine.h"
#include "cresset/backend/cpu/reduce_ops.h"

template <class T>
void run_norm(const ReducePlan& p, const ReduceCall& c, char* const* out) {
  using M = opmath_t<T>;
  M pv = M(c.param);
  switch (c.norm) {
    case NormKind::One:
      return run_reduction(NormOp<T, NormKind::One>{pv}, p, c.in, out);
    case NormKind::Two:
      return run_reduction(NormOp<T, NormKind::Two>{pv}, p, c.in, out);
    case NormKind::Inf:
      return run_reduction(NormOp<T, NormKind::Inf>{pv}, p, c.in, out);
    case NormKind::NegInf:
      return run_reduction(NormOp<T, NormKind::NegInf>{pv}, p, c.in, out);
    default:
      return run_reduction(NormOp<T, NormKind::General>{pv}, p, c.in, out);
  }
}

}  // namespace generic

// Compute dtypes of these kinds (reduce_compute_dtype): float32 and float64, plus int64 where
// integers are allowed, plus bool for All/Any.
#define CRESSET_CASES_F32_F64(...)                   \
  CRESSET_DISPATCH_CASE(float, Float32, __VA_ARGS__) \
  CRESSET_DISPATCH_CASE(double, Float64, __VA_ARGS__)
#define CRESSET_CASES_I64(...) CRESSET_DISPATCH_CASE(int64_t, Int64, __VA_ARGS__)
#define CRESSET_CASES_I64_F32_F64(...) \
  CRESSET_CASES_I64(__VA_ARGS__)       \
  CRESSET_CASES_F32_F64(__VA_ARGS__)

void reduce_kernel_generic(const ReducePlan& p, const ReduceCall& c) {
  using namespace generic;
  char* out[2] = {static_cast<char*>(c.out[0]), static_cast<char*>(c.out[1])};
  auto floats = [&](const char* op, auto run) {
    CRESSET_DISPATCH_IMPL(op, c.dtype, CRESSET_CASES_F32_F64, [&] { run(scalar_t()); });
  };
  auto numbers = [&](const char* op, auto run) {
    CRESSET_DISPATCH_IMPL(op, c.dtype, CRESSET_CASES_I64_F32_F64, [&] { run(scalar_t()); });
  };
  switch (c.kind) {
    case ReduceKind::NanSum:
      floats("nansum", [&](auto t) { run_reduction(NanSumOp<decltype(t)>{}, p, c.in, out); });
      break;
    case ReduceKind::NanMean:
      floats("nanmean", [&](auto t) { run_reduction(NanMeanOp<decltype(t)>{}, p, c.in, out); });
      break;
    case ReduceKind::Prod:
      numbers("prod", [&](auto t) { run_reduction(ProdOp<decltype(t)>{}, p, c.in, out); });
      break;
    case ReduceKind::AMinMax:
      numbers("aminmax", [&](auto t) { run_reduction(AMinMaxOp<decltype(t)>{}, p, c.in, out); });
      break;
    case ReduceKind::ArgMax:  // int64 only: reduce_kernels.cpp does the floats
      CRESSET_DISPATCH_IMPL("argmax", c.dtype, CRESSET_CASES_I64,
                            [&] { run_reduction(ArgOp<scalar_t, true>{}, p, c.in, out); });
      break;
    case ReduceKind::ArgMin:
      CRESSET_DISPATCH_IMPL("argmin", c.dtype, CRESSET_CASES_I64,
                            [&] { run_reduction(ArgOp<scalar_t, false>{}, p, c.in, out); });
      break;
    case ReduceKind::All:
      run_reduction(LogicalOp<bool, true>{}, p, c.in, out);
      break;
    case ReduceKind::Any:
      run_reduction(LogicalOp<bool, false>{}, p, c.in, out);
      break;
    case ReduceKind::Norm:
      floats("norm", [&](auto t) { run_norm<decltype(t)>(p, c, out); });
      break;
    case ReduceKind::Var:
      floats("var", [&](auto t) {
        run_reduction(VarOp<decltype(t)>{c.param, c.take_sqrt}, p, c.in, out);
      });
      break;
    case ReduceKind::LogSumExp:
      floats("logsumexp", [&](auto t) { run_reduction(LogSumExpOp<decltype(t)>{}, p, c.in, out); });
      break;
    default:
      dispatch_fail("reduce", c.dtype);
  }
}

}  // namespace cresset::cpu
