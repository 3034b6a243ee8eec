// Fused LSTM cell: the gate nonlinearities and the state update in one pass over memory, forward
// and backward (as separate ops they would be about ten passes per time step).
// clang-format off
#include "cresset/backend/cpu/vec_math.h"  // first: see Note [Vectorized libm]
// clang-format on

#include "cresset/backend/cpu/rnn_kernels.h"

#include <cmath>

#include "cresset/backend/common/functors.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

template <typename M>
inline M sigmoid(M x) {
  return M(1) / (M(1) + std::exp(-x));
}

// The four activated gates of state entry e: i, f, o are sigmoids, g a tanh.
template <typename T, typename M = opmath_t<T>>
inline void activate(const T* g, int64_t n, int64_t e, M& i, M& f, M& gg, M& o) {
  i = sigmoid(M(g[e]));
  f = sigmoid(M(g[n + e]));
  gg = std::tanh(M(g[2 * n + e]));
  o = sigmoid(M(g[3 * n + e]));
}

template <typename T>
void forward(T* h_out, T* c_out, const T* g, const T* c, int64_t n) {
  using M = opmath_t<T>;
  parallel_for(0, n, kGrainSize / 8, [&](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t e = begin; e < end; ++e) {
      M i, f, gg, o;
      activate(g, n, e, i, f, gg, o);
      const M cn = f * M(c[e]) + i * gg;
      c_out[e] = T(cn);
      h_out[e] = T(o * std::tanh(cn));
    }
  });
}

template <typename T>
void backward(T* dg, T* dc, const T* dh, const T* dcn, const T* g, const T* c, const T* cn,
              int64_t n) {
  using M = opmath_t<T>;
  parallel_for(0, n, kGrainSize / 8, [&](int64_t begin, int64_t end) {
#pragma omp simd
    for (int64_t e = begin; e < end; ++e) {
      M i, f, gg, o;
      activate(g, n, e, i, f, gg, o);
      const M tc = std::tanh(M(cn[e]));
      const M d_h = M(dh[e]);
      const M d_c = M(dcn[e]) + d_h * o * (M(1) - tc * tc);
      dg[e] = T(d_c * gg * i * (M(1) - i));
      dg[n + e] = T(d_c * M(c[e]) * f * (M(1) - f));
      dg[2 * n + e] = T(d_c * i * (M(1) - gg * gg));
      dg[3 * n + e] = T(d_h * tc * o * (M(1) - o));
      dc[e] = T(d_c * f);
    }
  });
}

}  // namespace

void lstm_cell_kernel(const Tensor& h_out, const Tensor& c_out, const Tensor& gates,
                      const Tensor& c, int64_t n) {
  CRESSET_DISPATCH_FLOAT("lstm_cell", gates.dtype(), [&] {
    forward(h_out.data<scalar_t>(), c_out.data<scalar_t>(), gates.data<scalar_t>(),
            c.data<scalar_t>(), n);
  });
}

void lstm_cell_backward_kernel(const Tensor& dgates, const Tensor& dc, const Tensor& dh,
                               const Tensor& dc_out, const Tensor& gates, const Tensor& c,
                               const Tensor& c_out, int64_t n) {
  CRESSET_DISPATCH_FLOAT("lstm_cell_backward", gates.dtype(), [&] {
    backward(dgates.data<scalar_t>(), dc.data<scalar_t>(), dh.data<scalar_t>(),
             dc_out.data<scalar_t>(), gates.data<scalar_t>(), c.data<scalar_t>(),
             c_out.data<scalar_t>(), n);
  });
}

}  // namespace cresset::cpu::CPU_CAPABILITY
