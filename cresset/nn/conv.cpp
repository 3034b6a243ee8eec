#include "cresset/nn/conv.h"

#include <memory>
#include <sstream>

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/conv_kernels.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/nn/padding.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

// Note [Convolution autograd]
// A convolution is bilinear in (x, w), and its two gradients are bilinear too. With F(x, w) the
// forward, BI(gy, w) the input gradient and BW(gy, x) the weight gradient of one geometry:
//   F(x, w)   with output gradient g: dx = BI(g, w), dw = BW(g, x)
//   BI(gy, w) with output gradient h: dgy = F(h, w), dw = BW(gy, h)
//   BW(gy, x) with output gradient k: dgy = F(x, k), dx = BI(gy, k)
// so every derivative of any order is one of the three products, each a fast kernel. A transposed
// convolution is BI of the convolution whose input is its output.

// The geometry and the full shapes of x, w and y of one convolution.
struct ConvSpec {
  ConvGeometry geo;
  DimVector x_sizes, w_sizes, y_sizes;
  const char* op;
};
using SpecPtr = std::shared_ptr<const ConvSpec>;

Tensor conv_product(ConvKind kind, const Tensor& a, const Tensor& b, const SpecPtr& spec);

// The kernel's result for contiguous, detached operands; half-precision types compute in float32
// and integer types in int64 (which wraps around modulo 2^n like their own arithmetic).
Tensor run_product(ConvKind kind, const Tensor& a, const Tensor& b, const Tensor& bias,
                   const ConvSpec& spec) {
  const DimVector& sizes = kind == ConvKind::Forward         ? spec.y_sizes
                           : kind == ConvKind::BackwardInput ? spec.x_sizes
                                                             : spec.w_sizes;
  const DType dtype = a.dtype();
  const DType compute = dtype == DType::Float64 ? DType::Float64
                        : is_floating(dtype)    ? DType::Float32
                                                : DType::Int64;
  auto prepare = [&](const Tensor& t) {
    if (!t.defined()) return t;
    Tensor d = detach(t);
    if (d.dtype() != compute) return cast_tensor(contiguous(d), compute);
    return contiguous(d);
  };
  const Tensor ca = prepare(a), cb = prepare(b), cbias = prepare(bias);
  Tensor out = empty_tensor(sizes, compute, a.device());
  if (out.numel() > 0) {
    if (a.device().is_cuda()) {
      cuda::conv_kernel(kind, out, ca, cb, cbias, spec.geo);
    } else {
      CRESSET_CPU_DISPATCH(conv_kernel, kind, compute, ca.raw_data(), cb.raw_data(),
                           cbias.defined() ? cbias.raw_data() : nullptr, out.raw_data(), spec.geo);
    }
  }
  return compute == dtype ? out : cast_tensor(out, dtype);
}

// One of the three products with its autograd node (see Note [Convolution autograd]).
Tensor conv_product(ConvKind kind, const Tensor& a, const Tensor& b, const SpecPtr& spec) {
  Tensor out = run_product(kind, a, b, Tensor(), *spec);
  if (autograd::needs_grad({a, b})) {
    autograd::record(
        kind == ConvKind::Forward ? "ConvolutionBackward0" : "ConvolutionBackwardBackward0", {a, b},
        {out}, {a, b}, [kind, spec](const autograd::Ctx& c) -> autograd::TensorList {
          const Tensor a = c.saved(0), b = c.saved(1);
          const Tensor& g = c.grad();
          Tensor da, db;
          switch (kind) {
            case ConvKind::Forward:  // a = x, b = w
              if (c.needs_input_grad(0)) da = conv_product(ConvKind::BackwardInput, g, b, spec);
              if (c.needs_input_grad(1)) db = conv_product(ConvKind::BackwardWeight, g, a, spec);
              break;
            case ConvKind::BackwardInput:  // a = gy, b = w
              if (c.needs_input_grad(0)) da = conv_product(ConvKind::Forward, g, b, spec);
              if (c.needs_input_grad(1)) db = conv_product(ConvKind::BackwardWeight, a, g, spec);
              break;
            case ConvKind::BackwardWeight:  // a = gy, b = x
              if (c.needs_input_grad(0)) da = conv_product(ConvKind::Forward, b, g, spec);
              if (c.needs_input_grad(1)) db = conv_product(ConvKind::BackwardInput, a, g, spec);
              break;
          }
          return {da, db};
        });
  }
  return out;
}

// Sum of g over every dim but 1: the gradient of a per-channel bias.
Tensor bias_grad(const Tensor& g) {
  DimVector dims{0};
  for (int64_t d = 2; d < g.dim(); ++d) dims.push_back(d);
  return sum(g, dims);
}

// A parameter list expanded to k values (one value applies to every dim), as torch's
// expand_param_if_needed.
DimVector expand_param(const DimVector& values, const char* name, int64_t k) {
  if (values.size() == 1) return DimVector(size_t(k), values[0]);
  CRESSET_CHECK(int64_t(values.size()) == k, RuntimeError, "[convolution] expected ", name,
                " to be a single integer value or a list of ", k,
                " values to match the convolution dimensions, but got ", name, "=",
                shape_str(values));
  return values;
}

std::string join_x(const DimVector& v) {
  std::ostringstream os;
  for (size_t i = 0; i < v.size(); ++i) os << (i ? " x " : "") << v[i];
  return os.str();
}

// The spec of a (transposed) convolution after torch's checks, with torch's messages.
SpecPtr make_spec(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const DimVector& stride_in, const DimVector& padding_in,
                  const DimVector& dilation_in, bool transposed, const DimVector& output_padding_in,
                  int64_t groups) {
  const int64_t k = weight.dim() - 2;
  CRESSET_CHECK(k >= 1 && k <= 3, RuntimeError, "[convolution] expected a weight with 3, 4 or 5 ",
                "dims; got weight of size ", shape_str(weight.sizes()));
  CRESSET_CHECK(input.dim() == weight.dim(), RuntimeError, "[convolution] Expected ", k + 1,
                "D (unbatched) or ", k + 2, "D (batched) input to conv", k,
                "d, but got input of size: ", shape_str(input.sizes()));
  CRESSET_CHECK(input.dtype() == weight.dtype(), RuntimeError, "[convolution] Input type (",
                dtype_name(input.dtype()), ") and weight type (", dtype_name(weight.dtype()),
                ") should be the same");
  if (input.dtype() == DType::Bool) {
    throw NotImplementedError(
        str_cat("[convolution] \"slow_conv", k, "d_cpu\" not implemented for 'Bool'"));
  }
  // torch's transposed convolutions take int64 but no narrower integers.
  if (transposed && !is_floating(input.dtype()) && input.dtype() != DType::Int64) {
    throw NotImplementedError(str_cat("[convolution] \"slow_conv_transpose", k == 3 ? 3 : 2,
                                      "d_out_cpu\" not implemented for '",
                                      dtype_display(input.dtype()), "'"));
  }
  CRESSET_CHECK(input.device() == weight.device(), RuntimeError,
                "[convolution] input and weight must be on the same device");
  const DimVector stride = expand_param(stride_in, "stride", k);
  const DimVector padding = expand_param(padding_in, "padding", k);
  const DimVector dilation = expand_param(dilation_in, "dilation", k);
  const DimVector output_padding = expand_param(output_padding_in, "output_padding", k);
  for (int64_t d = 0; d < k; ++d) {
    CRESSET_CHECK(padding[d] >= 0, RuntimeError, "[convolution] negative padding is not supported");
    CRESSET_CHECK(stride[d] > 0, RuntimeError,
                  "[convolution] non-positive stride is not supported");
    CRESSET_CHECK(dilation[d] > 0, RuntimeError,
                  "[convolution] non-positive dilation is not supported");
    CRESSET_CHECK(output_padding[d] >= 0, RuntimeError,
                  "[convolution] negative output_padding is not supported");
  }
  CRESSET_CHECK(groups > 0, RuntimeError, "[convolution] non-positive groups is not supported");
  const DimVector& ws = weight.sizes();
  const int64_t in_channels = input.size(1);
  CRESSET_CHECK(ws[0] % groups == 0, RuntimeError, "[convolution] Given groups=", groups,
                ", expected weight to be divisible by ", groups,
                " at dimension 0, but got weight of size ", shape_str(ws), " instead");
  const int64_t expected_in = transposed ? ws[0] : ws[1] * groups;
  CRESSET_CHECK(in_channels == expected_in, RuntimeError, "[convolution] Given ",
                transposed ? str_cat("transposed=1") : str_cat("groups=", groups),
                ", weight of size ", shape_str(ws), ", expected input", shape_str(input.sizes()),
                " to have ", expected_in, " channels, but got ", in_channels, " channels instead");
  const int64_t out_channels = transposed ? ws[1] * groups : ws[0];
  if (bias.defined()) {
    CRESSET_CHECK(bias.dim() == 1 && bias.size(0) == out_channels, RuntimeError,
                  "[convolution] Given weight of size ", shape_str(ws),
                  ", expected bias to be 1-dimensional with ", out_channels,
                  " elements, but got bias of size ", shape_str(bias.sizes()), " instead");
    CRESSET_CHECK(bias.dtype() == input.dtype(), RuntimeError, "[convolution] Input type (",
                  dtype_name(input.dtype()), ") and bias type (", dtype_name(bias.dtype()),
                  ") should be the same");
  }
  auto spec = std::make_shared<ConvSpec>();
  ConvGeometry& g = spec->geo;
  g.batch = input.size(0);
  g.groups = groups;
  // The forward view: x is the transposed convolution's output, y its input.
  g.in_channels = transposed ? out_channels : in_channels;
  g.out_channels = transposed ? in_channels : out_channels;
  DimVector big{g.batch, g.in_channels}, small{g.batch, g.out_channels};
  DimVector padded(static_cast<size_t>(k)), kernel(static_cast<size_t>(k));
  for (int64_t d = 0; d < k; ++d) {
    const int64_t dk = dilation[d] * (ws[2 + d] - 1) + 1, i = input.size(2 + d);
    if (transposed) {
      CRESSET_CHECK(output_padding[d] < stride[d] || output_padding[d] < dilation[d], RuntimeError,
                    "[convolution] output padding must be smaller than either stride or ",
                    "dilation, but got output_padding=", shape_str(output_padding),
                    " stride=", shape_str(stride), " dilation=", shape_str(dilation));
      const int64_t o = (i - 1) * stride[d] - 2 * padding[d] + dk + output_padding[d];
      CRESSET_CHECK(o > 0, RuntimeError, "[convolution] Given input size per channel: (",
                    join_x(DimVector(input.sizes().data() + 2, size_t(k))),
                    "). Calculated output size per channel is too small (", o, ")");
      big.push_back(o);
      small.push_back(i);
    } else {
      padded[d] = i + 2 * padding[d];
      kernel[d] = dk;
      big.push_back(i);
      small.push_back(padded[d] >= dk ? (padded[d] - dk) / stride[d] + 1 : 0);
    }
  }
  if (!transposed) {
    for (int64_t d = 0; d < k; ++d) {
      CRESSET_CHECK(padded[d] >= kernel[d], RuntimeError,
                    "[convolution] Calculated padded input size per channel: (", join_x(padded),
                    "). Kernel size: (", join_x(kernel),
                    "). Kernel size can't be greater than actual input size");
      CRESSET_CHECK(output_padding[d] == 0, RuntimeError,
                    "[convolution] output_padding is only supported for transposed convolutions");
    }
  }
  for (int64_t d = 0; d < k; ++d) {
    const int64_t at = 3 - k + d;
    g.in[at] = big[2 + d];
    g.out[at] = small[2 + d];
    g.kernel[at] = ws[2 + d];
    g.stride[at] = stride[d];
    g.pad[at] = padding[d];
    g.dilation[at] = dilation[d];
  }
  spec->x_sizes = big;
  spec->y_sizes = small;
  spec->w_sizes = ws;
  spec->op = "convolution";
  return spec;
}

}  // namespace

Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias,
                   const DimVector& stride, const DimVector& padding, const DimVector& dilation,
                   bool transposed, const DimVector& output_padding, int64_t groups) {
  const SpecPtr spec =
      make_spec(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups);
  const ConvKind kind = transposed ? ConvKind::BackwardInput : ConvKind::Forward;
  Tensor out = run_product(kind, input, weight, bias, *spec);
  if (autograd::needs_grad({input, weight, bias})) {
    autograd::record("ConvolutionBackward0", {input, weight, bias}, {out}, {input, weight},
                     [spec, transposed](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor x = c.saved(0), w = c.saved(1);
                       const Tensor& g = c.grad();
                       Tensor dx, dw, db;
                       if (c.needs_input_grad(0)) {
                         dx = conv_product(transposed ? ConvKind::Forward : ConvKind::BackwardInput,
                                           g, w, spec);
                       }
                       if (c.needs_input_grad(1)) {
                         dw = transposed ? conv_product(ConvKind::BackwardWeight, x, g, spec)
                                         : conv_product(ConvKind::BackwardWeight, g, x, spec);
                       }
                       if (c.needs_input_grad(2)) db = bias_grad(g);
                       return {dx, dw, db};
                     });
  }
  return out;
}

namespace {

// Runs `f` on a batched input: an unbatched one (spatial_dims + 1 dims) gets a batch of one that
// is removed from the result, as torch's conv functions do.
template <typename F>
Tensor with_batch(int64_t spatial_dims, const Tensor& input, const char* op, const F& f) {
  CRESSET_CHECK(input.dim() == spatial_dims + 1 || input.dim() == spatial_dims + 2, RuntimeError,
                "[", op, "] Expected ", spatial_dims + 1, "D (unbatched) or ", spatial_dims + 2,
                "D (batched) input to ", op, ", but got input of size: ", shape_str(input.sizes()));
  if (input.dim() == spatial_dims + 2) return f(input);
  return squeeze(f(unsqueeze(input, 0)), 0);
}

const char* conv_name(int64_t spatial_dims, bool transposed) {
  static const char* names[2][3] = {{"conv1d", "conv2d", "conv3d"},
                                    {"conv_transpose1d", "conv_transpose2d", "conv_transpose3d"}};
  return names[transposed][spatial_dims - 1];
}

}  // namespace

Tensor conv_nd(int64_t spatial_dims, const Tensor& input, const Tensor& weight, const Tensor& bias,
               const DimVector& stride, const DimVector& padding, const DimVector& dilation,
               int64_t groups) {
  return with_batch(spatial_dims, input, conv_name(spatial_dims, false), [&](const Tensor& x) {
    return convolution(x, weight, bias, stride, padding, dilation, false, {0}, groups);
  });
}

Tensor conv_nd(int64_t spatial_dims, const Tensor& input, const Tensor& weight, const Tensor& bias,
               const DimVector& stride, const std::string& padding, const DimVector& dilation,
               int64_t groups) {
  const char* op = conv_name(spatial_dims, false);
  if (padding == "valid") {
    return conv_nd(spatial_dims, input, weight, bias, stride, DimVector{0}, dilation, groups);
  }
  CRESSET_CHECK(padding == "same", RuntimeError, "[", op, "] Invalid padding string: '", padding,
                "'");
  const DimVector dil = expand_param(dilation, "dilation", spatial_dims);
  for (int64_t s : expand_param(stride, "stride", spatial_dims)) {
    CRESSET_CHECK(s == 1, RuntimeError, "[", op,
                  "] padding='same' is not supported for strided convolutions");
  }
  CRESSET_CHECK(weight.dim() == spatial_dims + 2, RuntimeError, "[", op,
                "] expected a weight with ", spatial_dims + 2, " dims; got weight of size ",
                shape_str(weight.sizes()));
  // Total padding d * (k - 1) per dim, split evenly; an odd total puts the extra zero on the
  // right, padded explicitly like torch's _convolution_mode.
  DimVector symmetric(static_cast<size_t>(spatial_dims)), extra;
  bool asymmetric = false;
  for (int64_t d = 0; d < spatial_dims; ++d) {
    const int64_t total = dil[d] * (weight.size(2 + d) - 1);
    symmetric[d] = total / 2;
    asymmetric = asymmetric || total % 2;
  }
  for (int64_t d = spatial_dims - 1; d >= 0; --d) {
    const int64_t total = dil[d] * (weight.size(2 + d) - 1);
    extra.push_back(0);
    extra.push_back(total % 2);
  }
  return with_batch(spatial_dims, input, op, [&](const Tensor& x) {
    const Tensor padded = asymmetric ? constant_pad_nd(x, extra, 0) : x;
    return convolution(padded, weight, bias, stride, symmetric, dil, false, {0}, groups);
  });
}

Tensor conv_transpose_nd(int64_t spatial_dims, const Tensor& input, const Tensor& weight,
                         const Tensor& bias, const DimVector& stride, const DimVector& padding,
                         const DimVector& output_padding, int64_t groups,
                         const DimVector& dilation) {
  return with_batch(spatial_dims, input, conv_name(spatial_dims, true), [&](const Tensor& x) {
    return convolution(x, weight, bias, stride, padding, dilation, true, output_padding, groups);
  });
}

}  // namespace cresset
