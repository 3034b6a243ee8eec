#pragma once
// CPU kernels of the spectral family (torch.linalg.eigh, svd, matrix_exp): Jacobi methods and a
// Padé approximant of our own. Every tensor is a contiguous batch of Float32 or Float64
// matrices; batches run in parallel. The work is scalar double-precision code (a Float32 input is
// computed in double and rounded once), so it is compiled once, not per capability.
#include "cresset/core/tensor.h"

namespace cresset::cpu {

/// Eigenvalues w ([batch, n], ascending) and, when v is defined, orthonormal eigenvectors v
/// ([batch, n, n], column j for w[j]) of the symmetric matrices whose upper or lower triangle
/// `a` ([batch, n, n]) holds (all NaN for a non-finite matrix). info ([batch], Int32) is 1 where
/// the iteration did not converge, else 0.
void eigh_kernel(const Tensor& a, const Tensor& w, const Tensor& v, const Tensor& info, bool upper);
/// Singular values s ([batch, k], descending, k = min(m, n)) of a ([batch, m, n]) and, when u and
/// vh are defined, singular vectors with a = u diag(s) vh: u [batch, m, k or m] and vh
/// [batch, k or n, n] (their shapes say whether the orthonormal bases are completed). info
/// ([batch], Int32) is 1 where a matrix is not finite or the iteration did not converge, else 0.
void svd_kernel(const Tensor& a, const Tensor& u, const Tensor& s, const Tensor& vh,
                const Tensor& info);
/// out ([batch, n, n]) = exp(a) by scaling and squaring with the degree-13 Padé approximant.
void matrix_exp_kernel(const Tensor& a, const Tensor& out);

}  // namespace cresset::cpu
