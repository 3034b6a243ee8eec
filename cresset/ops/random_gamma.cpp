// Gamma, Dirichlet and binomial sampling, and the reparameterized gradients of the gamma family
// (torch._standard_gamma_grad, torch._dirichlet_grad). Samples are drawn in float64 on the CPU,
// one Philox stream per element (random_detail::for_each_stream), then cast to the input's dtype
// and device, as poisson does.
#include <cfloat>
#include <cmath>
#include <limits>
#include <utility>

#include "cresset/autograd/function.h"
#include "cresset/backend/common/functors.h"
#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/core/parallel.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/random.h"
#include "cresset/ops/random_internal.h"

namespace cresset {

namespace {

using random_detail::cpu_doubles;
using random_detail::for_each_stream;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// torch's gamma-family kernels exist for float32 and float64 only.
void check_float_or_double(const Tensor& t, const char* kernel) {
  CRESSET_CHECK(t.dtype() == DType::Float32 || t.dtype() == DType::Float64, NotImplementedError,
                "\"", kernel, "\" not implemented for '", dtype_display(t.dtype()), "'");
}

void check_same_dtype(const char* op, const Tensor& expected, const Tensor& t) {
  CRESSET_CHECK(t.dtype() == expected.dtype(), RuntimeError, "[", op, "] Found dtype ",
                dtype_display(t.dtype()), " but expected ", dtype_display(expected.dtype()));
}

// The smallest positive normal value of a dtype: torch clamps gamma draws there so that a draw
// for a tiny alpha, which underflows, still has a finite log.
double tiny_of(DType t) { return t == DType::Float32 ? double(FLT_MIN) : DBL_MIN; }

template <typename F, size_t... I>
void map_range(const F& f, const Tensor* in, double* r, int64_t b, int64_t e,
               std::index_sequence<I...>) {
  for (int64_t i = b; i < e; ++i) r[i] = f(in[I].data<double>()[i]...);
}

// `f` applied elementwise in float64 to the broadcast of `args`, in the first's dtype and device.
template <typename F, typename... T>
Tensor map_doubles(const char* op, const F& f, const Tensor& first, const T&... rest) {
  DimVector shape = first.sizes();
  ((shape = broadcast_shapes(shape, rest.sizes())), ...);
  const Tensor in[] = {cpu_doubles(first, shape, op), cpu_doubles(rest, shape, op)...};
  Tensor res = empty_tensor(shape, DType::Float64);
  double* r = res.data<double>();
  parallel_for(0, res.numel(), 256, [&](int64_t b, int64_t e) {
    map_range(f, in, r, b, e, std::index_sequence_for<Tensor, T...>{});
  });
  Tensor out = empty_tensor(shape, first.dtype(), first.device());
  copy_into(out, res);
  return out;
}

// ---- samplers ---------------------------------------------------------------------------------

double standard_normal(PhiloxStream& s) {
  const double r = std::sqrt(-2 * std::log(s.next_open01()));
  return r * std::cos(2 * M_PI * s.next_open01());
}

// Gamma(alpha, 1) by Marsaglia and Tsang's squeeze-and-reject on (1 + c z)^3, z normal ("A simple
// method for generating gamma variables", 2000). For alpha < 1 the draw is Gamma(alpha + 1)
// boosted by U^(1 / alpha). Invalid alphas give 0 (torch's kernel returns its clamp value).
double gamma_sample(double alpha, PhiloxStream& s) {
  if (!(alpha > 0)) return 0;
  if (std::isinf(alpha)) return alpha;
  double log_boost = 0;
  if (alpha < 1) {
    log_boost = std::log(s.next_open01()) / alpha;
    alpha += 1;
  }
  const double d = alpha - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double z, t;
    do {
      z = standard_normal(s);
      t = 1 + c * z;
    } while (t <= 0);
    const double v = t * t * t, u = s.next_open01(), z2 = z * z;
    if (u < 1 - 0.0331 * z2 * z2 || std::log(u) < 0.5 * z2 + d * (1 - v + std::log(v))) {
      return d * v * std::exp(log_boost);
    }
  }
}

// Binomial(n, p) by inverting the CDF from 0 (for n p < 10, so a few steps on average).
double binomial_inversion(double n, double p, PhiloxStream& s) {
  const double ratio = p / (1 - p), first = std::exp(n * std::log1p(-p));
  for (;;) {
    double u = s.next_open01(), r = first, k = 0;
    while (u > r && k < n) {
      u -= r;
      ++k;
      r *= ratio * (n - k + 1) / k;
    }
    if (u <= r) return k;  // otherwise rounding ran past n: draw again
  }
}

// Binomial(n, p), p <= 1/2 and n p >= 10, by Hormann's BTRS transformed rejection ("The generation
// of binomial random variates", 1993).
double binomial_btrs(double n, double p, PhiloxStream& s) {
  const functors::Lgamma<double> lgamma;
  const double q = 1 - p, spq = std::sqrt(n * p * q);
  const double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = n * p + 0.5;
  const double v_r = 0.92 - 4.2 / b, alpha = (2.83 + 5.1 / b) * spq, lpq = std::log(p / q);
  const double m = std::floor((n + 1) * p), h = lgamma(m + 1) + lgamma(n - m + 1);
  for (;;) {
    const double u = s.next_open01() - 0.5, v = s.next_open01();
    const double us = 0.5 - std::fabs(u), k = std::floor((2 * a / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= v_r) return k;
    if (std::log(v * alpha / (a / (us * us) + b)) <=
        h - lgamma(k + 1) - lgamma(n - k + 1) + (k - m) * lpq) {
      return k;
    }
  }
}

// torch's conventions: the count is truncated, counts <= 0 and p <= 0 give 0, p >= 1 gives the
// count itself.
double binomial_sample(double count, double p, PhiloxStream& s) {
  if (std::isnan(count) || std::isnan(p)) return kNaN;
  const double n = std::floor(count);
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1 || std::isinf(n)) return count;
  const bool flip = p > 0.5;  // sample the rarer outcome
  const double q = flip ? 1 - p : p;
  const double k = n * q < 10 ? binomial_inversion(n, q, s) : binomial_btrs(n, q, s);
  return flip ? n - k : k;
}

// ---- reparameterized gradients ----------------------------------------------------------------

// Note [Reparameterized gamma gradients]
// A draw x = F^-1(u; alpha) at fixed noise u moves with alpha as dx/dalpha = -(dF/dalpha) / f(x),
// F the CDF and f the density (implicit differentiation). F is the regularized incomplete gamma
// (or beta) function, evaluated by its power series or continued fraction; we write F = C * S with
// C the power-and-exp prefactor shared with f, so that C cancels in the ratio and nothing
// underflows, and get dS/dalpha exactly by running the series or the continued fraction in
// forward-mode dual numbers. torch fits approximations instead (about 1e-3 relative error).
struct Dual {
  double v, d;  // value and derivative with respect to the shape parameter
};
Dual operator+(Dual a, Dual b) { return {a.v + b.v, a.d + b.d}; }
Dual operator*(Dual a, Dual b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }
Dual operator/(Dual a, Dual b) { return {a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)}; }
Dual operator+(double a, Dual b) { return {a + b.v, b.d}; }
Dual operator+(Dual a, double b) { return {a.v + b, a.d}; }
Dual operator/(double a, Dual b) { return {a / b.v, -a * b.d / (b.v * b.v)}; }
Dual operator*(double a, Dual b) { return {a * b.v, a * b.d}; }

constexpr double kEps = 1e-16;
constexpr double kFloor = 1e-300;  // keeps Lentz's denominators off zero
constexpr int kMaxTerms = 100000;

// Lentz's continued fraction step: a denominator kept off zero.
Dual off_zero(Dual x) { return std::fabs(x.v) < kFloor ? Dual{kFloor, x.d} : x; }

// dx/dalpha of a Gamma(alpha, 1) draw x. See Note [Reparameterized gamma gradients].
double gamma_grad(double alpha, double x) {
  if (!(alpha > 0) || std::isnan(x) || std::isinf(x)) return kNaN;
  if (x <= 0) return 0;
  const functors::Digamma<double> digamma;
  if (alpha >= 1e5) {
    // Wilson-Hilferty: x = alpha w^3 with w = 1 - 1/(9 alpha) + z / (3 sqrt(alpha)) at fixed z;
    // its relative error here is below 1e-8, where the series would need thousands of terms.
    const double w = std::cbrt(x / alpha);
    const double dw = 1 / (9 * alpha * alpha) - (w - 1 + 1 / (9 * alpha)) / (2 * alpha);
    return w * w * w + 3 * alpha * w * w * dw;
  }
  if (x < alpha + 1) {
    // P = C * sum_n t_n, t_n = x^n / ((alpha + 1) ... (alpha + n)), C / f = x / alpha; the
    // derivative of t_n is -t_n h_n with h_n = sum_{k <= n} 1 / (alpha + k).
    double t = 1, sum = 1, h = 0, dsum = 0;
    for (int n = 1; n < kMaxTerms && t >= kEps * sum; ++n) {
      t *= x / (alpha + n);
      h += 1 / (alpha + n);
      sum += t;
      dsum += t * h;
    }
    return -(x / alpha) * (sum * (std::log(x) - digamma(alpha + 1)) - dsum);
  }
  // Q = 1 - P = C * g with g the continued fraction of Gamma(alpha, x) e^x x^-alpha, C / f = x.
  Dual b{x + 1 - alpha, -1}, c{1 / kFloor, 0}, d = 1.0 / b, g = d;
  for (int i = 1; i < kMaxTerms; ++i) {
    const Dual an{-i * (i - alpha), double(i)};
    b.v += 2;
    d = 1.0 / off_zero(an * d + b);
    c = off_zero(b + an / c);
    const Dual step = d * c;
    g = g * step;
    if (std::fabs(step.v - 1) < kEps && std::fabs(step.d) < kEps) break;
  }
  return x * (g.v * (std::log(x) - digamma(alpha)) + g.d);
}

// The continued fraction of the regularized incomplete beta function I_x(p, q) =
// x^p (1 - x)^q / (p B(p, q)) * cf (converges fast for x < (p + 1) / (p + q + 2)).
Dual beta_cf(Dual p, Dual q, double x) {
  const Dual pq = p + q;
  Dual c{1, 0}, d = 1.0 / off_zero(1.0 + (-x) * (pq / (p + 1.0))), h = d;
  for (int m = 1; m < kMaxTerms; ++m) {
    const Dual p2m = p + double(2 * m);
    const Dual even = double(m) * x * (q + double(-m)) / ((p2m + -1.0) * p2m);
    d = 1.0 / off_zero(1.0 + even * d);
    c = off_zero(1.0 + even / c);
    h = h * d * c;
    const Dual odd = -x * ((p + double(m)) * (pq + double(m))) / (p2m * (p2m + 1.0));
    d = 1.0 / off_zero(1.0 + odd * d);
    c = off_zero(1.0 + odd / c);
    const Dual step = d * c;
    h = h * step;
    if (std::fabs(step.v - 1) < kEps && std::fabs(step.d) < kEps) break;
  }
  return h;
}

// dx/dalpha of a Beta(alpha, total - alpha) draw x at fixed beta = total - alpha, divided by
// 1 - x (the factor torch's Dirichlet backward leaves out). See Note [Reparameterized gamma
// gradients]: C / f = x (1 - x).
double dirichlet_grad_one(double x, double alpha, double total) {
  const double beta = total - alpha;
  if (!(alpha > 0) || !(beta > 0) || !(x >= 0 && x <= 1)) return kNaN;
  if (x == 0) return 0;
  const functors::Digamma<double> digamma;
  const double log_c = std::log(x) - digamma(alpha) + digamma(total);  // d log C / dalpha
  if (x < (alpha + 1) / (total + 2)) {
    const Dual a{alpha, 1};
    const Dual g = beta_cf(a, {beta, 0}, x) / a;
    return -x * (g.v * log_c + g.d);
  }
  // I_x(alpha, beta) = 1 - I_{1-x}(beta, alpha), the same prefactor C.
  const Dual g = beta_cf({beta, 0}, {alpha, 1}, 1 - x) / Dual{beta, 0};
  return x * (g.v * log_c + g.d);
}

}  // namespace

namespace {

// Gamma(alpha, 1) draws for each element of `alpha` as a float64 CPU tensor, clamped below at
// alpha's dtype's smallest normal value (torch's clamp: the draws' logs stay finite).
Tensor gamma_draws(const Tensor& alpha, Generator* gen, const char* op) {
  Tensor draws = cpu_doubles(alpha, alpha.sizes(), op);
  double* v = draws.data<double>();
  const double tiny = tiny_of(alpha.dtype());
  for_each_stream(draws.numel(), gen, alpha.device(), op, [v, tiny](int64_t i, PhiloxStream& s) {
    v[i] = std::max(gamma_sample(v[i], s), tiny);
  });
  return draws;
}

}  // namespace

Tensor standard_gamma(const Tensor& alpha, Generator* gen) {
  check_float_or_double(alpha, "gamma_cpu");
  Tensor draws = gamma_draws(alpha, gen, "_standard_gamma");
  Tensor out = empty_like(alpha, alpha.dtype(), alpha.device());
  copy_into(out, draws);
  if (autograd::needs_grad({alpha})) {
    autograd::record("StandardGammaBackward0", {alpha}, {out}, {alpha, out},
                     [](const autograd::Ctx& c) -> autograd::TensorList {
                       return {mul(c.grad(), standard_gamma_grad(c.saved(0), c.saved(1)))};
                     });
  }
  return out;
}

Tensor standard_gamma_grad(const Tensor& alpha, const Tensor& x) {
  check_float_or_double(alpha, "_standard_gamma_grad_cpu");
  check_same_dtype("_standard_gamma_grad", alpha, x);
  return map_doubles("_standard_gamma_grad", gamma_grad, alpha, x);
}

Tensor sample_dirichlet(const Tensor& alpha, Generator* gen) {
  check_float_or_double(alpha, "dirichlet");
  Tensor draws = gamma_draws(alpha, gen, "_sample_dirichlet");
  double* v = draws.data<double>();
  const int64_t n = draws.numel(), k = alpha.dim() ? alpha.size(-1) : 1;
  const double tiny = tiny_of(alpha.dtype());
  // Normalized gamma draws, clamped like them so that log(x) stays finite.
  parallel_for(0, k ? n / k : 0, 256, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      double* row = v + r * k;
      double total = 0;
      for (int64_t j = 0; j < k; ++j) total += row[j];
      for (int64_t j = 0; j < k; ++j) row[j] = std::max(row[j] / total, tiny);
    }
  });
  Tensor out = empty_like(alpha, alpha.dtype(), alpha.device());
  copy_into(out, draws);
  return out;
}

Tensor dirichlet_grad(const Tensor& x, const Tensor& alpha, const Tensor& total) {
  check_float_or_double(x, "_dirichlet_grad_cpu");
  check_same_dtype("_dirichlet_grad", x, alpha);
  check_same_dtype("_dirichlet_grad", x, total);
  return map_doubles("_dirichlet_grad", dirichlet_grad_one, x, alpha, total);
}

Tensor binomial(const Tensor& count, const Tensor& prob, Generator* gen) {
  CRESSET_CHECK(is_floating(count.dtype()), ValueError,
                "[binomial] binomial only supports floating-point dtypes for count, got: ",
                dtype_display(count.dtype()));
  check_float_or_double(count, "binomial_cpu");
  check_same_dtype("binomial", count, prob);
  const DimVector shape = broadcast_shapes(count.sizes(), prob.sizes());
  Tensor draws = cpu_doubles(count, shape, "binomial");
  Tensor probs = cpu_doubles(prob, shape, "binomial");
  double* v = draws.data<double>();
  const double* p = probs.data<double>();
  for_each_stream(draws.numel(), gen, count.device(), "binomial",
                  [v, p](int64_t i, PhiloxStream& s) { v[i] = binomial_sample(v[i], p[i], s); });
  Tensor out = empty_tensor(shape, count.dtype(), count.device());
  copy_into(out, draws);
  return out;
}

}  // namespace cresset
