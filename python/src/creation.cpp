// Factories: torch.tensor from Python data, empty/zeros/ones/full, ranges, eye, *_like and
// Tensor.new_*, fills. Factory keyword arguments (dtype, device, out, layout, pin_memory,
// requires_grad, memory_format) are parsed once, by FactoryOptions.
#include "cresset/ops/creation.h"

#include <utility>

#include "creation_args.h"
#include "cresset/core/error.h"
#include "cresset/ops/view.h"
#include "cresset/ops/windows.h"

namespace cresset::py {

void init_convert_methods(nb::module_& m);

namespace {

nb::handle g_module;

/// torch.layout; cresset has only the strided layout.
struct LayoutObject {};

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
                "Could not infer dtype of ",
                nb::type_name(nb::handle((PyObject*)Py_TYPE(obj.ptr()))).c_str());
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
  CRESSET_DISPATCH_ALL("tensor", t.dtype(),
                       [&] { *reinterpret_cast<scalar_t*>(p) = v.to<scalar_t>(); });
  p += t.itemsize();
}

// The identity of one of torch's memory_format objects (defined by the view bindings), looked
// up when called so the order of the init functions doesn't matter.
bool is_format(nb::handle h, const char* name) {
  return nb::hasattr(g_module, name) && h.is(g_module.attr(name));
}

}  // namespace

// ---- FactoryOptions ---------------------------------------------------------------------------

nb::object take_kwarg(nb::kwargs& kw, const char* name) {
  if (PyDict_GET_SIZE(kw.ptr()) == 0 || !kw.contains(name)) return nb::object();  // no str made
  nb::object v = kw[name];
  nb::del(kw[name]);
  return v;
}

Scalar scalar_arg(nb::handle h, const char* op, const char* name) {
  Tensor* t = nullptr;
  if (nb::try_cast<Tensor*>(h, t) && t) return item_scalar(*t);
  CRESSET_CHECK(is_number(h), TypeError, op, "(): argument '", name, "' must be Number, not ",
                nb::type_name(nb::handle((PyObject*)Py_TYPE(h.ptr()))).c_str());
  return to_scalar(h);
}

int64_t int_arg(nb::handle h, const char* op, const char* name) {
  CRESSET_CHECK(PyIndex_Check(h.ptr()) && !PyBool_Check(h.ptr()), TypeError, op, "(): argument '",
                name, "' must be int, not ",
                nb::type_name(nb::handle((PyObject*)Py_TYPE(h.ptr()))).c_str());
  return nb::cast<int64_t>(nb::int_(h));
}

DimVector size_arg(nb::handle h, const char* op) {
  CRESSET_CHECK(!PyLong_Check(h.ptr()) && PySequence_Check(h.ptr()), TypeError, op,
                "(): argument 'size' must be tuple of ints, not ",
                nb::type_name(nb::handle((PyObject*)Py_TYPE(h.ptr()))).c_str());
  return to_sizes(h);
}

DimVector varargs_sizes(const nb::args& args, nb::kwargs& kw, const char* op) {
  nb::object size = take_kwarg(kw, "size");
  if (size.is_valid()) {
    CRESSET_CHECK(args.size() == 0, TypeError, op, "() got multiple values for argument 'size'");
    return to_sizes(size);
  }
  CRESSET_CHECK(args.size() > 0, TypeError, op,
                "() missing 1 required positional arguments: \"size\"");
  if (args.size() > 1) {
    for (nb::handle a : args) {
      CRESSET_CHECK(PyIndex_Check(a.ptr()), TypeError, op, "() takes 1 positional argument but ",
                    args.size(), " were given");
    }
  }
  CRESSET_CHECK(args.size() > 1 || PyIndex_Check(args[0].ptr()) || PySequence_Check(args[0].ptr()),
                TypeError, op, "(): argument 'size' (position 1) must be tuple of ints, not ",
                nb::type_name(nb::handle((PyObject*)Py_TYPE(args[0].ptr()))).c_str());
  return to_sizes(args);
}

FactoryOptions::FactoryOptions(const char* op, nb::kwargs& kw, unsigned accepted) : op_(op) {
  for (auto [key, value] : kw) {
    std::string k = nb::cast<std::string>(key);
    unsigned flag = k == "dtype"           ? kDType
                    : k == "device"        ? kDevice
                    : k == "requires_grad" ? kRequiresGrad
                    : k == "layout"        ? kLayout
                    : k == "pin_memory"    ? kPinMemory
                    : k == "out"           ? kOut
                    : k == "generator"     ? kGenerator
                    : k == "memory_format" ? kMemoryFormat
                                           : 0u;
    CRESSET_CHECK(flag & accepted, TypeError, op, "() got an unexpected keyword argument '", k,
                  "'");
    if (value.is_none()) continue;
    switch (flag) {
      case kDType:
        dtype = to_dtype(value);
        break;
      case kDevice:
        device = to_device(value);
        break;
      case kRequiresGrad:
        requires_grad = nb::cast<bool>(value);
        break;
      case kLayout:
        CRESSET_CHECK(nb::hasattr(g_module, "strided") && value.is(g_module.attr("strided")),
                      NotImplementedError, "[", op, "] only the strided layout is supported");
        break;
      case kPinMemory:
        CRESSET_CHECK(!nb::cast<bool>(value), RuntimeError, "[", op,
                      "] pin_memory=True needs CUDA; cresset was built without CUDA support");
        break;
      case kOut:
        out = nb::cast<Tensor>(value);
        out_object = nb::borrow(value);
        break;
      case kGenerator:
        CRESSET_CHECK(nb::try_cast<Generator*>(value, generator) && generator, TypeError, op,
                      "(): argument 'generator' must be torch.Generator, not ",
                      nb::type_name(nb::handle((PyObject*)Py_TYPE(value.ptr()))).c_str());
        break;
      default:
        memory_format = nb::borrow(value);
    }
  }
  CRESSET_CHECK(!(out && device && *device != out->device()), RuntimeError, "[", op,
                "] device of out (", out->device().str(),
                ") does not match device= ", device->str());
}

void set_requires_grad(const Tensor& t, bool requires_grad) {
  if (!requires_grad) return;
  CRESSET_CHECK(is_floating(t.dtype()), RuntimeError,
                "Only Tensors of floating point and complex dtype can require gradients");
  t.impl()->set_requires_grad(true);
}

DType FactoryOptions::dtype_or(DType fallback) const {
  if (dtype) return *dtype;
  return out ? out->dtype() : fallback;
}

Tensor FactoryOptions::output(const DimVector& sizes, DType fallback) const {
  if (out) return factory_out(*out, sizes, dtype, op_);
  return empty_tensor(sizes, dtype_or(fallback), device_or_default());
}

Tensor FactoryOptions::output_1d(DType fallback) const {
  if (out) return factory_out(*out, out->sizes(), dtype, op_);
  return empty_tensor({0}, dtype_or(fallback), device_or_default());
}

nb::object FactoryOptions::finish(const Tensor& t) const {
  set_requires_grad(t, requires_grad);
  if (out) return out_object;
  t.impl()->storage()->reset_version();
  return apply_memory_format(nb::cast(t), memory_format, MemoryFormatDefault::Contiguous);
}

nb::object apply_memory_format(nb::object t, nb::handle format, MemoryFormatDefault fallback) {
  if (!format.is_valid() || format.is_none()) return t;
  if (is_format(format, "preserve_format")) {
    CRESSET_CHECK(fallback == MemoryFormatDefault::Preserve, RuntimeError,
                  "unsupported memory format Preserve");
    return t;
  }
  if (fallback == MemoryFormatDefault::Contiguous && is_format(format, "contiguous_format")) {
    return t;
  }
  // contiguous(memory_format=) owns the layout rules (channels_last ...).
  return t.attr("contiguous")(nb::arg("memory_format") = format);
}

Tensor like_output(const Tensor& self, const FactoryOptions& o) {
  DType dtype = o.dtype.value_or(self.dtype());
  Device device = o.device.value_or(self.device());
  if (o.memory_format.is_valid() && is_format(o.memory_format, "contiguous_format")) {
    return empty_tensor(self.sizes(), dtype, device);
  }
  return empty_like(self, dtype, device);
}

nb::object finish_like(const Tensor& t, const FactoryOptions& o) {
  set_requires_grad(t, o.requires_grad);
  t.impl()->storage()->reset_version();
  if (o.memory_format.is_valid() && is_format(o.memory_format, "contiguous_format")) {
    return nb::cast(t);
  }
  return apply_memory_format(nb::cast(t), o.memory_format, MemoryFormatDefault::Preserve);
}

// ---- torch.tensor -----------------------------------------------------------------------------

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
  Tensor t = empty_tensor(shape, dtype.is_none() ? inferred : to_dtype(dtype));
  char* p = static_cast<char*>(t.raw_data());
  fill_from(data, t, p);
  Device target = device.is_none() ? default_device() : to_device(device);
  if (!target.is_cpu()) t = to(t, t.dtype(), target);
  set_requires_grad(t, requires_grad);
  return t;
}

void init_creation(nb::module_& m) {
  g_module = m;
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  constexpr unsigned kFactory = FactoryOptions::kDType | FactoryOptions::kDevice |
                                FactoryOptions::kRequiresGrad | FactoryOptions::kLayout |
                                FactoryOptions::kPinMemory;
  constexpr unsigned kLike = kFactory | FactoryOptions::kMemoryFormat;
  constexpr unsigned kNew = kFactory;

  nb::class_<LayoutObject>(m, "layout").def("__repr__", [](const LayoutObject&) {
    return "torch.strided";
  });
  m.attr("strided") = nb::cast(LayoutObject{});
  cls.def_prop_ro("layout", [](const Tensor&) { return g_module.attr("strided"); });

  m.def("tensor", &tensor_from_data, "data"_a, nb::kw_only(), "dtype"_a = nb::none(),
        "device"_a = nb::none(), "requires_grad"_a = false);

  // ---- size factories ----
  m.def("empty", [](nb::args args, nb::kwargs kw) {
    DimVector sizes = varargs_sizes(args, kw, "empty");
    FactoryOptions o("empty", kw, kFactory | FactoryOptions::kOut | FactoryOptions::kMemoryFormat);
    return o.finish(o.output(sizes, default_dtype()));
  });
  m.def("zeros", [](nb::args args, nb::kwargs kw) {
    DimVector sizes = varargs_sizes(args, kw, "zeros");
    FactoryOptions o("zeros", kw, kFactory | FactoryOptions::kOut);
    return o.finish(zero_(o.output(sizes, default_dtype())));
  });
  m.def("ones", [](nb::args args, nb::kwargs kw) {
    DimVector sizes = varargs_sizes(args, kw, "ones");
    FactoryOptions o("ones", kw, kFactory | FactoryOptions::kOut);
    return o.finish(fill_(o.output(sizes, default_dtype()), Scalar(int64_t(1))));
  });
  m.def(
      "full",
      [](nb::handle size, nb::handle fill, nb::kwargs kw) {
        FactoryOptions o("full", kw, kFactory | FactoryOptions::kOut);
        Scalar v = scalar_arg(fill, "full", "fill_value");
        DType natural = v.natural_dtype() == DType::Float64 ? default_dtype() : v.natural_dtype();
        return o.finish(fill_(o.output(to_sizes(size), natural), v));
      },
      "size"_a, "fill_value"_a, "kwargs"_a);
  m.def(
      "empty_strided",
      [](nb::handle size, nb::handle stride, nb::kwargs kw) {
        FactoryOptions o("empty_strided", kw, kFactory);
        DimVector sizes = to_sizes(size), strides = to_sizes(stride);
        CRESSET_CHECK(sizes.size() == strides.size(), RuntimeError,
                      "[empty_strided] mismatch in length of strides and shape");
        return o.finish(
            empty_strided_tensor(sizes, strides, o.dtype_or(default_dtype()), o.device_or_default()));
      },
      "size"_a, "stride"_a, "kwargs"_a);
  m.def(
      "empty_permuted",
      [](nb::handle size, nb::handle physical_layout, nb::kwargs kw) {
        FactoryOptions o("empty_permuted", kw, kFactory);
        return o.finish(empty_permuted(to_sizes(size), to_sizes(physical_layout),
                                       o.dtype_or(default_dtype()), o.device_or_default()));
      },
      "size"_a, "physical_layout"_a, "kwargs"_a);
  m.def(
      "scalar_tensor",
      [](nb::handle s, nb::kwargs kw) {
        FactoryOptions o("scalar_tensor", kw, kFactory);
        return o.finish(scalar_tensor(scalar_arg(s, "scalar_tensor", "s"),
                                      o.dtype_or(default_dtype()), o.device_or_default()));
      },
      "s"_a, "kwargs"_a);

  // ---- ranges ----
  m.def("arange", [](nb::args args, nb::kwargs kw) {
    nb::object start = take_kwarg(kw, "start"), end = take_kwarg(kw, "end"),
               step = take_kwarg(kw, "step");
    size_t n = args.size();
    CRESSET_CHECK(n <= 3, TypeError, "arange() takes at most 3 positional arguments (", n,
                  " given)");
    if (n == 1 && !end.is_valid()) {
      end = args[0];
    } else {
      nb::object* slots[3] = {&start, &end, &step};
      for (size_t i = 0; i < n; ++i) *slots[i] = nb::borrow(args[i]);
    }
    CRESSET_CHECK(end.is_valid(), TypeError, "arange() missing required argument 'end'");
    Scalar s = start.is_valid() ? scalar_arg(start, "arange", "start") : Scalar(int64_t(0));
    Scalar e = scalar_arg(end, "arange", "end");
    Scalar st = step.is_valid() ? scalar_arg(step, "arange", "step") : Scalar(int64_t(1));
    FactoryOptions o("arange", kw, kFactory | FactoryOptions::kOut);
    return o.finish(arange_out(s, e, st, o.output_1d(arange_dtype(s, e, st))));
  });
  m.def(
      "range",
      [](nb::handle start, nb::handle end, nb::handle step, nb::kwargs kw) {
        FactoryOptions o("range", kw, kFactory | FactoryOptions::kOut);
        PyErr_WarnEx(
            PyExc_UserWarning,
            "torch.range is deprecated and will be removed in a future release because its "
            "behavior is inconsistent with Python's range builtin. Instead, use "
            "torch.arange, which produces values in [start, end).",
            1);
        return o.finish(range_out(scalar_arg(start, "range", "start"),
                                  scalar_arg(end, "range", "end"),
                                  scalar_arg(step, "range", "step"), o.output_1d(default_dtype())));
      },
      "start"_a, "end"_a, "step"_a = 1, "kwargs"_a);
  m.def(
      "linspace",
      [](nb::handle start, nb::handle end, nb::handle steps, nb::kwargs kw) {
        FactoryOptions o("linspace", kw, kFactory | FactoryOptions::kOut);
        return o.finish(
            linspace_out(scalar_arg(start, "linspace", "start"), scalar_arg(end, "linspace", "end"),
                         int_arg(steps, "linspace", "steps"), o.output_1d(default_dtype())));
      },
      "start"_a, "end"_a, "steps"_a, "kwargs"_a);
  m.def(
      "logspace",
      [](nb::handle start, nb::handle end, nb::handle steps, double base, nb::kwargs kw) {
        FactoryOptions o("logspace", kw, kFactory | FactoryOptions::kOut);
        return o.finish(
            logspace_out(scalar_arg(start, "logspace", "start"), scalar_arg(end, "logspace", "end"),
                         int_arg(steps, "logspace", "steps"), base, o.output_1d(default_dtype())));
      },
      "start"_a, "end"_a, "steps"_a, "base"_a = 10.0, "kwargs"_a);
  m.def(
      "eye",
      [](nb::handle n, nb::handle mm, nb::kwargs kw) {
        FactoryOptions o("eye", kw, kFactory | FactoryOptions::kOut);
        int64_t rows = int_arg(n, "eye", "n");
        int64_t cols = mm.is_none() ? rows : int_arg(mm, "eye", "m");
        return o.finish(eye_out(rows, cols, o.output_1d(default_dtype())));
      },
      "n"_a, "m"_a = nb::none(), "kwargs"_a);

  // ---- window functions ----
  // window(name, length, kw, make): make(length, dtype, device) under the factory keywords.
  auto window = [](const char* name, nb::handle length, nb::kwargs& kw, auto make) {
    FactoryOptions o(name, kw, kFactory);
    return o.finish(make(int_arg(length, name, "window_length"), o.dtype_or(default_dtype()),
                         o.device_or_default()));
  };
  using Window = Tensor (*)(int64_t, bool, DType, Device);
  for (auto [name, fn] : {std::pair<const char*, Window>{"hann_window", &hann_window},
                          {"blackman_window", &blackman_window},
                          {"bartlett_window", &bartlett_window}}) {
    m.def(
        name,
        [window, name = name, fn = fn](nb::handle length, bool periodic, nb::kwargs kw) {
          return window(name, length, kw, [&](int64_t n, DType dtype, Device device) {
            return fn(n, periodic, dtype, device);
          });
        },
        "window_length"_a, "periodic"_a = true, "kwargs"_a);
  }
  m.def(
      "hamming_window",
      [window](nb::handle length, bool periodic, double alpha, double beta, nb::kwargs kw) {
        return window("hamming_window", length, kw, [&](int64_t n, DType dtype, Device device) {
          return hamming_window(n, periodic, alpha, beta, dtype, device);
        });
      },
      "window_length"_a, "periodic"_a = true, "alpha"_a = 0.54, "beta"_a = 0.46, "kwargs"_a);
  m.def(
      "kaiser_window",
      [window](nb::handle length, bool periodic, double beta, nb::kwargs kw) {
        return window("kaiser_window", length, kw, [&](int64_t n, DType dtype, Device device) {
          return kaiser_window(n, periodic, beta, dtype, device);
        });
      },
      "window_length"_a, "periodic"_a = true, "beta"_a = 12.0, "kwargs"_a);

  // ---- *_like ----
  m.def(
      "empty_like",
      [](const Tensor& self, nb::kwargs kw) {
        FactoryOptions o("empty_like", kw, kLike);
        return finish_like(like_output(self, o), o);
      },
      "input"_a, "kwargs"_a);
  m.def(
      "zeros_like",
      [](const Tensor& self, nb::kwargs kw) {
        FactoryOptions o("zeros_like", kw, kLike);
        return finish_like(zero_(like_output(self, o)), o);
      },
      "input"_a, "kwargs"_a);
  m.def(
      "ones_like",
      [](const Tensor& self, nb::kwargs kw) {
        FactoryOptions o("ones_like", kw, kLike);
        return finish_like(fill_(like_output(self, o), Scalar(int64_t(1))), o);
      },
      "input"_a, "kwargs"_a);
  m.def(
      "full_like",
      [](const Tensor& self, nb::handle fill, nb::kwargs kw) {
        FactoryOptions o("full_like", kw, kLike);
        return finish_like(fill_(like_output(self, o), scalar_arg(fill, "full_like", "fill_value")),
                           o);
      },
      "input"_a, "fill_value"_a, "kwargs"_a);

  // ---- Tensor.new_* (dtype and device default to self's) ----
  cls.def(
      "new_tensor",
      [](const Tensor& self, nb::handle data, nb::handle dtype, nb::handle device,
         bool requires_grad) {
        nb::handle dt = dtype.is_none() ? dtype_object(self.dtype()) : dtype;
        nb::object dev = device.is_none() ? nb::cast(self.device()) : nb::borrow(device);
        Tensor* src = nullptr;
        if (nb::try_cast<Tensor*>(data, src) && src) {  // torch copies (and warns about clone())
          Tensor t = to(detach(*src), to_dtype(dt), to_device(dev), /*copy=*/true);
          set_requires_grad(t, requires_grad);
          return t;
        }
        return tensor_from_data(data, dt, dev, requires_grad);
      },
      "data"_a, nb::kw_only(), "dtype"_a = nb::none(), "device"_a = nb::none(),
      "requires_grad"_a = false);
  cls.def("new_empty", [](const Tensor& self, nb::args args, nb::kwargs kw) {
    DimVector sizes = varargs_sizes(args, kw, "new_empty");
    FactoryOptions o("new_empty", kw, kNew);
    return o.finish(
        empty_tensor(sizes, o.dtype_or(self.dtype()), o.device.value_or(self.device())));
  });
  cls.def(
      "new_empty_strided",
      [](const Tensor& self, nb::handle size, nb::handle stride, nb::kwargs kw) {
        FactoryOptions o("new_empty_strided", kw, kNew);
        DimVector sizes = to_sizes(size), strides = to_sizes(stride);
        CRESSET_CHECK(sizes.size() == strides.size(), RuntimeError,
                      "[new_empty_strided] mismatch in length of strides and shape");
        return o.finish(empty_strided_tensor(sizes, strides, o.dtype_or(self.dtype()),
                                             o.device.value_or(self.device())));
      },
      "size"_a, "stride"_a, "kwargs"_a);
  cls.def("new_zeros", [](const Tensor& self, nb::args args, nb::kwargs kw) {
    DimVector sizes = varargs_sizes(args, kw, "new_zeros");
    FactoryOptions o("new_zeros", kw, kNew);
    return o.finish(zeros(sizes, o.dtype_or(self.dtype()), o.device.value_or(self.device())));
  });
  cls.def("new_ones", [](const Tensor& self, nb::args args, nb::kwargs kw) {
    DimVector sizes = varargs_sizes(args, kw, "new_ones");
    FactoryOptions o("new_ones", kw, kNew);
    return o.finish(ones(sizes, o.dtype_or(self.dtype()), o.device.value_or(self.device())));
  });
  cls.def(
      "new_full",
      [](const Tensor& self, nb::handle size, nb::handle fill, nb::kwargs kw) {
        FactoryOptions o("new_full", kw, kNew);
        return o.finish(full(to_sizes(size), scalar_arg(fill, "new_full", "fill_value"),
                             o.dtype_or(self.dtype()), o.device.value_or(self.device())));
      },
      "size"_a, "fill_value"_a, "kwargs"_a);

  // ---- fills ----
  auto fill_value = [](const Tensor& self, nb::handle value) {
    Tensor* t = nullptr;
    if (nb::try_cast<Tensor*>(value, t) && t) return fill_(self, *t);
    return fill_(self, scalar_arg(value, "fill_", "value"));
  };
  cls.def("fill_", returns_self(fill_value), "value"_a);
  m.def("fill_", returns_self(fill_value), "input"_a, "value"_a);
  m.def(
      "fill",
      [](const Tensor& self, nb::handle value) {
        Tensor out = empty_like(self, self.dtype(), self.device());
        Tensor* t = nullptr;
        if (nb::try_cast<Tensor*>(value, t) && t) return fill_(out, *t);
        return fill_(out, scalar_arg(value, "fill", "value"));
      },
      "input"_a, "value"_a);
  auto zero = [](const Tensor& self) { return zero_(self); };
  cls.def("zero_", returns_self(zero));
  m.def("zero_", returns_self(zero), "input"_a);

  init_convert_methods(m);
}

}  // namespace cresset::py
