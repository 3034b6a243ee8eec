#pragma once
// nn::Linear, nn::Identity, nn::Flatten.
#include "cresset/core/arg.h"
#include "cresset/nn/modules/holder.h"

namespace cresset::nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  CRESSET_ARG(int64_t, in_features);
  CRESSET_ARG(int64_t, out_features);
  CRESSET_ARG(bool, bias) = true;
};

/// y = x W^T + b over the last dim; weight [out_features, in_features], bias [out_features].
class LinearImpl : public Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features)
      : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions& options);
  /// Re-draws weight and bias with torch's default initialisation.
  void reset_parameters();
  /// RuntimeError naming the layer when the last dim of input is not in_features.
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& stream) const override;

  LinearOptions options;
  Tensor weight;
  Tensor bias;
};
CRESSET_MODULE(Linear);

/// Returns its input.
class IdentityImpl : public Module {
 public:
  Tensor forward(const Tensor& input) { return input; }
};
CRESSET_MODULE(Identity);

struct FlattenOptions {
  CRESSET_ARG(int64_t, start_dim) = 1;
  CRESSET_ARG(int64_t, end_dim) = -1;
};

/// Flattens dims start_dim..end_dim into one.
class FlattenImpl : public Module {
 public:
  explicit FlattenImpl(const FlattenOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& stream) const override;

  FlattenOptions options;
};
CRESSET_MODULE(Flatten);

}  // namespace cresset::nn
