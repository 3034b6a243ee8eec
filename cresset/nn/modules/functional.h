#pragma once
// cresset::nn::functional (alias nn::F): the functional layer of the C++ frontend, spelled as
// libtorch's torch::nn::functional. Every function forwards to the C++ op the Python
// torch.nn.functional function calls (cresset/nn/*.h, cresset/ops/*.h): no op semantics live
// here, only argument plumbing. Functions with several options take an options object:
// `F::cross_entropy(x, y, F::CrossEntropyFuncOptions().reduction(cresset::kSum))`.
#include <optional>
#include <string>
#include <vector>

#include "cresset/core/arg.h"
#include "cresset/core/tensor.h"
#include "cresset/nn/loss.h"
#include "cresset/nn/modules/expanding_array.h"

namespace cresset {

/// Loss reductions, as libtorch's torch::kNone / kMean / kSum; kBatchMean only for kl_div.
inline constexpr Reduction kNone = kReductionNone;
inline constexpr Reduction kMean = kReductionMean;
inline constexpr Reduction kSum = kReductionSum;
inline constexpr Reduction kBatchMean = static_cast<Reduction>(3);

}  // namespace cresset

namespace cresset::nn {

// ---- options shared by modules and functions ----

/// Options of nn::Dropout / Dropout2d and F::dropout / dropout2d.
struct DropoutOptions {
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: implicit, `nn::Dropout(0.2)`
  CRESSET_ARG(double, p);
  CRESSET_ARG(bool, inplace) = false;
};

/// Options of nn::MaxPool{1,2}d and F::max_pool{1,2}d; stride defaults to kernel_size.
template <size_t D>
struct MaxPoolOptions {
  MaxPoolOptions(ExpandingArray<D> kernel_size)  // NOLINT: implicit, `nn::MaxPool2d(2)`
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  CRESSET_ARG(ExpandingArray<D>, kernel_size);
  CRESSET_ARG(ExpandingArray<D>, stride);
  CRESSET_ARG(ExpandingArray<D>, padding) = 0;
  CRESSET_ARG(ExpandingArray<D>, dilation) = 1;
  CRESSET_ARG(bool, ceil_mode) = false;
};
using MaxPool1dOptions = MaxPoolOptions<1>;
using MaxPool2dOptions = MaxPoolOptions<2>;

/// Options of nn::AvgPool{1,2}d and F::avg_pool{1,2}d; stride defaults to kernel_size.
template <size_t D>
struct AvgPoolOptions {
  AvgPoolOptions(ExpandingArray<D> kernel_size)  // NOLINT: implicit, `nn::AvgPool2d(2)`
      : kernel_size_(kernel_size), stride_(kernel_size) {}
  CRESSET_ARG(ExpandingArray<D>, kernel_size);
  CRESSET_ARG(ExpandingArray<D>, stride);
  CRESSET_ARG(ExpandingArray<D>, padding) = 0;
  CRESSET_ARG(bool, ceil_mode) = false;
  CRESSET_ARG(bool, count_include_pad) = true;
  CRESSET_ARG(std::optional<int64_t>, divisor_override) = std::nullopt;
};
using AvgPool1dOptions = AvgPoolOptions<1>;
using AvgPool2dOptions = AvgPoolOptions<2>;

/// Options of the losses: weight (per class), ignore_index and label_smoothing where the loss
/// has them, reduction (cresset::kMean by default).
struct NLLLossOptions {
  CRESSET_ARG(Tensor, weight);
  CRESSET_ARG(int64_t, ignore_index) = -100;
  CRESSET_ARG(Reduction, reduction) = kMean;
};
struct CrossEntropyLossOptions {
  CRESSET_ARG(Tensor, weight);
  CRESSET_ARG(int64_t, ignore_index) = -100;
  CRESSET_ARG(Reduction, reduction) = kMean;
  CRESSET_ARG(double, label_smoothing) = 0.0;
};
/// Options of the losses that only reduce (MSELoss, L1Loss).
struct ReductionOptions {
  ReductionOptions(Reduction reduction = kMean) : reduction_(reduction) {}  // NOLINT: implicit
  CRESSET_ARG(Reduction, reduction);
};
using MSELossOptions = ReductionOptions;
using L1LossOptions = ReductionOptions;
struct BCELossOptions {
  CRESSET_ARG(Tensor, weight);
  CRESSET_ARG(Reduction, reduction) = kMean;
};
struct BCEWithLogitsLossOptions {
  CRESSET_ARG(Tensor, weight);
  CRESSET_ARG(Tensor, pos_weight);
  CRESSET_ARG(Reduction, reduction) = kMean;
};
struct SmoothL1LossOptions {
  CRESSET_ARG(Reduction, reduction) = kMean;
  CRESSET_ARG(double, beta) = 1.0;
};
/// kl_div also takes cresset::kBatchMean (the sum divided by the batch size).
struct KLDivLossOptions {
  CRESSET_ARG(Reduction, reduction) = kMean;
  CRESSET_ARG(bool, log_target) = false;
};

namespace functional {

// ---- function-only options ----

struct DropoutFuncOptions {
  CRESSET_ARG(double, p) = 0.5;
  CRESSET_ARG(bool, training) = true;
  CRESSET_ARG(bool, inplace) = false;
};
/// F::conv1d / conv2d: bias, stride, padding, dilation, groups.
template <size_t D>
struct ConvFuncOptions {
  CRESSET_ARG(Tensor, bias);
  CRESSET_ARG(ExpandingArray<D>, stride) = 1;
  CRESSET_ARG(ExpandingArray<D>, padding) = 0;
  CRESSET_ARG(ExpandingArray<D>, dilation) = 1;
  CRESSET_ARG(int64_t, groups) = 1;
};
using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;
/// F::conv_transpose2d.
struct ConvTranspose2dFuncOptions {
  CRESSET_ARG(Tensor, bias);
  CRESSET_ARG(ExpandingArray<2>, stride) = 1;
  CRESSET_ARG(ExpandingArray<2>, padding) = 0;
  CRESSET_ARG(ExpandingArray<2>, output_padding) = 0;
  CRESSET_ARG(int64_t, groups) = 1;
  CRESSET_ARG(ExpandingArray<2>, dilation) = 1;
};
using MaxPool1dFuncOptions = MaxPool1dOptions;
using MaxPool2dFuncOptions = MaxPool2dOptions;
using AvgPool1dFuncOptions = AvgPool1dOptions;
using AvgPool2dFuncOptions = AvgPool2dOptions;
/// F::batch_norm: affine weight/bias (undefined: none), training, momentum, eps.
struct BatchNormFuncOptions {
  CRESSET_ARG(Tensor, weight);
  CRESSET_ARG(Tensor, bias);
  CRESSET_ARG(bool, training) = false;
  CRESSET_ARG(double, momentum) = 0.1;
  CRESSET_ARG(double, eps) = 1e-5;
};
struct LayerNormFuncOptions {
  LayerNormFuncOptions(std::vector<int64_t> normalized_shape)  // NOLINT: implicit
      : normalized_shape_(std::move(normalized_shape)) {}
  CRESSET_ARG(std::vector<int64_t>, normalized_shape);
  CRESSET_ARG(Tensor, weight);
  CRESSET_ARG(Tensor, bias);
  CRESSET_ARG(double, eps) = 1e-5;
};
struct GroupNormFuncOptions {
  GroupNormFuncOptions(int64_t num_groups) : num_groups_(num_groups) {}  // NOLINT: implicit
  CRESSET_ARG(int64_t, num_groups);
  CRESSET_ARG(Tensor, weight);
  CRESSET_ARG(Tensor, bias);
  CRESSET_ARG(double, eps) = 1e-5;
};
/// F::pad: (left, right) pairs from the last dim backwards; mode "constant", "reflect",
/// "replicate" or "circular"; value for "constant".
struct PadFuncOptions {
  PadFuncOptions(std::vector<int64_t> pad) : pad_(std::move(pad)) {}  // NOLINT: implicit
  CRESSET_ARG(std::vector<int64_t>, pad);
  CRESSET_ARG(std::string, mode) = "constant";
  CRESSET_ARG(double, value) = 0;
};
/// F::interpolate: exactly one of size and scale_factor; mode "nearest", "nearest-exact",
/// "linear", "bilinear", "bicubic" or "trilinear"; align_corners only for the linear and cubic
/// modes (false when not given).
struct InterpolateFuncOptions {
  CRESSET_ARG(std::vector<int64_t>, size);
  CRESSET_ARG(std::vector<double>, scale_factor);
  CRESSET_ARG(std::string, mode) = "nearest";
  CRESSET_ARG(std::optional<bool>, align_corners) = std::nullopt;
};
using NLLLossFuncOptions = NLLLossOptions;
using CrossEntropyFuncOptions = CrossEntropyLossOptions;
using MSELossFuncOptions = MSELossOptions;
using L1LossFuncOptions = L1LossOptions;
using BinaryCrossEntropyFuncOptions = BCELossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
using KLDivFuncOptions = KLDivLossOptions;

// ---- activations ----

/// max(x, 0); in place with `inplace`.
Tensor relu(const Tensor& input, bool inplace = false);
/// x for x > 0, else negative_slope * x.
Tensor leaky_relu(const Tensor& input, double negative_slope = 0.01, bool inplace = false);
/// x * Phi(x); approximate "tanh" uses the tanh formula.
Tensor gelu(const Tensor& input, const std::string& approximate = "none");
/// exp(x) / sum(exp(x)) along dim.
Tensor softmax(const Tensor& input, int64_t dim);
/// log(softmax(x)) along dim.
Tensor log_softmax(const Tensor& input, int64_t dim);

// ---- dropout ----

/// Zeroes elements with probability p in training, scaling the rest by 1 / (1 - p).
Tensor dropout(const Tensor& input, const DropoutFuncOptions& options = {});
/// Zeroes whole channels (dim 1) with probability p in training.
Tensor dropout2d(const Tensor& input, const DropoutFuncOptions& options = {});

// ---- linear, convolution, pooling ----

/// input @ weight^T + bias.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());
Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options = {});
Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {});
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose2dFuncOptions& options = {});
Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& options);
Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options);
Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& options);
Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options);
Tensor adaptive_avg_pool2d(const Tensor& input, ExpandingArray<2> output_size);

// ---- normalization, padding, resizing ----

/// Normalizes each channel with batch statistics (training) or the running ones.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options = {});
Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options);
Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options);
Tensor pad(const Tensor& input, const PadFuncOptions& options);
Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options);

// ---- losses ----

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options = {});
Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyFuncOptions& options = {});
Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& options = {});
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {});
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BinaryCrossEntropyFuncOptions& options = {});
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& options = {});
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                      const SmoothL1LossFuncOptions& options = {});
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options = {});

}  // namespace functional

namespace F = functional;

}  // namespace cresset::nn
