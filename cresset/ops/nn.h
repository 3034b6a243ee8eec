#pragma once
// Neural-network functional ops that live in the core (softmax family; conv, pooling,
// normalisation and losses join with the nn issue).
#include <optional>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.softmax: exp(x - max) / sum(exp(x - max)) along `dim`; `dtype` casts the input first.
Tensor softmax(const Tensor& self, int64_t dim, std::optional<DType> dtype = std::nullopt);
/// torch.log_softmax: x - max - log(sum(exp(x - max))) along `dim`.
Tensor log_softmax(const Tensor& self, int64_t dim, std::optional<DType> dtype = std::nullopt);

}  // namespace cresset
