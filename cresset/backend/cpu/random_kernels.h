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

namespace cresset::cpu {
/// random_fill_kernel and bernoulli_tensor_kernel of the running CPU's capability (exported: the
/// CUDA backend draws its samples with them too, see backend/cuda/random.cpp).
void random_fill(const Tensor& out, const RandomSpec& spec);
void bernoulli_tensor(const Tensor& out, const Tensor& p, const RandomSpec& spec);
}  // namespace cresset::cpu
