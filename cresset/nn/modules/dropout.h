#pragma once
// nn::Dropout and nn::Dropout2d: active in training mode, the identity in eval mode.
#include "cresset/nn/modules/functional.h"
#include "cresset/nn/modules/holder.h"

namespace cresset::nn {

/// What the dropout layers share: options (p checked in [0, 1]) and printing.
class DropoutImplBase : public Module {
 public:
  explicit DropoutImplBase(const DropoutOptions& options);
  void pretty_print(std::ostream& stream) const override;
  DropoutOptions options;
};

/// Zeroes elements with probability p, scaling the rest by 1 / (1 - p).
class DropoutImpl : public DropoutImplBase {
 public:
  explicit DropoutImpl(const DropoutOptions& options = {}) : DropoutImplBase(options) {}
  Tensor forward(const Tensor& input);
};
CRESSET_MODULE(Dropout);

/// Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p.
class Dropout2dImpl : public DropoutImplBase {
 public:
  explicit Dropout2dImpl(const DropoutOptions& options = {}) : DropoutImplBase(options) {}
  Tensor forward(const Tensor& input);
};
CRESSET_MODULE(Dropout2d);

}  // namespace cresset::nn
