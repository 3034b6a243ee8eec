#pragma once
// Structural composites of torch's API: splits along fixed dims, block and flattened diagonals,
// index sets (tril/triu_indices, combinations, cartesian products, unravel_index) and the
// Vandermonde matrix. Each is written in other ops, so autograd comes from them.
#include <optional>
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.hsplit / vsplit / dsplit with a number of equal sections.
std::vector<Tensor> hsplit(const Tensor& self, int64_t sections);
std::vector<Tensor> vsplit(const Tensor& self, int64_t sections);
std::vector<Tensor> dsplit(const Tensor& self, int64_t sections);
/// The same with split indices.
std::vector<Tensor> hsplit(const Tensor& self, const DimVector& indices);
std::vector<Tensor> vsplit(const Tensor& self, const DimVector& indices);
std::vector<Tensor> dsplit(const Tensor& self, const DimVector& indices);

/// torch.block_diag: the tensors (at most 2-D) on the diagonal of one matrix, types promoted.
Tensor block_diag(const std::vector<Tensor>& tensors);
/// torch.cartesian_prod: every combination of the 1-D tensors' elements, one per row.
Tensor cartesian_prod(const std::vector<Tensor>& tensors);
/// torch.combinations: the r-element combinations of a 1-D tensor, in lexicographic order.
Tensor combinations(const Tensor& self, int64_t r = 2, bool with_replacement = false);
/// torch.diagflat: the flattened input on diagonal `offset` of a square matrix.
Tensor diagflat(const Tensor& self, int64_t offset = 0);
/// torch.tril_indices / triu_indices: the (2, N) coordinates of a triangle of a row x col matrix.
Tensor tril_indices(int64_t row, int64_t col, int64_t offset, DType dtype, Device device);
Tensor triu_indices(int64_t row, int64_t col, int64_t offset, DType dtype, Device device);
/// torch.vander: columns x^(N-1) ... x^0 (or increasing); integers compute in int64.
Tensor vander(const Tensor& x, std::optional<int64_t> n = std::nullopt, bool increasing = false);
/// torch.unravel_index: the coordinates of flat indices in `shape`, one tensor per dim.
std::vector<Tensor> unravel_index(const Tensor& indices, const DimVector& shape);

}  // namespace cresset
