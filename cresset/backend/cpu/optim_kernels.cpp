// Fused optimizer updates: every element of every parameter of a group in one parallel loop, each
// formula written in the order of torch's single-tensor implementation so float32 results agree.
// Where torch's vectorized kernels fuse a multiply-add (lerp, add with alpha) we use std::fma too.
#include "cresset/backend/cpu/optim_kernels.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "cresset/core/parallel.h"

namespace cresset::cpu::CPU_CAPABILITY {

namespace {

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
// alpha=weight_decay), an fmadd in ATen).
template <typename T>
inline T effective_grad(T g, T p, bool maximize, T wd) {
  g = maximize ? -g : g;
  return wd != T(0) ? std::fma(p, wd, g) : g;
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

template <typename T>
struct Buffers {
  T* p;
  const T* g;
  T* a;
  T* b;
  T* c;
  explicit Buffers(const OptimTensor& t)
      : p(static_cast<T*>(t.buf[0])),
        g(static_cast<const T*>(t.buf[1])),
        a(static_cast<T*>(t.buf[2])),
        b(static_cast<T*>(t.buf[3])),
        c(static_cast<T*>(t.buf[4])) {}
};

template <typename T, bool kMomentum>
void sgd_loop(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  Buffers<T> x(t);
  const T wd = T(h.weight_decay), mom = T(h.momentum), keep = T(1 - h.dampening), neg_lr = T(-h.lr);
  const bool fresh = t.s[0] != 0, nesterov = h.nesterov, maximize = h.maximize;
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T g = effective_grad(x.g[i], x.p[i], maximize, wd);
    if constexpr (kMomentum) {
      // A buffer created on this step is a copy of the gradient (torch's grad.clone()).
      T buf = fresh ? g : std::fma(g, keep, x.a[i] * mom);
      x.a[i] = buf;
      g = nesterov ? std::fma(buf, mom, g) : buf;
    }
    x.p[i] = std::fma(g, neg_lr, x.p[i]);
  }
}

template <typename T>
void sgd(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  with_flag(h.momentum != 0, [&](auto momentum) { sgd_loop<T, momentum>(t, h, lo, hi); });
}

template <typename T>
struct AdamMoments {
  // decay is 1 without decoupled weight decay: p * 1 == p exactly, and no select in the loop.
  T wd, decay, b2, w2;
  Lerp<T> first;
  bool maximize;
  explicit AdamMoments(const OptimOptions& h)
      : wd(T(h.decoupled_weight_decay ? 0 : h.weight_decay)),
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
  Element step(const Buffers<T>& x, int64_t i) const {
    Element e;
    e.p = x.p[i] * decay;
    e.g = effective_grad(x.g[i], e.p, maximize, wd);
    e.m = first(x.a[i], e.g);
    e.v = x.b[i] * b2 + (w2 * e.g) * e.g;
    x.a[i] = e.m;
    x.b[i] = e.v;
    return e;
  }
};

template <typename T, bool kAmsgrad>
void adam_loop(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  Buffers<T> x(t);
  const AdamMoments<T> moments(h);
  const T eps = T(h.eps), neg_step = T(-t.s[0]), bc2_sqrt = T(t.s[1]);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    auto [p, g, m, v] = moments.step(x, i);
    if constexpr (kAmsgrad) {
      v = std::max(x.c[i], v);
      x.c[i] = v;
    }
    T denom = std::sqrt(v) / bc2_sqrt + eps;
    x.p[i] = p + (neg_step * m) / denom;
  }
}

template <typename T>
void adam(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  with_flag(h.amsgrad, [&](auto amsgrad) { adam_loop<T, amsgrad>(t, h, lo, hi); });
}

template <typename T>
void adagrad(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  Buffers<T> x(t);
  const T wd = T(h.weight_decay), eps = T(h.eps), neg_clr = T(-t.s[0]);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T g = effective_grad(x.g[i], x.p[i], h.maximize, wd);
    T sum = x.a[i] + (T(1) * g) * g;
    x.a[i] = sum;
    x.p[i] = x.p[i] + (neg_clr * g) / (std::sqrt(sum) + eps);
  }
}

template <typename T>
void adamax(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  Buffers<T> x(t);
  const T wd = T(h.weight_decay), b2 = T(h.beta2), eps = T(h.eps);
  const Lerp<T> lerp1(T(1 - h.beta1));
  const T neg_clr = T(-t.s[0]);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T g = effective_grad(x.g[i], x.p[i], h.maximize, wd);
    T m = lerp1(x.a[i], g);
    T u = std::max(x.b[i] * b2, std::abs(g) + eps);
    x.a[i] = m;
    x.b[i] = u;
    x.p[i] = x.p[i] + (neg_clr * m) / u;
  }
}

template <typename T>
void adadelta(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  Buffers<T> x(t);
  const T wd = T(h.weight_decay), rho = T(h.rho), w = T(1 - h.rho), eps = T(h.eps);
  const T neg_lr = T(-h.lr);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T g = effective_grad(x.g[i], x.p[i], h.maximize, wd);
    T sq = x.a[i] * rho + (w * g) * g;
    T delta = (std::sqrt(x.b[i] + eps) / std::sqrt(sq + eps)) * g;
    x.a[i] = sq;
    x.b[i] = x.b[i] * rho + (w * delta) * delta;
    x.p[i] = std::fma(delta, neg_lr, x.p[i]);
  }
}

template <typename T>
void asgd(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  Buffers<T> x(t);
  const T wd = T(h.weight_decay), neg_eta = T(-t.s[0]), mu = T(t.s[1]), decay = T(t.s[2]);
  const bool average = t.s[1] != 1;
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T g = effective_grad(x.g[i], x.p[i], h.maximize, wd);
    T p = std::fma(g, neg_eta, x.p[i] * decay);
    x.p[i] = p;
    x.a[i] = average ? x.a[i] + (p - x.a[i]) * mu : p;
  }
}

template <typename T, bool kCentered, bool kMomentum>
void rmsprop_loop(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  Buffers<T> x(t);
  const T wd = T(h.weight_decay), alpha = T(h.alpha), w = T(1 - h.alpha), eps = T(h.eps);
  const Lerp<T> lerp_avg(w);
  const T mom = T(h.momentum), neg_lr = T(-h.lr);
  const bool maximize = h.maximize;
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T g = effective_grad(x.g[i], x.p[i], maximize, wd);
    T sq = x.a[i] * alpha + (w * g) * g;
    x.a[i] = sq;
    T avg;
    if constexpr (kCentered) {
      T ga = lerp_avg(x.c[i], g);
      x.c[i] = ga;
      avg = std::sqrt(sq + (T(-1) * ga) * ga);
    } else {
      avg = std::sqrt(sq);
    }
    avg = avg + eps;
    if constexpr (kMomentum) {
      T buf = x.b[i] * mom + (T(1) * g) / avg;
      x.b[i] = buf;
      x.p[i] = std::fma(buf, neg_lr, x.p[i]);
    } else {
      x.p[i] = x.p[i] + (neg_lr * g) / avg;
    }
  }
}

template <typename T>
void rmsprop(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  with_flag(h.centered, [&](auto centered) {
    with_flag(h.momentum > 0,
              [&](auto momentum) { rmsprop_loop<T, centered, momentum>(t, h, lo, hi); });
  });
}

template <typename T>
void rprop(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  Buffers<T> x(t);
  const T etaminus = T(h.etaminus), etaplus = T(h.etaplus);
  const T step_min = T(h.step_size_min), step_max = T(h.step_size_max);
  const bool maximize = h.maximize;
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    T g = x.g[i];
    g = maximize ? -g : g;
    T prod = g * x.a[i];
    T sign = prod > T(0) ? etaplus : (prod < T(0) ? etaminus : T(1));
    T step = std::min(std::max(x.b[i] * sign, step_min), step_max);
    g = sign == etaminus ? T(0) : g;
    T sgn = g > T(0) ? T(1) : (g < T(0) ? T(-1) : T(0));
    x.b[i] = step;
    x.a[i] = g;
    x.p[i] = x.p[i] + (T(-1) * sgn) * step;
  }
}

template <typename T>
void nadam(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  Buffers<T> x(t);
  const AdamMoments<T> moments(h);
  const T eps = T(h.eps), bc2 = T(t.s[0]), c_grad = T(t.s[1]), c_avg = T(t.s[2]);
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    auto [p, g, m, v] = moments.step(x, i);
    T denom = std::sqrt(v / bc2) + eps;
    p = p + (c_grad * g) / denom;
    x.p[i] = p + (c_avg * m) / denom;
  }
}

template <typename T>
void radam(const OptimTensor& t, const OptimOptions& h, int64_t lo, int64_t hi) {
  Buffers<T> x(t);
  const AdamMoments<T> moments(h);
  const T eps = T(h.eps), lr = T(h.lr), bc1 = T(t.s[0]), bc2_sqrt = T(t.s[1]), rect = T(t.s[2]);
  const bool rectified = t.s[3] != 0;
#pragma omp simd
  for (int64_t i = lo; i < hi; ++i) {
    auto [p, g, m, v] = moments.step(x, i);
    T update = (m / bc1) * lr;
    if (rectified) update = (update * (bc2_sqrt / (std::sqrt(v) + eps))) * rect;
    x.p[i] = std::fma(update, T(-1), p);
  }
}

template <typename T>
void update_range(OptimKind kind, const OptimTensor& t, const OptimOptions& h, int64_t lo,
                  int64_t hi) {
  switch (kind) {
    case OptimKind::SGD:
      return sgd<T>(t, h, lo, hi);
    case OptimKind::Adam:
      return adam<T>(t, h, lo, hi);
    case OptimKind::Adagrad:
      return adagrad<T>(t, h, lo, hi);
    case OptimKind::Adamax:
      return adamax<T>(t, h, lo, hi);
    case OptimKind::Adadelta:
      return adadelta<T>(t, h, lo, hi);
    case OptimKind::ASGD:
      return asgd<T>(t, h, lo, hi);
    case OptimKind::RMSprop:
      return rmsprop<T>(t, h, lo, hi);
    case OptimKind::Rprop:
      return rprop<T>(t, h, lo, hi);
    case OptimKind::NAdam:
      return nadam<T>(t, h, lo, hi);
    case OptimKind::RAdam:
      return radam<T>(t, h, lo, hi);
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
  // The caller checked the dtype (float32 or float64).
  if (dtype == DType::Float64) return run<double>(kind, ts, h);
  run<float>(kind, ts, h);
}

}  // namespace cresset::cpu::CPU_CAPABILITY
