// Bindings of the nn loss family (losses): torch.* and torch._C._nn functions.
#include "bind.h"
#include "cresset/core/error.h"
#include "cresset/nn/loss.h"
#include "cresset/ops/ops.h"

namespace cresset::py {

namespace {

Tensor opt_tensor(nb::handle h) { return h.is_none() ? Tensor() : nb::cast<Tensor>(h); }

// ctc_loss lengths: a tensor of integers, a sequence of ints, or one int (unbatched input).
std::vector<int64_t> to_lengths(nb::handle h, const char* name) {
  if (nb::isinstance<Tensor>(h)) {
    const Tensor& t = nb::cast<const Tensor&>(h);
    if (!is_integral(t.dtype(), false)) {
      throw RuntimeError(str_cat("[ctc_loss] ", name, " must hold integers; got ", describe(t)));
    }
    const Tensor c = contiguous(to(flatten(t, 0, -1), DType::Int64, Device()));
    const int64_t* p = c.data<int64_t>();
    return std::vector<int64_t>(p, p + c.numel());
  }
  if (nb::isinstance<nb::int_>(h)) return {nb::cast<int64_t>(h)};
  return nb::cast<std::vector<int64_t>>(h);
}

}  // namespace

void init_nn_loss(nb::module_& m) {
  nb::module_ nn = m.def_submodule("_nn");
  auto nll = [](const Tensor& x, const Tensor& t, nb::handle w, int64_t reduction,
                int64_t ignore_index) {
    return nll_loss(x, t, opt_tensor(w), reduction, ignore_index);
  };
  for (const char* name : {"nll_loss", "nll_loss_nd", "nll_loss2d"}) {
    nn.def(name, nll, "input"_a, "target"_a, "weight"_a = nb::none(), "reduction"_a = 1,
           "ignore_index"_a = -100);
  }
  nn.def(
      "cross_entropy_loss",
      [](const Tensor& x, const Tensor& t, nb::handle w, int64_t reduction, int64_t ignore_index,
         double label_smoothing) {
        return cross_entropy_loss(x, t, opt_tensor(w), reduction, ignore_index, label_smoothing);
      },
      "input"_a, "target"_a, "weight"_a = nb::none(), "reduction"_a = 1, "ignore_index"_a = -100,
      "label_smoothing"_a = 0.0);
  nn.def("mse_loss", &mse_loss, "input"_a, "target"_a, "reduction"_a = 1);
  nn.def("l1_loss", &l1_loss, "input"_a, "target"_a, "reduction"_a = 1);
  nn.def("smooth_l1_loss", &smooth_l1_loss, "input"_a, "target"_a, "reduction"_a = 1,
         "beta"_a = 1.0);
  nn.def("huber_loss", &huber_loss, "input"_a, "target"_a, "reduction"_a = 1, "delta"_a = 1.0);
  nn.def("soft_margin_loss", &soft_margin_loss, "input"_a, "target"_a, "reduction"_a = 1);
  nn.def(
      "binary_cross_entropy",
      [](const Tensor& x, const Tensor& t, nb::handle w, int64_t reduction) {
        return binary_cross_entropy(x, t, opt_tensor(w), reduction);
      },
      "input"_a, "target"_a, "weight"_a = nb::none(), "reduction"_a = 1);
  nn.def(
      "multi_margin_loss",
      [](const Tensor& x, const Tensor& t, int64_t p, double margin, nb::handle w,
         int64_t reduction) {
        return multi_margin_loss(x, t, p, margin, opt_tensor(w), reduction);
      },
      "input"_a, "target"_a, "p"_a = 1, "margin"_a = 1.0, "weight"_a = nb::none(),
      "reduction"_a = 1);
  nn.def("multilabel_margin_loss", &multilabel_margin_loss, "input"_a, "target"_a,
         "reduction"_a = 1);

  m.def(
      "binary_cross_entropy_with_logits",
      [](const Tensor& x, const Tensor& t, nb::handle w, nb::handle pw, int64_t reduction) {
        return binary_cross_entropy_with_logits(x, t, opt_tensor(w), opt_tensor(pw), reduction);
      },
      "input"_a, "target"_a, "weight"_a = nb::none(), "pos_weight"_a = nb::none(),
      "reduction"_a = 1);
  m.def("kl_div", &kl_div, "input"_a, "target"_a, "reduction"_a = 1, nb::kw_only(),
        "log_target"_a = false);
  // torch.nn.functional's checks in front of the ops above (cresset/nn/loss_functional.cpp).
  nn.def("kl_div_loss", &kl_div_loss, "input"_a, "target"_a, "reduction"_a, "log_target"_a);
  nn.def(
      "bce_loss",
      [](const Tensor& x, const Tensor& t, nb::handle w, int64_t reduction) {
        return bce_loss(x, t, opt_tensor(w), reduction);
      },
      "input"_a, "target"_a, "weight"_a.none(), "reduction"_a);
  nn.def(
      "bce_with_logits_loss",
      [](const Tensor& x, const Tensor& t, nb::handle w, nb::handle pw, int64_t reduction) {
        return bce_with_logits_loss(x, t, opt_tensor(w), opt_tensor(pw), reduction);
      },
      "input"_a, "target"_a, "weight"_a.none(), "pos_weight"_a.none(), "reduction"_a);
  m.def("poisson_nll_loss", &poisson_nll_loss, "input"_a, "target"_a, "log_input"_a, "full"_a,
        "eps"_a, "reduction"_a);
  m.def("margin_ranking_loss", &margin_ranking_loss, "input1"_a, "input2"_a, "target"_a,
        "margin"_a = 0.0, "reduction"_a = 1);
  m.def("hinge_embedding_loss", &hinge_embedding_loss, "input"_a, "target"_a, "margin"_a = 1.0,
        "reduction"_a = 1);
  m.def("cosine_embedding_loss", &cosine_embedding_loss, "input1"_a, "input2"_a, "target"_a,
        "margin"_a = 0.0, "reduction"_a = 1);
  m.def("triplet_margin_loss", &triplet_margin_loss, "anchor"_a, "positive"_a, "negative"_a,
        "margin"_a = 1.0, "p"_a = 2.0, "eps"_a = 1e-6, "swap"_a = false, "reduction"_a = 1);
  m.def(
      "ctc_loss",
      [](const Tensor& log_probs, const Tensor& targets, nb::handle input_lengths,
         nb::handle target_lengths, int64_t blank, int64_t reduction, bool zero_infinity) {
        return ctc_loss(log_probs, targets, to_lengths(input_lengths, "input_lengths"),
                        to_lengths(target_lengths, "target_lengths"), blank, reduction,
                        zero_infinity);
      },
      "log_probs"_a, "targets"_a, "input_lengths"_a, "target_lengths"_a, "blank"_a = 0,
      "reduction"_a = 1, "zero_infinity"_a = false);
}

}  // namespace cresset::py
