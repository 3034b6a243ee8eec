// Fused optimizer updates: every element of every parameter of a group in one parallel loop, each
// formula written in the order of torch's single-tensor implementation so float32 results agree
// (and float16/bfloat16 ones, see Note [Half optimizer updates]).
// Where torch's vectorized kernels fuse a multiply-add (lerp, add with alpha) we use std::fma too.
#include "cresset/backend/cpu/optim_kernels.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

// Note [Half optimizer updates]
// torch updates a float16/bfloat16 param with ops on tensors of that dtype: each op computes in
// float and rounds its result to the param dtype. The loops below load S (the storage dtype),
// compute in T = opmath_t<S> and round with rnd<S>() wherever a torch op stores a result, which
// is a no-op for float and double. Scalar arguments follow torch: multipliers, divisors, lerp
// weights and addcmul/addcdiv values stay in T; the alpha of add/sub and an added scalar are
// first rounded to S (stored<S>()).
template <typename S>
CRESSET_INLINE opmath_t<S> rnd(opmath_t<S> v) {
  return opmath_t<S>(S(v));
}

template <typename S>
opmath_t<S> stored(double v) {
  return opmath_t<S>(S(opmath_t<S>(v)));
}

// ATen's vectorized lerp(self, end, w) with a loop-invariant weight: fmadd(coeff, end - self,
// base), coefficient and base picked by |w| once, outside the loop.
template <typename T>
struct Lerp {
  T coeff;
  bool small;
  explicit Lerp(T w) : coeff(std::abs(w) < T(0.5) ? w : w - T(1)), small(std::abs(w) < T(0.5)) {}
  T operator()(T self, T end) const { return std::fma(coeff, end - self, small ? self : end); }
};

// The gradient an update sees: negated for maximize, plus coupled weight decay (grad.add(param,
// alpha=weight_decay), an fmadd in ATen; wd is stored<S>()).
template <typename S, typename T>
CRESSET_INLINE T effective_grad(T g, T p, bool maximize, T wd) {
  g = maximize ? -g : g;
  return wd != T(0) ? rnd<S>(std::fma(p, wd, g)) : g;
}

// Calls f(std::true_type) or f(std::false_type): an option tested inside a loop body with
// `if constexpr` leaves no branch (and no conditional store) in the vectorized loop.
template <typename F>
inline void with_flag(bool flag, const F& f) {
  if (flag) {
    f(std::true_type{});
  } else {
    f(std::false_type{});
  }
}

template <typename S>
struct Buffers {
  S* p;
  const S* g;
  S* a;
  S* b;
  S* c;
  explicit Buffers(const OptimTensor& t)
      : p(static_cast<S*>(t.buf[0])),
        g(static_cast<const S*>(t.buf[1])),
        a(static_cast<S*>(t.buf[2])),
        b(static_cast<S*>(t.buf[3])),
        c(static_cast<S*>(t.buf[4])) {}
};

template <typename S, bool kMomentum>
void sgd_loop(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  using T = opmath_t<S>;
  Buffers<S> x(t);
  const T wd = stored<S>(h.weight_decay), mom = T(h.momentum), mom_alpha = stored<S>(h.momentum);
  const T keep = stored<S>(1 - h.dampening), neg_lr = stored<S>(-h.lr);
  const bool fresh = t.s[0] != 0, nesterov = h.nesterov, maximize = h.maximize;
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
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
}

template <typename S>
void sgd(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  with_flag(h.momentum != 0, [&](auto momentum) { sgd_loop<S, momentum>(t, h, lo, hi); });
}

template <typename S>
struct AdamMoments {
  using T = opmath_t<S>;
  // decay is 1 without decoupled weight decay: p * 1 == p exactly, and no select in the loop.
  T wd, decay, b2, w2;
  Lerp<T> first;
  bool maximize;
  explicit AdamMoments(const OptimOptions& h)
      : wd(stored<S>(h.decoupled_weight_decay ? 0 : h.weight_decay)),
        decay(T(h.decoupled_weight_decay ? 1 - h.lr * h.weight_decay : 1)),
        b2(T(h.beta2)),
        w2(T(1 - h.beta2)),
        first(T(1 - h.beta1)),
        maximize(h.maximize) {}
  // The decayed param, gradient and new moments of element i (returned by value: outputs
  // through references would keep the loop from vectorizing).
  struct Element {
    T p, g, m, v;
  };
  Element step(const Buffers<S>& x, int64_t i) const {
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

template <typename S, bool kAmsgrad>
void adam_loop(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  using T = opmath_t<S>;
  Buffers<S> x(t);
  const AdamMoments<S> moments(h);
  const T eps = stored<S>(h.eps), neg_step = T(-t.s[0]), bc2_sqrt = T(t.s[1]);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    auto [p, g, m, v] = moments.step(x, i);
    if constexpr (kAmsgrad) {
      v = std::max(T(x.c[i]), v);
      x.c[i] = S(v);
    }
    T denom = rnd<S>(rnd<S>(rnd<S>(std::sqrt(v)) / bc2_sqrt) + eps);
    x.p[i] = S(p + (neg_step * m) / denom);
  }
}

template <typename S>
void adam(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  with_flag(h.amsgrad, [&](auto amsgrad) { adam_loop<S, amsgrad>(t, h, lo, hi); });
}

template <typename S>
void adagrad(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  using T = opmath_t<S>;
  Buffers<S> x(t);
  const T wd = stored<S>(h.weight_decay), eps = stored<S>(h.eps), neg_clr = T(-t.s[0]);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T p = T(x.p[i]);
    T g = effective_grad<S>(T(x.g[i]), p, h.maximize, wd);
    T sum = rnd<S>(T(x.a[i]) + (T(1) * g) * g);
    x.a[i] = S(sum);
    x.p[i] = S(p + (neg_clr * g) / rnd<S>(rnd<S>(std::sqrt(sum)) + eps));
  }
}

template <typename S>
void adamax(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  using T = opmath_t<S>;
  Buffers<S> x(t);
  const T wd = stored<S>(h.weight_decay), b2 = T(h.beta2), eps = stored<S>(h.eps);
  const Lerp<T> lerp1(T(1 - h.beta1));
  const T neg_clr = T(-t.s[0]);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T p = T(x.p[i]);
    T g = effective_grad<S>(T(x.g[i]), p, h.maximize, wd);
    T m = rnd<S>(lerp1(T(x.a[i]), g));
    T u = std::max(rnd<S>(T(x.b[i]) * b2), rnd<S>(std::abs(g) + eps));
    x.a[i] = S(m);
    x.b[i] = S(u);
    x.p[i] = S(p + (neg_clr * m) / u);
  }
}

template <typename S>
void adadelta(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  using T = opmath_t<S>;
  Buffers<S> x(t);
  const T wd = stored<S>(h.weight_decay), rho = T(h.rho), w = T(1 - h.rho);
  const T eps = stored<S>(h.eps), neg_lr = stored<S>(-h.lr);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T p = T(x.p[i]), acc = T(x.b[i]);
    T g = effective_grad<S>(T(x.g[i]), p, h.maximize, wd);
    T sq = rnd<S>(rnd<S>(T(x.a[i]) * rho) + (w * g) * g);
    T std_dev = rnd<S>(std::sqrt(rnd<S>(sq + eps)));
    T delta = rnd<S>(rnd<S>(rnd<S>(std::sqrt(rnd<S>(acc + eps))) / std_dev) * g);
    x.a[i] = S(sq);
    x.b[i] = S(rnd<S>(acc * rho) + (w * delta) * delta);
    x.p[i] = S(std::fma(delta, neg_lr, p));
  }
}

template <typename S>
void asgd(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  using T = opmath_t<S>;
  Buffers<S> x(t);
  const T wd = stored<S>(h.weight_decay), neg_eta = stored<S>(-t.s[0]), mu = T(t.s[1]);
  const T decay = T(t.s[2]);
  const bool average = t.s[1] != 1;
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T p = T(x.p[i]);
    T g = effective_grad<S>(T(x.g[i]), p, h.maximize, wd);
    p = rnd<S>(std::fma(g, neg_eta, rnd<S>(p * decay)));
    x.p[i] = S(p);
    T ax = T(x.a[i]);
    x.a[i] = S(average ? ax + rnd<S>(rnd<S>(p - ax) * mu) : p);
  }
}

template <typename S, bool kCentered, bool kMomentum>
void rmsprop_loop(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  using T = opmath_t<S>;
  Buffers<S> x(t);
  const T wd = stored<S>(h.weight_decay), alpha = T(h.alpha), w = T(1 - h.alpha);
  const T eps = stored<S>(h.eps);
  const Lerp<T> lerp_avg(w);
  const T mom = T(h.momentum), neg_lr = T(-h.lr), neg_lr_alpha = stored<S>(-h.lr);
  const bool maximize = h.maximize;
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
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
}

template <typename S>
void rmsprop(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  with_flag(h.centered, [&](auto centered) {
    with_flag(h.momentum > 0,
              [&](auto momentum) { rmsprop_loop<S, centered, momentum>(t, h, lo, hi); });
  });
}

template <typename S>
void rprop(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  using T = opmath_t<S>;
  Buffers<S> x(t);
  // The sign tensor and the clamped step sizes live in S, as torch's.
  const T etaminus = stored<S>(h.etaminus), etaplus = stored<S>(h.etaplus);
  const T step_min = stored<S>(h.step_size_min), step_max = stored<S>(h.step_size_max);
  const bool maximize = h.maximize;
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T g = T(x.g[i]);
    g = maximize ? -g : g;
    T prod = rnd<S>(g * T(x.a[i]));
    T sign = prod > T(0) ? etaplus : (prod < T(0) ? etaminus : T(1));
    T step = std::min(std::max(rnd<S>(T(x.b[i]) * sign), step_min), step_max);
    g = sign == etaminus ? T(0) : g;
    T sgn = g > T(0) ? T(1) : (g < T(0) ? T(-1) : T(0));
    x.b[i] = S(step);
    x.a[i] = S(g);
    x.p[i] = S(T(x.p[i]) + (T(-1) * sgn) * step);
  }
}

template <typename S>
void nadam(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  using T = opmath_t<S>;
  Buffers<S> x(t);
  const AdamMoments<S> moments(h);
  const T eps = stored<S>(h.eps), bc2 = T(t.s[0]), c_grad = T(t.s[1]), c_avg = T(t.s[2]);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    auto [p, g, m, v] = moments.step(x, i);
    T denom = rnd<S>(rnd<S>(std::sqrt(rnd<S>(v / bc2))) + eps);
    p = rnd<S>(p + (c_grad * g) / denom);
    x.p[i] = S(p + (c_avg * m) / denom);
  }
}

template <typename S>
void radam(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  using T = opmath_t<S>;
  Buffers<S> x(t);
  const AdamMoments<S> moments(h);
  const T eps = stored<S>(h.eps), lr = T(h.lr), bc1 = T(t.s[0]), bc2_sqrt = T(t.s[1]);
  const T rect = T(t.s[2]);
  const bool rectified = t.s[3] != 0;
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    auto [p, g, m, v] = moments.step(x, i);
    T update = rnd<S>(rnd<S>(m / bc1) * lr);
    if (rectified) {
      T adaptive = rnd<S>(bc2_sqrt / rnd<S>(rnd<S>(std::sqrt(v)) + eps));
      update = rnd<S>(rnd<S>(update * adaptive) * rect);
    }
    x.p[i] = S(std::fma(update, T(-1), p));
  }
}

template <typename S>
void update_range(OptimKind kind, const OptimTensor& t, const OptimOptions& h, int64_t lo,
                  int64_t hi) {
  switch (kind) {
    case OptimKind::SGD:
      return sgd<S>(t, h, lo, hi);
    case OptimKind::Adam:
      return adam<S>(t, h, lo, hi);
    case OptimKind::Adagrad:
      return adagrad<S>(t, h, lo, hi);
    case OptimKind::Adamax:
      return adamax<S>(t, h, lo, hi);
    case OptimKind::Adadelta:
      return adadelta<S>(t, h, lo, hi);
    case OptimKind::ASGD:
      return asgd<S>(t, h, lo, hi);
    case OptimKind::RMSprop:
      return rmsprop<S>(t, h, lo, hi);
    case OptimKind::Rprop:
      return rprop<S>(t, h, lo, hi);
    case OptimKind::NAdam:
      return nadam<S>(t, h, lo, hi);
    case OptimKind::RAdam:
      return radam<S>(t, h, lo, hi);
  }
}

// One parallel_for over the concatenation of all tensors; a chunk walks the tensors it overlaps.
template <typename T>
void run(OptimKind kind, const std::vector<OptimTensor>& ts, const OptimOptions& h) {
  std::vector<int64_t> start(ts.size() + 1, 0);
  for (size_t i = 0; i < ts.size(); ++i) start[i + 1] = start[i] + ts[i].numel;
  parallel_for(0, start.back(), kGrainSize, [&](int64_t begin, int64_t end) {
    size_t i = size_t(std::upper_bound(start.begin(), start.end(), begin) - start.begin()) - 1;
    for (; i < ts.size() && start[i] < end; ++i) {
      int64_t lo = std::max(begin, start[i]) - start[i];
      int64_t hi = std::min(end, start[i + 1]) - start[i];
      if (hi > lo) update_range<T>(kind, ts[i], h, lo, hi);
    }
  });
}

}  // namespace

void optim_kernel(OptimKind kind, DType dtype, const std::vector<OptimTensor>& ts,
                  const OptimOptions& h) {
  // The caller checked the dtype (a floating dtype). See Note [Half optimizer updates].
  switch (dtype) {
    case DType::Float64:
      return run<double>(kind, ts, h);
    case DType::Float16:
      return run<Half>(kind, ts, h);
    case DType::BFloat16:
      return run<BFloat16>(kind, ts, h);
    default:
      return run<float>(kind, ts, h);
  }
}

}  // namespace cresset::cpu::CPU_CAPABILITY
