#include "cresset/nn/modules/init.h"

#include <cmath>

#include "cresset/autograd/grad_mode.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset::nn::init {
namespace {

double kaiming_std(const Tensor& tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  double fan = double(mode == kFanIn ? fan_in : fan_out);
  return calculate_gain(nonlinearity, a) / std::sqrt(fan);
}

double xavier_std(const Tensor& tensor, double gain) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  return gain * std::sqrt(2.0 / double(fan_in + fan_out));
}

}  // namespace

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
    case Nonlinearity::Tanh: return 5.0 / 3;
    case Nonlinearity::ReLU: return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU: return std::sqrt(2.0 / (1 + param * param));
    case Nonlinearity::SELU: return 3.0 / 4;
    default: return 1;  // the linear ones and sigmoid
  }
}

std::tuple<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  // torch's message word for word (no "[op]" prefix): torch.nn.init raises this one from here.
  CRESSET_CHECK(tensor.dim() >= 2, ValueError,
                "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive_field *= tensor.size(d);
  return {tensor.size(1) * receptive_field, tensor.size(0) * receptive_field};
}

Tensor uniform_(const Tensor& tensor, double a, double b) {
  autograd::AutoGradMode no_grad(false);
  return cresset::uniform_(tensor, a, b);
}

Tensor normal_(const Tensor& tensor, double mean, double std) {
  autograd::AutoGradMode no_grad(false);
  return cresset::normal_(tensor, mean, std);
}

Tensor constant_(const Tensor& tensor, Scalar value) {
  autograd::AutoGradMode no_grad(false);
  return fill_(tensor, value);
}

Tensor ones_(const Tensor& tensor) { return constant_(tensor, 1); }
Tensor zeros_(const Tensor& tensor) { return constant_(tensor, 0); }

Tensor eye_(const Tensor& tensor) {
  CRESSET_CHECK(tensor.dim() == 2, ValueError,
                "[nn::init::eye_] Only tensors with 2 dimensions are supported");
  autograd::AutoGradMode no_grad(false);
  return copy_(tensor, eye(tensor.size(0), tensor.size(1), tensor.dtype(), tensor.device()));
}

Tensor xavier_uniform_(const Tensor& tensor, double gain) {
  double bound = std::sqrt(3.0) * xavier_std(tensor, gain);
  return init::uniform_(tensor, -bound, bound);
}

Tensor xavier_normal_(const Tensor& tensor, double gain) {
  return init::normal_(tensor, 0, xavier_std(tensor, gain));
}

Tensor kaiming_uniform_(const Tensor& tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  if (tensor.numel() == 0) return tensor;
  double bound = std::sqrt(3.0) * kaiming_std(tensor, a, mode, nonlinearity);
  return init::uniform_(tensor, -bound, bound);
}

Tensor kaiming_normal_(const Tensor& tensor, double a, FanMode mode, Nonlinearity nonlinearity) {
  if (tensor.numel() == 0) return tensor;
  return init::normal_(tensor, 0, kaiming_std(tensor, a, mode, nonlinearity));
}

}  // namespace cresset::nn::init

namespace cresset::nn::detail {

void init_linear_like(const Tensor& weight, const Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (!bias.defined()) return;
  auto [fan_in, fan_out] = init::calculate_fan_in_and_fan_out(weight);
  double bound = fan_in > 0 ? 1 / std::sqrt(double(fan_in)) : 0;
  init::uniform_(bias, -bound, bound);
}

}  // namespace cresset::nn::detail
