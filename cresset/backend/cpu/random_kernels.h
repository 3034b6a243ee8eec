#pragma once
// The per-capability random kernels (see Note [CPU capability dispatch]).
#include "cresset/backend/common/philox.h"
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/tensor.h"

namespace cresset::cpu {
namespace base {
#include "cresset/backend/cpu/random_decls.inc"
}
namespace avx2 {
#include "cresset/backend/cpu/random_decls.inc"
}
namespace avx512 {
#include "cresset/backend/cpu/random_decls.inc"
}
}  // namespace cresset::cpu
