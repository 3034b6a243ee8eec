// Bindings of the view family: shape and view ops as torch.<name> and Tensor.<name>.
#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/view.h"

namespace cresset::py {

namespace {

/// The Python `memory_format` object (torch.contiguous_format ...).
struct MemoryFormatObject {
  MemoryFormat format;
};

const char* memory_format_name(MemoryFormat f) {
  switch (f) {
    case MemoryFormat::Preserve:
      return "preserve_format";
    case MemoryFormat::Contiguous:
      return "contiguous_format";
    case MemoryFormat::ChannelsLast:
      return "channels_last";
    case MemoryFormat::ChannelsLast3d:
      return "channels_last_3d";
  }
  return "";
}

MemoryFormat to_memory_format(nb::handle h, MemoryFormat fallback) {
  if (h.is_none()) return fallback;
  CRESSET_CHECK(nb::isinstance<MemoryFormatObject>(h), TypeError,
                "memory_format must be a torch.memory_format");
  return nb::cast<MemoryFormatObject&>(h).format;
}

// A dim argument that may be an int or a sequence of ints.
DimVector to_dims(nb::handle h) {
  if (PyLong_Check(h.ptr())) return DimVector{nb::cast<int64_t>(h)};
  return to_sizes(h);
}

// In-place view ops return the very Python object they were called on, like torch.
template <typename F>
nb::object inplace(nb::handle self, const F& f) {
  f(nb::cast<const Tensor&>(self));
  return nb::borrow(self);
}

// Ops that may return their input (contiguous, flatten ...) give back the same Python object.
nb::object same_or_new(nb::handle self, Tensor result) {
  if (result.is_same(nb::cast<const Tensor&>(self))) return nb::borrow(self);
  return nb::cast(std::move(result));
}

nb::object view_or_dtype(const Tensor& self, nb::args args) {
  if (nb::len(args) == 1 && !PyLong_Check(args[0].ptr()) &&
      (nb::isinstance<DTypeObject>(args[0]) || PyType_Check(args[0].ptr()))) {
    return nb::cast(view_dtype(self, to_dtype(args[0])));
  }
  return nb::cast(view(self, to_sizes(args)));
}

}  // namespace

void init_view(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));

  nb::class_<MemoryFormatObject>(m, "memory_format")
      .def("__repr__", [](const MemoryFormatObject& f) {
        return std::string("torch.") + memory_format_name(f.format);
      });
  for (MemoryFormat f : {MemoryFormat::Preserve, MemoryFormat::Contiguous,
                         MemoryFormat::ChannelsLast, MemoryFormat::ChannelsLast3d}) {
    m.attr(memory_format_name(f)) = nb::cast(MemoryFormatObject{f});
  }

  // Primitive views.
  auto as_strided_fn = [](const Tensor& self, nb::handle size, nb::handle stride,
                          std::optional<int64_t> offset) {
    return as_strided(self, to_sizes(size), to_sizes(stride), offset);
  };
  m.def("as_strided", as_strided_fn, "input"_a, "size"_a, "stride"_a,
        "storage_offset"_a = nb::none());
  cls.def("as_strided", as_strided_fn, "size"_a, "stride"_a, "storage_offset"_a = nb::none());
  cls.def("as_strided_", [](nb::handle self, nb::handle size, nb::handle stride,
                            std::optional<int64_t> offset) {
    return inplace(self, [&](const Tensor& t) {
      as_strided_(t, to_sizes(size), to_sizes(stride), offset);
    });
  }, "size"_a, "stride"_a, "storage_offset"_a = nb::none());

  m.def("select", &select, "input"_a, "dim"_a, "index"_a);
  cls.def("select", &select, "dim"_a, "index"_a);
  m.def("narrow", &narrow, "input"_a, "dim"_a, "start"_a, "length"_a);
  cls.def("narrow", &narrow, "dim"_a, "start"_a, "length"_a);

  m.def("unsqueeze", &unsqueeze, "input"_a, "dim"_a);
  cls.def("unsqueeze", &unsqueeze, "dim"_a);
  cls.def("unsqueeze_", [](nb::handle self, int64_t dim) {
    return inplace(self, [&](const Tensor& t) { unsqueeze_(t, dim); });
  }, "dim"_a);

  auto squeeze_fn = [](const Tensor& self, nb::handle dim) {
    return dim.is_none() ? squeeze(self) : squeeze(self, to_dims(dim));
  };
  m.def("squeeze", squeeze_fn, "input"_a, "dim"_a = nb::none());
  cls.def("squeeze", squeeze_fn, "dim"_a = nb::none());
  cls.def("squeeze_", [](nb::handle self, nb::handle dim) {
    return inplace(self, [&](const Tensor& t) {
      if (dim.is_none()) {
        squeeze_(t);
      } else {
        squeeze_(t, to_dims(dim));
      }
    });
  }, "dim"_a = nb::none());

  cls.def("expand", [](const Tensor& self, nb::args size) { return expand(self, to_sizes(size)); });
  cls.def("expand_as", &expand_as, "other"_a);

  m.def("permute", [](const Tensor& self, nb::handle dims) { return permute(self, to_sizes(dims)); },
        "input"_a, "dims"_a);
  cls.def("permute", [](const Tensor& self, nb::args dims) { return permute(self, to_sizes(dims)); });

  m.def("transpose", &transpose, "input"_a, "dim0"_a, "dim1"_a);
  cls.def("transpose", &transpose, "dim0"_a, "dim1"_a);
  cls.def("transpose_", [](nb::handle self, int64_t dim0, int64_t dim1) {
    return inplace(self, [&](const Tensor& t) { transpose_(t, dim0, dim1); });
  }, "dim0"_a, "dim1"_a);
  m.def("t", &t, "input"_a);
  cls.def("t", &t);
  cls.def("t_", [](nb::handle self) { return inplace(self, [](const Tensor& x) { t_(x); }); });

  cls.def("view", &view_or_dtype);
  m.def("reshape", [](const Tensor& self, nb::handle shape) { return reshape(self, to_sizes(shape)); },
        "input"_a, "shape"_a);
  cls.def("reshape", [](const Tensor& self, nb::args shape) { return reshape(self, to_sizes(shape)); });

  cls.def("contiguous", [](nb::handle self, nb::handle format) {
    return same_or_new(self, contiguous(nb::cast<const Tensor&>(self),
                                        to_memory_format(format, MemoryFormat::Contiguous)));
  }, "memory_format"_a = nb::none());
  auto clone_fn = [](const Tensor& self, nb::handle format) {
    return clone(self, to_memory_format(format, MemoryFormat::Preserve));
  };
  m.def("clone", clone_fn, "input"_a, nb::kw_only(), "memory_format"_a = nb::none());
  cls.def("clone", clone_fn, nb::kw_only(), "memory_format"_a = nb::none());

  auto flatten_fn = [](nb::handle self, int64_t start_dim, int64_t end_dim) {
    return same_or_new(self, flatten(nb::cast<const Tensor&>(self), start_dim, end_dim));
  };
  m.def("flatten", flatten_fn, "input"_a, "start_dim"_a = 0, "end_dim"_a = -1);
  cls.def("flatten", flatten_fn, "start_dim"_a = 0, "end_dim"_a = -1);
}

}  // namespace cresset::py
