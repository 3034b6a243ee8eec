// The Cholesky and QR families: each op factors a contiguous copy of its input in the layout of
// Note [Cholesky and QR layouts] and returns its results as torch does, column-major (transposed
// views of the kernels' row-major buffers). Derivatives are written in differentiable ops
// (solve_triangular, matmul, lstsq itself), so create_graph records second derivatives too. On
// CUDA tensors the ops run on host copies (see Note [Linear algebra on CUDA]).
#include "cresset/ops/linalg_factor.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "cresset/autograd/engine.h"
#include "cresset/autograd/function.h"
#include "cresset/autograd/grad_mode.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/linalg_factor.h"
#include "cresset/backend/cpu/lu.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/linalg.h"
#include "cresset/ops/linalg_solve.h"
#include "cresset/ops/linalg_spectral.h"
#include "cresset/ops/linalg_util.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset {

using namespace linalg_util;

namespace {

// ---- checks and layouts ----

// `sizes` followed by `tail`.
DimVector append(DimVector sizes, std::initializer_list<int64_t> tail) {
  for (int64_t s : tail) sizes.push_back(s);
  return sizes;
}

// The sizes of t without its last `drop` dims, then `tail`.
DimVector leading_sizes(const Tensor& t, int64_t drop, std::initializer_list<int64_t> tail = {}) {
  return append(DimVector(t.sizes().data(), size_t(t.dim() - drop)), tail);
}

Tensor host_copy(const Tensor& t) { return to(t, t.dtype(), Device()); }

// "op: A must be batches of square matrices ..." (torch's words, after cresset's "[op] ").
void require_square(const char* op, const Tensor& A) {
  CRESSET_CHECK(A.size(-1) == A.size(-2), RuntimeError, "[", op, "] ", op,
                ": A must be batches of square matrices, but they are ", A.size(-2), " by ",
                A.size(-1), " matrices");
}

// torch's dtype errors: ops of torch.linalg first demand a floating dtype (`floating`, a
// RuntimeError); every op's kernel then exists for Float32/Float64 only (NotImplementedError).
void require_dtype(const char* op, const Tensor& A, bool floating, const char* kernel) {
  CRESSET_CHECK(!floating || is_floating(A.dtype()), RuntimeError, "[", op, "] ", op,
                ": Expected a floating point or complex tensor as input. Got ",
                dtype_display(A.dtype()));
  CRESSET_CHECK(A.dtype() == DType::Float32 || A.dtype() == DType::Float64, NotImplementedError,
                "[", op, "] \"", kernel, "\" not implemented for '", dtype_display(A.dtype()), "'");
}

// linalg ops' "op: The input tensor A must have at least 2 dimensions.".
void require_matrix(const char* op, const Tensor& A) {
  CRESSET_CHECK(A.dim() >= 2, RuntimeError, "[", op, "] ", op,
                ": The input tensor A must have at least 2 dimensions.");
}

// A row-major buffer's matrices as torch returns them, column-major: the transposed view of a
// contiguous copy of their transposes.
Tensor column_major(const Tensor& t) { return matrix_t(contiguous_copy(matrix_t(t))); }

// The prefix torch's batched errors name the failing matrix with.
std::string batch_element(const Tensor& A, int64_t i) {
  return A.dim() > 2 ? str_cat("(Batch element ", i, "): ") : std::string();
}

// ---- Cholesky ----

// grad_A of L = cholesky(A) (A symmetric): A's gradient L^-T Phi(L^T gL) L^-1, Phi taking the
// lower triangle with half the diagonal, made symmetric as A's perturbations are.
Tensor cholesky_backward(const Tensor& L, const Tensor& gL) {
  const Tensor M = matmul(matrix_t(L), gL);
  const Tensor phi = tril(M, -1) + diag_embed(diagonal(M, 0, -2, -1) * Scalar(0.5));
  const Tensor left = linalg_solve_triangular(matrix_t(L), phi, /*upper=*/true);
  const Tensor g = linalg_solve_triangular(L, left, /*upper=*/false, /*left=*/false);
  return (g + matrix_t(g)) * Scalar(0.5);
}

// torch.linalg.cholesky_ex and torch.cholesky; `op` names the op in errors (`linalg` ops check the
// dtype as torch.linalg's do), `node` is the autograd node's name.
std::pair<Tensor, Tensor> cholesky_impl(const char* op, const char* node, bool linalg,
                                        const Tensor& A, bool upper, bool check_errors) {
  if (A.device().is_cuda()) {
    auto [L, info] = cholesky_impl(op, node, linalg, host_copy(A), upper, check_errors);
    return {to(L, L.dtype(), A.device()), to(info, info.dtype(), A.device())};
  }
  // Input errors name linalg.cholesky for both linalg spellings.
  const char* checked = linalg ? "linalg.cholesky" : op;
  require_matrix(checked, A);
  require_square(checked, A);
  require_dtype(checked, A, linalg, "cholesky_cpu");
  // The kernel factors A = U^T U from the upper triangle; A^T's is A's lower triangle, and the
  // rows of U are then the columns of L (see Note [Cholesky and QR layouts]).
  const Tensor u = contiguous_copy(upper ? A : matrix_t(A));
  Tensor info = empty_tensor(leading_sizes(A, 2), DType::Int32, A.device());
  cpu::cholesky_kernel(u, info);
  if (check_errors) {
    const int32_t* p = info.data<int32_t>();
    for (int64_t i = 0; i < info.numel(); ++i) {
      CRESSET_CHECK(p[i] == 0, LinAlgError, "[", op, "] ", op, ": ", batch_element(A, i),
                    "The factorization could not be completed because the input is not "
                    "positive-definite (the leading minor of order ",
                    p[i], " is not positive-definite).");
    }
  }
  const Tensor factor = upper ? column_major(u) : matrix_t(u);
  if (autograd::needs_grad({A})) {
    autograd::record(node, {A}, {factor}, {factor},
                     [upper](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor f = c.saved(0);
                       return {upper ? cholesky_backward(matrix_t(f), matrix_t(c.grad()))
                                     : cholesky_backward(f, c.grad())};
                     });
  }
  return {factor, info};
}

// X = (L L^T)^-1 B, or (U^T U)^-1 B when `upper`, for a contiguous factor and right-hand sides
// of one batch shape (x overwritten with X).
void solve_with_factor(const Tensor& factor, const Tensor& x, bool upper) {
  cpu::triangular_solve_kernel(factor, x, upper, /*unit=*/false, /*transpose=*/upper);
  cpu::triangular_solve_kernel(factor, x, upper, /*unit=*/false, /*transpose=*/!upper);
}

// grad of the factor of f = (L L^T)^-1 (or (U^T U)^-1) given grad_A of A = L L^T: torch's
// formulas multiply by the factor as given (its other triangle included).
Tensor factor_grad(const Tensor& gA, const Tensor& factor, bool upper) {
  return upper ? matmul(factor, gA) : matmul(gA, factor);
}

// ---- QR ----

// grad_A of A = Q R for a square or tall A (Q m x n, R n x n): with M = R gR^T - gQ^T Q,
// grad_A = (gQ + Q copyltu(M)) R^-T, copyltu(M) the symmetric matrix of M's lower triangle.
Tensor qr_backward_tall(const Tensor& Q, const Tensor& R, const Tensor& gQ, const Tensor& gR) {
  const Tensor M = matmul(R, matrix_t(gR)) - matmul(matrix_t(gQ), Q);
  const Tensor sym = tril(M, 0) + matrix_t(tril(M, -1));
  return linalg_solve_triangular(matrix_t(R), gQ + matmul(Q, sym), /*upper=*/false, /*left=*/false);
}

// grad_A of A = Q R in reduced mode. A wide A = [X | Y] (X m x m) has X = Q U and V = Q^T Y for
// R = [U | V]: Y's gradient is Q gV, and X's is the square case's with gQ + Y gV^T.
Tensor qr_backward(const Tensor& Q, const Tensor& R, const Tensor& gQ, const Tensor& gR) {
  const int64_t m = Q.size(-2), n = R.size(-1);
  if (m >= n) return qr_backward_tall(Q, R, gQ, gR);
  const Tensor gV = narrow(gR, -1, m, n - m);
  const Tensor Y = matmul(Q, narrow(R, -1, m, n - m));
  const Tensor gX =
      qr_backward_tall(Q, narrow(R, -1, 0, m), gQ + matmul(Y, matrix_t(gV)), narrow(gR, -1, 0, m));
  return cat({gX, matmul(Q, gV)}, -1);
}

// Gradients (of A, of tau) of Q = H_0 ... H_{k-1} E (E the identity's first n columns), H_i =
// I - tau_i v_i v_i^T (any tau: H_i need not be orthogonal), given G = grad_Q. With Q = P_i H_i
// S_i, grad_H_i is K = P_i^T G S_i^T, so grad_tau_i = -v^T K v and grad_v_i = -tau_i (K + K^T) v,
// v_i's entries below its 1 being A's. The suffixes S_i come from a backward sweep, P_i^T G from
// a forward one: O(k m n) in all.
std::pair<Tensor, Tensor> householder_product_backward(const Tensor& A, const Tensor& tau,
                                                       const Tensor& G) {
  const int64_t m = A.size(-2), n = A.size(-1), k = tau.size(-1);
  if (k == 0)
    return {zeros(A.sizes(), A.dtype(), A.device()), zeros(tau.sizes(), tau.dtype(), tau.device())};
  const Tensor V = tril(A, -1) + eye(m, n, A.dtype(), A.device());
  const size_t count = static_cast<size_t>(k);
  std::vector<Tensor> v(count), t(count), S(count);
  for (int64_t i = 0; i < k; ++i) {
    v[size_t(i)] = narrow(V, -1, i, 1);
    t[size_t(i)] = unsqueeze(narrow(tau, -1, i, 1), -1);
  }
  auto reflect = [&](int64_t i, const Tensor& X) {
    return X - t[size_t(i)] * matmul(v[size_t(i)], matmul(matrix_t(v[size_t(i)]), X));
  };
  Tensor suffix = expand_view(eye(m, n, A.dtype(), A.device()), G.sizes());
  for (int64_t i = k - 1; i >= 0; --i) {
    S[size_t(i)] = suffix;
    suffix = reflect(i, suffix);
  }
  Tensor Gt = G;
  std::vector<Tensor> grad_v, grad_tau;
  for (int64_t i = 0; i < k; ++i) {
    const Tensor& vi = v[size_t(i)];
    const Tensor a = matmul(Gt, matmul(matrix_t(S[size_t(i)]), vi));
    const Tensor b = matmul(S[size_t(i)], matmul(matrix_t(Gt), vi));
    grad_tau.push_back(-squeeze(matmul(matrix_t(vi), a), -1));
    grad_v.push_back(-(t[size_t(i)] * (a + b)));
    Gt = reflect(i, Gt);
  }
  Tensor gA = tril(cat(grad_v, -1), -1);
  if (k < n) gA = cat({gA, zeros(leading_sizes(A, 1, {n - k}), A.dtype(), A.device())}, -1);
  return {gA, cat(grad_tau, -1)};
}

// ---- least squares ----

// torch's lstsq derivative, that of X = pinv(A) B: with P = pinv(A), gB = P^T G and
// grad_A = -gB X^T + (B - A X) (P gB)^T + P^T X (G - A^T gB)^T (the last two terms vanish for a
// full-rank tall and wide A respectively). Products with P and P^T are lstsq solutions.
std::pair<Tensor, Tensor> lstsq_grads(const Tensor& A, const Tensor& B, const Tensor& X,
                                      const Tensor& G, std::optional<double> rcond) {
  auto solve = [&](const Tensor& M, const Tensor& rhs) {
    return linalg_lstsq(M, rhs, rcond, std::string("gelsy")).solution;
  };
  const Tensor At = matrix_t(A);
  const Tensor gB = solve(At, G);
  const Tensor gA = -matmul(gB, matrix_t(X)) + matmul(B - matmul(A, X), matrix_t(solve(A, gB))) +
                    matmul(solve(At, X), matrix_t(G - matmul(At, gB)));
  return {gA, gB};
}

// t's entries for the matrices of A's own batch dims, t having the batch dims A broadcast to
// (torch reports lstsq's rank and singular values per matrix of A).
Tensor own_batch(Tensor t, const Tensor& A) {
  for (int64_t d = t.dim() - (A.dim() - 2); d > 0; --d) t = select(t, 0, 0);
  for (int64_t d = 0; d < A.dim() - 2; ++d) {
    if (A.size(d) == 1) t = narrow(t, d, 0, 1);
  }
  return contiguous_copy(t);
}

// Whether every entry of the Int64 tensor t is `value`.
bool all_equal(const Tensor& t, int64_t value) {
  const Tensor c = contiguous_copy(t);
  const int64_t* p = c.data<int64_t>();
  return std::all_of(p, p + c.numel(), [value](int64_t v) { return v == value; });
}

// The SVD drivers (gelsd, gelss): the minimum-norm solution V diag(1/s) U^T B over the singular
// values s > tol * s_max, written where lstsq_kernel writes its solution (the first n entries of
// b's rows); `singular_values` gets s and the result is the rank, per matrix of A.
Tensor svd_lstsq(const Tensor& A, const Tensor& B, double tol, const Tensor& b,
                 Tensor& singular_values) {
  NoGradGuard no_grad;  // lstsq records its own node
  const int64_t n = A.size(-1);
  const SvdResult f = linalg_svd(A, /*full_matrices=*/false);
  singular_values = f.S;
  if (f.S.size(-1) == 0) return zeros(leading_sizes(A, 2), DType::Int64, A.device());
  const Tensor keep = f.S > narrow(f.S, -1, 0, 1) * Scalar(tol);
  const Tensor zero = zeros({}, A.dtype(), A.device());
  const Tensor inverse = where(keep, reciprocal(f.S), zero);
  const Tensor X = matmul(matrix_t(f.Vh), unsqueeze(inverse, -1) * matmul(matrix_t(f.U), B));
  copy_into(narrow(b, -1, 0, n), matrix_t(X));
  return sum(keep, DimVector{-1});
}

}  // namespace

std::pair<Tensor, Tensor> linalg_cholesky_ex(const Tensor& A, bool upper, bool check_errors) {
  return cholesky_impl("linalg.cholesky_ex", "LinalgCholeskyExBackward0", true, A, upper,
                       check_errors);
}

Tensor linalg_cholesky(const Tensor& A, bool upper) {
  return cholesky_impl("linalg.cholesky", "LinalgCholeskyExBackward0", true, A, upper, true).first;
}

Tensor cholesky(const Tensor& A, bool upper) {
  return cholesky_impl("cholesky", "CholeskyBackward0", false, A, upper, true).first;
}

Tensor cholesky_solve(const Tensor& B, const Tensor& L, bool upper) {
  const char* op = "cholesky_solve";
  CRESSET_CHECK(B.dim() >= 2, RuntimeError, "[", op,
                "] b should have at least 2 dimensions, but has ", B.dim(), " dimensions instead");
  CRESSET_CHECK(L.dim() >= 2, RuntimeError, "[", op,
                "] u should have at least 2 dimensions, but has ", L.dim(), " dimensions instead");
  CRESSET_CHECK(B.dtype() == L.dtype(), RuntimeError, "[", op,
                "] Expected b and A to have the same dtype, but found b of type ",
                dtype_display(B.dtype()), " and A of type ", dtype_display(L.dtype()), " instead.");
  CRESSET_CHECK(L.size(-1) == L.size(-2), RuntimeError, "[", op,
                "] A must be batches of square matrices, but they are ", L.size(-2), " by ",
                L.size(-1), " matrices");
  const int64_t n = L.size(-1), k = B.size(-1);
  CRESSET_CHECK(B.size(-2) == n, RuntimeError, "[", op,
                "] Incompatible matrix sizes for cholesky_solve: each A matrix is ", n, " by ", n,
                " but each b matrix is ", B.size(-2), " by ", k);
  CRESSET_CHECK(B.device() == L.device(), RuntimeError, "[", op,
                "] Expected all tensors to be on the same device, but found at least two devices, ",
                B.device().str(), " and ", L.device().str(), "!");
  if (B.device().is_cuda()) {
    const Tensor x = cholesky_solve(host_copy(B), host_copy(L), upper);
    return to(x, x.dtype(), B.device());
  }
  const DimVector batch = broadcast_shapes(leading_sizes(B, 2), leading_sizes(L, 2));
  require_dtype(op, L, false, "cholesky_solve_cpu");
  const Tensor x = contiguous_copy(expand_view(B, append(batch, {n, k})));
  solve_with_factor(contiguous_copy(expand_view(L, append(batch, {n, n}))), x, upper);
  const Tensor result = column_major(x);
  if (autograd::needs_grad({B, L})) {
    // grad_B = A^-1 G; grad_A = -(gB X^T + X gB^T) reaches the factor through A = L L^T.
    autograd::record("CholeskySolveBackward0", {B, L}, {result}, {L, result},
                     [upper, b_sizes = B.sizes(),
                      l_sizes = L.sizes()](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor L = c.saved(0), X = c.saved(1);
                       const Tensor gB = cholesky_solve(c.grad(), L, upper);
                       Tensor gL;
                       if (c.needs_input_grad(1)) {
                         const Tensor gA = -(matmul(gB, matrix_t(X)) + matmul(X, matrix_t(gB)));
                         gL = autograd::sum_to(factor_grad(gA, L, upper), l_sizes);
                       }
                       return {autograd::sum_to(gB, b_sizes), gL};
                     });
  }
  return result;
}

Tensor cholesky_inverse(const Tensor& L, bool upper) {
  const char* op = "cholesky_inverse";
  if (L.device().is_cuda()) {
    const Tensor x = cholesky_inverse(host_copy(L), upper);
    return to(x, x.dtype(), L.device());
  }
  require_matrix(op, L);
  require_square(op, L);
  require_dtype(op, L, false, "cholesky_inverse_out_cpu");
  const int64_t n = L.size(-1);
  const Tensor factor = contiguous_copy(L);
  // A zero on the factor's diagonal: A is singular (torch's check, as LAPACK's potri's).
  const Tensor diag = contiguous_copy(diagonal(factor, 0, -2, -1));
  for (int64_t i = 0; i < diag.numel(); ++i) {
    const double d =
        diag.dtype() == DType::Float32 ? double(diag.data<float>()[i]) : diag.data<double>()[i];
    CRESSET_CHECK(d != 0, LinAlgError, "[", op, "] ", op, ": ", batch_element(L, i / n),
                  "The diagonal element ", i % n + 1,
                  " is zero, the inversion could not be completed because the input matrix is "
                  "singular.");
  }
  const Tensor x = contiguous_copy(expand_view(eye(n, n, L.dtype(), L.device()), L.sizes()));
  solve_with_factor(factor, x, upper);
  // Exactly symmetric, as LAPACK's potri mirrors one triangle: the lower one, transposed above.
  const Tensor result = column_major(tril(x, 0) + matrix_t(tril(x, -1)));
  if (autograd::needs_grad({L})) {
    // d(A^-1) = -A^-1 dA A^-1 with dA symmetric: grad_A = -X (G + G^T) X.
    autograd::record("CholeskyInverseBackward0", {L}, {result}, {L, result},
                     [upper](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor L = c.saved(0), X = c.saved(1);
                       const Tensor gA = -matmul(X, matmul(c.grad() + matrix_t(c.grad()), X));
                       return {factor_grad(gA, L, upper)};
                     });
  }
  return result;
}

std::pair<Tensor, Tensor> linalg_qr(const Tensor& A, const std::string& mode) {
  const char* op = "linalg.qr";
  if (A.device().is_cuda()) {
    auto [Q, R] = linalg_qr(host_copy(A), mode);
    return {to(Q, Q.dtype(), A.device()), to(R, R.dtype(), A.device())};
  }
  require_matrix(op, A);
  CRESSET_CHECK(mode == "reduced" || mode == "complete" || mode == "r", RuntimeError, "[", op,
                "] qr received unrecognized mode '", mode,
                "' but expected one of 'reduced' (default), 'r', or 'complete'");
  require_dtype(op, A, true, "geqrf_cpu");
  const int64_t m = A.size(-2), n = A.size(-1), k = std::min(m, n);
  const bool complete = mode == "complete";
  // A by columns (see Note [Cholesky and QR layouts]).
  const Tensor a = contiguous_copy(matrix_t(A));
  const Tensor tau = empty_tensor(leading_sizes(A, 2, {k}), A.dtype(), A.device());
  cpu::geqrf_kernel(a, tau);
  const int64_t rows = complete ? m : k;
  // R's columns are the rows of `a` up to and including the diagonal.
  const Tensor R = matrix_t(tril(narrow(a, -1, 0, rows), 0));
  Tensor Q;
  if (mode == "r") {
    Q = empty_tensor({0}, A.dtype(), A.device());
  } else {
    const Tensor q = empty_tensor(leading_sizes(A, 2, {rows, m}), A.dtype(), A.device());
    cpu::orgqr_kernel(a, tau, q);
    Q = matrix_t(q);
  }
  if (autograd::needs_grad({A})) {
    autograd::record(
        "LinalgQrBackward0", {A}, {Q, R}, {Q, R},
        [mode, m, n](const autograd::Ctx& c) -> autograd::TensorList {
          CRESSET_CHECK(mode != "r", RuntimeError,
                        "The derivative of linalg.qr depends on Q, which is not computed when "
                        "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                        "differentiate through linalg.qr.");
          CRESSET_CHECK(mode != "complete" || m <= n, RuntimeError,
                        "The QR decomposition is not differentiable when mode='complete' and "
                        "nrows > ncols.");
          return {qr_backward(c.saved(0), c.saved(1), c.grad(0), c.grad(1))};
        });
  }
  return {Q, R};
}

std::pair<Tensor, Tensor> geqrf(const Tensor& A) {
  const char* op = "geqrf";
  if (A.device().is_cuda()) {
    auto [a, tau] = geqrf(host_copy(A));
    return {to(a, a.dtype(), A.device()), to(tau, tau.dtype(), A.device())};
  }
  CRESSET_CHECK(A.dim() >= 2, RuntimeError,
                "[geqrf] torch.geqrf: input must have at least 2 dimensions.");
  require_dtype(op, A, false, "geqrf_cpu");
  const Tensor a = contiguous_copy(matrix_t(A));
  const Tensor tau =
      empty_tensor(leading_sizes(A, 2, {std::min(A.size(-2), A.size(-1))}), A.dtype(), A.device());
  cpu::geqrf_kernel(a, tau);
  const Tensor packed = matrix_t(a);
  if (autograd::needs_grad({A})) {
    autograd::record("GeqrfBackward0", {A}, {packed, tau}, {},
                     [](const autograd::Ctx&) -> autograd::TensorList {
                       throw NotImplementedError("the derivative for 'geqrf' is not implemented.");
                     });
  }
  return {packed, tau};
}

Tensor linalg_householder_product(const Tensor& A, const Tensor& tau) {
  const char* op = "torch.linalg.householder_product";
  CRESSET_CHECK(A.dim() >= 2, RuntimeError, "[linalg.householder_product] ", op,
                ": input must have at least 2 dimensions.");
  const int64_t m = A.size(-2), n = A.size(-1);
  CRESSET_CHECK(m >= n, RuntimeError, "[linalg.householder_product] ", op,
                ": input.shape[-2] must be greater than or equal to input.shape[-1]");
  CRESSET_CHECK(tau.dim() >= 1, IndexError,
                "[linalg.householder_product] Dimension specified as -1 but tensor has no "
                "dimensions");
  CRESSET_CHECK(n >= tau.size(-1), RuntimeError, "[linalg.householder_product] ", op,
                ": input.shape[-1] must be greater than or equal to tau.shape[-1]");
  CRESSET_CHECK(tau.dim() == A.dim() - 1, RuntimeError, "[linalg.householder_product] ", op,
                ": Expected tau to have one dimension less than input, but got tau.ndim equal to ",
                tau.dim(), " and input.ndim is equal to ", A.dim());
  CRESSET_CHECK(leading_sizes(tau, 1) == leading_sizes(A, 2), RuntimeError,
                "[linalg.householder_product] ", op,
                ": Expected batch dimensions of tau to be equal to input.shape[:-2], but got ",
                shape_str(leading_sizes(tau, 1)));
  CRESSET_CHECK(tau.dtype() == A.dtype(), RuntimeError, "[linalg.householder_product] ", op,
                ": tau dtype ", dtype_display(tau.dtype()), " does not match input dtype ",
                dtype_display(A.dtype()));
  CRESSET_CHECK(tau.device() == A.device(), RuntimeError,
                "[linalg.householder_product] Expected all tensors to be on the same device, but "
                "found at least two devices, ",
                A.device().str(), " and ", tau.device().str(), "!");
  if (A.device().is_cuda()) {
    const Tensor q = linalg_householder_product(host_copy(A), host_copy(tau));
    return to(q, q.dtype(), A.device());
  }
  require_dtype("linalg.householder_product", A, false, "orgqr_cpu");
  const Tensor q = empty_tensor(leading_sizes(A, 2, {n, m}), A.dtype(), A.device());
  cpu::orgqr_kernel(contiguous_copy(matrix_t(A)), contiguous_copy(tau), q);
  const Tensor Q = matrix_t(q);
  if (autograd::needs_grad({A, tau})) {
    autograd::record("LinalgHouseholderProductBackward0", {A, tau}, {Q}, {A, tau},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       auto [gA, gtau] =
                           householder_product_backward(c.saved(0), c.saved(1), c.grad());
                       return {gA, gtau};
                     });
  }
  return Q;
}

LstsqResult linalg_lstsq(const Tensor& A, const Tensor& B, std::optional<double> rcond,
                         const std::optional<std::string>& driver) {
  const char* op = "torch.linalg.lstsq";
  CRESSET_CHECK(A.dim() >= 2, RuntimeError, "[linalg.lstsq] ", op,
                ": input must have at least 2 dimensions.");
  CRESSET_CHECK(B.dim() >= 1, RuntimeError, "[linalg.lstsq] ", op,
                ": other must have at least 1 dimension.");
  CRESSET_CHECK(A.dtype() == B.dtype(), RuntimeError, "[linalg.lstsq] ", op,
                ": Expected input and other to have the same dtype, but got input's dtype ",
                dtype_display(A.dtype()), " and other's dtype ", dtype_display(B.dtype()));
  CRESSET_CHECK(A.dim() >= B.dim() && A.dim() - B.dim() <= 1, RuntimeError, "[linalg.lstsq] ", op,
                ": input.dim() must be greater or equal to other.dim() and (input.dim() - "
                "other.dim()) <= 1");
  // torch's rule: B is a (batch of) vector(s) when 1-D or shaped as A without its last dim.
  const bool vector = B.dim() == 1 || (B.dim() == A.dim() - 1 && B.sizes() == leading_sizes(A, 1));
  const Tensor Bm = vector ? unsqueeze(B, -1) : B;
  const int64_t m = A.size(-2), n = A.size(-1), k = Bm.size(-1);
  CRESSET_CHECK(Bm.size(-2) == m, RuntimeError, "[linalg.lstsq] ", op,
                B.dim() == 1 ? ": input.size(-2) should match other.size(-1)"
                             : ": input.size(-2) should match other.size(-2)");
  const std::string drv = driver.value_or("gelsy");
  CRESSET_CHECK(drv == "gels" || drv == "gelsy" || drv == "gelsd" || drv == "gelss", RuntimeError,
                "[linalg.lstsq] ", op,
                ": parameter `driver` should be one of (gels, gelsy, gelsd, gelss)");
  CRESSET_CHECK(A.dtype() == DType::Float32 || A.dtype() == DType::Float64, RuntimeError,
                "[linalg.lstsq] This function doesn't handle types other than float and double");
  CRESSET_CHECK(B.device() == A.device(), RuntimeError,
                "[linalg.lstsq] Expected all tensors to be on the same device, but found at least "
                "two devices, ",
                A.device().str(), " and ", B.device().str(), "!");
  if (A.device().is_cuda()) {
    LstsqResult r = linalg_lstsq(host_copy(A), host_copy(B), rcond, driver);
    for (Tensor* t : {&r.solution, &r.residuals, &r.rank, &r.singular_values})
      *t = to(*t, t->dtype(), A.device());
    return r;
  }
  const bool pivot = drv == "gelsy";
  // A matrix B with one dim fewer than A has its batch dims read as a vector's are (all but its
  // last dim), and its matrix broadcast to them: torch's quirk.
  const DimVector batch = broadcast_shapes(
      leading_sizes(A, 2), leading_sizes(Bm, !vector && B.dim() == A.dim() - 1 ? 1 : 2));
  // B's columns as rows long enough to hold the solution (LAPACK's layout).
  const Tensor b = zeros(append(batch, {k, std::max(m, n)}), A.dtype(), A.device());
  const Tensor Bx = expand_view(Bm, append(batch, {m, k}));
  const double eps = A.dtype() == DType::Float32 ? double(std::numeric_limits<float>::epsilon())
                                                 : std::numeric_limits<double>::epsilon();
  const double tol = rcond.value_or(eps * double(std::max(m, n)));
  LstsqResult result;
  result.singular_values = empty_tensor({0}, A.dtype(), A.device());
  // Residuals where torch has them: for m > n, by gels, and by the SVD drivers when every matrix
  // has full rank.
  bool residuals = m > n && !pivot;
  if (drv == "gelsd" || drv == "gelss") {
    result.rank = svd_lstsq(A, Bx, tol, b, result.singular_values);
    residuals = residuals && all_equal(result.rank, n);
  } else {
    Tensor rank = zeros(batch, DType::Int64, A.device());
    if (m * n * k != 0) {
      copy_into(narrow(b, -1, 0, m), matrix_t(Bx));
      // A by columns.
      const Tensor a = contiguous_copy(matrix_t(expand_view(A, append(batch, {m, n}))));
      cpu::lstsq_kernel(a, b, rank, tol, pivot);
    }
    if (pivot) {
      result.rank = own_batch(rank, A);
    } else {  // gels reports a singular triangular factor
      const int64_t full = m * n * k != 0 ? std::min(m, n) : 0;
      const int64_t* r = rank.data<int64_t>();
      for (int64_t i = 0; i < rank.numel(); ++i) {
        CRESSET_CHECK(r[i] == full, LinAlgError, "[linalg.lstsq] ", op, ": ",
                      batch.empty() ? std::string() : str_cat("(Batch element ", i, "): "),
                      "The least squares solution could not be computed because the input matrix "
                      "does not have full rank (error code: ",
                      r[i] + 1, ").");
      }
      result.rank = empty_tensor({0}, DType::Int64, A.device());
    }
  }
  Tensor X = matrix_t(narrow(b, -1, 0, n));
  result.solution = vector ? squeeze(X, -1) : X;
  if (!residuals) {
    result.residuals = empty_tensor({0}, A.dtype(), A.device());
  } else if (pivot || drv == "gels") {  // the squares of Q^T B's last m - n rows
    result.residuals = sum(square(narrow(b, -1, n, m - n)), DimVector{-1});
  } else {
    result.residuals = sum(square(Bx - matmul(A, X)), DimVector{-2});
  }
  if (autograd::needs_grad({A, B})) {
    autograd::record(
        "LinalgLstsqBackward0", {A, B}, {result.solution, result.residuals}, {A, Bm, X},
        [rcond, vector, a_sizes = A.sizes(),
         b_sizes = B.sizes()](const autograd::Ctx& c) -> autograd::TensorList {
          const Tensor A = c.saved(0), Bm = c.saved(1), X = c.saved(2);
          const Tensor G = vector ? unsqueeze(c.grad(0), -1) : c.grad(0);
          auto [gA, gB] = lstsq_grads(A, Bm, X, G, rcond);
          if (c.grad(1).numel() != 0) {  // residuals r^2 summed, r = B - A X (X optimal)
            const Tensor r2 = (Bm - matmul(A, X)) * unsqueeze(c.grad(1), -2) * Scalar(2.0);
            gB = gB + r2;
            gA = gA - matmul(r2, matrix_t(X));
          }
          return {autograd::sum_to(gA, a_sizes),
                  autograd::sum_to(vector ? squeeze(gB, -1) : gB, b_sizes)};
        });
  }
  return result;
}

}  // namespace cresset
