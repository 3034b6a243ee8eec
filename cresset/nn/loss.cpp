// nll_loss (fused kernel) and cross_entropy, with torch's validation and numerics.
#include "cresset/nn/loss.h"

#include "cresset/autograd/function.h"
#include "cresset/backend/cpu/loss.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/core/shape.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

bool is_index_dtype(DType t) { return t == DType::Int64 || t == DType::UInt8; }

// The weight viewed to broadcast along the class dim of an input with `ndim` dims.
Tensor class_weight_view(const Tensor& weight, int64_t ndim, int64_t class_dim) {
  DimVector shape(size_t(ndim), 1);
  shape[size_t(class_dim)] = weight.numel();
  return view(weight, shape);
}

// A class weight holds one entry per class (`prefix` starts torch's message).
void check_class_weight(const char* prefix, const Tensor& weight, int64_t classes) {
  CRESSET_CHECK(
      weight.dim() == 1 && weight.numel() == classes, RuntimeError, prefix,
      "weight tensor should be defined either for all ", classes,
      " classes or no classes but got weight tensor of shape: ", shape_str(weight.sizes()));
}

// Checks the target of a class-index loss against input (C), (N, C) or (N, C, d1, ...).
void check_nll_shapes(const Tensor& self, const Tensor& target) {
  CRESSET_CHECK(self.dim() >= 1, ValueError, "Expected 1 or more dimensions (got ", self.dim(),
                ")");
  CRESSET_CHECK(is_index_dtype(target.dtype()), RuntimeError,
                "expected target dtype to be Long or Byte, but got ", dtype_display(target.dtype()),
                " ([nll_loss] target must hold int64 class indices; got target ",
                shape_str(target.sizes()), " ", dtype_name(target.dtype()), " for input ",
                shape_str(self.sizes()), ")");
  if (self.dim() == 1) {
    // torch reads the one target of an unbatched input whether it is 0-dim or [1].
    CRESSET_CHECK(target.dim() <= 1 && target.numel() == 1, RuntimeError,
                  "0D or 1D target tensor expected, multi-target not supported; got target ",
                  shape_str(target.sizes()), " for input ", shape_str(self.sizes()));
    return;
  }
  CRESSET_CHECK(target.dim() >= 1 && self.size(0) == target.size(0), ValueError,
                "Expected input batch_size (", self.size(0), ") to match target batch_size (",
                target.dim() == 0 ? 0 : target.size(0), ").");
  if (self.dim() == 2) {
    CRESSET_CHECK(target.dim() == 1, RuntimeError,
                  "0D or 1D target tensor expected, multi-target not supported");
    return;
  }
  DimVector expected{self.size(0)};
  for (int64_t d = 2; d < self.dim(); ++d) expected.push_back(self.size(d));
  CRESSET_CHECK(target.sizes() == expected, RuntimeError, "Expected target size ",
                shape_str(expected), ", got ", shape_str(target.sizes()));
}

}  // namespace

namespace detail {
void check_not_differentiable(const char* fn, const char* arg, const Tensor& t) {
  CRESSET_CHECK(!(t.defined() && t.requires_grad() && autograd::GradMode::is_enabled()),
                RuntimeError, "The function '", fn,
                "' is not differentiable with respect to argument '", arg,
                "'. This input cannot have requires_grad True.");
}
}  // namespace detail

Tensor nll_loss(const Tensor& self, const Tensor& target, const Tensor& weight, int64_t reduction,
                int64_t ignore_index) {
  check_nll_shapes(self, target);
  if (!self.is_floating_point()) dispatch_fail("nll_loss_out_frame", self.dtype());
  CRESSET_CHECK(reduction >= 0 && reduction <= 2, ValueError, reduction,
                " is not a valid value for reduction");
  const int64_t classes = self.dim() == 1 ? self.size(0) : self.size(1);
  const int64_t batch = self.dim() == 1 ? 1 : self.size(0);
  const int64_t inner = self.dim() <= 2 ? 1 : self.numel() / std::max<int64_t>(batch * classes, 1);
  detail::check_not_differentiable("nll_loss_forward", "weight", weight);
  Tensor w;
  if (weight.defined()) {
    check_class_weight("", weight, classes);
    CRESSET_CHECK(weight.dtype() == self.dtype(), RuntimeError, "expected scalar type ",
                  dtype_display(self.dtype()), " but found ", dtype_display(weight.dtype()));
    w = contiguous(detach(weight));
  }
  const Tensor x = contiguous(detach(self));
  const Tensor t = contiguous(target);
  const Device device = self.device();
  // Like torch's nll_loss_nd, inputs of 3 or more than 4 dims run as (N, C, 1, -1) and their
  // unreduced loss is viewed back to the target's shape (ViewBackward0).
  const bool flat_2d = self.dim() == 3 || self.dim() > 4;
  Tensor out = empty_tensor(reduction != kReductionNone || self.dim() == 1 ? DimVector{}
                            : flat_2d ? DimVector{batch, 1, inner}
                                      : target.sizes(),
                            self.dtype(), device);
  Tensor total_weight = empty_tensor({}, self.dtype(), device);
  if (device.is_cuda()) {
    cuda::nll_loss_forward(out, total_weight, x, t, w, batch, classes, inner, reduction,
                           ignore_index);
  } else {
    cpu::nll_loss_forward(out, total_weight, x, t, w, batch, classes, inner, reduction,
                          ignore_index);
  }
  if (autograd::needs_grad({self})) {
    const DimVector sizes = self.sizes();
    autograd::record(
        self.dim() <= 2 ? "NllLossBackward0" : "NllLoss2DBackward0", {self}, {out}, {},
        [=](const autograd::Ctx& c) -> autograd::TensorList {
          const Tensor g = contiguous(c.grad());
          Tensor gi = empty_tensor(sizes, g.dtype(), g.device());
          if (gi.device().is_cuda()) {
            cuda::nll_loss_backward(gi, g, t, w, total_weight, batch, classes, inner, reduction,
                                    ignore_index);
          } else {
            cpu::nll_loss_backward(gi, g, t, w, total_weight, batch, classes, inner, reduction,
                                   ignore_index);
          }
          // gi is linear in g: its derivative is nll_loss of the incoming gradient (double
          // backward through the loss, e.g. gradient penalties).
          if (autograd::needs_grad({c.grad()})) {
            const DimVector g_sizes = g.sizes();
            autograd::record(
                "NllLossBackwardBackward0", {c.grad()}, {gi}, {},
                [=](const autograd::Ctx& cc) -> autograd::TensorList {
                  return {reshape(nll_loss(cc.grad(), t, w, reduction, ignore_index), g_sizes)};
                });
          }
          return {gi};
        });
  }
  return flat_2d && reduction == kReductionNone ? view(out, target.sizes()) : out;
}

namespace {

// torch's cross_entropy_loss_prob_target: -sum(log_softmax(self) * target [* weight]) over the
// class dim; mean divides by the number of class vectors.
Tensor cross_entropy_prob_target(const Tensor& self, const Tensor& target, const Tensor& weight,
                                 int64_t reduction, double label_smoothing, int64_t class_dim) {
  const int64_t classes = self.size(class_dim);
  Tensor input = log_softmax(self, class_dim);
  Tensor tgt = target;
  if (label_smoothing > 0) tgt = tgt * (1 - label_smoothing) + label_smoothing / double(classes);
  Tensor prod = input * tgt;
  if (weight.defined()) {
    check_class_weight("cross_entropy: ", weight, classes);
    prod = prod * class_weight_view(weight, self.dim(), class_dim);
  }
  switch (reduction) {
    case kReductionMean:
      return -sum(prod) / double(self.numel() / std::max<int64_t>(classes, 1));
    case kReductionSum:
      return -sum(prod);
    default:
      return -sum(prod, DimVector{class_dim});
  }
}

// torch's cross_entropy_loss_label_smoothing: (1 - eps) * nll + eps / C * (the loss against a
// uniform target), with ignored targets excluded from both.
Tensor cross_entropy_label_smoothing(const Tensor& self, const Tensor& target, const Tensor& weight,
                                     int64_t reduction, int64_t ignore_index,
                                     double label_smoothing, int64_t class_dim) {
  const Tensor input = log_softmax(self, class_dim);
  const Tensor nll = nll_loss(input, target, weight, reduction, ignore_index);
  const int64_t classes = input.size(class_dim);
  const Tensor ignore_mask = eq(target, wrapped_scalar(ignore_index));
  Tensor smooth = weight.defined() ? -sum(input * class_weight_view(weight, input.dim(), class_dim),
                                          DimVector{class_dim})
                                   : -sum(input, DimVector{class_dim});
  smooth = masked_fill(smooth, ignore_mask, 0.0);
  Tensor ret;
  if (reduction == kReductionMean) {
    const Tensor keep = logical_not(ignore_mask);
    if (weight.defined()) {
      const Tensor kept = to(masked_select(target, keep), DType::Int64, target.device());
      ret = sum(smooth) / sum(gather(weight, 0, flatten(kept, 0, -1)));
    } else {
      ret = sum(smooth) / sum(keep);
    }
  } else if (reduction == kReductionSum) {
    ret = sum(smooth);
  } else {
    ret = smooth;
  }
  return (1 - label_smoothing) * nll + ret * (label_smoothing / double(classes));
}

}  // namespace

Tensor cross_entropy_loss(const Tensor& self, const Tensor& target, const Tensor& weight,
                          int64_t reduction, int64_t ignore_index, double label_smoothing) {
  CRESSET_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0, RuntimeError,
                "label_smoothing must be between 0.0 and 1.0. Got: ", label_smoothing);
  const int64_t class_dim = self.dim() == 1 ? 0 : 1;
  if (self.sizes() == target.sizes()) {
    CRESSET_CHECK(target.is_floating_point(), RuntimeError,
                  "Expected floating point type for target with class probabilities, got ",
                  dtype_display(target.dtype()));
    CRESSET_CHECK(ignore_index < 0, RuntimeError,
                  "ignore_index is not supported for floating point target");
    CRESSET_CHECK(self.dim() >= 1, IndexError,
                  "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    return cross_entropy_prob_target(self, target, weight, reduction, label_smoothing, class_dim);
  }
  CRESSET_CHECK(self.dim() >= 1, ValueError, "Expected 1 or more dimensions (got ", self.dim(),
                ")");
  CRESSET_CHECK(is_index_dtype(target.dtype()), RuntimeError,
                "[cross_entropy] expected target to hold int64 class indices (for input ",
                shape_str(self.sizes()), ": shape ",
                self.dim() == 1 ? "[]" : shape_str(DimVector{self.size(0)}),
                " plus any extra dims) or class probabilities shaped like the input; got target ",
                shape_str(target.sizes()), " ", dtype_name(target.dtype()));
  if (label_smoothing > 0) {
    return cross_entropy_label_smoothing(self, target, weight, reduction, ignore_index,
                                         label_smoothing, class_dim);
  }
  return nll_loss(log_softmax(self, class_dim), target, weight, reduction, ignore_index);
}

}  // namespace cresset
