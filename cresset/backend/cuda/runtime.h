#pragma once
// The CUDA runtime as the rest of cresset sees it: devices, streams, events, the caching
// allocator's statistics and pinned host memory. No CUDA header leaks from here (streams and events
// are opaque handles), so the bindings and the ops compile without the toolkit. Defined by
// backend/cuda; backend/no_cuda/runtime_stubs.cpp reports zero devices and throws on the rest.
#include <cstdint>
#include <string>

#include "cresset/core/device.h"
#include "cresset/core/tensor.h"

namespace cresset::cuda {

/// True when this build contains the CUDA backend.
bool is_built();
/// The toolkit version the backend was compiled with ("13.0"), or "" without CUDA.
std::string toolkit_version();
/// Number of usable GPUs; 0 without a driver or device (never throws, never prints).
int device_count();
/// The calling thread's current device; throws when there is no GPU.
int current_device();
/// Makes `index` the calling thread's current device.
void set_device(int index);
/// `device` with its index resolved: CUDA's -1 becomes the current device, CPU stays as is.
Device resolve(Device device);
/// Throws torch's error unless `index` names a GPU of this machine.
void check_device(int index);

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
DeviceProperties device_properties(int index);

/// Waits for every stream of `index` (the current device when -1).
void synchronize(int index);

/// A CUDA stream: device index and opaque handle (null is the device's default stream).
struct Stream {
  int device = 0;
  void* handle = nullptr;
  bool operator==(const Stream& o) const { return device == o.device && handle == o.handle; }
};
/// A new stream on `device`; priority 0 is normal, negative is higher (torch's convention).
Stream create_stream(int device, int priority);
void destroy_stream(Stream s);
/// The calling thread's current stream on `device` (-1: the current device).
Stream current_stream(int device);
/// Makes `s` the current stream of its device for the calling thread.
void set_current_stream(Stream s);
Stream default_stream(int device);
void stream_synchronize(Stream s);
/// True when all work queued on `s` is done.
bool stream_query(Stream s);
/// Makes future work on `s` wait for `event` (no host wait).
void stream_wait_event(Stream s, void* event);

/// Events: opaque handles of cudaEvent_t.
void* create_event(int device, bool enable_timing, bool blocking, bool interprocess);
void destroy_event(void* event);
void record_event(void* event, Stream s);
void event_synchronize(void* event);
bool event_query(void* event);
/// Milliseconds between two recorded timing events.
float event_elapsed_ms(void* start, void* end);

/// Caching allocator statistics of one device, in bytes.
struct MemoryStats {
  int64_t allocated = 0, max_allocated = 0;
  int64_t reserved = 0, max_reserved = 0;
  int64_t num_alloc_retries = 0, num_ooms = 0;
  int64_t num_allocs = 0, num_frees = 0;
  int64_t largest_free_block = 0;
};
MemoryStats memory_stats(int device);
void reset_peak_memory_stats(int device);
/// Returns every cached, unused block of every device to the driver.
void empty_cache();
/// torch.cuda.memory_summary's table for `device`.
std::string memory_summary(int device);
/// (free, total) bytes of `device` as the driver reports them.
void mem_get_info(int device, int64_t* free_bytes, int64_t* total_bytes);

/// The path of the cuBLAS library CUDA matmuls use, or "" when none was found (cresset's own GEMM
/// kernel then runs them; see Note [cuBLAS loading]).
std::string cublas_path();
/// Turns the use of cuBLAS off (cresset's own GEMM kernel runs every product) or back on.
void set_cublas_enabled(bool on);

/// A CPU copy of `t` in page-locked memory (async copies overlap with compute from it).
Tensor pin_memory(const Tensor& t);
/// True when `t`'s CPU storage is page-locked memory from pin_memory.
bool is_pinned(const Tensor& t);

}  // namespace cresset::cuda
