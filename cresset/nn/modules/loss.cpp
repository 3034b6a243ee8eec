#include "cresset/nn/modules/loss.h"

namespace cresset::nn {

void detail::register_weight_buffers(Module& m, const Tensor& weight, const Tensor& pos_weight) {
  if (weight.defined()) m.register_buffer("weight", weight);
  if (pos_weight.defined()) m.register_buffer("pos_weight", pos_weight);
}

CrossEntropyLossImpl::CrossEntropyLossImpl(const CrossEntropyLossOptions& options)
    : LossImpl(options) {
  detail::register_weight_buffers(*this, options.weight());
}

NLLLossImpl::NLLLossImpl(const NLLLossOptions& options) : LossImpl(options) {
  detail::register_weight_buffers(*this, options.weight());
}

MSELossImpl::MSELossImpl(const MSELossOptions& options) : LossImpl(options) {}

L1LossImpl::L1LossImpl(const L1LossOptions& options) : LossImpl(options) {}

BCELossImpl::BCELossImpl(const BCELossOptions& options) : LossImpl(options) {
  detail::register_weight_buffers(*this, options.weight());
}

BCEWithLogitsLossImpl::BCEWithLogitsLossImpl(const BCEWithLogitsLossOptions& options)
    : LossImpl(options) {
  detail::register_weight_buffers(*this, options.weight(), options.pos_weight());
}

SmoothL1LossImpl::SmoothL1LossImpl(const SmoothL1LossOptions& options) : LossImpl(options) {}

KLDivLossImpl::KLDivLossImpl(const KLDivLossOptions& options) : LossImpl(options) {}

}  // namespace cresset::nn
