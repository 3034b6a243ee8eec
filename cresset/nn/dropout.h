#pragma once
// The dropout family (torch.dropout, feature_dropout, alpha_dropout, feature_alpha_dropout). The
// masks come from cresset's Philox generator: statistically like torch's, not bit-identical.
#include "cresset/core/generator.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.dropout: in training, each element zeroed with probability p, the rest scaled by
/// 1 / (1 - p); the input itself when not training, p == 0 or empty.
Tensor dropout(const Tensor& input, double p, bool train, Generator* gen = nullptr);
Tensor dropout_(const Tensor& input, double p, bool train, Generator* gen = nullptr);
/// torch.feature_dropout: dropout of whole channels (one draw per [n, c], dim >= 2).
Tensor feature_dropout(const Tensor& input, double p, bool train, Generator* gen = nullptr);
Tensor feature_dropout_(const Tensor& input, double p, bool train, Generator* gen = nullptr);
/// torch.alpha_dropout: dropped elements set to SELU's negative saturation, then an affine map
/// that keeps zero mean and unit variance.
Tensor alpha_dropout(const Tensor& input, double p, bool train, Generator* gen = nullptr);
Tensor alpha_dropout_(const Tensor& input, double p, bool train, Generator* gen = nullptr);
/// torch.feature_alpha_dropout: alpha dropout of whole channels.
Tensor feature_alpha_dropout(const Tensor& input, double p, bool train, Generator* gen = nullptr);
Tensor feature_alpha_dropout_(const Tensor& input, double p, bool train, Generator* gen = nullptr);

}  // namespace cresset
