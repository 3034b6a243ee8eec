#include "cresset/nn/fold.h"

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/conv_kernels.h"
#include "cresset/core/error.h"
#include "cresset/ops/view.h"

namespace cresset {

namespace {

struct FoldArgs {
  DimVector kernel, dilation, padding, stride;
};

// Two values per argument (one int applies to both dims), checked like torch's.
FoldArgs fold_args(const DimVector& kernel_size, const DimVector& dilation,
                   const DimVector& padding, const DimVector& stride, const char* op) {
  auto two = [&](const DimVector& v, const char* name) {
    CRESSET_CHECK(v.size() == 1 || v.size() == 2, RuntimeError, "[", op, "] expected ", name,
                  " to have 1 or 2 values; got ", shape_str(v));
    return v.size() == 1 ? DimVector{v[0], v[0]} : v;
  };
  FoldArgs a{two(kernel_size, "kernel_size"), two(dilation, "dilation"), two(padding, "padding"),
             two(stride, "stride")};
  CRESSET_CHECK(a.kernel[0] > 0 && a.kernel[1] > 0, RuntimeError, "[", op,
                "] kernel size should be greater than zero, but got kernel_height: ", a.kernel[0],
                " kernel_width: ", a.kernel[1]);
  CRESSET_CHECK(a.dilation[0] > 0 && a.dilation[1] > 0, RuntimeError, "[", op,
                "] dilation should be greater than zero, but got dilation_height: ", a.dilation[0],
                " dilation_width: ", a.dilation[1]);
  CRESSET_CHECK(a.padding[0] >= 0 && a.padding[1] >= 0, RuntimeError, "[", op,
                "] padding should be non-negative, but got pad_height: ", a.padding[0],
                " pad_width: ", a.padding[1]);
  CRESSET_CHECK(a.stride[0] > 0 && a.stride[1] > 0, RuntimeError, "[", op,
                "] stride should be greater than zero, but got stride_height: ", a.stride[0],
                " stride_width: ", a.stride[1]);
  return a;
}

// The geometry of the sliding blocks over an image of `size` (h, w); blocks must be >= 1.
ConvGeometry fold_geometry(int64_t batch, int64_t channels, const DimVector& size,
                           const FoldArgs& a, const char* op) {
  ConvGeometry g;
  g.batch = batch;
  g.in_channels = g.out_channels = channels;
  int64_t blocks[2];
  for (int d = 0; d < 2; ++d) {
    blocks[d] =
        (size[d] + 2 * a.padding[d] - (a.dilation[d] * (a.kernel[d] - 1) + 1)) / a.stride[d] + 1;
    g.in[1 + d] = size[d];
    g.out[1 + d] = blocks[d];
    g.kernel[1 + d] = a.kernel[d];
    g.stride[1 + d] = a.stride[d];
    g.pad[1 + d] = a.padding[d];
    g.dilation[1 + d] = a.dilation[d];
  }
  CRESSET_CHECK(blocks[0] >= 1 && blocks[1] >= 1, RuntimeError, "[", op,
                "] Given input with spatial size (", size[0], ", ", size[1], "), kernel_size=(",
                a.kernel[0], ", ", a.kernel[1], "), dilation=(", a.dilation[0], ", ", a.dilation[1],
                "), padding=(", a.padding[0], ", ", a.padding[1],
                "), calculated shape of the array of sliding blocks as (", blocks[0], ", ",
                blocks[1], "), but its components must be at least one.");
  return g;
}

// Runs the im2col kernel in `to_columns` direction between image and col (contiguous, same
// floating dtype; half types go through float32).
void run_fold(const Tensor& image, const Tensor& col, const ConvGeometry& g, bool to_columns) {
  CRESSET_CHECK(image.device().is_cpu(), RuntimeError, "[im2col] only CPU tensors are supported");
  const DType compute = image.dtype() == DType::Float64 ? DType::Float64 : DType::Float32;
  Tensor ci = image, cc = col;
  if (compute != image.dtype()) {
    ci = to_columns ? cast_tensor(image, compute) : empty_tensor(image.sizes(), compute);
    cc = to_columns ? empty_tensor(col.sizes(), compute) : cast_tensor(col, compute);
  }
  if (image.numel() > 0 && col.numel() > 0) {
    CRESSET_CPU_DISPATCH(im2col_kernel, compute, ci.raw_data(), cc.raw_data(), g, to_columns);
  }
  if (compute != image.dtype()) copy_into(to_columns ? col : image, to_columns ? cc : ci);
}

void check_floating(const Tensor& t, const char* op) {
  CRESSET_CHECK(is_floating(t.dtype()), RuntimeError, "[", op,
                "] expected a floating point input; got ", dtype_name(t.dtype()));
}

}  // namespace

Tensor im2col(const Tensor& input, const DimVector& kernel_size, const DimVector& dilation,
              const DimVector& padding, const DimVector& stride) {
  const FoldArgs a = fold_args(kernel_size, dilation, padding, stride, "im2col");
  CRESSET_CHECK(input.dim() == 3 || input.dim() == 4, RuntimeError,
                "[im2col] Expected 3D or 4D (batch mode) tensor for input with possibly 0 batch "
                "size and non-zero dimensions for input, but got: ",
                shape_str(input.sizes()));
  check_floating(input, "im2col");
  const bool batched = input.dim() == 4;
  const Tensor x = contiguous(detach(batched ? input : unsqueeze(input, 0)));
  const DimVector size{x.size(2), x.size(3)};
  const ConvGeometry g = fold_geometry(x.size(0), x.size(1), size, a, "im2col");
  DimVector out_sizes{x.size(0), x.size(1) * a.kernel[0] * a.kernel[1], g.out[1] * g.out[2]};
  Tensor out = empty_tensor(out_sizes, x.dtype(), x.device());
  run_fold(x, out, g, true);
  if (!batched) out = squeeze(out, 0);
  if (autograd::needs_grad({input})) {
    autograd::record("Im2ColBackward0", {input}, {out}, {},
                     [size, a](const autograd::Ctx& c) -> autograd::TensorList {
                       return {col2im(c.grad(), size, a.kernel, a.dilation, a.padding, a.stride)};
                     });
  }
  return out;
}

Tensor col2im(const Tensor& input, const DimVector& output_size, const DimVector& kernel_size,
              const DimVector& dilation, const DimVector& padding, const DimVector& stride) {
  const FoldArgs a = fold_args(kernel_size, dilation, padding, stride, "col2im");
  CRESSET_CHECK(output_size.size() == 1 || output_size.size() == 2, RuntimeError,
                "[col2im] expected output_size to have 1 or 2 values; got ",
                shape_str(output_size));
  const DimVector size =
      output_size.size() == 1 ? DimVector{output_size[0], output_size[0]} : output_size;
  CRESSET_CHECK(input.dim() == 2 || input.dim() == 3, RuntimeError,
                "[col2im] Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch "
                "size and non-zero dimensions for input, but got: ",
                shape_str(input.sizes()));
  check_floating(input, "col2im");
  const bool batched = input.dim() == 3;
  const Tensor cols = contiguous(detach(batched ? input : unsqueeze(input, 0)));
  const int64_t k = a.kernel[0] * a.kernel[1];
  CRESSET_CHECK(cols.size(1) % k == 0, RuntimeError,
                "[col2im] Expected size of input's dimension 1 to be divisible by the product of "
                "kernel_size, but got input.size(1)=",
                cols.size(1), " and kernel_size=(", a.kernel[0], ", ", a.kernel[1], ").");
  const ConvGeometry g = fold_geometry(cols.size(0), cols.size(1) / k, size, a, "col2im");
  CRESSET_CHECK(cols.size(2) == g.out[1] * g.out[2], RuntimeError, "[col2im] Given output_size=(",
                size[0], ", ", size[1], "), kernel_size=(", a.kernel[0], ", ", a.kernel[1],
                "), dilation=(", a.dilation[0], ", ", a.dilation[1], "), padding=(", a.padding[0],
                ", ", a.padding[1], "), stride=(", a.stride[0], ", ", a.stride[1],
                "), expected size of input's dimension 2 to match the calculated number of "
                "sliding blocks ",
                g.out[1], " * ", g.out[2], " = ", g.out[1] * g.out[2],
                ", but got input.size(2)=", cols.size(2), ".");
  Tensor out =
      empty_tensor({cols.size(0), cols.size(1) / k, size[0], size[1]}, cols.dtype(), cols.device());
  run_fold(out, cols, g, false);
  if (!batched) out = squeeze(out, 0);
  if (autograd::needs_grad({input})) {
    autograd::record("Col2ImBackward0", {input}, {out}, {},
                     [a](const autograd::Ctx& c) -> autograd::TensorList {
                       return {im2col(c.grad(), a.kernel, a.dilation, a.padding, a.stride)};
                     });
  }
  return out;
}

}  // namespace cresset
