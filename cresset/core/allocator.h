#pragma once
// Device memory allocators. The CPU allocator caches freed blocks by size so that the steady state
// of a training loop or an op-heavy script makes no system calls (see Note [CPU caching allocator]).
#include <cstddef>

#include "cresset/core/device.h"

namespace cresset {

class Allocator {
 public:
  virtual ~Allocator() = default;
  /// Returns `nbytes` of memory aligned to 64 bytes; never null (throws RuntimeError on failure).
  virtual void* allocate(size_t nbytes) = 0;
  /// Gives back memory obtained from allocate(nbytes).
  virtual void deallocate(void* p, size_t nbytes) = 0;
};

/// The process-wide CPU allocator.
Allocator* cpu_allocator();

/// The allocator for `device`; CUDA devices get the CUDA backend's (see backend/cuda/api.def).
Allocator* allocator_for(Device device);

/// Frees every cached, unused CPU block (used by tests and by memory pressure).
void cpu_allocator_empty_cache();

}  // namespace cresset
