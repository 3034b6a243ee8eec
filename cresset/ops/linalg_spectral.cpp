// The spectral family: eigh and svd run cpu::eigh_kernel / svd_kernel on a contiguous copy of
// their input (see Note [Jacobi spectral kernels]) and record torch's nodes, whose derivatives
// are written in differentiable ops; pinv, matrix_rank and cond are torch's composites of them.
// CUDA tensors compute through host copies (see Note [Linear algebra on CUDA]).
#include "cresset/ops/linalg_spectral.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "cresset/autograd/function.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/backend/cpu/spectral.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/factories.h"
#include "cresset/ops/linalg.h"
#include "cresset/ops/linalg_norm.h"
#include "cresset/ops/linalg_solve.h"
#include "cresset/ops/linalg_util.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset {

using namespace linalg_util;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor on_host(const Tensor& t) { return to(t, t.dtype(), Device()); }
Tensor on_device(const Tensor& t, Device device) { return to(t, t.dtype(), device); }

void check_matrix(const char* op, const Tensor& A) {
  CRESSET_CHECK(A.dim() >= 2, RuntimeError, "[", op, "] ", op,
                ": The input tensor A must have at least 2 dimensions.");
}

void check_square(const char* op, const Tensor& A) {
  CRESSET_CHECK(A.size(-1) == A.size(-2), RuntimeError, "[", op, "] ", op,
                ": A must be batches of square matrices, but they are ", A.size(-2), " by ",
                A.size(-1), " matrices");
}

void check_floating(const char* op, const Tensor& A) {
  CRESSET_CHECK(is_floating(A.dtype()), RuntimeError, "[", op, "] ", op,
                ": Expected a floating point or complex tensor as input. Got ",
                dtype_display(A.dtype()));
}

// The kernels take Float32/Float64; torch's LAPACK kernels reject the rest as not implemented.
void check_kernel_dtype(const char* op, const Tensor& A, const char* kernel) {
  CRESSET_CHECK(A.dtype() == DType::Float32 || A.dtype() == DType::Float64, NotImplementedError,
                "[", op, "] \"", kernel, "\" not implemented for '", dtype_display(A.dtype()), "'");
}

DimVector batch_with(const Tensor& A, std::initializer_list<int64_t> tail) {
  DimVector sizes(A.sizes().data(), size_t(A.dim() - 2));
  for (int64_t s : tail) sizes.push_back(s);
  return sizes;
}

// Throws torch's LinAlgError for the first matrix of the batch whose kernel failed.
void check_info(const char* op, const Tensor& info, bool batched, const char* why) {
  const int32_t* p = info.data<int32_t>();
  for (int64_t i = 0; i < info.numel(); ++i) {
    if (p[i] == 0) continue;
    throw LinAlgError(str_cat("[", op, "] ", op, ": ",
                              batched ? str_cat("(Batch element ", i, "): ") : std::string(), why));
  }
}

// torch's linalg_eig_backward for symmetric A = V diag(L) V^T (gV undefined: eigenvalues only).
Tensor eigh_backward(const Tensor& gL, const Tensor& gV, const Tensor& L, const Tensor& V) {
  const Tensor Vt = matrix_t(V);
  if (!gV.defined()) return matmul(V * unsqueeze(gL, -2), Vt);
  const Tensor VtgV = matmul(Vt, gV);
  const Tensor skew = (VtgV - matrix_t(VtgV)) * Scalar(0.5);
  // E[i, j] = L[j] - L[i], with 1 on the diagonal (where skew is 0).
  const int64_t n = L.size(-1);
  const Tensor E = unsqueeze(L, -2) - unsqueeze(L, -1) + eye(n, n, L.dtype(), L.device());
  return matmul(V, matmul(skew / E + diag_embed(gL), Vt));
}

std::pair<Tensor, Tensor> eigh_impl(const char* op, const Tensor& A, const std::string& uplo,
                                    bool want_vectors) {
  if (A.device().is_cuda()) {
    auto [w, v] = eigh_impl(op, on_host(A), uplo, want_vectors);
    return {on_device(w, A.device()), v.defined() ? on_device(v, A.device()) : v};
  }
  CRESSET_CHECK(uplo == "L" || uplo == "U" || uplo == "l" || uplo == "u", RuntimeError, "[", op,
                "] Expected UPLO argument to be 'L' or 'U', but got ", uplo);
  check_matrix(op, A);
  check_square(op, A);
  check_kernel_dtype(op, A, "linalg_eigh_cpu");
  const int64_t n = A.size(-1);
  const bool grad = autograd::needs_grad({A});
  const Tensor a = contiguous_copy(A);
  Tensor w = empty_tensor(batch_with(A, {n}), A.dtype(), A.device());
  Tensor v = want_vectors || grad ? empty_tensor(A.sizes(), A.dtype(), A.device()) : Tensor();
  Tensor info = empty_tensor(batch_with(A, {}), DType::Int32, A.device());
  cpu::eigh_kernel(a, w, v, info, uplo == "U" || uplo == "u");
  check_info(op, info, A.dim() > 2,
             "The algorithm failed to converge because the input matrix is ill-conditioned or has "
             "too many repeated eigenvalues (error code: 1).");
  if (grad) {
    if (want_vectors) {
      autograd::record("LinalgEighBackward0", {A}, {w, v}, {w, v},
                       [](const autograd::Ctx& c) -> autograd::TensorList {
                         return {eigh_backward(c.grad(0), c.grad(1), c.saved(0), c.saved(1))};
                       });
    } else {
      autograd::record("LinalgEighBackward0", {A}, {w}, {w, v},
                       [](const autograd::Ctx& c) -> autograd::TensorList {
                         return {eigh_backward(c.grad(0), Tensor(), c.saved(0), c.saved(1))};
                       });
    }
  }
  return {w, want_vectors ? v : Tensor()};
}

// Note [SVD derivative]
// torch's svd_backward for real A = U diag(S) Vh with thin U, Vh (k = min(m, n) columns); a full
// U or Vh contributes only through its first k columns or rows. With E[i, j] = S[j]^2 - S[i]^2
// (1 on the diagonal), the k x k core is (skew(U^T gU) S + S skew(Vh gVh^T)) / E + diag(gS), and
// a tall (wide) A adds the part of gU (gVh) outside U's (Vh's) span.
Tensor svd_backward(const Tensor& gU, const Tensor& gS, const Tensor& gVh, const Tensor& U,
                    const Tensor& S, const Tensor& Vh) {
  const int64_t m = U.size(-2), n = Vh.size(-1), k = S.size(-1);
  if (!gU.defined()) {  // svdvals: U diag(gS) Vh
    return m >= n ? matmul(U, unsqueeze(gS, -1) * Vh) : matmul(U * unsqueeze(gS, -2), Vh);
  }
  auto skew = [](const Tensor& x) { return x - matrix_t(x); };
  const Tensor UtgU = skew(matmul(matrix_t(U), gU));
  const Tensor VhgV = skew(matmul(Vh, matrix_t(gVh)));
  const Tensor S2 = S * S;
  const Tensor E = unsqueeze(S2, -2) - unsqueeze(S2, -1) + eye(k, k, S.dtype(), S.device());
  Tensor core = (UtgU * unsqueeze(S, -2) + unsqueeze(S, -1) * VhgV) / E + diag_embed(gS);
  if (m > n) {
    const Tensor gUSinv = gU / unsqueeze(S, -2);
    core = matmul(U, core) + gUSinv - matmul(U, matmul(matrix_t(U), gUSinv));
    return matmul(core, Vh);
  }
  if (m < n) {
    const Tensor SinvgVh = gVh / unsqueeze(S, -1);
    core = matmul(core, Vh) + SinvgVh - matmul(matmul(SinvgVh, matrix_t(Vh)), Vh);
    return matmul(U, core);
  }
  return matmul(U, matmul(core, Vh));
}

SvdResult svd_impl(const char* op, const Tensor& A, bool want_vectors, bool full) {
  if (A.device().is_cuda()) {
    SvdResult r = svd_impl(op, on_host(A), want_vectors, full);
    for (Tensor* t : {&r.U, &r.S, &r.Vh}) {
      if (t->defined()) *t = on_device(*t, A.device());
    }
    return r;
  }
  check_matrix(op, A);
  check_floating(op, A);
  check_kernel_dtype(op, A, "linalg_svd_cpu");
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  const bool grad = autograd::needs_grad({A});
  // Gradients need the vectors; only the ones returned may be full.
  const bool vectors = want_vectors || grad;
  const bool full_out = want_vectors && full;
  const Tensor a = contiguous_copy(A);
  SvdResult r;
  r.S = empty_tensor(batch_with(A, {k}), A.dtype(), A.device());
  if (vectors) {
    r.U = empty_tensor(batch_with(A, {m, full_out ? m : k}), A.dtype(), A.device());
    r.Vh = empty_tensor(batch_with(A, {full_out ? n : k, n}), A.dtype(), A.device());
  }
  Tensor info = empty_tensor(batch_with(A, {}), DType::Int32, A.device());
  cpu::svd_kernel(a, r.U, r.S, r.Vh, info);
  if (want_vectors) {
    check_info(op, info, A.dim() > 2,
               "The algorithm failed to converge because the input matrix contained non-finite "
               "values.");
  }
  if (grad) {
    if (want_vectors) {
      autograd::record(
          "LinalgSvdBackward0", {A}, {r.U, r.S, r.Vh}, {r.U, r.S, r.Vh},
          [k](const autograd::Ctx& c) -> autograd::TensorList {
            auto thin = [k](const Tensor& t, int64_t dim) {
              return t.size(dim) == k ? t : narrow(t, dim, 0, k);
            };
            return {svd_backward(thin(c.grad(0), -1), c.grad(1), thin(c.grad(2), -2),
                                 thin(c.saved(0), -1), c.saved(1), thin(c.saved(2), -2))};
          });
    } else {
      autograd::record("LinalgSvdBackward0", {A}, {r.S}, {r.U, r.S, r.Vh},
                       [](const autograd::Ctx& c) -> autograd::TensorList {
                         return {svd_backward(Tensor(), c.grad(0), Tensor(), c.saved(0), c.saved(1),
                                              c.saved(2))};
                       });
    }
  }
  if (!want_vectors) r.U = r.Vh = Tensor();
  return r;
}

// torch's default tolerances of pinv and matrix_rank: atol 0 and rtol eps * max(m, n), or rtol 0
// where a positive atol is given.
std::pair<Tensor, Tensor> tolerances(const Tensor& A, const std::optional<Tensor>& atol,
                                     const std::optional<Tensor>& rtol) {
  const Tensor zero = zeros({}, A.dtype(), A.device());
  const Tensor a = atol ? as_dtype(*atol, A.dtype()) : zero;
  if (rtol) return {a, as_dtype(*rtol, A.dtype())};
  const double eps = A.dtype() == DType::Float32 ? double(std::numeric_limits<float>::epsilon())
                                                 : std::numeric_limits<double>::epsilon();
  const Tensor def =
      full({}, Scalar(eps * double(std::max(A.size(-1), A.size(-2)))), A.dtype(), A.device());
  return {a, atol ? where(a > Scalar(0.0), zero, def) : def};
}

// Where the singular values (absolute eigenvalues) exceed max(atol, rtol * the largest).
Tensor keep_mask(const Tensor& magnitudes, const Tensor& atol, const Tensor& rtol) {
  const Tensor largest = amax(magnitudes, {-1}, true);
  return magnitudes > maximum(unsqueeze(atol, -1), unsqueeze(rtol, -1) * largest);
}

// d(pinv A) moved to A: torch's pinv_backward, with products arranged to stay small.
Tensor pinv_backward(const Tensor& g, const Tensor& P, const Tensor& A) {
  const int64_t m = A.size(-2), n = A.size(-1);
  const Tensor Pt = matrix_t(P), gt = matrix_t(g);
  if (m <= n) {
    const Tensor K = matmul(gt, P), KPt = matmul(K, Pt);
    return -matrix_t(matmul(P, K)) + KPt - matmul(matmul(A, P), KPt) +
           matmul(matmul(Pt, P), gt - matmul(K, A));
  }
  const Tensor K = matmul(P, gt), PtK = matmul(Pt, K);
  return -matrix_t(matmul(K, P)) + matmul(matmul(gt - matmul(A, K), P), Pt) + PtK -
         matmul(matmul(PtK, P), A);
}

// The condition number in a norm other than the 2-norm: |A| |A^-1|, infinite where A is singular.
template <typename Ord>
Tensor cond_through_inverse(const Tensor& A, Ord ord) {
  auto [inverse, info] = linalg_inv_ex(A);
  const Tensor singular = unsqueeze(unsqueeze(info > Scalar(0), -1), -1);
  inverse = where(singular, full({}, Scalar(kInf), A.dtype(), A.device()), inverse);
  return nan_to_num(linalg_matrix_norm(A, ord) * linalg_matrix_norm(inverse, ord), kInf, kInf,
                    -kInf);
}

// NumPy's convention, kept by torch: the condition number of an empty matrix is 0.
Tensor cond_of_empty(const Tensor& A) { return zeros(batch_with(A, {}), A.dtype(), A.device()); }

}  // namespace

std::pair<Tensor, Tensor> linalg_eigh(const Tensor& A, const std::string& uplo) {
  return eigh_impl("linalg.eigh", A, uplo, true);
}

Tensor linalg_eigvalsh(const Tensor& A, const std::string& uplo) {
  return eigh_impl("linalg.eigvalsh", A, uplo, false).first;
}

SvdResult linalg_svd(const Tensor& A, bool full_matrices) {
  return svd_impl("linalg.svd", A, true, full_matrices);
}

Tensor linalg_svdvals(const Tensor& A) { return svd_impl("linalg.svdvals", A, false, false).S; }

SvdResult svd(const Tensor& A, bool some, bool compute_uv) {
  if (!compute_uv) {
    check_matrix("svd", A);
    const int64_t m = A.size(-2), n = A.size(-1);
    return {zeros(batch_with(A, {m, m}), A.dtype(), A.device()), linalg_svdvals(A),
            zeros(batch_with(A, {n, n}), A.dtype(), A.device())};
  }
  SvdResult r = svd_impl("svd", A, true, !some);
  return {r.U, r.S, matrix_t(r.Vh)};
}

Tensor linalg_pinv(const Tensor& A, const std::optional<Tensor>& atol,
                   const std::optional<Tensor>& rtol, bool hermitian) {
  const char* op = "linalg.pinv";
  check_matrix(op, A);
  check_floating(op, A);
  if (A.numel() == 0)
    return empty_tensor(batch_with(A, {A.size(-1), A.size(-2)}), A.dtype(), A.device());
  const bool grad = autograd::needs_grad({A});
  Tensor P;
  {
    NoGradGuard no_grad;
    auto [at, rt] = tolerances(A, atol, rtol);
    if (hermitian) {
      auto [L, V] = linalg_eigh(A);
      const Tensor inv = where(keep_mask(abs(L), at, rt), reciprocal(L), zeros({}, L.dtype()));
      P = matmul(V * unsqueeze(inv, -2), matrix_t(V));
    } else {
      SvdResult r = linalg_svd(A, false);
      const Tensor inv = where(keep_mask(r.S, at, rt), reciprocal(r.S), zeros({}, r.S.dtype()));
      P = matmul(matrix_t(r.Vh) * unsqueeze(inv, -2), matrix_t(r.U));
    }
  }
  if (grad) {
    autograd::record("LinalgPinvBackward0", {A}, {P}, {A, P},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       return {pinv_backward(c.grad(), c.saved(1), c.saved(0))};
                     });
  }
  return P;
}

Tensor pinverse(const Tensor& A, double rcond) {
  return linalg_pinv(A, std::nullopt, full({}, Scalar(rcond), DType::Float64), false);
}

Tensor linalg_matrix_rank(const Tensor& A, const std::optional<Tensor>& atol,
                          const std::optional<Tensor>& rtol, bool hermitian) {
  const char* op = "linalg.matrix_rank";
  check_matrix(op, A);
  check_floating(op, A);
  if (A.numel() == 0) return zeros(batch_with(A, {}), DType::Int64, A.device());
  NoGradGuard no_grad;
  const Tensor S = hermitian ? abs(linalg_eigvalsh(A)) : linalg_svdvals(A);
  auto [at, rt] = tolerances(A, atol, rtol);
  return sum(keep_mask(S, at, rt), DimVector{-1}, false, DType::Int64);
}

Tensor linalg_cond(const Tensor& A, double p) {
  const char* op = "linalg.cond";
  CRESSET_CHECK(A.dim() >= 2, RuntimeError, "[", op,
                "] linalg.cond: The input tensor must have at least 2 dimensions.");
  const double ap = std::abs(p);
  CRESSET_CHECK(ap == 2 || ap == 1 || std::isinf(p), RuntimeError, "[", op,
                "] linalg.cond got an invalid norm type: ", p);
  if (A.numel() == 0) return cond_of_empty(A);
  if (ap == 2) {
    const Tensor S = linalg_svdvals(A);
    const Tensor largest = narrow(S, -1, 0, 1), smallest = narrow(S, -1, S.size(-1) - 1, 1);
    return squeeze(p > 0 ? largest / smallest : smallest / largest, -1);
  }
  check_square(std::isinf(p) ? (p > 0 ? "linalg.cond(ord=inf)" : "linalg.cond(ord=-inf)")
                             : (p > 0 ? "linalg.cond(ord=1)" : "linalg.cond(ord=-1)"),
               A);
  return cond_through_inverse(A, p);
}

Tensor linalg_cond(const Tensor& A, const std::string& p) {
  const char* op = "linalg.cond";
  CRESSET_CHECK(A.dim() >= 2, RuntimeError, "[", op,
                "] linalg.cond: The input tensor must have at least 2 dimensions.");
  CRESSET_CHECK(p == "fro" || p == "nuc", RuntimeError, "[", op,
                "] linalg.cond got an invalid norm type: ", p);
  if (A.numel() == 0) return cond_of_empty(A);
  check_square(p == "fro" ? "linalg.cond(ord=fro)" : "linalg.cond(ord=nuc)", A);
  if (p == "fro") return cond_through_inverse(A, p);
  // torch's definition, which needs no inverse: sum(S) * sum(1 / S).
  const Tensor S = linalg_svdvals(A);
  return sum(S, DimVector{-1}) * sum(reciprocal(S), DimVector{-1});
}

Tensor linalg_matrix_exp(const Tensor& A) {
  const char* op = "linalg.matrix_exp";
  if (A.device().is_cuda()) return on_device(linalg_matrix_exp(on_host(A)), A.device());
  check_matrix(op, A);
  check_square(op, A);
  check_floating(op, A);
  // The kernel computes in double; a 16-bit input goes through Float32, as torch's upcasts.
  const bool narrow_float = A.dtype() != DType::Float32 && A.dtype() != DType::Float64;
  if (narrow_float) return as_dtype(linalg_matrix_exp(as_dtype(A, DType::Float32)), A.dtype());
  const Tensor a = contiguous_copy(A);
  Tensor out = empty_tensor(A.sizes(), A.dtype(), A.device());
  cpu::matrix_exp_kernel(a, out);
  if (autograd::needs_grad({A})) {
    // Note [Matrix exponential derivative]: the gradient is the upper-right block of
    // exp([[A^T, g], [0, A^T]]) (Mathias' block formula), itself differentiable.
    autograd::record("LinalgMatrixExpBackward0", {A}, {out}, {A},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor At = matrix_t(c.saved(0)), g = c.grad();
                       const int64_t n = At.size(-1);
                       const Tensor top = cat({At, g}, -1);
                       const Tensor bottom = cat({zeros_like(At), At}, -1);
                       const Tensor big = linalg_matrix_exp(cat({top, bottom}, -2));
                       return {narrow(narrow(big, -2, 0, n), -1, n, n)};
                     });
  }
  return out;
}

}  // namespace cresset
