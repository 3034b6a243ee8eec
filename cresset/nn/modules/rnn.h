#pragma once
// nn::LSTM: a multi-layer LSTM over cresset::lstm (the op Python's nn.LSTM calls).
#include <optional>
#include <tuple>
#include <vector>

#include "cresset/core/arg.h"
#include "cresset/nn/modules/holder.h"

namespace cresset::nn {

struct LSTMOptions {
  LSTMOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  CRESSET_ARG(int64_t, input_size);
  CRESSET_ARG(int64_t, hidden_size);
  CRESSET_ARG(int64_t, num_layers) = 1;
  CRESSET_ARG(bool, bias) = true;
  /// Input and output as [batch, seq, feature] instead of [seq, batch, feature].
  CRESSET_ARG(bool, batch_first) = false;
  /// Dropout on the outputs of every layer but the last, in training.
  CRESSET_ARG(double, dropout) = 0.0;
  CRESSET_ARG(bool, bidirectional) = false;
};

/// The LSTM's (h, c) state: each [num_layers * num_directions, batch, hidden_size].
using LSTMState = std::tuple<Tensor, Tensor>;

/// Parameters per layer k and direction (suffix "_reverse" for the backward one), as Python
/// names them: weight_ih_l{k} [4H, in], weight_hh_l{k} [4H, H], bias_ih_l{k}, bias_hh_l{k}
/// [4H], all U(-1/sqrt(H), 1/sqrt(H)).
class LSTMImpl : public Module {
 public:
  LSTMImpl(int64_t input_size, int64_t hidden_size)
      : LSTMImpl(LSTMOptions(input_size, hidden_size)) {}
  explicit LSTMImpl(const LSTMOptions& options);
  void reset_parameters();
  /// Runs the sequence (3-D, or 2-D unbatched) from state hx (zeros when not given); returns
  /// the last layer's output at every step and the final (h, c).
  std::tuple<Tensor, LSTMState> forward(const Tensor& input,
                                        const std::optional<LSTMState>& hx = std::nullopt);
  void pretty_print(std::ostream& stream) const override;

  LSTMOptions options;
  /// The parameters in the order cresset::lstm takes them.
  std::vector<Tensor> flat_weights;
};
CRESSET_MODULE(LSTM);

}  // namespace cresset::nn
