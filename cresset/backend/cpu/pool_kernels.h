#pragma once
// CPU kernels of the pool family: pooling, unpooling and separable resampling (interpolate).
// Compiled once per capability (pool_decls.inc, see Note [CPU capability dispatch]); the plans
// they read are in backend/common/pool_plan.h (see Note [Pooling plans]).
#include "cresset/backend/common/pool_plan.h"
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/tensor.h"

namespace cresset::cpu {

namespace base {
#include "cresset/backend/cpu/pool_decls.inc"
}
namespace avx2 {
#include "cresset/backend/cpu/pool_decls.inc"
}
namespace avx512 {
#include "cresset/backend/cpu/pool_decls.inc"
}

}  // namespace cresset::cpu
