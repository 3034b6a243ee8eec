#pragma once
// nn::Embedding: a lookup table of num_embeddings vectors of size embedding_dim.
#include <optional>

#include "cresset/core/arg.h"
#include "cresset/nn/modules/holder.h"

namespace cresset::nn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  CRESSET_ARG(int64_t, num_embeddings);
  CRESSET_ARG(int64_t, embedding_dim);
  /// The row that gets no gradient and starts at zero (negative counts from the end).
  CRESSET_ARG(std::optional<int64_t>, padding_idx) = std::nullopt;
  /// Rows looked up are first renormalized in place to this norm_type norm at most.
  CRESSET_ARG(std::optional<double>, max_norm) = std::nullopt;
  CRESSET_ARG(double, norm_type) = 2.0;
  CRESSET_ARG(bool, scale_grad_by_freq) = false;
  CRESSET_ARG(bool, sparse) = false;
};

/// weight [num_embeddings, embedding_dim] ~ N(0, 1); forward(indices) gives the rows at indices.
class EmbeddingImpl : public Module {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(const EmbeddingOptions& options);
  void reset_parameters();
  Tensor forward(const Tensor& indices);
  void pretty_print(std::ostream& stream) const override;

  EmbeddingOptions options;
  Tensor weight;
};
CRESSET_MODULE(Embedding);

}  // namespace cresset::nn
