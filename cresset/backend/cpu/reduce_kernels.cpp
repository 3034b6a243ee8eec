// The hot reductions (sum, mean, max, min), compiled once per capability (see Note [CPU
// capability dispatch]); every other kind goes to the single build in reduce_generic.cpp.
#include "cresset/backend/cpu/reduce_kernels.h"

#include <algorithm>
#include <array>
#include <cmath>
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
    default:
      reduce_kernel_generic(p, c);
  }
}

}  // namespace cresset::cpu::CPU_CAPABILITY
