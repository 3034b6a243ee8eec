#pragma once
// Per-capability convolution kernels (see Note [CPU capability dispatch] and Note [Convolution
// as GEMM] in conv_kernels.cpp).
#include <cstdint>

#include "cresset/backend/common/conv_geometry.h"
#include "cresset/backend/cpu/capability.h"
#include "cresset/core/dtype.h"

namespace cresset::cpu {

namespace base {
#include "cresset/backend/cpu/conv_decls.inc"
}
namespace avx2 {
#include "cresset/backend/cpu/conv_decls.inc"
}
namespace avx512 {
#include "cresset/backend/cpu/conv_decls.inc"
}

}  // namespace cresset::cpu
