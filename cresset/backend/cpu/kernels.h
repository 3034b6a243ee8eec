#pragma once
// The per-capability CPU kernels (see Note [CPU capability dispatch]).
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/scalar.h"

namespace cresset::cpu {
namespace base {
#include "cresset/backend/cpu/kernel_decls.inc"
}
namespace avx2 {
#include "cresset/backend/cpu/kernel_decls.inc"
}
namespace avx512 {
#include "cresset/backend/cpu/kernel_decls.inc"
}
}  // namespace cresset::cpu
