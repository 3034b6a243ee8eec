#pragma once
// The CUDA backend's interface: every entry point that the rest of cresset calls, listed once in
// api.def.
//
// Note [Lazily loaded CUDA backend]
// The CUDA backend is its own library, libcresset_cuda.so, which libcresset loads on the first
// call of an entry point (backend/cuda_loader.cpp). Linked into libcresset, cudart and the kernels
// made every small CPU op measurably slower in processes that never touch CUDA (a 1-element
// `a + b`: 0.32 µs against 0.29 µs, see benchmarks/RESULTS.md) and every import mapped tens of
// megabytes of GPU code. Each entry point is a callable object `cuda::name` holding a function
// pointer: first a loader that loads the library (or, when cresset was built without CUDA or the
// library cannot be loaded, installs stand-ins that answer "no devices" or throw), then the
// library's `cuda::impl::name`, installed by its cresset_cuda_install() (backend/cuda/install.cpp).
// Callers write `cuda::name(args)` as for a function; a call costs one indirect jump.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cresset/backend/common/conv_geometry.h"
#include "cresset/backend/common/index_params.h"
#include "cresset/backend/common/optim_rules.h"
#include "cresset/backend/common/philox.h"
#include "cresset/backend/common/pool_plan.h"
#include "cresset/backend/common/reduce_plan.h"
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/backend/cuda/runtime.h"
#include "cresset/core/allocator.h"
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset::cuda {

/// One entry point: a function pointer that the loader replaces once.
template <typename F>
class Entry;

template <typename R, typename... A>
class Entry<R(A...)> {
 public:
  using Fn = R (*)(A...);
  constexpr explicit Entry(Fn first) : fn_(first) {}
  R operator()(A... args) const {
    return fn_.load(std::memory_order_acquire)(static_cast<A&&>(args)...);
  }
  void install(Fn fn) { fn_.store(fn, std::memory_order_release); }

 private:
  std::atomic<Fn> fn_;
};

/// The signature of an elementwise row's kernel (see ops/elementwise.def).
using ElementwiseKernel = void(TensorIter& it, const Scalar* args);

// For each entry: its signature, the library's function and the entry point callers use.
#define CRESSET_CUDA_API(name, ...) \
  namespace signature {             \
  using name = __VA_ARGS__;         \
  }                                 \
  namespace impl {                  \
  signature::name name;             \
  }                                 \
  extern Entry<signature::name> name;
#include "cresset/backend/cuda/api.def"
#undef CRESSET_CUDA_API

/// Whether cresset was built with the CUDA backend (libcresset_cuda.so); loads nothing.
bool is_built();
/// The CUDA toolkit version cresset was built with ("12.8"), or "" without CUDA; loads nothing.
std::string toolkit_version();
/// The directory of libcresset.so, where libcresset_cuda.so is installed beside it.
std::string library_dir();
/// Whether libcresset_cuda.so has been loaded (a CUDA tensor can exist only then).
bool is_loaded();

}  // namespace cresset::cuda
