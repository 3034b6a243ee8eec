#pragma once
// The CUDA runtime's value types as the rest of cresset sees them: device properties, streams and
// the caching allocator's statistics. No CUDA header leaks from here (streams and events are opaque
// handles), so the bindings and the ops compile without the toolkit. The functions are entry points
// of backend/cuda/api.def.
#include <cstdint>
#include <string>

#include "cresset/core/device.h"

namespace cresset::cuda {

/// The properties torch.cuda.get_device_properties reports.
struct DeviceProperties {
  std::string name;
  int major = 0, minor = 0;
  int64_t total_memory = 0;
  int multi_processor_count = 0;
  int warp_size = 0;
  int64_t l2_cache_size = 0;
  int max_threads_per_multi_processor = 0;
};

/// A CUDA stream: device index and opaque handle (null is the device's default stream).
struct Stream {
  int device = 0;
  void* handle = nullptr;
  bool operator==(const Stream& o) const { return device == o.device && handle == o.handle; }
};

/// Caching allocator statistics of one device, in bytes.
struct MemoryStats {
  int64_t allocated = 0, max_allocated = 0;
  int64_t reserved = 0, max_reserved = 0;
  int64_t num_alloc_retries = 0, num_ooms = 0;
  int64_t num_allocs = 0, num_frees = 0;
  int64_t largest_free_block = 0;
};

}  // namespace cresset::cuda
