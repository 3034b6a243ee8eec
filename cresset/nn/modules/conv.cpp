#include "cresset/nn/modules/conv.h"

#include "cresset/nn/conv.h"
#include "cresset/nn/modules/init.h"
#include "cresset/ops/ops.h"

namespace cresset::nn {

template <size_t D>
ConvNdImpl<D>::ConvNdImpl(const ConvOptions<D>& options, bool transposed)
    : options(options), transposed_(transposed) {
  const int64_t in = options.in_channels(), out = options.out_channels(), g = options.groups();
  // (name() is not the final class's yet while the base constructor runs.)
  CRESSET_CHECK(g > 0, ValueError, "[nn::Conv] groups must be a positive integer");
  CRESSET_CHECK(in % g == 0, ValueError, "[nn::Conv] in_channels must be divisible by groups");
  CRESSET_CHECK(out % g == 0, ValueError, "[nn::Conv] out_channels must be divisible by groups");
  DimVector shape = transposed ? DimVector{in, out / g} : DimVector{out, in / g};
  for (size_t i = 0; i < D; ++i) shape.push_back(options.kernel_size()[i]);
  weight = register_parameter("weight", empty_tensor(shape, default_dtype()));
  bias = register_parameter(
      "bias", options.bias() ? empty_tensor({out}, default_dtype()) : Tensor(), options.bias());
  reset_parameters();
}

template <size_t D>
void ConvNdImpl<D>::reset_parameters() {
  detail::init_linear_like(weight, bias);
}

template <size_t D>
Tensor ConvNdImpl<D>::convolve(const Tensor& input) const {
  const int64_t dims = input.dim();
  CRESSET_CHECK(dims == int64_t(D) + 1 || dims == int64_t(D) + 2, RuntimeError, "[", name(),
                "] expected a ", D + 1, "-D (unbatched) or ", D + 2, "-D (batched) input; got ",
                describe(input));
  const int64_t channels = input.size(dims - int64_t(D) - 1);
  CRESSET_CHECK(channels == options.in_channels(), RuntimeError, "[", name(),
                "] expected an input with in_channels=", options.in_channels(), " channels; got ",
                describe(input));
  const ConvOptions<D>& o = options;
  if (transposed_) {
    return conv_transpose_nd(D, input, weight, bias, o.stride().vec(), o.padding().vec(),
                             o.output_padding().vec(), o.groups(), o.dilation().vec());
  }
  return conv_nd(D, input, weight, bias, o.stride().vec(), o.padding().vec(), o.dilation().vec(),
                 o.groups());
}

template <size_t D>
void ConvNdImpl<D>::pretty_print(std::ostream& stream) const {
  stream << name() << "(" << options.in_channels() << ", " << options.out_channels()
         << ", kernel_size=" << options.kernel_size() << ", stride=" << options.stride();
  if (!(options.padding() == ExpandingArray<D>(0))) stream << ", padding=" << options.padding();
  if (!(options.dilation() == ExpandingArray<D>(1))) stream << ", dilation=" << options.dilation();
  if (transposed_ && !(options.output_padding() == ExpandingArray<D>(0))) {
    stream << ", output_padding=" << options.output_padding();
  }
  if (options.groups() != 1) stream << ", groups=" << options.groups();
  if (!options.bias()) stream << ", bias=false";
  stream << ")";
}

template class ConvNdImpl<1>;
template class ConvNdImpl<2>;

}  // namespace cresset::nn
