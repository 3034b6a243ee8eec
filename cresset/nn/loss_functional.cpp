// torch.nn.functional's loss semantics in front of the loss ops: the checks torch's Python layer
// makes (its error types and messages), written once for cresset's Python layer and C++ frontend.
#include "cresset/core/error.h"
#include "cresset/core/shape.h"
#include "cresset/nn/loss.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

std::string torch_size(const Tensor& t) { return str_cat("torch.Size(", shape_str(t.sizes()), ")"); }

}  // namespace

Tensor kl_div_loss(const Tensor& input, const Tensor& target, int64_t reduction, bool log_target) {
  CRESSET_CHECK(reduction >= kReductionNone && reduction <= kReductionBatchMean, ValueError,
                "[kl_div] ", reduction, " is not a valid value for reduction");
  if (reduction != kReductionBatchMean) return kl_div(input, target, reduction, log_target);
  const Tensor sum = kl_div(input, target, kReductionSum, log_target);
  return input.dim() == 0 ? sum : div(sum, wrapped_scalar(Scalar(input.size(0))));
}

Tensor bce_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                int64_t reduction) {
  CRESSET_CHECK(target.sizes() == input.sizes(), ValueError, "[binary_cross_entropy] ",
                "Using a target size (", torch_size(target),
                ") that is different to the input size (", torch_size(input),
                ") is deprecated. Please ensure they have the same size.");
  const Tensor w =
      weight.defined() ? expand(weight, broadcast_shapes({target.sizes(), weight.sizes()}))
                       : weight;
  return binary_cross_entropy(input, target, w, reduction);
}

Tensor bce_with_logits_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                            const Tensor& pos_weight, int64_t reduction) {
  CRESSET_CHECK(target.sizes() == input.sizes(), ValueError,
                "[binary_cross_entropy_with_logits] Target size (", torch_size(target),
                ") must be the same as input size (", torch_size(input), ")");
  return binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction);
}

}  // namespace cresset
