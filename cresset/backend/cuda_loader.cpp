// Loads the CUDA backend, libcresset_cuda.so, on the first call of one of its entry points (see
// Note [Lazily loaded CUDA backend] in backend/cuda/api.h). Without it (built without CUDA, or
// the library fails to load) the entry points answer as a machine without GPUs: no devices, empty
// statistics, and torch's errors for anything that needs a device.
#include <dlfcn.h>

#include <mutex>
#include <string>

#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"

namespace cresset::cuda {

namespace {

std::string load_error;  // why the library could not be loaded ("" when built without CUDA)
std::atomic<bool> loaded{false};

[[noreturn]] void unavailable() {
  if (load_error.empty()) throw AssertionError("Torch not compiled with CUDA enabled");
  throw RuntimeError(str_cat("[cuda] the CUDA backend could not be loaded: ", load_error));
}

// The stand-in for an entry point without the library: torch's error.
template <typename F>
struct Unavailable;
template <typename R, typename... A>
struct Unavailable<R(A...)> {
  static R call(A...) { unavailable(); }
};

// Entry points that have an answer on a machine without GPUs.
void install_answers_without_gpus() {
  device_count.install([] { return 0; });
  resolve.install([](Device device) {
    if (device.is_cuda()) unavailable();
    return device;
  });
  memory_stats.install([](int) { return MemoryStats{}; });
  empty_cache.install([] {});
  destroy_stream.install([](Stream) {});
  destroy_event.install([](void*) {});
  cublas_path.install([] { return std::string(); });
  set_cublas_enabled.install([](bool) {});
  set_allow_tf32.install([](bool) {});
  is_pinned.install([](const Tensor&) { return false; });
  pin_memory.install([](const Tensor&) -> Tensor {
    throw RuntimeError("Cannot access accelerator device when none is available.");
  });
  check_generator_device.install([](int) {
    throw RuntimeError(str_cat("[Generator] no CUDA generator: ",
                               load_error.empty() ? "cresset was built without CUDA" : load_error));
  });
}

void install_unavailable() {
#define CRESSET_CUDA_API(name, ...) name.install(&Unavailable<signature::name>::call);
#include "cresset/backend/cuda/api.def"
#undef CRESSET_CUDA_API
  install_answers_without_gpus();
}

// Returns whether the library was loaded and installed its entry points.
bool load_library() {
#if defined(CRESSET_CUDA_LIBRARY)
  const std::string path = library_dir() + "/" + CRESSET_CUDA_LIBRARY;
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = dlerror();
    load_error = err ? err : path;
    return false;
  }
  auto install = reinterpret_cast<void (*)()>(dlsym(handle, "cresset_cuda_install"));
  if (!install) {
    load_error = path + " has no cresset_cuda_install";
    return false;
  }
  install();
  return true;
#else
  return false;
#endif
}

void load_backend() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (load_library()) {
      loaded.store(true, std::memory_order_release);
    } else {
      install_unavailable();
    }
  });
}

// The first target of every entry point: loads the backend, then calls what it installed.
template <auto& entry, typename F>
struct FirstCall;
template <auto& entry, typename R, typename... A>
struct FirstCall<entry, R(A...)> {
  static R call(A... args) {
    load_backend();
    return entry(static_cast<A&&>(args)...);
  }
};

}  // namespace

#define CRESSET_CUDA_API(name, ...) \
  Entry<signature::name> name{&FirstCall<name, signature::name>::call};
#include "cresset/backend/cuda/api.def"
#undef CRESSET_CUDA_API

std::string library_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&library_dir), &info) == 0 || !info.dli_fname) return ".";
  std::string path = info.dli_fname;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

bool is_built() {
#if defined(CRESSET_CUDA_LIBRARY)
  return true;
#else
  return false;
#endif
}

std::string toolkit_version() {
#if defined(CRESSET_CUDA_TOOLKIT_VERSION)
  return CRESSET_CUDA_TOOLKIT_VERSION;
#else
  return "";
#endif
}

bool is_loaded() { return loaded.load(std::memory_order_acquire); }

}  // namespace cresset::cuda
