// cresset._C._cuda: the CUDA runtime for cresset.cuda (devices, streams, events, memory), and the
// Tensor methods that concern devices (get_device, pin_memory, is_pinned). Works in builds without
// CUDA too: without the CUDA backend the entry points report zero devices.
#include <initializer_list>
#include <utility>

#include "bind.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/generator.h"

namespace cresset::py {

namespace {

uintptr_t handle_int(void* p) { return reinterpret_cast<uintptr_t>(p); }
void* handle_ptr(uintptr_t h) { return reinterpret_cast<void*>(h); }
cuda::Stream stream_at(int device, uintptr_t h) { return cuda::Stream{device, handle_ptr(h)}; }
nb::tuple stream_tuple(cuda::Stream s) { return nb::make_tuple(s.device, handle_int(s.handle)); }

// A dict of named fields, in order (device properties, memory statistics).
nb::dict fields_dict(std::initializer_list<std::pair<const char*, nb::object>> fields) {
  nb::dict d;
  for (const auto& [name, value] : fields) d[name] = value;
  return d;
}

}  // namespace

void init_cuda(nb::module_& m) {
  nb::module_ c = m.def_submodule("_cuda", "CUDA runtime");
  c.def("is_built", &cuda::is_built);
  c.def("toolkit_version", &cuda::toolkit_version);
  c.def("is_loaded", &cuda::is_loaded);
  c.def("device_count", [] { return cuda::device_count(); });
  c.def("current_device", [] { return cuda::current_device(); });
  c.def("set_device", [](int d) { cuda::set_device(d); }, "device"_a);
  c.def("check_device", [](int d) { cuda::check_device(d); }, "device"_a);
  c.def("synchronize", [](int d) { cuda::synchronize(d); }, "device"_a);
  c.def("device_properties", [](int index) {
    cuda::DeviceProperties p = cuda::device_properties(index);
    return fields_dict(
        {{"name", nb::cast(p.name)},
         {"major", nb::cast(p.major)},
         {"minor", nb::cast(p.minor)},
         {"total_memory", nb::cast(p.total_memory)},
         {"multi_processor_count", nb::cast(p.multi_processor_count)},
         {"warp_size", nb::cast(p.warp_size)},
         {"L2_cache_size", nb::cast(p.l2_cache_size)},
         {"max_threads_per_multi_processor", nb::cast(p.max_threads_per_multi_processor)}});
  });
  // Streams cross into Python as (device, handle) pairs; handle 0 is the default stream.
  c.def("create_stream", [](int device, int priority) {
    return stream_tuple(cuda::create_stream(device, priority));
  });
  c.def("destroy_stream",
        [](int device, uintptr_t h) { cuda::destroy_stream(stream_at(device, h)); });
  c.def("current_stream", [](int device) { return stream_tuple(cuda::current_stream(device)); });
  c.def("set_current_stream",
        [](int device, uintptr_t h) { cuda::set_current_stream(stream_at(device, h)); });
  c.def("stream_synchronize",
        [](int device, uintptr_t h) { cuda::stream_synchronize(stream_at(device, h)); });
  c.def("stream_query",
        [](int device, uintptr_t h) { return cuda::stream_query(stream_at(device, h)); });
  c.def("stream_wait_event", [](int device, uintptr_t h, uintptr_t e) {
    cuda::stream_wait_event(stream_at(device, h), handle_ptr(e));
  });
  c.def("create_event", [](int device, bool timing, bool blocking, bool interprocess) {
    return handle_int(cuda::create_event(device, timing, blocking, interprocess));
  });
  c.def("destroy_event", [](uintptr_t e) { cuda::destroy_event(handle_ptr(e)); });
  c.def("record_event", [](uintptr_t e, int device, uintptr_t h) {
    cuda::record_event(handle_ptr(e), stream_at(device, h));
  });
  c.def("event_synchronize", [](uintptr_t e) { cuda::event_synchronize(handle_ptr(e)); });
  c.def("event_query", [](uintptr_t e) { return cuda::event_query(handle_ptr(e)); });
  c.def("event_elapsed_ms", [](uintptr_t a, uintptr_t b) {
    return cuda::event_elapsed_ms(handle_ptr(a), handle_ptr(b));
  });
  c.def("memory_stats", [](int device) {
    cuda::MemoryStats s = cuda::memory_stats(device);
    return fields_dict({{"allocated_bytes.all.current", nb::cast(s.allocated)},
                        {"allocated_bytes.all.peak", nb::cast(s.max_allocated)},
                        {"reserved_bytes.all.current", nb::cast(s.reserved)},
                        {"reserved_bytes.all.peak", nb::cast(s.max_reserved)},
                        {"num_alloc_retries", nb::cast(s.num_alloc_retries)},
                        {"num_ooms", nb::cast(s.num_ooms)},
                        {"allocation.all.allocated", nb::cast(s.num_allocs)},
                        {"allocation.all.freed", nb::cast(s.num_frees)},
                        {"largest_free_block", nb::cast(s.largest_free_block)}});
  });
  c.def("reset_peak_memory_stats", [](int d) { cuda::reset_peak_memory_stats(d); }, "device"_a);
  c.def("empty_cache", [] { cuda::empty_cache(); });
  c.def("memory_summary", [](int d) { return cuda::memory_summary(d); }, "device"_a);
  c.def("cublas_path", [] { return cuda::cublas_path(); });
  c.def("set_cublas_enabled", [](bool on) { cuda::set_cublas_enabled(on); }, "enabled"_a);
  c.def("set_allow_tf32", [](bool on) { cuda::set_allow_tf32(on); }, "enabled"_a);
  c.def("manual_seed", [](int device, uint64_t seed) {
    cuda::check_device(device);
    default_generator(Device(DeviceType::CUDA, device)).set_seed(seed);
  });
  c.def(
      "default_generator",
      [](int device) {
        cuda::check_device(device);
        return &default_generator(Device(DeviceType::CUDA, device));
      },
      "device"_a, nb::rv_policy::reference);
  c.def("mem_get_info", [](int device) {
    int64_t free_b = 0, total_b = 0;
    cuda::mem_get_info(device, &free_b, &total_b);
    return nb::make_tuple(free_b, total_b);
  });

  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  auto get_device = [](const Tensor& t) {
    return t.device().is_cpu() ? -1 : int(t.device().index);
  };
  cls.def("get_device", get_device);
  m.def("get_device", get_device, "input"_a);
  cls.def(
      "pin_memory", [](const Tensor& t, nb::handle) { return cuda::pin_memory(t); },
      "device"_a = nb::none());
  cls.def(
      "is_pinned",
      // Only the CUDA backend pins memory: nothing is pinned before it is loaded.
      [](const Tensor& t, nb::handle) { return cuda::is_loaded() && cuda::is_pinned(t); },
      "device"_a = nb::none());
}

}  // namespace cresset::py
