#pragma once
// The per-capability Cholesky and QR kernels (see Note [CPU capability dispatch]).
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/tensor.h"

namespace cresset::cpu {
namespace base {
#include "cresset/backend/cpu/linalg_factor_decls.inc"
}
namespace avx2 {
#include "cresset/backend/cpu/linalg_factor_decls.inc"
}
namespace avx512 {
#include "cresset/backend/cpu/linalg_factor_decls.inc"
}
}  // namespace cresset::cpu
