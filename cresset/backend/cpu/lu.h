#pragma once
// CPU kernels of the LU family (torch.linalg.lu_factor, det, slogdet, inv, solve, lu_solve,
// solve_triangular): a blocked LU with partial pivoting of our own, triangular solves, and
// determinants from the factors. Every tensor is a contiguous batch of Float32 or Float64
// matrices; batches run in parallel.
#include "cresset/core/tensor.h"

namespace cresset::cpu {

/// Factors each matrix of `lu` ([batch, m, n]) in place as P L U (L unit lower, packed below U).
/// pivots ([batch, min(m, n)], Int32) get LAPACK's 1-based row swaps; info ([batch], Int32) the
/// 1-based index of the first exactly-zero pivot, 0 when there is none.
void lu_factor_kernel(const Tensor& lu, const Tensor& pivots, const Tensor& info);
/// Overwrites each b ([batch, n, k]) with A^-1 b (A^-T b when `adjoint`), A given by
/// lu_factor_kernel's lu ([batch, n, n]) and pivots ([batch, n], each in [1, n]).
void lu_solve_kernel(const Tensor& lu, const Tensor& pivots, const Tensor& b, bool adjoint = false);
/// Overwrites each b ([batch, n, k]) with T^-1 b, T the upper or lower triangle of a ([batch, n,
/// n]) with a unit diagonal when `unit`, or its transpose when `transpose`.
void triangular_solve_kernel(const Tensor& a, const Tensor& b, bool upper, bool unit,
                             bool transpose);
/// From lu_factor_kernel's lu ([batch, n, n]) and pivots: `value` ([batch]) gets det(A), or
/// log|det(A)| with `sign` ([batch], may be undefined otherwise) the sign of det(A) when `log`.
void lu_det_kernel(const Tensor& lu, const Tensor& pivots, const Tensor& sign, const Tensor& value,
                   bool log);

}  // namespace cresset::cpu
