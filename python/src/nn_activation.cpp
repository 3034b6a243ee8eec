// Bindings of the nn activation family (activations, dropout, embedding, distances): torch.* and
// torch._C._nn functions.
#include <nanobind/stl/string_view.h>

#include <string>

#include "bind.h"
#include "cresset/nn/activation.h"
#include "cresset/nn/distance.h"
#include "cresset/nn/dropout.h"
#include "cresset/nn/embedding.h"
#include "cresset/ops/elementwise.h"

namespace cresset::py {

namespace {

const Tensor& tensor(nb::handle h) { return nb::cast<const Tensor&>(h); }

// Parameters pass through, except a Python number taken as nb::handle, which keeps its kind
// (int or float) as a Scalar.
template <typename T>
T convert(T v) {
  return v;
}
Scalar convert(nb::handle h) { return to_scalar(h); }

// An op taking a Tensor and parameters of the Python types Args.
template <typename... Args, typename Fn>
auto op(Fn fn) {
  return [fn](const Tensor& x, Args... args) { return fn(x, convert(args)...); };
}
// The in-place form of an op: it returns its argument's own Python object, as torch's do.
template <typename... Args, typename Fn>
auto inplace(Fn fn) {
  return [fn](nb::handle x, Args... args) {
    fn(tensor(x), convert(args)...);
    return nb::borrow(x);
  };
}

// Binds `name` and its in-place form `name_` into `m`, with the same parameters.
template <typename... Args, typename Fn, typename FnInplace, typename... Extra>
void def_pair(nb::module_& m, const char* name, Fn fn, FnInplace fn_, const Extra&... extra) {
  m.def(name, op<Args...>(fn), "input"_a, extra...);
  m.def((std::string(name) + "_").c_str(), inplace<Args...>(fn_), "input"_a, extra...);
}

void init_activations(nb::module_& m, nb::module_& nn, nb::class_<Tensor>& cls) {
  def_pair<double>(nn, "leaky_relu", &leaky_relu, &leaky_relu_, "negative_slope"_a = 0.01);
  def_pair<double, double>(nn, "hardtanh", &hardtanh, &hardtanh_, "min_val"_a = -1.0,
                           "max_val"_a = 1.0);
  def_pair(nn, "relu6", &relu6, &relu6_);
  def_pair<double, double, double>(nn, "elu", &elu, &elu_, "alpha"_a = 1.0, "scale"_a = 1.0,
                                   "input_scale"_a = 1.0);
  def_pair(m, "selu", &selu, &selu_);
  def_pair<double>(m, "celu", &celu, &celu_, "alpha"_a = 1.0);
  def_pair<std::string_view>(nn, "gelu", &gelu, &gelu_, "approximate"_a = "none");
  def_pair(nn, "silu", &silu, &silu_);
  def_pair(nn, "mish", &mish, &mish_);
  def_pair(nn, "hardsigmoid", &hardsigmoid, &hardsigmoid_);
  def_pair(nn, "hardswish", &hardswish, &hardswish_);
  def_pair<nb::handle, nb::handle>(m, "threshold", &threshold, &threshold_, "threshold"_a,
                                   "value"_a);
  def_pair<double, double, bool, Generator*>(m, "rrelu", &rrelu, &rrelu_, "lower"_a = 1.0 / 8,
                                             "upper"_a = 1.0 / 3, "training"_a = false,
                                             "generator"_a.none() = nb::none());
  nn.def("softplus", op<double, double>(&softplus), "input"_a, "beta"_a = 1.0,
         "threshold"_a = 20.0);
  nn.def("log_sigmoid", &log_sigmoid, "input"_a);
  nn.def("softshrink", op<double>(&softshrink), "input"_a, "lambd"_a = 0.5);
  m.def("hardshrink", op<double>(&hardshrink), "input"_a, "lambd"_a = 0.5);
  cls.def("hardshrink", op<double>(&hardshrink), "lambd"_a = 0.5);
  m.def("relu_", inplace<>(&relu_), "input"_a);
  m.def("prelu", &prelu, "input"_a, "weight"_a);
  cls.def("prelu", &prelu, "weight"_a);
  nn.def("glu", &glu, "input"_a, "dim"_a = -1);
}

using Dropout = Tensor (*)(const Tensor&, double, bool, Generator*);

void init_dropout(nb::module_& m) {
  // The in-place forms return their argument's own Python object (or, for p == 1 and the
  // identity cases, whatever the op returns: always the input too).
  auto def = [&](const char* name, Dropout fn) {
    m.def(
        name,
        [fn](nb::handle x, double p, bool train) -> nb::object {
          Tensor r = fn(tensor(x), p, train, nullptr);
          return r.is_same(tensor(x)) ? nb::borrow(x) : nb::cast(r);
        },
        "input"_a, "p"_a, "train"_a);
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
  nn.def(
      "embedding_bag",
      [](const Tensor& weight, const Tensor& indices, const Tensor& offsets,
         bool scale_grad_by_freq, int64_t mode, nb::handle per_sample_weights,
         bool include_last_offset, int64_t padding_idx) {
        return embedding_bag(
            weight, indices, offsets, scale_grad_by_freq, mode,
            per_sample_weights.is_none() ? Tensor() : nb::cast<Tensor>(per_sample_weights),
            include_last_offset, padding_idx);
      },
      "weight"_a, "indices"_a, "offsets"_a, "scale_grad_by_freq"_a = false, "mode"_a = 0,
      "per_sample_weights"_a = nb::none(), "include_last_offset"_a = false,
      "padding_idx"_a = -1);
  m.def(
      "embedding_renorm_",
      [](nb::handle x, const Tensor& indices, double max_norm, double norm_type) {
        embedding_renorm_(tensor(x), indices, max_norm, norm_type);
        return nb::borrow(x);
      },
      "input"_a, "indices"_a, "max_norm"_a, "norm_type"_a);
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
