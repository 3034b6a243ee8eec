// Link-time stand-ins for the CUDA runtime (backend/cuda/runtime.h) in builds without the CUDA
// toolkit: no devices, and torch's "not compiled with CUDA" assertion for anything that needs one.
#include "cresset/backend/cuda/runtime.h"
#include "cresset/core/allocator.h"
#include "cresset/core/error.h"

namespace cresset {

namespace {
[[noreturn]] void not_compiled() { throw AssertionError("Torch not compiled with CUDA enabled"); }
}  // namespace

void* cuda_allocate(size_t, Device&) { not_compiled(); }

namespace cuda {

bool is_built() { return false; }
std::string toolkit_version() { return ""; }
int device_count() { return 0; }
int current_device() { not_compiled(); }
void set_device(int) { not_compiled(); }
Device resolve(Device device) {
  if (device.is_cuda()) not_compiled();
  return device;
}
void check_device(int) { not_compiled(); }
DeviceProperties device_properties(int) { not_compiled(); }
void synchronize(int) { not_compiled(); }
Stream create_stream(int, int) { not_compiled(); }
void destroy_stream(Stream) {}
Stream current_stream(int) { not_compiled(); }
void set_current_stream(Stream) { not_compiled(); }
Stream default_stream(int) { not_compiled(); }
void stream_synchronize(Stream) { not_compiled(); }
bool stream_query(Stream) { not_compiled(); }
void stream_wait_event(Stream, void*) { not_compiled(); }
void* create_event(int, bool, bool, bool) { not_compiled(); }
void destroy_event(void*) {}
void record_event(void*, Stream) { not_compiled(); }
void event_synchronize(void*) { not_compiled(); }
bool event_query(void*) { not_compiled(); }
float event_elapsed_ms(void*, void*) { not_compiled(); }
MemoryStats memory_stats(int) { return MemoryStats{}; }
void reset_peak_memory_stats(int) { not_compiled(); }
void empty_cache() {}
std::string memory_summary(int) { not_compiled(); }
void mem_get_info(int, int64_t*, int64_t*) { not_compiled(); }
std::string cublas_path() { return ""; }
void set_cublas_enabled(bool) {}
Tensor pin_memory(const Tensor&) {
  throw RuntimeError("Cannot access accelerator device when none is available.");
}
bool is_pinned(const Tensor&) { return false; }

}  // namespace cuda
}  // namespace cresset
