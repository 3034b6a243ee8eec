// Factories: torch.tensor from Python data, empty/zeros/ones/full.
#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"

namespace cresset::py {

namespace {

// Walks nested sequences once to find the shape and the dtype torch infers (bool < int < float).
void infer(nb::handle obj, int64_t depth, DimVector& shape, DType& inferred) {
  if (is_number(obj)) {
    CRESSET_CHECK(depth == int64_t(shape.size()), ValueError,
                  "expected sequence of length ", depth < int64_t(shape.size()) ? shape[depth] : 0,
                  " at dim ", depth, " (got a number)");
    std::optional<DType> np = numpy_scalar_dtype(obj);  // NumPy scalars keep their dtype
    DType d = np ? *np : to_scalar(obj).natural_dtype();
    if (!np && d == DType::Float64) d = default_dtype();
    inferred = int(inferred) < 0 ? d : promote_types(inferred, d);
    return;
  }
  Tensor* t = nullptr;
  if (nb::try_cast<Tensor*>(obj, t) && t) {
    CRESSET_CHECK(t->numel() == 1 && t->dim() == 0, ValueError,
                  "only one element tensors can be converted to Python scalars");
    inferred = int(inferred) < 0 ? t->dtype() : promote_types(inferred, t->dtype());
    return;
  }
  CRESSET_CHECK(PySequence_Check(obj.ptr()) && !nb::isinstance<nb::str>(obj), TypeError,
                "Could not infer dtype of ", nb::type_name(nb::handle((PyObject*)Py_TYPE(obj.ptr()))).c_str());
  int64_t n = int64_t(nb::len(obj));
  if (depth == int64_t(shape.size())) {
    shape.push_back(n);
  } else {
    CRESSET_CHECK(shape[depth] == n, ValueError, "expected sequence of length ", shape[depth],
                  " at dim ", depth, " (got ", n, ")");
  }
  for (nb::handle item : obj) infer(item, depth + 1, shape, inferred);
}

void fill_from(nb::handle obj, const Tensor& t, char*& p) {
  if (PySequence_Check(obj.ptr()) && !is_number(obj) && !nb::isinstance<Tensor>(obj)) {
    for (nb::handle item : obj) fill_from(item, t, p);
    return;
  }
  Scalar v;
  Tensor* src = nullptr;
  if (nb::try_cast<Tensor*>(obj, src) && src) {
    nb::object item = nb::cast(*src).attr("item")();
    v = to_scalar(item);
  } else {
    v = to_scalar(obj);
  }
  CRESSET_DISPATCH_ALL("tensor", t.dtype(), [&] { *reinterpret_cast<scalar_t*>(p) = v.to<scalar_t>(); });
  p += t.itemsize();
}

struct FactoryArgs {
  DType dtype;
  Device device;
  bool requires_grad = false;
};

FactoryArgs factory_args(nb::handle dtype, nb::handle device, bool requires_grad, DType fallback) {
  FactoryArgs a{dtype.is_none() ? fallback : to_dtype(dtype),
                device.is_none() ? Device() : to_device(device), requires_grad};
  return a;
}

Tensor finish_factory(Tensor t, const FactoryArgs& a) {
  t.impl()->set_requires_grad(a.requires_grad);
  return t;
}

}  // namespace

Tensor tensor_from_data(nb::handle data, nb::handle dtype, nb::handle device, bool requires_grad) {
  if (is_numpy_array(data)) {
    Tensor t = tensor_from_numpy_copy(data, dtype, device);
    t.impl()->set_requires_grad(requires_grad);
    return t;
  }
  DimVector shape;
  DType inferred = DType(-1);
  infer(data, 0, shape, inferred);
  if (int(inferred) < 0) inferred = default_dtype();  // empty list
  FactoryArgs a = factory_args(dtype, device, requires_grad, inferred);
  Tensor t = empty_tensor(shape, dtype.is_none() ? inferred : a.dtype);
  char* p = static_cast<char*>(t.raw_data());
  fill_from(data, t, p);
  return finish_factory(t, a);
}

void init_creation(nb::module_& m) {
  m.def("tensor", &tensor_from_data, "data"_a, nb::kw_only(), "dtype"_a = nb::none(),
        "device"_a = nb::none(), "requires_grad"_a = false);

#define CRESSET_SIZE_FACTORY(pyname, make)                                                   \
  m.def(pyname, [](nb::args size, nb::handle dtype, nb::handle device, bool requires_grad) { \
    FactoryArgs a = factory_args(dtype, device, requires_grad, default_dtype());             \
    DimVector sizes = to_sizes(size);                                                        \
    return finish_factory(make, a);                                                          \
  }, "size"_a, nb::kw_only(), "dtype"_a = nb::none(), "device"_a = nb::none(),               \
        "requires_grad"_a = false);
  CRESSET_SIZE_FACTORY("empty", empty_tensor(sizes, a.dtype, a.device))
  CRESSET_SIZE_FACTORY("zeros", zeros(sizes, a.dtype, a.device))
  CRESSET_SIZE_FACTORY("ones", ones(sizes, a.dtype, a.device))
#undef CRESSET_SIZE_FACTORY

  m.def("empty_strided", [](nb::handle size, nb::handle stride, nb::handle dtype,
                            nb::handle device, bool requires_grad) {
    FactoryArgs a = factory_args(dtype, device, requires_grad, default_dtype());
    DimVector sizes = to_sizes(size), strides = to_sizes(stride);
    CRESSET_CHECK(sizes.size() == strides.size(), RuntimeError,
                  "[empty_strided] mismatch in length of strides and shape");
    return finish_factory(empty_strided_tensor(sizes, strides, a.dtype, a.device), a);
  }, "size"_a, "stride"_a, nb::kw_only(), "dtype"_a = nb::none(), "device"_a = nb::none(),
        "requires_grad"_a = false);

  m.def("full", [](nb::handle size, nb::handle fill, nb::handle dtype, nb::handle device,
                   bool requires_grad) {
    Scalar v = to_scalar(fill);
    DType natural = v.natural_dtype() == DType::Float64 ? default_dtype() : v.natural_dtype();
    FactoryArgs a = factory_args(dtype, device, requires_grad, natural);
    return finish_factory(full(to_sizes(size), v, a.dtype, a.device), a);
  }, "size"_a, "fill_value"_a, nb::kw_only(), "dtype"_a = nb::none(), "device"_a = nb::none(),
        "requires_grad"_a = false);
}

}  // namespace cresset::py
