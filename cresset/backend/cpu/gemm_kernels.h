#pragma once
// The per-capability GEMM kernels (see Note [CPU capability dispatch] and Note [GEMM blocking]).
#include "cresset/backend/cpu/capability.h"
#include "cresset/backend/cpu/gemm.h"

namespace cresset::cpu {
namespace base {
#include "cresset/backend/cpu/gemm_decls.inc"
}
namespace avx2 {
#include "cresset/backend/cpu/gemm_decls.inc"
}
namespace avx512 {
#include "cresset/backend/cpu/gemm_decls.inc"
}
}  // namespace cresset::cpu
