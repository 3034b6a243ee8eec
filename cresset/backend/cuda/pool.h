#pragma once
// CUDA kernels of the pool family, the same entry points as the CPU's (backend/no_cuda/
// pool_stubs.cpp when built without CUDA).
#include "cresset/backend/common/pool_plan.h"
#include "cresset/core/tensor.h"

namespace cresset::cuda {
#include "cresset/backend/cpu/pool_decls.inc"
}  // namespace cresset::cuda
