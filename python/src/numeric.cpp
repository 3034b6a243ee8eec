// Bindings of the numeric composites (cresset/ops/numeric.h).
#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/index.h"
#include "cresset/ops/numeric.h"
#include "return_types.h"

namespace cresset::py {

namespace {

using Binary = Tensor (*)(const Tensor&, const Tensor&);

// out= of a composite: `out` resized to the result's shape, then written.
Tensor write_out(const Tensor& out, const Tensor& result) {
  if (out.sizes() != result.sizes()) resize_tensor(out, result.sizes());
  return copy_(out, result);
}

// torch.<name>(input, other, *, out=None), Tensor.<name>(other) and, when `inplace`,
// Tensor.<name>_(other) (the result copied into self).
void def_binary(nb::module_& m, nb::class_<Tensor>& cls, const char* name, Binary fn,
                bool inplace, const char* other = "other") {
  m.def(name, [fn](const Tensor& input, const Tensor& b, nb::handle out) {
    return with_out(out, [&](const Tensor& o) {
      Tensor r = fn(input, b);
      return o.defined() ? write_out(o, r) : r;
    });
  }, "input"_a, nb::arg(other), nb::kw_only(), "out"_a = nb::none());
  cls.def(name, fn, nb::arg(other));
  if (inplace) {
    cls.def((std::string(name) + "_").c_str(), [fn](nb::handle self, const Tensor& b) {
      const Tensor& s = nb::cast<const Tensor&>(self);
      Tensor r = fn(s, b);
      CRESSET_CHECK(r.sizes() == s.sizes(), RuntimeError, "output with shape ",
                    shape_str(s.sizes()), " doesn't match the broadcast shape ",
                    shape_str(r.sizes()));
      copy_(s, r);
      return nb::borrow(self);
    }, nb::arg(other));
  }
}

using Unary = Tensor (*)(const Tensor&);

// torch.<name>(input, *, out=None), Tensor.<name>() and Tensor.<name>_().
void def_unary(nb::module_& m, nb::class_<Tensor>& cls, const char* name, Unary fn) {
  m.def(name, [fn](const Tensor& input, nb::handle out) {
    return with_out(out, [&](const Tensor& o) {
      Tensor r = fn(input);
      return o.defined() ? write_out(o, r) : r;
    });
  }, "input"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def(name, fn);
  cls.def((std::string(name) + "_").c_str(), [fn](nb::handle self) {
    const Tensor& s = nb::cast<const Tensor&>(self);
    copy_(s, fn(s));
    return nb::borrow(self);
  });
}

}  // namespace

void init_numeric(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  def_binary(m, cls, "logaddexp", &logaddexp, false);
  def_binary(m, cls, "logaddexp2", &logaddexp2, false);
  def_binary(m, cls, "ldexp", &ldexp, true);
  def_binary(m, cls, "gcd", &gcd, true);
  def_binary(m, cls, "lcm", &lcm, true);
  def_binary(m, cls, "heaviside", &heaviside, true, "values");
  def_binary(m, cls, "nextafter", &nextafter, true);

  nb::module_ rt = nb::borrow<nb::module_>(m.attr("return_types"));
  nb::object frexp_type = make_return_type(rt, "frexp", "mantissa", "exponent");
  m.def("frexp", [frexp_type](const Tensor& input, nb::handle out) -> nb::object {
    auto [mantissa, exponent] = frexp(input);
    if (out.is_none()) return frexp_type(mantissa, exponent);
    CRESSET_CHECK(nb::len(out) == 2, TypeError, "frexp(): out must be a tuple of 2 tensors");
    write_out(nb::cast<const Tensor&>(out[0]), mantissa);
    write_out(nb::cast<const Tensor&>(out[1]), exponent);
    return frexp_type(out[0], out[1]);
  }, "input"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def("frexp", [frexp_type](const Tensor& self) {
    auto [mantissa, exponent] = frexp(self);
    return frexp_type(mantissa, exponent);
  });
  def_unary(m, cls, "sinc", &sinc);
  def_unary(m, cls, "i0", &i0);
  m.def("polygamma", [](int64_t n, const Tensor& input, nb::handle out) {
    return with_out(out, [&](const Tensor& o) {
      Tensor r = polygamma(n, input);
      return o.defined() ? write_out(o, r) : r;
    });
  }, "n"_a, "input"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def("polygamma", [](const Tensor& self, int64_t n) { return polygamma(n, self); }, "n"_a);
  cls.def("polygamma_", [](nb::handle self, int64_t n) {
    const Tensor& s = nb::cast<const Tensor&>(self);
    copy_(s, polygamma(n, s));
    return nb::borrow(self);
  }, "n"_a);
  m.def("mvlgamma", &mvlgamma, "input"_a, "p"_a);
  cls.def("mvlgamma", &mvlgamma, "p"_a);
  cls.def("mvlgamma_", [](nb::handle self, int64_t p) {
    const Tensor& s = nb::cast<const Tensor&>(self);
    copy_(s, mvlgamma(s, p));
    return nb::borrow(self);
  }, "p"_a);

  m.def("diff", [](const Tensor& input, int64_t n, int64_t dim, std::optional<Tensor> prepend,
                   std::optional<Tensor> append, nb::handle out) {
    return with_out(out, [&](const Tensor& o) {
      Tensor r = diff(input, n, dim, prepend.value_or(Tensor()), append.value_or(Tensor()));
      return o.defined() ? write_out(o, r) : r;
    });
  }, "input"_a, "n"_a = 1, "dim"_a = -1, "prepend"_a = nb::none(), "append"_a = nb::none(),
        nb::kw_only(), "out"_a = nb::none());
  cls.def("diff", [](const Tensor& self, int64_t n, int64_t dim, std::optional<Tensor> prepend,
                     std::optional<Tensor> append) {
    return diff(self, n, dim, prepend.value_or(Tensor()), append.value_or(Tensor()));
  }, "n"_a = 1, "dim"_a = -1, "prepend"_a = nb::none(), "append"_a = nb::none());

  // trapezoid(y, x=None, *, dx=None, dim=-1); trapz(y, x, *, dim=-1) or trapz(y, *, dx=1, dim=-1).
  auto integral = [](Tensor (*with_x)(const Tensor&, const Tensor&, int64_t),
                     Tensor (*with_dx)(const Tensor&, double, int64_t)) {
    return [with_x, with_dx](const Tensor& y, std::optional<Tensor> x, nb::handle dx,
                             int64_t dim) {
      CRESSET_CHECK(!(x && !dx.is_none()), TypeError,
                    "trapezoid: received both x and dx, but only one may be given");
      if (x) return with_x(y, *x, dim);
      return with_dx(y, dx.is_none() ? 1.0 : nb::cast<double>(dx), dim);
    };
  };
  auto trap = integral(static_cast<Tensor (*)(const Tensor&, const Tensor&, int64_t)>(&trapezoid),
                       static_cast<Tensor (*)(const Tensor&, double, int64_t)>(&trapezoid));
  auto cumtrap = integral(
      static_cast<Tensor (*)(const Tensor&, const Tensor&, int64_t)>(&cumulative_trapezoid),
      static_cast<Tensor (*)(const Tensor&, double, int64_t)>(&cumulative_trapezoid));
  m.def("trapezoid", trap, "y"_a, "x"_a = nb::none(), nb::kw_only(), "dx"_a = nb::none(),
        "dim"_a = -1);
  m.def("trapz", trap, "y"_a, "x"_a = nb::none(), nb::kw_only(), "dx"_a = nb::none(),
        "dim"_a = -1);
  m.def("cumulative_trapezoid", cumtrap, "y"_a, "x"_a = nb::none(), nb::kw_only(),
        "dx"_a = nb::none(), "dim"_a = -1);

  m.def("matrix_power", &matrix_power, "input"_a, "n"_a);
  cls.def("matrix_power", &matrix_power, "n"_a);
  m.def("chain_matmul", [](nb::args matrices, nb::handle out) {
    std::vector<Tensor> ts;
    for (nb::handle h : matrices) ts.push_back(nb::cast<Tensor>(h));
    return with_out(out, [&](const Tensor& o) {
      Tensor r = chain_matmul(ts);
      return o.defined() ? write_out(o, r) : r;
    });
  }, "matrices"_a, nb::kw_only(), "out"_a = nb::none());
}

}  // namespace cresset::py
