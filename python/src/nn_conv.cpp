// Bindings of the nn conv family (convolution, conv_transpose, unfold/fold, pad): torch.* and
// torch._C._nn functions.
#include "bind.h"
#include "cresset/nn/conv.h"
#include "cresset/nn/fold.h"
#include "cresset/nn/padding.h"

namespace cresset::py {

namespace {

Tensor optional_tensor(nb::handle h) { return h.is_none() ? Tensor() : nb::cast<Tensor>(h); }

void def_conv(nb::module_& m, const char* name, int64_t dims) {
  m.def(
      name,
      [dims](const Tensor& input, const Tensor& weight, nb::handle bias, nb::handle stride,
             nb::handle padding, nb::handle dilation, int64_t groups) {
        if (nb::isinstance<nb::str>(padding)) {
          return conv_nd(dims, input, weight, optional_tensor(bias), to_sizes(stride),
                         nb::cast<std::string>(padding), to_sizes(dilation), groups);
        }
        return conv_nd(dims, input, weight, optional_tensor(bias), to_sizes(stride),
                       to_sizes(padding), to_sizes(dilation), groups);
      },
      "input"_a, "weight"_a, "bias"_a = nb::none(), "stride"_a = 1, "padding"_a = 0,
      "dilation"_a = 1, "groups"_a = 1);
}

void def_conv_transpose(nb::module_& m, const char* name, int64_t dims) {
  m.def(
      name,
      [dims](const Tensor& input, const Tensor& weight, nb::handle bias, nb::handle stride,
             nb::handle padding, nb::handle output_padding, int64_t groups, nb::handle dilation) {
        return conv_transpose_nd(dims, input, weight, optional_tensor(bias), to_sizes(stride),
                                 to_sizes(padding), to_sizes(output_padding), groups,
                                 to_sizes(dilation));
      },
      "input"_a, "weight"_a, "bias"_a = nb::none(), "stride"_a = 1, "padding"_a = 0,
      "output_padding"_a = 0, "groups"_a = 1, "dilation"_a = 1);
}

}  // namespace

// torch._C._nn.reflection_padNd / replication_padNd: F.pad with exactly 2 * dims pad values.
void def_pad_nd(nb::module_& nn, const char* name, const char* mode, int64_t dims) {
  nn.def(
      name,
      [mode, dims](const Tensor& input, nb::handle padding) {
        return pad_nd(input, to_sizes(padding), mode, dims);
      },
      "input"_a, "padding"_a);
}

void init_nn_conv(nb::module_& m) {
  nb::module_ nn = m.def_submodule("_nn");
  m.def(
      "convolution",
      [](const Tensor& input, const Tensor& weight, nb::handle bias, nb::handle stride,
         nb::handle padding, nb::handle dilation, bool transposed, nb::handle output_padding,
         int64_t groups) {
        return convolution(input, weight, optional_tensor(bias), to_sizes(stride),
                           to_sizes(padding), to_sizes(dilation), transposed,
                           to_sizes(output_padding), groups);
      },
      "input"_a, "weight"_a, "bias"_a.none(), "stride"_a, "padding"_a, "dilation"_a, "transposed"_a,
      "output_padding"_a, "groups"_a);
  def_conv(m, "conv1d", 1);
  def_conv(m, "conv2d", 2);
  def_conv(m, "conv3d", 3);
  def_conv_transpose(m, "conv_transpose1d", 1);
  def_conv_transpose(m, "conv_transpose2d", 2);
  def_conv_transpose(m, "conv_transpose3d", 3);
  m.def(
      "constant_pad_nd",
      [](const Tensor& input, nb::handle pad, nb::handle value) {
        return constant_pad_nd(input, to_sizes(pad), to_scalar(value));
      },
      "input"_a, "pad"_a, "value"_a = 0);
  nn.def(
      "pad",
      [](const Tensor& input, nb::handle pad_, const std::string& mode,
         std::optional<double> value) { return pad(input, to_sizes(pad_), mode, value); },
      "input"_a, "pad"_a, "mode"_a = "constant", "value"_a = nb::none());
  def_pad_nd(nn, "reflection_pad1d", "reflect", 1);
  def_pad_nd(nn, "reflection_pad2d", "reflect", 2);
  def_pad_nd(nn, "reflection_pad3d", "reflect", 3);
  def_pad_nd(nn, "replication_pad1d", "replicate", 1);
  def_pad_nd(nn, "replication_pad2d", "replicate", 2);
  def_pad_nd(nn, "replication_pad3d", "replicate", 3);
  nn.def(
      "im2col",
      [](const Tensor& input, nb::handle kernel_size, nb::handle dilation, nb::handle padding,
         nb::handle stride) {
        return im2col(input, to_sizes(kernel_size), to_sizes(dilation), to_sizes(padding),
                      to_sizes(stride));
      },
      "input"_a, "kernel_size"_a, "dilation"_a, "padding"_a, "stride"_a);
  nn.def(
      "col2im",
      [](const Tensor& input, nb::handle output_size, nb::handle kernel_size, nb::handle dilation,
         nb::handle padding, nb::handle stride) {
        return col2im(input, to_sizes(output_size), to_sizes(kernel_size), to_sizes(dilation),
                      to_sizes(padding), to_sizes(stride));
      },
      "input"_a, "output_size"_a, "kernel_size"_a, "dilation"_a, "padding"_a, "stride"_a);
}

}  // namespace cresset::py
