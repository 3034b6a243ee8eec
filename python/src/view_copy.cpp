// Bindings of the view ops written into copies and copied out (cresset/ops/view_copy.cpp):
// torch.*_scatter, the torch.*_copy functions, unsafe_split and friends, fill_diagonal_, and the
// conjugation ops of real tensors.
#include "bind.h"
#include "cresset/ops/index.h"
#include "cresset/ops/view.h"

namespace cresset::py {

namespace {

using Views = std::function<std::vector<Tensor>(const Tensor&)>;

nb::tuple to_tuple(const std::vector<Tensor>& v) {
  nb::list l;
  for (const Tensor& t : v) l.append(nb::cast(t));
  return nb::tuple(l);
}

// narrow_copy's out=: resized without torch's deprecation warning, as torch's kernel does, and
// (unlike the other *_copy ops) refused when an input requires grad.
Tensor write_out_resized(const char* op, const Tensor& out, const Tensor& result, OutDtype rule) {
  check_out_dtype(op, out.dtype(), result.dtype(), rule);
  resize_out(out, result.sizes(), /*warn_if_shaped=*/false);
  return write_out(op, out, result, rule);
}

// A *_copy op with one result: the copy of view_fn(self), or written into out= (which torch
// differentiates through).
template <typename F>
nb::object copy_one(nb::handle out, const char* op, const char* node, const Tensor& self,
                    F view_fn, OutWriter write = &write_out_recorded) {
  return result_or_out(out, op, [&] {
    return copy_views(node, self, [view_fn](const Tensor& t) {
      return std::vector<Tensor>{view_fn(t)};
    })[0];
  }, OutDtype::Exact, write);
}

// A *_copy op with several results: a tuple of the copies, or None after writing each into its
// tensor of out= (a sequence). split_copy copies into out as copy_ does (broadcast and cast, no
// resize), the others follow the out= rule with the exact dtype, as in torch.
nb::object copy_many(nb::handle out, const char* op, const char* node, const Tensor& self,
                     const Views& views, bool as_copy = false) {
  std::vector<Tensor> copies = copy_views(node, self, views);
  if (out.is_none()) return to_tuple(copies);
  std::vector<Tensor> outs = nb::cast<std::vector<Tensor>>(out);
  CRESSET_CHECK(outs.size() == copies.size(), RuntimeError, "[", op, "] ", op,
                " expected an out= argument of size ", copies.size(), ", got size ", outs.size());
  for (size_t i = 0; i < outs.size(); ++i) {
    if (as_copy) {
      copy_(outs[i], copies[i]);
    } else {
      write_out_recorded(op, outs[i], copies[i], OutDtype::Exact);
    }
  }
  return nb::none();
}

// The squeeze overload `dim` picks (none, an int, or a sequence), as C++ values: the view is
// re-applied in backward, without the GIL.
struct SqueezeArg {
  int variant;  // 0: all size-1 dims, 1: one dim, 2: a list of dims
  DimVector dims;

  explicit SqueezeArg(nb::handle dim)
      : variant(dim.is_none() ? 0 : PyLong_Check(dim.ptr()) ? 1 : 2),
        dims(variant == 0   ? DimVector()
             : variant == 1 ? DimVector{nb::cast<int64_t>(dim)}
                            : to_sizes(dim)) {}

  Tensor operator()(const Tensor& t) const {
    if (variant == 0) return squeeze(t);
    return variant == 1 ? squeeze(t, dims[0]) : squeeze(t, dims);
  }
  const char* node() const {
    static const char* const kNames[] = {"SqueezeBackward0_copy", "SqueezeBackward1_copy",
                                         "SqueezeBackward2_copy"};
    return kNames[variant];
  }
};

// Ops that return self for real tensors give back the very same Python object.
nb::object self_of(nb::handle self) {
  CRESSET_CHECK(nb::isinstance<Tensor>(self), TypeError, "argument 'input' (position 1) must be "
                "Tensor, not ", Py_TYPE(self.ptr())->tp_name);
  return nb::borrow(self);
}

void def_scatters(nb::module_& m, nb::class_<Tensor>& cls) {
  auto slice_fn = [](const Tensor& self, const Tensor& src, int64_t dim,
                     std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) {
    return slice_scatter(self, src, dim, start, end, step);
  };
  m.def("slice_scatter", [slice_fn](const Tensor& self, const Tensor& src, int64_t dim,
                                    std::optional<int64_t> start, std::optional<int64_t> end,
                                    int64_t step, nb::handle out) {
    return result_or_out(out, "slice_scatter", [&] {
      return slice_fn(self, src, dim, start, end, step);
    }, OutDtype::Exact, &write_out_recorded);
  }, "input"_a, "src"_a, "dim"_a = 0, "start"_a = nb::none(), "end"_a = nb::none(),
        "step"_a = 1, nb::kw_only(), "out"_a = nb::none());
  cls.def("slice_scatter", slice_fn, "src"_a, "dim"_a = 0, "start"_a = nb::none(),
          "end"_a = nb::none(), "step"_a = 1);
  m.def("select_scatter", &select_scatter, "input"_a, "src"_a, "dim"_a, "index"_a);
  cls.def("select_scatter", &select_scatter, "src"_a, "dim"_a, "index"_a);
  m.def("diagonal_scatter", &diagonal_scatter, "input"_a, "src"_a, "offset"_a = 0, "dim1"_a = 0,
        "dim2"_a = 1);
  cls.def("diagonal_scatter", &diagonal_scatter, "src"_a, "offset"_a = 0, "dim1"_a = 0,
          "dim2"_a = 1);
  auto as_strided_fn = [](const Tensor& self, const Tensor& src, nb::handle size,
                          nb::handle stride, std::optional<int64_t> offset) {
    return as_strided_scatter(self, src, to_sizes(size), to_sizes(stride), offset);
  };
  m.def("as_strided_scatter", as_strided_fn, "input"_a, "src"_a, "size"_a, "stride"_a,
        "storage_offset"_a = nb::none());
  cls.def("as_strided_scatter", as_strided_fn, "src"_a, "size"_a, "stride"_a,
          "storage_offset"_a = nb::none());
  cls.def("fill_diagonal_", [](nb::handle self, nb::handle value, bool wrap) {
    fill_diagonal_(nb::cast<const Tensor&>(self), to_scalar(value), wrap);
    return nb::borrow(self);
  }, "fill_value"_a, "wrap"_a = false);
}

void def_copies(nb::module_& m, nb::class_<Tensor>& cls) {
  m.def("view_copy", [](const Tensor& self, nb::handle size, nb::handle out) {
    if (nb::isinstance<DTypeObject>(size)) {  // torch does not differentiate this overload
      DType dtype = to_dtype(size);
      return copy_one(out, "view_copy", "", detach(self),
                      [dtype](const Tensor& t) { return view_dtype(t, dtype); });
    }
    return copy_one(out, "view_copy", "ViewBackward0_copy", self,
                    [s = to_sizes(size)](const Tensor& t) { return view(t, s); });
  }, "input"_a, "size"_a, nb::kw_only(), "out"_a = nb::none());
  m.def("permute_copy", [](const Tensor& self, nb::handle dims, nb::handle out) {
    return copy_one(out, "permute_copy", "PermuteBackward0_copy", self,
                    [d = to_sizes(dims)](const Tensor& t) { return permute(t, d); });
  }, "input"_a, "dims"_a, nb::kw_only(), "out"_a = nb::none());
  m.def("expand_copy", [](const Tensor& self, nb::handle size, bool, nb::handle out) {
    return copy_one(out, "expand_copy", "ExpandBackward0_copy", self,
                    [s = to_sizes(size)](const Tensor& t) { return expand(t, s); });
  }, "input"_a, "size"_a, nb::kw_only(), "implicit"_a = false, "out"_a = nb::none());
  m.def("t_copy", [](const Tensor& self, nb::handle out) {
    return copy_one(out, "t_copy", "TBackward0_copy", self, [](const Tensor& x) { return t(x); });
  }, "input"_a, nb::kw_only(), "out"_a = nb::none());
  m.def("transpose_copy", [](const Tensor& self, int64_t dim0, int64_t dim1, nb::handle out) {
    return copy_one(out, "transpose_copy", "TransposeBackward0_copy", self,
                    [dim0, dim1](const Tensor& t) { return transpose(t, dim0, dim1); });
  }, "input"_a, "dim0"_a, "dim1"_a, nb::kw_only(), "out"_a = nb::none());
  m.def("squeeze_copy", [](const Tensor& self, nb::handle dim, nb::handle out) {
    SqueezeArg arg(dim);
    return copy_one(out, "squeeze_copy", arg.node(), self, arg);
  }, "input"_a, "dim"_a = nb::none(), nb::kw_only(), "out"_a = nb::none());
  m.def("unsqueeze_copy", [](const Tensor& self, int64_t dim, nb::handle out) {
    return copy_one(out, "unsqueeze_copy", "UnsqueezeBackward0_copy", self,
                    [dim](const Tensor& t) { return unsqueeze(t, dim); });
  }, "input"_a, "dim"_a, nb::kw_only(), "out"_a = nb::none());
  m.def("select_copy", [](const Tensor& self, int64_t dim, int64_t index, nb::handle out) {
    return copy_one(out, "select_copy", "SelectBackward0_copy", self,
                    [dim, index](const Tensor& t) { return select(t, dim, index); });
  }, "input"_a, "dim"_a, "index"_a, nb::kw_only(), "out"_a = nb::none());
  m.def("slice_copy", [](const Tensor& self, int64_t dim, std::optional<int64_t> start,
                         std::optional<int64_t> end, int64_t step, nb::handle out) {
    return copy_one(out, "slice_copy", "SliceBackward0_copy", self,
                    [=](const Tensor& t) { return slice(t, dim, start, end, step); });
  }, "input"_a, "dim"_a = 0, "start"_a = nb::none(), "end"_a = nb::none(), "step"_a = 1,
        nb::kw_only(), "out"_a = nb::none());
  m.def("diagonal_copy", [](const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2,
                            nb::handle out) {
    return copy_one(out, "diagonal_copy", "DiagonalBackward0_copy", self,
                    [=](const Tensor& t) { return diagonal(t, offset, dim1, dim2); });
  }, "input"_a, "offset"_a = 0, "dim1"_a = 0, "dim2"_a = 1, nb::kw_only(), "out"_a = nb::none());
  m.def("alias_copy", [](const Tensor& self, nb::handle out) {
    return copy_one(out, "alias_copy", "AliasBackward0_copy", self,
                    [](const Tensor& t) { return alias(t); });
  }, "input"_a, nb::kw_only(), "out"_a = nb::none());
  m.def("detach_copy", [](const Tensor& self, nb::handle out) {
    return result_or_out(out, "detach_copy", [&] { return detach_copy(self); }, OutDtype::Exact,
                         &write_out_recorded);
  }, "input"_a, nb::kw_only(), "out"_a = nb::none());
  m.def("as_strided_copy", [](const Tensor& self, nb::handle size, nb::handle stride,
                              std::optional<int64_t> offset, nb::handle out) {
    return copy_one(out, "as_strided_copy", "AsStridedBackward0_copy", self,
                    [s = to_sizes(size), st = to_sizes(stride), offset](const Tensor& t) {
                      return as_strided(t, s, st, offset);
                    });
  }, "input"_a, "size"_a, "stride"_a, "storage_offset"_a = nb::none(), nb::kw_only(),
        "out"_a = nb::none());
  m.def("unfold_copy", [](const Tensor& self, int64_t dimension, int64_t size, int64_t step,
                          nb::handle out) {
    return copy_one(out, "unfold_copy", "UnfoldBackward0_copy", self,
                    [=](const Tensor& t) { return unfold(t, dimension, size, step); });
  }, "input"_a, "dimension"_a, "size"_a, "step"_a, nb::kw_only(), "out"_a = nb::none());
  auto narrow_copy_fn = [](const Tensor& self, int64_t dim, int64_t start, int64_t length,
                           nb::handle out) {
    return copy_one(out, "narrow_copy", "NarrowCopyBackward0", self,
                    [=](const Tensor& t) { return narrow(t, dim, start, length); },
                    &write_out_resized);
  };
  m.def("narrow_copy", narrow_copy_fn, "input"_a, "dim"_a, "start"_a, "length"_a, nb::kw_only(),
        "out"_a = nb::none());
  cls.def("narrow_copy", narrow_copy_fn, "dim"_a, "start"_a, "length"_a, nb::kw_only(),
          "out"_a = nb::none());

  m.def("unbind_copy", [](const Tensor& self, int64_t dim, nb::handle out) {
    return copy_many(out, "unbind_copy", "UnbindBackward0_copy", self,
                     [dim](const Tensor& t) { return unbind(t, dim); });
  }, "input"_a, "dim"_a = 0, nb::kw_only(), "out"_a = nb::none());
  m.def("split_copy", [](const Tensor& self, int64_t split_size, int64_t dim, nb::handle out) {
    return copy_many(out, "split_copy", "SplitBackward0_copy", self,
                     [=](const Tensor& t) { return split(t, split_size, dim); }, true);
  }, "input"_a, "split_size"_a, "dim"_a = 0, nb::kw_only(), "out"_a = nb::none());
  m.def("split_with_sizes_copy", [](const Tensor& self, nb::handle sizes, int64_t dim,
                                    nb::handle out) {
    return copy_many(out, "split_with_sizes_copy", "SplitWithSizesBackward0_copy", self,
                     [s = to_sizes(sizes), dim](const Tensor& t) {
                       return split_with_sizes(t, s, dim);
                     });
  }, "input"_a, "split_sizes"_a, "dim"_a = 0, nb::kw_only(), "out"_a = nb::none());
}

void def_unsafe_splits(nb::module_& m, nb::class_<Tensor>& cls) {
  // torch's unsafe_split takes an int split size only (split_with_sizes takes the list).
  auto split_fn = [](const Tensor& self, int64_t split_size, int64_t dim) {
    return to_tuple(unsafe_views("UnsafeSplitBackward0", self, [split_size, dim](const Tensor& t) {
      return split(t, split_size, dim);
    }));
  };
  m.def("unsafe_split", split_fn, "tensor"_a, "split_size_or_sections"_a, "dim"_a = 0);
  cls.def("unsafe_split", split_fn, "split_size"_a, "dim"_a = 0);
  auto sizes_fn = [](const Tensor& self, nb::handle sizes, int64_t dim) {
    return to_tuple(unsafe_views("UnsafeSplitWithSizesBackward0", self,
                                 [s = to_sizes(sizes), dim](const Tensor& t) {
                                   return split_with_sizes(t, s, dim);
                                 }));
  };
  m.def("unsafe_split_with_sizes", sizes_fn, "input"_a, "split_sizes"_a, "dim"_a = 0);
  cls.def("unsafe_split_with_sizes", sizes_fn, "split_sizes"_a, "dim"_a = 0);
  auto chunk_fn = [](const Tensor& self, int64_t chunks, int64_t dim) {
    return to_tuple(unsafe_views("UnsafeSplitBackward0", self,
                                 [chunks, dim](const Tensor& t) { return chunk(t, chunks, dim); }));
  };
  m.def("unsafe_chunk", chunk_fn, "input"_a, "chunks"_a, "dim"_a = 0);
  cls.def("unsafe_chunk", chunk_fn, "chunks"_a, "dim"_a = 0);
}

void def_conj(nb::module_& m, nb::class_<Tensor>& cls) {
  for (const char* name : {"conj", "resolve_conj", "resolve_neg", "real"}) {
    m.def(name, &self_of, "input"_a);
    if (std::string(name) != "real") cls.def(name, &self_of);
  }
  cls.def("conj_physical", &self_of);
  m.def("conj_physical", [](nb::handle self, nb::handle out) {
    if (out.is_none()) return self_of(self);
    write_out_recorded("conj_physical", nb::cast<const Tensor&>(out),
                       nb::cast<const Tensor&>(self), OutDtype::Exact);
    return nb::borrow(out);
  }, "input"_a, nb::kw_only(), "out"_a = nb::none());
  // Assigning to x.real writes into x itself (copy_: broadcast and cast), as torch does.
  cls.def_prop_rw("real", &self_of, [](const Tensor& self, nb::handle value) {
    copy_(self, to_tensor_or_scalar(value, "real"));
  });
  m.def("imag", &imag, "input"_a);
  cls.def_prop_rw("imag", &imag, [](const Tensor& self, nb::handle) { imag(self); });
  auto conj_physical_fn = [](nb::handle self) {
    conj_physical_(nb::cast<const Tensor&>(self));
    return nb::borrow(self);
  };
  cls.def("conj_physical_", conj_physical_fn);
  m.def("conj_physical_", conj_physical_fn, "input"_a);
}

}  // namespace

void init_view_copy(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  def_scatters(m, cls);
  def_copies(m, cls);
  def_unsafe_splits(m, cls);
  def_conj(m, cls);
}

}  // namespace cresset::py
