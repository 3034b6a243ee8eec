#include "cresset/nn/modules/embedding.h"

#include "cresset/autograd/grad_mode.h"
#include "cresset/nn/embedding.h"
#include "cresset/nn/modules/init.h"
#include "cresset/ops/ops.h"

namespace cresset::nn {

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions& options) : options(options) {
  if (auto idx = options.padding_idx()) {
    const int64_t n = options.num_embeddings();
    CRESSET_CHECK(*idx < n && *idx >= -n, ValueError,
                  "[nn::Embedding] Padding_idx must be within num_embeddings");
    if (*idx < 0) this->options.padding_idx(*idx + n);
  }
  weight = register_parameter(
      "weight", empty_tensor({options.num_embeddings(), options.embedding_dim()}, default_dtype()));
  reset_parameters();
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (auto idx = options.padding_idx()) init::zeros_(select(weight, 0, *idx));
}

Tensor EmbeddingImpl::forward(const Tensor& indices) {
  if (auto max_norm = options.max_norm()) {
    autograd::AutoGradMode no_grad(false);
    embedding_renorm_(weight, contiguous(indices), *max_norm, options.norm_type());
  }
  return embedding(weight, indices, options.padding_idx().value_or(-1),
                   options.scale_grad_by_freq(), options.sparse());
}

void EmbeddingImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(num_embeddings=" << options.num_embeddings()
         << ", embedding_dim=" << options.embedding_dim();
  if (auto idx = options.padding_idx()) stream << ", padding_idx=" << *idx;
  if (auto max_norm = options.max_norm()) stream << ", max_norm=" << *max_norm;
  stream << ")";
}

}  // namespace cresset::nn
