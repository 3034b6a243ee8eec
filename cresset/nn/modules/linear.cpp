#include "cresset/nn/modules/linear.h"

#include "cresset/nn/modules/functional.h"
#include "cresset/nn/modules/init.h"
#include "cresset/ops/ops.h"

namespace cresset::nn {

LinearImpl::LinearImpl(const LinearOptions& options) : options(options) {
  weight = register_parameter(
      "weight", empty_tensor({options.out_features(), options.in_features()}, default_dtype()));
  bias = register_parameter(
      "bias", options.bias() ? empty_tensor({options.out_features()}, default_dtype()) : Tensor(),
      options.bias());
  reset_parameters();
}

void LinearImpl::reset_parameters() { detail::init_linear_like(weight, bias); }

Tensor LinearImpl::forward(const Tensor& input) {
  CRESSET_CHECK(input.dim() >= 1 && input.size(-1) == options.in_features(), RuntimeError, "[",
                name(), "] expected an input with in_features=", options.in_features(),
                " in its last dim; got ", describe(input));
  return F::linear(input, weight, bias);
}

void LinearImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(in_features=" << options.in_features()
         << ", out_features=" << options.out_features() << ", bias=" << std::boolalpha
         << options.bias() << ")";
}

Tensor FlattenImpl::forward(const Tensor& input) {
  return flatten(input, options.start_dim(), options.end_dim());
}

void FlattenImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(start_dim=" << options.start_dim() << ", end_dim=" << options.end_dim()
         << ")";
}

}  // namespace cresset::nn
