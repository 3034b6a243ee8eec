// Bindings of the spectral family and the norms of torch.linalg (cresset/ops/linalg_spectral.h,
// linalg_norm.h): eigh, eigvalsh, svd, svdvals, torch.svd, pinv, pinverse, matrix_rank, cond,
// matrix_exp, vector_norm, matrix_norm, norm, the composites of linalg_composite.h, their Tensor
// methods and named tuples.
#include "cresset/ops/linalg_spectral.h"

#include "bind.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/linalg_composite.h"
#include "cresset/ops/linalg_norm.h"
#include "cresset/ops/out.h"
#include "return_types.h"

namespace cresset::py {

namespace {

constexpr OutDtype kExact = OutDtype::Exact;

std::optional<DType> opt_dtype(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return to_dtype(h);
}

// A dim argument: None, an int or a sequence of ints.
OptDims opt_dims(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  if (PyLong_Check(h.ptr())) return DimVector{nb::cast<int64_t>(h)};
  DimVector dims;
  for (nb::handle d : h) dims.push_back(nb::cast<int64_t>(d));
  return dims;
}

// A tolerance (atol, rtol, rcond): None, a number or a tensor.
std::optional<Tensor> opt_tolerance(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  if (nb::isinstance<Tensor>(h)) return nb::cast<Tensor>(h);
  return full({}, Scalar(nb::cast<double>(h)), DType::Float64);
}

// torch's ord: a number or a string (the string overload is tried first, as nanobind would not).
template <typename F>
Tensor with_ord(nb::handle ord, const F& f) {
  if (nb::isinstance<nb::str>(ord)) return f(nb::cast<std::string>(ord));
  return f(nb::cast<double>(ord));
}

// out= of svd's three results.
nb::object svd_or_out(nb::handle out, const char* op, nb::handle type, const SvdResult& r) {
  return results_or_out(out, op, type, {r.U, r.S, r.Vh}, kExact);
}

void check_driver(nb::handle driver, const char* op) {
  CRESSET_CHECK(driver.is_none(), RuntimeError, "[", op, "] torch.", op,
                ": keyword argument `driver=` is only supported on CUDA inputs with cuSOLVER "
                "backend.");
}

}  // namespace

void init_linalg_spectral(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  nb::module_ linalg = nb::borrow<nb::module_>(m.attr("linalg"));
  nb::module_ rt = nb::borrow<nb::module_>(m.attr("return_types"));
  nb::object eigh_type = make_return_type(rt, "linalg_eigh", "eigenvalues", "eigenvectors");
  nb::object linalg_svd_type = make_return_type(rt, "linalg_svd", nb::make_tuple("U", "S", "Vh"));
  nb::object svd_type = make_return_type(rt, "svd", nb::make_tuple("U", "S", "V"));

  // ---- norms ----
  linalg.def(
      "vector_norm",
      [](const Tensor& x, double ord, nb::handle dim, bool keepdim, nb::handle dtype,
         nb::handle out) {
        return result_or_out(
            out, "linalg.vector_norm",
            [&] { return linalg_vector_norm(x, ord, opt_dims(dim), keepdim, opt_dtype(dtype)); },
            kExact);
      },
      "x"_a, "ord"_a = 2.0, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(),
      "dtype"_a = nb::none(), "out"_a = nb::none());
  linalg.def(
      "matrix_norm",
      [](const Tensor& A, nb::handle ord, nb::handle dim, bool keepdim, nb::handle dtype,
         nb::handle out) {
        return result_or_out(
            out, "linalg.matrix_norm",
            [&] {
              CRESSET_CHECK(!dim.is_none(), TypeError,
                            "linalg_matrix_norm(): argument 'dim' must be tuple of ints, not "
                            "NoneType");
              const DimVector d = *opt_dims(dim);
              return with_ord(ord, [&](const auto& o) {
                return linalg_matrix_norm(A, o, d, keepdim, opt_dtype(dtype));
              });
            },
            kExact);
      },
      "A"_a, "ord"_a = "fro", "dim"_a = nb::make_tuple(-2, -1), "keepdim"_a = false, nb::kw_only(),
      "dtype"_a = nb::none(), "out"_a = nb::none());
  linalg.def(
      "norm",
      [](const Tensor& A, nb::handle ord, nb::handle dim, bool keepdim, nb::handle out,
         nb::handle dtype) {
        return result_or_out(
            out, "linalg.norm",
            [&] {
              if (ord.is_none()) {
                return linalg_norm(A, std::nullopt, opt_dims(dim), keepdim, opt_dtype(dtype));
              }
              return with_ord(ord, [&](const auto& o) {
                return linalg_norm(A, o, opt_dims(dim), keepdim, opt_dtype(dtype));
              });
            },
            kExact);
      },
      "A"_a, "ord"_a = nb::none(), "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(),
      "out"_a = nb::none(), "dtype"_a = nb::none());

  // ---- eigh, svd ----
  linalg.def(
      "eigh",
      [eigh_type](const Tensor& A, const std::string& uplo, nb::handle out) {
        auto [w, v] = linalg_eigh(A, uplo);
        return pair_or_out(out, "linalg.eigh", eigh_type, w, v, kExact);
      },
      "A"_a, "UPLO"_a = "L", nb::kw_only(), "out"_a = nb::none());
  linalg.def(
      "eigvalsh",
      [](const Tensor& A, const std::string& uplo, nb::handle out) {
        return result_or_out(
            out, "linalg.eigvalsh", [&] { return linalg_eigvalsh(A, uplo); }, kExact);
      },
      "A"_a, "UPLO"_a = "L", nb::kw_only(), "out"_a = nb::none());
  linalg.def(
      "svd",
      [linalg_svd_type](const Tensor& A, bool full_matrices, nb::handle driver, nb::handle out) {
        check_driver(driver, "linalg.svd");
        return svd_or_out(out, "linalg.svd", linalg_svd_type, linalg_svd(A, full_matrices));
      },
      "A"_a, "full_matrices"_a = true, nb::kw_only(), "driver"_a = nb::none(),
      "out"_a = nb::none());
  linalg.def(
      "svdvals",
      [](const Tensor& A, nb::handle driver, nb::handle out) {
        check_driver(driver, "linalg.svdvals");
        return result_or_out(out, "linalg.svdvals", [&] { return linalg_svdvals(A); }, kExact);
      },
      "A"_a, nb::kw_only(), "driver"_a = nb::none(), "out"_a = nb::none());
  auto svd_fn = [svd_type](const Tensor& A, bool some, bool compute_uv, nb::handle out) {
    return svd_or_out(out, "svd", svd_type, svd(A, some, compute_uv));
  };
  m.def("svd", svd_fn, "input"_a, "some"_a = true, "compute_uv"_a = true, nb::kw_only(),
        "out"_a = nb::none());
  cls.def(
      "svd",
      [svd_fn](const Tensor& A, bool some, bool compute_uv) {
        return svd_fn(A, some, compute_uv, nb::none());
      },
      "some"_a = true, "compute_uv"_a = true);

  // ---- pinv, matrix_rank, cond ----
  linalg.def(
      "pinv",
      [](const Tensor& A, nb::handle rcond, bool hermitian, nb::handle atol, nb::handle rtol,
         nb::handle out) {
        // torch's deprecated overload: pinv(A, rcond, hermitian), rcond being rtol.
        CRESSET_CHECK(rcond.is_none() || (atol.is_none() && rtol.is_none()), TypeError,
                      "linalg_pinv() received an invalid combination of arguments: rcond cannot "
                      "be given with atol or rtol");
        return result_or_out(
            out, "linalg.pinv",
            [&] {
              return linalg_pinv(A, opt_tolerance(atol),
                                 opt_tolerance(rcond.is_none() ? rtol : rcond), hermitian);
            },
            kExact);
      },
      "A"_a, "rcond"_a = nb::none(), "hermitian"_a = false, nb::kw_only(), "atol"_a = nb::none(),
      "rtol"_a = nb::none(), "out"_a = nb::none());
  m.def("pinverse", &pinverse, "input"_a, "rcond"_a = 1e-15);
  cls.def("pinverse", &pinverse, "rcond"_a = 1e-15);
  linalg.def(
      "matrix_rank",
      [](const Tensor& A, nb::handle tol, bool hermitian, nb::handle atol, nb::handle rtol,
         nb::handle out) {
        // torch's deprecated overload: matrix_rank(A, tol, hermitian), tol being atol (rtol 0).
        CRESSET_CHECK(tol.is_none() || (atol.is_none() && rtol.is_none()), TypeError,
                      "linalg_matrix_rank() received an invalid combination of arguments: tol "
                      "cannot be given with atol or rtol");
        return result_or_out(
            out, "linalg.matrix_rank",
            [&] {
              if (!tol.is_none()) {
                return linalg_matrix_rank(A, opt_tolerance(tol),
                                          full({}, Scalar(0.0), DType::Float64), hermitian);
              }
              return linalg_matrix_rank(A, opt_tolerance(atol), opt_tolerance(rtol), hermitian);
            },
            kExact);
      },
      "A"_a, "tol"_a = nb::none(), "hermitian"_a = false, nb::kw_only(), "atol"_a = nb::none(),
      "rtol"_a = nb::none(), "out"_a = nb::none());
  linalg.def(
      "cond",
      [](const Tensor& A, nb::handle p, nb::handle out) {
        return result_or_out(
            out, "linalg.cond",
            [&] {
              if (p.is_none()) return linalg_cond(A, 2.0);
              return with_ord(p, [&](const auto& o) { return linalg_cond(A, o); });
            },
            kExact);
      },
      "A"_a, "p"_a = nb::none(), nb::kw_only(), "out"_a = nb::none());

  // ---- matrix_exp ----
  linalg.def("matrix_exp", &linalg_matrix_exp, "A"_a);
  m.def("matrix_exp", &linalg_matrix_exp, "input"_a);
  cls.def("matrix_exp", &linalg_matrix_exp);

  // ---- composites ----
  linalg.def("diagonal", &linalg_diagonal, "A"_a, nb::kw_only(), "offset"_a = 0, "dim1"_a = -2,
             "dim2"_a = -1);
  linalg.def(
      "vecdot",
      [](const Tensor& x, const Tensor& y, int64_t dim, nb::handle out) {
        return result_or_out(
            out, "linalg.vecdot", [&] { return linalg_vecdot(x, y, dim); }, kExact);
      },
      "x"_a, "y"_a, nb::kw_only(), "dim"_a = -1, "out"_a = nb::none());
  linalg.def(
      "multi_dot",
      [](const std::vector<Tensor>& tensors, nb::handle out) {
        return result_or_out(
            out, "linalg.multi_dot", [&] { return linalg_multi_dot(tensors); }, kExact);
      },
      "tensors"_a, nb::kw_only(), "out"_a = nb::none());
  linalg.def("vander", &linalg_vander, "x"_a, nb::kw_only(), "N"_a = nb::none());
  linalg.def(
      "tensorinv",
      [](const Tensor& A, int64_t ind, nb::handle out) {
        return result_or_out(
            out, "linalg.tensorinv", [&] { return linalg_tensorinv(A, ind); }, kExact);
      },
      "A"_a, "ind"_a = 2, nb::kw_only(), "out"_a = nb::none());
  linalg.def(
      "tensorsolve",
      [](const Tensor& A, const Tensor& B, nb::handle dims, nb::handle out) {
        return result_or_out(
            out, "linalg.tensorsolve", [&] { return linalg_tensorsolve(A, B, opt_dims(dims)); },
            kExact);
      },
      "A"_a, "B"_a, "dims"_a = nb::none(), nb::kw_only(), "out"_a = nb::none());
}

}  // namespace cresset::py
