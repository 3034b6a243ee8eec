#pragma once
// Class-index targets of the NLL losses, shared by the CPU and CUDA kernels.
#include <cstdint>

#include "cresset/core/tensor.h"

namespace cresset {

/// Calls f(pointer to the targets' data): targets are int64 or uint8 (torch accepts Byte class
/// indices).
template <typename F>
void with_targets(const Tensor& target, const F& f) {
  if (target.dtype() == DType::UInt8) {
    f(target.data<uint8_t>());
  } else {
    f(target.data<int64_t>());
  }
}

}  // namespace cresset
