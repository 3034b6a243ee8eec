#include "cresset/ops/dispatch.h"

#include "cresset/backend/cpu/capability.h"

namespace cresset {

void run_kernel(TensorIter& it, const KernelSet& k) {
  if (it.numel() == 0) return;
  if (it.device().is_cuda()) {
    k.cuda(it);
    return;
  }
  switch (cpu::capability()) {
    case cpu::Capability::AVX512:
      k.cpu_avx512(it);
      break;
    case cpu::Capability::AVX2:
      k.cpu_avx2(it);
      break;
    default:
      k.cpu_base(it);
  }
}

}  // namespace cresset
