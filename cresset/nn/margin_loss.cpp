// The multi-class margin losses, composed of ops (torch's fused kernels would pay only for large C).
#include "cresset/core/error.h"
#include "cresset/core/shape.h"
#include "cresset/nn/loss.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

// torch's check: a non-empty vector, or a matrix whose batch may be empty.
void check_vector_or_matrix(const Tensor& self) {
  CRESSET_CHECK((self.dim() == 1 && self.numel() > 0) || (self.dim() == 2 && self.size(1) > 0),
                RuntimeError,
                "Expected non-empty vector or matrix with optional 0-dim batch size, but got: ",
                shape_str(self.sizes()));
}

// The loss per sample (dim 1 of the [N, C] loss matrix summed and divided by C), reduced; an
// unbatched input's unreduced loss gets `unbatched_shape`.
Tensor reduce_samples(const Tensor& per_class, int64_t classes, bool unbatched,
                      const DimVector& unbatched_shape, int64_t reduction) {
  Tensor loss = sum(per_class, DimVector{1}) / double(classes);
  if (reduction == kReductionMean) return mean(loss);
  if (reduction == kReductionSum) return sum(loss);
  return unbatched ? reshape(loss, unbatched_shape) : loss;
}

// Whether some element of `t` lies outside [lo, hi).
bool any_outside(const Tensor& t, int64_t lo, int64_t hi) {
  return t.numel() > 0 && item_scalar(any((t < lo) | (t >= hi))).to_bool();
}

}  // namespace

Tensor multi_margin_loss(const Tensor& self, const Tensor& target, int64_t p, double margin,
                         const Tensor& weight, int64_t reduction) {
  CRESSET_CHECK(p == 1 || p == 2, RuntimeError, "only p == 1 and p == 2 supported");
  check_vector_or_matrix(self);
  const bool unbatched = self.dim() == 1;
  const int64_t batch = unbatched ? 1 : self.size(0), classes = self.size(-1);
  CRESSET_CHECK(target.dim() <= 1 && target.numel() == batch, RuntimeError,
                "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
                "input samples (batch size). Expected target size [", batch, "], but got ",
                shape_str(target.sizes()), ". Input has shape ", shape_str(self.sizes()), ".");
  CRESSET_CHECK(target.dtype() == DType::Int64, RuntimeError,
                "expected scalar type Long but found ", dtype_display(target.dtype()));
  CRESSET_CHECK(!any_outside(target, 0, classes), RuntimeError, "target out of range");
  const Tensor x = reshape(self, {batch, classes});
  const Tensor t = reshape(target, {batch, 1});
  Tensor z = clamp(margin - gather(x, 1, t) + x, 0.0, std::nullopt);
  if (p == 2) z = z * z;
  if (weight.defined()) z = z * reshape(index_select(weight, 0, reshape(t, {batch})), {batch, 1});
  const Tensor own = eq(arange(0, classes, 1, DType::Int64, self.device()), t);
  return reduce_samples(masked_fill(z, own, 0.0), classes, unbatched, target.sizes(), reduction);
}

Tensor multilabel_margin_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  check_vector_or_matrix(self);
  CRESSET_CHECK(target.sizes() == self.sizes(), RuntimeError, "inconsistent target size: ",
                shape_str(target.sizes()), " for input of size: ", shape_str(self.sizes()));
  CRESSET_CHECK(target.dtype() == DType::Int64, RuntimeError,
                "expected scalar type Long but found ", dtype_display(target.dtype()));
  const bool unbatched = self.dim() == 1;
  const int64_t batch = unbatched ? 1 : self.size(0), classes = self.size(-1);
  CRESSET_CHECK(!any_outside(target, -1, classes), RuntimeError,
                "argument #2 'target' is out of range");
  const Tensor x = reshape(self, {batch, classes});
  const Tensor t = reshape(target, {batch, classes});
  // Slot j counts while no -1 precedes it; a class is a target when some counting slot names it.
  const Tensor counted = to(cumprod(ne(t, wrapped_scalar(-1)), 1), DType::Bool, t.device());
  const Tensor named = eq(unsqueeze(t, 2), arange(0, classes, 1, DType::Int64, t.device()));
  const Tensor is_target = any(logical_and(named, unsqueeze(counted, 2)), DimVector{1});
  const Tensor xj = gather(x, 1, clamp(t, 0, std::nullopt));
  const Tensor z = clamp(1 - (unsqueeze(xj, 2) - unsqueeze(x, 1)), 0.0, std::nullopt);
  const Tensor pairs = logical_and(unsqueeze(counted, 2), logical_not(unsqueeze(is_target, 1)));
  const Tensor per_class = sum(where(pairs, z, zeros({}, z.dtype(), z.device())), DimVector{1});
  return reduce_samples(per_class, classes, unbatched, {}, reduction);
}

}  // namespace cresset
