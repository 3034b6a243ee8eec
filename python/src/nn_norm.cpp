// Bindings of the nn norm family: torch.batch_norm, instance_norm, layer_norm, group_norm,
// rms_norm.
#include "bind.h"
#include "cresset/nn/norm.h"

namespace cresset::py {

namespace {

Tensor optional_tensor(nb::handle h) { return h.is_none() ? Tensor() : nb::cast<Tensor>(h); }

// normalized_shape: an int or a sequence of ints.
DimVector shape_arg(nb::handle h) {
  if (nb::isinstance<nb::int_>(h)) return {nb::cast<int64_t>(h)};
  return to_sizes(h);
}

}  // namespace

void init_nn_norm(nb::module_& m) {
  m.def(
      "batch_norm",
      [](const Tensor& input, nb::handle weight, nb::handle bias, nb::handle running_mean,
         nb::handle running_var, bool training, double momentum, double eps, bool) {
        return batch_norm(input, optional_tensor(weight), optional_tensor(bias),
                          optional_tensor(running_mean), optional_tensor(running_var), training,
                          momentum, eps);
      },
      "input"_a, "weight"_a.none(), "bias"_a.none(), "running_mean"_a.none(),
      "running_var"_a.none(), "training"_a, "momentum"_a, "eps"_a, "cudnn_enabled"_a);
  m.def(
      "instance_norm",
      [](const Tensor& input, nb::handle weight, nb::handle bias, nb::handle running_mean,
         nb::handle running_var, bool use_input_stats, double momentum, double eps, bool) {
        return instance_norm(input, optional_tensor(weight), optional_tensor(bias),
                             optional_tensor(running_mean), optional_tensor(running_var),
                             use_input_stats, momentum, eps);
      },
      "input"_a, "weight"_a.none(), "bias"_a.none(), "running_mean"_a.none(),
      "running_var"_a.none(), "use_input_stats"_a, "momentum"_a, "eps"_a, "cudnn_enabled"_a);
  m.def(
      "layer_norm",
      [](const Tensor& input, nb::handle normalized_shape, nb::handle weight, nb::handle bias,
         double eps, bool) {
        return layer_norm(input, shape_arg(normalized_shape), optional_tensor(weight),
                          optional_tensor(bias), eps);
      },
      "input"_a, "normalized_shape"_a, "weight"_a.none() = nb::none(), "bias"_a.none() = nb::none(),
      "eps"_a = 1e-5, "cudnn_enable"_a = true);
  m.def(
      "group_norm",
      [](const Tensor& input, int64_t num_groups, nb::handle weight, nb::handle bias, double eps,
         bool) {
        return group_norm(input, num_groups, optional_tensor(weight), optional_tensor(bias), eps);
      },
      "input"_a, "num_groups"_a, "weight"_a.none() = nb::none(), "bias"_a.none() = nb::none(),
      "eps"_a = 1e-5, "cudnn_enabled"_a = true);
  m.def(
      "rms_norm",
      [](const Tensor& input, nb::handle normalized_shape, nb::handle weight,
         std::optional<double> eps) {
        return rms_norm(input, shape_arg(normalized_shape), optional_tensor(weight), eps);
      },
      "input"_a, "normalized_shape"_a, "weight"_a.none() = nb::none(), "eps"_a.none() = nb::none());
}

}  // namespace cresset::py
