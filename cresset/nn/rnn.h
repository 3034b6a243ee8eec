#pragma once
// Recurrent layers (torch.rnn_tanh / rnn_relu / lstm / gru and their cells), composed from cresset
// ops so autograd comes from the ops. See Note [RNN layout] in rnn.cpp.
#include <tuple>
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset {

/// Options shared by the multi-layer recurrent ops (torch's positional arguments).
struct RnnOptions {
  bool has_biases = true;
  int64_t num_layers = 1;
  double dropout = 0;
  bool train = false;
  bool bidirectional = false;
  bool batch_first = false;
};

/// torch.rnn_tanh: Elman RNN with tanh; input (T, B, I) (or (B, T, I) with batch_first), hx
/// (layers * directions, B, H). Returns (output, h_n).
std::tuple<Tensor, Tensor> rnn_tanh(const Tensor& input, const Tensor& hx,
                                    const std::vector<Tensor>& params, const RnnOptions& opt);
/// torch.rnn_relu: Elman RNN with relu.
std::tuple<Tensor, Tensor> rnn_relu(const Tensor& input, const Tensor& hx,
                                    const std::vector<Tensor>& params, const RnnOptions& opt);
/// torch.gru: returns (output, h_n).
std::tuple<Tensor, Tensor> gru(const Tensor& input, const Tensor& hx,
                               const std::vector<Tensor>& params, const RnnOptions& opt);
/// torch.lstm: hx = {h0, c0}; params per layer and direction are w_ih, w_hh[, b_ih, b_hh][, w_hr].
/// Returns (output, h_n, c_n).
std::tuple<Tensor, Tensor, Tensor> lstm(const Tensor& input, const std::vector<Tensor>& hx,
                                        const std::vector<Tensor>& params, const RnnOptions& opt);

/// The packed-sequence forms: data (N, I) holds step t's batch_sizes[t] rows (a 1-D CPU int64
/// tensor, non-increasing); the output is packed the same way. opt.batch_first is ignored.
std::tuple<Tensor, Tensor> rnn_tanh(const Tensor& data, const Tensor& batch_sizes, const Tensor& hx,
                                    const std::vector<Tensor>& params, const RnnOptions& opt);
std::tuple<Tensor, Tensor> rnn_relu(const Tensor& data, const Tensor& batch_sizes, const Tensor& hx,
                                    const std::vector<Tensor>& params, const RnnOptions& opt);
std::tuple<Tensor, Tensor> gru(const Tensor& data, const Tensor& batch_sizes, const Tensor& hx,
                               const std::vector<Tensor>& params, const RnnOptions& opt);
std::tuple<Tensor, Tensor, Tensor> lstm(const Tensor& data, const Tensor& batch_sizes,
                                        const std::vector<Tensor>& hx,
                                        const std::vector<Tensor>& params, const RnnOptions& opt);

/// torch.rnn_tanh_cell: tanh(input @ w_ih.T + b_ih + hx @ w_hh.T + b_hh); biases may be undefined.
Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih, const Tensor& b_hh);
/// torch.rnn_relu_cell.
Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih, const Tensor& b_hh);
/// torch.gru_cell.
Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                const Tensor& b_ih, const Tensor& b_hh);
/// torch.lstm_cell: hx = {h, c}; returns (h', c').
std::tuple<Tensor, Tensor> lstm_cell(const Tensor& input, const std::vector<Tensor>& hx,
                                     const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                                     const Tensor& b_hh);

}  // namespace cresset
