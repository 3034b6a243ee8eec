#pragma once
// Activation layers: nn::ReLU, LeakyReLU, GELU, Sigmoid, Tanh, Softmax, LogSoftmax.
#include <string>

#include "cresset/core/arg.h"
#include "cresset/nn/modules/holder.h"

namespace cresset::nn {

/// max(x, 0); in place with `inplace`.
class ReLUImpl : public Module {
 public:
  explicit ReLUImpl(bool inplace = false) : inplace(inplace) {}
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& stream) const override;
  bool inplace;
};
CRESSET_MODULE(ReLU);

struct LeakyReLUOptions {
  CRESSET_ARG(double, negative_slope) = 0.01;
  CRESSET_ARG(bool, inplace) = false;
};

/// x for x > 0, else negative_slope * x.
class LeakyReLUImpl : public Module {
 public:
  explicit LeakyReLUImpl(const LeakyReLUOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& stream) const override;
  LeakyReLUOptions options;
};
CRESSET_MODULE(LeakyReLU);

/// x * Phi(x); approximate "tanh" uses the tanh formula.
class GELUImpl : public Module {
 public:
  explicit GELUImpl(std::string approximate = "none") : approximate(std::move(approximate)) {}
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& stream) const override;
  std::string approximate;
};
CRESSET_MODULE(GELU);

class SigmoidImpl : public Module {
 public:
  Tensor forward(const Tensor& input);
};
CRESSET_MODULE(Sigmoid);

class TanhImpl : public Module {
 public:
  Tensor forward(const Tensor& input);
};
CRESSET_MODULE(Tanh);

/// softmax along dim.
class SoftmaxImpl : public Module {
 public:
  explicit SoftmaxImpl(int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& stream) const override;
  int64_t dim;
};
CRESSET_MODULE(Softmax);

/// log_softmax along dim.
class LogSoftmaxImpl : public Module {
 public:
  explicit LogSoftmaxImpl(int64_t dim) : dim(dim) {}
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& stream) const override;
  int64_t dim;
};
CRESSET_MODULE(LogSoftmax);

}  // namespace cresset::nn
