#pragma once
// nn::Conv1d, nn::Conv2d, nn::ConvTranspose2d (zero padding).
#include "cresset/core/arg.h"
#include "cresset/nn/modules/expanding_array.h"
#include "cresset/nn/modules/holder.h"

namespace cresset::nn {

/// Options of a convolution over D spatial dims: `nn::Conv2dOptions(1, 32, 3).padding(1)`.
/// output_padding is only used by the transposed convolutions.
template <size_t D>
struct ConvOptions {
  ConvOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  CRESSET_ARG(int64_t, in_channels);
  CRESSET_ARG(int64_t, out_channels);
  CRESSET_ARG(ExpandingArray<D>, kernel_size);
  CRESSET_ARG(ExpandingArray<D>, stride) = 1;
  CRESSET_ARG(ExpandingArray<D>, padding) = 0;
  CRESSET_ARG(ExpandingArray<D>, dilation) = 1;
  CRESSET_ARG(ExpandingArray<D>, output_padding) = 0;
  CRESSET_ARG(int64_t, groups) = 1;
  CRESSET_ARG(bool, bias) = true;
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;
using ConvTranspose2dOptions = ConvOptions<2>;

/// What the convolution layers share: options, parameters, checks and printing. The weight is
/// [out, in / groups, *kernel] ([in, out / groups, *kernel] when transposed).
template <size_t D>
class ConvNdImpl : public Module {
 public:
  ConvNdImpl(const ConvOptions<D>& options, bool transposed);
  /// Re-draws weight and bias with torch's default initialisation.
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  ConvOptions<D> options;
  Tensor weight;
  Tensor bias;

 protected:
  /// The convolution of input (checked: RuntimeError naming the layer unless it is
  /// [N, C_in, *] or [C_in, *]) with the layer's parameters.
  Tensor convolve(const Tensor& input) const;

 private:
  bool transposed_;
};

/// 1-D convolution over [N, C_in, L] or [C_in, L].
class Conv1dImpl : public ConvNdImpl<1> {
 public:
  Conv1dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<1> kernel_size)
      : Conv1dImpl(Conv1dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv1dImpl(const Conv1dOptions& options) : ConvNdImpl(options, false) {}
  Tensor forward(const Tensor& input) { return convolve(input); }
};
CRESSET_MODULE(Conv1d);

/// 2-D convolution over [N, C_in, H, W] or [C_in, H, W].
class Conv2dImpl : public ConvNdImpl<2> {
 public:
  Conv2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv2dImpl(const Conv2dOptions& options) : ConvNdImpl(options, false) {}
  Tensor forward(const Tensor& input) { return convolve(input); }
};
CRESSET_MODULE(Conv2d);

/// 2-D transposed convolution (the gradient of Conv2d with respect to its input).
class ConvTranspose2dImpl : public ConvNdImpl<2> {
 public:
  ConvTranspose2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size)
      : ConvTranspose2dImpl(ConvTranspose2dOptions(in_channels, out_channels, kernel_size)) {}
  explicit ConvTranspose2dImpl(const ConvTranspose2dOptions& options) : ConvNdImpl(options, true) {}
  Tensor forward(const Tensor& input) { return convolve(input); }
};
CRESSET_MODULE(ConvTranspose2d);

}  // namespace cresset::nn
