#include "cresset/backend/cpu/random_kernels.h"

namespace cresset::cpu {

void random_fill(const Tensor& out, const RandomSpec& spec) {
  CRESSET_CPU_DISPATCH(random_fill_kernel, out, spec);
}

void bernoulli_tensor(const Tensor& out, const Tensor& p, const RandomSpec& spec) {
  CRESSET_CPU_DISPATCH(bernoulli_tensor_kernel, out, p, spec);
}

}  // namespace cresset::cpu
