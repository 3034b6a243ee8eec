// Bindings of the Cholesky and QR families (cresset/ops/linalg_factor.h):
// torch.linalg.cholesky(_ex), qr, householder_product and lstsq, torch.cholesky, cholesky_solve,
// cholesky_inverse, qr, geqrf and orgqr, their Tensor methods and the named tuples they return.
#include "cresset/ops/linalg_factor.h"

#include <optional>
#include <string>

#include "bind.h"
#include "cresset/ops/out.h"
#include "return_types.h"

namespace cresset::py {

namespace {

// torch.linalg's out= takes the result's exact dtype; torch's older spellings (cholesky,
// cholesky_solve, cholesky_inverse, geqrf, orgqr, and householder_product) any it casts to.
constexpr OutDtype kExact = OutDtype::Exact;
constexpr OutDtype kCastable = OutDtype::Castable;

// torch's TORCH_WARN_ONCE for its deprecated spellings: one UserWarning per process.
void warn_deprecated(bool& warned, const char* message) {
  if (warned) return;
  warned = true;
  if (PyErr_WarnEx(PyExc_UserWarning, message, 1) < 0) throw nb::python_error();
}

bool cholesky_warned = false, qr_warned = false;

Tensor deprecated_cholesky(const Tensor& A, bool upper) {
  warn_deprecated(
      cholesky_warned,
      "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
      "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = "
      "torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
      "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results for "
      "all valid (symmetric positive definite) inputs.");
  return cholesky(A, upper);
}

std::pair<Tensor, Tensor> deprecated_qr(const Tensor& A, bool some) {
  warn_deprecated(qr_warned,
                  "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a "
                  "future PyTorch release.\nThe boolean parameter 'some' has been replaced with a "
                  "string parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced "
                  "with\nQ, R = torch.linalg.qr(A, 'reduced' if some else 'complete')");
  return linalg_qr(A, some ? "reduced" : "complete");
}

}  // namespace

void init_linalg_factor(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  nb::module_ linalg = nb::borrow<nb::module_>(m.attr("linalg"));
  nb::module_ rt = nb::borrow<nb::module_>(m.attr("return_types"));

  nb::object cholesky_ex_type = make_return_type(rt, "linalg_cholesky_ex", "L", "info");
  nb::object linalg_qr_type = make_return_type(rt, "linalg_qr", "Q", "R");
  nb::object qr_type = make_return_type(rt, "qr", "Q", "R");
  nb::object geqrf_type = make_return_type(rt, "geqrf", "a", "tau");
  nb::object lstsq_type = make_return_type(
      rt, "linalg_lstsq", nb::make_tuple("solution", "residuals", "rank", "singular_values"));

  linalg.def(
      "cholesky",
      [](const Tensor& A, bool upper, nb::handle out) {
        return result_or_out(
            out, "linalg.cholesky", [&] { return linalg_cholesky(A, upper); }, kExact);
      },
      "A"_a, nb::kw_only(), "upper"_a = false, "out"_a = nb::none());
  linalg.def(
      "cholesky_ex",
      [cholesky_ex_type](const Tensor& A, bool upper, bool check_errors, nb::handle out) {
        auto [L, info] = linalg_cholesky_ex(A, upper, check_errors);
        return pair_or_out(out, "linalg.cholesky_ex", cholesky_ex_type, L, info, kExact);
      },
      "A"_a, nb::kw_only(), "upper"_a = false, "check_errors"_a = false, "out"_a = nb::none());
  m.def(
      "cholesky",
      [](const Tensor& A, bool upper, nb::handle out) {
        return result_or_out(
            out, "cholesky", [&] { return deprecated_cholesky(A, upper); }, kCastable);
      },
      "input"_a, "upper"_a = false, nb::kw_only(), "out"_a = nb::none());
  cls.def("cholesky", &deprecated_cholesky, "upper"_a = false);

  m.def(
      "cholesky_solve",
      [](const Tensor& B, const Tensor& L, bool upper, nb::handle out) {
        return result_or_out(
            out, "cholesky_solve", [&] { return cholesky_solve(B, L, upper); }, kCastable);
      },
      "input"_a, "input2"_a, "upper"_a = false, nb::kw_only(), "out"_a = nb::none());
  cls.def("cholesky_solve", &cholesky_solve, "input2"_a, "upper"_a = false);
  m.def(
      "cholesky_inverse",
      [](const Tensor& L, bool upper, nb::handle out) {
        return result_or_out(
            out, "cholesky_inverse", [&] { return cholesky_inverse(L, upper); }, kCastable);
      },
      "input"_a, "upper"_a = false, nb::kw_only(), "out"_a = nb::none());
  cls.def("cholesky_inverse", &cholesky_inverse, "upper"_a = false);

  linalg.def(
      "qr",
      [linalg_qr_type](const Tensor& A, const std::string& mode, nb::handle out) {
        auto [Q, R] = linalg_qr(A, mode);
        return pair_or_out(out, "linalg.qr", linalg_qr_type, Q, R, kExact);
      },
      "A"_a, "mode"_a = "reduced", nb::kw_only(), "out"_a = nb::none());
  m.def(
      "qr",
      [qr_type](const Tensor& A, bool some, nb::handle out) {
        auto [Q, R] = deprecated_qr(A, some);
        return pair_or_out(out, "qr", qr_type, Q, R, kExact);
      },
      "input"_a, "some"_a = true, nb::kw_only(), "out"_a = nb::none());
  cls.def(
      "qr",
      [qr_type](const Tensor& A, bool some) {
        auto [Q, R] = deprecated_qr(A, some);
        return qr_type(Q, R);
      },
      "some"_a = true);

  auto geqrf_fn = [geqrf_type](const Tensor& A, nb::handle out) {
    auto [a, tau] = geqrf(A);
    return pair_or_out(out, "geqrf", geqrf_type, a, tau, kCastable);
  };
  m.def("geqrf", geqrf_fn, "input"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def("geqrf", [geqrf_fn](const Tensor& A) { return geqrf_fn(A, nb::none()); });

  auto householder_fn = [](const Tensor& A, const Tensor& tau, nb::handle out) {
    return result_or_out(
        out, "linalg.householder_product", [&] { return linalg_householder_product(A, tau); },
        kCastable);
  };
  linalg.def("householder_product", householder_fn, "A"_a, "tau"_a, nb::kw_only(),
             "out"_a = nb::none());
  m.def("orgqr", householder_fn, "input"_a, "tau"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def("orgqr", &linalg_householder_product, "input2"_a);

  linalg.def(
      "lstsq",
      [lstsq_type](const Tensor& A, const Tensor& B, std::optional<double> rcond,
                   std::optional<std::string> driver) {
        LstsqResult r = linalg_lstsq(A, B, rcond, driver);
        return lstsq_type(r.solution, r.residuals, r.rank, r.singular_values);
      },
      "A"_a, "B"_a, "rcond"_a = nb::none(), nb::kw_only(), "driver"_a = nb::none());
}

}  // namespace cresset::py
