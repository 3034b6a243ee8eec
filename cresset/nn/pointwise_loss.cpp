// Elementwise losses (regression, binary classification, margin and embedding losses). Where
// torch has a named backward node (MseLossBackward0 ...) the forward runs without recording and
// one node holds a derivative written in ops, so double backward works; torch's composites are
// composites here too, and get their node names from the ops they are made of.
#include <algorithm>
#include <cmath>

#include "cresset/autograd/engine.h"
#include "cresset/autograd/function.h"
#include "cresset/core/error.h"
#include "cresset/core/shape.h"
#include "cresset/nn/distance.h"
#include "cresset/nn/loss.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

void check_reduction(int64_t reduction) {
  CRESSET_CHECK(reduction >= 0 && reduction <= 2, ValueError, reduction,
                " is not a valid value for reduction");
}

// torch's apply_loss_reduction.
Tensor apply_reduction(const Tensor& loss, int64_t reduction) {
  check_reduction(reduction);
  if (reduction == kReductionMean) return mean(loss);
  if (reduction == kReductionSum) return sum(loss);
  return loss;
}

// The derivative of a pointwise loss with respect to its inputs, given the gradient of each
// unreduced element `g` and the saved inputs.
using PointwiseBackward = autograd::TensorList (*)(const autograd::Ctx& c, const Tensor& g,
                                                   double param);

// A pointwise loss recorded as one node `name` over `inputs` (self, target, then any weights; all
// saved):
// `loss` holds the unreduced elements, computed by the caller under no_grad. Without
// `target_edge`, the second input is saved but gets no edge (torch's non-differentiable target).
Tensor record_pointwise(const char* name, const autograd::TensorList& inputs, const Tensor& loss,
                        int64_t reduction, double param, PointwiseBackward backward,
                        bool target_edge = true) {
  Tensor out;
  {
    autograd::AutoGradMode no_grad(false);
    out = apply_reduction(loss, reduction);
  }
  if (autograd::needs_grad(inputs)) {
    const int64_t numel = loss.numel();
    std::vector<DimVector> shapes;
    for (const Tensor& t : inputs) shapes.push_back(t.sizes());
    // Edges for self and target only: a weight is saved, never differentiated (torch's node has
    // no edge for it).
    autograd::TensorSpan edges(inputs.data(), target_edge ? std::min<size_t>(inputs.size(), 2) : 1);
    auto node = autograd::record(name, edges, {out}, inputs,
                     [=](const autograd::Ctx& c) -> autograd::TensorList {
                       Tensor g = c.grad();
                       if (reduction == kReductionMean) g = g / double(numel);
                       autograd::TensorList grads = backward(c, g, param);
                       // A weight may have broadcast the loss beyond an input's shape.
                       for (size_t i = 0; i < grads.size(); ++i) {
                         if (grads[i].defined() && grads[i].sizes() != shapes[i]) {
                           grads[i] = autograd::sum_to(grads[i], shapes[i]);
                         }
                       }
                       return grads;
                     });
    if (!target_edge) node->set_edgeless_inputs(0b10);
  }
  return out;
}

// The inputs broadcast to one shape (ExpandBackward0 carries the gradients back).
std::pair<Tensor, Tensor> broadcast_pair(const Tensor& a, const Tensor& b) {
  if (a.sizes() == b.sizes()) return {a, b};
  std::vector<Tensor> t = broadcast_tensors({a, b});
  return {t[0], t[1]};
}

// `grad_self` for input 0 and its negation for input 1, each when needed.
autograd::TensorList antisymmetric(const autograd::Ctx& c, const Tensor& grad_self) {
  return {c.needs_input_grad(0) ? grad_self : Tensor(),
          c.needs_input_grad(1) ? -grad_self : Tensor()};
}

void check_floating(const char* op, const Tensor& self) {
  CRESSET_CHECK(self.is_floating_point(), RuntimeError, "[", op,
                "] expected a floating point input; got ", describe(self));
}

// The log of 1 + exp(-x) without overflow: log1p(exp(-|x|)) + max(-x, 0) (= -log_sigmoid(x)).
Tensor softplus_neg(const Tensor& x) { return log1p(exp(-abs(x))) + clamp(-x, 0.0, std::nullopt); }

Tensor zeros_like_tensor(const Tensor& t) { return zeros(t.sizes(), t.dtype(), t.device()); }

}  // namespace

Tensor mse_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  check_reduction(reduction);
  auto [x, y] = broadcast_pair(self, target);
  Tensor loss;
  {
    autograd::AutoGradMode no_grad(false);
    loss = square(x - y);
  }
  return record_pointwise("MseLossBackward0", {x, y}, loss, reduction, 0,
                          [](const autograd::Ctx& c, const Tensor& g, double) {
                            return antisymmetric(c, 2 * (c.saved(0) - c.saved(1)) * g);
                          });
}

Tensor l1_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  return apply_reduction(abs(self - target), reduction);
}

Tensor smooth_l1_loss(const Tensor& self, const Tensor& target, int64_t reduction, double beta) {
  CRESSET_CHECK(beta >= 0, RuntimeError,
                "smooth_l1_loss does not support negative values for beta.");
  check_reduction(reduction);
  auto [x, y] = broadcast_pair(self, target);
  Tensor loss;
  {
    autograd::AutoGradMode no_grad(false);
    const Tensor d = abs(x - y);
    loss = where(d < beta, 0.5 * square(d) / beta, d - 0.5 * beta);
  }
  return record_pointwise("SmoothL1LossBackward0", {x, y}, loss, reduction, beta,
                          [](const autograd::Ctx& c, const Tensor& g, double b) {
                            const Tensor d = c.saved(0) - c.saved(1);
                            return antisymmetric(c, where(abs(d) < b, d / b, sign(d)) * g);
                          });
}

Tensor huber_loss(const Tensor& self, const Tensor& target, int64_t reduction, double delta) {
  CRESSET_CHECK(delta > 0, RuntimeError,
                "huber_loss does not support non-positive values for delta.");
  check_reduction(reduction);
  auto [x, y] = broadcast_pair(self, target);
  Tensor loss;
  {
    autograd::AutoGradMode no_grad(false);
    const Tensor d = abs(x - y);
    loss = where(d < delta, 0.5 * square(d), delta * (d - 0.5 * delta));
  }
  return record_pointwise("HuberLossBackward0", {x, y}, loss, reduction, delta,
                          [](const autograd::Ctx& c, const Tensor& g, double dl) {
                            const Tensor d = c.saved(0) - c.saved(1);
                            return antisymmetric(c, clamp(d, -dl, dl) * g);
                          });
}

Tensor binary_cross_entropy(const Tensor& self, const Tensor& target, const Tensor& weight,
                            int64_t reduction) {
  check_reduction(reduction);
  check_floating("binary_cross_entropy", self);
  detail::check_not_differentiable("binary_cross_entropy", "weight", weight);
  Tensor loss;
  {
    autograd::AutoGradMode no_grad(false);
    CRESSET_CHECK(self.numel() == 0 || item_scalar(all((self >= 0) & (self <= 1))).to_bool(),
                  RuntimeError, "all elements of input should be between 0 and 1");
    CRESSET_CHECK(target.numel() == 0 || item_scalar(all((target >= 0) & (target <= 1))).to_bool(),
                  RuntimeError, "all elements of target should be between 0 and 1");
    loss = (target - 1) * clamp(log1p(-self), -100.0, std::nullopt) -
           target * clamp(log(self), -100.0, std::nullopt);
    if (weight.defined()) loss = loss * weight;
  }
  // The weight (saved third when given) gets no gradient, as in torch.
  autograd::TensorList inputs{self, target};
  if (weight.defined()) inputs.push_back(detach(weight));
  return record_pointwise(
      "BinaryCrossEntropyBackward0", inputs, loss, reduction, weight.defined() ? 1 : 0,
      [](const autograd::Ctx& c, const Tensor& g, double has_weight) -> autograd::TensorList {
        const Tensor x = c.saved(0), y = c.saved(1);
        const Tensor gw = has_weight != 0 ? g * c.saved(2) : g;
        Tensor gx, gy;
        if (c.needs_input_grad(0)) gx = gw * (x - y) / clamp((1 - x) * x, 1e-12, std::nullopt);
        if (c.needs_input_grad(1)) {
          gy = gw * (clamp(log1p(-x), -100.0, std::nullopt) - clamp(log(x), -100.0, std::nullopt));
        }
        return {gx, gy, Tensor()};
      });
}

Tensor binary_cross_entropy_with_logits(const Tensor& self, const Tensor& target,
                                        const Tensor& weight, const Tensor& pos_weight,
                                        int64_t reduction) {
  check_reduction(reduction);
  check_floating("binary_cross_entropy_with_logits", self);
  detail::check_not_differentiable("binary_cross_entropy_with_logits", "weight", weight);
  detail::check_not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight);
  Tensor loss;
  {
    autograd::AutoGradMode no_grad(false);
    const Tensor sp = softplus_neg(self);
    loss = pos_weight.defined() ? (1 - target) * self + ((pos_weight - 1) * target + 1) * sp
                                : (1 - target) * self + sp;
    if (weight.defined()) loss = loss * weight;
  }
  // Saved: self, target, then the weight and pos_weight that are given (no gradients).
  autograd::TensorList inputs{self, target};
  if (weight.defined()) inputs.push_back(detach(weight));
  if (pos_weight.defined()) inputs.push_back(detach(pos_weight));
  const double flags = (weight.defined() ? 1 : 0) + (pos_weight.defined() ? 2 : 0);
  return record_pointwise(
      "BinaryCrossEntropyWithLogitsBackward0", inputs, loss, reduction, flags,
      [](const autograd::Ctx& c, const Tensor& g, double f) -> autograd::TensorList {
        const int flags = int(f);
        const Tensor x = c.saved(0), y = c.saved(1);
        const Tensor gw = (flags & 1) ? g * c.saved(2) : g;
        const Tensor pw = (flags & 2) ? c.saved((flags & 1) ? 3 : 2) : Tensor();
        Tensor gx, gy;
        if (c.needs_input_grad(0)) {
          gx = pw.defined() ? gw * (sigmoid(x) * ((pw - 1) * y + 1) - pw * y)
                            : gw * (sigmoid(x) - y);
        }
        if (c.needs_input_grad(1)) {
          gy = pw.defined() ? gw * ((pw - 1) * softplus_neg(x) - x) : -(gw * x);
        }
        autograd::TensorList grads{gx, gy};
        grads.resize(size_t(2 + (flags & 1) + (flags >> 1)));
        return grads;
      });
}

Tensor soft_margin_loss(const Tensor& self, const Tensor& target, int64_t reduction) {
  check_reduction(reduction);
  detail::check_not_differentiable("soft_margin_loss", "target", target);
  auto [x, y] = broadcast_pair(self, target);
  Tensor loss;
  {
    autograd::AutoGradMode no_grad(false);
    loss = softplus_neg(y * x);
  }
  return record_pointwise("SoftMarginLossBackward0", {x, detach(y)}, loss, reduction, 0,
                          [](const autograd::Ctx& c, const Tensor& g, double) {
                            const Tensor y = c.saved(1);
                            return autograd::TensorList{-y * sigmoid(-y * c.saved(0)) * g,
                                                        Tensor()};
                          },
                          /*target_edge=*/false);
}

Tensor kl_div(const Tensor& self, const Tensor& target, int64_t reduction, bool log_target) {
  const Tensor loss =
      log_target ? exp(target) * (target - self) : xlogy(target, target) - target * self;
  return apply_reduction(loss, reduction);
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input, bool full,
                        double eps, int64_t reduction) {
  Tensor loss = log_input ? exp(input) - target * input : input - target * log(input + eps);
  if (full) {
    const Tensor stirling = target * log(target) - target + 0.5 * log(2 * M_PI * target);
    loss = loss + masked_fill(stirling, target <= 1, 0.0);
  }
  return apply_reduction(loss, reduction);
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                           double margin, int64_t reduction) {
  const Tensor out = clamp_bound(-target * (input1 - input2) + margin, 0.0, true, {}, false);
  return apply_reduction(out, reduction);
}

Tensor hinge_embedding_loss(const Tensor& self, const Tensor& target, double margin,
                            int64_t reduction) {
  const Tensor zeros = zeros_like_tensor(self);
  const Tensor margin_clamp = clamp_bound(margin - self, 0.0, true, {}, false);
  const Tensor out_margin = where(ne(target, wrapped_scalar(1)), margin_clamp, zeros);
  const Tensor out_self = where(ne(target, wrapped_scalar(-1)), self, zeros);
  return apply_reduction(out_margin + out_self, reduction);
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target,
                             double margin, int64_t reduction) {
  const int64_t targ_dim = target.dim();
  CRESSET_CHECK(targ_dim == 1 || targ_dim == 0, RuntimeError,
                "0D or 1D target tensor expected, multi-target not supported");
  if (targ_dim == 1) {
    CRESSET_CHECK(input1.dim() == 2 && input2.dim() == 2, RuntimeError,
                  "1D target tensor expects 2D input tensors, but found inputs with sizes ",
                  shape_str(input1.sizes()), " and ", shape_str(input2.sizes()), ".");
  } else {
    CRESSET_CHECK(input1.dim() == 1 && input2.dim() == 1, RuntimeError,
                  "0D target tensor expects 1D input tensors, but found inputs with sizes ",
                  shape_str(input1.sizes()), " and ", shape_str(input2.sizes()), ".");
  }
  constexpr double kEps = 1e-12;
  const DimVector dims{targ_dim};
  const Tensor prod_sum = sum(input1 * input2, dims);
  const Tensor mag1 = sum(input1 * input1, dims) + kEps;
  const Tensor mag2 = sum(input2 * input2, dims) + kEps;
  const Tensor cos = prod_sum / sqrt(mag1 * mag2);
  const Tensor zeros = zeros_like_tensor(cos);
  const Tensor pos = 1 - cos;
  const Tensor neg = clamp_bound(cos - margin, 0.0, true, {}, false);
  const Tensor out = where(eq(target, wrapped_scalar(1)), pos, zeros) +
                     where(eq(target, wrapped_scalar(-1)), neg, zeros);
  return apply_reduction(out, reduction);
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative,
                           double margin, double p, double eps, bool swap, int64_t reduction) {
  CRESSET_CHECK(anchor.dim() == positive.dim() && positive.dim() == negative.dim(), RuntimeError,
                "The anchor, positive, and negative tensors are expected to have the same number "
                "of dimensions, but got: anchor ",
                anchor.dim(), "D, positive ", positive.dim(), "D, and negative ", negative.dim(),
                "D inputs");
  const Tensor dist_pos = pairwise_distance(anchor, positive, p, eps);
  Tensor dist_neg = pairwise_distance(anchor, negative, p, eps);
  if (swap) dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps));
  return apply_reduction(clamp_bound(dist_pos + margin - dist_neg, 0.0, true, {}, false),
                         reduction);
}

}  // namespace cresset
