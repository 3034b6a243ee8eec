#include "cresset/nn/modules/dropout.h"

namespace cresset::nn {

DropoutImplBase::DropoutImplBase(const DropoutOptions& options) : options(options) {
  CRESSET_CHECK(options.p() >= 0 && options.p() <= 1, ValueError,
                "[nn::Dropout] dropout probability has to be between 0 and 1, but got ",
                options.p());
}

void DropoutImplBase::pretty_print(std::ostream& stream) const {
  stream << name() << "(p=" << options.p() << ", inplace=" << std::boolalpha << options.inplace()
         << ")";
}

Tensor DropoutImpl::forward(const Tensor& input) {
  return F::dropout(
      input,
      F::DropoutFuncOptions().p(options.p()).training(is_training()).inplace(options.inplace()));
}

Tensor Dropout2dImpl::forward(const Tensor& input) {
  CRESSET_CHECK(input.dim() == 3 || input.dim() == 4, RuntimeError, "[", name(),
                "] expected a 3-D (unbatched) or 4-D (batched) input; got ", describe(input));
  return F::dropout2d(
      input,
      F::DropoutFuncOptions().p(options.p()).training(is_training()).inplace(options.inplace()));
}

}  // namespace cresset::nn
