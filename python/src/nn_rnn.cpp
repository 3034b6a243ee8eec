// Bindings of the recurrent family: torch.rnn_tanh / rnn_relu / gru / lstm and their cells.
#include <nanobind/stl/tuple.h>

#include "bind.h"
#include "cresset/nn/rnn.h"

namespace cresset::py {

namespace {

Tensor opt_tensor(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

RnnOptions rnn_options(bool has_biases, int64_t num_layers, double dropout, bool train,
                       bool bidirectional, bool batch_first) {
  return RnnOptions{has_biases, num_layers, dropout, train, bidirectional, batch_first};
}

using SingleState = std::tuple<Tensor, Tensor> (*)(const Tensor&, const Tensor&,
                                                   const std::vector<Tensor>&, const RnnOptions&);
using SingleStatePacked = std::tuple<Tensor, Tensor> (*)(const Tensor&, const Tensor&,
                                                         const Tensor&, const std::vector<Tensor>&,
                                                         const RnnOptions&);

// torch.rnn_tanh / rnn_relu / gru share two overloads, as torch's: (input, hx, params,
// has_biases, num_layers, dropout, train, bidirectional, batch_first) and the packed
// (data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional).
template <SingleState Fn, SingleStatePacked Packed>
void def_single_state(nb::module_& m, const char* name) {
  m.def(
      name,
      [](const Tensor& input, const Tensor& hx, const std::vector<Tensor>& params, bool has_biases,
         int64_t num_layers, double dropout, bool train, bool bidirectional, bool batch_first) {
        return Fn(input, hx, params,
                  rnn_options(has_biases, num_layers, dropout, train, bidirectional, batch_first));
      },
      "input"_a, "hx"_a, "params"_a, "has_biases"_a, "num_layers"_a, "dropout"_a, "train"_a,
      "bidirectional"_a, "batch_first"_a);
  m.def(
      name,
      [](const Tensor& data, const Tensor& batch_sizes, const Tensor& hx,
         const std::vector<Tensor>& params, bool has_biases, int64_t num_layers, double dropout,
         bool train, bool bidirectional) {
        return Packed(data, batch_sizes, hx, params,
                      rnn_options(has_biases, num_layers, dropout, train, bidirectional, false));
      },
      "data"_a, "batch_sizes"_a, "hx"_a, "params"_a, "has_biases"_a, "num_layers"_a, "dropout"_a,
      "train"_a, "bidirectional"_a);
}

template <Tensor (*Fn)(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                       const Tensor&)>
void def_cell(nb::module_& m, const char* name) {
  m.def(
      name,
      [](const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
         const std::optional<Tensor>& b_ih, const std::optional<Tensor>& b_hh) {
        return Fn(input, hx, w_ih, w_hh, opt_tensor(b_ih), opt_tensor(b_hh));
      },
      "input"_a, "hx"_a, "w_ih"_a, "w_hh"_a, "b_ih"_a = nb::none(), "b_hh"_a = nb::none());
}

}  // namespace

void init_nn_rnn(nb::module_& m) {
  def_single_state<rnn_tanh, rnn_tanh>(m, "rnn_tanh");
  def_single_state<rnn_relu, rnn_relu>(m, "rnn_relu");
  def_single_state<gru, gru>(m, "gru");
  m.def(
      "lstm",
      [](const Tensor& input, const std::vector<Tensor>& hx, const std::vector<Tensor>& params,
         bool has_biases, int64_t num_layers, double dropout, bool train, bool bidirectional,
         bool batch_first) {
        return lstm(
            input, hx, params,
            rnn_options(has_biases, num_layers, dropout, train, bidirectional, batch_first));
      },
      "input"_a, "hx"_a, "params"_a, "has_biases"_a, "num_layers"_a, "dropout"_a, "train"_a,
      "bidirectional"_a, "batch_first"_a);
  m.def(
      "lstm",
      [](const Tensor& data, const Tensor& batch_sizes, const std::vector<Tensor>& hx,
         const std::vector<Tensor>& params, bool has_biases, int64_t num_layers, double dropout,
         bool train, bool bidirectional) {
        return lstm(data, batch_sizes, hx, params,
                    rnn_options(has_biases, num_layers, dropout, train, bidirectional, false));
      },
      "data"_a, "batch_sizes"_a, "hx"_a, "params"_a, "has_biases"_a, "num_layers"_a, "dropout"_a,
      "train"_a, "bidirectional"_a);
  def_cell<rnn_tanh_cell>(m, "rnn_tanh_cell");
  def_cell<rnn_relu_cell>(m, "rnn_relu_cell");
  def_cell<gru_cell>(m, "gru_cell");
  m.def(
      "lstm_cell",
      [](const Tensor& input, const std::vector<Tensor>& hx, const Tensor& w_ih, const Tensor& w_hh,
         const std::optional<Tensor>& b_ih, const std::optional<Tensor>& b_hh) {
        return lstm_cell(input, hx, w_ih, w_hh, opt_tensor(b_ih), opt_tensor(b_hh));
      },
      "input"_a, "hx"_a, "w_ih"_a, "w_hh"_a, "b_ih"_a = nb::none(), "b_hh"_a = nb::none());
}

}  // namespace cresset::py
