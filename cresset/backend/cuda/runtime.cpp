// Devices, streams and events (see runtime.h). The driver is touched only when a function here is
// first called, never at import: device_count() is the first CUDA call a process makes.
#include "cresset/backend/cuda/cuda_check.h"

namespace cresset::cuda::impl {

namespace {

constexpr int kMaxDevices = 64;

int count_devices() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // no driver or no device: clear the sticky error, report none
    return 0;
  }
  return n < kMaxDevices ? n : kMaxDevices;
}

// Per thread and device, the stream set by set_current_stream (null: the default stream).
thread_local cudaStream_t current_streams[kMaxDevices] = {};

}  // namespace

void throw_cuda_error(cudaError_t err, const char* what) {
  cudaGetLastError();  // clear a non-sticky error so the next call starts clean
  if (err == cudaErrorMemoryAllocation) {
    throw OutOfMemoryError(str_cat("[", what, "] CUDA out of memory"));
  }
  throw RuntimeError(str_cat("[", what, "] CUDA error: ", cudaGetErrorString(err)));
}

DeviceGuard::DeviceGuard(int index) : prev_(-1), index_(index) {
  check(cudaGetDevice(&prev_), "cuda.device");
  if (prev_ != index_) check(cudaSetDevice(index_), "cuda.device");
}

DeviceGuard::~DeviceGuard() {
  if (prev_ >= 0 && prev_ != index_) cudaSetDevice(prev_);
}

int device_count() {
  static const int n = count_devices();
  return n;
}

void check_device(int index) {
  int n = device_count();
  CRESSET_CHECK(n > 0, RuntimeError, "No CUDA GPUs are available");
  CRESSET_CHECK(index >= 0 && index < n, RuntimeError,
                "CUDA error: invalid device ordinal (device ", index, ", this machine has ", n,
                n == 1 ? " GPU)" : " GPUs)");
}

int current_device() {
  CRESSET_CHECK(device_count() > 0, RuntimeError, "No CUDA GPUs are available");
  int d = 0;
  check(cudaGetDevice(&d), "cuda.current_device");
  return d;
}

void set_device(int index) {
  check_device(index);
  check(cudaSetDevice(index), "cuda.set_device");
}

Device resolve(Device device) {
  if (device.is_cpu()) return device;
  if (device.index < 0) return Device(DeviceType::CUDA, current_device());
  check_device(device.index);
  return device;
}

DeviceProperties device_properties(int index) {
  check_device(index);
  cudaDeviceProp p{};
  check(cudaGetDeviceProperties(&p, index), "cuda.get_device_properties");
  DeviceProperties r;
  r.name = p.name;
  r.major = p.major;
  r.minor = p.minor;
  r.total_memory = int64_t(p.totalGlobalMem);
  r.multi_processor_count = p.multiProcessorCount;
  r.warp_size = p.warpSize;
  r.l2_cache_size = p.l2CacheSize;
  r.max_threads_per_multi_processor = p.maxThreadsPerMultiProcessor;
  return r;
}

void synchronize(int index) {
  int d = index < 0 ? current_device() : index;
  check_device(d);
  DeviceGuard guard(d);
  check(cudaDeviceSynchronize(), "cuda.synchronize");
}

Stream create_stream(int device, int priority) {
  check_device(device);
  DeviceGuard guard(device);
  int lo = 0, hi = 0;  // numerically: lo is the least priority (0), hi the greatest (negative)
  check(cudaDeviceGetStreamPriorityRange(&lo, &hi), "cuda.Stream");
  int p = priority < hi ? hi : priority > lo ? lo : priority;
  cudaStream_t s = nullptr;
  check(cudaStreamCreateWithPriority(&s, cudaStreamNonBlocking, p), "cuda.Stream");
  return Stream{device, s};
}

void destroy_stream(Stream s) {
  if (!s.handle) return;
  DeviceGuard guard(s.device);
  check(cudaStreamDestroy(static_cast<cudaStream_t>(s.handle)), "cuda.Stream");
}

Stream current_stream(int device) {
  int d = device < 0 ? current_device() : device;
  check_device(d);
  return Stream{d, current_streams[d]};
}

void set_current_stream(Stream s) {
  check_device(s.device);
  current_streams[s.device] = static_cast<cudaStream_t>(s.handle);
}

Stream default_stream(int device) {
  int d = device < 0 ? current_device() : device;
  check_device(d);
  return Stream{d, nullptr};
}

void stream_synchronize(Stream s) {
  DeviceGuard guard(s.device);
  check(cudaStreamSynchronize(static_cast<cudaStream_t>(s.handle)), "Stream.synchronize");
}

bool stream_query(Stream s) {
  DeviceGuard guard(s.device);
  cudaError_t err = cudaStreamQuery(static_cast<cudaStream_t>(s.handle));
  if (err == cudaErrorNotReady) return false;
  check(err, "Stream.query");
  return true;
}

void stream_wait_event(Stream s, void* event) {
  DeviceGuard guard(s.device);
  check(
      cudaStreamWaitEvent(static_cast<cudaStream_t>(s.handle), static_cast<cudaEvent_t>(event), 0),
      "Stream.wait_event");
}

void* create_event(int device, bool enable_timing, bool blocking, bool interprocess) {
  check_device(device);
  DeviceGuard guard(device);
  unsigned flags = enable_timing ? cudaEventDefault : cudaEventDisableTiming;
  if (blocking) flags |= cudaEventBlockingSync;
  if (interprocess) flags |= cudaEventInterprocess | cudaEventDisableTiming;
  cudaEvent_t e = nullptr;
  check(cudaEventCreateWithFlags(&e, flags), "cuda.Event");
  return e;
}

void destroy_event(void* event) {
  if (event) cudaEventDestroy(static_cast<cudaEvent_t>(event));
}

void record_event(void* event, Stream s) {
  DeviceGuard guard(s.device);
  check(cudaEventRecord(static_cast<cudaEvent_t>(event), static_cast<cudaStream_t>(s.handle)),
        "Event.record");
}

void event_synchronize(void* event) {
  check(cudaEventSynchronize(static_cast<cudaEvent_t>(event)), "Event.synchronize");
}

bool event_query(void* event) {
  cudaError_t err = cudaEventQuery(static_cast<cudaEvent_t>(event));
  if (err == cudaErrorNotReady) return false;
  check(err, "Event.query");
  return true;
}

float event_elapsed_ms(void* start, void* end) {
  float ms = 0;
  check(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(start), static_cast<cudaEvent_t>(end)),
        "Event.elapsed_time");
  return ms;
}

void mem_get_info(int device, int64_t* free_bytes, int64_t* total_bytes) {
  check_device(device);
  DeviceGuard guard(device);
  size_t f = 0, t = 0;
  check(cudaMemGetInfo(&f, &t), "cuda.mem_get_info");
  *free_bytes = int64_t(f);
  *total_bytes = int64_t(t);
}

}  // namespace cresset::cuda::impl
