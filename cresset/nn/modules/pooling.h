#pragma once
// nn::MaxPool2d, nn::AvgPool2d, nn::AdaptiveAvgPool2d.
#include "cresset/nn/modules/functional.h"
#include "cresset/nn/modules/holder.h"

namespace cresset::nn {

/// Max over kernel_size windows of [N, C, H, W] or [C, H, W].
class MaxPool2dImpl : public Module {
 public:
  explicit MaxPool2dImpl(ExpandingArray<2> kernel_size) : options(kernel_size) {}
  explicit MaxPool2dImpl(const MaxPool2dOptions& options) : options(options) {}
  Tensor forward(const Tensor& input) { return F::max_pool2d(input, options); }
  void pretty_print(std::ostream& stream) const override;
  MaxPool2dOptions options;
};
CRESSET_MODULE(MaxPool2d);

/// Mean over kernel_size windows of [N, C, H, W] or [C, H, W].
class AvgPool2dImpl : public Module {
 public:
  explicit AvgPool2dImpl(ExpandingArray<2> kernel_size) : options(kernel_size) {}
  explicit AvgPool2dImpl(const AvgPool2dOptions& options) : options(options) {}
  Tensor forward(const Tensor& input) { return F::avg_pool2d(input, options); }
  void pretty_print(std::ostream& stream) const override;
  AvgPool2dOptions options;
};
CRESSET_MODULE(AvgPool2d);

/// Mean pooling to a fixed output_size [H_out, W_out].
class AdaptiveAvgPool2dImpl : public Module {
 public:
  explicit AdaptiveAvgPool2dImpl(ExpandingArray<2> output_size) : output_size(output_size) {}
  Tensor forward(const Tensor& input) { return F::adaptive_avg_pool2d(input, output_size); }
  void pretty_print(std::ostream& stream) const override;
  ExpandingArray<2> output_size;
};
CRESSET_MODULE(AdaptiveAvgPool2d);

}  // namespace cresset::nn
