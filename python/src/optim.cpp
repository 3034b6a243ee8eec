// Bindings of the fused optimizer updates (cresset/optim) used by cresset.optim: torch._C._optim.
#include "cresset/optim/optim.h"

#include "bind.h"

namespace cresset::py {

void init_optim(nb::module_& m) {
  nb::module_ o = m.def_submodule("_optim");
  nb::class_<OptimOptions>(o, "Options")
      .def(nb::init<>())
      .def_rw("lr", &OptimOptions::lr)
      .def_rw("beta1", &OptimOptions::beta1)
      .def_rw("beta2", &OptimOptions::beta2)
      .def_rw("eps", &OptimOptions::eps)
      .def_rw("weight_decay", &OptimOptions::weight_decay)
      .def_rw("momentum", &OptimOptions::momentum)
      .def_rw("dampening", &OptimOptions::dampening)
      .def_rw("rho", &OptimOptions::rho)
      .def_rw("alpha", &OptimOptions::alpha)
      .def_rw("lambd", &OptimOptions::lambd)
      .def_rw("t0", &OptimOptions::t0)
      .def_rw("lr_decay", &OptimOptions::lr_decay)
      .def_rw("momentum_decay", &OptimOptions::momentum_decay)
      .def_rw("etaminus", &OptimOptions::etaminus)
      .def_rw("etaplus", &OptimOptions::etaplus)
      .def_rw("step_size_min", &OptimOptions::step_size_min)
      .def_rw("step_size_max", &OptimOptions::step_size_max)
      .def_rw("maximize", &OptimOptions::maximize)
      .def_rw("nesterov", &OptimOptions::nesterov)
      .def_rw("amsgrad", &OptimOptions::amsgrad)
      .def_rw("centered", &OptimOptions::centered)
      .def_rw("decoupled_weight_decay", &OptimOptions::decoupled_weight_decay);
  // None entries are buffers the update creates.
  o.def("sgd_update", [](const TensorList& params, const TensorList& grads, nb::list buffers,
                         const OptimOptions& options) {
    TensorList bufs;
    bufs.reserve(buffers.size());
    for (nb::handle b : buffers) bufs.push_back(b.is_none() ? Tensor() : nb::cast<Tensor>(b));
    return sgd_update(params, grads, std::move(bufs), options);
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
