// The multi-class margin losses. The forward is composed of ops without recording; one node with
// torch's name (MultiMarginLossBackward0, MultilabelMarginLossBackward0) holds a derivative
// written in ops. Fused kernels would pay only for large class counts.
#include "cresset/autograd/function.h"
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

// The gradient of each sample's (unreduced, undivided) loss: the output gradient per sample as
// [N, 1] (or 0-dim), divided by C and, for mean, by N.
Tensor sample_grad(const Tensor& grad, int64_t batch, int64_t classes, int64_t reduction) {
  if (reduction == kReductionNone) return reshape(grad, {batch, 1}) / double(classes);
  if (reduction == kReductionMean) return grad / double(batch * classes);
  return grad / double(classes);
}

// Whether some element of `t` lies outside [lo, hi).
bool any_outside(const Tensor& t, int64_t lo, int64_t hi) {
  return t.numel() > 0 && item_scalar(any((t < lo) | (t >= hi))).to_bool();
}

Tensor zero_like_scalar(const Tensor& t) { return zeros({}, t.dtype(), t.device()); }

}  // namespace

Tensor multi_margin_loss(const Tensor& self, const Tensor& target, int64_t p, double margin,
                         const Tensor& weight, int64_t reduction) {
  CRESSET_CHECK(p == 1 || p == 2, RuntimeError, "only p == 1 and p == 2 supported");
  check_vector_or_matrix(self);
  const bool unbatched = self.dim() == 1;
  const int64_t batch = unbatched ? 1 : self.size(0), classes = self.size(-1);
  CRESSET_CHECK(target.dim() <= 1 && target.numel() == batch, RuntimeError,
                "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
                "input samples (batch size). Expected target size [",
                batch, "], but got ", shape_str(target.sizes()), ". Input has shape ",
                shape_str(self.sizes()), ".");
  CRESSET_CHECK(target.dtype() == DType::Int64, RuntimeError,
                "expected scalar type Long but found ", dtype_display(target.dtype()));
  CRESSET_CHECK(!any_outside(target, 0, classes), RuntimeError, "target out of range");
  const Tensor t = reshape(target, {batch, 1});
  Tensor own, active, weight_y, out;
  {
    autograd::AutoGradMode no_grad(false);
    const Tensor x = reshape(self, {batch, classes});
    // z[n, i] = margin - x[n, y] + x[n, i]; the target's own class never counts.
    const Tensor z = margin - gather(x, 1, t) + x;
    own = eq(arange(0, classes, 1, DType::Int64, self.device()), t);
    active = logical_and(z > 0, logical_not(own));
    Tensor loss = where(active, p == 2 ? z * z : z, zero_like_scalar(z));
    if (weight.defined()) {
      weight_y = reshape(index_select(weight, 0, reshape(t, {batch})), {batch, 1});
      loss = loss * weight_y;
    }
    out = reduce_samples(loss, classes, unbatched, target.sizes(), reduction);
  }
  if (autograd::needs_grad({self})) {
    const DimVector sizes = self.sizes();
    autograd::record("MultiMarginLossBackward0", {self}, {out}, {self},
                     [=](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor x = reshape(c.saved(0), {batch, classes});
                       Tensor d = to(active, x.dtype(), x.device());
                       if (p == 2) d = 2 * (margin - gather(x, 1, t) + x) * d;
                       if (weight_y.defined()) d = d * weight_y;
                       // x[n, i] raises loss term i; x[n, y] lowers every active term.
                       const Tensor gx = where(own, -sum(d, DimVector{1}, true), d) *
                                         sample_grad(c.grad(), batch, classes, reduction);
                       return {reshape(gx, sizes)};
                     });
  }
  return out;
}

Tensor multilabel_margin_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  check_vector_or_matrix(self);
  CRESSET_CHECK(target.sizes() == self.sizes(), RuntimeError,
                "inconsistent target size: ", shape_str(target.sizes()),
                " for input of size: ", shape_str(self.sizes()));
  CRESSET_CHECK(target.dtype() == DType::Int64, RuntimeError,
                "expected scalar type Long but found ", dtype_display(target.dtype()));
  const bool unbatched = self.dim() == 1;
  const int64_t batch = unbatched ? 1 : self.size(0), classes = self.size(-1);
  CRESSET_CHECK(!any_outside(target, -1, classes), RuntimeError,
                "argument #2 'target' is out of range");
  Tensor active, slot_class, out;
  {
    autograd::AutoGradMode no_grad(false);
    const Tensor x = reshape(self, {batch, classes});
    const Tensor t = reshape(target, {batch, classes});
    // Slot j counts while no -1 precedes it; a class is a target when a counting slot names it.
    const Tensor counted =
        unsqueeze(to(cumprod(ne(t, wrapped_scalar(-1)), 1), DType::Bool, t.device()), 2);
    slot_class =
        logical_and(eq(unsqueeze(t, 2), arange(0, classes, 1, DType::Int64, t.device())), counted);
    const Tensor is_target = any(slot_class, DimVector{1});
    // z[n, j, i] = 1 - (x[n, y_j] - x[n, i]) over counting slots j and non-target classes i.
    const Tensor xj = gather(x, 1, clamp(t, 0, std::nullopt));
    const Tensor z = 1 - (unsqueeze(xj, 2) - unsqueeze(x, 1));
    active = logical_and(logical_and(counted, logical_not(unsqueeze(is_target, 1))), z > 0);
    const Tensor per_class = sum(where(active, z, zero_like_scalar(z)), DimVector{1});
    out = reduce_samples(per_class, classes, unbatched, {}, reduction);
  }
  if (autograd::needs_grad({self})) {
    const DimVector sizes = self.sizes();
    autograd::record("MultilabelMarginLossBackward0", {self}, {out}, {},
                     [=](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor& g = c.grad();
                       const Tensor a = to(active, g.dtype(), g.device());
                       const Tensor slots = to(slot_class, g.dtype(), g.device());
                       // Class i gains one per active pair (j, i); the class y_j loses one per pair
                       // of slot j.
                       const Tensor gx = (sum(a, DimVector{1}) -
                                          sum(slots * sum(a, DimVector{2}, true), DimVector{1})) *
                                         sample_grad(g, batch, classes, reduction);
                       return {reshape(gx, sizes)};
                     });
  }
  return out;
}

}  // namespace cresset
