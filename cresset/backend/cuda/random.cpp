// Random fills of CUDA tensors. The samples are drawn by the CPU kernels from the same Philox
// blocks and copied to the device, so a CUDA tensor holds exactly the values a CPU tensor gets
// under the same seed (see Note [Random number generation]); a device-side Philox kernel would
// only change where the same arithmetic runs.
#include "cresset/backend/cuda/api.h"

#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/random_kernels.h"

namespace cresset::cuda::impl {

void random_fill_kernel(const Tensor& out, const RandomSpec& spec) {
  Tensor host = empty_tensor(out.sizes(), out.dtype(), Device());
  cpu::random_fill(host, spec);
  copy_into(out, host);
}

void bernoulli_tensor_kernel(const Tensor& out, const Tensor& p, const RandomSpec& spec) {
  Tensor host_p = empty_tensor(p.sizes(), p.dtype(), Device());
  copy_into(host_p, p);
  Tensor host = empty_tensor(out.sizes(), out.dtype(), Device());
  cpu::bernoulli_tensor(host, host_p, spec);
  copy_into(out, host);
}

void check_generator_device(int index) { check_device(index < 0 ? current_device() : index); }

}  // namespace cresset::cuda::impl
