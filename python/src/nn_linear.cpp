// Bindings of F.linear: torch._C._nn.linear.
#include "bind.h"
#include "cresset/nn/linear.h"

namespace cresset::py {

void init_nn_linear(nb::module_& m) {
  nb::module_ nn = m.def_submodule("_nn");
  nn.def("linear", [](const Tensor& input, const Tensor& weight, std::optional<Tensor> bias) {
    return linear(input, weight, bias ? *bias : Tensor());
  }, "input"_a, "weight"_a, "bias"_a = nb::none());
}

}  // namespace cresset::py
