#pragma once
// Internal to backend/cuda: error checking, the device guard and the current stream as a
// cudaStream_t. Every CUDA runtime call goes through check(), so a failure names the cresset op
// that made it instead of surfacing in some later, unrelated call.
#include <cuda_runtime.h>

#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"

namespace cresset::cuda::impl {

[[noreturn]] void throw_cuda_error(cudaError_t err, const char* what);

/// Throws RuntimeError("[what] CUDA error: ...") unless err is cudaSuccess.
inline void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw_cuda_error(err, what);
}

/// Checks that the kernel launch just made by `op` was accepted (bad configuration, no image for
/// this GPU ...); faults inside the kernel surface at the next synchronizing call.
inline void check_launch(const char* op) { check(cudaGetLastError(), op); }

/// The calling thread's current stream of `device`.
inline cudaStream_t stream_of(int device) {
  return static_cast<cudaStream_t>(current_stream(device).handle);
}

/// Makes `index` the current device for the guard's lifetime (no call when it already is).
class DeviceGuard {
 public:
  explicit DeviceGuard(int index);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int prev_;
  int index_;
};

}  // namespace cresset::cuda::impl
