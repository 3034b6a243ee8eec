#pragma once
// CPU kernels of the view family's copying ops. They move whole elements as raw bytes, so one
// instantiation per element size serves every dtype and ISA-specific builds would gain nothing.
#include "cresset/core/tensor.h"

namespace cresset::cpu {

/// tril/triu over the last two dims: out[..., i, j] = self[..., i, j] where the element is kept
/// (j - i <= diagonal for lower, j - i >= diagonal otherwise) and 0 elsewhere. `out` may be
/// `self` (in place); both have the same shape and dtype, any strides.
void tril_triu(const Tensor& out, const Tensor& self, int64_t diagonal, bool lower);

/// out = self.index_select(dim, index) for a contiguous `self` and `out`, with an int64 `index`
/// whose entries are already checked to lie in [0, self.size(dim)).
void gather_slices(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index);

}  // namespace cresset::cpu
