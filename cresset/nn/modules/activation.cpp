#include "cresset/nn/modules/activation.h"

#include "cresset/nn/modules/functional.h"
#include "cresset/ops/ops.h"

namespace cresset::nn {

Tensor ReLUImpl::forward(const Tensor& input) { return F::relu(input, inplace); }

void ReLUImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(" << (inplace ? "inplace=true" : "") << ")";
}

Tensor LeakyReLUImpl::forward(const Tensor& input) {
  return F::leaky_relu(input, options.negative_slope(), options.inplace());
}

void LeakyReLUImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(negative_slope=" << options.negative_slope()
         << (options.inplace() ? ", inplace=true" : "") << ")";
}

Tensor GELUImpl::forward(const Tensor& input) { return F::gelu(input, approximate); }

void GELUImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(" << (approximate == "none" ? "" : "approximate=" + approximate) << ")";
}

Tensor SigmoidImpl::forward(const Tensor& input) { return sigmoid(input); }

Tensor TanhImpl::forward(const Tensor& input) { return tanh(input); }

Tensor SoftmaxImpl::forward(const Tensor& input) { return F::softmax(input, dim); }

void SoftmaxImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(dim=" << dim << ")";
}

Tensor LogSoftmaxImpl::forward(const Tensor& input) { return F::log_softmax(input, dim); }

void LogSoftmaxImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(dim=" << dim << ")";
}

}  // namespace cresset::nn
