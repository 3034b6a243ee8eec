#pragma once
// Distances between tensors: torch.cosine_similarity, torch.pairwise_distance, torch.pdist.
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.cosine_similarity: <x1, x2> / (max(||x1||, eps) * max(||x2||, eps)) along dim (operands
/// broadcast; integer operands computed in the floating result dtype).
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim = 1, double eps = 1e-8);
/// torch.pairwise_distance: the p-norm of x1 - x2 + eps along the last dim.
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2, double eps = 1e-6,
                         bool keepdim = false);
/// torch.pdist: the p-norm distances between the rows of a 2-D input, row pairs i < j in order.
Tensor pdist(const Tensor& self, double p = 2);

}  // namespace cresset
