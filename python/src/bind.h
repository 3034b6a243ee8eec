#pragma once
// Shared helpers of the binding files. Bindings only convert Python arguments into C++ values and
// call the C++ ops; no op logic lives here.
#include <initializer_list>

#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "cresset/core/device.h"
#include "cresset/core/dtype.h"
#include "cresset/core/error.h"
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"
#include "cresset/ops/out.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace cresset::py {
/// Python's warnings.warn(msg, UserWarning), once per process per `done` flag (torch's
/// TORCH_WARN_ONCE), or every time under torch.set_warn_always(True).
void warn_once(bool& done, const char* msg);
/// Takes back the wrapper that `impl` owns: returns that object (with the reference the impl
/// held) and makes it Python-owned again. See Note [Python object preservation].
nb::handle reclaim_wrapper(const std::shared_ptr<TensorImpl>& impl);
}  // namespace cresset::py

// Note [Python object preservation]
// As in torch, a TensorImpl has at most one Python object (its wrapper), and that object lives as
// long as the TensorImpl does: `x.grad is x.grad`, `v._base is x`, attributes set on `y.grad` or
// on a subclass instance survive while only C++ holds the tensor, and the object keeps its type.
// TensorImpl::pyobj points at the wrapper, and ownership goes one way or the other:
// - Python owns it (the usual state): the wrapper holds a Tensor handle (a strong reference to the
//   impl) and pyobj is a plain back-pointer. Converting the Tensor to Python returns the wrapper
//   with a new reference.
// - The impl owns it: when the wrapper's refcount drops to zero while other C++ handles still hold
//   the impl, the Tensor type's dealloc (tensor.cpp) resurrects it instead of freeing it: the one
//   reference now belongs to the impl (owns_pyobj) and the wrapper's own handle becomes a
//   borrowed one (an aliasing shared_ptr that owns nothing), so no cycle keeps the impl alive.
//   Converting the Tensor to Python then hands that reference back and makes the wrapper's
//   handle owning again (reclaim_wrapper). When the impl dies first, its destructor releases
//   the wrapper through a hook this module installs (set_pyobj_releaser): it takes the GIL,
//   since impls die on any thread (autograd releases saved tensors with the GIL released), and
//   it is removed at interpreter exit, after which such wrappers are leaked.
// Python subclasses reach the resurrection through subtype_dealloc, which calls their base's
// dealloc without clearing the __dict__ or the weak references (both are the base's); only
// values in a subclass's own __slots__ are cleared. Garbage collection: a wrapper whose impl has
// other C++ owners is a root (C++ keeps it reachable), so its traverse does not report its
// __dict__; then `t.me = t` is collected once C++ lets go of t, and never half-cleared before.
// An impl-owned wrapper is reachable from Python only through gc introspection
// (gc.get_objects); its borrowed handle works while the impl lives, and a reference taken that
// way must not outlive the impl. Converting to Python and dealloc run with the GIL held.
namespace nanobind::detail {
template <>
struct type_caster<cresset::Tensor> : type_caster_base<cresset::Tensor> {
  template <typename T>
  NB_INLINE static handle from_cpp(T&& value, rv_policy policy, cleanup_list* cleanup) noexcept {
    cresset::TensorImpl* impl;
    if constexpr (is_pointer_v<T>) {
      impl = value ? value->impl() : nullptr;
    } else {
      impl = value.impl();
    }
    if (impl && impl->pyobj()) {
      if (NB_UNLIKELY(impl->owns_pyobj())) {
        if constexpr (is_pointer_v<T>) {
          return cresset::py::reclaim_wrapper(value->impl_ptr());
        } else {
          return cresset::py::reclaim_wrapper(value.impl_ptr());
        }
      }
      return handle(static_cast<PyObject*>(impl->pyobj())).inc_ref();
    }
    policy = infer_policy<T>(policy);
    handle h =
        type_caster_base<cresset::Tensor>::from_cpp(std::forward<T>(value), policy, cleanup);
    if (impl && h.is_valid() && (policy == rv_policy::copy || policy == rv_policy::move)) {
      impl->set_pyobj(h.ptr());
    }
    return h;
  }
};
}  // namespace nanobind::detail

namespace cresset::py {

/// The Python `dtype` object: a thin box around DType (torch.float32 ...).
struct DTypeObject {
  DType type;
};

/// The singleton Python object for a dtype.
nb::object dtype_object(DType t);
/// Converts a dtype argument: a cresset dtype, or Python's bool/int/float types.
DType to_dtype(nb::handle h);
/// Converts a device argument: a device, "cpu"/"cuda:1", or an int (a CUDA index).
Device to_device(nb::handle h);
/// True for Python bool/int/float (and NumPy scalars of those kinds).
bool is_number(nb::handle h);
/// Converts a Python number into a Scalar; TypeError otherwise.
Scalar to_scalar(nb::handle h);
/// A Tensor argument, or a Python number wrapped as a 0-dim tensor; TypeError otherwise.
Tensor to_tensor_or_scalar(nb::handle h, const char* op);
/// Sizes given as varargs (2, 3) or one sequence ((2, 3) / [2, 3] / torch.Size).
DimVector to_sizes(nb::handle args_or_seq);
/// A torch.Size (tuple subclass) built from sizes.
nb::object make_size(const DimVector& sizes);

/// The dtype of a NumPy scalar (np.float32(1), np.bool_(True) ...); nullopt for anything else.
std::optional<DType> numpy_scalar_dtype(nb::handle h);
/// True for a NumPy ndarray (NumPy is never imported to check).
bool is_numpy_array(nb::handle h);
/// torch.from_numpy: a tensor sharing the array's memory.
Tensor from_numpy(nb::handle array);
/// torch.tensor(ndarray): a copy of the array in `dtype` (None: the array's) on `device`.
Tensor tensor_from_numpy_copy(nb::handle array, nb::handle dtype, nb::handle device);
/// torch.tensor(data, dtype=, device=, requires_grad=): a new tensor holding a copy of `data`.
Tensor tensor_from_data(nb::handle data, nb::handle dtype, nb::handle device, bool requires_grad);

/// Sets the Python exception for cresset's errors (the types torch raises); others propagate.
void translate_exception(const std::exception_ptr& p);
/// div and div_ without a rounding mode (true_divide and the / operator).
Tensor div2(const Tensor& a, const Tensor& b);
Tensor div2_(const Tensor& a, const Tensor& b);
/// The number, comparison and hash slots of the Tensor type; see Note [Operator slots].
PyType_Slot* tensor_operator_slots();

/// Drops a reference to a Python object under the GIL, on whatever thread the last C++ owner dies
/// (nothing once Python is finalized): for storage borrowed from Python and for the wrappers
/// dying TensorImpls own (see Note [Python object preservation]).
void release_pyobject(void* obj);

/// Makes `obj`, a Python object that owns a handle to `t`, the one wrapper of t's TensorImpl.
/// See Note [Python object preservation].
inline void register_wrapper(const Tensor& t, nb::handle obj) { t.impl()->set_pyobj(obj.ptr()); }

/// Runs `compute` into a new tensor (given an undefined Tensor), or into `out` and then returns
/// that very Python object, as torch's out= does.
template <typename F>
nb::object with_out(nb::handle out, const F& compute) {
  if (out.is_none()) return nb::cast(compute(Tensor()));
  compute(nb::cast<const Tensor&>(out));
  return nb::borrow(out);
}

// How a result reaches an out= tensor: cresset::write_out, or write_out_recorded for the ops whose
// out= torch differentiates through.
using OutWriter = cresset::Tensor (*)(const char*, const cresset::Tensor&, const cresset::Tensor&,
                                      cresset::OutDtype);

// out= of a result computed apart: compute() itself, or `out` (the same Python object) after
// `write` checked it and gave it the result.
template <typename F>
nb::object result_or_out(nb::handle out, const char* op, const F& compute,
                         cresset::OutDtype rule = cresset::OutDtype::Castable,
                         OutWriter write = &cresset::write_out) {
  if (out.is_none()) return nb::cast(compute());
  write(op, nb::cast<const cresset::Tensor&>(out), compute(), rule);
  return nb::borrow(out);
}

// out= of an op with several results (frexp, histogram, lu_unpack, svd ...): the named tuple
// `type` of the results, or of out's tensors after write_out put each result into its own.
inline nb::object results_or_out(nb::handle out, const char* op, nb::handle type,
                                 std::initializer_list<cresset::Tensor> results,
                                 cresset::OutDtype rule) {
  nb::list items;
  if (out.is_none()) {
    for (const cresset::Tensor& r : results) items.append(nb::cast(r));
  } else {
    CRESSET_CHECK(nb::len(out) == results.size(), TypeError, op, "(): out must be a tuple of ",
                  results.size(), " tensors");
    size_t i = 0;
    for (const cresset::Tensor& r : results) {
      cresset::write_out(op, nb::cast<const cresset::Tensor&>(out[i]), r, rule);
      items.append(out[i++]);
    }
  }
  return type(*nb::tuple(items));
}

inline nb::object pair_or_out(nb::handle out, const char* op, nb::handle type,
                              const cresset::Tensor& first, const cresset::Tensor& second,
                              cresset::OutDtype rule) {
  return results_or_out(out, op, type, {first, second}, rule);
}

// The Python classes defined in Python (cresset/__init__.py) that the bindings need to build.
struct PyTypes {
  nb::object size_type;
};
PyTypes& py_types();

void init_dtype(nb::module_& m);
void init_device(nb::module_& m);
void init_tensor(nb::module_& m);
void init_elementwise(nb::module_& m);
void init_creation(nb::module_& m);
void init_reduce(nb::module_& m);
void init_view(nb::module_& m);
void init_index(nb::module_& m);
void init_linalg(nb::module_& m);
void init_random(nb::module_& m);
void init_interop(nb::module_& m);
void init_nn(nb::module_& m);
void init_nn_conv(nb::module_& m);
void init_nn_pool(nb::module_& m);
void init_nn_norm(nb::module_& m);
void init_nn_activation(nb::module_& m);
void init_nn_loss(nb::module_& m);
void init_nn_linear(nb::module_& m);
void init_nn_rnn(nb::module_& m);
void init_optim(nb::module_& m);
void init_io(nb::module_& m);
void init_autograd(nb::module_& m);
void init_cuda(nb::module_& m);

}  // namespace cresset::py
