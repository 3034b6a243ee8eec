// Bindings of the reduce family: reductions, cumulative ops, sorting and selection, with torch's
// argument names and defaults, out=, Tensor methods and torch.return_types named tuples.
#include "cresset/ops/reduce.h"

#include "bind.h"
#include "return_types.h"
#include "cresset/core/error.h"
#include "cresset/ops/sort.h"

namespace cresset::py {

namespace {

// The named tuples of torch.return_types, created once (leaked: live until exit).
struct ReturnTypes {
  nb::object max, min, aminmax, sort, topk, kthvalue, median, nanmedian, mode, cummax, cummin;
};
ReturnTypes& return_types() {
  static ReturnTypes* t = new ReturnTypes();
  return *t;
}

std::optional<DType> opt_dtype(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return to_dtype(h);
}

bool is_int(nb::handle h) {
  return PyLong_Check(h.ptr()) || (PyIndex_Check(h.ptr()) && !PySequence_Check(h.ptr()));
}

int64_t to_int(nb::handle h) { return nb::cast<int64_t>(nb::int_(h)); }

// A dim argument: None (every dim), an int, or a sequence of ints.
OptDims to_dims(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  if (is_int(h)) return DimVector{to_int(h)};
  CRESSET_CHECK(PySequence_Check(h.ptr()), TypeError,
                "dim must be None, an int or a tuple of ints, not ",
                nb::type_name(nb::handle((PyObject*)Py_TYPE(h.ptr()))).c_str());
  DimVector dims;
  for (nb::handle item : h) {
    CRESSET_CHECK(is_int(item), TypeError,
                  "dim must be a tuple of ints, but got an element of type ",
                  nb::type_name(nb::handle((PyObject*)Py_TYPE(item.ptr()))).c_str());
    dims.push_back(to_int(item));
  }
  return dims;
}

DimVector to_dim_list(nb::handle h) {
  OptDims d = to_dims(h);
  return d ? *d : DimVector{};
}

std::optional<int64_t> opt_int(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  CRESSET_CHECK(is_int(h), TypeError, "dim must be an int, not ",
                nb::type_name(nb::handle((PyObject*)Py_TYPE(h.ptr()))).c_str());
  return to_int(h);
}

Tensor opt_tensor(nb::handle h) { return h.is_none() ? Tensor() : nb::cast<Tensor>(h); }

// The two tensors of an out=(values, indices) argument (undefined when None).
std::pair<Tensor, Tensor> out_pair(nb::handle h) {
  if (h.is_none()) return {};
  CRESSET_CHECK(PySequence_Check(h.ptr()) && nb::len(h) == 2, TypeError,
                "out must be a tuple of two tensors");
  return {nb::cast<Tensor>(h[0]), nb::cast<Tensor>(h[1])};
}

nb::object named(const nb::object& type, const std::pair<Tensor, Tensor>& r) {
  return type(r.first, r.second);
}

// torch's correction for var/std: `correction` wins, else unbiased (default true) gives 1 or 0.
// A bool in the dim slot is the old var(input, unbiased) form, which takes no keepdim.
double correction_of(nb::handle& dim, nb::handle unbiased, nb::handle correction,
                     nb::handle keepdim) {
  if (PyBool_Check(dim.ptr())) {
    CRESSET_CHECK(unbiased.is_none(), TypeError,
                  "var() received an invalid combination of arguments");
    unbiased = dim;
    dim = nb::none();
  }
  CRESSET_CHECK(unbiased.is_none() || !dim.is_none() || keepdim.is_none(), TypeError,
                "var() received an invalid combination of arguments - got unbiased and keepdim "
                "without dim");
  CRESSET_CHECK(unbiased.is_none() || correction.is_none(), TypeError,
                "var() received an invalid combination of arguments - got both unbiased and "
                "correction");
  if (!correction.is_none()) return nb::cast<double>(correction);
  return unbiased.is_none() || nb::cast<bool>(unbiased) ? 1.0 : 0.0;
}

bool to_keepdim(nb::handle h) { return !h.is_none() && nb::cast<bool>(h); }

// torch.norm's p: a number, inf, 'fro' (the 2-norm of the flattened dims) or None.
double norm_order(nb::handle p) {
  if (p.is_none()) return 2;
  if (nb::isinstance<nb::str>(p)) {
    std::string s = nb::cast<std::string>(p);
    CRESSET_CHECK(s == "fro", NotImplementedError, "norm: p='", s, "' is not supported");
    return 2;
  }
  return nb::cast<double>(p);
}

nb::object unique_result(const UniqueResult& r, bool return_inverse, bool return_counts) {
  if (!return_inverse && !return_counts) return nb::cast(r.values);
  nb::list items;
  items.append(r.values);
  if (return_inverse) items.append(r.inverse);
  if (return_counts) items.append(r.counts);
  return nb::tuple(items);
}

}  // namespace

nb::object make_return_type(nb::module_& rt, const char* name, const char* a, const char* b) {
  return make_return_type(rt, name, nb::make_tuple(a, b));
}

nb::object make_return_type(nb::module_& rt, const char* name, const nb::tuple& fields) {
  nb::object namedtuple = nb::module_::import_("collections").attr("namedtuple");
  nb::object t = namedtuple(name, fields, "module"_a = "cresset.return_types");
  // Printed like torch's: "torch.return_types.max(\nvalues=...,\nindices=...)".
  std::string head = std::string("torch.return_types.") + name + "(\n";
  t.attr("__repr__") = nb::cpp_function(
      [head](nb::handle self) {
        nb::tuple fields = nb::borrow<nb::tuple>(self.attr("_fields"));
        std::string r = head;
        for (size_t i = 0; i < nb::len(fields); ++i) {
          if (i) r += ",\n";
          r += nb::cast<std::string>(fields[i]) + "=" + nb::cast<std::string>(nb::repr(self[i]));
        }
        return r + ")";
      },
      nb::is_method());
  rt.attr(name) = t;
  return t;
}

void init_reduce(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));

  // torch.return_types: named tuples, importable as cresset.return_types.
  nb::module_ rt = m.def_submodule("return_types", "Named tuples returned by ops");
  auto make = [&](const char* name, const char* a, const char* b) {
    return make_return_type(rt, name, a, b);
  };
  ReturnTypes& R = return_types();
  R.max = make("max", "values", "indices");
  R.min = make("min", "values", "indices");
  R.aminmax = make("aminmax", "min", "max");
  R.sort = make("sort", "values", "indices");
  R.topk = make("topk", "values", "indices");
  R.kthvalue = make("kthvalue", "values", "indices");
  R.median = make("median", "values", "indices");
  R.nanmedian = make("nanmedian", "values", "indices");
  R.mode = make("mode", "values", "indices");
  R.cummax = make("cummax", "values", "indices");
  R.cummin = make("cummin", "values", "indices");
  nb::module_::import_("sys").attr("modules")["cresset.return_types"] = rt;

  // ---- sums and means ----
#define CRESSET_SUM_LIKE(name)                                                                     \
  m.def(                                                                                           \
      #name,                                                                                       \
      [](const Tensor& x, nb::handle dim, bool keepdim, nb::handle dtype, nb::handle out) {        \
        return name(x, to_dims(dim), keepdim, opt_dtype(dtype), opt_tensor(out));                  \
      },                                                                                           \
      "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "dtype"_a = nb::none(), \
      "out"_a = nb::none());                                                                       \
  cls.def(                                                                                         \
      #name,                                                                                       \
      [](const Tensor& x, nb::handle dim, bool keepdim, nb::handle dtype) {                        \
        return name(x, to_dims(dim), keepdim, opt_dtype(dtype));                                   \
      },                                                                                           \
      "dim"_a = nb::none(), "keepdim"_a = false, "dtype"_a = nb::none());
  CRESSET_SUM_LIKE(sum)
  CRESSET_SUM_LIKE(nansum)
  CRESSET_SUM_LIKE(mean)
  CRESSET_SUM_LIKE(nanmean)
#undef CRESSET_SUM_LIKE

  m.def(
      "prod",
      [](const Tensor& x, nb::handle dim, bool keepdim, nb::handle dtype, nb::handle out) {
        return prod(x, opt_int(dim), keepdim, opt_dtype(dtype), opt_tensor(out));
      },
      "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "dtype"_a = nb::none(),
      "out"_a = nb::none());
  cls.def(
      "prod",
      [](const Tensor& x, nb::handle dim, bool keepdim, nb::handle dtype) {
        return prod(x, opt_int(dim), keepdim, opt_dtype(dtype));
      },
      "dim"_a = nb::none(), "keepdim"_a = false, "dtype"_a = nb::none());

  // ---- max / min ----
  // max(input), max(input, dim, keepdim) -> (values, indices), max(input, other) -> maximum.
#define CRESSET_EXTREME(name, binary)                                                             \
  m.def(                                                                                          \
      #name,                                                                                      \
      [m](const Tensor& x, nb::handle dim, bool keepdim, nb::handle out) -> nb::object {          \
        if (dim.is_none()) return nb::cast(name(x));                                              \
        if (nb::isinstance<Tensor>(dim)) {                                                        \
          if (out.is_none()) return m.attr(binary)(x, dim);                                       \
          return m.attr(binary)(x, dim, "out"_a = out);                                           \
        }                                                                                         \
        auto o = out_pair(out);                                                                   \
        return named(return_types().name, name(x, to_int(dim), keepdim, o.first, o.second));      \
      },                                                                                          \
      "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "out"_a = nb::none()); \
  cls.def(                                                                                        \
      #name,                                                                                      \
      [m](const Tensor& x, nb::handle dim, bool keepdim) -> nb::object {                          \
        if (dim.is_none()) return nb::cast(name(x));                                              \
        if (nb::isinstance<Tensor>(dim)) return m.attr(binary)(x, dim);                           \
        return named(return_types().name, name(x, to_int(dim), keepdim));                         \
      },                                                                                          \
      "dim"_a = nb::none(), "keepdim"_a = false);
  CRESSET_EXTREME(max, "maximum")
  CRESSET_EXTREME(min, "minimum")
#undef CRESSET_EXTREME

#define CRESSET_AMAX_LIKE(name)                                                                    \
  m.def(                                                                                           \
      #name,                                                                                       \
      [](const Tensor& x, nb::handle dim, bool keepdim, nb::handle out) {                          \
        return name(x, to_dim_list(dim), keepdim, opt_tensor(out));                                \
      },                                                                                           \
      "input"_a, "dim"_a = nb::tuple(), "keepdim"_a = false, nb::kw_only(), "out"_a = nb::none()); \
  cls.def(                                                                                         \
      #name,                                                                                       \
      [](const Tensor& x, nb::handle dim, bool keepdim) {                                          \
        return name(x, to_dim_list(dim), keepdim);                                                 \
      },                                                                                           \
      "dim"_a = nb::tuple(), "keepdim"_a = false);
  CRESSET_AMAX_LIKE(amax)
  CRESSET_AMAX_LIKE(amin)
#undef CRESSET_AMAX_LIKE

  m.def(
      "aminmax",
      [](const Tensor& x, nb::handle dim, bool keepdim, nb::handle out) {
        auto o = out_pair(out);
        return named(return_types().aminmax, aminmax(x, opt_int(dim), keepdim, o.first, o.second));
      },
      "input"_a, nb::kw_only(), "dim"_a = nb::none(), "keepdim"_a = false, "out"_a = nb::none());
  cls.def(
      "aminmax",
      [](const Tensor& x, nb::handle dim, bool keepdim) {
        return named(return_types().aminmax, aminmax(x, opt_int(dim), keepdim));
      },
      nb::kw_only(), "dim"_a = nb::none(), "keepdim"_a = false);

#define CRESSET_ARG(name)                                                                         \
  m.def(                                                                                          \
      #name,                                                                                      \
      [](const Tensor& x, nb::handle dim, bool keepdim, nb::handle out) {                         \
        return name(x, opt_int(dim), keepdim, opt_tensor(out));                                   \
      },                                                                                          \
      "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "out"_a = nb::none()); \
  cls.def(                                                                                        \
      #name,                                                                                      \
      [](const Tensor& x, nb::handle dim, bool keepdim) {                                         \
        return name(x, opt_int(dim), keepdim);                                                    \
      },                                                                                          \
      "dim"_a = nb::none(), "keepdim"_a = false);
  CRESSET_ARG(argmax)
  CRESSET_ARG(argmin)
#undef CRESSET_ARG

  // ---- var / std ----
#define CRESSET_VAR(name, fn)                                                                   \
  m.def(                                                                                        \
      #name,                                                                                    \
      [](const Tensor& x, nb::handle dim, nb::handle unbiased, nb::handle keepdim,              \
         nb::handle correction, nb::handle out) {                                               \
        double c = correction_of(dim, unbiased, correction, keepdim);                           \
        return fn(x, to_dims(dim), c, to_keepdim(keepdim), opt_tensor(out));                    \
      },                                                                                        \
      "input"_a, "dim"_a = nb::none(), "unbiased"_a = nb::none(), "keepdim"_a = nb::none(),     \
      nb::kw_only(), "correction"_a = nb::none(), "out"_a = nb::none());                        \
  cls.def(                                                                                      \
      #name,                                                                                    \
      [](const Tensor& x, nb::handle dim, nb::handle unbiased, nb::handle keepdim,              \
         nb::handle correction) {                                                               \
        double c = correction_of(dim, unbiased, correction, keepdim);                           \
        return fn(x, to_dims(dim), c, to_keepdim(keepdim));                                     \
      },                                                                                        \
      "dim"_a = nb::none(), "unbiased"_a = nb::none(), "keepdim"_a = nb::none(), nb::kw_only(), \
      "correction"_a = nb::none());
  CRESSET_VAR(var, var)
  CRESSET_VAR(std, std_dev)
#undef CRESSET_VAR

#define CRESSET_VAR_MEAN(name)                                                              \
  m.def(                                                                                    \
      #name,                                                                                \
      [](const Tensor& x, nb::handle dim, nb::handle unbiased, nb::handle keepdim,          \
         nb::handle correction) {                                                           \
        double c = correction_of(dim, unbiased, correction, keepdim);                       \
        auto r = name(x, to_dims(dim), c, to_keepdim(keepdim));                             \
        return nb::make_tuple(r.first, r.second);                                           \
      },                                                                                    \
      "input"_a, "dim"_a = nb::none(), "unbiased"_a = nb::none(), "keepdim"_a = nb::none(), \
      nb::kw_only(), "correction"_a = nb::none());
  CRESSET_VAR_MEAN(var_mean)
  CRESSET_VAR_MEAN(std_mean)
#undef CRESSET_VAR_MEAN

  // ---- norms, logsumexp ----
  m.def(
      "norm",
      [](const Tensor& x, nb::handle p, nb::handle dim, bool keepdim, nb::handle out,
         nb::handle dtype) {
        return norm(x, norm_order(p), to_dims(dim), keepdim, opt_dtype(dtype), opt_tensor(out));
      },
      "input"_a, "p"_a.none() = "fro", "dim"_a = nb::none(), "keepdim"_a = false,
      "out"_a = nb::none(), "dtype"_a = nb::none());
  cls.def(
      "norm",
      [](const Tensor& x, nb::handle p, nb::handle dim, bool keepdim, nb::handle dtype) {
        return norm(x, norm_order(p), to_dims(dim), keepdim, opt_dtype(dtype));
      },
      "p"_a.none() = "fro", "dim"_a = nb::none(), "keepdim"_a = false, "dtype"_a = nb::none());

  m.def(
      "logsumexp",
      [](const Tensor& x, nb::handle dim, bool keepdim, nb::handle out) {
        return logsumexp(x, to_dim_list(dim), keepdim, opt_tensor(out));
      },
      "input"_a, "dim"_a, "keepdim"_a = false, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "logsumexp",
      [](const Tensor& x, nb::handle dim, bool keepdim) {
        return logsumexp(x, to_dim_list(dim), keepdim);
      },
      "dim"_a, "keepdim"_a = false);

  // ---- logical ----
#define CRESSET_LOGICAL(name)                                                                     \
  m.def(                                                                                          \
      #name,                                                                                      \
      [](const Tensor& x, nb::handle dim, bool keepdim, nb::handle out) {                         \
        return name(x, to_dims(dim), keepdim, opt_tensor(out));                                   \
      },                                                                                          \
      "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "out"_a = nb::none()); \
  cls.def(                                                                                        \
      #name,                                                                                      \
      [](const Tensor& x, nb::handle dim, bool keepdim) {                                         \
        return name(x, to_dims(dim), keepdim);                                                    \
      },                                                                                          \
      "dim"_a = nb::none(), "keepdim"_a = false);
  CRESSET_LOGICAL(all)
  CRESSET_LOGICAL(any)
#undef CRESSET_LOGICAL

  m.def(
      "count_nonzero",
      [](const Tensor& x, nb::handle dim) { return count_nonzero(x, to_dims(dim)); }, "input"_a,
      "dim"_a = nb::none());
  cls.def(
      "count_nonzero",
      [](const Tensor& x, nb::handle dim) { return count_nonzero(x, to_dims(dim)); },
      "dim"_a = nb::none());

  // ---- cumulative ----
#define CRESSET_CUM(name)                                                               \
  m.def(                                                                                \
      #name,                                                                            \
      [](const Tensor& x, int64_t dim, nb::handle dtype, nb::handle out) {              \
        return name(x, dim, opt_dtype(dtype), opt_tensor(out));                         \
      },                                                                                \
      "input"_a, "dim"_a, nb::kw_only(), "dtype"_a = nb::none(), "out"_a = nb::none()); \
  cls.def(                                                                              \
      #name,                                                                            \
      [](const Tensor& x, int64_t dim, nb::handle dtype) {                              \
        return name(x, dim, opt_dtype(dtype));                                          \
      },                                                                                \
      "dim"_a, "dtype"_a = nb::none());                                                 \
  cls.def(                                                                              \
      #name "_",                                                                        \
      [](const Tensor& x, int64_t dim, nb::handle dtype) {                              \
        return name##_(x, dim, opt_dtype(dtype));                                       \
      },                                                                                \
      "dim"_a, "dtype"_a = nb::none());
  CRESSET_CUM(cumsum)
  CRESSET_CUM(cumprod)
#undef CRESSET_CUM

#define CRESSET_CUM_EXTREME(name)                                                            \
  m.def(                                                                                     \
      #name,                                                                                 \
      [](const Tensor& x, int64_t dim, nb::handle out) {                                     \
        auto o = out_pair(out);                                                              \
        return named(return_types().name, name(x, dim, o.first, o.second));                  \
      },                                                                                     \
      "input"_a, "dim"_a, nb::kw_only(), "out"_a = nb::none());                              \
  cls.def(                                                                                   \
      #name,                                                                                 \
      [](const Tensor& x, int64_t dim) { return named(return_types().name, name(x, dim)); }, \
      "dim"_a);
  CRESSET_CUM_EXTREME(cummax)
  CRESSET_CUM_EXTREME(cummin)
#undef CRESSET_CUM_EXTREME

  m.def(
      "logcumsumexp",
      [](const Tensor& x, int64_t dim, nb::handle out) {
        return logcumsumexp(x, dim, opt_tensor(out));
      },
      "input"_a, "dim"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "logcumsumexp", [](const Tensor& x, int64_t dim) { return logcumsumexp(x, dim); }, "dim"_a);

  // ---- sorting and selection ----
  // torch takes `stable` by keyword only.
  m.def(
      "sort",
      [](const Tensor& x, int64_t dim, bool descending, std::optional<bool> stable,
         nb::handle out) {
        auto o = out_pair(out);
        return named(return_types().sort, sort(x, dim, descending, stable, o.first, o.second));
      },
      "input"_a, "dim"_a = -1, "descending"_a = false, nb::kw_only(),
      "stable"_a = nb::none(), "out"_a = nb::none());
  cls.def(
      "sort",
      [](const Tensor& x, int64_t dim, bool descending, std::optional<bool> stable) {
        return named(return_types().sort, sort(x, dim, descending, stable));
      },
      "dim"_a = -1, "descending"_a = false, nb::kw_only(), "stable"_a = nb::none());
  m.def(
      "argsort",
      [](const Tensor& x, int64_t dim, bool descending, bool stable) {
        return argsort(x, dim, descending, stable);
      },
      "input"_a, "dim"_a = -1, "descending"_a = false, nb::kw_only(), "stable"_a = false);
  cls.def(
      "argsort",
      [](const Tensor& x, int64_t dim, bool descending, bool stable) {
        return argsort(x, dim, descending, stable);
      },
      "dim"_a = -1, "descending"_a = false, nb::kw_only(), "stable"_a = false);
  m.def(
      "msort",
      [](const Tensor& x, nb::handle out) {
        return result_or_out(out, "msort", [&] { return sort(x, 0).first; }, OutDtype::Exact);
      },
      "input"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def("msort", [](const Tensor& x) { return sort(x, 0).first; });

  m.def(
      "topk",
      [](const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted, nb::handle out) {
        auto o = out_pair(out);
        return named(return_types().topk, topk(x, k, dim, largest, sorted, o.first, o.second));
      },
      "input"_a, "k"_a, "dim"_a = -1, "largest"_a = true, "sorted"_a = true, nb::kw_only(),
      "out"_a = nb::none());
  cls.def(
      "topk",
      [](const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
        return named(return_types().topk, topk(x, k, dim, largest, sorted));
      },
      "k"_a, "dim"_a = -1, "largest"_a = true, "sorted"_a = true);

  m.def(
      "kthvalue",
      [](const Tensor& x, int64_t k, int64_t dim, bool keepdim, nb::handle out) {
        auto o = out_pair(out);
        return named(return_types().kthvalue, kthvalue(x, k, dim, keepdim, o.first, o.second));
      },
      "input"_a, "k"_a, "dim"_a = -1, "keepdim"_a = false, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "kthvalue",
      [](const Tensor& x, int64_t k, int64_t dim, bool keepdim) {
        return named(return_types().kthvalue, kthvalue(x, k, dim, keepdim));
      },
      "k"_a, "dim"_a = -1, "keepdim"_a = false);

#define CRESSET_MEDIAN(name)                                                                      \
  m.def(                                                                                          \
      #name,                                                                                      \
      [](const Tensor& x, nb::handle dim, bool keepdim, nb::handle out) -> nb::object {           \
        if (dim.is_none()) return nb::cast(name(x));                                              \
        auto o = out_pair(out);                                                                   \
        return named(return_types().name, name(x, to_int(dim), keepdim, o.first, o.second));      \
      },                                                                                          \
      "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "out"_a = nb::none()); \
  cls.def(                                                                                        \
      #name,                                                                                      \
      [](const Tensor& x, nb::handle dim, bool keepdim) -> nb::object {                           \
        if (dim.is_none()) return nb::cast(name(x));                                              \
        return named(return_types().name, name(x, to_int(dim), keepdim));                         \
      },                                                                                          \
      "dim"_a = nb::none(), "keepdim"_a = false);
  CRESSET_MEDIAN(median)
  CRESSET_MEDIAN(nanmedian)
#undef CRESSET_MEDIAN

  m.def(
      "mode",
      [](const Tensor& x, int64_t dim, bool keepdim, nb::handle out) {
        auto o = out_pair(out);
        return named(return_types().mode, mode(x, dim, keepdim, o.first, o.second));
      },
      "input"_a, "dim"_a = -1, "keepdim"_a = false, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "mode",
      [](const Tensor& x, int64_t dim, bool keepdim) {
        return named(return_types().mode, mode(x, dim, keepdim));
      },
      "dim"_a = -1, "keepdim"_a = false);

  // unique always sorts (sorted=False is allowed to, and torch's CPU kernel does too).
  auto unique_fn = [](const Tensor& x, bool, bool return_inverse, bool return_counts,
                      nb::handle dim) {
    return unique_result(unique(x, opt_int(dim)), return_inverse, return_counts);
  };
  m.def("unique", unique_fn, "input"_a, "sorted"_a = true, "return_inverse"_a = false,
        "return_counts"_a = false, "dim"_a = nb::none());
  cls.def("unique", unique_fn, "sorted"_a = true, "return_inverse"_a = false,
          "return_counts"_a = false, "dim"_a = nb::none());
  auto unique_consecutive_fn = [](const Tensor& x, bool return_inverse, bool return_counts,
                                  nb::handle dim) {
    return unique_result(unique_consecutive(x, opt_int(dim)), return_inverse, return_counts);
  };
  m.def("unique_consecutive", unique_consecutive_fn, "input"_a, "return_inverse"_a = false,
        "return_counts"_a = false, "dim"_a = nb::none());
  cls.def("unique_consecutive", unique_consecutive_fn, "return_inverse"_a = false,
          "return_counts"_a = false, "dim"_a = nb::none());

  m.def(
      "bincount",
      [](const Tensor& x, nb::handle weights, int64_t minlength) {
        return bincount(x, opt_tensor(weights), minlength);
      },
      "input"_a, "weights"_a = nb::none(), "minlength"_a = 0);
  cls.def(
      "bincount",
      [](const Tensor& x, nb::handle weights, int64_t minlength) {
        return bincount(x, opt_tensor(weights), minlength);
      },
      "weights"_a = nb::none(), "minlength"_a = 0);

  m.def(
      "histc",
      [](const Tensor& x, int64_t bins, double min, double max, nb::handle out) {
        return histc(x, bins, min, max, opt_tensor(out));
      },
      "input"_a, "bins"_a = 100, "min"_a = 0, "max"_a = 0, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "histc",
      [](const Tensor& x, int64_t bins, double min, double max) {
        return histc(x, bins, min, max);
      },
      "bins"_a = 100, "min"_a = 0, "max"_a = 0);
}

}  // namespace cresset::py
