// The LU family: every op factors a contiguous copy of its input with cpu::lu_factor_kernel and
// reads what it needs from the factors. Derivatives are written in differentiable ops (inv, solve,
// matmul), so create_graph records second derivatives too.
//
// Note [Linear algebra on CUDA]
// The LU family has no device kernels yet (no cuSOLVER): an op on CUDA tensors runs on host copies
// of its inputs and copies its results back to their device. Both copies are differentiable ops
// (ToCopyBackward0), so gradients flow back to the CUDA inputs through the CPU op's own node, and
// errors are the CPU op's. Correct at any size; fast only where the transfers are cheap.
#include "cresset/ops/linalg_solve.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "cresset/autograd/engine.h"
#include "cresset/autograd/function.h"
#include "cresset/backend/cpu/lu.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/linalg.h"
#include "cresset/ops/linalg_util.h"
#include "cresset/ops/operators.h"
#include "cresset/ops/view.h"

namespace cresset {

using namespace linalg_util;

namespace {

// How torch rejects a dtype other than Float32/Float64: lu_factor and solve_triangular leave every
// dtype to their LAPACK kernel (`kernel` not implemented, NotImplementedError); det and solve
// first demand a floating dtype; inv and slogdet also reject the 16-bit floats up front.
enum class DtypeCheck { LuKernel, Floating, FullPrecision };

void check_input(const char* op, const Tensor& A, DtypeCheck rule, const char* kernel = "lu_cpu") {
  CRESSET_CHECK(A.dim() >= 2, RuntimeError, "[", op, "] ", op,
                ": The input tensor A must have at least 2 dimensions.");
  CRESSET_CHECK(rule == DtypeCheck::LuKernel || is_floating(A.dtype()), RuntimeError, "[", op, "] ",
                op, ": Expected a floating point or complex tensor as input. Got ",
                dtype_display(A.dtype()));
  const bool supported = A.dtype() == DType::Float32 || A.dtype() == DType::Float64;
  CRESSET_CHECK(supported || rule != DtypeCheck::FullPrecision, RuntimeError, "[", op, "] ", op,
                ": Low precision dtypes not supported. Got ", dtype_display(A.dtype()));
  CRESSET_CHECK(supported, NotImplementedError, "[", op, "] \"", kernel, "\" not implemented for '",
                dtype_display(A.dtype()), "'");
}

void check_square(const char* op, const Tensor& A) {
  CRESSET_CHECK(A.size(-1) == A.size(-2), RuntimeError, "[", op, "] ", op,
                ": A must be batches of square matrices, but they are ", A.size(-2), " by ",
                A.size(-1), " matrices");
}

DimVector batch_dims(const Tensor& t, int64_t trailing) {
  return DimVector(t.sizes().data(), size_t(t.dim() - trailing));
}

DimVector with_dims(DimVector sizes, std::initializer_list<int64_t> tail) {
  for (int64_t s : tail) sizes.push_back(s);
  return sizes;
}

// See Note [Linear algebra on CUDA].
Tensor on_host(const Tensor& t) { return to(t, t.dtype(), Device()); }
Tensor on_device(const Tensor& t, Device device) { return to(t, t.dtype(), device); }

void check_same_device(const char* op, const Tensor& A, const Tensor& B) {
  CRESSET_CHECK(B.device() == A.device(), RuntimeError, "[", op,
                "] Expected all tensors to be on the same device, but found at least two devices, ",
                A.device().str(), " and ", B.device().str(), "!");
}

// LU factors of a (validated) batch of matrices, possibly a strided or broadcast view.
LuFactorResult factor(const Tensor& A) {
  const DimVector batch = batch_dims(A, 2);
  LuFactorResult r;
  r.lu = contiguous_copy(A);
  r.pivots =
      empty_tensor(with_dims(batch, {std::min(A.size(-2), A.size(-1))}), DType::Int32, A.device());
  r.info = empty_tensor(batch, DType::Int32, A.device());
  cpu::lu_factor_kernel(r.lu, r.pivots, r.info);
  return r;
}

// How an op reports a zero pivot, in torch's words.
enum class Singular { Inverse, Solve, Factor };

// Throws for the first matrix of the batch whose factorization found a zero pivot.
void check_singular(const char* op, const Tensor& info, bool batched, Singular kind) {
  const int32_t* p = info.data<int32_t>();
  for (int64_t i = 0; i < info.numel(); ++i) {
    if (p[i] == 0) continue;
    const std::string where = batched ? str_cat("(Batch element ", i, "): ") : "";
    switch (kind) {
      case Singular::Inverse:
        throw LinAlgError(str_cat("[", op, "] ", op, ": ", where, "The diagonal element ", p[i],
                                  " is zero, the inversion could not be completed because the "
                                  "input matrix is singular."));
      case Singular::Solve:
        throw LinAlgError(str_cat("[", op, "] torch.", op, ": ", where,
                                  "The solver failed because the input matrix is singular."));
      case Singular::Factor:
        throw RuntimeError(str_cat(
            "[", op, "] torch.", op, ": ", where, "U[", p[i], ",", p[i],
            "] is zero and using it on lu_solve would result in a division by zero. If you still "
            "want to perform the factorization, consider calling linalg.lu(A, pivot) or "
            "linalg.lu_factor_ex(A, pivot)"));
    }
  }
}

// The m x m P of A = P L U for LAPACK's pivots ([batch, k]): rows swapped in order i = 0, 1 ...
// take row perm[i] of A to row i of P^T A, so P[perm[i], i] = 1.
Tensor permutation_matrix(const Tensor& pivots, int64_t m, DType dtype) {
  const int64_t k = pivots.size(-1), batch = shape_numel(batch_dims(pivots, 1));
  Tensor P = zeros(with_dims(batch_dims(pivots, 1), {m, m}), DType::Float64, pivots.device());
  const int32_t* piv = pivots.data<int32_t>();
  double* p = P.data<double>();
  std::vector<int64_t> perm(static_cast<size_t>(m));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t i = 0; i < m; ++i) perm[size_t(i)] = i;
    for (int64_t i = 0; i < k; ++i) std::swap(perm[size_t(i)], perm[size_t(piv[b * k + i] - 1)]);
    for (int64_t i = 0; i < m; ++i) p[b * m * m + perm[size_t(i)] * m + i] = 1;
  }
  return as_dtype(P, dtype);
}

// Note [LU derivative]
// With A = P L U and k = min(m, n), L1 and U1 the k x k blocks of L and U and g the gradient of
// the packed LU (its strictly lower part gL, its upper part gU), the square case is
//   grad_A = P L1^-T (tril(L1^T gL, -1) + triu(gU U1^T)) U1^-T.
// A wide A (m < n) adds U2 = L^-1 P^T A2: its gradient gU2 gives grad_A2 = P L^-T gU2 and takes
// gU2 U2^T off the lower term. A tall A (m > n) adds L2 = B2 U^-1 (B = P^T A): its gradient gL2
// gives grad_B2 = gL2 U^-T and takes L2^T gL2 off the upper term.
Tensor lu_factor_backward(const Tensor& lu, const Tensor& pivots, const Tensor& g) {
  const int64_t m = lu.size(-2), n = lu.size(-1), k = std::min(m, n);
  auto lower = [k](const Tensor& t) { return tril(narrow(t, -1, 0, k), -1); };
  auto upper = [k](const Tensor& t) { return triu(narrow(t, -2, 0, k), 0); };
  const Tensor L = lower(lu) + eye(m, k, lu.dtype(), lu.device()), U = upper(lu);
  const Tensor gL = lower(g), gU = upper(g);
  const Tensor L1 = narrow(L, -2, 0, k), U1 = narrow(U, -1, 0, k);
  Tensor phi_lower = matmul(matrix_t(L1), narrow(gL, -2, 0, k));
  Tensor phi_upper = matmul(narrow(gU, -1, 0, k), matrix_t(U1));
  if (n > m)
    phi_lower = phi_lower - matmul(narrow(gU, -1, k, n - k), matrix_t(narrow(U, -1, k, n - k)));
  if (m > n)
    phi_upper = phi_upper - matmul(matrix_t(narrow(L, -2, k, m - k)), narrow(gL, -2, k, m - k));
  // L1^-T x and x U1^-T as triangular solves.
  auto l1_inv_t = [&](const Tensor& x) {
    return linalg_solve_triangular(matrix_t(L1), x, /*upper=*/true, /*left=*/true,
                                   /*unitriangular=*/true);
  };
  auto times_u1_inv_t = [&](const Tensor& x) {
    return linalg_solve_triangular(matrix_t(U1), x, /*upper=*/false, /*left=*/false);
  };
  Tensor grad = l1_inv_t(times_u1_inv_t(tril(phi_lower, -1) + triu(phi_upper, 0)));
  if (n > m) grad = cat({grad, l1_inv_t(narrow(gU, -1, k, n - k))}, -1);
  if (m > n) grad = cat({grad, times_u1_inv_t(narrow(gL, -2, k, m - k))}, -2);
  return matmul(permutation_matrix(pivots, m, lu.dtype()), grad);
}

// grad_A of a function f(A) = h(det A) given g * dh/dlog|det| (torch's LinalgDet/Slogdet
// formulas): g A^-T (infinities or NaN for a singular A, as torch's slogdet gives).
Tensor det_grad(const Tensor& scaled_grad, const Tensor& A) {
  return unsqueeze(unsqueeze(scaled_grad, -1), -1) * matrix_t(linalg_inv_ex(A).first);
}

std::pair<Tensor, Tensor> slogdet_impl(const char* op, const Tensor& A) {
  if (A.device().is_cuda()) {
    auto [sign, logabs] = slogdet_impl(op, on_host(A));
    return {on_device(sign, A.device()), on_device(logabs, A.device())};
  }
  check_input(op, A, DtypeCheck::FullPrecision);
  check_square(op, A);
  LuFactorResult f = factor(A);
  const DimVector batch = batch_dims(A, 2);
  Tensor sign = empty_tensor(batch, A.dtype(), A.device());
  Tensor logabs = empty_tensor(batch, A.dtype(), A.device());
  cpu::lu_det_kernel(f.lu, f.pivots, sign, logabs, /*log=*/true);
  if (autograd::needs_grad({A})) {
    autograd::record("LinalgSlogdetBackward0", {A}, {sign, logabs}, {A},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       return {det_grad(c.grad(1), c.saved(0))};
                     });
  }
  return {sign, logabs};
}

std::pair<Tensor, Tensor> inv_impl(const char* op, const Tensor& A, bool check_errors) {
  if (A.device().is_cuda()) {
    auto [x, info] = inv_impl(op, on_host(A), check_errors);
    return {on_device(x, A.device()), on_device(info, A.device())};
  }
  check_input("linalg.inv", A, DtypeCheck::FullPrecision);
  check_square("linalg.inv", A);
  const int64_t n = A.size(-1);
  LuFactorResult f = factor(A);
  Tensor x = contiguous_copy(expand_view(eye(n, n, A.dtype(), A.device()), A.sizes()));
  cpu::lu_solve_kernel(f.lu, f.pivots, x);
  if (check_errors) check_singular(op, f.info, A.dim() > 2, Singular::Inverse);
  if (autograd::needs_grad({A})) {
    // d(A^-1) = -A^-1 dA A^-1, so grad_A = -A^-T g A^-T.
    autograd::record("LinalgInvExBackward0", {A}, {x}, {x},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor t = matrix_t(c.saved(0));
                       return {-matmul(t, matmul(c.grad(), t))};
                     });
  }
  return {x, f.info};
}

// X with op(A) X = B (left) or X op(A) = B, op(A) = A^T when `adjoint` else A, for A given by its
// LU factors and B a batch of matrices; the batch dims of the factors and of B broadcast.
Tensor solve_with_factors(const Tensor& lu, const Tensor& pivots, const Tensor& B, bool left,
                          bool adjoint) {
  const int64_t n = lu.size(-1);
  const DimVector batch = broadcast_shapes({batch_dims(lu, 2), batch_dims(B, 2)});
  auto ready = [&](const Tensor& t, std::initializer_list<int64_t> tail) {
    const DimVector sizes = with_dims(batch, tail);
    return t.sizes() == sizes && t.is_contiguous() ? t : contiguous_copy(expand_view(t, sizes));
  };
  const Tensor b = expand_view(B, with_dims(batch, {B.size(-2), B.size(-1)}));
  // X op(A) = B is op(A)^T X^T = B^T: solve that, and return the transpose of its solution.
  Tensor x = contiguous_copy(left ? b : matrix_t(b));
  cpu::lu_solve_kernel(ready(lu, {n, n}), ready(pivots, {n}), x, /*adjoint=*/adjoint == left);
  return left ? x : matrix_t(x);
}

// grad_A of X = op(A)^-1 B (left) or B op(A)^-1, op(A) = A^T when `adjoint`, given
// grad_B: d(A^-1) = -A^-1 dA A^-1 moved to A's side.
Tensor solve_grad_a(const Tensor& X, const Tensor& gB, bool left, bool adjoint) {
  if (left) return adjoint ? -matmul(X, matrix_t(gB)) : -matmul(gB, matrix_t(X));
  return adjoint ? -matmul(matrix_t(gB), X) : -matmul(matrix_t(X), gB);
}

// torch's rule: B is a (batch of) vector(s) when 1-D or when its shape is A's without the last dim.
bool is_vector_rhs(const Tensor& A, const Tensor& B) {
  return B.dim() == 1 || (B.dim() == A.dim() - 1 && B.sizes() == batch_dims(A, 1));
}

std::pair<Tensor, Tensor> solve_impl(const char* op, const Tensor& A, const Tensor& B, bool left,
                                     bool check_errors) {
  check_same_device("linalg.solve", A, B);
  if (A.device().is_cuda()) {
    auto [x, info] = solve_impl(op, on_host(A), on_host(B), left, check_errors);
    return {on_device(x, A.device()), on_device(info, A.device())};
  }
  check_input("linalg.solve", A, DtypeCheck::Floating);
  check_square("linalg.solve", A);
  CRESSET_CHECK(B.dim() >= 1, RuntimeError,
                "[linalg.solve] linalg.solve: The input tensor B must have at least 2 dimensions.");
  CRESSET_CHECK(A.dtype() == B.dtype(), RuntimeError,
                "[linalg.solve] linalg.solve: Expected A and B to have the same dtype, but found A "
                "of type ",
                dtype_display(A.dtype()), " and B of type ", dtype_display(B.dtype()), " instead");
  const bool vector = is_vector_rhs(A, B);
  const Tensor Bm = vector ? unsqueeze(B, -1) : B;
  const int64_t n = A.size(-1), rows = Bm.size(-2), cols = Bm.size(-1);
  CRESSET_CHECK(left ? rows == n : cols == n, RuntimeError,
                "[linalg.solve] linalg.solve: Incompatible shapes of A and B for the equation ",
                left ? "AX = B" : "XA = B", " (", n, "x", n, " and ", rows, "x", cols, ")");
  CRESSET_CHECK(left || !vector, RuntimeError,
                "[linalg.solve] linalg.solve: Vector broadcasting of the left hand side is not "
                "supported for left=False. In this case linalg.solve is equivalent to B / "
                "A.squeeze(-1)");
  // A is factored once (info has A's batch dims, as torch's).
  LuFactorResult f = factor(A);
  Tensor x = solve_with_factors(f.lu, f.pivots, Bm, left, /*adjoint=*/false);
  if (check_errors) check_singular(op, f.info, A.dim() > 2, Singular::Solve);
  if (vector) x = squeeze(x, -1);
  if (autograd::needs_grad({A, B})) {
    // AX = B: grad_B = A^-T g; XA = B: grad_B = g A^-T.
    autograd::record("LinalgSolveExBackward0", {A, B}, {x}, {A, x},
                     [left, vector, a_sizes = A.sizes(),
                      b_sizes = B.sizes()](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor At = matrix_t(c.saved(0));
                       const Tensor g = vector ? unsqueeze(c.grad(), -1) : c.grad();
                       const Tensor X = vector ? unsqueeze(c.saved(1), -1) : c.saved(1);
                       const Tensor gB = linalg_solve(At, g, left);
                       Tensor gA;
                       if (c.needs_input_grad(0)) {
                         gA = autograd::sum_to(solve_grad_a(X, gB, left, false), a_sizes);
                       }
                       return {gA, autograd::sum_to(vector ? squeeze(gB, -1) : gB, b_sizes)};
                     });
  }
  return {x, f.info};
}

}  // namespace

LuFactorResult linalg_lu_factor_ex(const Tensor& A, bool pivot, bool check_errors) {
  CRESSET_CHECK(A.dim() >= 2, RuntimeError,
                "[linalg.lu_factor] torch.lu_factor: Expected tensor with 2 or more dimensions. "
                "Got size: ",
                shape_str(A.sizes()), " instead");
  if (A.device().is_cuda()) {
    LuFactorResult f = linalg_lu_factor_ex(on_host(A), pivot, check_errors);
    for (Tensor* t : {&f.lu, &f.pivots, &f.info}) *t = on_device(*t, A.device());
    return f;
  }
  check_input("linalg.lu_factor", A, DtypeCheck::LuKernel);
  CRESSET_CHECK(pivot, RuntimeError,
                "[linalg.lu_factor] linalg.lu_factor: LU without pivoting is not implemented on "
                "the CPU");
  LuFactorResult f = factor(A);
  if (check_errors) check_singular("linalg.lu_factor_ex", f.info, A.dim() > 2, Singular::Factor);
  if (autograd::needs_grad({A})) {
    autograd::record("LinalgLuFactorExBackward0", {A}, {f.lu}, {f.lu, f.pivots},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       return {lu_factor_backward(c.saved(0), c.saved(1), c.grad())};
                     });
  }
  return f;
}

LuUnpackResult lu_unpack(const Tensor& LU, const Tensor& pivots, bool unpack_data,
                         bool unpack_pivots) {
  CRESSET_CHECK(LU.dim() >= 2, RuntimeError,
                "[lu_unpack] torch.lu_unpack: Expected tensor with 2 or more dimensions. Got "
                "size: ", shape_str(LU.sizes()), " instead");
  CRESSET_CHECK(pivots.dtype() == DType::Int32, RuntimeError,
                "[lu_unpack] torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of "
                "torch.int32 dtype.\nNote: this function is intended to be used with the output "
                "produced by torch.linalg.lu_factor");
  const int64_t m = LU.size(-2), n = LU.size(-1), k = std::min(m, n);
  CRESSET_CHECK(pivots.dim() == LU.dim() - 1 && pivots.size(-1) == k, RuntimeError,
                "[lu_unpack] torch.lu_unpack: expected LU_pivots of shape ",
                shape_str(with_dims(batch_dims(LU, 2), {k})), " for LU_data of shape ",
                shape_str(LU.sizes()), ", got ", shape_str(pivots.sizes()));
  check_same_device("lu_unpack", LU, pivots);
  LuUnpackResult r;
  const Tensor none = empty_tensor({0}, LU.dtype(), LU.device());
  r.P = unpack_pivots ? on_device(permutation_matrix(contiguous(on_host(pivots)), m, LU.dtype()),
                                  LU.device())
                      : none;
  if (!unpack_data) {
    r.L = r.U = none;
    return r;
  }
  const Tensor x = detach(LU);
  r.L = tril(narrow(x, -1, 0, k), -1) + eye(m, k, LU.dtype(), LU.device());
  r.U = triu(narrow(x, -2, 0, k), 0);
  if (autograd::needs_grad({LU})) {
    // The gradient of the packed LU: gL's strictly lower part and gU's upper part, each padded
    // to LU's shape (L spans all columns when m >= n, U all rows when m <= n).
    autograd::record("LuUnpackBackward0", {LU}, {r.L, r.U}, {},
                     [m, n, k](const autograd::Ctx& c) -> autograd::TensorList {
                       Tensor gL = tril(c.grad(0), -1), gU = triu(c.grad(1), 0);
                       auto pad = [](const Tensor& g, int64_t dim, int64_t extra) {
                         if (extra == 0) return g;
                         DimVector sizes(g.sizes().data(), size_t(g.dim()));
                         sizes[size_t(g.dim() + dim)] = extra;
                         return cat({g, zeros(sizes, g.dtype(), g.device())}, dim);
                       };
                       return {pad(gL, -1, n - k) + pad(gU, -2, m - k)};
                     });
  }
  return r;
}

LuUnpackResult linalg_lu(const Tensor& A, bool pivot) {
  LuFactorResult f = linalg_lu_factor_ex(A, pivot, false);
  return lu_unpack(f.lu, f.pivots);
}

std::pair<Tensor, Tensor> linalg_lu_factor(const Tensor& A, bool pivot) {
  if (A.device().is_cuda()) {  // the singularity check reads info on the host
    auto [lu, pivots] = linalg_lu_factor(on_host(A), pivot);
    return {on_device(lu, A.device()), on_device(pivots, A.device())};
  }
  LuFactorResult f = linalg_lu_factor_ex(A, pivot, false);
  check_singular("linalg.lu_factor", f.info, A.dim() > 2, Singular::Factor);
  return {f.lu, f.pivots};
}

Tensor linalg_det(const Tensor& A) {
  if (A.device().is_cuda()) return on_device(linalg_det(on_host(A)), A.device());
  check_input("linalg.det", A, DtypeCheck::Floating);
  check_square("linalg.det", A);
  LuFactorResult f = factor(A);
  Tensor det = empty_tensor(batch_dims(A, 2), A.dtype(), A.device());
  cpu::lu_det_kernel(f.lu, f.pivots, Tensor(), det, /*log=*/false);
  if (autograd::needs_grad({A})) {
    autograd::record("LinalgDetBackward0", {A}, {det}, {A, det},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       // Where det is exactly 0 (no inverse), torch's derivative is 0.
                       const Tensor det = c.saved(1);
                       const Tensor singular = unsqueeze(unsqueeze(det == Scalar(0.0), -1), -1);
                       const Tensor zero = full({}, Scalar(0.0), det.dtype(), det.device());
                       return {where(singular, zero, det_grad(c.grad() * det, c.saved(0)))};
                     });
  }
  return det;
}

std::pair<Tensor, Tensor> linalg_slogdet(const Tensor& A) {
  return slogdet_impl("linalg.slogdet", A);
}

Tensor logdet(const Tensor& A) {
  auto [sign, logabs] = slogdet_impl("logdet", A);
  // torch's composite: log|det| where det >= 0, NaN where it is negative.
  const Tensor nan =
      full({}, Scalar(std::numeric_limits<double>::quiet_NaN()), A.dtype(), A.device());
  return where(sign < Scalar(0.0), nan, logabs);
}

std::pair<Tensor, Tensor> linalg_inv_ex(const Tensor& A, bool check_errors) {
  return inv_impl("linalg.inv_ex", A, check_errors);
}

Tensor linalg_inv(const Tensor& A) { return inv_impl("linalg.inv", A, true).first; }

std::pair<Tensor, Tensor> linalg_solve_ex(const Tensor& A, const Tensor& B, bool left,
                                          bool check_errors) {
  return solve_impl("linalg.solve_ex", A, B, left, check_errors);
}

Tensor linalg_solve(const Tensor& A, const Tensor& B, bool left) {
  return solve_impl("linalg.solve", A, B, left, true).first;
}

Tensor linalg_solve_triangular(const Tensor& A, const Tensor& B, bool upper, bool left,
                               bool unitriangular) {
  const char* op = "linalg.solve_triangular";
  check_same_device(op, A, B);
  if (A.device().is_cuda()) {
    return on_device(
        linalg_solve_triangular(on_host(A), on_host(B), upper, left, unitriangular), A.device());
  }
  check_input(op, A, DtypeCheck::LuKernel, "triangular_solve_cpu");
  CRESSET_CHECK(B.dim() >= 2, RuntimeError, "[", op, "] ", op,
                ": The input tensor B must have at least 2 dimensions.");
  check_square(op, A);
  const int64_t n = A.size(-1), rows = B.size(-2), cols = B.size(-1);
  CRESSET_CHECK(left ? rows == n : cols == n, RuntimeError, "[", op, "] ", op,
                ": Incompatible shapes of A and B for the equation ", left ? "AX = B" : "XA = B",
                " (", n, "x", n, " and ", rows, "x", cols, ")");
  // torch's result takes A's dtype.
  const Tensor Bc = as_dtype(B, A.dtype());
  const DimVector batch = broadcast_shapes({batch_dims(A, 2), batch_dims(Bc, 2)});
  const Tensor a = contiguous_copy(expand_view(A, with_dims(batch, {n, n})));
  const Tensor b = expand_view(Bc, with_dims(batch, {rows, cols}));
  // X T = B is T^T X^T = B^T.
  Tensor x = contiguous_copy(left ? b : matrix_t(b));
  cpu::triangular_solve_kernel(a, x, upper, unitriangular, /*transpose=*/!left);
  if (!left) x = matrix_t(x);
  if (autograd::needs_grad({A, Bc})) {
    // grad_B solves with T^T; grad_A is solve's, kept to T's stored triangle.
    autograd::record(
        "LinalgSolveTriangularBackward0", {A, Bc}, {x}, {A, x},
        [upper, left, unitriangular, a_sizes = A.sizes(),
         b_sizes = Bc.sizes()](const autograd::Ctx& c) -> autograd::TensorList {
          const Tensor A = c.saved(0);
          const Tensor gB =
              linalg_solve_triangular(matrix_t(A), c.grad(), !upper, left, unitriangular);
          Tensor gA;
          if (c.needs_input_grad(0)) {
            const Tensor full_grad = solve_grad_a(c.saved(1), gB, left, false);
            const int64_t skip = unitriangular ? 1 : 0;
            gA = autograd::sum_to(upper ? triu(full_grad, skip) : tril(full_grad, -skip), a_sizes);
          }
          return {gA, autograd::sum_to(gB, b_sizes)};
        });
  }
  return x;
}

Tensor linalg_lu_solve(const Tensor& LU, const Tensor& pivots, const Tensor& B, bool left,
                       bool adjoint) {
  CRESSET_CHECK(LU.dtype() == B.dtype(), RuntimeError,
                "[linalg.lu_solve] linalg.lu_solve: Expected LU and B to have the same dtype, but "
                "found LU of type ",
                dtype_display(LU.dtype()), " and B of type ", dtype_display(B.dtype()), " instead");
  check_same_device("linalg.lu_solve", LU, B);
  check_same_device("linalg.lu_solve", LU, pivots);
  if (LU.device().is_cuda()) {
    return on_device(linalg_lu_solve(on_host(LU), on_host(pivots), on_host(B), left, adjoint),
                     LU.device());
  }
  check_input("torch.linalg.lu_solve", LU, DtypeCheck::Floating);
  check_square("torch.linalg.lu_solve", LU);
  CRESSET_CHECK(pivots.dtype() == DType::Int32, RuntimeError,
                "[linalg.lu_solve] linalg.lu_solve: pivots should be a Tensor of scalar type "
                "torch.int32");
  CRESSET_CHECK(pivots.sizes() == batch_dims(LU, 1), RuntimeError,
                "[linalg.lu_solve] linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be "
                "the same, but got pivots with shape ",
                shape_str(pivots.sizes()), " instead");
  CRESSET_CHECK(B.dim() >= 2, RuntimeError,
                "[linalg.lu_solve] torch.linalg.lu_solve: The input tensor B must have at least 2 "
                "dimensions.");
  const int64_t n = LU.size(-1), rows = B.size(-2), cols = B.size(-1);
  CRESSET_CHECK(left ? rows == n : cols == n, RuntimeError,
                "[linalg.lu_solve] linalg.lu_solve: Incompatible shapes of A and B for the "
                "equation ",
                left ? "AX = B" : "XA = B", " (", n, "x", n, " and ", rows, "x", cols, ")");
  // The kernel swaps rows by these: out-of-range pivots must not reach it.
  const Tensor piv = pivots.is_contiguous() ? pivots : contiguous_copy(pivots);
  const int32_t* p = piv.data<int32_t>();
  for (int64_t i = 0; i < piv.numel(); ++i) {
    CRESSET_CHECK(p[i] >= 1 && p[i] <= n, RuntimeError,
                  "[linalg.lu_solve] Pivots given to lu_solve must all be smaller or equal to "
                  "LU.size(-2) and at least 1. Did you properly pass the result of lu_factor?");
  }
  Tensor x = solve_with_factors(LU, piv, B, left, adjoint);
  if (autograd::needs_grad({LU, B})) {
    // With grad_A from solve_grad_a and A = P L U: grad_L = tril(P^T grad_A U^T, -1),
    // grad_U = triu(L^T P^T grad_A), packed as LU is.
    autograd::record(
        "LinalgLuSolveBackward0", {LU, B}, {x}, {LU, piv, x},
        [left, adjoint, lu_sizes = LU.sizes(),
         b_sizes = B.sizes()](const autograd::Ctx& c) -> autograd::TensorList {
          const Tensor lu = c.saved(0), pivots = c.saved(1);
          const Tensor gB = linalg_lu_solve(lu, pivots, c.grad(), left, !adjoint);
          Tensor gLU;
          if (c.needs_input_grad(0)) {
            const int64_t n = lu.size(-1);
            const Tensor L = tril(lu, -1) + eye(n, n, lu.dtype(), lu.device()), U = triu(lu, 0);
            const Tensor pt_grad_a = matmul(matrix_t(permutation_matrix(pivots, n, lu.dtype())),
                                            solve_grad_a(c.saved(2), gB, left, adjoint));
            gLU = autograd::sum_to(
                tril(matmul(pt_grad_a, matrix_t(U)), -1) + triu(matmul(matrix_t(L), pt_grad_a), 0),
                lu_sizes);
          }
          return {gLU, autograd::sum_to(gB, b_sizes)};
        });
  }
  return x;
}

}  // namespace cresset
