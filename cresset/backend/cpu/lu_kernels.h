#pragma once
// The per-capability LU kernels (see Note [CPU capability dispatch] and Note [Blocked LU]).
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/tensor.h"

namespace cresset::cpu {
namespace base {
#include "cresset/backend/cpu/lu_decls.inc"
}
namespace avx2 {
#include "cresset/backend/cpu/lu_decls.inc"
}
namespace avx512 {
#include "cresset/backend/cpu/lu_decls.inc"
}
}  // namespace cresset::cpu
