#pragma once
// CPU kernels of the Cholesky and QR families (torch.linalg.cholesky, qr, lstsq, geqrf,
// householder_product): a blocked Cholesky and Householder QR of our own, with LAPACK's
// conventions (potrf's info, geqrf's reflectors, gelsy's pivoted rank decision), so results agree
// with torch's up to rounding. Every tensor is a contiguous batch of Float32 or Float64 matrices;
// batches run in parallel.
#include "cresset/core/tensor.h"

namespace cresset::cpu {

/// Factors each matrix of `u` ([batch, n, n], only its upper triangle read) in place as A = U^T U,
/// U upper triangular with zeros below. info ([batch], Int32) gets LAPACK potrf's: 0, or the
/// order of the first leading minor that is not positive-definite; U's rows from that one keep
/// the partial results of the factorization there, as LAPACK's do.
void cholesky_kernel(const Tensor& u, const Tensor& info);
/// Householder QR of each m x n matrix A (LAPACK's geqrf) stored by columns: row j of `a`
/// ([batch, n, m]) is column j of A. On return R is on and above the diagonal (read by columns)
/// and reflector i's vector v (v[i] = 1 implied) below it; tau ([batch, min(m, n)]) gets the
/// scales of H_i = I - tau_i v v^T, A = H_0 ... H_{k-1} R.
void geqrf_kernel(const Tensor& a, const Tensor& tau);
/// The first c columns of Q = H_0 ... H_{k-1} (LAPACK's orgqr) from geqrf_kernel's `a` ([batch,
/// n, m], n >= k) and tau ([batch, k]), written as the rows of q ([batch, c, m], k <= c <= m).
void orgqr_kernel(const Tensor& a, const Tensor& tau, const Tensor& q);
/// Least squares for each m x n A (stored by columns in `a`, [batch, n, m], overwritten) and the
/// k columns of B (rows of `b`, [batch, k, max(m, n)], first m entries read): each row's first n
/// entries get the minimum-norm solution of the problem truncated to the effective rank; for
/// m > n its entries n.. keep the tail of Q^T b, whose squares sum to the residual. With `pivot`
/// (LAPACK's gelsy) columns are pivoted and `rank` ([batch], Int64) gets the largest rank whose
/// estimated condition stays below 1 / rcond. Without (gels: QR, or LQ for a wide A) it gets
/// min(m, n), or, when the triangular factor has a zero on its diagonal, that entry's index
/// (the op raises then; b is left unsolved). A zero A gets a zero solution either way.
void lstsq_kernel(const Tensor& a, const Tensor& b, const Tensor& rank, double rcond, bool pivot);

}  // namespace cresset::cpu
