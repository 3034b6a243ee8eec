#pragma once
// The one place where an op picks a device's kernel: a KernelSet holds an op's kernel for each
// CPU capability and for CUDA, and run_kernel calls the one for the iterator's device.
#include "cresset/backend/common/tensor_iter.h"

namespace cresset {

using IterKernel = void (*)(TensorIter& it);

struct KernelSet {
  IterKernel cpu_base;
  IterKernel cpu_avx2;
  IterKernel cpu_avx512;
  IterKernel cuda;
};

/// The KernelSet of `<name>_kernel` (declared in backend/cpu/kernels.h and backend/cuda/kernels.h).
#define CRESSET_KERNEL_SET(name)                                                    \
  ::cresset::KernelSet {                                                            \
    &::cresset::cpu::base::name, &::cresset::cpu::avx2::name,                       \
        &::cresset::cpu::avx512::name, &::cresset::cuda::name                       \
  }

/// Runs the kernel for the iterator's device and CPU capability.
void run_kernel(TensorIter& it, const KernelSet& kernels);

}  // namespace cresset
