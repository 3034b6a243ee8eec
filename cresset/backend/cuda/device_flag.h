#pragma once
// Note [CUDA error flags]
// A kernel that meets bad input (an index out of range, a target outside the classes) must not
// touch memory with it, and the op must raise torch's error type instead of crashing. The kernel
// skips the element and records it in a DeviceFlag (a found marker and the offending value); the
// op reads the flag back after the launch, which waits for the stream, and throws.
#include <cstdint>

#include "cresset/core/tensor.h"

namespace cresset::cuda::impl {

/// Two int64 on the device: [0] nonzero when something was found, [1] the value recorded.
class DeviceFlag {
 public:
  /// A cleared flag on `device`, cleared in stream order before the kernels that set it.
  explicit DeviceFlag(int device);
  /// The device pointer kernels pass to flag_set.
  int64_t* ptr() const { return static_cast<int64_t*>(buf_.raw_data()); }
  /// Waits for the current stream; true (and the value in *value) when a kernel set the flag.
  bool read(int64_t* value) const;

 private:
  Tensor buf_;
  int device_;
};

#if defined(__CUDACC__)
/// Records `value` in the flag (any one of concurrent values wins).
__device__ __forceinline__ void flag_set(int64_t* flag, int64_t value) {
  flag[1] = value;
  flag[0] = 1;
}
#endif

}  // namespace cresset::cuda::impl
