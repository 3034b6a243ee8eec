#pragma once
// The Cholesky and QR families of torch.linalg (cresset/ops/linalg_factor.cpp): cholesky(_ex),
// cholesky_solve, cholesky_inverse, qr, geqrf, householder_product and lstsq over batches of
// Float32/Float64 matrices, on cresset's own factorizations (backend/cpu/linalg_factor.h), with
// torch's errors, result layouts and autograd nodes.
#include <optional>
#include <string>
#include <utility>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.linalg.cholesky_ex: (L, info) with A = L L^T (A's lower triangle read), or (U, info)
/// with A = U^T U (its upper triangle) when `upper`; info as LAPACK's potrf. Raises torch's
/// LinAlgError for a matrix that is not positive-definite only when check_errors.
std::pair<Tensor, Tensor> linalg_cholesky_ex(const Tensor& A, bool upper = false,
                                             bool check_errors = false);
/// torch.linalg.cholesky: raises torch's LinAlgError for a matrix that is not positive-definite.
Tensor linalg_cholesky(const Tensor& A, bool upper = false);
/// torch.cholesky (deprecated in torch): linalg.cholesky under its own name and node.
Tensor cholesky(const Tensor& A, bool upper = false);
/// torch.cholesky_solve: X with A X = B for A = L L^T (or U^T U when `upper`) given its factor;
/// batch dims broadcast.
Tensor cholesky_solve(const Tensor& B, const Tensor& L, bool upper = false);
/// torch.cholesky_inverse: A^-1 for A = L L^T (or U^T U when `upper`) given its factor.
Tensor cholesky_inverse(const Tensor& L, bool upper = false);

/// torch.linalg.qr: (Q, R) with A = Q R by Householder reflections (LAPACK's signs); `mode`
/// "reduced" (Q m x k, R k x n, k = min(m, n)), "complete" (Q m x m, R m x n) or "r" (R only,
/// Q an empty tensor).
std::pair<Tensor, Tensor> linalg_qr(const Tensor& A, const std::string& mode = "reduced");
/// torch.geqrf: LAPACK's packed QR (R and the reflectors' vectors) and the reflectors' scales.
std::pair<Tensor, Tensor> geqrf(const Tensor& A);
/// torch.linalg.householder_product: the first n columns of H_0 ... H_{k-1}, H_i = I - tau_i v_i
/// v_i^T with v_i column i of A below its diagonal (and 1 on it), as LAPACK's orgqr.
Tensor linalg_householder_product(const Tensor& A, const Tensor& tau);

/// torch.linalg.lstsq's named tuple; fields a driver does not compute are empty tensors.
struct LstsqResult {
  Tensor solution, residuals, rank, singular_values;
};
/// torch.linalg.lstsq: the least-squares (minimum-norm where underdetermined) solution of
/// A X = B, batch dims broadcast. Drivers "gelsy" (the default: column pivoting and the effective
/// rank for rcond, default eps * max(m, n)), "gels" (QR, assumes full rank) and the SVD drivers
/// "gelsd" and "gelss" (singular values above rcond * the largest, which they also return).
LstsqResult linalg_lstsq(const Tensor& A, const Tensor& B,
                         std::optional<double> rcond = std::nullopt,
                         const std::optional<std::string>& driver = std::nullopt);

}  // namespace cresset
