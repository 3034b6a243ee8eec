#pragma once
// Batch assembly shared by the in-memory datasets (MNIST, TensorDataset).
#include <cstddef>
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset::data {

/// The rows `indices` of `source` (along dim 0) as one new contiguous tensor: a single copy, row
/// by row, when `source` is contiguous. Throws IndexError naming `what` for an index past the end.
Tensor gather_rows(const Tensor& source, const std::vector<size_t>& indices, const char* what);

/// Throws IndexError unless index < size: "[what] index i is out of range for n examples".
void check_index(size_t index, size_t size, const char* what);

}  // namespace cresset::data
