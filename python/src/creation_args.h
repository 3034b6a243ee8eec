#pragma once
// Argument parsing shared by the factory bindings (creation.cpp, random.cpp, convert_methods.cpp):
// torch's factory keyword arguments, sizes given as varargs or a sequence, and numbers that may be
// 0-dim tensors.
#include <optional>

#include "bind.h"
#include "cresset/core/default_device.h"
#include "cresset/core/generator.h"

namespace cresset::py {

/// The keyword arguments of a torch factory, parsed from **kwargs (after the op took its own).
class FactoryOptions {
 public:
  enum Accepts : unsigned {
    kDType = 1,
    kDevice = 2,
    kRequiresGrad = 4,
    kLayout = 8,
    kPinMemory = 16,
    kOut = 32,
    kGenerator = 64,
    kMemoryFormat = 128,
  };
  /// TypeError for any keyword not in `accepted` (a set of Accepts flags).
  FactoryOptions(const char* op, nb::kwargs& kw, unsigned accepted);

  /// dtype=, else out's dtype, else `fallback`.
  DType dtype_or(DType fallback) const;
  /// device=, else out's device, else the default device (torch.set_default_device).
  Device device_or_default() const {
    return device.value_or(out ? out->device() : default_device());
  }
  /// out= resized to `sizes` (dtype checked), or a new tensor.
  Tensor output(const DimVector& sizes, DType fallback) const;
  /// out= as is (the op resizes it), or an empty 1-D tensor.
  Tensor output_1d(DType fallback) const;
  /// Applies requires_grad and memory_format (default contiguous) to a factory's result.
  nb::object finish(const Tensor& t) const;

  std::optional<DType> dtype;
  std::optional<Device> device;
  std::optional<Tensor> out;
  nb::object out_object;  // the out= argument itself, which torch returns
  Generator* generator = nullptr;
  nb::object memory_format;
  bool requires_grad = false;

 private:
  const char* op_;
};

enum class MemoryFormatDefault { Preserve, Contiguous };

/// `t` laid out per a memory_format argument: None, preserve_format and (where it is the
/// default) contiguous_format keep it, other formats go through Tensor.contiguous.
nb::object apply_memory_format(nb::object t, nb::handle format, MemoryFormatDefault fallback);
/// The new tensor of a *_like op: input's shape, preserve_format unless told otherwise.
Tensor like_output(const Tensor& self, const FactoryOptions& o);
/// requires_grad and memory_format applied to a *_like result.
nb::object finish_like(const Tensor& t, const FactoryOptions& o);

/// requires_grad=True on a factory result; RuntimeError for non-floating dtypes, like torch.
void set_requires_grad(const Tensor& t, bool requires_grad);
/// Removes and returns kw[name] (an invalid object when absent).
nb::object take_kwarg(nb::kwargs& kw, const char* name);
/// A number argument (a 0-dim tensor counts as its value); TypeError otherwise.
Scalar scalar_arg(nb::handle h, const char* op, const char* name);
/// An int argument; TypeError otherwise.
int64_t int_arg(nb::handle h, const char* op, const char* name);
/// A `size` argument that must be a sequence (TypeError for a bare int, like torch).
DimVector size_arg(nb::handle h, const char* op);
/// Sizes as varargs, one sequence, or the size= keyword (taken from kw).
DimVector varargs_sizes(const nb::args& args, nb::kwargs& kw, const char* op);

namespace detail {
template <typename F, typename R, typename... Args>
auto returns_self(F f, R (F::*)(const Tensor&, Args...) const) {
  return [f](nb::handle self, Args... args) -> nb::object {
    f(nb::cast<const Tensor&>(self), std::move(args)...);
    return nb::borrow(self);
  };
}
}  // namespace detail

/// Wraps an in-place binding f(const Tensor& self, args...) so it returns the very Python object
/// it was called on, as torch does (`x.uniform_() is x`).
template <typename F>
auto returns_self(F f) {
  return detail::returns_self(f, &F::operator());
}

/// torch.tensor(data, dtype=, device=, requires_grad=).
Tensor tensor_from_data(nb::handle data, nb::handle dtype, nb::handle device, bool requires_grad);

}  // namespace cresset::py
