#pragma once
// nn::Dropout and nn::Dropout2d: active in training mode, the identity in eval mode.
#include "cresset/nn/modules/functional.h"
#include "cresset/nn/modules/holder.h"

namespace cresset::nn {

/// Zeroes elements with probability p, scaling the rest by 1 / (1 - p).
class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(const DropoutOptions& options = {});
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& stream) const override;
  DropoutOptions options;
};
CRESSET_MODULE(Dropout);

/// Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p.
class Dropout2dImpl : public Module {
 public:
  explicit Dropout2dImpl(const DropoutOptions& options = {});
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& stream) const override;
  DropoutOptions options;
};
CRESSET_MODULE(Dropout2d);

}  // namespace cresset::nn
