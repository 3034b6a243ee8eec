// Bindings of the nn family: torch.softmax / log_softmax and their Tensor methods; the helpers
// of torch.nn.utils and torch.nn.init shared with the C++ frontend (cresset/nn/modules).
#include <nanobind/stl/tuple.h>

#include "bind.h"
#include "cresset/nn/modules/init.h"
#include "cresset/nn/modules/utils.h"
#include "cresset/ops/nn.h"

namespace cresset::py {

namespace {
std::optional<DType> optional_dtype(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return to_dtype(h);
}
}  // namespace

void init_nn(nb::module_& m) {
  nb::module_ nn = m.def_submodule("_nn");
  nn.def("get_total_norm", &nn::utils::get_total_norm, "tensors"_a, "norm_type"_a,
         "error_if_nonfinite"_a);
  nn.def("clip_grads_with_norm_", &nn::utils::clip_grads_with_norm_, "grads"_a, "max_norm"_a,
         "total_norm"_a);
  nn.def("calculate_fan_in_and_fan_out", &nn::init::calculate_fan_in_and_fan_out, "tensor"_a);
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  m.def("softmax", [](const Tensor& x, int64_t dim, nb::handle dtype) {
    return softmax(x, dim, optional_dtype(dtype));
  }, "input"_a, "dim"_a, "dtype"_a = nb::none());
  m.def("log_softmax", [](const Tensor& x, int64_t dim, nb::handle dtype) {
    return log_softmax(x, dim, optional_dtype(dtype));
  }, "input"_a, "dim"_a, "dtype"_a = nb::none());
  cls.def("softmax", [](const Tensor& x, int64_t dim, nb::handle dtype) {
    return softmax(x, dim, optional_dtype(dtype));
  }, "dim"_a, "dtype"_a = nb::none());
  cls.def("log_softmax", [](const Tensor& x, int64_t dim, nb::handle dtype) {
    return log_softmax(x, dim, optional_dtype(dtype));
  }, "dim"_a, "dtype"_a = nb::none());
}

}  // namespace cresset::py
