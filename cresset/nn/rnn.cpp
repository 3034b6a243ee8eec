#include "cresset/nn/rnn.h"

#include <algorithm>

#include "cresset/autograd/function.h"
#include "cresset/backend/cpu/rnn_kernels.h"
#include "cresset/core/error.h"
#include "cresset/ops/ops.h"

namespace cresset {

// Note [RNN layout]
// The recurrence runs feature-major: states are (H, B) and each step's product is
// W_hh (G x H) @ h (H x B), because cresset's GEMM is markedly faster with the long gate dim as
// rows than with the short batch dim as rows (32 x 256 @ 256 x 1024: about 1.5x). The
// input-to-hidden product of a whole layer and direction is one GEMM over all T * B rows, with
// the biases folded in (both of them, except b_hh of GRU's n gate, which r multiplies); it is
// kept row-major (T * B, G) so that each step reads one contiguous block (a (G, T * B) layout
// scatters a step over G distant rows, and costs cache misses that grow with T), viewed
// transposed as the step's addmm input. A step is one addmm plus the gate math. A layer's outputs
// are stacked as (H, T, B), which is directly the next layer's (I, T * B) input. Parameters come
// in torch's flat order: per layer, per direction, w_ih, w_hh[, b_ih, b_hh][, w_hr] (w_hr: LSTM
// projections). Gates are split torch's way: LSTM (i, f, g, o), GRU (r, z, n).

namespace {

enum class Kind { Tanh, Relu, Gru, Lstm };

int64_t gate_count(Kind k) { return k == Kind::Lstm ? 4 : k == Kind::Gru ? 3 : 1; }

// The weights of one layer and direction; biases and w_hr may be undefined.
struct CellParams {
  Tensor w_ih, w_hh, b_ih, b_hh, w_hr;
};

// w @ x (+ bias as a column): x is (in, columns).
Tensor project(const Tensor& w, const Tensor& x, const Tensor& bias) {
  return bias.defined() ? addmm(unsqueeze(bias, 1), w, x) : mm(w, x);
}

// The bias folded into the input projection: b_ih + b_hh, but for GRU only b_ih (plus b_hh's
// r and z parts), since b_hh's n part is scaled by r.
Tensor input_bias(Kind k, const CellParams& p) {
  if (!p.b_ih.defined()) return Tensor();
  if (k != Kind::Gru) return p.b_ih + p.b_hh;
  const int64_t h = p.b_hh.sizes()[0] / 3;
  return p.b_ih + cat({narrow(p.b_hh, 0, 0, 2 * h), zeros({h}, p.b_hh.dtype(), p.b_hh.device())});
}

// The fused LSTM cell's backward written in differentiable ops (double backward): the gradients
// of gates (4H, B) and c given those of h' and c', recomputing c' from the inputs.
std::vector<Tensor> lstm_cell_grad_in_ops(const Tensor& gates, const Tensor& c, const Tensor& dh,
                                          const Tensor& dcn) {
  const std::vector<Tensor> g = chunk(gates, 4, 0);
  const Tensor i = sigmoid(g[0]), f = sigmoid(g[1]), cand = tanh(g[2]), o = sigmoid(g[3]);
  const Tensor tc = tanh(f * c + i * cand);
  const Tensor dc_total = dcn + dh * o * (1 - tc * tc);
  return {cat({dc_total * cand * i * (1 - i), dc_total * c * f * (1 - f),
               dc_total * i * (1 - cand * cand), dh * tc * o * (1 - o)},
              0),
          dc_total * f};
}

// LSTM gate math on gates (4H, B) and c (H, B): returns (h', c'). On CPU one fused kernel each
// way (recorded as torch's fused cell node); elsewhere composed from ops.
std::vector<Tensor> lstm_pointwise(const Tensor& gates, const Tensor& c_in) {
  CRESSET_CHECK(c_in.dtype() == gates.dtype(), RuntimeError, "[lstm] expected the cell state in ",
                dtype_display(gates.dtype()), "; got ", dtype_display(c_in.dtype()));
  if (!gates.device().is_cpu()) {
    const std::vector<Tensor> g = chunk(gates, 4, 0);
    const Tensor c = sigmoid(g[1]) * c_in + sigmoid(g[0]) * tanh(g[2]);
    return {sigmoid(g[3]) * tanh(c), c};
  }
  const Tensor g = contiguous(gates), c = contiguous(c_in);
  const int64_t n = c.numel();
  const Tensor h_out = empty_tensor(c.sizes(), c.dtype(), c.device());
  const Tensor c_out = empty_tensor(c.sizes(), c.dtype(), c.device());
  if (n > 0) CRESSET_CPU_DISPATCH(lstm_cell_kernel, h_out, c_out, g, c, n);
  if (autograd::needs_grad({g, c})) {
    autograd::record("ThnnFusedLstmCellBackward0", {g, c}, {h_out, c_out}, {g, c, c_out},
                     [n](const autograd::Ctx& ctx) -> autograd::TensorList {
                       const Tensor gs = ctx.saved(0), cs = ctx.saved(1), cn = ctx.saved(2);
                       // With create_graph the gradient must itself be differentiable.
                       if (autograd::needs_grad({ctx.grad(0), ctx.grad(1), gs, cs})) {
                         return lstm_cell_grad_in_ops(gs, cs, ctx.grad(0), ctx.grad(1));
                       }
                       const Tensor dh = contiguous(ctx.grad(0)), dcn = contiguous(ctx.grad(1));
                       const Tensor dg = empty_tensor(gs.sizes(), gs.dtype(), gs.device());
                       const Tensor dc = empty_tensor(cs.sizes(), cs.dtype(), cs.device());
                       if (n > 0) {
                         CRESSET_CPU_DISPATCH(lstm_cell_backward_kernel, dg, dc, dh, dcn, gs, cs,
                                              cn, n);
                       }
                       return {dg, dc};
                     });
  }
  return {h_out, c_out};
}

// One time step given the input's gate pre-activations `gi` (G, B), biases included as
// input_bias says; returns the new state ({h} or, for LSTM, {h, c}), each (H, B).
std::vector<Tensor> step(Kind k, const Tensor& gi, const std::vector<Tensor>& state,
                         const CellParams& p) {
  const Tensor& h = state[0];
  switch (k) {
    case Kind::Tanh:
      return {tanh(addmm(gi, p.w_hh, h))};
    case Kind::Relu:
      return {relu(addmm(gi, p.w_hh, h))};
    case Kind::Gru: {
      const int64_t hs = p.w_hh.sizes()[1];
      // r and z take the summed pre-activations; n needs W_hn h + b_hn on its own.
      const Tensor gh = mm(p.w_hh, h);
      const Tensor rz = sigmoid(narrow(gi, 0, 0, 2 * hs) + narrow(gh, 0, 0, 2 * hs));
      Tensor hn = narrow(gh, 0, 2 * hs, hs);
      if (p.b_hh.defined()) hn = hn + unsqueeze(narrow(p.b_hh, 0, 2 * hs, hs), 1);
      const Tensor r = narrow(rz, 0, 0, hs), z = narrow(rz, 0, hs, hs);
      const Tensor n = tanh(narrow(gi, 0, 2 * hs, hs) + hn * r);
      return {(h - n) * z + n};
    }
    case Kind::Lstm: {
      std::vector<Tensor> hc = lstm_pointwise(addmm(gi, p.w_hh, h), state[1]);
      if (p.w_hr.defined()) hc[0] = mm(p.w_hr, hc[0]);
      return hc;
    }
  }
  return {};
}

// Runs one direction of one layer over x (I, N), whose step t is the batch_sizes[t] columns after
// the previous steps' (a padded batch is the case of equal sizes). Returns the outputs
// (H_out, N) and leaves the final states, each (H, B) with B = batch_sizes[0], in `state`. A
// sequence's final state is the one after its last step: going forward, the columns of sequences
// that end are set aside as the batch shrinks; going backward, sequences join (from `state`, the
// initial states) as it grows.
Tensor run_direction(Kind k, const Tensor& x, std::vector<Tensor>& state, const CellParams& p,
                     bool reverse, const std::vector<int64_t>& batch_sizes) {
  // Row-major (N, G), so that each step's gates are one contiguous block (see Note [RNN layout]).
  const Tensor bias = input_bias(k, p);
  const Tensor gi_all = bias.defined() ? addmm(bias, t(x), t(p.w_ih)) : mm(t(x), t(p.w_ih));
  const auto steps = static_cast<int64_t>(batch_sizes.size());
  // One split (not a narrow per step): its backward joins the steps' gradients once, where
  // narrows would each materialise a gradient of the whole sequence.
  const std::vector<Tensor> gi = split_with_sizes(gi_all, DimVector(batch_sizes), 0);
  std::vector<Tensor> outs(static_cast<size_t>(steps));
  const std::vector<Tensor> initial = state;
  std::vector<std::vector<Tensor>> ended(state.size());  // set-aside columns, last first
  int64_t width = reverse ? 0 : batch_sizes[0];
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t ti = reverse ? steps - 1 - s : s;
    const int64_t bs = batch_sizes[size_t(ti)];
    for (size_t j = 0; j < state.size() && bs != width; ++j) {
      if (bs < width) {
        ended[j].push_back(narrow(state[j], 1, bs, width - bs));
        state[j] = narrow(state[j], 1, 0, bs);
      } else {
        const Tensor joining = narrow(initial[j], 1, width, bs - width);
        state[j] = width == 0 ? joining : cat({state[j], joining}, 1);
      }
    }
    width = bs;
    state = step(k, t(gi[size_t(ti)]), state, p);
    outs[size_t(ti)] = state[0];
  }
  for (size_t j = 0; j < state.size() && !ended[j].empty(); ++j) {
    ended[j].push_back(state[j]);
    std::reverse(ended[j].begin(), ended[j].end());
    state[j] = cat(ended[j], 1);
  }
  return cat(outs, 1);
}

// Inverted dropout between layers: kept entries scaled by 1 / (1 - p).
Tensor layer_dropout(const Tensor& x, double p) {
  if (p >= 1) return x * 0;
  return x * bernoulli(x, 1 - p) / (1 - p);
}

// The multi-layer loop over x (I, N) holding steps of batch_sizes columns (see run_direction).
// Returns {output (H_out, N), final states (units, B, H) ...}.
std::vector<Tensor> run_layers(Kind k, const char* op, Tensor x,
                               const std::vector<int64_t>& batch_sizes,
                               const std::vector<Tensor>& hx, const std::vector<Tensor>& params,
                               const RnnOptions& opt) {
  CRESSET_CHECK(x.is_floating_point(), RuntimeError, "[", op,
                "] expected a floating-point input; got ", dtype_display(x.dtype()));
  CRESSET_CHECK(opt.num_layers > 0, RuntimeError, "[", op, "] num_layers must be positive; got ",
                opt.num_layers);
  CRESSET_CHECK(!batch_sizes.empty(), RuntimeError, "[", op,
                "] Expected sequence length to be larger than 0 in RNN");
  const int64_t dirs = opt.bidirectional ? 2 : 1;
  const int64_t units = opt.num_layers * dirs;
  const int64_t base = opt.has_biases ? 4 : 2;
  const bool proj = k == Kind::Lstm && int64_t(params.size()) == units * (base + 1);
  const int64_t per = base + (proj ? 1 : 0);
  CRESSET_CHECK(int64_t(params.size()) == units * per, RuntimeError, "[", op, "] expected ",
                units * base, " parameter tensors for ", opt.num_layers, " layer(s)",
                opt.bidirectional ? " in both directions" : "", "; got ", params.size());
  for (const Tensor& h : hx) {
    CRESSET_CHECK(h.dim() == 3 && h.sizes()[0] == units && h.sizes()[1] == batch_sizes[0],
                  RuntimeError, "[", op, "] expected hidden state of shape [", units, ", ",
                  batch_sizes[0], ", *]; got ", shape_str(h.sizes()));
  }
  std::vector<std::vector<Tensor>> finals(hx.size());
  for (int64_t layer = 0; layer < opt.num_layers; ++layer) {
    std::vector<Tensor> outs;
    for (int64_t dir = 0; dir < dirs; ++dir) {
      const int64_t unit = layer * dirs + dir;
      const Tensor* w = params.data() + unit * per;
      CellParams p{w[0], w[1], opt.has_biases ? w[2] : Tensor(), opt.has_biases ? w[3] : Tensor(),
                   proj ? w[base] : Tensor()};
      const int64_t hidden = (proj ? p.w_hr : p.w_hh).sizes()[1];
      CRESSET_CHECK(p.w_ih.dim() == 2 && p.w_ih.sizes()[1] == x.sizes()[0] &&
                        p.w_ih.sizes()[0] == gate_count(k) * hidden,
                    RuntimeError, "[", op, "] weight_ih of layer ", layer, " has shape ",
                    shape_str(p.w_ih.sizes()), "; the layer input has ", x.sizes()[0], " features");
      std::vector<Tensor> state;
      for (const Tensor& h : hx) state.push_back(t(select(h, 0, unit)));
      outs.push_back(run_direction(k, x, state, p, dir == 1, batch_sizes));
      for (size_t j = 0; j < state.size(); ++j) finals[j].push_back(t(state[j]));
    }
    x = dirs == 2 ? cat(outs, 0) : outs[0];
    if (opt.dropout > 0 && opt.train && layer + 1 < opt.num_layers)
      x = layer_dropout(x, opt.dropout);
  }
  std::vector<Tensor> result{x};
  for (const auto& f : finals) result.push_back(stack(f, 0));
  return result;
}

// A padded batch: input (T, B, I), or (B, T, I) with batch_first.
std::vector<Tensor> run_rnn(Kind k, const char* op, const Tensor& input,
                            const std::vector<Tensor>& hx, const std::vector<Tensor>& params,
                            const RnnOptions& opt) {
  CRESSET_CHECK(input.dim() == 3, RuntimeError, "[", op, "] expected a 3-D input; got input ",
                shape_str(input.sizes()));
  const Tensor seq = opt.batch_first ? transpose(input, 0, 1) : input;  // (T, B, I)
  const int64_t steps = seq.sizes()[0], batch = seq.sizes()[1];
  // (I, T * B), see Note [RNN layout].
  const Tensor x = t(reshape(seq, {steps * batch, seq.sizes()[2]}));
  std::vector<Tensor> r =
      run_layers(k, op, x, std::vector<int64_t>(size_t(steps), batch), hx, params, opt);
  // torch returns a contiguous (T, B, H) output (transposed when batch_first).
  const Tensor out = contiguous(permute(view(r[0], {r[0].sizes()[0], steps, batch}), {1, 2, 0}));
  r[0] = opt.batch_first ? transpose(out, 0, 1) : out;
  return r;
}

// A packed batch: data (N, I) and the batch size of each step (non-increasing).
std::vector<Tensor> run_packed(Kind k, const char* op, const Tensor& data,
                               const Tensor& batch_sizes, const std::vector<Tensor>& hx,
                               const std::vector<Tensor>& params, const RnnOptions& opt) {
  CRESSET_CHECK(data.dim() == 2, RuntimeError, "[", op, "] expected packed 2-D data; got ",
                shape_str(data.sizes()));
  CRESSET_CHECK(batch_sizes.dim() == 1 && batch_sizes.dtype() == DType::Int64 &&
                    batch_sizes.device().is_cpu(),
                RuntimeError, "[", op, "] batch_sizes must be a 1-D CPU int64 tensor");
  const Tensor bs_c = contiguous(batch_sizes);
  const int64_t* bs_ptr = bs_c.data<int64_t>();
  std::vector<int64_t> sizes(bs_ptr, bs_ptr + bs_c.numel());
  int64_t total = 0;
  for (size_t s = 0; s < sizes.size(); ++s) {
    CRESSET_CHECK(sizes[s] > 0 && (s == 0 || sizes[s] <= sizes[s - 1]), RuntimeError, "[", op,
                  "] batch_sizes must be positive and non-increasing");
    total += sizes[s];
  }
  CRESSET_CHECK(total == data.sizes()[0], RuntimeError, "[", op, "] batch_sizes sum to ", total,
                " but the packed data has ", data.sizes()[0], " rows");
  std::vector<Tensor> r = run_layers(k, op, t(data), sizes, hx, params, opt);
  r[0] = contiguous(t(r[0]));
  return r;
}

std::vector<Tensor> run_cell(Kind k, const char* op, const Tensor& input,
                             const std::vector<Tensor>& hx, const Tensor& w_ih, const Tensor& w_hh,
                             const Tensor& b_ih, const Tensor& b_hh) {
  CRESSET_CHECK(input.dim() == 2 && w_ih.dim() == 2 && input.sizes()[1] == w_ih.sizes()[1],
                RuntimeError, "[", op, "] expected input [batch, ",
                w_ih.dim() == 2 ? w_ih.sizes()[1] : 0, "]; got ", shape_str(input.sizes()));
  for (const Tensor& h : hx) {
    CRESSET_CHECK(
        h.dim() == 2 && h.sizes()[0] == input.sizes()[0] && h.sizes()[1] == w_hh.sizes()[1],
        RuntimeError, "[", op, "] expected hidden state [", input.sizes()[0], ", ", w_hh.sizes()[1],
        "]; got ", shape_str(h.sizes()));
  }
  const CellParams p{w_ih, w_hh, b_ih, b_hh, Tensor()};
  std::vector<Tensor> state;
  for (const Tensor& h : hx) state.push_back(t(h));
  std::vector<Tensor> r = step(k, project(w_ih, t(input), input_bias(k, p)), state, p);
  for (Tensor& x : r) x = contiguous(t(x));
  return r;
}

}  // namespace

std::tuple<Tensor, Tensor> rnn_tanh(const Tensor& input, const Tensor& hx,
                                    const std::vector<Tensor>& params, const RnnOptions& opt) {
  auto r = run_rnn(Kind::Tanh, "rnn_tanh", input, {hx}, params, opt);
  return {r[0], r[1]};
}

std::tuple<Tensor, Tensor> rnn_relu(const Tensor& input, const Tensor& hx,
                                    const std::vector<Tensor>& params, const RnnOptions& opt) {
  auto r = run_rnn(Kind::Relu, "rnn_relu", input, {hx}, params, opt);
  return {r[0], r[1]};
}

std::tuple<Tensor, Tensor> gru(const Tensor& input, const Tensor& hx,
                               const std::vector<Tensor>& params, const RnnOptions& opt) {
  auto r = run_rnn(Kind::Gru, "gru", input, {hx}, params, opt);
  return {r[0], r[1]};
}

std::tuple<Tensor, Tensor, Tensor> lstm(const Tensor& input, const std::vector<Tensor>& hx,
                                        const std::vector<Tensor>& params, const RnnOptions& opt) {
  CRESSET_CHECK(hx.size() == 2, RuntimeError, "[lstm] expected hx = (h0, c0); got ", hx.size(),
                " tensors");
  auto r = run_rnn(Kind::Lstm, "lstm", input, hx, params, opt);
  return {r[0], r[1], r[2]};
}

std::tuple<Tensor, Tensor> rnn_tanh(const Tensor& data, const Tensor& batch_sizes, const Tensor& hx,
                                    const std::vector<Tensor>& params, const RnnOptions& opt) {
  auto r = run_packed(Kind::Tanh, "rnn_tanh", data, batch_sizes, {hx}, params, opt);
  return {r[0], r[1]};
}

std::tuple<Tensor, Tensor> rnn_relu(const Tensor& data, const Tensor& batch_sizes, const Tensor& hx,
                                    const std::vector<Tensor>& params, const RnnOptions& opt) {
  auto r = run_packed(Kind::Relu, "rnn_relu", data, batch_sizes, {hx}, params, opt);
  return {r[0], r[1]};
}

std::tuple<Tensor, Tensor> gru(const Tensor& data, const Tensor& batch_sizes, const Tensor& hx,
                               const std::vector<Tensor>& params, const RnnOptions& opt) {
  auto r = run_packed(Kind::Gru, "gru", data, batch_sizes, {hx}, params, opt);
  return {r[0], r[1]};
}

std::tuple<Tensor, Tensor, Tensor> lstm(const Tensor& data, const Tensor& batch_sizes,
                                        const std::vector<Tensor>& hx,
                                        const std::vector<Tensor>& params, const RnnOptions& opt) {
  CRESSET_CHECK(hx.size() == 2, RuntimeError, "[lstm] expected hx = (h0, c0); got ", hx.size(),
                " tensors");
  auto r = run_packed(Kind::Lstm, "lstm", data, batch_sizes, hx, params, opt);
  return {r[0], r[1], r[2]};
}

Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih, const Tensor& b_hh) {
  return run_cell(Kind::Tanh, "rnn_tanh_cell", input, {hx}, w_ih, w_hh, b_ih, b_hh)[0];
}

Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih, const Tensor& b_hh) {
  return run_cell(Kind::Relu, "rnn_relu_cell", input, {hx}, w_ih, w_hh, b_ih, b_hh)[0];
}

Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                const Tensor& b_ih, const Tensor& b_hh) {
  return run_cell(Kind::Gru, "gru_cell", input, {hx}, w_ih, w_hh, b_ih, b_hh)[0];
}

std::tuple<Tensor, Tensor> lstm_cell(const Tensor& input, const std::vector<Tensor>& hx,
                                     const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                                     const Tensor& b_hh) {
  CRESSET_CHECK(hx.size() == 2, RuntimeError, "[lstm_cell] expected hx = (h, c); got ", hx.size(),
                " tensors");
  auto r = run_cell(Kind::Lstm, "lstm_cell", input, hx, w_ih, w_hh, b_ih, b_hh);
  return {r[0], r[1]};
}

}  // namespace cresset
