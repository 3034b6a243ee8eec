#pragma once
// Per-capability fused optimizer updates (see Note [CPU capability dispatch] and
// Note [Fused optimizer updates] in cresset/optim/optim.h).
#include <vector>

#include "cresset/backend/common/optim_rules.h"
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/dtype.h"

namespace cresset::cpu {

// The shared types live with the rules (see Note [Optimizer update rules]).
using cresset::kOptimBuffers;
using cresset::kOptimScalars;
using cresset::OptimKind;
using cresset::OptimOptions;
using cresset::OptimTensor;

}  // namespace cresset::cpu

#define CRESSET_OPTIM_DECLS                                                               \
  /* Applies `kind` to every tensor of `ts` (any floating dtype) in one parallel loop. */ \
  void optim_kernel(OptimKind kind, DType dtype, const std::vector<OptimTensor>& ts,      \
                    const OptimOptions& h);

namespace cresset::cpu {
namespace base {
CRESSET_OPTIM_DECLS
}
namespace avx2 {
CRESSET_OPTIM_DECLS
}
namespace avx512 {
CRESSET_OPTIM_DECLS
}
}  // namespace cresset::cpu
#undef CRESSET_OPTIM_DECLS
