#pragma once
// The spectral family of torch.linalg (cresset/ops/linalg_spectral.cpp): eigh, svd and what is
// built on them (pinv, matrix_rank, cond), and matrix_exp, over batches of Float32/Float64
// matrices on cresset's own kernels (backend/cpu/spectral.h), with torch's autograd nodes.
#include <optional>
#include <string>
#include <utility>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.linalg.eigh: (eigenvalues ascending, orthonormal eigenvectors as columns) of the
/// symmetric matrices given by their lower (UPLO "L") or upper ("U") triangle.
std::pair<Tensor, Tensor> linalg_eigh(const Tensor& A, const std::string& uplo = "L");
/// torch.linalg.eigvalsh: eigh's eigenvalues.
Tensor linalg_eigvalsh(const Tensor& A, const std::string& uplo = "L");

/// The three results of an SVD, A = U diag(S) Vh (V instead of Vh for torch.svd).
struct SvdResult {
  Tensor U, S, Vh;
};
/// torch.linalg.svd: singular values descending; U and Vh square when `full_matrices`.
SvdResult linalg_svd(const Tensor& A, bool full_matrices = true);
/// torch.linalg.svdvals: the singular values, descending.
Tensor linalg_svdvals(const Tensor& A);
/// torch.svd: (U, S, V) with thin factors when `some`; zero U and V when not `compute_uv`.
SvdResult svd(const Tensor& A, bool some = true, bool compute_uv = true);

/// torch.linalg.pinv: the pseudoinverse, dropping singular values (eigenvalues when `hermitian`)
/// at most max(atol, rtol * the largest); atol and rtol are tensors broadcasting with the batch.
Tensor linalg_pinv(const Tensor& A, const std::optional<Tensor>& atol = std::nullopt,
                   const std::optional<Tensor>& rtol = std::nullopt, bool hermitian = false);
/// torch.pinverse: pinv with rtol = rcond.
Tensor pinverse(const Tensor& A, double rcond = 1e-15);
/// torch.linalg.matrix_rank: the number of singular values above pinv's tolerance (Int64).
Tensor linalg_matrix_rank(const Tensor& A, const std::optional<Tensor>& atol = std::nullopt,
                          const std::optional<Tensor>& rtol = std::nullopt, bool hermitian = false);
/// torch.linalg.cond with a numeric p (2, -2, 1, -1, inf, -inf).
Tensor linalg_cond(const Tensor& A, double p = 2);
/// torch.linalg.cond with p "fro" or "nuc".
Tensor linalg_cond(const Tensor& A, const std::string& p);

/// torch.linalg.matrix_exp: exp of each square matrix of the batch.
Tensor linalg_matrix_exp(const Tensor& A);

}  // namespace cresset
