// Bindings of the index family: Tensor.__getitem__/__setitem__ (Python index objects become
// TensorIndex values; the rules live in ops/index.cpp) and the gather/scatter/mask/search ops.
#include "cresset/ops/index.h"

#include "bind.h"
#include "cresset/backend/copy.h"
#include "cresset/core/error.h"

namespace cresset::py {

namespace {

const char* type_name_of(nb::handle h) { return Py_TYPE(h.ptr())->tp_name; }

bool is_tensor(nb::handle h) { return nb::isinstance<Tensor>(h); }

// torch's indexing_tensor_from_data: a list index becomes a bool tensor when all its items are
// bools, else an int64 tensor (floats truncate).
Tensor sequence_index(nb::handle seq) {
  static nb::object* make_tensor =
      new nb::object(nb::module_::import_("cresset._C").attr("tensor"));  // leaked: lives to exit
  // NumPy arrays go through their nested-list form.
  nb::object data =
      PyList_Check(seq.ptr()) || PyTuple_Check(seq.ptr()) || !nb::hasattr(seq, "tolist")
          ? nb::borrow(seq)
          : seq.attr("tolist")();
  Tensor t = nb::cast<Tensor>((*make_tensor)(data));
  if (t.dtype() == DType::Bool || t.dtype() == DType::Int64) return t;
  return cast_tensor(t, DType::Int64);
}

int64_t index_int(nb::handle h) {
  nb::object i = nb::steal(PyNumber_Index(h.ptr()));
  if (!i.is_valid()) throw nb::python_error();
  return nb::cast<int64_t>(i);
}

TensorIndex to_tensor_index(nb::handle h) {
  PyObject* o = h.ptr();
  if (is_tensor(h)) return TensorIndex::tensor(nb::cast<Tensor>(h));
  if (o == Py_None) return TensorIndex::none();
  if (o == Py_Ellipsis) return TensorIndex::ellipsis();
  if (PyBool_Check(o)) return TensorIndex::boolean(o == Py_True);
  if (PyLong_Check(o)) return TensorIndex::integer(index_int(h));
  if (PySlice_Check(o)) {
    // PySlice_Unpack converts __index__ bounds and rejects a zero step like Python; bounds left
    // out stay "absent".
    Py_ssize_t start, stop, step;
    if (PySlice_Unpack(o, &start, &stop, &step) < 0) throw nb::python_error();
    auto* slice = reinterpret_cast<PySliceObject*>(o);
    Slice r;
    if (slice->start != Py_None) r.start = int64_t(start);
    if (slice->stop != Py_None) r.stop = int64_t(stop);
    r.step = int64_t(step);
    return TensorIndex::slice(r);
  }
  if (PyUnicode_Check(o) || PyBytes_Check(o)) {
    throw TypeError(str_cat("new(): invalid data type '", type_name_of(h), "'"));
  }
  if (PySequence_Check(o)) return TensorIndex::tensor(sequence_index(h));
  if (PyIndex_Check(o)) return TensorIndex::integer(index_int(h));
  throw IndexError(
      str_cat("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
              "Variables are valid indices (got ",
              type_name_of(h), ")"));
}

// NumPy's heuristic, kept by torch: a short list holding a tensor, sequence, slice, Ellipsis or
// None is a tuple of indices (x[[0, slice(None)]] == x[0, :]); other lists are one index tensor.
bool list_is_tuple(nb::handle h) {
  Py_ssize_t n = PySequence_Size(h.ptr());
  if (n < 0) {
    PyErr_Clear();
    return false;
  }
  if (n >= 32) return false;
  for (Py_ssize_t i = 0; i < n; ++i) {
    nb::object item = nb::steal(PySequence_GetItem(h.ptr(), i));
    if (!item.is_valid()) {
      PyErr_Clear();
      return false;
    }
    PyObject* o = item.ptr();
    if (is_tensor(item) || PySequence_Check(o) || PySlice_Check(o) || o == Py_Ellipsis ||
        o == Py_None) {
      return true;
    }
  }
  return false;
}

std::vector<TensorIndex> to_indices(nb::handle index) {
  std::vector<TensorIndex> out;
  PyObject* o = index.ptr();
  bool as_tuple =
      PyTuple_Check(o) || (!is_tensor(index) && PyList_Check(o) && list_is_tuple(index));
  if (!as_tuple) {
    out.push_back(to_tensor_index(index));
    return out;
  }
  for (nb::handle item : index) out.push_back(to_tensor_index(item));
  return out;
}

// torch's index_put_ indices: a tuple or list of tensors.
std::vector<Tensor> to_tensors(nb::handle seq) {
  std::vector<Tensor> out;
  for (nb::handle item : seq) {
    CRESSET_CHECK(is_tensor(item), TypeError, "expected Tensor as element ", out.size(),
                  " in argument 0, but got ", type_name_of(item));
    out.push_back(nb::cast<Tensor>(item));
  }
  return out;
}

std::string reduce_arg(nb::handle reduce) {
  return reduce.is_none() ? std::string() : nb::cast<std::string>(reduce);
}

// scatter's fourth argument: src (a tensor) or value (a number), positionally or by keyword.
template <typename TensorFn, typename ScalarFn>
Tensor scatter_dispatch(nb::handle src, nb::handle value, const TensorFn& with_src,
                        const ScalarFn& with_value) {
  nb::handle arg = src.is_none() ? value : src;
  if (is_tensor(arg)) return with_src(nb::cast<Tensor>(arg));
  CRESSET_CHECK(is_number(arg), TypeError,
                "scatter() expected a Tensor src or a number value, got ", type_name_of(arg));
  return with_value(to_scalar(arg));
}

nb::object nonzero_result(const Tensor& input, bool as_tuple) {
  if (!as_tuple) return nb::cast(nonzero(input));
  nb::list cols;
  for (const Tensor& c : nonzero_tuple(input)) cols.append(nb::cast(c));
  return nb::tuple(cols);
}

// torch's TORCH_WARN_ONCE of index_reduce.
void warn_index_reduce_beta() {
  static bool warned = false;
  warn_once(warned, "index_reduce() is in beta and the API may change at any time.");
}

using IndexReduceFn = Tensor (*)(const Tensor&, int64_t, const Tensor&, const Tensor&,
                                 const std::string&, bool);

// Tensor.index_reduce and index_reduce_.
template <IndexReduceFn Fn>
Tensor index_reduce_method(const Tensor& self, int64_t dim, const Tensor& index,
                           const Tensor& source, const std::string& reduce, bool include_self) {
  warn_index_reduce_beta();
  return Fn(self, dim, index, source, reduce, include_self);
}

}  // namespace

void init_index(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));

  cls.def(
      "__getitem__",
      [](const Tensor& self, nb::handle index) { return get_item(self, to_indices(index)); },
      "index"_a.none());
  cls.def(
      "__setitem__",
      [](const Tensor& self, nb::handle index, nb::handle value) {
        std::vector<TensorIndex> indices = to_indices(index);
        if (is_tensor(value)) {
          set_item(self, indices, nb::cast<Tensor>(value));
        } else if (is_number(value)) {
          set_item(self, indices, to_scalar(value));
        } else {
          throw TypeError(str_cat("can't assign a ", type_name_of(value), " to a ",
                                  dtype_name(self.dtype()), " tensor"));
        }
      },
      "index"_a.none(), "value"_a.none());

  // index_put
  m.def(
      "index_put",
      [](const Tensor& input, nb::handle indices, const Tensor& values, bool accumulate) {
        return index_put(input, to_tensors(indices), values, accumulate);
      },
      "input"_a, "indices"_a, "values"_a, "accumulate"_a = false);
  cls.def(
      "index_put",
      [](const Tensor& self, nb::handle indices, const Tensor& values, bool accumulate) {
        return index_put(self, to_tensors(indices), values, accumulate);
      },
      "indices"_a, "values"_a, "accumulate"_a = false);
  cls.def(
      "index_put_",
      [](const Tensor& self, nb::handle indices, const Tensor& values, bool accumulate) {
        return index_put_(self, to_tensors(indices), values, accumulate);
      },
      "indices"_a, "values"_a, "accumulate"_a = false);

  // index_select, gather, take, take_along_dim
  m.def(
      "index_select",
      [](const Tensor& input, int64_t dim, const Tensor& index, std::optional<Tensor> out) {
        return out ? index_select_out(input, dim, index, *out) : index_select(input, dim, index);
      },
      "input"_a, "dim"_a, "index"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "index_select",
      [](const Tensor& self, int64_t dim, const Tensor& index) {
        return index_select(self, dim, index);
      },
      "dim"_a, "index"_a);
  m.def(
      "gather",
      [](const Tensor& input, int64_t dim, const Tensor& index, bool, std::optional<Tensor> out) {
        return out ? gather_out(input, dim, index, *out) : gather(input, dim, index);
      },
      "input"_a, "dim"_a, "index"_a, nb::kw_only(), "sparse_grad"_a = false, "out"_a = nb::none());
  cls.def(
      "gather",
      [](const Tensor& self, int64_t dim, const Tensor& index, bool) {
        return gather(self, dim, index);
      },
      "dim"_a, "index"_a, nb::kw_only(), "sparse_grad"_a = false);
  m.def(
      "take",
      [](const Tensor& input, const Tensor& index, std::optional<Tensor> out) {
        return out ? take_out(input, index, *out) : take(input, index);
      },
      "input"_a, "index"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "take", [](const Tensor& self, const Tensor& index) { return take(self, index); }, "index"_a);
  m.def(
      "take_along_dim",
      [](const Tensor& input, const Tensor& indices, std::optional<int64_t> dim,
         std::optional<Tensor> out) {
        return out ? take_along_dim_out(input, indices, dim, *out)
                   : take_along_dim(input, indices, dim);
      },
      "input"_a, "indices"_a, "dim"_a = nb::none(), nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "take_along_dim",
      [](const Tensor& self, const Tensor& indices, std::optional<int64_t> dim) {
        return take_along_dim(self, indices, dim);
      },
      "indices"_a, "dim"_a = nb::none());

  // scatter family
  m.def(
      "scatter",
      [](const Tensor& input, int64_t dim, const Tensor& index, nb::handle src, nb::handle value,
         nb::handle reduce, std::optional<Tensor> out) {
        std::string r = reduce_arg(reduce);
        return scatter_dispatch(
            src, value,
            [&](const Tensor& s) {
              return out ? scatter_out(input, dim, index, s, r, *out)
                         : scatter(input, dim, index, s, r);
            },
            [&](Scalar v) {
              return out ? scatter_out(input, dim, index, v, r, *out)
                         : scatter(input, dim, index, v, r);
            });
      },
      "input"_a, "dim"_a, "index"_a, "src"_a = nb::none(), "value"_a = nb::none(), nb::kw_only(),
      "reduce"_a = nb::none(), "out"_a = nb::none());
  cls.def(
      "scatter",
      [](const Tensor& self, int64_t dim, const Tensor& index, nb::handle src, nb::handle value,
         nb::handle reduce) {
        std::string r = reduce_arg(reduce);
        return scatter_dispatch(
            src, value, [&](const Tensor& s) { return scatter(self, dim, index, s, r); },
            [&](Scalar v) { return scatter(self, dim, index, v, r); });
      },
      "dim"_a, "index"_a, "src"_a = nb::none(), "value"_a = nb::none(), nb::kw_only(),
      "reduce"_a = nb::none());
  cls.def(
      "scatter_",
      [](const Tensor& self, int64_t dim, const Tensor& index, nb::handle src, nb::handle value,
         nb::handle reduce) {
        std::string r = reduce_arg(reduce);
        return scatter_dispatch(
            src, value, [&](const Tensor& s) { return scatter_(self, dim, index, s, r); },
            [&](Scalar v) { return scatter_(self, dim, index, v, r); });
      },
      "dim"_a, "index"_a, "src"_a = nb::none(), "value"_a = nb::none(), nb::kw_only(),
      "reduce"_a = nb::none());
  m.def(
      "scatter_add",
      [](const Tensor& input, int64_t dim, const Tensor& index, const Tensor& src,
         std::optional<Tensor> out) {
        return out ? scatter_add_out(input, dim, index, src, *out)
                   : scatter_add(input, dim, index, src);
      },
      "input"_a, "dim"_a, "index"_a, "src"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "scatter_add",
      [](const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
        return scatter_add(self, dim, index, src);
      },
      "dim"_a, "index"_a, "src"_a);
  cls.def(
      "scatter_add_",
      [](const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
        return scatter_add_(self, dim, index, src);
      },
      "dim"_a, "index"_a, "src"_a);
  m.def(
      "scatter_reduce",
      [](const Tensor& input, int64_t dim, const Tensor& index, const Tensor& src,
         const std::string& reduce, bool include_self, std::optional<Tensor> out) {
        return out ? scatter_reduce_out(input, dim, index, src, reduce, include_self, *out)
                   : scatter_reduce(input, dim, index, src, reduce, include_self);
      },
      "input"_a, "dim"_a, "index"_a, "src"_a, "reduce"_a, nb::kw_only(), "include_self"_a = true,
      "out"_a = nb::none());
  cls.def(
      "scatter_reduce",
      [](const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
         const std::string& reduce,
         bool include_self) { return scatter_reduce(self, dim, index, src, reduce, include_self); },
      "dim"_a, "index"_a, "src"_a, "reduce"_a, nb::kw_only(), "include_self"_a = true);
  cls.def(
      "scatter_reduce_",
      [](const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
         const std::string& reduce, bool include_self) {
        return scatter_reduce_(self, dim, index, src, reduce, include_self);
      },
      "dim"_a, "index"_a, "src"_a, "reduce"_a, nb::kw_only(), "include_self"_a = true);

  // index_reduce (torch warns once that it is in beta)
  m.def(
      "index_reduce",
      [](const Tensor& input, int64_t dim, const Tensor& index, const Tensor& source,
         const std::string& reduce, bool include_self, std::optional<Tensor> out) {
        warn_index_reduce_beta();
        return out ? index_reduce_out(input, dim, index, source, reduce, include_self, *out)
                   : index_reduce(input, dim, index, source, reduce, include_self);
      },
      "input"_a, "dim"_a, "index"_a, "source"_a, "reduce"_a, nb::kw_only(),
      "include_self"_a = true, "out"_a = nb::none());
  cls.def("index_reduce", &index_reduce_method<&index_reduce>, "dim"_a, "index"_a, "source"_a,
          "reduce"_a, nb::kw_only(), "include_self"_a = true);
  cls.def("index_reduce_", &index_reduce_method<&index_reduce_>, "dim"_a, "index"_a, "source"_a,
          "reduce"_a, nb::kw_only(), "include_self"_a = true);

  // index_add, index_copy, index_fill
  m.def(
      "index_add",
      [](const Tensor& input, int64_t dim, const Tensor& index, const Tensor& source,
         nb::handle alpha, std::optional<Tensor> out) {
        Scalar a = to_scalar(alpha);
        return out ? index_add_out(input, dim, index, source, a, *out)
                   : index_add(input, dim, index, source, a);
      },
      "input"_a, "dim"_a, "index"_a, "source"_a, nb::kw_only(), "alpha"_a = 1,
      "out"_a = nb::none());
  cls.def(
      "index_add",
      [](const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
         nb::handle alpha) { return index_add(self, dim, index, source, to_scalar(alpha)); },
      "dim"_a, "index"_a, "source"_a, nb::kw_only(), "alpha"_a = 1);
  cls.def(
      "index_add_",
      [](const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source,
         nb::handle alpha) { return index_add_(self, dim, index, source, to_scalar(alpha)); },
      "dim"_a, "index"_a, "source"_a, nb::kw_only(), "alpha"_a = 1);
  m.def(
      "index_copy",
      [](const Tensor& input, int64_t dim, const Tensor& index, const Tensor& source,
         std::optional<Tensor> out) {
        return out ? index_copy_out(input, dim, index, source, *out)
                   : index_copy(input, dim, index, source);
      },
      "input"_a, "dim"_a, "index"_a, "source"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "index_copy",
      [](const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source) {
        return index_copy(self, dim, index, source);
      },
      "dim"_a, "index"_a, "source"_a);
  cls.def(
      "index_copy_",
      [](const Tensor& self, int64_t dim, const Tensor& index, const Tensor& source) {
        return index_copy_(self, dim, index, source);
      },
      "dim"_a, "index"_a, "source"_a);
  auto index_fill_any = [](const Tensor& self, int64_t dim, const Tensor& index, nb::handle value,
                           bool inplace) {
    if (is_tensor(value)) {
      Tensor v = nb::cast<Tensor>(value);
      return inplace ? index_fill_(self, dim, index, v) : index_fill(self, dim, index, v);
    }
    Scalar v = to_scalar(value);
    return inplace ? index_fill_(self, dim, index, v) : index_fill(self, dim, index, v);
  };
  m.def(
      "index_fill",
      [index_fill_any](const Tensor& input, int64_t dim, const Tensor& index, nb::handle value) {
        return index_fill_any(input, dim, index, value, false);
      },
      "input"_a, "dim"_a, "index"_a, "value"_a);
  cls.def(
      "index_fill",
      [index_fill_any](const Tensor& self, int64_t dim, const Tensor& index, nb::handle value) {
        return index_fill_any(self, dim, index, value, false);
      },
      "dim"_a, "index"_a, "value"_a);
  cls.def(
      "index_fill_",
      [index_fill_any](const Tensor& self, int64_t dim, const Tensor& index, nb::handle value) {
        return index_fill_any(self, dim, index, value, true);
      },
      "dim"_a, "index"_a, "value"_a);

  // put
  m.def(
      "put",
      [](const Tensor& input, const Tensor& index, const Tensor& source, bool accumulate) {
        return put(input, index, source, accumulate);
      },
      "input"_a, "index"_a, "source"_a, "accumulate"_a = false);
  cls.def(
      "put",
      [](const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate) {
        return put(self, index, source, accumulate);
      },
      "index"_a, "source"_a, "accumulate"_a = false);
  cls.def(
      "put_",
      [](const Tensor& self, const Tensor& index, const Tensor& source, bool accumulate) {
        return put_(self, index, source, accumulate);
      },
      "index"_a, "source"_a, "accumulate"_a = false);

  // masks
  auto masked_fill_any = [](const Tensor& self, const Tensor& mask, nb::handle value,
                            bool inplace) {
    if (is_tensor(value)) {
      Tensor v = nb::cast<Tensor>(value);
      return inplace ? masked_fill_(self, mask, v) : masked_fill(self, mask, v);
    }
    Scalar v = to_scalar(value);
    return inplace ? masked_fill_(self, mask, v) : masked_fill(self, mask, v);
  };
  m.def(
      "masked_fill",
      [masked_fill_any](const Tensor& input, const Tensor& mask, nb::handle value) {
        return masked_fill_any(input, mask, value, false);
      },
      "input"_a, "mask"_a, "value"_a);
  cls.def(
      "masked_fill",
      [masked_fill_any](const Tensor& self, const Tensor& mask, nb::handle value) {
        return masked_fill_any(self, mask, value, false);
      },
      "mask"_a, "value"_a);
  cls.def(
      "masked_fill_",
      [masked_fill_any](const Tensor& self, const Tensor& mask, nb::handle value) {
        return masked_fill_any(self, mask, value, true);
      },
      "mask"_a, "value"_a);
  m.def(
      "masked_select",
      [](const Tensor& input, const Tensor& mask, std::optional<Tensor> out) {
        return out ? masked_select_out(input, mask, *out) : masked_select(input, mask);
      },
      "input"_a, "mask"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "masked_select",
      [](const Tensor& self, const Tensor& mask) { return masked_select(self, mask); }, "mask"_a);
  m.def(
      "masked_scatter",
      [](const Tensor& input, const Tensor& mask, const Tensor& source) {
        return masked_scatter(input, mask, source);
      },
      "input"_a, "mask"_a, "source"_a);
  cls.def(
      "masked_scatter",
      [](const Tensor& self, const Tensor& mask, const Tensor& source) {
        return masked_scatter(self, mask, source);
      },
      "mask"_a, "source"_a);
  cls.def(
      "masked_scatter_",
      [](const Tensor& self, const Tensor& mask, const Tensor& source) {
        return masked_scatter_(self, mask, source);
      },
      "mask"_a, "source"_a);
  auto nonzero_static_fn = [](const Tensor& self, int64_t size, int64_t fill_value) {
    return nonzero_static(self, size, fill_value);
  };
  m.def("nonzero_static", nonzero_static_fn, "input"_a, nb::kw_only(), "size"_a,
        "fill_value"_a = -1);
  cls.def("nonzero_static", nonzero_static_fn, nb::kw_only(), "size"_a, "fill_value"_a = -1);
  m.def(
      "nonzero",
      [](const Tensor& input, std::optional<Tensor> out, bool as_tuple) {
        CRESSET_CHECK(!(out && as_tuple), RuntimeError,
                      "nonzero does not support the out kwarg when as_tuple is True");
        if (out) return nb::cast(nonzero_out(input, *out));
        return nonzero_result(input, as_tuple);
      },
      "input"_a, nb::kw_only(), "out"_a = nb::none(), "as_tuple"_a = false);
  cls.def(
      "nonzero", [](const Tensor& self, bool as_tuple) { return nonzero_result(self, as_tuple); },
      nb::kw_only(), "as_tuple"_a = false);
  m.def("argwhere", [](const Tensor& input) { return argwhere(input); }, "input"_a);
  cls.def("argwhere", [](const Tensor& self) { return argwhere(self); });

  // sorted search
  m.def(
      "searchsorted",
      [](const Tensor& sorted_sequence, nb::handle input, bool out_int32, bool right,
         std::optional<std::string> side, std::optional<Tensor> out, std::optional<Tensor> sorter) {
        Tensor order = sorter ? *sorter : Tensor();
        if (!is_tensor(input)) {
          CRESSET_CHECK(!out, TypeError, "searchsorted(): out= needs a Tensor input");
          return searchsorted(sorted_sequence, to_scalar(input), out_int32, right, side, order);
        }
        Tensor values = nb::cast<Tensor>(input);
        return out ? searchsorted_out(sorted_sequence, values, out_int32, right, side, order, *out)
                   : searchsorted(sorted_sequence, values, out_int32, right, side, order);
      },
      "sorted_sequence"_a, "input"_a, nb::kw_only(), "out_int32"_a = false, "right"_a = false,
      "side"_a = nb::none(), "out"_a = nb::none(), "sorter"_a = nb::none());
  m.def(
      "bucketize",
      [](nb::handle input, const Tensor& boundaries, bool out_int32, bool right,
         std::optional<Tensor> out) {
        if (!is_tensor(input)) {
          CRESSET_CHECK(!out, TypeError, "bucketize(): out= needs a Tensor input");
          return bucketize(to_scalar(input), boundaries, out_int32, right);
        }
        Tensor t = nb::cast<Tensor>(input);
        return out ? bucketize_out(t, boundaries, out_int32, right, *out)
                   : bucketize(t, boundaries, out_int32, right);
      },
      "input"_a, "boundaries"_a, nb::kw_only(), "out_int32"_a = false, "right"_a = false,
      "out"_a = nb::none());
}

}  // namespace cresset::py
