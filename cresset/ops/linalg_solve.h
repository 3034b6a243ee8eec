#pragma once
// The LU family of torch.linalg (cresset/ops/linalg_solve.cpp): lu_factor, det, slogdet, logdet,
// inv and solve over batches of Float32/Float64 matrices, on cresset's own LU
// (backend/cpu/lu.h), with torch's errors for singular inputs and torch's autograd nodes.
#include <utility>

#include "cresset/core/error.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.linalg.LinAlgError, a RuntimeError: a singular matrix where an op needs its inverse.
class LinAlgError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

/// torch.linalg.lu_factor_ex: (LU, pivots (Int32, 1-based), info (Int32)).
struct LuFactorResult {
  Tensor lu, pivots, info;
};
LuFactorResult linalg_lu_factor_ex(const Tensor& A, bool pivot = true, bool check_errors = false);
/// torch.linalg.lu_factor: (LU, pivots); raises torch's error when a pivot is zero.
std::pair<Tensor, Tensor> linalg_lu_factor(const Tensor& A, bool pivot = true);
/// torch.linalg.det (also torch.det): determinants of the batch's square matrices.
Tensor linalg_det(const Tensor& A);
/// torch.linalg.slogdet: (sign, log|det|).
std::pair<Tensor, Tensor> linalg_slogdet(const Tensor& A);
/// torch.logdet: log(det), NaN where det < 0.
Tensor logdet(const Tensor& A);
/// torch.linalg.inv_ex: (inverse, info); raises on a singular matrix only when check_errors.
std::pair<Tensor, Tensor> linalg_inv_ex(const Tensor& A, bool check_errors = false);
/// torch.linalg.inv (also torch.inverse): raises torch's LinAlgError on a singular matrix.
Tensor linalg_inv(const Tensor& A);
/// torch.linalg.solve_ex: (X, info) with AX = B (left) or XA = B; B a (batch of) vector(s) or
/// matrices, batch dims broadcast.
std::pair<Tensor, Tensor> linalg_solve_ex(const Tensor& A, const Tensor& B, bool left = true,
                                          bool check_errors = false);
/// torch.linalg.solve.
Tensor linalg_solve(const Tensor& A, const Tensor& B, bool left = true);
/// torch.linalg.solve_triangular: X with T X = B (left) or X T = B, T the upper or lower triangle
/// of A (unit diagonal when `unitriangular`); batch dims broadcast, B takes A's dtype.
Tensor linalg_solve_triangular(const Tensor& A, const Tensor& B, bool upper, bool left = true,
                               bool unitriangular = false);
/// torch.lu_unpack: (P, L, U) with A = P L U from lu_factor's LU and pivots: P m x m, L m x k
/// (unit lower), U k x n, k = min(m, n); P (or L and U) empty when not unpack_pivots
/// (unpack_data).
struct LuUnpackResult {
  Tensor P, L, U;
};
LuUnpackResult lu_unpack(const Tensor& LU, const Tensor& pivots, bool unpack_data = true,
                         bool unpack_pivots = true);
/// torch.linalg.lu: (P, L, U) of A = P L U (partial pivoting).
LuUnpackResult linalg_lu(const Tensor& A, bool pivot = true);
/// torch.linalg.lu_solve: X with op(A) X = B (left) or X op(A) = B, A given by lu_factor's LU and
/// pivots, op(A) = A^T when `adjoint`; batch dims broadcast.
Tensor linalg_lu_solve(const Tensor& LU, const Tensor& pivots, const Tensor& B, bool left = true,
                       bool adjoint = false);

}  // namespace cresset
