#pragma once
// Note [Optimizer update rules]
// The per-element arithmetic of every fused optimizer update (see Note [Fused optimizer updates]),
// written once and run by both backends: the CPU's vectorized loops (backend/cpu/optim_kernels.cpp)
// and the CUDA multi-tensor kernel (backend/cuda/optim.cu). A rule is constructed from the group's
// options and one tensor's per-tensor scalars (computed on the host in double), then called for
// each element index; each formula follows the order of torch's single-tensor implementation so
// float32 results agree, and where torch's vectorized kernels fuse a multiply-add (lerp, add with
// alpha) the rule calls fma too. Nothing else may contract: the CPU builds with -ffp-contract=off
// and optim.cu with --fmad=false, so both backends round every operation identically.
#include <cmath>
#include <cstdint>

#include "cresset/core/dtype.h"

namespace cresset {

/// The update rule a fused call applies; one per torch.optim class (AdamW is Adam, decoupled).
enum class OptimKind { SGD, Adam, Adagrad, Adamax, Adadelta, ASGD, RMSprop, Rprop, NAdam, RAdam };

/// Buffers per tensor: param, grad, then up to three state buffers (nullptr when unused).
constexpr int kOptimBuffers = 5;
/// Per-tensor coefficients computed on the host in double, as torch computes them in Python.
constexpr int kOptimScalars = 4;

/// One parameter's slice of a fused update: dense buffers of `numel` elements in one dtype.
struct OptimTensor {
  void* buf[kOptimBuffers] = {};
  double s[kOptimScalars] = {};
  int64_t numel = 0;
};

/// The hyperparameters of one param group, named as torch's group options (betas, etas and
/// step_sizes split in two); an update reads the fields of its optimizer and ignores the rest.
struct OptimOptions {
  double lr = 0, beta1 = 0, beta2 = 0, eps = 0, weight_decay = 0, momentum = 0, dampening = 0;
  double rho = 0, alpha = 0, lambd = 0, t0 = 0, lr_decay = 0, momentum_decay = 0;
  double etaminus = 0, etaplus = 0, step_size_min = 0, step_size_max = 0;
  bool maximize = false, nesterov = false, amsgrad = false, centered = false;
  bool decoupled_weight_decay = false;
};

namespace optim_rules {

#define CRESSET_RULE CRESSET_HOST_DEVICE CRESSET_INLINE

// Note [Half optimizer updates]
// torch updates a float16/bfloat16 param with ops on tensors of that dtype: each op computes in
// float and rounds its result to the param dtype. The rules load S (the storage dtype), compute
// in T = opmath_t<S> and round with rnd<S>() wherever a torch op stores a result, which is a
// no-op for float and double. Scalar arguments follow torch: multipliers, divisors, lerp weights
// and addcmul/addcdiv values stay in T; the alpha of add/sub and an added scalar are first
// rounded to S (stored<S>()).
template <typename S>
CRESSET_RULE opmath_t<S> rnd(opmath_t<S> v) {
  return opmath_t<S>(S(v));
}

template <typename S>
CRESSET_RULE opmath_t<S> stored(double v) {
  return opmath_t<S>(S(opmath_t<S>(v)));
}

// std::max / std::min's definitions (first operand on ties and NaN), usable on the device.
template <typename T>
CRESSET_RULE T max_of(T a, T b) {
  return a < b ? b : a;
}
template <typename T>
CRESSET_RULE T min_of(T a, T b) {
  return b < a ? b : a;
}

// ATen's vectorized lerp(self, end, w) with a loop-invariant weight: fmadd(coeff, end - self,
// base), coefficient and base picked by |w| once, outside the loop.
template <typename T>
struct Lerp {
  T coeff;
  bool small;
  CRESSET_RULE explicit Lerp(T w)
      : coeff(std::abs(w) < T(0.5) ? w : w - T(1)), small(std::abs(w) < T(0.5)) {}
  CRESSET_RULE T operator()(T self, T end) const {
    return std::fma(coeff, end - self, small ? self : end);
  }
};

// The gradient an update sees: negated for maximize, plus coupled weight decay (grad.add(param,
// alpha=weight_decay), an fmadd in ATen; wd is stored<S>()).
template <typename S, typename T>
CRESSET_RULE T effective_grad(T g, T p, bool maximize, T wd) {
  g = maximize ? -g : g;
  return wd != T(0) ? rnd<S>(std::fma(p, wd, g)) : g;
}

/// One tensor's buffers typed: param p, grad g, states a, b, c.
template <typename S>
struct Buffers {
  S* p;
  const S* g;
  S* a;
  S* b;
  S* c;
  CRESSET_RULE explicit Buffers(const OptimTensor& t)
      : p(static_cast<S*>(t.buf[0])),
        g(static_cast<const S*>(t.buf[1])),
        a(static_cast<S*>(t.buf[2])),
        b(static_cast<S*>(t.buf[3])),
        c(static_cast<S*>(t.buf[4])) {}
};

// Every rule: Rule(options, per-tensor scalars s), then rule(x, i) updates element i.

// s[0] != 0: the momentum buffer was created on this step.
template <typename S, bool kMomentum>
struct Sgd {
  using T = opmath_t<S>;
  T wd, mom, mom_alpha, keep, neg_lr;
  bool fresh, nesterov, maximize;
  CRESSET_RULE Sgd(const OptimOptions& h, const double* s)
      : wd(stored<S>(h.weight_decay)),
        mom(T(h.momentum)),
        mom_alpha(stored<S>(h.momentum)),
        keep(stored<S>(1 - h.dampening)),
        neg_lr(stored<S>(-h.lr)),
        fresh(s[0] != 0),
        nesterov(h.nesterov),
        maximize(h.maximize) {}
  CRESSET_RULE void operator()(const Buffers<S>& x, int64_t i) const {
    T p = T(x.p[i]);
    T g = effective_grad<S>(T(x.g[i]), p, maximize, wd);
    if constexpr (kMomentum) {
      // A buffer created on this step is a copy of the gradient (torch's grad.clone()).
      T buf = fresh ? g : rnd<S>(std::fma(g, keep, rnd<S>(T(x.a[i]) * mom)));
      x.a[i] = S(buf);
      g = nesterov ? rnd<S>(std::fma(buf, mom_alpha, g)) : buf;
    }
    x.p[i] = S(std::fma(g, neg_lr, p));
  }
};

// The first half of Adam, NAdam and RAdam: decayed param, effective gradient, new moments.
template <typename S>
struct AdamMoments {
  using T = opmath_t<S>;
  // decay is 1 without decoupled weight decay: p * 1 == p exactly, and no select in the loop.
  T wd, decay, b2, w2;
  Lerp<T> first;
  bool maximize;
  CRESSET_RULE explicit AdamMoments(const OptimOptions& h)
      : wd(stored<S>(h.decoupled_weight_decay ? 0 : h.weight_decay)),
        decay(T(h.decoupled_weight_decay ? 1 - h.lr * h.weight_decay : 1)),
        b2(T(h.beta2)),
        w2(T(1 - h.beta2)),
        first(T(1 - h.beta1)),
        maximize(h.maximize) {}
  // Returned by value: outputs through references would keep the CPU loop from vectorizing.
  struct Element {
    T p, g, m, v;
  };
  CRESSET_RULE Element step(const Buffers<S>& x, int64_t i) const {
    Element e;
    e.p = rnd<S>(T(x.p[i]) * decay);
    e.g = effective_grad<S>(T(x.g[i]), e.p, maximize, wd);
    e.m = rnd<S>(first(T(x.a[i]), e.g));
    e.v = rnd<S>(rnd<S>(T(x.b[i]) * b2) + (w2 * e.g) * e.g);
    x.a[i] = S(e.m);
    x.b[i] = S(e.v);
    return e;
  }
};

// s[0] = lr / bias_correction1, s[1] = sqrt(bias_correction2).
template <typename S, bool kAmsgrad>
struct Adam {
  using T = opmath_t<S>;
  AdamMoments<S> moments;
  T eps, neg_step, bc2_sqrt;
  CRESSET_RULE Adam(const OptimOptions& h, const double* s)
      : moments(h), eps(stored<S>(h.eps)), neg_step(T(-s[0])), bc2_sqrt(T(s[1])) {}
  CRESSET_RULE void operator()(const Buffers<S>& x, int64_t i) const {
    auto [p, g, m, v] = moments.step(x, i);
    if constexpr (kAmsgrad) {
      v = max_of(T(x.c[i]), v);
      x.c[i] = S(v);
    }
    T denom = rnd<S>(rnd<S>(rnd<S>(std::sqrt(v)) / bc2_sqrt) + eps);
    x.p[i] = S(p + (neg_step * m) / denom);
  }
};

// s[0] = the decayed learning rate.
template <typename S>
struct Adagrad {
  using T = opmath_t<S>;
  T wd, eps, neg_clr;
  bool maximize;
  CRESSET_RULE Adagrad(const OptimOptions& h, const double* s)
      : wd(stored<S>(h.weight_decay)),
        eps(stored<S>(h.eps)),
        neg_clr(T(-s[0])),
        maximize(h.maximize) {}
  CRESSET_RULE void operator()(const Buffers<S>& x, int64_t i) const {
    T p = T(x.p[i]);
    T g = effective_grad<S>(T(x.g[i]), p, maximize, wd);
    T sum = rnd<S>(T(x.a[i]) + (T(1) * g) * g);
    x.a[i] = S(sum);
    x.p[i] = S(p + (neg_clr * g) / rnd<S>(rnd<S>(std::sqrt(sum)) + eps));
  }
};

// s[0] = lr / bias_correction1.
template <typename S>
struct Adamax {
  using T = opmath_t<S>;
  T wd, b2, eps;
  Lerp<T> lerp1;
  T neg_clr;
  bool maximize;
  CRESSET_RULE Adamax(const OptimOptions& h, const double* s)
      : wd(stored<S>(h.weight_decay)),
        b2(T(h.beta2)),
        eps(stored<S>(h.eps)),
        lerp1(T(1 - h.beta1)),
        neg_clr(T(-s[0])),
        maximize(h.maximize) {}
  CRESSET_RULE void operator()(const Buffers<S>& x, int64_t i) const {
    T p = T(x.p[i]);
    T g = effective_grad<S>(T(x.g[i]), p, maximize, wd);
    T m = rnd<S>(lerp1(T(x.a[i]), g));
    T u = max_of(rnd<S>(T(x.b[i]) * b2), rnd<S>(std::abs(g) + eps));
    x.a[i] = S(m);
    x.b[i] = S(u);
    x.p[i] = S(p + (neg_clr * m) / u);
  }
};

template <typename S>
struct Adadelta {
  using T = opmath_t<S>;
  T wd, rho, w, eps, neg_lr;
  bool maximize;
  CRESSET_RULE Adadelta(const OptimOptions& h, const double*)
      : wd(stored<S>(h.weight_decay)),
        rho(T(h.rho)),
        w(T(1 - h.rho)),
        eps(stored<S>(h.eps)),
        neg_lr(stored<S>(-h.lr)),
        maximize(h.maximize) {}
  CRESSET_RULE void operator()(const Buffers<S>& x, int64_t i) const {
    T p = T(x.p[i]), acc = T(x.b[i]);
    T g = effective_grad<S>(T(x.g[i]), p, maximize, wd);
    T sq = rnd<S>(rnd<S>(T(x.a[i]) * rho) + (w * g) * g);
    T std_dev = rnd<S>(std::sqrt(rnd<S>(sq + eps)));
    T delta = rnd<S>(rnd<S>(rnd<S>(std::sqrt(rnd<S>(acc + eps))) / std_dev) * g);
    x.a[i] = S(sq);
    x.b[i] = S(rnd<S>(acc * rho) + (w * delta) * delta);
    x.p[i] = S(std::fma(delta, neg_lr, p));
  }
};

// s[0] = eta, s[1] = mu (1: ax copies the param), s[2] = 1 - lambd * eta.
template <typename S>
struct Asgd {
  using T = opmath_t<S>;
  T wd, neg_eta, mu, decay;
  bool average, maximize;
  CRESSET_RULE Asgd(const OptimOptions& h, const double* s)
      : wd(stored<S>(h.weight_decay)),
        neg_eta(stored<S>(-s[0])),
        mu(T(s[1])),
        decay(T(s[2])),
        average(s[1] != 1),
        maximize(h.maximize) {}
  CRESSET_RULE void operator()(const Buffers<S>& x, int64_t i) const {
    T p = T(x.p[i]);
    T g = effective_grad<S>(T(x.g[i]), p, maximize, wd);
    p = rnd<S>(std::fma(g, neg_eta, rnd<S>(p * decay)));
    x.p[i] = S(p);
    T ax = T(x.a[i]);
    x.a[i] = S(average ? ax + rnd<S>(rnd<S>(p - ax) * mu) : p);
  }
};

template <typename S, bool kCentered, bool kMomentum>
struct Rmsprop {
  using T = opmath_t<S>;
  T wd, alpha, w, eps;
  Lerp<T> lerp_avg;
  T mom, neg_lr, neg_lr_alpha;
  bool maximize;
  CRESSET_RULE Rmsprop(const OptimOptions& h, const double*)
      : wd(stored<S>(h.weight_decay)),
        alpha(T(h.alpha)),
        w(T(1 - h.alpha)),
        eps(stored<S>(h.eps)),
        lerp_avg(T(1 - h.alpha)),
        mom(T(h.momentum)),
        neg_lr(T(-h.lr)),
        neg_lr_alpha(stored<S>(-h.lr)),
        maximize(h.maximize) {}
  CRESSET_RULE void operator()(const Buffers<S>& x, int64_t i) const {
    T p = T(x.p[i]);
    T g = effective_grad<S>(T(x.g[i]), p, maximize, wd);
    T sq = rnd<S>(rnd<S>(T(x.a[i]) * alpha) + (w * g) * g);
    x.a[i] = S(sq);
    T avg;
    if constexpr (kCentered) {
      T ga = rnd<S>(lerp_avg(T(x.c[i]), g));
      x.c[i] = S(ga);
      avg = rnd<S>(std::sqrt(rnd<S>(sq + (T(-1) * ga) * ga)));
    } else {
      avg = rnd<S>(std::sqrt(sq));
    }
    avg = rnd<S>(avg + eps);
    if constexpr (kMomentum) {
      T buf = rnd<S>(rnd<S>(T(x.b[i]) * mom) + (T(1) * g) / avg);
      x.b[i] = S(buf);
      x.p[i] = S(std::fma(buf, neg_lr_alpha, p));
    } else {
      x.p[i] = S(p + (neg_lr * g) / avg);
    }
  }
};

template <typename S>
struct Rprop {
  using T = opmath_t<S>;
  // The sign tensor and the clamped step sizes live in S, as torch's.
  T etaminus, etaplus, step_min, step_max;
  bool maximize;
  CRESSET_RULE Rprop(const OptimOptions& h, const double*)
      : etaminus(stored<S>(h.etaminus)),
        etaplus(stored<S>(h.etaplus)),
        step_min(stored<S>(h.step_size_min)),
        step_max(stored<S>(h.step_size_max)),
        maximize(h.maximize) {}
  CRESSET_RULE void operator()(const Buffers<S>& x, int64_t i) const {
    T g = T(x.g[i]);
    g = maximize ? -g : g;
    T prod = rnd<S>(g * T(x.a[i]));
    T sign = prod > T(0) ? etaplus : (prod < T(0) ? etaminus : T(1));
    T step = min_of(max_of(rnd<S>(T(x.b[i]) * sign), step_min), step_max);
    g = sign == etaminus ? T(0) : g;
    T sgn = g > T(0) ? T(1) : (g < T(0) ? T(-1) : T(0));
    x.b[i] = S(step);
    x.a[i] = S(g);
    x.p[i] = S(T(x.p[i]) + (T(-1) * sgn) * step);
  }
};

// s[0] = bias_correction2, s[1] and s[2] = the coefficients of grad and exp_avg.
template <typename S>
struct Nadam {
  using T = opmath_t<S>;
  AdamMoments<S> moments;
  T eps, bc2, c_grad, c_avg;
  CRESSET_RULE Nadam(const OptimOptions& h, const double* s)
      : moments(h), eps(stored<S>(h.eps)), bc2(T(s[0])), c_grad(T(s[1])), c_avg(T(s[2])) {}
  CRESSET_RULE void operator()(const Buffers<S>& x, int64_t i) const {
    auto [p, g, m, v] = moments.step(x, i);
    T denom = rnd<S>(rnd<S>(std::sqrt(rnd<S>(v / bc2))) + eps);
    p = rnd<S>(p + (c_grad * g) / denom);
    x.p[i] = S(p + (c_avg * m) / denom);
  }
};

// s[0] = bias_correction1, s[1] = sqrt(bias_correction2), s[2] = the rectification term,
// s[3] != 0: rectified (rho_t > 5).
template <typename S>
struct Radam {
  using T = opmath_t<S>;
  AdamMoments<S> moments;
  T eps, lr, bc1, bc2_sqrt, rect;
  bool rectified;
  CRESSET_RULE Radam(const OptimOptions& h, const double* s)
      : moments(h),
        eps(stored<S>(h.eps)),
        lr(T(h.lr)),
        bc1(T(s[0])),
        bc2_sqrt(T(s[1])),
        rect(T(s[2])),
        rectified(s[3] != 0) {}
  CRESSET_RULE void operator()(const Buffers<S>& x, int64_t i) const {
    auto [p, g, m, v] = moments.step(x, i);
    T update = rnd<S>(rnd<S>(m / bc1) * lr);
    if (rectified) {
      T adaptive = rnd<S>(bc2_sqrt / rnd<S>(rnd<S>(std::sqrt(v)) + eps));
      update = rnd<S>(rnd<S>(update * adaptive) * rect);
    }
    x.p[i] = S(std::fma(update, T(-1), p));
  }
};

#undef CRESSET_RULE

/// Names a rule type for with_rule's callback.
template <typename R>
struct RuleTag {
  using type = R;
};

/// Calls f(RuleTag<Rule>{}) with the rule `kind` applies to storage dtype S under options `h`
/// (options that change the loop's shape, such as momentum or amsgrad, pick a specialization).
template <typename S, typename F>
void with_rule(OptimKind kind, const OptimOptions& h, const F& f) {
  switch (kind) {
    case OptimKind::SGD:
      if (h.momentum != 0) return f(RuleTag<Sgd<S, true>>{});
      return f(RuleTag<Sgd<S, false>>{});
    case OptimKind::Adam:
      if (h.amsgrad) return f(RuleTag<Adam<S, true>>{});
      return f(RuleTag<Adam<S, false>>{});
    case OptimKind::Adagrad:
      return f(RuleTag<Adagrad<S>>{});
    case OptimKind::Adamax:
      return f(RuleTag<Adamax<S>>{});
    case OptimKind::Adadelta:
      return f(RuleTag<Adadelta<S>>{});
    case OptimKind::ASGD:
      return f(RuleTag<Asgd<S>>{});
    case OptimKind::RMSprop:
      if (h.centered) {
        if (h.momentum > 0) return f(RuleTag<Rmsprop<S, true, true>>{});
        return f(RuleTag<Rmsprop<S, true, false>>{});
      }
      if (h.momentum > 0) return f(RuleTag<Rmsprop<S, false, true>>{});
      return f(RuleTag<Rmsprop<S, false, false>>{});
    case OptimKind::Rprop:
      return f(RuleTag<Rprop<S>>{});
    case OptimKind::NAdam:
      return f(RuleTag<Nadam<S>>{});
    case OptimKind::RAdam:
      return f(RuleTag<Radam<S>>{});
  }
}

}  // namespace optim_rules
}  // namespace cresset
