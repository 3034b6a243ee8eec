#pragma once
// The per-capability CPU kernels of the reduce family (see Note [CPU capability dispatch] and
// Note [Reduction plan]).
#include "cresset/backend/common/reduce_plan.h"
#include "cresset/backend/cpu/capability.h"

namespace cresset::cpu {
namespace base {
#include "cresset/backend/cpu/reduce_decls.inc"
}
namespace avx2 {
#include "cresset/backend/cpu/reduce_decls.inc"
}
namespace avx512 {
#include "cresset/backend/cpu/reduce_decls.inc"
}

/// The reduction kinds outside the hot set, built once (reduce_generic.cpp); every capability's
/// reduce_kernel forwards them here.
void reduce_kernel_generic(const ReducePlan& plan, const ReduceCall& call);
/// Runs one cumulative op (cumsum, cummax ...) over a contiguous [outer, n, inner] input
/// (scan.cpp, built once).
void scan_kernel(const ScanCall& call);

}  // namespace cresset::cpu
