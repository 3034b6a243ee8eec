#pragma once
// CPU kernels of EmbeddingBag. They gather rows and add them up (memory bound), so they are
// compiled once (no per-capability copies, see Note [CPU capability dispatch]).
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset::cpu {

/// The bags of an embedding_bag: bag b holds positions [starts[b], starts[b + 1]) of `indices`
/// (int64, contiguous, range-checked); entries equal to padding_idx (-1: none) are skipped.
struct EmbeddingBags {
  Tensor indices;
  std::vector<int64_t> starts;
  Tensor per_sample_weights;  // undefined, or contiguous and of the weight's dtype
  int64_t mode = 0;           // 0 sum, 1 mean, 2 max
  int64_t padding_idx = -1;
  int64_t num_bags() const { return int64_t(starts.size()) - 1; }
};

/// out [num_bags, dim] = each bag's sum (rows times their per-sample weight), mean (over the
/// entries not skipped) or elementwise max of weight's rows (weight contiguous [n, dim]); an empty
/// bag gives zeros. For max, argmax [num_bags, dim] (int64) receives the row of each maximum
/// (the first on ties, -1 for an empty bag).
void embedding_bag_forward(const Tensor& out, const Tensor& argmax, const Tensor& weight,
                           const EmbeddingBags& bags);
/// The weight gradient (zeroed [n, dim], weight's dtype) of embedding_bag_forward for the
/// contiguous output gradient `grad`; with scale_grad_by_freq each row's gradient is divided by
/// the number of times its index occurs.
void embedding_bag_weight_grad(const Tensor& grad_weight, const Tensor& grad, const Tensor& argmax,
                               const EmbeddingBags& bags, bool scale_grad_by_freq);
/// The per_sample_weights gradient (sum mode, one entry per index, 0 at skipped entries): the dot
/// product of the output gradient of its bag and its weight row.
void embedding_bag_sample_weight_grad(const Tensor& grad_psw, const Tensor& grad,
                                      const Tensor& weight, const EmbeddingBags& bags);

}  // namespace cresset::cpu
