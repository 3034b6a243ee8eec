#include "cresset/nn/modules/normalization.h"

#include "cresset/autograd/grad_mode.h"
#include "cresset/nn/modules/functional.h"
#include "cresset/nn/modules/init.h"
#include "cresset/ops/ops.h"

namespace cresset::nn {
namespace {

/// A parameter of `shape` (undefined when not `enabled`), filled by reset_parameters later.
Tensor affine_parameter(Module& m, const char* name, bool enabled, const DimVector& shape) {
  return m.register_parameter(name, enabled ? empty_tensor(shape, default_dtype()) : Tensor(),
                              enabled);
}

void reset_affine(const Tensor& weight, const Tensor& bias) {
  if (weight.defined()) init::ones_(weight);
  if (bias.defined()) init::zeros_(bias);
}

}  // namespace

BatchNormImplBase::BatchNormImplBase(const BatchNormOptions& options, int64_t min_dims,
                                     int64_t max_dims)
    : options(options), min_dims_(min_dims), max_dims_(max_dims) {
  const int64_t c = options.num_features();
  weight = affine_parameter(*this, "weight", options.affine(), {c});
  bias = affine_parameter(*this, "bias", options.affine(), {c});
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({c}, default_dtype()));
    running_var = register_buffer("running_var", ones({c}, default_dtype()));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::Int64));
  }
  reset_parameters();
}

void BatchNormImplBase::reset_running_stats() {
  if (!options.track_running_stats()) return;
  init::zeros_(running_mean);
  init::ones_(running_var);
  init::zeros_(num_batches_tracked);
}

void BatchNormImplBase::reset_parameters() {
  reset_running_stats();
  reset_affine(weight, bias);
}

Tensor BatchNormImplBase::forward(const Tensor& input) {
  CRESSET_CHECK(input.dim() >= min_dims_ && input.dim() <= max_dims_, ValueError, "[", name(),
                "] expected ", min_dims_ == max_dims_ ? "" : str_cat(min_dims_, "D or "),
                max_dims_, "D input (got ", input.dim(), "D input)");
  CRESSET_CHECK(input.size(1) == options.num_features(), RuntimeError, "[", name(),
                "] expected an input with num_features=", options.num_features(),
                " channels (dim 1); got ", describe(input));
  double factor = options.momentum().value_or(0.0);
  if (is_training() && options.track_running_stats()) {
    autograd::AutoGradMode no_grad(false);
    add_(num_batches_tracked, wrapped_scalar(1));
    if (!options.momentum()) factor = 1.0 / double(item_scalar(num_batches_tracked).to_int());
  }
  // Batch statistics normalize in training, and always when there are no running ones.
  const bool use_batch_stats = is_training() || !options.track_running_stats();
  return F::batch_norm(input, running_mean, running_var,
                       F::BatchNormFuncOptions().weight(weight).bias(bias)
                           .training(use_batch_stats).momentum(factor).eps(options.eps()));
}

void BatchNormImplBase::pretty_print(std::ostream& stream) const {
  stream << name() << "(" << options.num_features() << ", eps=" << options.eps()
         << ", momentum=";
  if (options.momentum()) {
    stream << *options.momentum();
  } else {
    stream << "None";
  }
  stream << std::boolalpha << ", affine=" << options.affine()
         << ", track_running_stats=" << options.track_running_stats() << ")";
}

LayerNormImpl::LayerNormImpl(const LayerNormOptions& options) : options(options) {
  const DimVector shape(options.normalized_shape());
  weight = affine_parameter(*this, "weight", options.elementwise_affine(), shape);
  bias = affine_parameter(*this, "bias", options.elementwise_affine() && options.bias(), shape);
  reset_parameters();
}

void LayerNormImpl::reset_parameters() { reset_affine(weight, bias); }

Tensor LayerNormImpl::forward(const Tensor& input) {
  return F::layer_norm(input, F::LayerNormFuncOptions(options.normalized_shape())
                                  .weight(weight).bias(bias).eps(options.eps()));
}

void LayerNormImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(" << shape_str(DimVector(options.normalized_shape())) << ", eps=" << options.eps() << ", elementwise_affine=" << std::boolalpha
         << options.elementwise_affine() << ")";
}

GroupNormImpl::GroupNormImpl(const GroupNormOptions& options) : options(options) {
  CRESSET_CHECK(options.num_groups() > 0 && options.num_channels() % options.num_groups() == 0,
                ValueError, "[nn::GroupNorm] num_channels must be divisible by num_groups");
  weight = affine_parameter(*this, "weight", options.affine(), {options.num_channels()});
  bias = affine_parameter(*this, "bias", options.affine(), {options.num_channels()});
  reset_parameters();
}

void GroupNormImpl::reset_parameters() { reset_affine(weight, bias); }

Tensor GroupNormImpl::forward(const Tensor& input) {
  return F::group_norm(input, F::GroupNormFuncOptions(options.num_groups())
                                  .weight(weight).bias(bias).eps(options.eps()));
}

void GroupNormImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(" << options.num_groups() << ", " << options.num_channels()
         << ", eps=" << options.eps() << ", affine=" << std::boolalpha << options.affine() << ")";
}

}  // namespace cresset::nn
