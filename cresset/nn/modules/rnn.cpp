#include "cresset/nn/modules/rnn.h"

#include <cmath>

#include "cresset/nn/modules/init.h"
#include "cresset/nn/rnn.h"
#include "cresset/ops/ops.h"

namespace cresset::nn {

RNNImplBase::RNNImplBase(const RNNOptions& options, int64_t gates) : options(options) {
  const int64_t h = options.hidden_size(), rows = gates * h;
  const int64_t directions = options.bidirectional() ? 2 : 1;
  CRESSET_CHECK(h > 0 && options.num_layers() > 0, ValueError,
                "[nn::RNN] hidden_size and num_layers must be positive");
  CRESSET_CHECK(options.dropout() >= 0 && options.dropout() <= 1, ValueError,
                "[nn::RNN] dropout should be a number in range [0, 1] representing the "
                "probability of an element being zeroed");
  for (int64_t layer = 0; layer < options.num_layers(); ++layer) {
    const int64_t in = layer == 0 ? options.input_size() : h * directions;
    for (int64_t d = 0; d < directions; ++d) {
      const std::string suffix = "_l" + std::to_string(layer) + (d ? "_reverse" : "");
      auto add = [&](const std::string& name, const DimVector& shape) {
        flat_weights.push_back(
            register_parameter(name + suffix, empty_tensor(shape, default_dtype())));
      };
      add("weight_ih", {rows, in});
      add("weight_hh", {rows, h});
      if (options.bias()) {
        add("bias_ih", {rows});
        add("bias_hh", {rows});
      }
    }
  }
  reset_parameters();
}

void RNNImplBase::reset_parameters() {
  const double bound = 1.0 / std::sqrt(double(options.hidden_size()));
  for (const Tensor& w : flat_weights) init::uniform_(w, -bound, bound);
}

Tensor RNNImplBase::batched_input(const Tensor& input) const {
  CRESSET_CHECK(input.dim() == 2 || input.dim() == 3, ValueError, "[", name(),
                "] Expected input to be 2D or 3D, got ", input.dim(), "D instead");
  CRESSET_CHECK(input.size(-1) == options.input_size(), RuntimeError, "[", name(),
                "] input.size(-1) must be equal to input_size. Expected ", options.input_size(),
                ", got ", input.size(-1));
  return input.dim() == 3 ? input : unsqueeze(input, options.batch_first() ? 0 : 1);
}

Tensor RNNImplBase::initial_state(const std::optional<Tensor>& hx, const Tensor& x,
                                  bool batched) const {
  const DimVector shape{options.num_layers() * (options.bidirectional() ? 2 : 1),
                        x.size(options.batch_first() ? 0 : 1), options.hidden_size()};
  if (!hx) return zeros(shape, x.dtype(), x.device());
  Tensor state = batched ? *hx : unsqueeze(*hx, 1);
  CRESSET_CHECK(state.sizes() == shape, RuntimeError, "[", name(), "] Expected hidden size ",
                shape_str(shape), ", got ", shape_str(state.sizes()));
  return state;
}

RnnOptions RNNImplBase::op_options() const {
  RnnOptions o;
  o.has_biases = options.bias();
  o.num_layers = options.num_layers();
  o.dropout = options.dropout();
  o.train = is_training();
  o.bidirectional = options.bidirectional();
  o.batch_first = options.batch_first();
  return o;
}

Tensor RNNImplBase::unbatched_output(const Tensor& output) const {
  return squeeze(output, options.batch_first() ? 0 : 1);
}

Tensor RNNImplBase::unbatched_state(const Tensor& state) { return squeeze(state, 1); }

void RNNImplBase::pretty_print(std::ostream& stream) const {
  stream << name() << "(input_size=" << options.input_size()
         << ", hidden_size=" << options.hidden_size() << ", num_layers=" << options.num_layers();
  if (as<RNNImpl>()) stream << ", nonlinearity=" << options.nonlinearity();
  stream << ", bias=" << std::boolalpha << options.bias()
         << ", batch_first=" << options.batch_first() << ", dropout=" << options.dropout()
         << ", bidirectional=" << options.bidirectional() << ")";
}

RNNImpl::RNNImpl(const RNNOptions& options) : RNNImplBase(options, 1) {
  CRESSET_CHECK(options.nonlinearity() == "tanh" || options.nonlinearity() == "relu", ValueError,
                "[nn::RNN] Unknown nonlinearity '", options.nonlinearity(),
                "'. Select from 'tanh' or 'relu'.");
}

std::tuple<Tensor, Tensor> RNNImpl::forward(const Tensor& input, const std::optional<Tensor>& hx) {
  const Tensor x = batched_input(input);
  const bool batched = input.dim() == 3;
  const Tensor h0 = initial_state(hx, x, batched);
  auto [output, h] = options.nonlinearity() == "tanh" ? rnn_tanh(x, h0, flat_weights, op_options())
                                                      : rnn_relu(x, h0, flat_weights, op_options());
  if (batched) return {output, h};
  return {unbatched_output(output), unbatched_state(h)};
}

std::tuple<Tensor, LSTMState> LSTMImpl::forward(const Tensor& input,
                                                const std::optional<LSTMState>& hx) {
  const Tensor x = batched_input(input);
  const bool batched = input.dim() == 3;
  std::optional<Tensor> h_given, c_given;
  if (hx) {
    h_given = std::get<0>(*hx);
    c_given = std::get<1>(*hx);
  }
  std::vector<Tensor> state{initial_state(h_given, x, batched), initial_state(c_given, x, batched)};
  auto [output, h, c] = lstm(x, state, flat_weights, op_options());
  if (batched) return {output, {h, c}};
  return {unbatched_output(output), {unbatched_state(h), unbatched_state(c)}};
}

std::tuple<Tensor, Tensor> GRUImpl::forward(const Tensor& input, const std::optional<Tensor>& hx) {
  const Tensor x = batched_input(input);
  const bool batched = input.dim() == 3;
  auto [output, h] = gru(x, initial_state(hx, x, batched), flat_weights, op_options());
  if (batched) return {output, h};
  return {unbatched_output(output), unbatched_state(h)};
}

}  // namespace cresset::nn
