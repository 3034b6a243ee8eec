// Bindings of the nn activation family (activations, dropout, embedding, distances): torch.* and
// torch._C._nn functions.
#include <nanobind/stl/string_view.h>

#include "bind.h"
#include "cresset/nn/activation.h"
#include "cresset/nn/distance.h"
#include "cresset/nn/dropout.h"
#include "cresset/nn/embedding.h"

namespace cresset::py {

namespace {

const Tensor& tensor(nb::handle h) { return nb::cast<const Tensor&>(h); }

// Binds `name` and its in-place form `name_` (one Tensor argument, no parameters) into `m`; the
// in-place form returns its argument's own Python object, as torch's do.
template <Tensor (*Fn)(const Tensor&), Tensor (*FnInplace)(const Tensor&)>
void def_pair(nb::module_& m, const char* name) {
  m.def(name, Fn, "input"_a);
  m.def((std::string(name) + "_").c_str(), [](nb::handle x) {
    FnInplace(tensor(x));
    return nb::borrow(x);
  }, "input"_a);
}

void init_activations(nb::module_& m, nb::module_& nn, nb::class_<Tensor>& cls) {
  nn.def("leaky_relu", [](const Tensor& x, double s) { return leaky_relu(x, s); }, "input"_a,
         "negative_slope"_a = 0.01);
  nn.def("leaky_relu_", [](nb::handle x, double s) {
    leaky_relu_(tensor(x), s);
    return nb::borrow(x);
  }, "input"_a, "negative_slope"_a = 0.01);
  nn.def("hardtanh", [](const Tensor& x, double lo, double hi) { return hardtanh(x, lo, hi); },
         "input"_a, "min_val"_a = -1.0, "max_val"_a = 1.0);
  nn.def("hardtanh_", [](nb::handle x, double lo, double hi) {
    hardtanh_(tensor(x), lo, hi);
    return nb::borrow(x);
  }, "input"_a, "min_val"_a = -1.0, "max_val"_a = 1.0);
  def_pair<&relu6, &relu6_>(nn, "relu6");
  nn.def("elu", [](const Tensor& x, double a, double s, double is) { return elu(x, a, s, is); },
         "input"_a, "alpha"_a = 1.0, "scale"_a = 1.0, "input_scale"_a = 1.0);
  nn.def("elu_", [](nb::handle x, double a, double s, double is) {
    elu_(tensor(x), a, s, is);
    return nb::borrow(x);
  }, "input"_a, "alpha"_a = 1.0, "scale"_a = 1.0, "input_scale"_a = 1.0);
  def_pair<&selu, &selu_>(m, "selu");
  m.def("celu", [](const Tensor& x, double a) { return celu(x, a); }, "input"_a, "alpha"_a = 1.0);
  m.def("celu_", [](nb::handle x, double a) {
    celu_(tensor(x), a);
    return nb::borrow(x);
  }, "input"_a, "alpha"_a = 1.0);
  nn.def("gelu", &gelu, "input"_a, "approximate"_a = "none");
  nn.def("gelu_", [](nb::handle x, std::string_view approximate) {
    gelu_(tensor(x), approximate);
    return nb::borrow(x);
  }, "input"_a, "approximate"_a = "none");
  def_pair<&silu, &silu_>(nn, "silu");
  def_pair<&mish, &mish_>(nn, "mish");
  def_pair<&hardsigmoid, &hardsigmoid_>(nn, "hardsigmoid");
  def_pair<&hardswish, &hardswish_>(nn, "hardswish");
  nn.def("softplus", [](const Tensor& x, double b, double t) { return softplus(x, b, t); },
         "input"_a, "beta"_a = 1.0, "threshold"_a = 20.0);
  nn.def("log_sigmoid", &log_sigmoid, "input"_a);
  nn.def("softshrink", [](const Tensor& x, double l) { return softshrink(x, l); }, "input"_a,
         "lambd"_a = 0.5);
  m.def("hardshrink", [](const Tensor& x, double l) { return hardshrink(x, l); }, "input"_a,
        "lambd"_a = 0.5);
  cls.def("hardshrink", [](const Tensor& x, double l) { return hardshrink(x, l); },
          "lambd"_a = 0.5);
  m.def("threshold", [](const Tensor& x, nb::handle t, nb::handle v) {
    return threshold(x, to_scalar(t), to_scalar(v));
  }, "input"_a, "threshold"_a, "value"_a);
  m.def("threshold_", [](nb::handle x, nb::handle t, nb::handle v) {
    threshold_(tensor(x), to_scalar(t), to_scalar(v));
    return nb::borrow(x);
  }, "input"_a, "threshold"_a, "value"_a);
  m.def("rrelu", [](const Tensor& x, double lo, double hi, bool training, Generator* g) {
    return rrelu(x, lo, hi, training, g);
  }, "input"_a, "lower"_a = 1.0 / 8, "upper"_a = 1.0 / 3, "training"_a = false,
        "generator"_a.none() = nb::none());
  m.def("rrelu_", [](nb::handle x, double lo, double hi, bool training, Generator* g) {
    rrelu_(tensor(x), lo, hi, training, g);
    return nb::borrow(x);
  }, "input"_a, "lower"_a = 1.0 / 8, "upper"_a = 1.0 / 3, "training"_a = false,
        "generator"_a.none() = nb::none());
  m.def("prelu", &prelu, "input"_a, "weight"_a);
  cls.def("prelu", &prelu, "weight"_a);
  nn.def("glu", &glu, "input"_a, "dim"_a = -1);
}

using Dropout = Tensor (*)(const Tensor&, double, bool, Generator*);

void init_dropout(nb::module_& m) {
  // The in-place forms return their argument's own Python object (or, for p == 1 and the
  // identity cases, whatever the op returns: always the input too).
  auto def = [&](const char* name, Dropout fn) {
    m.def(name, [fn](nb::handle x, double p, bool train) -> nb::object {
      Tensor r = fn(tensor(x), p, train, nullptr);
      return r.is_same(tensor(x)) ? nb::borrow(x) : nb::cast(r);
    }, "input"_a, "p"_a, "train"_a);
  };
  def("dropout", &dropout);
  def("dropout_", &dropout_);
  def("feature_dropout", &feature_dropout);
  def("feature_dropout_", &feature_dropout_);
  def("alpha_dropout", &alpha_dropout);
  def("alpha_dropout_", &alpha_dropout_);
  def("feature_alpha_dropout", &feature_alpha_dropout);
  def("feature_alpha_dropout_", &feature_alpha_dropout_);
}

void init_embedding_distance(nb::module_& m, nb::module_& nn) {
  m.def("embedding", &embedding, "weight"_a, "indices"_a, "padding_idx"_a = -1,
        "scale_grad_by_freq"_a = false, "sparse"_a = false);
  m.def("embedding_renorm_", [](nb::handle x, const Tensor& indices, double max_norm,
                                double norm_type) {
    embedding_renorm_(tensor(x), indices, max_norm, norm_type);
    return nb::borrow(x);
  }, "input"_a, "indices"_a, "max_norm"_a, "norm_type"_a);
  nn.def("one_hot", &one_hot, "tensor"_a, "num_classes"_a = -1);
  m.def("cosine_similarity", &cosine_similarity, "x1"_a, "x2"_a, "dim"_a = 1, "eps"_a = 1e-8);
  m.def("pairwise_distance", &pairwise_distance, "x1"_a, "x2"_a, "p"_a = 2.0, "eps"_a = 1e-6,
        "keepdim"_a = false);
  m.def("pdist", &pdist, "input"_a, "p"_a = 2.0);
}

}  // namespace

void init_nn_activation(nb::module_& m) {
  nb::class_<Tensor> cls = nb::borrow<nb::class_<Tensor>>(m.attr("Tensor"));
  nb::module_ nn = m.def_submodule("_nn");
  init_activations(m, nn, cls);
  init_dropout(m);
  init_embedding_distance(m, nn);
}

}  // namespace cresset::py
