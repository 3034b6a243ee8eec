// Bindings of the fused optimizer updates (cresset/optim) used by cresset.optim: torch._C._optim.
#include "bind.h"
#include "cresset/optim/optim.h"

namespace cresset::py {

using TensorList = std::vector<Tensor>;

void init_optim(nb::module_& m) {
  nb::module_ o = m.def_submodule("_optim");
  // None entries are buffers the update creates.
  o.def("sgd_update", [](const TensorList& params, const TensorList& grads, nb::list buffers,
                         double lr, double momentum, double dampening, double weight_decay,
                         bool nesterov, bool maximize) {
    TensorList bufs;
    bufs.reserve(buffers.size());
    for (nb::handle b : buffers) bufs.push_back(b.is_none() ? Tensor() : nb::cast<Tensor>(b));
    return sgd_update(params, grads, std::move(bufs), lr, momentum, dampening, weight_decay,
                      nesterov, maximize);
  });
  o.def("adam_update", &adam_update);
  o.def("adagrad_update", &adagrad_update);
  o.def("adamax_update", &adamax_update);
  o.def("adadelta_update", &adadelta_update);
  o.def("asgd_update", &asgd_update);
  o.def("rmsprop_update", &rmsprop_update);
  o.def("rprop_update", &rprop_update);
  o.def("nadam_update", &nadam_update);
  o.def("radam_update", &radam_update);
}

}  // namespace cresset::py
