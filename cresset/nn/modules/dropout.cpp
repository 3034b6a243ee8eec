#include "cresset/nn/modules/dropout.h"

namespace cresset::nn {
namespace {

void check_p(const DropoutOptions& options) {
  CRESSET_CHECK(options.p() >= 0 && options.p() <= 1, ValueError,
                "[nn::Dropout] dropout probability has to be between 0 and 1, but got ",
                options.p());
}

void print_dropout(std::ostream& stream, const std::string& name, const DropoutOptions& options) {
  stream << name << "(p=" << options.p() << ", inplace=" << std::boolalpha << options.inplace()
         << ")";
}

}  // namespace

DropoutImpl::DropoutImpl(const DropoutOptions& options) : options(options) { check_p(options); }

Tensor DropoutImpl::forward(const Tensor& input) {
  return F::dropout(input, F::DropoutFuncOptions().p(options.p()).training(is_training())
                               .inplace(options.inplace()));
}

void DropoutImpl::pretty_print(std::ostream& stream) const {
  print_dropout(stream, name(), options);
}

Dropout2dImpl::Dropout2dImpl(const DropoutOptions& options) : options(options) {
  check_p(options);
}

Tensor Dropout2dImpl::forward(const Tensor& input) {
  CRESSET_CHECK(input.dim() == 3 || input.dim() == 4, RuntimeError, "[", name(),
                "] expected a 3-D (unbatched) or 4-D (batched) input; got ", describe(input));
  return F::dropout2d(input, F::DropoutFuncOptions().p(options.p()).training(is_training())
                                 .inplace(options.inplace()));
}

void Dropout2dImpl::pretty_print(std::ostream& stream) const {
  print_dropout(stream, name(), options);
}

}  // namespace cresset::nn
