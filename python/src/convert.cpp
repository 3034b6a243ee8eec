// Argument conversion: dtype and device objects, numbers, sizes.
#include "bind.h"
#include "cresset/core/default_device.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"

namespace cresset::py {

namespace {
nb::object g_dtypes[kNumDTypes];
}

nb::object dtype_object(DType t) { return g_dtypes[int(t)]; }

DType to_dtype(nb::handle h) {
  if (nb::isinstance<DTypeObject>(h)) return nb::cast<DTypeObject&>(h).type;
  if (h.is(reinterpret_cast<PyObject*>(&PyFloat_Type))) return DType::Float64;
  if (h.is(reinterpret_cast<PyObject*>(&PyLong_Type))) return DType::Int64;
  if (h.is(reinterpret_cast<PyObject*>(&PyBool_Type))) return DType::Bool;
  throw TypeError(str_cat("dtype must be a cresset.dtype, got ",
                          nb::str(nb::handle(reinterpret_cast<PyObject*>(Py_TYPE(h.ptr()))))
                              .c_str()));
}

Device to_device(nb::handle h) {
  if (nb::isinstance<Device>(h)) return nb::cast<Device>(h);
  if (nb::isinstance<nb::str>(h)) return Device(nb::cast<std::string>(h));
  if (PyLong_Check(h.ptr()) && !PyBool_Check(h.ptr())) {
    return Device(DeviceType::CUDA, nb::cast<int>(h));
  }
  throw TypeError("device must be a cresset.device, a string or an int");
}

bool is_number(nb::handle h) {
  PyObject* o = h.ptr();
  return PyFloat_Check(o) || PyLong_Check(o) || PyBool_Check(o) || numpy_scalar_dtype(h);
}

Scalar to_scalar(nb::handle h) {
  PyObject* o = h.ptr();
  if (PyBool_Check(o)) return Scalar(o == Py_True);
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    CRESSET_CHECK(!overflow, RuntimeError, "Overflow when unpacking long");
    return Scalar(int64_t(v));
  }
  if (PyFloat_Check(o)) return Scalar(PyFloat_AS_DOUBLE(o));
  if (std::optional<DType> np = numpy_scalar_dtype(h)) {  // np.int32(1), np.bool_(True) ...
    if (*np == DType::Bool) return Scalar(PyObject_IsTrue(o) == 1);
    if (!is_floating(*np)) return Scalar(nb::cast<int64_t>(nb::int_(h)));
    return Scalar(nb::cast<double>(nb::float_(h)));
  }
  throw TypeError(str_cat("expected a number, got ",
                          nb::type_name(nb::handle(reinterpret_cast<PyObject*>(Py_TYPE(o)))).c_str()));
}

Tensor to_tensor_or_scalar(nb::handle h, const char* op) {
  Tensor* t = nullptr;
  if (nb::try_cast<Tensor*>(h, t) && t) return *t;
  if (is_number(h)) return wrapped_scalar(to_scalar(h));
  throw TypeError(str_cat(op, "(): argument 'other' must be Tensor or Number, not ",
                          nb::type_name(nb::handle(reinterpret_cast<PyObject*>(Py_TYPE(h.ptr())))).c_str()));
}

DimVector to_sizes(nb::handle h) {
  nb::handle seq = h;
  if (nb::isinstance<nb::tuple>(h) && nb::len(h) == 1) {
    nb::handle first = nb::borrow<nb::tuple>(h)[0];
    if (!PyLong_Check(first.ptr())) seq = first;
  }
  DimVector sizes;
  if (PyLong_Check(seq.ptr())) {
    sizes.push_back(nb::cast<int64_t>(seq));
    return sizes;
  }
  for (nb::handle item : seq) {
    CRESSET_CHECK(PyLong_Check(item.ptr()) || PyIndex_Check(item.ptr()), TypeError,
                  "size must be a sequence of ints, but got an element of type ",
                  nb::type_name(nb::handle(reinterpret_cast<PyObject*>(Py_TYPE(item.ptr())))).c_str());
    sizes.push_back(nb::cast<int64_t>(nb::int_(item)));
  }
  return sizes;
}

nb::object make_size(const DimVector& sizes) {
  // Allocated as tuple.__new__ would (Size has empty __slots__: a tuple's layout) and filled in
  // place: the sizes are valid ints, so Size.__new__'s checks and its temporary tuples are skipped.
  auto* type = reinterpret_cast<PyTypeObject*>(py_types().size_type.ptr());
  nb::object size = nb::steal(type->tp_alloc(type, Py_ssize_t(sizes.size())));
  if (!size) throw nb::python_error();
  for (size_t i = 0; i < sizes.size(); ++i) {
    PyObject* item = PyLong_FromLongLong(sizes[i]);
    if (!item) throw nb::python_error();
    PyTuple_SET_ITEM(size.ptr(), Py_ssize_t(i), item);
  }
  return size;
}

void init_dtype(nb::module_& m) {
  nb::class_<DTypeObject>(m, "dtype")
      .def_prop_ro("is_floating_point", [](const DTypeObject& d) { return is_floating(d.type); })
      .def_prop_ro("is_complex", [](const DTypeObject&) { return false; })
      .def_prop_ro("is_signed", [](const DTypeObject& d) { return is_signed(d.type); })
      .def_prop_ro("itemsize", [](const DTypeObject& d) { return itemsize(d.type); })
      .def("__repr__",
           [](const DTypeObject& d) { return std::string("torch.") + dtype_name(d.type); })
      .def("__reduce__", [](const DTypeObject& d) { return std::string(dtype_name(d.type)); });
  for (int i = 0; i < kNumDTypes; ++i) {
    g_dtypes[i] = nb::cast(DTypeObject{DType(i)});
    m.attr(dtype_name(DType(i))) = g_dtypes[i];
  }
  m.def("promote_types", [](nb::handle a, nb::handle b) {
    return dtype_object(promote_types(to_dtype(a), to_dtype(b)));
  }, "type1"_a, "type2"_a);
  m.def("can_cast", [](nb::handle from, nb::handle to) {
    return can_cast(to_dtype(from), to_dtype(to));
  }, "from_"_a, "to"_a);
  m.def("get_default_dtype", [] { return dtype_object(default_dtype()); });
  m.def("set_default_dtype", [](nb::handle d) { set_default_dtype(to_dtype(d)); }, "d"_a);
}

void init_device(nb::module_& m) {
  nb::class_<Device>(m, "device")
      .def("__init__", [](Device* self, nb::handle spec) { new (self) Device(to_device(spec)); },
           "type"_a)
      .def("__init__", [](Device* self, const std::string& type, int index) {
             Device d(type);
             CRESSET_CHECK(d.index < 0, RuntimeError,
                           "type (string) must not include an index because index was passed "
                           "explicitly: ", type);
             new (self) Device(d.type, index);
           }, "type"_a, "index"_a)
      .def_prop_ro("type", [](const Device& d) { return d.is_cpu() ? "cpu" : "cuda"; })
      .def_prop_ro("index", [](const Device& d) -> nb::object {
        if (d.index < 0) return nb::none();
        return nb::int_(int(d.index));
      })
      .def("__str__", &Device::str)
      .def("__repr__", [](const Device& d) {
        std::string r = std::string("device(type='") + (d.is_cpu() ? "cpu" : "cuda") + "'";
        if (d.index >= 0) r += ", index=" + std::to_string(d.index);
        return r + ")";
      })
      .def("__eq__", [](const Device& a, nb::handle b) {
        Device* o = nullptr;
        return nb::try_cast<Device*>(b, o) && o && *o == a;
      })
      .def("__hash__", [](const Device& d) { return int(d.type) * 256 + d.index + 1; });
  // The checks of torch.set_default_device (None, accelerator ints) are in cresset/_config.py.
  m.def("_set_default_device", [](const Device& d) { set_default_device(d); }, "device"_a);
  m.def("_get_default_device", &default_device);
}

}  // namespace cresset::py
