// Bindings of the numeric composites (cresset/ops/numeric.h).
#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/ops/index.h"
#include "cresset/ops/numeric.h"
#include "return_types.h"

namespace cresset::py {

namespace {

using Binary = Tensor (*)(const Tensor&, const Tensor&);

// torch.<name>(input, other, *, out=None) (out's dtype by `rule`, written by `write`),
// Tensor.<name>(other) and, when `inplace` is given, Tensor.<name>_(other).
void def_binary(nb::module_& m, nb::class_<Tensor>& cls, const char* name, Binary fn,
                Binary inplace, OutDtype rule, OutWriter write = &write_out,
                const char* other = "other") {
  m.def(
      name,
      [fn, name, rule, write](const Tensor& input, const Tensor& b, nb::handle out) {
        return result_or_out(out, name, [&] { return fn(input, b); }, rule, write);
      },
      "input"_a, nb::arg(other), nb::kw_only(), "out"_a = nb::none());
  cls.def(name, fn, nb::arg(other));
  if (inplace) cls.def((std::string(name) + "_").c_str(), inplace, nb::arg(other));
}

using Unary = Tensor (*)(const Tensor&);

// torch.<name>(input, *, out=None), Tensor.<name>() and Tensor.<name>_().
void def_unary(nb::module_& m, nb::class_<Tensor>& cls, const char* name, Unary fn, Unary inplace) {
  m.def(
      name,
      [fn, name](const Tensor& input, nb::handle out) {
        return result_or_out(out, name, [&] { return fn(input); });
      },
      "input"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def(name, fn);
  cls.def((std::string(name) + "_").c_str(), inplace);
}

}  // namespace

void init_numeric(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  def_binary(m, cls, "logaddexp", &logaddexp, nullptr, OutDtype::Castable);
  def_binary(m, cls, "logaddexp2", &logaddexp2, nullptr, OutDtype::Castable);
  def_binary(m, cls, "ldexp", &ldexp, &ldexp_, OutDtype::Exact);
  def_binary(m, cls, "gcd", &gcd, &gcd_, OutDtype::Castable);
  def_binary(m, cls, "lcm", &lcm, &lcm_, OutDtype::Castable);
  def_binary(m, cls, "heaviside", &heaviside, &heaviside_, OutDtype::Exact, &write_out_recorded,
             "values");
  def_binary(m, cls, "nextafter", &nextafter, &nextafter_, OutDtype::Castable);

  nb::module_ rt = nb::borrow<nb::module_>(m.attr("return_types"));
  nb::object frexp_type = make_return_type(rt, "frexp", "mantissa", "exponent");
  m.def("frexp", [frexp_type](const Tensor& input, nb::handle out) -> nb::object {
    auto [mantissa, exponent] = frexp(input);
    return pair_or_out(out, "frexp", frexp_type, mantissa, exponent, OutDtype::Exact);
  }, "input"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def("frexp", [frexp_type](const Tensor& self) {
    auto [mantissa, exponent] = frexp(self);
    return frexp_type(mantissa, exponent);
  });
  def_unary(m, cls, "sinc", &sinc, &sinc_);
  def_unary(m, cls, "i0", &i0, &i0_);
  m.def(
      "polygamma",
      [](int64_t n, const Tensor& input, nb::handle out) {
        return result_or_out(out, "polygamma", [&] { return polygamma(n, input); });
      },
      "n"_a, "input"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def("polygamma", [](const Tensor& self, int64_t n) { return polygamma(n, self); }, "n"_a);
  cls.def("polygamma_", &polygamma_, "n"_a);
  m.def(
      "mvlgamma",
      [](const Tensor& input, int64_t p, nb::handle out) {
        return result_or_out(out, "mvlgamma", [&] { return mvlgamma(input, p); });
      },
      "input"_a, "p"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def("mvlgamma", &mvlgamma, "p"_a);
  cls.def("mvlgamma_", &mvlgamma_, "p"_a);

  m.def(
      "diff",
      [](const Tensor& input, int64_t n, int64_t dim, std::optional<Tensor> prepend,
         std::optional<Tensor> append, nb::handle out) {
        return result_or_out(out, "diff", [&] {
          return diff(input, n, dim, prepend.value_or(Tensor()), append.value_or(Tensor()));
        });
      },
      "input"_a, "n"_a = 1, "dim"_a = -1, "prepend"_a = nb::none(), "append"_a = nb::none(),
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
    return result_or_out(out, "chain_matmul", [&] { return chain_matmul(ts); }, OutDtype::Exact);
  }, "matrices"_a, nb::kw_only(), "out"_a = nb::none());
}

}  // namespace cresset::py
