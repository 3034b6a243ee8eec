#pragma once
// CUDA random kernels, the counterparts of backend/cpu/random_kernels.h; the same Philox blocks
// give the same values on both devices (see Note [Random number generation]).
#include "cresset/backend/common/philox.h"
#include "cresset/core/tensor.h"

namespace cresset::cuda {

void random_fill_kernel(const Tensor& out, const RandomSpec& spec);
void bernoulli_tensor_kernel(const Tensor& out, const Tensor& p, const RandomSpec& spec);
/// Fails unless a CUDA device `index` can host a generator.
void check_generator_device(int index);

}  // namespace cresset::cuda
