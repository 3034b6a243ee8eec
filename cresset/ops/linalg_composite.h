#pragma once
// The small composites of torch.linalg (cresset/ops/linalg_composite.cpp), written in other ops
// so their autograd comes free: diagonal, vecdot, multi_dot, vander, tensorinv, tensorsolve.
#include <optional>
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.linalg.diagonal: torch.diagonal with matrix defaults (the last two dims).
Tensor linalg_diagonal(const Tensor& A, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1);
/// torch.linalg.vecdot: sum(x * y) along `dim`, x and y broadcast and of one dtype.
Tensor linalg_vecdot(const Tensor& x, const Tensor& y, int64_t dim = -1);
/// torch.linalg.multi_dot: the chain product in the cheapest order; a 1-D first (last) operand
/// is a row (column) vector whose dim is dropped from the result.
Tensor linalg_multi_dot(const std::vector<Tensor>& tensors);
/// torch.linalg.vander: columns x^0, x^1 ... x^(N-1) (N defaults to x.size(-1)).
Tensor linalg_vander(const Tensor& x, std::optional<int64_t> N = std::nullopt);
/// torch.linalg.tensorinv: the inverse of A read as a prod(shape[:ind]) square matrix.
Tensor linalg_tensorinv(const Tensor& A, int64_t ind = 2);
/// torch.linalg.tensorsolve: X with tensordot(A, X, X.dim()) = B (`dims` of A moved last first).
Tensor linalg_tensorsolve(const Tensor& A, const Tensor& B,
                          const std::optional<DimVector>& dims = std::nullopt);

}  // namespace cresset
