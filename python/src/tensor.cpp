// The Tensor class: layout attributes, conversion to Python values.
#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/index.h"

namespace cresset::py {

namespace {

nb::object element_to_py(DType t, const char* p) {
  nb::object r;
  CRESSET_DISPATCH_ALL("item", t, [&] {
    scalar_t v = *reinterpret_cast<const scalar_t*>(p);
    if constexpr (std::is_same_v<scalar_t, bool>) {
      r = nb::bool_(v);
    } else if constexpr (std::is_integral_v<scalar_t>) {
      r = nb::int_(int64_t(v));
    } else {
      r = nb::float_(double(opmath_t<scalar_t>(v)));
    }
  });
  return r;
}

nb::object tolist_rec(const Tensor& t, const char* p, int64_t d) {
  if (d == t.dim()) return element_to_py(t.dtype(), p);
  int64_t n = t.sizes()[d];
  nb::list out;
  int64_t step = t.strides()[d] * t.itemsize();
  for (int64_t i = 0; i < n; ++i) out.append(tolist_rec(t, p + i * step, d + 1));
  return out;
}

// The tensor itself on the CPU, else a host copy (which waits for the device), as torch's item()
// and tolist() read CUDA tensors.
Tensor on_host(const Tensor& t) { return t.device().is_cpu() ? t : t.cpu(); }

// The value of a one-element tensor for int()/float()/complex(), with torch's error.
nb::object single_value(const Tensor& t) {
  CRESSET_CHECK(t.numel() == 1, ValueError,
                "only one element tensors can be converted to Python scalars");
  Tensor h = on_host(t);
  return element_to_py(h.dtype(), static_cast<const char*>(h.raw_data()));
}

// Owns the result of a Python C API call, raising its error when it failed.
nb::object checked(PyObject* result) {
  if (!result) throw nb::python_error();
  return nb::steal(result);
}

// The Tensor type's dealloc as nanobind made it; tensor_dealloc runs first.
destructor g_nb_tensor_dealloc = nullptr;
// Where a Tensor instance keeps its __dict__ (nanobind's dynamic_attr slot).
Py_ssize_t g_dict_offset = 0;

// The Tensor handle inside a wrapper that owns its C++ value; null for one nanobind made to
// reference a Tensor that lives elsewhere.
Tensor* held_tensor(PyObject* self) {
  auto [ready, owns] = nb::inst_state(self);
  return ready && owns ? nb::inst_ptr<Tensor>(self) : nullptr;
}

// At refcount zero, hands the wrapper to its impl when C++ still holds the impl, else frees it.
// Python subclasses get here through subtype_dealloc. See Note [Python object preservation].
void tensor_dealloc(PyObject* self) {
  Tensor* t = held_tensor(self);
  if (t && t->defined() && t->impl()->pyobj() == self) {
    if (t->impl_ptr().use_count() > 1) {
      Py_SET_REFCNT(self, 1);  // the impl's reference from now on
      t->impl()->set_owns_pyobj(true);
      Tensor owning = std::move(*t);
      // A borrowed handle (an aliasing shared_ptr with no owner), so that the object stays
      // usable if gc introspection finds it.
      *t = Tensor(std::shared_ptr<TensorImpl>(std::shared_ptr<TensorImpl>(), owning.impl()));
      return;  // `owning` dies last: if the other owners went away meanwhile, it releases self
    }
    t->impl()->set_pyobj(nullptr);
  }
  g_nb_tensor_dealloc(self);
}

// Reports the __dict__ to the garbage collector only when no other C++ owner keeps the tensor
// (and so its wrapper) reachable; see Note [Python object preservation].
int tensor_traverse(PyObject* self, visitproc visit, void* arg) {
  Tensor* t = held_tensor(self);
  if (!(t && t->defined() && t->impl_ptr().use_count() > 1)) {
    Py_VISIT(*reinterpret_cast<PyObject**>(reinterpret_cast<char*>(self) + g_dict_offset));
  }
  Py_VISIT(Py_TYPE(self));
  return 0;
}

// torch's Tensor._base: the root base of a view, else None.
nb::object tensor_base(const Tensor& t) {
  const std::shared_ptr<TensorImpl>& base = t.impl()->view_base();
  return base ? nb::cast(Tensor(base)) : nb::none();
}

// Tensor.data_ptr / const_data_ptr: the address of the first element; torch gives 0 for a
// tensor with no storage bytes.
uintptr_t data_ptr(const Tensor& t) {
  return t.impl()->storage()->nbytes() ? reinterpret_cast<uintptr_t>(t.raw_data()) : 0;
}

}  // namespace

nb::handle reclaim_wrapper(const std::shared_ptr<TensorImpl>& impl) {
  auto* obj = static_cast<PyObject*>(impl->pyobj());
  *nb::inst_ptr<Tensor>(obj) = Tensor(impl);
  impl->set_owns_pyobj(false);
  return obj;
}

void init_tensor(nb::module_& m) {
  nb::class_<Tensor> cls(m, "Tensor", nb::dynamic_attr(), nb::is_weak_referenceable(),
                         nb::type_slots(tensor_operator_slots()));
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  g_nb_tensor_dealloc = type->tp_dealloc;
  g_dict_offset = type->tp_dictoffset;
  type->tp_dealloc = &tensor_dealloc;
  type->tp_traverse = &tensor_traverse;
  // Wrappers that impls still own at exit are leaked: Python may not be entered any more.
  set_pyobj_releaser(&release_pyobject);
  nb::module_::import_("atexit").attr("register")(
      nb::cpp_function([] { set_pyobj_releaser(nullptr); }));
  cls
      .def_prop_ro("shape", [](const Tensor& t) { return make_size(t.sizes()); })
      .def("size", [](const Tensor& t, nb::handle dim) -> nb::object {
        if (dim.is_none()) return make_size(t.sizes());
        return nb::int_(t.size(nb::cast<int64_t>(dim)));
      }, "dim"_a = nb::none())
      .def("stride", [](const Tensor& t, nb::handle dim) -> nb::object {
        if (dim.is_none()) {
          nb::list l;
          for (int64_t s : t.strides()) l.append(s);
          return nb::tuple(l);
        }
        return nb::int_(t.stride(nb::cast<int64_t>(dim)));
      }, "dim"_a = nb::none())
      .def_prop_ro("dtype", [](const Tensor& t) { return dtype_object(t.dtype()); })
      .def_prop_ro("device", [](const Tensor& t) { return t.device(); })
      .def_prop_ro("ndim", &Tensor::dim)
      .def("dim", &Tensor::dim)
      .def("ndimension", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def("nelement", &Tensor::numel)
      .def("storage_offset", &Tensor::storage_offset)
      .def("element_size", &Tensor::itemsize)
      .def_prop_ro("itemsize", &Tensor::itemsize)
      .def_prop_ro("nbytes", &Tensor::nbytes)
      .def("data_ptr", &data_ptr)
      .def("const_data_ptr", &data_ptr)
      .def("is_floating_point", &Tensor::is_floating_point)
      .def_prop_ro("is_cuda", [](const Tensor& t) { return t.device().is_cuda(); })
      .def_prop_ro("is_cpu", [](const Tensor& t) { return t.device().is_cpu(); })
      .def("item", [](const Tensor& t) {
        CRESSET_CHECK(t.numel() == 1, RuntimeError, "a Tensor with ", t.numel(),
                      " elements cannot be converted to Scalar");
        Tensor h = on_host(t);
        return element_to_py(h.dtype(), static_cast<const char*>(h.raw_data()));
      })
      .def("tolist", [](const Tensor& t) {
        Tensor h = on_host(t);
        return tolist_rec(h, static_cast<const char*>(h.raw_data()), 0);
      })
      .def("copy_", [](nb::handle self, const Tensor& src, bool) {
        copy_(nb::cast<const Tensor&>(self), src);
        return nb::borrow(self);  // the same Python object, like torch
      }, "src"_a, "non_blocking"_a = false)
      .def("__bool__", [](const Tensor& t) {
        CRESSET_CHECK(t.numel() == 1, RuntimeError, "Boolean value of Tensor with ",
                      t.numel() == 0 ? "no values" : "more than one value", " is ambiguous");
        Tensor h = on_host(t);
        nb::object v = element_to_py(h.dtype(), static_cast<const char*>(h.raw_data()));
        return PyObject_IsTrue(v.ptr()) == 1;
      })
      .def("__int__", [](const Tensor& t) {
        return checked(PyNumber_Long(single_value(t).ptr()));
      })
      .def("__float__", [](const Tensor& t) {
        if (t.requires_grad()) {
          if (PyErr_WarnEx(PyExc_UserWarning, "Converting a tensor with requires_grad=True to a "
                           "scalar may lead to unexpected behavior.\nConsider using "
                           "tensor.detach() first.", 1) != 0) {
            throw nb::python_error();
          }
        }
        return checked(PyNumber_Float(single_value(t).ptr()));
      })
      .def("__complex__", [](const Tensor& t) {
        double v = PyFloat_AsDouble(single_value(t).ptr());
        return checked(PyComplex_FromDoubles(v, 0.0));
      })
      .def("__index__", [](const Tensor& t) {
        CRESSET_CHECK(t.numel() == 1 && !t.is_floating_point(), TypeError,
                      "only integer tensors of a single element can be converted to an index");
        return checked(PyNumber_Index(single_value(t).ptr()));
      })
      .def("__len__", [](const Tensor& t) {
        CRESSET_CHECK(t.dim() > 0, TypeError, "len() of a 0-d tensor");
        return t.sizes()[0];
      })
      .def("_is_same", [](const Tensor& a, const Tensor& b) { return a.is_same(b); })
      .def_prop_ro("_version", [](const Tensor& t) {
        CRESSET_CHECK(!t.impl()->is_inference(), RuntimeError,
                      "Inference tensors do not track version counter.");
        return t.impl()->storage()->version();
      })
      .def("is_inference", [](const Tensor& t) { return t.impl()->is_inference(); })
      .def_prop_ro("_base", &tensor_base)
      .def("_is_view", [](const Tensor& t) { return t.impl()->view_base() != nullptr; });
  m.def("is_inference", [](const Tensor& t) { return t.impl()->is_inference(); }, "input"_a);
}

}  // namespace cresset::py
