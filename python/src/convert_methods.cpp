// Tensor conversion methods: to, type, float/double/half/..., cpu, cuda.
#include "creation_args.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"

namespace cresset::py {

namespace {

// torch's legacy tensor type names: "FloatTensor" for float32 ...
const char* legacy_type_name(DType t) {
  switch (t) {
    case DType::Bool:
      return "BoolTensor";
    case DType::UInt8:
      return "ByteTensor";
    case DType::Int8:
      return "CharTensor";
    case DType::Int16:
      return "ShortTensor";
    case DType::Int32:
      return "IntTensor";
    case DType::Int64:
      return "LongTensor";
    case DType::Float16:
      return "HalfTensor";
    case DType::BFloat16:
      return "BFloat16Tensor";
    case DType::Float32:
      return "FloatTensor";
    case DType::Float64:
      return "DoubleTensor";
  }
  return "?";
}

bool is_dtype_like(nb::handle h) {
  return nb::isinstance<DTypeObject>(h) || h.is((PyObject*)&PyFloat_Type) ||
         h.is((PyObject*)&PyLong_Type) || h.is((PyObject*)&PyBool_Type);
}

bool is_device_like(nb::handle h) {
  return nb::isinstance<Device>(h) || nb::isinstance<nb::str>(h) ||
         (PyLong_Check(h.ptr()) && !PyBool_Check(h.ptr()));
}

// self itself (the same Python object) when the conversion changed nothing.
nb::object converted(nb::handle self, DType dtype, Device device, bool copy, nb::handle format) {
  const Tensor& t = nb::cast<const Tensor&>(self);
  Tensor r = to(t, dtype, device, copy);
  nb::object obj = r.is_same(t) ? nb::borrow(self) : nb::cast(r);
  return apply_memory_format(obj, format, MemoryFormatDefault::Preserve);
}

// Tensor.to's three forms: to(dtype, ...), to(device=None, dtype=None, ...), to(other, ...);
// each followed by non_blocking and copy, positionally or by keyword.
nb::object to_method(nb::handle self, nb::args args, nb::kwargs kw) {
  const Tensor& t = nb::cast<const Tensor&>(self);
  std::optional<DType> dtype;
  std::optional<Device> device;
  bool copy = false;
  size_t i = 0, n = args.size();
  auto bad = [&] {
    return TypeError(
        "to() received an invalid combination of arguments; expected (dtype, "
        "non_blocking, copy), (device, dtype, non_blocking, copy) or (tensor, "
        "non_blocking, copy)");
  };
  if (i < n && nb::isinstance<Tensor>(args[i])) {
    const Tensor& other = nb::cast<const Tensor&>(args[i++]);
    dtype = other.dtype();
    device = other.device();
  } else if (i < n && is_dtype_like(args[i])) {
    dtype = to_dtype(args[i++]);
  } else if (i < n && is_device_like(args[i])) {
    device = to_device(args[i++]);
    if (i < n && is_dtype_like(args[i])) dtype = to_dtype(args[i++]);
  }
  // The rest: non_blocking (ignored: copies are synchronous), then copy.
  if (i < n) {
    if (!PyBool_Check(args[i].ptr())) throw bad();
    ++i;
  }
  if (i < n) {
    if (!PyBool_Check(args[i].ptr())) throw bad();
    copy = args[i++].ptr() == Py_True;
  }
  if (i < n) throw bad();
  nb::object format;
  for (auto [key, value] : kw) {
    std::string k = nb::cast<std::string>(key);
    if (k == "dtype") {
      if (dtype && !value.is_none()) throw bad();
      if (!value.is_none()) dtype = to_dtype(value);
    } else if (k == "device") {
      if (device && !value.is_none()) throw bad();
      if (!value.is_none()) device = to_device(value);
    } else if (k == "copy") {
      copy = nb::cast<bool>(value);
    } else if (k == "memory_format") {
      format = nb::borrow(value);
    } else if (k != "non_blocking") {
      throw TypeError(str_cat("to() got an unexpected keyword argument '", k, "'"));
    }
  }
  return converted(self, dtype.value_or(t.dtype()), device.value_or(t.device()), copy, format);
}

// Tensor.type(): the legacy type name, or a conversion to a dtype or a type name.
nb::object type_method(nb::handle self, nb::handle dtype, bool, nb::kwargs kw) {
  const Tensor& t = nb::cast<const Tensor&>(self);
  if (dtype.is_none() && kw.contains("dtype")) dtype = kw["dtype"];
  if (dtype.is_none()) {
    return nb::str(
        (std::string(t.device().is_cuda() ? "torch.cuda." : "torch.") + legacy_type_name(t.dtype()))
            .c_str());
  }
  if (!nb::isinstance<nb::str>(dtype)) return converted(self, to_dtype(dtype), t.device(), false, {});
  std::string name = nb::cast<std::string>(dtype);
  std::string rest = name;
  Device device;
  if (rest.rfind("torch.cuda.", 0) == 0) {
    rest = rest.substr(11);
    device = Device(DeviceType::CUDA);
  } else if (rest.rfind("torch.", 0) == 0) {
    rest = rest.substr(6);
  } else {
    throw ValueError(str_cat("invalid type: '", name, "'"));
  }
  for (int k = 0; k < kNumDTypes; ++k) {
    if (rest == legacy_type_name(DType(k))) return converted(self, DType(k), device, false, {});
  }
  throw ValueError(str_cat("invalid type: '", name, "'"));
}

}  // namespace

void init_convert_methods(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  cls.def("to", &to_method, "args"_a, "kwargs"_a);
  cls.def("type", &type_method, "dtype"_a = nb::none(), "non_blocking"_a = false, "kwargs"_a);

  struct Shorthand {
    const char* name;
    DType dtype;
  };
  static constexpr Shorthand kShorthands[] = {
      {"float", DType::Float32},     {"double", DType::Float64}, {"half", DType::Float16},
      {"bfloat16", DType::BFloat16}, {"long", DType::Int64},     {"int", DType::Int32},
      {"short", DType::Int16},       {"char", DType::Int8},      {"byte", DType::UInt8},
      {"bool", DType::Bool}};
  for (const Shorthand& s : kShorthands) {
    DType dtype = s.dtype;
    cls.def(
        s.name,
        [dtype](nb::handle self, nb::handle format) {
          return converted(self, dtype, nb::cast<const Tensor&>(self).device(), false, format);
        },
        "memory_format"_a = nb::none());
  }
  cls.def(
      "cpu",
      [](nb::handle self, nb::handle format) {
        return converted(self, nb::cast<const Tensor&>(self).dtype(), Device(), false, format);
      },
      "memory_format"_a = nb::none());
  cls.def(
      "cuda",
      [](nb::handle self, nb::handle device, bool, nb::handle format) {
        Device d = device.is_none() ? Device(DeviceType::CUDA) : to_device(device);
        CRESSET_CHECK(d.is_cuda(), RuntimeError, "Invalid device, must be cuda device");
        return converted(self, nb::cast<const Tensor&>(self).dtype(), d, false, format);
      },
      "device"_a = nb::none(), "non_blocking"_a = false, "memory_format"_a = nb::none());
}

}  // namespace cresset::py
