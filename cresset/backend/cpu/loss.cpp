// NLL and CTC loss kernels (see loss.h).
#include "cresset/backend/cpu/loss.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "cresset/backend/common/loss_targets.h"
#include "cresset/core/error.h"
#include "cresset/core/parallel.h"

namespace cresset::cpu {

namespace {

template <typename T>
double weight_of(const T* w, int64_t c) {
  return w ? double(opmath_t<T>(w[c])) : 1.0;
}

// log(exp(a) + exp(b) + exp(c)) with one log; all -inf gives -inf.
template <typename M>
M log_sum_exp3(M a, M b, M c) {
  const M m = std::max(a, std::max(b, c));
  if (m == -std::numeric_limits<M>::infinity()) return m;
  return std::log(std::exp(a - m) + std::exp(b - m) + std::exp(c - m)) + m;
}

}  // namespace

void nll_loss_forward(const Tensor& out, const Tensor& total_weight, const Tensor& self,
                      const Tensor& target, const Tensor& weight, int64_t batch, int64_t classes,
                      int64_t inner, int64_t reduction, int64_t ignore_index) {
  CRESSET_DISPATCH_FLOAT("nll_loss", self.dtype(), [&] {
    const scalar_t* x = self.data<scalar_t>();
    const scalar_t* w = weight.defined() ? weight.data<scalar_t>() : nullptr;
    scalar_t* y = out.data<scalar_t>();
    with_targets(target, [&](const auto* t) {
      // Serial: one gather per target; the bounds check must precede every read.
      double sum = 0, wsum = 0;
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t k = n * inner + i;
          const int64_t c = int64_t(t[k]);
          if (c == ignore_index) {
            if (reduction == 0) y[k] = scalar_t(0);
            continue;
          }
          CRESSET_CHECK(c >= 0 && c < classes, IndexError, "Target ", c, " is out of bounds.");
          const double wc = weight_of(w, c);
          const double v = -wc * double(opmath_t<scalar_t>(x[(n * classes + c) * inner + i]));
          if (reduction == 0) {
            y[k] = scalar_t(v);
          } else {
            sum += v;
          }
          wsum += wc;
        }
      }
      *total_weight.data<scalar_t>() = scalar_t(wsum);
      if (reduction == 1) {
        *y = scalar_t(sum / wsum);
      } else if (reduction == 2) {
        *y = scalar_t(sum);
      }
    });
  });
}

void nll_loss_backward(const Tensor& grad_input, const Tensor& grad, const Tensor& target,
                       const Tensor& weight, const Tensor& total_weight, int64_t batch,
                       int64_t classes, int64_t inner, int64_t reduction, int64_t ignore_index) {
  CRESSET_DISPATCH_FLOAT("nll_loss_backward", grad_input.dtype(), [&] {
    using M = opmath_t<scalar_t>;
    scalar_t* gi = grad_input.data<scalar_t>();
    std::memset(static_cast<void*>(gi), 0, size_t(grad_input.nbytes()));
    const scalar_t* w = weight.defined() ? weight.data<scalar_t>() : nullptr;
    const scalar_t* g = grad.data<scalar_t>();
    M scale = reduction == 0 ? M(1) : M(g[0]);
    if (reduction == 1) scale /= M(*total_weight.data<scalar_t>());
    with_targets(target, [&](const auto* t) {
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t k = n * inner + i;
          const int64_t c = int64_t(t[k]);
          if (c == ignore_index) continue;
          const M gk = reduction == 0 ? M(g[k]) : scale;
          gi[(n * classes + c) * inner + i] = scalar_t(-M(weight_of(w, c)) * gk);
        }
      }
    });
  });
}

void ctc_loss_forward(const Tensor& nll, const Tensor& log_alpha, const Tensor& log_probs,
                      const Tensor& targets, const std::vector<int64_t>& target_offsets,
                      const std::vector<int64_t>& input_lengths,
                      const std::vector<int64_t>& target_lengths, int64_t blank) {
  const int64_t batch = log_probs.size(1), classes = log_probs.size(2);
  const int64_t max_t = log_probs.size(0), states = log_alpha.size(2);
  CRESSET_DISPATCH_FLOAT("ctc_loss", log_probs.dtype(), [&] {
    using M = opmath_t<scalar_t>;
    const M neg_inf = -std::numeric_limits<M>::infinity();
    const scalar_t* lp = log_probs.data<scalar_t>();
    const int64_t* tg_all = targets.data<int64_t>();
    scalar_t* la_all = log_alpha.data<scalar_t>();
    scalar_t* out = nll.data<scalar_t>();
    parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
      std::vector<M> la(size_t(max_t * states));
      for (int64_t n = begin; n < end; ++n) {
        const int64_t len_t = input_lengths[n], len_s = target_lengths[n];
        const int64_t* tg = tg_all + target_offsets[n];
        std::fill(la.begin(), la.end(), neg_inf);
        auto lpv = [&](int64_t t, int64_t c) { return M(lp[(t * batch + n) * classes + c]); };
        auto label = [&](int64_t s) { return s % 2 == 0 ? blank : tg[s / 2]; };
        if (len_t > 0) {
          la[0] = lpv(0, blank);
          if (len_s > 0) la[1] = lpv(0, tg[0]);
        }
        for (int64_t t = 1; t < len_t; ++t) {
          const M* prev = la.data() + (t - 1) * states;
          M* cur = la.data() + t * states;
          for (int64_t s = 0; s <= 2 * len_s; ++s) {
            const int64_t c = label(s);
            const M a3 = s > 1 && c != blank && label(s - 2) != c ? prev[s - 2] : neg_inf;
            cur[s] = log_sum_exp3(prev[s], s > 0 ? prev[s - 1] : neg_inf, a3) + lpv(t, c);
          }
        }
        scalar_t* la_out = la_all + n * max_t * states;
        for (int64_t i = 0; i < max_t * states; ++i) la_out[i] = scalar_t(la[size_t(i)]);
        if (len_t == 0) {
          out[n] = scalar_t(len_s == 0 ? M(0) : -neg_inf);
          continue;
        }
        const M* last = la.data() + (len_t - 1) * states;
        out[n] = scalar_t(
            -log_sum_exp3(last[2 * len_s], len_s > 0 ? last[2 * len_s - 1] : neg_inf, neg_inf));
      }
    });
  });
}

void ctc_loss_backward(const Tensor& grad, const Tensor& grad_out, const Tensor& log_probs,
                       const Tensor& targets, const std::vector<int64_t>& target_offsets,
                       const std::vector<int64_t>& input_lengths,
                       const std::vector<int64_t>& target_lengths, const Tensor& nll,
                       const Tensor& log_alpha, int64_t blank, bool zero_infinity) {
  const int64_t batch = log_probs.size(1), classes = log_probs.size(2);
  const int64_t max_t = log_probs.size(0), states = log_alpha.size(2);
  CRESSET_DISPATCH_FLOAT("ctc_loss_backward", log_probs.dtype(), [&] {
    using M = opmath_t<scalar_t>;
    const M neg_inf = -std::numeric_limits<M>::infinity();
    const scalar_t* lp = log_probs.data<scalar_t>();
    const int64_t* tg_all = targets.data<int64_t>();
    const scalar_t* la_all = log_alpha.data<scalar_t>();
    const scalar_t* nll_p = nll.data<scalar_t>();
    const scalar_t* go = grad_out.data<scalar_t>();
    scalar_t* gr = grad.data<scalar_t>();
    parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
      std::vector<M> lb(size_t(max_t * states)), lcab(size_t(max_t * classes));
      for (int64_t n = begin; n < end; ++n) {
        const int64_t len_t = input_lengths[n], len_s = target_lengths[n];
        const int64_t* tg = tg_all + target_offsets[n];
        const scalar_t* la = la_all + n * max_t * states;
        const M nll_n = M(nll_p[n]);
        auto at = [&](int64_t t, int64_t c) -> scalar_t& {
          return gr[(t * batch + n) * classes + c];
        };
        auto lpv = [&](int64_t t, int64_t c) { return M(lp[(t * batch + n) * classes + c]); };
        auto label = [&](int64_t s) { return s % 2 == 0 ? blank : tg[s / 2]; };
        if (len_t == 0 || (zero_infinity && nll_n == -neg_inf)) {
          for (int64_t t = 0; t < max_t; ++t) {
            for (int64_t c = 0; c < classes; ++c) at(t, c) = scalar_t(0);
          }
          continue;
        }
        // lcab[t, c]: log of the sum of alpha * beta over the states labelled c.
        std::fill(lb.begin(), lb.end(), neg_inf);
        std::fill(lcab.begin(), lcab.end(), neg_inf);
        auto accumulate = [&](int64_t t, int64_t s) {
          M& v = lcab[size_t(t * classes + label(s))];
          v = log_sum_exp3(v, M(la[t * states + s]) + lb[size_t(t * states + s)], neg_inf);
        };
        const int64_t tl = len_t - 1;
        lb[size_t(tl * states + 2 * len_s)] = lpv(tl, blank);
        accumulate(tl, 2 * len_s);
        if (len_s > 0) {
          lb[size_t(tl * states + 2 * len_s - 1)] = lpv(tl, tg[len_s - 1]);
          accumulate(tl, 2 * len_s - 1);
        }
        for (int64_t t = len_t - 2; t >= 0; --t) {
          const M* next = lb.data() + (t + 1) * states;
          M* cur = lb.data() + t * states;
          for (int64_t s = 2 * len_s; s >= 0; --s) {
            const int64_t c = label(s);
            const M b2 = s < 2 * len_s ? next[s + 1] : neg_inf;
            const M b3 = s < 2 * len_s - 1 && label(s + 2) != c ? next[s + 2] : neg_inf;
            cur[s] = log_sum_exp3(next[s], b2, b3) + lpv(t, c);
            accumulate(t, s);
          }
        }
        const M g = M(go[n]);
        for (int64_t t = 0; t < max_t; ++t) {
          for (int64_t c = 0; c < classes; ++c) {
            if (t >= len_t) {
              at(t, c) = scalar_t(0);
              continue;
            }
            const M l = lpv(t, c);
            at(t, c) =
                scalar_t((std::exp(l) - std::exp(lcab[size_t(t * classes + c)] + nll_n - l)) * g);
          }
        }
      }
    });
  });
}

}  // namespace cresset::cpu
