#pragma once
// Embedding lookups (torch.embedding, embedding_renorm_) and torch.nn.functional.one_hot.
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.embedding: the rows of the 2-D `weight` at `indices` (int64 or int32), shaped
/// indices.shape + [embedding_dim]. The weight's gradient skips padding_idx (-1: none) and, with
/// scale_grad_by_freq, divides each row's gradient by its index's count in the batch.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1,
                 bool scale_grad_by_freq = false, bool sparse = false);
/// torch.nn.functional.embedding_bag over 1-D `indices` (int64 or int32) cut into bags at
/// `offsets` (int64 or int32; with include_last_offset the last offset ends the last bag, else
/// the input's end does): each bag's sum (times per_sample_weights, if defined), mean or max (mode
/// 0, 1, 2) of weight's rows, entries equal to padding_idx (-1: none) skipped, zeros for an
/// empty bag. Records EmbeddingBagBackward0 (weight, per_sample_weights).
Tensor embedding_bag(const Tensor& weight, const Tensor& indices, const Tensor& offsets,
                     bool scale_grad_by_freq = false, int64_t mode = 0,
                     const Tensor& per_sample_weights = Tensor(), bool include_last_offset = false,
                     int64_t padding_idx = -1);
/// torch.embedding_renorm_: rescales, in place and without grad, the rows of self at `indices`
/// whose norm_type-norm exceeds max_norm to norm max_norm. Returns self.
Tensor embedding_renorm_(const Tensor& self, const Tensor& indices, double max_norm,
                         double norm_type);
/// torch.nn.functional.one_hot: int64 tensor of shape self.shape + [num_classes] with a 1 at each
/// index (num_classes -1: max index + 1).
Tensor one_hot(const Tensor& self, int64_t num_classes = -1);

}  // namespace cresset
