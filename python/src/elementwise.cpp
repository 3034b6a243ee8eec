// Bindings of the elementwise table: torch.<name> (with out=), Tensor.<name>, Tensor.<name>_ as
// each row's Api says, the ops with extra arguments and the aliases (the Python operators are type
// slots, in operators.cpp).
// In-place methods and out= return the very Python object they wrote into, like torch.
#include "cresset/ops/elementwise.h"
#include "cresset/ops/index.h"

#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"

namespace cresset::py {

namespace {

using Unary = Tensor (*)(const Tensor&);
using UnaryOut = Tensor (*)(const Tensor&, const Tensor&);
using Binary = Tensor (*)(const Tensor&, const Tensor&);
using BinaryOut = Tensor (*)(const Tensor&, const Tensor&, const Tensor&);
using Self = nb::pointer_and_handle<Tensor>;

std::string type_name_of(nb::handle h) {
  return nb::type_name(nb::handle(reinterpret_cast<PyObject*>(Py_TYPE(h.ptr())))).c_str();
}

// A Tensor argument; a Python number too when `number` (as a wrapped 0-dim tensor).
Tensor tensor_arg(nb::handle h, const char* fn, const char* arg, int position, bool number) {
  Tensor* t = nullptr;
  if (nb::try_cast<Tensor*>(h, t) && t) return *t;
  if (number && is_number(h)) return wrapped_scalar(to_scalar(h));
  throw TypeError(str_cat(fn, "(): argument '", arg, "' (position ", position, ") must be ",
                          number ? "Tensor or Number" : "Tensor", ", not ", type_name_of(h)));
}

// The Api column of elementwise.def, as the bindings need it.
enum class Api { Full, Number, Tensors, Pure, NoOut, Query, QueryOut, Custom };

void def_unary(nb::module_& m, nb::class_<Tensor>& cls, const char* name, Unary fn, Unary inplace,
               UnaryOut out_fn) {
  if (out_fn) {
    m.def(
        name,
        [fn, out_fn](const Tensor& input, nb::handle out) {
          return with_out(
              out, [&](const Tensor& o) { return o.defined() ? out_fn(input, o) : fn(input); });
        },
        "input"_a, nb::kw_only(), "out"_a = nb::none());
  } else {
    m.def(name, fn, "input"_a);
  }
  cls.def(name, fn);
  if (inplace) {
    cls.def((std::string(name) + "_").c_str(), [inplace](Self self) {
      inplace(*self.p);
      return nb::borrow(self.h);
    });
  }
}

// `other` names the second argument (pow's is `exponent`).
void def_binary(nb::module_& m, nb::class_<Tensor>& cls, const char* name, Api api, Binary fn,
                Binary inplace, BinaryOut out_fn, const char* other = "other") {
  const bool number_input = api == Api::Number;
  const bool number_other = api == Api::Full || api == Api::Number;
  m.def(
      name,
      [=](nb::handle input, nb::handle b, nb::handle out) {
        Tensor x = tensor_arg(input, name, "input", 1, number_input);
        Tensor y = tensor_arg(b, name, other, 2, number_other);
        return with_out(out,
                        [&](const Tensor& o) { return o.defined() ? out_fn(x, y, o) : fn(x, y); });
      },
      "input"_a, nb::arg(other), nb::kw_only(), "out"_a = nb::none());
  cls.def(
      name,
      [=](const Tensor& self, nb::handle b) {
        return fn(self, tensor_arg(b, name, other, 1, number_other));
      },
      nb::arg(other));
  if (inplace) {
    std::string iname = std::string(name) + "_";
    cls.def(
        iname.c_str(),
        [=](Self self, nb::handle b) {
          inplace(*self.p, tensor_arg(b, name, other, 1, number_other));
          return nb::borrow(self.h);
        },
        nb::arg(other));
  }
}

using AlphaFn = Tensor (*)(const Tensor&, const Tensor&, Scalar);
using AlphaOut = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, Scalar);

// add and sub: operands that may be numbers, and a keyword-only alpha.
void def_alpha(nb::module_& m, nb::class_<Tensor>& cls, const char* name, AlphaFn fn,
               AlphaFn inplace, AlphaOut out_fn) {
  m.def(
      name,
      [=](nb::handle input, nb::handle other, nb::handle alpha, nb::handle out) {
        Tensor a = tensor_arg(input, name, "input", 1, true);
        Tensor b = tensor_arg(other, name, "other", 2, true);
        Scalar s = to_scalar(alpha);
        return with_out(
            out, [&](const Tensor& o) { return o.defined() ? out_fn(a, b, o, s) : fn(a, b, s); });
      },
      "input"_a, "other"_a, nb::kw_only(), "alpha"_a = 1, "out"_a = nb::none());
  cls.def(
      name,
      [=](const Tensor& self, nb::handle other, nb::handle alpha) {
        return fn(self, tensor_arg(other, name, "other", 1, true), to_scalar(alpha));
      },
      "other"_a, nb::kw_only(), "alpha"_a = 1);
  cls.def((std::string(name) + "_").c_str(),
          [=](Self self, nb::handle other, nb::handle alpha) {
            inplace(*self.p, tensor_arg(other, name, "other", 1, true), to_scalar(alpha));
            return nb::borrow(self.h);
          },
          "other"_a, nb::kw_only(), "alpha"_a = 1);
}

}  // namespace

Tensor div2(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor div2_(const Tensor& a, const Tensor& b) { return div_(a, b); }

namespace {

Tensor div2_out(const Tensor& a, const Tensor& b, const Tensor& o) { return div_out(a, b, o); }

// clamp's bounds: numbers (or None) select the Scalar form, tensors (or None) the Tensor form.
struct Bounds {
  bool tensors;
  std::optional<Scalar> min_s, max_s;
  Tensor min_t, max_t;
};
Bounds bounds(nb::handle min, nb::handle max, const char* fn) {
  Bounds b{false, {}, {}, {}, {}};
  Tensor* t = nullptr;
  bool min_tensor = nb::try_cast<Tensor*>(min, t) && t;
  bool max_tensor = nb::try_cast<Tensor*>(max, t) && t;
  b.tensors = min_tensor || max_tensor;
  auto one = [&](nb::handle h, bool is_tensor, std::optional<Scalar>& s, Tensor& tt) {
    if (h.is_none()) return;
    if (is_tensor) {
      tt = nb::cast<const Tensor&>(h);
    } else if (!b.tensors && is_number(h)) {
      s = to_scalar(h);
    } else {
      throw TypeError(str_cat(fn,
                              "() received an invalid combination of arguments: min and max "
                              "must both be numbers or both be tensors (or None), got ",
                              type_name_of(h)));
    }
  };
  one(min, min_tensor, b.min_s, b.min_t);
  one(max, max_tensor, b.max_s, b.max_t);
  return b;
}

Tensor clamp_any(const Tensor& self, nb::handle min, nb::handle max, const Tensor& out,
                 bool inplace, const char* fn) {
  Bounds b = bounds(min, max, fn);
  if (b.tensors) {
    return inplace         ? clamp_(self, b.min_t, b.max_t)
           : out.defined() ? clamp_out(self, b.min_t, b.max_t, out)
                           : clamp(self, b.min_t, b.max_t);
  }
  return inplace         ? clamp_(self, b.min_s, b.max_s)
         : out.defined() ? clamp_out(self, b.min_s, b.max_s, out)
                         : clamp(self, b.min_s, b.max_s);
}

std::optional<double> opt_double(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return to_scalar(h).to_double();
}

}  // namespace

// Per-Api function pointers of the generated forms (nullptr where the Api has none).
#define CRESSET_EW_PTR_INPLACE(Api, f) CRESSET_EW_INPLACE_##Api(&f) CRESSET_EW_NO_INPLACE_##Api
#define CRESSET_EW_NO_INPLACE_Full
#define CRESSET_EW_NO_INPLACE_Number
#define CRESSET_EW_NO_INPLACE_Tensors
#define CRESSET_EW_NO_INPLACE_NoOut
#define CRESSET_EW_NO_INPLACE_Pure nullptr
#define CRESSET_EW_NO_INPLACE_Query nullptr
#define CRESSET_EW_NO_INPLACE_QueryOut nullptr
#define CRESSET_EW_PTR_OUT(Api, f) CRESSET_EW_OUT_##Api(&f) CRESSET_EW_NO_OUT_##Api
#define CRESSET_EW_NO_OUT_Full
#define CRESSET_EW_NO_OUT_Number
#define CRESSET_EW_NO_OUT_Tensors
#define CRESSET_EW_NO_OUT_Pure
#define CRESSET_EW_NO_OUT_QueryOut
#define CRESSET_EW_NO_OUT_NoOut nullptr
#define CRESSET_EW_NO_OUT_Query nullptr

void init_elementwise(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));

#define CRESSET_UNARY(name, Functor, Kind, A, ...)                                      \
  CRESSET_EW_FN_##A(def_unary(m, cls, #name, &name, CRESSET_EW_PTR_INPLACE(A, name##_), \
                              CRESSET_EW_PTR_OUT(A, name##_out));)
#define CRESSET_BINARY(name, Functor, Kind, A, ...)                                              \
  CRESSET_EW_FN_##A(def_binary(m, cls, #name, Api::A, &name, CRESSET_EW_PTR_INPLACE(A, name##_), \
                               CRESSET_EW_PTR_OUT(A, name##_out));)
#define CRESSET_TERNARY(...)
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY

  // ---- add, sub (alpha=), rsub, div (rounding_mode=) ----
  def_alpha(m, cls, "add", &add, &add_, &add_out);
  def_alpha(m, cls, "sub", &sub, &sub_, &sub_out);
  m.def(
      "rsub",
      [](const Tensor& input, nb::handle other, nb::handle alpha) {
        return rsub(input, tensor_arg(other, "rsub", "other", 2, true), to_scalar(alpha));
      },
      "input"_a, "other"_a, nb::kw_only(), "alpha"_a = 1);

  using Mode = std::optional<std::string>;
  m.def(
      "div",
      [](nb::handle input, nb::handle other, Mode mode, nb::handle out) {
        Tensor a = tensor_arg(input, "div", "input", 1, true),
               b = tensor_arg(other, "div", "other", 2, true);
        return with_out(out, [&](const Tensor& o) {
          return o.defined() ? div_out(a, b, o, mode) : div(a, b, mode);
        });
      },
      "input"_a, "other"_a, nb::kw_only(), "rounding_mode"_a = nb::none(), "out"_a = nb::none());
  cls.def(
      "div",
      [](const Tensor& self, nb::handle other, Mode mode) {
        return div(self, tensor_arg(other, "div", "other", 1, true), mode);
      },
      "other"_a, nb::kw_only(), "rounding_mode"_a = nb::none());
  cls.def(
      "div_",
      [](Self self, nb::handle other, Mode mode) {
        div_(*self.p, tensor_arg(other, "div_", "other", 1, true), mode);
        return nb::borrow(self.h);
      },
      "other"_a, nb::kw_only(), "rounding_mode"_a = nb::none());

  // true_divide is div without rounding_mode (torch rejects the keyword there).
  def_binary(m, cls, "true_divide", Api::Number, &div2, &div2_, &div2_out);

  // ---- pow, float_power, square, positive ----
  def_binary(m, cls, "pow", Api::Number, &pow, &pow_, &pow_out, "exponent");
  def_binary(m, cls, "float_power", Api::Number, &float_power, &float_power_, &float_power_out,
             "exponent");
  def_unary(m, cls, "square", &square, &square_, &square_out);
  // positive returns its input: the same Python object.
  auto positive_self = [](Self self) {
    positive(*self.p);
    return nb::borrow(self.h);
  };
  m.def("positive", positive_self, "input"_a);
  cls.def("positive", positive_self);

  // ---- clamp ----
  m.def(
      "clamp",
      [](const Tensor& input, nb::handle min, nb::handle max, nb::handle out) {
        return with_out(
            out, [&](const Tensor& o) { return clamp_any(input, min, max, o, false, "clamp"); });
      },
      "input"_a, "min"_a = nb::none(), "max"_a = nb::none(), nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "clamp",
      [](const Tensor& self, nb::handle min, nb::handle max) {
        return clamp_any(self, min, max, Tensor(), false, "clamp");
      },
      "min"_a = nb::none(), "max"_a = nb::none());
  cls.def(
      "clamp_",
      [](Self self, nb::handle min, nb::handle max) {
        clamp_any(*self.p, min, max, Tensor(), true, "clamp_");
        return nb::borrow(self.h);
      },
      "min"_a = nb::none(), "max"_a = nb::none());
  // clamp_min and clamp_max: clamp with one bound.
  for (bool is_min : {true, false}) {
    const char* name = is_min ? "clamp_min" : "clamp_max";
    auto one = [is_min, name](const Tensor& self, nb::handle bound, const Tensor& out,
                              bool inplace) {
      Bounds b = is_min ? bounds(bound, nb::none(), name) : bounds(nb::none(), bound, name);
      return b.tensors ? clamp_bound(self, is_min ? b.min_t : b.max_t, is_min, out, inplace)
                       : clamp_bound(self, is_min ? b.min_s : b.max_s, is_min, out, inplace);
    };
    const char* arg = is_min ? "min" : "max";
    m.def(
        name,
        [one](const Tensor& input, nb::handle bound, nb::handle out) {
          return with_out(out, [&](const Tensor& o) { return one(input, bound, o, false); });
        },
        "input"_a, nb::arg(arg), nb::kw_only(), "out"_a = nb::none());
    cls.def(
        name, [one](const Tensor& self, nb::handle bound) { return one(self, bound, {}, false); },
        nb::arg(arg));
    cls.def((std::string(name) + "_").c_str(),
            [one](Self self, nb::handle bound) {
              one(*self.p, bound, {}, true);
              return nb::borrow(self.h);
            },
            nb::arg(arg));
  }

  // ---- where, lerp, addcmul, addcdiv ----
  m.def(
      "where",
      [](const Tensor& condition, nb::handle input, nb::handle other, nb::handle out) {
        Tensor a = tensor_arg(input, "where", "input", 2, true);
        Tensor b = tensor_arg(other, "where", "other", 3, true);
        return with_out(out, [&](const Tensor& o) { return where_out(condition, a, b, o); });
      },
      "condition"_a, "input"_a, "other"_a, nb::kw_only(), "out"_a = nb::none());
  m.def(
      "where",
      [](const Tensor& condition) {
        nb::list l;
        for (const Tensor& t : nonzero_tuple(condition)) l.append(t);
        return nb::tuple(l);
      },
      "condition"_a);
  cls.def(
      "where",
      [](const Tensor& self, const Tensor& condition, nb::handle other) {
        return where(condition, self, tensor_arg(other, "where", "other", 2, true));
      },
      "condition"_a, "other"_a);

  // lerp's weight: a number or a tensor.
  auto lerp_any = [](const Tensor& self, const Tensor& end, nb::handle weight, const Tensor& out,
                     bool inplace) {
    if (is_number(weight)) {
      Scalar w = to_scalar(weight);
      return inplace         ? lerp_(self, end, w)
             : out.defined() ? lerp_out(self, end, w, out)
                             : lerp(self, end, w);
    }
    Tensor w = tensor_arg(weight, "lerp", "weight", 3, true);
    return inplace         ? lerp_(self, end, w)
           : out.defined() ? lerp_out(self, end, w, out)
                           : lerp(self, end, w);
  };
  m.def(
      "lerp",
      [lerp_any](const Tensor& input, const Tensor& end, nb::handle weight, nb::handle out) {
        return with_out(out,
                        [&](const Tensor& o) { return lerp_any(input, end, weight, o, false); });
      },
      "input"_a, "end"_a, "weight"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "lerp",
      [lerp_any](const Tensor& self, const Tensor& end, nb::handle weight) {
        return lerp_any(self, end, weight, Tensor(), false);
      },
      "end"_a, "weight"_a);
  cls.def(
      "lerp_",
      [lerp_any](Self self, const Tensor& end, nb::handle weight) {
        lerp_any(*self.p, end, weight, Tensor(), true);
        return nb::borrow(self.h);
      },
      "end"_a, "weight"_a);

#define CRESSET_ADDC(name)                                                                      \
  m.def(                                                                                        \
      #name,                                                                                    \
      [](const Tensor& input, const Tensor& tensor1, const Tensor& tensor2, nb::handle value,   \
         nb::handle out) {                                                                      \
        Scalar v = to_scalar(value);                                                            \
        return with_out(out, [&](const Tensor& o) {                                             \
          return o.defined() ? name##_out(input, tensor1, tensor2, o, v)                        \
                             : name(input, tensor1, tensor2, v);                                \
        });                                                                                     \
      },                                                                                        \
      "input"_a, "tensor1"_a, "tensor2"_a, nb::kw_only(), "value"_a = 1, "out"_a = nb::none()); \
  cls.def(                                                                                      \
      #name,                                                                                    \
      [](const Tensor& self, const Tensor& tensor1, const Tensor& tensor2, nb::handle value) {  \
        return name(self, tensor1, tensor2, to_scalar(value));                                  \
      },                                                                                        \
      "tensor1"_a, "tensor2"_a, nb::kw_only(), "value"_a = 1);                                  \
  cls.def(                                                                                      \
      #name "_",                                                                                \
      [](Self self, const Tensor& tensor1, const Tensor& tensor2, nb::handle value) {           \
        name##_(*self.p, tensor1, tensor2, to_scalar(value));                                   \
        return nb::borrow(self.h);                                                              \
      },                                                                                        \
      "tensor1"_a, "tensor2"_a, nb::kw_only(), "value"_a = 1);
  CRESSET_ADDC(addcmul)
  CRESSET_ADDC(addcdiv)
#undef CRESSET_ADDC

  // ---- nan_to_num, logit, round ----
  m.def(
      "nan_to_num",
      [](const Tensor& input, nb::handle nan, nb::handle posinf, nb::handle neginf,
         nb::handle out) {
        auto n = opt_double(nan), p = opt_double(posinf), q = opt_double(neginf);
        return with_out(out, [&](const Tensor& o) {
          return o.defined() ? nan_to_num_out(input, n, p, q, o) : nan_to_num(input, n, p, q);
        });
      },
      "input"_a, "nan"_a = 0.0, "posinf"_a = nb::none(), "neginf"_a = nb::none(), nb::kw_only(),
      "out"_a = nb::none());
  cls.def(
      "nan_to_num",
      [](const Tensor& self, nb::handle nan, nb::handle posinf, nb::handle neginf) {
        return nan_to_num(self, opt_double(nan), opt_double(posinf), opt_double(neginf));
      },
      "nan"_a = 0.0, "posinf"_a = nb::none(), "neginf"_a = nb::none());
  cls.def(
      "nan_to_num_",
      [](Self self, nb::handle nan, nb::handle posinf, nb::handle neginf) {
        nan_to_num_(*self.p, opt_double(nan), opt_double(posinf), opt_double(neginf));
        return nb::borrow(self.h);
      },
      "nan"_a = 0.0, "posinf"_a = nb::none(), "neginf"_a = nb::none());

  m.def(
      "logit",
      [](const Tensor& input, nb::handle eps, nb::handle out) {
        auto e = opt_double(eps);
        return with_out(out, [&](const Tensor& o) {
          return o.defined() ? logit_out(input, e, o) : logit(input, e);
        });
      },
      "input"_a, "eps"_a = nb::none(), nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "logit", [](const Tensor& self, nb::handle eps) { return logit(self, opt_double(eps)); },
      "eps"_a = nb::none());
  cls.def(
      "logit_",
      [](Self self, nb::handle eps) {
        logit_(*self.p, opt_double(eps));
        return nb::borrow(self.h);
      },
      "eps"_a = nb::none());

  m.def(
      "round",
      [](const Tensor& input, int64_t decimals, nb::handle out) {
        return with_out(out, [&](const Tensor& o) {
          return o.defined() ? round_out(input, decimals, o) : round(input, decimals);
        });
      },
      "input"_a, nb::kw_only(), "decimals"_a = 0, "out"_a = nb::none());
  cls.def(
      "round", [](const Tensor& self, int64_t decimals) { return round(self, decimals); },
      nb::kw_only(), "decimals"_a = 0);
  cls.def(
      "round_",
      [](Self self, int64_t decimals) {
        round_(*self.p, decimals);
        return nb::borrow(self.h);
      },
      nb::kw_only(), "decimals"_a = 0);

  // ---- isclose, allclose, equal ----
  m.def("isclose", &isclose, "input"_a, "other"_a, "rtol"_a = 1e-5, "atol"_a = 1e-8,
        "equal_nan"_a = false);
  cls.def("isclose", &isclose, "other"_a, "rtol"_a = 1e-5, "atol"_a = 1e-8, "equal_nan"_a = false);
  m.def("allclose", &allclose, "input"_a, "other"_a, "rtol"_a = 1e-5, "atol"_a = 1e-8,
        "equal_nan"_a = false);
  cls.def("allclose", &allclose, "other"_a, "rtol"_a = 1e-5, "atol"_a = 1e-8,
          "equal_nan"_a = false);
  m.def("equal", &equal, "input"_a, "other"_a);
  cls.def("equal", &equal, "other"_a);

  // ---- aliases: the same Python callables under a second name ----
#define CRESSET_ALIAS(alias, name)    \
  m.attr(#alias) = m.attr(#name);     \
  cls.attr(#alias) = cls.attr(#name); \
  if (nb::hasattr(cls, #name "_")) cls.attr(#alias "_") = cls.attr(#name "_");
#define CRESSET_UNARY(...)
#define CRESSET_BINARY(...)
#define CRESSET_TERNARY(...)
#include "cresset/ops/elementwise.def"
#undef CRESSET_UNARY
#undef CRESSET_BINARY
#undef CRESSET_TERNARY
#undef CRESSET_ALIAS
}

}  // namespace cresset::py
