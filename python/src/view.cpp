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

nb::tuple to_tuple(const std::vector<Tensor>& v) {
  nb::list l;
  for (const Tensor& t : v) l.append(nb::cast(t));
  return nb::tuple(l);
}

// Varargs given as tensors or as one sequence of tensors (meshgrid, broadcast_tensors ...).
std::vector<Tensor> to_tensor_list(nb::args args) {
  if (nb::len(args) == 1 && !nb::isinstance<Tensor>(args[0])) {
    return nb::cast<std::vector<Tensor>>(args[0]);
  }
  return nb::cast<std::vector<Tensor>>(args);
}

// atleast_Nd(t) -> t; atleast_Nd(t1, t2) or atleast_Nd([t1, t2]) -> tuple.
nb::object atleast(nb::args args, int n) {
  if (nb::len(args) == 1 && nb::isinstance<Tensor>(args[0])) {
    return same_or_new(args[0], atleast_nd(nb::cast<const Tensor&>(args[0]), n));
  }
  std::vector<Tensor> out;
  for (const Tensor& t : to_tensor_list(args)) out.push_back(atleast_nd(t, n));
  return to_tuple(out);
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

  // squeeze(), squeeze(int) and squeeze(dims) are torch overloads with their own node names.
  auto squeeze_fn = [](const Tensor& self, nb::handle dim) {
    if (dim.is_none()) return squeeze(self);
    if (PyLong_Check(dim.ptr())) return squeeze(self, nb::cast<int64_t>(dim));
    return squeeze(self, to_sizes(dim));
  };
  m.def("squeeze", squeeze_fn, "input"_a, "dim"_a = nb::none());
  cls.def("squeeze", squeeze_fn, "dim"_a = nb::none());
  cls.def("squeeze_", [](nb::handle self, nb::handle dim) {
    return inplace(self, [&](const Tensor& t) {
      if (dim.is_none()) {
        squeeze_(t);
      } else if (PyLong_Check(dim.ptr())) {
        squeeze_(t, nb::cast<int64_t>(dim));
      } else {
        squeeze_(t, to_sizes(dim));
      }
    });
  }, "dim"_a = nb::none());

  cls.def("expand", [](const Tensor& self, nb::args size) { return expand(self, to_sizes(size)); });
  cls.def("expand_as", &expand_as, "other"_a);

  m.def("permute", [](const Tensor& self, nb::handle dims) {
    return permute(self, to_sizes(dims));
  }, "input"_a, "dims"_a);
  cls.def("permute", [](const Tensor& self, nb::args dims) {
    return permute(self, to_sizes(dims));
  });

  m.def("transpose", &transpose, "input"_a, "dim0"_a, "dim1"_a);
  cls.def("transpose", &transpose, "dim0"_a, "dim1"_a);
  cls.def("transpose_", [](nb::handle self, int64_t dim0, int64_t dim1) {
    return inplace(self, [&](const Tensor& t) { transpose_(t, dim0, dim1); });
  }, "dim0"_a, "dim1"_a);
  m.def("t", &t, "input"_a);
  cls.def("t", &t);
  cls.def("t_", [](nb::handle self) { return inplace(self, [](const Tensor& x) { t_(x); }); });

  cls.def("view", &view_or_dtype);
  m.def("reshape", [](const Tensor& self, nb::handle shape) {
    return reshape(self, to_sizes(shape));
  }, "input"_a, "shape"_a);
  cls.def("reshape", [](const Tensor& self, nb::args shape) {
    return reshape(self, to_sizes(shape));
  });

  cls.def("is_contiguous", [](const Tensor& self, nb::handle format) {
    return is_contiguous(self, to_memory_format(format, MemoryFormat::Contiguous));
  }, "memory_format"_a = nb::none());
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

  // More views.
  cls.def("view_as", [](const Tensor& self, const Tensor& other) {
    return view(self, other.sizes());
  }, "other"_a);
  cls.def("reshape_as", [](const Tensor& self, const Tensor& other) {
    return reshape(self, other.sizes());
  }, "other"_a);
  m.def("unflatten", [](const Tensor& self, int64_t dim, nb::handle sizes) {
    return unflatten(self, dim, to_sizes(sizes));
  }, "input"_a, "dim"_a, "sizes"_a);
  cls.def("unflatten", [](const Tensor& self, int64_t dim, nb::handle sizes) {
    return unflatten(self, dim, to_sizes(sizes));
  }, "dim"_a, "sizes"_a);
  auto ravel_fn = [](nb::handle self) {
    return same_or_new(self, ravel(nb::cast<const Tensor&>(self)));
  };
  m.def("ravel", ravel_fn, "input"_a);
  cls.def("ravel", ravel_fn);

  auto movedim_fn = [](const Tensor& self, nb::handle source, nb::handle destination) {
    return movedim(self, to_dims(source), to_dims(destination));
  };
  for (const char* name : {"movedim", "moveaxis"}) {
    m.def(name, movedim_fn, "input"_a, "source"_a, "destination"_a);
    cls.def(name, movedim_fn, "source"_a, "destination"_a);
  }
  m.def("swapaxes", &transpose, "input"_a, "axis0"_a, "axis1"_a);
  cls.def("swapaxes", &transpose, "axis0"_a, "axis1"_a);
  m.def("swapdims", &transpose, "input"_a, "dim0"_a, "dim1"_a);
  cls.def("swapdims", &transpose, "dim0"_a, "dim1"_a);
  cls.def("swapaxes_", [](nb::handle self, int64_t axis0, int64_t axis1) {
    return inplace(self, [&](const Tensor& t) { transpose_(t, axis0, axis1); });
  }, "axis0"_a, "axis1"_a);
  cls.def("swapdims_", [](nb::handle self, int64_t dim0, int64_t dim1) {
    return inplace(self, [&](const Tensor& t) { transpose_(t, dim0, dim1); });
  }, "dim0"_a, "dim1"_a);

  // Transposes of 0-dim tensors are deprecated identities in torch: warn once, as it does.
  cls.def_prop_ro("T", [](const Tensor& self) {
    static bool warned_scalar = false, warned_nd = false;
    if (self.dim() == 0) {
      warn_once(warned_scalar, "Tensor.T is deprecated on 0-D tensors. This function is the "
                "identity in these cases.");
    } else if (self.dim() != 2) {
      warn_once(warned_nd, "The use of `x.T` on tensors of dimension other than 2 to reverse "
                "their shape is deprecated and it will throw an error in a future release. "
                "Consider `x.mT` to transpose batches of matrices or `x.permute(*torch.arange("
                "x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.");
    }
    return numpy_t(self);
  });
  // On a 0-dim tensor these return the tensor itself, like torch.
  cls.def_prop_ro("mT", [](nb::handle h) {
    const Tensor& self = nb::cast<const Tensor&>(h);
    static bool warned = false;
    if (self.dim() == 0) {
      warn_once(warned, "Tensor.mT is deprecated on 0-D tensors. This function is the identity "
                "in these cases.");
    }
    return same_or_new(h, matrix_t(self));
  });
  cls.def_prop_ro("H", [](nb::handle h) {
    const Tensor& self = nb::cast<const Tensor&>(h);
    static bool warned = false;
    if (self.dim() == 0) {
      warn_once(warned, "Tensor.H is deprecated on 0-D tensors. Consider using x.conj().");
    }
    return same_or_new(h, conj_t(self));
  });
  cls.def_prop_ro("mH", [](nb::handle h) {
    const Tensor& self = nb::cast<const Tensor&>(h);
    static bool warned = false;
    if (self.dim() == 0) {
      warn_once(warned, "Tensor.mH is deprecated on 0-D tensors. Consider using x.conj().");
    }
    return same_or_new(h, matrix_h(self));
  });
  auto adjoint_fn = [](nb::handle h) {
    const Tensor& self = nb::cast<const Tensor&>(h);
    static bool warned = false;
    if (self.dim() == 0) {
      warn_once(warned, "adjoint() is deprecated on 0-D tensors. Consider using x.conj().");
    }
    return same_or_new(h, adjoint(self));
  };
  m.def("adjoint", adjoint_fn, "input"_a);
  cls.def("adjoint", adjoint_fn);

  m.def("diagonal", &diagonal, "input"_a, "offset"_a = 0, "dim1"_a = 0, "dim2"_a = 1);
  cls.def("diagonal", &diagonal, "offset"_a = 0, "dim1"_a = 0, "dim2"_a = 1);
  cls.def("unfold", &unfold, "dimension"_a, "size"_a, "step"_a);
  m.def("detach", &detach, "input"_a);
  cls.def("detach", &detach);
  cls.def("detach_", [](nb::handle self) {
    return inplace(self, [](const Tensor& t) { detach_(t); });
  });

  auto broadcast_to_fn = [](const Tensor& self, nb::handle size) {
    return expand(self, to_sizes(size));
  };
  m.def("broadcast_to", broadcast_to_fn, "input"_a, "size"_a);
  cls.def("broadcast_to", broadcast_to_fn, "size"_a);
  m.def("broadcast_tensors", [](nb::args tensors) {
    return to_tuple(broadcast_tensors(to_tensor_list(tensors)));
  });
  m.def("broadcast_shapes", [](nb::args shapes) {
    std::vector<DimVector> list;
    for (nb::handle s : shapes) list.push_back(to_sizes(s));
    return make_size(broadcast_shapes(list));
  });

  // Splitting into views.
  auto split_fn = [](const Tensor& self, nb::handle split_size, int64_t dim) {
    if (PyLong_Check(split_size.ptr())) {
      return to_tuple(split(self, nb::cast<int64_t>(split_size), dim));
    }
    return to_tuple(split_with_sizes(self, to_sizes(split_size), dim));
  };
  m.def("split", split_fn, "tensor"_a, "split_size_or_sections"_a, "dim"_a = 0);
  cls.def("split", split_fn, "split_size"_a, "dim"_a = 0);
  auto split_sizes_fn = [](const Tensor& self, nb::handle sizes, int64_t dim) {
    return to_tuple(split_with_sizes(self, to_sizes(sizes), dim));
  };
  m.def("split_with_sizes", split_sizes_fn, "input"_a, "split_sizes"_a, "dim"_a = 0);
  cls.def("split_with_sizes", split_sizes_fn, "split_sizes"_a, "dim"_a = 0);
  auto tensor_split_fn = [](const Tensor& self, nb::handle ios, int64_t dim) {
    if (PyLong_Check(ios.ptr())) return to_tuple(tensor_split(self, nb::cast<int64_t>(ios), dim));
    if (nb::isinstance<Tensor>(ios)) {
      return to_tuple(tensor_split(self, nb::cast<const Tensor&>(ios), dim));
    }
    return to_tuple(tensor_split_indices(self, to_sizes(ios), dim));
  };
  m.def("tensor_split", tensor_split_fn, "input"_a, "indices_or_sections"_a, "dim"_a = 0);
  cls.def("tensor_split", tensor_split_fn, "indices_or_sections"_a, "dim"_a = 0);
  auto chunk_fn = [](const Tensor& self, int64_t chunks, int64_t dim) {
    return to_tuple(chunk(self, chunks, dim));
  };
  m.def("chunk", chunk_fn, "input"_a, "chunks"_a, "dim"_a = 0);
  cls.def("chunk", chunk_fn, "chunks"_a, "dim"_a = 0);
  auto unbind_fn = [](const Tensor& self, int64_t dim) { return to_tuple(unbind(self, dim)); };
  m.def("unbind", unbind_fn, "input"_a, "dim"_a = 0);
  cls.def("unbind", unbind_fn, "dim"_a = 0);

  m.def("meshgrid", [](nb::args tensors, std::optional<std::string> indexing) {
    static bool warned = false;
    if (!indexing) {
      warn_once(warned, "torch.meshgrid: in an upcoming release, it will be required to pass the "
                "indexing argument.");
    }
    return to_tuple(meshgrid(to_tensor_list(tensors), indexing.value_or("ij")));
  }, "tensors"_a, nb::kw_only(), "indexing"_a = nb::none());
  m.def("atleast_1d", [](nb::args tensors) { return atleast(tensors, 1); });
  m.def("atleast_2d", [](nb::args tensors) { return atleast(tensors, 2); });
  m.def("atleast_3d", [](nb::args tensors) { return atleast(tensors, 3); });
  m.def("_dim_order", [](const Tensor& self) {
    nb::list order;
    for (int64_t d : dim_order(self)) order.append(d);
    return nb::tuple(order);
  }, "input"_a);
  cls.def("is_set_to", &is_set_to, "tensor"_a);
  cls.def("set_", [](nb::handle self, const Tensor& source) {
    return inplace(self, [&](const Tensor& t) { set_(t, source); });
  }, "source"_a);

  // Ops that copy.
  auto cat_fn = [](const std::vector<Tensor>& tensors, int64_t dim, nb::handle out) {
    return with_out(out, [&](const Tensor& o) {
      return o.defined() ? cat_out(tensors, dim, o) : cat(tensors, dim);
    });
  };
  m.def("cat", cat_fn, "tensors"_a, "dim"_a = 0, nb::kw_only(), "out"_a = nb::none());
  m.def("concat", cat_fn, "tensors"_a, "dim"_a = 0, nb::kw_only(), "out"_a = nb::none());
  m.def("concatenate", cat_fn, "tensors"_a, "axis"_a = 0, nb::kw_only(), "out"_a = nb::none());
  m.def("stack", [](const std::vector<Tensor>& tensors, int64_t dim, nb::handle out) {
    return with_out(out, [&](const Tensor& o) { return stack_out(tensors, dim, o); });
  }, "tensors"_a, "dim"_a = 0, nb::kw_only(), "out"_a = nb::none());
  using StackFn = Tensor (*)(const std::vector<Tensor>&, const Tensor&);
  for (auto [name, fn] : {std::pair<const char*, StackFn>{"hstack", &hstack}, {"vstack", &vstack},
                          {"row_stack", &vstack}, {"dstack", &dstack},
                          {"column_stack", &column_stack}}) {
    m.def(name, [fn = fn](const std::vector<Tensor>& tensors, nb::handle out) {
      return with_out(out, [&](const Tensor& o) { return fn(tensors, o); });
    }, "tensors"_a, nb::kw_only(), "out"_a = nb::none());
  }

  m.def("flip", [](const Tensor& self, nb::handle dims) { return flip(self, to_dims(dims)); },
        "input"_a, "dims"_a);
  cls.def("flip", [](const Tensor& self, nb::args dims) {
    if (dims.size() == 0) throw nb::type_error("flip() missing 1 required positional arguments: \"dims\"");
    return flip(self, to_sizes(dims));
  });
  m.def("fliplr", &fliplr, "input"_a);
  cls.def("fliplr", &fliplr);
  m.def("flipud", &flipud, "input"_a);
  cls.def("flipud", &flipud);
  auto roll_fn = [](const Tensor& self, nb::handle shifts, nb::handle dims) {
    return roll(self, to_dims(shifts), dims.is_none() ? DimVector() : to_dims(dims));
  };
  m.def("roll", roll_fn, "input"_a, "shifts"_a, "dims"_a = nb::none());
  cls.def("roll", roll_fn, "shifts"_a, "dims"_a = nb::none());
  auto rot90_fn = [](const Tensor& self, int64_t k, nb::handle dims) {
    return rot90(self, k, to_sizes(dims));
  };
  m.def("rot90", rot90_fn, "input"_a, "k"_a = 1, "dims"_a = nb::make_tuple(0, 1));
  cls.def("rot90", rot90_fn, "k"_a = 1, "dims"_a = nb::make_tuple(0, 1));

  cls.def("repeat", [](const Tensor& self, nb::args repeats) {
    return repeat(self, to_sizes(repeats));
  });
  m.def("tile", [](const Tensor& self, nb::handle dims) { return tile(self, to_sizes(dims)); },
        "input"_a, "dims"_a);
  cls.def("tile", [](const Tensor& self, nb::args dims) { return tile(self, to_sizes(dims)); });
  auto repeat_interleave_fn = [](const Tensor& self, nb::handle repeats, std::optional<int64_t> dim,
                                 std::optional<int64_t> output_size) {
    if (repeats.is_none()) return repeat_interleave_indices(self, output_size);
    if (nb::isinstance<Tensor>(repeats)) {
      return repeat_interleave(self, nb::cast<const Tensor&>(repeats), dim, output_size);
    }
    return repeat_interleave(self, nb::cast<int64_t>(repeats), dim, output_size);
  };
  m.def("repeat_interleave", repeat_interleave_fn, "input"_a, "repeats"_a = nb::none(),
        "dim"_a = nb::none(), nb::kw_only(), "output_size"_a = nb::none());
  cls.def("repeat_interleave", repeat_interleave_fn, "repeats"_a, "dim"_a = nb::none(),
          nb::kw_only(), "output_size"_a = nb::none());

  m.def("diag", [](const Tensor& self, int64_t diagonal, nb::handle out) {
    return with_out(out, [&](const Tensor& o) {
      return o.defined() ? diag_out(self, diagonal, o) : diag(self, diagonal);
    });
  }, "input"_a, "diagonal"_a = 0, nb::kw_only(), "out"_a = nb::none());
  cls.def("diag", &diag, "diagonal"_a = 0);
  m.def("diag_embed", &diag_embed, "input"_a, "offset"_a = 0, "dim1"_a = -2, "dim2"_a = -1);
  cls.def("diag_embed", &diag_embed, "offset"_a = 0, "dim1"_a = -2, "dim2"_a = -1);
  m.def("tril", [](const Tensor& self, int64_t diagonal, nb::handle out) {
    return with_out(out, [&](const Tensor& o) {
      return o.defined() ? tril_out(self, diagonal, o) : tril(self, diagonal);
    });
  }, "input"_a, "diagonal"_a = 0, nb::kw_only(), "out"_a = nb::none());
  m.def("triu", [](const Tensor& self, int64_t diagonal, nb::handle out) {
    return with_out(out, [&](const Tensor& o) {
      return o.defined() ? triu_out(self, diagonal, o) : triu(self, diagonal);
    });
  }, "input"_a, "diagonal"_a = 0, nb::kw_only(), "out"_a = nb::none());
  cls.def("tril", &tril, "diagonal"_a = 0);
  cls.def("triu", &triu, "diagonal"_a = 0);
  cls.def("tril_", [](nb::handle self, int64_t diagonal) {
    return inplace(self, [&](const Tensor& t) { tril_(t, diagonal); });
  }, "diagonal"_a = 0);
  cls.def("triu_", [](nb::handle self, int64_t diagonal) {
    return inplace(self, [&](const Tensor& t) { triu_(t, diagonal); });
  }, "diagonal"_a = 0);
}

}  // namespace cresset::py
