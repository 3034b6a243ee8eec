#pragma once
// Recurrent layers: nn::RNN, nn::LSTM, nn::GRU over cresset::rnn_tanh / rnn_relu / lstm / gru
// (the ops Python's nn.RNN / LSTM / GRU call).
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cresset/core/arg.h"
#include "cresset/nn/modules/holder.h"

namespace cresset {
struct RnnOptions;
}

namespace cresset::nn {

/// Options of the recurrent layers; nonlinearity ("tanh" or "relu") only for nn::RNN.
struct RNNOptions {
  RNNOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  CRESSET_ARG(int64_t, input_size);
  CRESSET_ARG(int64_t, hidden_size);
  CRESSET_ARG(int64_t, num_layers) = 1;
  CRESSET_ARG(std::string, nonlinearity) = "tanh";
  CRESSET_ARG(bool, bias) = true;
  /// Input and output as [batch, seq, feature] instead of [seq, batch, feature].
  CRESSET_ARG(bool, batch_first) = false;
  /// Dropout on the outputs of every layer but the last, in training.
  CRESSET_ARG(double, dropout) = 0.0;
  CRESSET_ARG(bool, bidirectional) = false;
};
using LSTMOptions = RNNOptions;
using GRUOptions = RNNOptions;

/// What the recurrent layers share. Parameters per layer k and direction (suffix "_reverse"
/// for the backward one), as Python names them: weight_ih_l{k} [G*H, in], weight_hh_l{k}
/// [G*H, H], bias_ih_l{k}, bias_hh_l{k} [G*H] (G gates: 1 RNN, 3 GRU, 4 LSTM), all
/// U(-1/sqrt(H), 1/sqrt(H)). States are [num_layers * num_directions, batch, H] (without the
/// batch dim for an unbatched 2-D input).
class RNNImplBase : public Module {
 public:
  RNNImplBase(const RNNOptions& options, int64_t gates);
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;

  RNNOptions options;
  /// The parameters in the order the ops take them.
  std::vector<Tensor> flat_weights;

 protected:
  /// The input as 3-D (an unbatched one gets a batch dim); ValueError / RuntimeError naming
  /// the layer for a wrong rank or feature size.
  Tensor batched_input(const Tensor& input) const;
  /// A state for the batched input x: zeros when not given, else checked (and given a batch dim
  /// when the input was unbatched).
  Tensor initial_state(const std::optional<Tensor>& hx, const Tensor& x, bool batched) const;
  /// The ops' options for this layer.
  RnnOptions op_options() const;
  /// Removes the batch dim added by batched_input from an output.
  Tensor unbatched_output(const Tensor& output) const;
  /// Removes the batch dim from a final state.
  static Tensor unbatched_state(const Tensor& state);
};

/// Elman RNN: h' = tanh (or relu)(x W_ih^T + b_ih + h W_hh^T + b_hh).
class RNNImpl : public RNNImplBase {
 public:
  RNNImpl(int64_t input_size, int64_t hidden_size) : RNNImpl(RNNOptions(input_size, hidden_size)) {}
  explicit RNNImpl(const RNNOptions& options);
  /// The last layer's output at every step and the final h.
  std::tuple<Tensor, Tensor> forward(const Tensor& input,
                                     const std::optional<Tensor>& hx = std::nullopt);
};
CRESSET_MODULE(RNN);

/// The LSTM's (h, c) state.
using LSTMState = std::tuple<Tensor, Tensor>;

class LSTMImpl : public RNNImplBase {
 public:
  LSTMImpl(int64_t input_size, int64_t hidden_size)
      : LSTMImpl(LSTMOptions(input_size, hidden_size)) {}
  explicit LSTMImpl(const LSTMOptions& options) : RNNImplBase(options, 4) {}
  /// The last layer's output at every step and the final (h, c); hx zeros when not given.
  std::tuple<Tensor, LSTMState> forward(const Tensor& input,
                                        const std::optional<LSTMState>& hx = std::nullopt);
};
CRESSET_MODULE(LSTM);

class GRUImpl : public RNNImplBase {
 public:
  GRUImpl(int64_t input_size, int64_t hidden_size) : GRUImpl(GRUOptions(input_size, hidden_size)) {}
  explicit GRUImpl(const GRUOptions& options) : RNNImplBase(options, 3) {}
  /// The last layer's output at every step and the final h.
  std::tuple<Tensor, Tensor> forward(const Tensor& input,
                                     const std::optional<Tensor>& hx = std::nullopt);
};
CRESSET_MODULE(GRU);

}  // namespace cresset::nn
