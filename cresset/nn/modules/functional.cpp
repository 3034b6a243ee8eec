#include "cresset/nn/modules/functional.h"

#include "cresset/nn/activation.h"
#include "cresset/nn/conv.h"
#include "cresset/nn/dropout.h"
#include "cresset/nn/linear.h"
#include "cresset/nn/norm.h"
#include "cresset/nn/padding.h"
#include "cresset/nn/pool.h"
#include "cresset/ops/ops.h"

namespace cresset::nn::functional {
namespace {

/// The reduction as the loss ops take it; kBatchMean only where `allow_batch_mean`.
int64_t reduction_arg(const char* op, Reduction reduction, bool allow_batch_mean = false) {
  bool valid = reduction == kNone || reduction == kMean || reduction == kSum ||
               (allow_batch_mean && reduction == kBatchMean);
  CRESSET_CHECK(valid, ValueError, "[", op, "] ", int64_t(reduction),
                " is not a valid value for reduction");
  return reduction;
}

/// The upsample mode of an interpolate mode string, and its spatial dims (0: any).
std::pair<UpsampleMode, int64_t> upsample_mode(const std::string& mode) {
  if (mode == "nearest") return {UpsampleMode::Nearest, 0};
  if (mode == "nearest-exact") return {UpsampleMode::NearestExact, 0};
  if (mode == "linear") return {UpsampleMode::Linear, 1};
  if (mode == "bilinear") return {UpsampleMode::Linear, 2};
  if (mode == "trilinear") return {UpsampleMode::Linear, 3};
  if (mode == "bicubic") return {UpsampleMode::Cubic, 2};
  throw NotImplementedError(str_cat("[F::interpolate] mode '", mode, "' is not supported"));
}

}  // namespace

Tensor relu(const Tensor& input, bool inplace) {
  return inplace ? relu_(input) : cresset::relu(input);
}

Tensor leaky_relu(const Tensor& input, double negative_slope, bool inplace) {
  return inplace ? leaky_relu_(input, negative_slope) : cresset::leaky_relu(input, negative_slope);
}

Tensor gelu(const Tensor& input, const std::string& approximate) {
  return cresset::gelu(input, approximate);
}

Tensor softmax(const Tensor& input, int64_t dim) { return cresset::softmax(input, dim); }

Tensor log_softmax(const Tensor& input, int64_t dim) { return cresset::log_softmax(input, dim); }

Tensor dropout(const Tensor& input, const DropoutFuncOptions& options) {
  CRESSET_CHECK(options.p() >= 0 && options.p() <= 1, ValueError,
                "[F::dropout] dropout probability has to be between 0 and 1, but got ",
                options.p());
  return options.inplace() ? dropout_(input, options.p(), options.training())
                           : cresset::dropout(input, options.p(), options.training());
}

Tensor dropout2d(const Tensor& input, const DropoutFuncOptions& options) {
  CRESSET_CHECK(options.p() >= 0 && options.p() <= 1, ValueError,
                "[F::dropout2d] dropout probability has to be between 0 and 1, but got ",
                options.p());
  return options.inplace() ? feature_dropout_(input, options.p(), options.training())
                           : feature_dropout(input, options.p(), options.training());
}

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  return cresset::linear(input, weight, bias);
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& o) {
  return conv_nd(1, input, weight, o.bias(), o.stride().vec(), o.padding().vec(),
                 o.dilation().vec(), o.groups());
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& o) {
  return conv_nd(2, input, weight, o.bias(), o.stride().vec(), o.padding().vec(),
                 o.dilation().vec(), o.groups());
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const ConvTranspose2dFuncOptions& o) {
  return conv_transpose_nd(2, input, weight, o.bias(), o.stride().vec(), o.padding().vec(),
                           o.output_padding().vec(), o.groups(), o.dilation().vec());
}

Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& o) {
  return cresset::max_pool1d(input, o.kernel_size().vec(), o.stride().vec(), o.padding().vec(),
                             o.dilation().vec(), o.ceil_mode());
}

Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& o) {
  return cresset::max_pool2d(input, o.kernel_size().vec(), o.stride().vec(), o.padding().vec(),
                             o.dilation().vec(), o.ceil_mode());
}

Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& o) {
  return cresset::avg_pool1d(input, o.kernel_size().vec(), o.stride().vec(), o.padding().vec(),
                             o.ceil_mode(), o.count_include_pad());
}

Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& o) {
  return cresset::avg_pool2d(input, o.kernel_size().vec(), o.stride().vec(), o.padding().vec(),
                             o.ceil_mode(), o.count_include_pad(), o.divisor_override());
}

Tensor adaptive_avg_pool2d(const Tensor& input, ExpandingArray<2> output_size) {
  return cresset::adaptive_avg_pool2d(input, output_size.vec());
}

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& o) {
  return cresset::batch_norm(input, o.weight(), o.bias(), running_mean, running_var, o.training(),
                             o.momentum(), o.eps());
}

Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& o) {
  return cresset::layer_norm(input, o.normalized_shape(), o.weight(), o.bias(), o.eps());
}

Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& o) {
  return cresset::group_norm(input, o.num_groups(), o.weight(), o.bias(), o.eps());
}

Tensor pad(const Tensor& input, const PadFuncOptions& o) {
  std::optional<double> value;
  if (o.mode() == "constant") value = o.value();
  return cresset::pad(input, o.pad(), o.mode(), value);
}

Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& o) {
  auto [mode, mode_dims] = upsample_mode(o.mode());
  const int64_t nd = input.dim() - 2;
  CRESSET_CHECK(nd >= 1 && (mode_dims == 0 || mode_dims == nd), NotImplementedError,
                "[F::interpolate] mode '", o.mode(), "' does not take a ", input.dim(),
                "-D input ", describe(input));
  bool nearest = mode == UpsampleMode::Nearest || mode == UpsampleMode::NearestExact;
  CRESSET_CHECK(!(nearest && o.align_corners()), ValueError,
                "[F::interpolate] align_corners option can only be set with the interpolating "
                "modes: linear | bilinear | bicubic | trilinear");
  CRESSET_CHECK(o.size().empty() != o.scale_factor().empty(), ValueError,
                "[F::interpolate] exactly one of size and scale_factor should be defined");
  std::vector<double> factors = o.scale_factor();
  if (factors.size() == 1) factors.assign(size_t(nd), factors[0]);
  std::vector<int64_t> sizes = o.size();
  if (sizes.size() == 1) sizes.assign(size_t(nd), sizes[0]);
  CRESSET_CHECK(int64_t(factors.size() + sizes.size()) == nd, ValueError,
                "[F::interpolate] expected ", nd, " output sizes or scale factors for input ",
                describe(input));
  std::vector<std::optional<double>> scales(static_cast<size_t>(nd));
  if (sizes.empty()) {
    for (int64_t i = 0; i < nd; ++i) {
      sizes.push_back(int64_t(double(input.size(i + 2)) * factors[i]));
      scales[i] = factors[i];
    }
  }
  return upsample(input, mode, DimVector(sizes), o.align_corners().value_or(false), scales);
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& o) {
  return cresset::nll_loss(input, target, o.weight(), reduction_arg("F::nll_loss", o.reduction()),
                           o.ignore_index());
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& o) {
  return cross_entropy_loss(input, target, o.weight(),
                            reduction_arg("F::cross_entropy", o.reduction()), o.ignore_index(),
                            o.label_smoothing());
}

Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& o) {
  return cresset::mse_loss(input, target, reduction_arg("F::mse_loss", o.reduction()));
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& o) {
  return cresset::l1_loss(input, target, reduction_arg("F::l1_loss", o.reduction()));
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BinaryCrossEntropyFuncOptions& o) {
  return bce_loss(input, target, o.weight(),
                  reduction_arg("F::binary_cross_entropy", o.reduction()));
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& o) {
  return bce_with_logits_loss(
      input, target, o.weight(), o.pos_weight(),
      reduction_arg("F::binary_cross_entropy_with_logits", o.reduction()));
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& o) {
  return cresset::smooth_l1_loss(input, target, reduction_arg("F::smooth_l1_loss", o.reduction()),
                                 o.beta());
}

Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& o) {
  return kl_div_loss(input, target, reduction_arg("F::kl_div", o.reduction(), true),
                     o.log_target());
}

}  // namespace cresset::nn::functional
