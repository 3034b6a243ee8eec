#pragma once
// nn::BatchNorm1d, nn::BatchNorm2d, nn::LayerNorm, nn::GroupNorm.
#include <optional>
#include <vector>

#include "cresset/core/arg.h"
#include "cresset/nn/modules/holder.h"

namespace cresset::nn {

/// momentum nullopt: running stats are the cumulative average over the batches seen.
struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT: implicit
  CRESSET_ARG(int64_t, num_features);
  CRESSET_ARG(double, eps) = 1e-5;
  CRESSET_ARG(std::optional<double>, momentum) = 0.1;
  CRESSET_ARG(bool, affine) = true;
  CRESSET_ARG(bool, track_running_stats) = true;
};

/// What BatchNorm1d and BatchNorm2d share. Parameters weight and bias (with affine); buffers
/// running_mean, running_var and num_batches_tracked (with track_running_stats). In training
/// the batch statistics normalize and update the running ones; in eval mode the running ones
/// normalize.
class BatchNormImplBase : public Module {
 public:
  BatchNormImplBase(const BatchNormOptions& options, int64_t min_dims, int64_t max_dims);
  Tensor forward(const Tensor& input);
  /// Sets the running statistics to mean 0, variance 1 and no batches.
  void reset_running_stats();
  /// reset_running_stats, weight to 1 and bias to 0.
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  BatchNormOptions options;
  Tensor weight;
  Tensor bias;
  Tensor running_mean;
  Tensor running_var;
  Tensor num_batches_tracked;

 private:
  int64_t min_dims_, max_dims_;
};

/// Batch norm over [N, C] or [N, C, L].
class BatchNorm1dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm1dImpl(const BatchNormOptions& options) : BatchNormImplBase(options, 2, 3) {}
};
CRESSET_MODULE(BatchNorm1d);

/// Batch norm over [N, C, H, W].
class BatchNorm2dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm2dImpl(const BatchNormOptions& options) : BatchNormImplBase(options, 4, 4) {}
};
CRESSET_MODULE(BatchNorm2d);

struct LayerNormOptions {
  LayerNormOptions(std::vector<int64_t> normalized_shape)  // NOLINT: implicit
      : normalized_shape_(std::move(normalized_shape)) {}
  CRESSET_ARG(std::vector<int64_t>, normalized_shape);
  CRESSET_ARG(double, eps) = 1e-5;
  CRESSET_ARG(bool, elementwise_affine) = true;
  CRESSET_ARG(bool, bias) = true;
};

/// Normalizes over the trailing normalized_shape dims; weight (ones) and bias (zeros) of that
/// shape with elementwise_affine.
class LayerNormImpl : public Module {
 public:
  explicit LayerNormImpl(const LayerNormOptions& options);
  Tensor forward(const Tensor& input);
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  LayerNormOptions options;
  Tensor weight;
  Tensor bias;
};
CRESSET_MODULE(LayerNorm);

struct GroupNormOptions {
  GroupNormOptions(int64_t num_groups, int64_t num_channels)
      : num_groups_(num_groups), num_channels_(num_channels) {}
  CRESSET_ARG(int64_t, num_groups);
  CRESSET_ARG(int64_t, num_channels);
  CRESSET_ARG(double, eps) = 1e-5;
  CRESSET_ARG(bool, affine) = true;
};

/// Normalizes each of num_groups channel groups per sample; per-channel weight and bias.
class GroupNormImpl : public Module {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels)
      : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  explicit GroupNormImpl(const GroupNormOptions& options);
  Tensor forward(const Tensor& input);
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  GroupNormOptions options;
  Tensor weight;
  Tensor bias;
};
CRESSET_MODULE(GroupNorm);

}  // namespace cresset::nn
