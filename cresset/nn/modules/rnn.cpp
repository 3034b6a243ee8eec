#include "cresset/nn/modules/rnn.h"

#include <cmath>
#include <string>

#include "cresset/nn/modules/init.h"
#include "cresset/nn/rnn.h"
#include "cresset/ops/ops.h"

namespace cresset::nn {

LSTMImpl::LSTMImpl(const LSTMOptions& options) : options(options) {
  const int64_t h = options.hidden_size(), gates = 4 * h;
  const int64_t directions = options.bidirectional() ? 2 : 1;
  CRESSET_CHECK(h > 0 && options.num_layers() > 0, ValueError,
                "[nn::LSTM] hidden_size and num_layers must be positive");
  CRESSET_CHECK(options.dropout() >= 0 && options.dropout() <= 1, ValueError,
                "[nn::LSTM] dropout should be a number in range [0, 1] representing the "
                "probability of an element being zeroed");
  for (int64_t layer = 0; layer < options.num_layers(); ++layer) {
    const int64_t in = layer == 0 ? options.input_size() : h * directions;
    for (int64_t d = 0; d < directions; ++d) {
      const std::string suffix = "_l" + std::to_string(layer) + (d ? "_reverse" : "");
      auto add = [&](const std::string& name, const DimVector& shape) {
        flat_weights.push_back(
            register_parameter(name + suffix, empty_tensor(shape, default_dtype())));
      };
      add("weight_ih", {gates, in});
      add("weight_hh", {gates, h});
      if (options.bias()) {
        add("bias_ih", {gates});
        add("bias_hh", {gates});
      }
    }
  }
  reset_parameters();
}

void LSTMImpl::reset_parameters() {
  const double bound = 1.0 / std::sqrt(double(options.hidden_size()));
  for (const Tensor& w : flat_weights) init::uniform_(w, -bound, bound);
}

std::tuple<Tensor, LSTMState> LSTMImpl::forward(const Tensor& input,
                                                const std::optional<LSTMState>& hx) {
  CRESSET_CHECK(input.dim() == 2 || input.dim() == 3, ValueError, "[", name(),
                "] Expected input to be 2D or 3D, got ", input.dim(), "D instead");
  const bool batched = input.dim() == 3;
  const int64_t batch_dim = options.batch_first() ? 0 : 1;
  const Tensor x = batched ? input : unsqueeze(input, batch_dim);
  CRESSET_CHECK(x.size(2) == options.input_size(), RuntimeError, "[", name(),
                "] input.size(-1) must be equal to input_size. Expected ", options.input_size(),
                ", got ", x.size(2));
  const int64_t states = options.num_layers() * (options.bidirectional() ? 2 : 1);
  std::vector<Tensor> state;
  if (hx) {
    for (const Tensor& t : {std::get<0>(*hx), std::get<1>(*hx)}) {
      state.push_back(batched ? t : unsqueeze(t, 1));
    }
  } else {
    const DimVector shape{states, x.size(batch_dim), options.hidden_size()};
    state = {zeros(shape, x.dtype(), x.device()), zeros(shape, x.dtype(), x.device())};
  }
  const DimVector expected{states, x.size(batch_dim), options.hidden_size()};
  for (const Tensor& t : state) {
    CRESSET_CHECK(t.sizes() == expected, RuntimeError, "[", name(), "] Expected hidden size ",
                  shape_str(expected), ", got ", shape_str(t.sizes()));
  }
  RnnOptions o;
  o.has_biases = options.bias();
  o.num_layers = options.num_layers();
  o.dropout = options.dropout();
  o.train = is_training();
  o.bidirectional = options.bidirectional();
  o.batch_first = options.batch_first();
  auto [output, h, c] = lstm(x, state, flat_weights, o);
  if (!batched) {
    output = squeeze(output, batch_dim);
    h = squeeze(h, 1);
    c = squeeze(c, 1);
  }
  return {output, {h, c}};
}

void LSTMImpl::pretty_print(std::ostream& stream) const {
  stream << name() << "(input_size=" << options.input_size()
         << ", hidden_size=" << options.hidden_size() << ", num_layers=" << options.num_layers()
         << ", bias=" << std::boolalpha << options.bias()
         << ", batch_first=" << options.batch_first() << ", dropout=" << options.dropout()
         << ", bidirectional=" << options.bidirectional() << ")";
}

}  // namespace cresset::nn
