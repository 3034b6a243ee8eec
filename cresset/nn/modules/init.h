#pragma once
// cresset::nn::init: in-place parameter initialisation (torch.nn.init), run without recording
// grad. The samplers draw from cresset's generator (cresset::manual_seed makes them repeatable).
#include <tuple>

#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset::nn::init {

/// The nonlinearities calculate_gain knows (torch's strings).
enum class Nonlinearity {
  Linear, Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d,
  Sigmoid, Tanh, ReLU, LeakyReLU, SELU
};
inline constexpr Nonlinearity kLinear = Nonlinearity::Linear;
inline constexpr Nonlinearity kSigmoid = Nonlinearity::Sigmoid;
inline constexpr Nonlinearity kTanh = Nonlinearity::Tanh;
inline constexpr Nonlinearity kReLU = Nonlinearity::ReLU;
inline constexpr Nonlinearity kLeakyReLU = Nonlinearity::LeakyReLU;
inline constexpr Nonlinearity kSELU = Nonlinearity::SELU;

/// Which fan kaiming_* scales by.
enum class FanMode { FanIn, FanOut };
inline constexpr FanMode kFanIn = FanMode::FanIn;
inline constexpr FanMode kFanOut = FanMode::FanOut;

/// The recommended gain for a nonlinearity; `param` is leaky_relu's negative slope.
double calculate_gain(Nonlinearity nonlinearity, double param = 0.01);
/// (fan_in, fan_out) of a weight with at least 2 dims: size(1) and size(0) times the receptive
/// field (the product of the trailing dims). ValueError for fewer dims.
std::tuple<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor);

/// Fills with U(a, b). Each function returns `tensor`.
Tensor uniform_(const Tensor& tensor, double a = 0, double b = 1);
/// Fills with N(mean, std^2).
Tensor normal_(const Tensor& tensor, double mean = 0, double std = 1);
/// Fills with `value`.
Tensor constant_(const Tensor& tensor, Scalar value);
Tensor ones_(const Tensor& tensor);
Tensor zeros_(const Tensor& tensor);
/// Fills a 2-D tensor with the identity matrix (ValueError otherwise).
Tensor eye_(const Tensor& tensor);
/// Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).
Tensor xavier_uniform_(const Tensor& tensor, double gain = 1);
/// Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal_(const Tensor& tensor, double gain = 1);
/// He uniform: U(-b, b) with b = gain * sqrt(3 / fan); `a` is leaky_relu's slope. A tensor with
/// no elements is left as it is.
Tensor kaiming_uniform_(const Tensor& tensor, double a = 0, FanMode mode = kFanIn,
                        Nonlinearity nonlinearity = kLeakyReLU);
/// He normal: N(0, std^2) with std = gain / sqrt(fan).
Tensor kaiming_normal_(const Tensor& tensor, double a = 0, FanMode mode = kFanIn,
                       Nonlinearity nonlinearity = kLeakyReLU);

}  // namespace cresset::nn::init

namespace cresset::nn::detail {

/// The default initialisation of torch's Linear and Conv layers: weight kaiming_uniform_ with
/// a = sqrt(5), bias (when defined) U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
void init_linear_like(const Tensor& weight, const Tensor& bias);

}  // namespace cresset::nn::detail
