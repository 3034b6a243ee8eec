#pragma once
// Shared helpers of the binding files. Bindings only convert Python arguments into C++ values and
// call the C++ ops; no op logic lives here.
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

// Note [One Python object per tensor]
// Like torch, a TensorImpl has at most one live Python wrapper that owns a handle to it, so
// `x.grad is x.grad`, `v._base is x` and `p.requires_grad_() is p` hold. The wrapper is
// remembered in TensorImpl::pyobj (non-owning): converting a Tensor to Python returns that object
// when it is alive and registers a fresh owning wrapper otherwise; the Tensor type's dealloc
// (tensor.cpp) forgets it. All of this runs with the GIL held.
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
    if (impl && impl->pyobj()) return handle(static_cast<PyObject*>(impl->pyobj())).inc_ref();
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

/// Makes `obj`, a Python object that owns a handle to `t`, the one wrapper of t's TensorImpl.
/// See Note [One Python object per tensor].
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

// out= of an op with two results (frexp, histogram): the named tuple `type` of the results, or of
// out's two tensors after write_out put each result into its own.
inline nb::object pair_or_out(nb::handle out, const char* op, nb::handle type,
                              const cresset::Tensor& first, const cresset::Tensor& second,
                              cresset::OutDtype rule) {
  if (out.is_none()) return type(first, second);
  CRESSET_CHECK(nb::len(out) == 2, TypeError, op, "(): out must be a tuple of 2 tensors");
  cresset::write_out(op, nb::cast<const cresset::Tensor&>(out[0]), first, rule);
  cresset::write_out(op, nb::cast<const cresset::Tensor&>(out[1]), second, rule);
  return type(out[0], out[1]);
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
