// Bindings of the LU family (cresset/ops/linalg_solve.h): torch.linalg.lu_factor(_ex), lu_solve,
// solve_triangular, det, slogdet, inv(_ex), solve(_ex), matrix_power, their torch.* aliases and
// Tensor methods, the named tuples they return and torch.linalg.LinAlgError.
#include "cresset/ops/linalg_solve.h"

#include "bind.h"
#include "cresset/ops/numeric.h"
#include "cresset/ops/out.h"
#include "return_types.h"

namespace cresset::py {

namespace {

constexpr OutDtype kExact = OutDtype::Exact;

// out= of a pair of results: the named tuple `type` of them or of out's two tensors.
nb::object pair_result(nb::handle out, const char* op, nb::handle type,
                       const std::pair<Tensor, Tensor>& r) {
  return pair_or_out(out, op, type, r.first, r.second, kExact);
}

}  // namespace

void init_linalg_solve(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  nb::module_ linalg = nb::borrow<nb::module_>(m.attr("linalg"));
  nb::module_ rt = nb::borrow<nb::module_>(m.attr("return_types"));
  nb::exception<LinAlgError>(linalg, "LinAlgError", PyExc_RuntimeError);

  nb::object lu_factor_type = make_return_type(rt, "linalg_lu_factor", "LU", "pivots");
  nb::object lu_factor_ex_type =
      make_return_type(rt, "linalg_lu_factor_ex", nb::make_tuple("LU", "pivots", "info"));
  nb::object lu_type = make_return_type(rt, "linalg_lu", nb::make_tuple("P", "L", "U"));
  nb::object lu_unpack_type = make_return_type(rt, "lu_unpack", nb::make_tuple("P", "L", "U"));
  nb::object linalg_slogdet_type = make_return_type(rt, "linalg_slogdet", "sign", "logabsdet");
  nb::object slogdet_type = make_return_type(rt, "slogdet", "sign", "logabsdet");
  nb::object inv_ex_type = make_return_type(rt, "linalg_inv_ex", "inverse", "info");
  nb::object solve_ex_type = make_return_type(rt, "linalg_solve_ex", "result", "info");

  linalg.def(
      "lu_factor",
      [lu_factor_type](const Tensor& A, bool pivot, nb::handle out) {
        return pair_result(out, "linalg.lu_factor", lu_factor_type, linalg_lu_factor(A, pivot));
      },
      "A"_a, nb::kw_only(), "pivot"_a = true, "out"_a = nb::none());
  linalg.def(
      "lu_factor_ex",
      [lu_factor_ex_type](const Tensor& A, bool pivot, bool check_errors, nb::handle out) {
        LuFactorResult r = linalg_lu_factor_ex(A, pivot, check_errors);
        return results_or_out(out, "linalg_lu_factor_ex", lu_factor_ex_type,
                              {r.lu, r.pivots, r.info}, kExact);
      },
      "A"_a, nb::kw_only(), "pivot"_a = true, "check_errors"_a = false, "out"_a = nb::none());
  linalg.def(
      "lu",
      [lu_type](const Tensor& A, bool pivot, nb::handle out) {
        LuUnpackResult r = linalg_lu(A, pivot);
        return results_or_out(out, "linalg_lu", lu_type, {r.P, r.L, r.U}, kExact);
      },
      "A"_a, nb::kw_only(), "pivot"_a = true, "out"_a = nb::none());
  m.def(
      "lu_unpack",
      [lu_unpack_type](const Tensor& LU, const Tensor& pivots, bool unpack_data,
                       bool unpack_pivots, nb::handle out) {
        LuUnpackResult r = lu_unpack(LU, pivots, unpack_data, unpack_pivots);
        return results_or_out(out, "lu_unpack", lu_unpack_type, {r.P, r.L, r.U}, kExact);
      },
      "LU_data"_a, "LU_pivots"_a, "unpack_data"_a = true, "unpack_pivots"_a = true,
      nb::kw_only(), "out"_a = nb::none());

  linalg.def(
      "lu_solve",
      [](const Tensor& LU, const Tensor& pivots, const Tensor& B, bool left, bool adjoint,
         nb::handle out) {
        return result_or_out(
            out, "linalg.lu_solve", [&] { return linalg_lu_solve(LU, pivots, B, left, adjoint); },
            kExact);
      },
      "LU"_a, "pivots"_a, "B"_a, nb::kw_only(), "left"_a = true, "adjoint"_a = false,
      "out"_a = nb::none());

  linalg.def(
      "solve_triangular",
      [](const Tensor& A, const Tensor& B, bool upper, bool left, bool unitriangular,
         nb::handle out) {
        return result_or_out(
            out, "linalg.solve_triangular",
            [&] { return linalg_solve_triangular(A, B, upper, left, unitriangular); }, kExact);
      },
      "A"_a, "B"_a, nb::kw_only(), "upper"_a, "left"_a = true, "unitriangular"_a = false,
      "out"_a = nb::none());

  linalg.def(
      "matrix_power",
      [](const Tensor& A, int64_t n, nb::handle out) {
        return result_or_out(
            out, "linalg.matrix_power", [&] { return matrix_power(A, n); }, kExact);
      },
      "A"_a, "n"_a, nb::kw_only(), "out"_a = nb::none());

  linalg.def(
      "det",
      [](const Tensor& A, nb::handle out) {
        return result_or_out(out, "linalg.det", [&] { return linalg_det(A); }, kExact);
      },
      "A"_a, nb::kw_only(), "out"_a = nb::none());
  m.def("det", &linalg_det, "input"_a);
  cls.def("det", &linalg_det);

  linalg.def(
      "slogdet",
      [linalg_slogdet_type](const Tensor& A, nb::handle out) {
        return pair_result(out, "linalg.slogdet", linalg_slogdet_type, linalg_slogdet(A));
      },
      "A"_a, nb::kw_only(), "out"_a = nb::none());
  auto slogdet_fn = [slogdet_type](const Tensor& A) {
    auto [sign, logabs] = linalg_slogdet(A);
    return slogdet_type(sign, logabs);
  };
  m.def("slogdet", slogdet_fn, "input"_a);
  cls.def("slogdet", slogdet_fn);
  m.def("logdet", &logdet, "input"_a);
  cls.def("logdet", &logdet);

  auto inv_fn = [](const Tensor& A, nb::handle out) {
    return result_or_out(out, "linalg.inv", [&] { return linalg_inv(A); }, kExact);
  };
  linalg.def("inv", inv_fn, "A"_a, nb::kw_only(), "out"_a = nb::none());
  m.def("inverse", inv_fn, "input"_a, nb::kw_only(), "out"_a = nb::none());
  cls.def("inverse", &linalg_inv);
  linalg.def(
      "inv_ex",
      [inv_ex_type](const Tensor& A, bool check_errors, nb::handle out) {
        return pair_result(out, "linalg.inv_ex", inv_ex_type, linalg_inv_ex(A, check_errors));
      },
      "A"_a, nb::kw_only(), "check_errors"_a = false, "out"_a = nb::none());

  linalg.def(
      "solve",
      [](const Tensor& A, const Tensor& B, bool left, nb::handle out) {
        return result_or_out(out, "linalg.solve", [&] { return linalg_solve(A, B, left); }, kExact);
      },
      "A"_a, "B"_a, nb::kw_only(), "left"_a = true, "out"_a = nb::none());
  linalg.def(
      "solve_ex",
      [solve_ex_type](const Tensor& A, const Tensor& B, bool left, bool check_errors,
                      nb::handle out) {
        return pair_result(out, "linalg.solve_ex", solve_ex_type,
                           linalg_solve_ex(A, B, left, check_errors));
      },
      "A"_a, "B"_a, nb::kw_only(), "left"_a = true, "check_errors"_a = false, "out"_a = nb::none());
}

}  // namespace cresset::py
