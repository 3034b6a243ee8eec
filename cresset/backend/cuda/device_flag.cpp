#include "cresset/backend/cuda/device_flag.h"

#include "cresset/backend/cuda/cuda_check.h"

namespace cresset::cuda::impl {

DeviceFlag::DeviceFlag(int device)
    : buf_(empty_tensor({2}, DType::Int64, Device(DeviceType::CUDA, device))), device_(device) {
  DeviceGuard guard(device);
  check(cudaMemsetAsync(buf_.raw_data(), 0, 2 * sizeof(int64_t), stream_of(device)), "flag");
}

bool DeviceFlag::read(int64_t* value) const {
  int64_t host[2] = {0, 0};
  DeviceGuard guard(device_);
  cudaStream_t stream = stream_of(device_);
  check(cudaMemcpyAsync(host, buf_.raw_data(), sizeof(host), cudaMemcpyDeviceToHost, stream),
        "flag");
  check(cudaStreamSynchronize(stream), "flag");
  *value = host[1];
  return host[0] != 0;
}

}  // namespace cresset::cuda::impl
