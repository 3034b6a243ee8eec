// Numeric composites (see ops/numeric.h).
#include "cresset/ops/numeric.h"

#include <cmath>
#include <cstdint>

#include "cresset/core/error.h"
#include "cresset/ops/factories.h"
#include "cresset/ops/linalg_solve.h"
#include "cresset/ops/named_composite.h"
#include "cresset/ops/ops.h"
#include "cresset/ops/out.h"
#include "cresset/ops/special.h"

namespace cresset {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kLn2 = 0.69314718055994530942;

// The difference of neighbours along dim: a[1:] - a[:-1] (xor for bool).
Tensor forward_difference(const Tensor& a, int64_t dim) {
  const int64_t len = a.size(dim);
  if (len == 0) return a;
  Tensor hi = narrow(a, dim, 1, len - 1), lo = narrow(a, dim, 0, len - 1);
  return a.dtype() == DType::Bool ? logical_xor(hi, lo) : sub(hi, lo);
}

// y's dtype as trapezoid computes it: integers integrate in the default float dtype.
Tensor float_samples(const Tensor& y) {
  return is_floating(y.dtype()) ? y : to(y, default_dtype(), y.device());
}

// The spacing of x along dim, broadcast to y's samples: 1-D x lies along dim.
Tensor spacings(const Tensor& y, const Tensor& x, int64_t dim) {
  Tensor dx;
  if (x.dim() == 1) {
    CRESSET_CHECK(x.size(0) == y.size(dim), RuntimeError,
                  "trapezoid: There must be one `x` value for each sample point");
    DimVector shape(size_t(y.dim()), 1);
    shape[size_t(dim)] = x.size(0) - 1;
    dx = reshape(forward_difference(x, 0), shape);
  } else {
    dx = forward_difference(x, x.dim() == y.dim() ? dim : dim - y.dim() + x.dim());
  }
  return dx;
}

Tensor pair_sums(const Tensor& y, int64_t dim) {
  const int64_t len = y.size(dim);
  return add(narrow(y, dim, 1, len - 1), narrow(y, dim, 0, len - 1));
}

// log(e^a + e^b) as max + log1p(e^-|a - b|), in base e (scale 1) or 2 (scale ln 2); equal
// infinities give themselves.
Tensor log_add(const Tensor& self, const Tensor& other, const char* op, bool base2) {
  DType t = promote_types(self.dtype(), other.dtype());
  CRESSET_CHECK(is_floating(t), NotImplementedError, "\"", op, "_cpu\" not implemented for '",
                dtype_display(t), "'");
  Tensor a = to(self, t, self.device()), b = to(other, t, other.device());
  Tensor m = maximum(a, b);
  Tensor d = neg(abs(sub(a, b)));
  Tensor tail = base2 ? div(log1p(exp2(d)), wrapped_scalar(Scalar(kLn2))) : log1p(exp(d));
  Tensor same_inf = logical_and(eq(a, b), isinf(a));
  // Equal infinities: a - b is NaN, so the result (and its gradient) takes the other branch.
  return where(same_inf, a, add(m, where(same_inf, zeros_like(tail), tail)));
}

// gcd/lcm take integers only, with torch's dtype error.
void check_integer_pair(const Tensor& self, const Tensor& other, const char* op) {
  DType t = promote_types(self.dtype(), other.dtype());
  CRESSET_CHECK(is_integral(t, false), NotImplementedError, "\"", op,
                "_cpu\" not implemented for '", dtype_display(t), "'");
}

// gcd of |a| and |b| by Euclid's algorithm over whole tensors (b is 0 where it is finished).
Tensor gcd_abs(Tensor a, Tensor b) {
  while (any(ne(b, wrapped_scalar(Scalar(int64_t(0))))).item().to_bool()) {
    Tensor nonzero = ne(b, wrapped_scalar(Scalar(int64_t(0))));
    Tensor safe = where(nonzero, b, ones_like(b));
    Tensor r = where(nonzero, remainder(a, safe), zeros_like(b));
    a = where(nonzero, b, a);
    b = r;
  }
  return a;
}

void check_square(const Tensor& self, const char* op) {
  CRESSET_CHECK(self.dim() >= 2 && self.size(-1) == self.size(-2), RuntimeError, op,
                ": A must be batches of square matrices, but they are ",
                self.dim() >= 2 ? self.size(-2) : 0, " by ", self.dim() >= 2 ? self.size(-1) : 0,
                " matrices");
}

}  // namespace

Tensor diff(const Tensor& self, int64_t n, int64_t dim, const Tensor& prepend,
            const Tensor& append) {
  CRESSET_CHECK(self.dim() >= 1, RuntimeError, "diff expects input to be at least one-dimensional");
  CRESSET_CHECK(n >= 0, RuntimeError, "order must be non-negative but got ", n);
  const int64_t d = wrap_dim(dim, self.dim());
  Tensor a = self;
  if (prepend.defined() || append.defined()) {
    std::vector<Tensor> parts;
    for (const Tensor* t : {&prepend, &append}) {
      CRESSET_CHECK(!t->defined() || t->dim() == self.dim(), RuntimeError,
                    "diff expects prepend or append to be the same dimension as input");
    }
    if (prepend.defined()) parts.push_back(prepend);
    parts.push_back(self);
    if (append.defined()) parts.push_back(append);
    a = cat(parts, d);
  }
  for (int64_t k = 0; k < n && a.size(d) > 0; ++k) a = forward_difference(a, d);
  return a;
}

Tensor trapezoid(const Tensor& y, const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  Tensor fy = float_samples(y);
  if (y.size(d) == 0) return sum(fy, DimVector{d});
  return div(sum(mul(spacings(fy, x, d), pair_sums(fy, d)), DimVector{d}),
             wrapped_scalar(Scalar(2.0)));
}

Tensor trapezoid(const Tensor& y, double dx, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  Tensor fy = float_samples(y);
  if (y.size(d) == 0) return sum(fy, DimVector{d});
  // (sum(y) - (y[0] + y[-1]) / 2) * dx, torch's graph (SumBackward1, SelectBackward0 ...).
  return (sum(fy, DimVector{d}) - (select(fy, d, 0) + select(fy, d, -1)) * 0.5) * dx;
}

Tensor cumulative_trapezoid(const Tensor& y, const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  Tensor fy = float_samples(y);
  if (y.size(d) == 0) return fy;
  return cumsum(div(mul(spacings(fy, x, d), pair_sums(fy, d)), wrapped_scalar(Scalar(2.0))), d);
}

Tensor cumulative_trapezoid(const Tensor& y, double dx, int64_t dim) {
  const int64_t d = wrap_dim(dim, y.dim());
  Tensor fy = float_samples(y);
  if (y.size(d) == 0) return fy;
  return cumsum(pair_sums(fy, d) * (dx / 2), d);
}

namespace {

Tensor ldexp_into(const Tensor& self, const Tensor& other, const InplaceTarget& target) {
  return named_composite(
      "LdexpBackward0", {self, other}, {self, other},
      [&] { return mul(self, pow(wrapped_scalar(Scalar(2.0)), other)); },
      [](const autograd::Ctx& c) -> autograd::TensorList {
        Tensor scale = pow(wrapped_scalar(Scalar(2.0)), c.saved(1));
        Tensor g = mul(c.grad(), scale);
        return {g, mul(mul(g, c.saved(0)), wrapped_scalar(Scalar(kLn2)))};
      },
      target);
}

Tensor sinc_into(const Tensor& self, const InplaceTarget& target) {
  auto forward = [](const Tensor& self) {
    Tensor x = is_floating(self.dtype()) ? self : to(self, default_dtype(), self.device());
    Tensor zero = eq(x, wrapped_scalar(Scalar(0.0)));
    Tensor px = mul(where(zero, ones_like(x), x), wrapped_scalar(Scalar(kPi)));
    return where(zero, ones_like(x), div(sin(px), px));
  };
  return named_composite(
      "SincBackward0", {self}, {self}, [&] { return forward(self); },
      [forward](const autograd::Ctx& c) -> autograd::TensorList {
        // (cos(pi x) - sinc(x)) / x, 0 at 0.
        Tensor x = c.saved(0);
        Tensor zero = eq(x, wrapped_scalar(Scalar(0.0)));
        Tensor xs = where(zero, ones_like(x), x);
        Tensor d = div(sub(cos(mul(xs, wrapped_scalar(Scalar(kPi)))), forward(xs)), xs);
        return {where(zero, zeros_like(c.grad()), mul(c.grad(), d))};
      },
      target);
}

Tensor heaviside_into(const Tensor& self, const Tensor& values, const InplaceTarget& target) {
  CRESSET_CHECK(self.dtype() == values.dtype(), RuntimeError,
                "heaviside is not yet implemented for tensors with different dtypes.");
  auto forward = [&] {
    Tensor step = to(gt(self, wrapped_scalar(Scalar(int64_t(0)))), self.dtype(), self.device());
    return where(eq(self, wrapped_scalar(Scalar(int64_t(0)))), values, step);
  };
  // torch defines no derivative: backward through it raises.
  return named_composite(
      "torch::autograd::NotImplemented", {self, values}, {}, forward,
      [inplace = target.self.defined()](const autograd::Ctx&) -> autograd::TensorList {
        throw RuntimeError(
            str_cat("derivative for aten::heaviside", inplace ? "_" : "", " is not implemented"));
      },
      target);
}

}  // namespace

Tensor ldexp(const Tensor& self, const Tensor& other) { return ldexp_into(self, other, {}); }
Tensor ldexp_(const Tensor& self, const Tensor& other) {
  return ldexp_into(self, other, {self, "ldexp_"});
}

namespace {

// logaddexp (base e) or logaddexp2 as one node: d/da log(b^a + b^c) = 1 / (1 + b^(c - a)).
Tensor log_add_node(const char* name, const char* op, bool base2, const Tensor& self,
                    const Tensor& other) {
  return named_composite(
      name, {self, other}, {self, other}, [&] { return log_add(self, other, op, base2); },
      [base2](const autograd::Ctx& c) -> autograd::TensorList {
        auto one_plus = [base2](const Tensor& t) {
          return add(base2 ? exp2(t) : exp(t), wrapped_scalar(Scalar(1.0)));
        };
        Tensor a = c.saved(0), b = c.saved(1);
        return {div(c.grad(), one_plus(sub(b, a))), div(c.grad(), one_plus(sub(a, b)))};
      });
}

}  // namespace

Tensor logaddexp(const Tensor& self, const Tensor& other) {
  return log_add_node("LogaddexpBackward0", "logaddexp", false, self, other);
}
Tensor logaddexp2(const Tensor& self, const Tensor& other) {
  return log_add_node("Logaddexp2Backward0", "logaddexp2", true, self, other);
}

Tensor sinc(const Tensor& self) { return sinc_into(self, {}); }
Tensor sinc_(const Tensor& self) { return sinc_into(self, {self, "sinc_"}); }

Tensor heaviside(const Tensor& self, const Tensor& values) {
  return heaviside_into(self, values, {});
}
Tensor heaviside_(const Tensor& self, const Tensor& values) {
  return heaviside_into(self, values, {self, "heaviside_"});
}

Tensor gcd(const Tensor& self, const Tensor& other) {
  check_integer_pair(self, other, "gcd");
  std::vector<Tensor> ab = broadcast_tensors({self, other});
  DType t = promote_types(self.dtype(), other.dtype());
  return gcd_abs(abs(to(ab[0], t, self.device())), abs(to(ab[1], t, self.device())));
}

Tensor lcm(const Tensor& self, const Tensor& other) {
  check_integer_pair(self, other, "lcm");
  Tensor g = gcd(self, other);
  Tensor zero = eq(g, wrapped_scalar(Scalar(int64_t(0))));
  Tensor q = floor_divide(self, where(zero, ones_like(g), g));
  // |a / g| * |b| at the dtype, wrapping on overflow as torch's does.
  return where(zero, zeros_like(g), mul(abs(q), abs(other)));
}

Tensor gcd_(const Tensor& self, const Tensor& other) {
  return write_inplace("gcd_", self, gcd(self, other));
}
Tensor lcm_(const Tensor& self, const Tensor& other) {
  return write_inplace("lcm_", self, lcm(self, other));
}

static Tensor nextafter_forward(const Tensor& self, const Tensor& other) {
  DType t = promote_types(self.dtype(), other.dtype());
  CRESSET_CHECK(is_floating(t), NotImplementedError, "\"nextafter_cpu\" not implemented for '",
                dtype_display(t), "'");
  std::vector<Tensor> ab = broadcast_tensors({to(self, t, self.device()), to(other, t, other.device())});
  Tensor a = contiguous(ab[0]), b = ab[1];
  // Step the bits as a same-size integer: +1 moves away from zero, -1 towards it (for both signs,
  // floats being sign-magnitude).
  DType bits_type = t == DType::Float64 ? DType::Int64 : t == DType::Float32 ? DType::Int32 : DType::Int16;
  Tensor bits = view_dtype(a, bits_type);
  Tensor zero = wrapped_scalar(Scalar(0.0));
  Tensor away = eq(gt(b, a), gt(a, zero));
  Tensor one = wrapped_scalar(Scalar(int64_t(1)));
  Tensor stepped = view_dtype(where(away, add(bits, one), sub(bits, one)), t);
  // From zero: the smallest subnormal with b's sign (bits 1, or the sign bit and 1).
  int64_t sign_bit = bits_type == DType::Int64 ? INT64_MIN : bits_type == DType::Int32 ? INT32_MIN : INT16_MIN;
  Tensor tiny = view_dtype(where(gt(b, zero), full_like(bits, Scalar(int64_t(1)), bits_type, a.device()),
                                 full_like(bits, Scalar(sign_bit + 1), bits_type, a.device())), t);
  Tensor result = where(eq(a, zero), tiny, stepped);
  result = where(eq(a, b), b, result);
  return where(logical_or(isnan(a), isnan(b)), add(a, b), result);
}

static std::pair<Tensor, Tensor> frexp_forward(const Tensor& self) {
  CRESSET_CHECK(is_floating(self.dtype()), RuntimeError,
                "torch.frexp() only supports floating-point dtypes");
  // In float64 the exponent of every float16/bfloat16/float32 value (subnormals included) is
  // exact; |x| = m * 2^e with m in [0.5, 1) once log2's rounding is corrected.
  Tensor x = to(self, DType::Float64, self.device());
  Tensor regular = logical_and(isfinite(x), ne(x, wrapped_scalar(Scalar(0.0))));
  Tensor safe = where(regular, x, ones_like(x));
  Tensor e = add(floor(log2(abs(safe))), wrapped_scalar(Scalar(1.0)));
  // Scaled in two halves: 2^-e alone over- or underflows at the ends of float64's range.
  auto scaled = [&](const Tensor& v, const Tensor& exp) {
    Tensor half = floor(div(exp, wrapped_scalar(Scalar(2.0))));
    return mul(mul(v, exp2(neg(half))), exp2(neg(sub(exp, half))));
  };
  Tensor m = scaled(safe, e);
  Tensor too_small = lt(abs(m), wrapped_scalar(Scalar(0.5)));
  Tensor too_big = ge(abs(m), wrapped_scalar(Scalar(1.0)));
  Tensor fix = sub(to(too_big, DType::Float64, x.device()), to(too_small, DType::Float64, x.device()));
  e = add(e, fix);
  m = scaled(safe, e);
  Tensor mantissa = to(where(regular, m, x), self.dtype(), self.device());
  Tensor exponent = to(where(regular, e, zeros_like(e)), DType::Int32, self.device());
  return {mantissa, exponent};
}

// Note [Special functions as composites]
// i0 and polygamma are sums of ops evaluated in float64 and cast back: a power series and an
// asymptotic expansion for the Bessel functions, Euler-Maclaurin summation of the Hurwitz zeta
// function for polygamma. Each is one named node whose derivative is the next function of the
// family (i0' = i1, polygamma(n)' = polygamma(n + 1)).

// The modified Bessel function of the first kind of order 0 or 1, in self's floating dtype;
// scaled: times e^-|x| (torch.special.i0e / i1e), which stays finite where I overflows.
static Tensor bessel_i(const Tensor& self, int order, bool scaled = false) {
  Tensor x = to(self, DType::Float64, self.device());
  Tensor ax = abs(x);
  constexpr double kSplit = 15.0;
  Tensor small = le(ax, wrapped_scalar(Scalar(kSplit)));
  // |x| <= 15: sum_k (x / 2)^(2k + order) / (k! (k + order)!) (the other branch's inputs are 0).
  Tensor xs = where(small, x, zeros_like(x));
  Tensor q = div(mul(xs, xs), wrapped_scalar(Scalar(4.0)));
  Tensor term = order == 0 ? ones_like(x) : div(xs, wrapped_scalar(Scalar(2.0)));
  Tensor series = term;
  for (int k = 1; k <= 64; ++k) {
    term = div(mul(term, q), wrapped_scalar(Scalar(double(k) * (k + order))));
    series = add(series, term);
  }
  if (scaled) series = mul(series, exp(neg(abs(xs))));
  // |x| > 15: e^|x| / sqrt(2 pi |x|) * sum_k t_k, t_k = t_(k-1) ((2k - 1)^2 - 4 order^2) / (8k |x|)
  // (odd in x for order 1).
  Tensor xl = where(small, full_like(x, Scalar(kSplit + 1), x.dtype(), x.device()), ax);
  Tensor inv = reciprocal(xl);
  Tensor asym = ones_like(x), t = ones_like(x);
  for (int k = 1; k <= 30; ++k) {
    const double c = (double(2 * k - 1) * (2 * k - 1) - 4.0 * order * order) / (8.0 * k);
    t = mul(t, mul(inv, wrapped_scalar(Scalar(c))));
    asym = add(asym, t);
  }
  Tensor root = sqrt(mul(xl, wrapped_scalar(Scalar(2 * kPi))));
  asym = mul(div(scaled ? ones_like(x) : exp(xl), root), asym);
  if (order == 1) asym = mul(asym, sign(x));
  Tensor r = where(small, series, asym);
  // torch's i0 and i1 give NaN at the infinities (the scaled forms give 0, as the series does).
  if (!scaled) r = where(isinf(x), full_like(x, Scalar(std::nan("")), x.dtype(), x.device()), r);
  DType out = is_floating(self.dtype()) ? self.dtype() : default_dtype();
  return to(r, out, self.device());
}

static Tensor polygamma_forward(int64_t n, const Tensor& self) {
  CRESSET_CHECK(n >= 0, RuntimeError, "polygamma(n, x) does not support negative n.");
  if (n == 0) return digamma(self);
  // (-1)^(n+1) n! zeta(n + 1, x); zeta(s, x) = sum_{k<N} (x + k)^-s + the Euler-Maclaurin tail
  // at y = x + N: y^(1-s) / (s - 1) + y^-s / 2 + sum_j B_2j / (2j)! s (s+1) ... (s+2j-2) y^(1-s-2j).
  static constexpr double kBernoulli[] = {1.0 / 6,      -1.0 / 30,       1.0 / 42,
                                          -1.0 / 30,    5.0 / 66,        -691.0 / 2730,
                                          7.0 / 6,      -3617.0 / 510};
  constexpr int kShift = 10;
  const double s = double(n + 1);
  Tensor x = to(self, DType::Float64, self.device());
  auto number = [](double v) { return wrapped_scalar(Scalar(v)); };
  Tensor zeta = zeros_like(x);
  for (int k = 0; k < kShift; ++k) zeta = add(zeta, pow(add(x, number(k)), number(-s)));
  Tensor y = add(x, number(kShift));
  zeta = add(zeta, div(pow(y, number(1 - s)), number(s - 1)));
  zeta = add(zeta, div(pow(y, number(-s)), number(2)));
  double rising = s, factorial = 2;  // s (s+1) ... (s+2j-2) and (2j)!
  for (int j = 1; j <= 8; ++j) {
    zeta = add(zeta, mul(pow(y, number(1 - s - 2 * j)), number(kBernoulli[j - 1] / factorial * rising)));
    rising *= (s + 2 * j - 1) * (s + 2 * j);
    factorial *= double(2 * j + 1) * (2 * j + 2);
  }
  double scale = std::tgamma(double(n + 1)) * (n % 2 == 1 ? 1.0 : -1.0);
  DType out = is_floating(self.dtype()) ? self.dtype() : default_dtype();
  return to(mul(zeta, number(scale)), out, self.device());
}

static Tensor mvlgamma_forward(const Tensor& self, int64_t p) {
  CRESSET_CHECK(p >= 1, RuntimeError, "p has to be greater than or equal to 1");
  Tensor x = is_floating(self.dtype()) ? self : to(self, default_dtype(), self.device());
  Tensor r = lgamma(x);
  for (int64_t j = 1; j < p; ++j) r = add(r, lgamma(sub(x, wrapped_scalar(Scalar(double(j) / 2)))));
  return add(r, wrapped_scalar(Scalar(double(p) * double(p - 1) / 4 * std::log(kPi))));
}

Tensor matrix_power(const Tensor& self, int64_t n) {
  check_square(self, "linalg.matrix_power");
  const int64_t k = self.size(-1);
  if (n == 0) return contiguous(expand(eye(k, k, self.dtype(), self.device()),
                            self.sizes()));
  // Exponentiation by squaring, of the inverse for a negative power (torch's graph too).
  Tensor result, base = n < 0 ? linalg_inv(self) : self;
  for (int64_t e = n < 0 ? -n : n; e > 0; e >>= 1) {
    if (e & 1) result = result.defined() ? matmul(result, base) : base;
    if (e > 1) base = matmul(base, base);
  }
  return n == 1 ? clone(result) : result;
}

Tensor chain_matmul(const std::vector<Tensor>& matrices) {
  CRESSET_CHECK(!matrices.empty(), RuntimeError, "chain_matmul(): Expected one or more matrices");
  for (const Tensor& m : matrices) {
    CRESSET_CHECK(m.dim() == 2, RuntimeError, "Tensor dimension is ", m.dim(), ", expected 2 instead.");
  }
  if (matrices.size() == 1) return clone(matrices[0]);
  Tensor r = mm(matrices[0], matrices[1]);
  for (size_t i = 2; i < matrices.size(); ++i) r = mm(r, matrices[i]);
  return r;
}

// The named nodes of nextafter, frexp, polygamma and mvlgamma; see Note [Named composites].

namespace {

Tensor nextafter_into(const Tensor& self, const Tensor& other, const InplaceTarget& target) {
  // torch's derivatives: the incoming gradient for self, zero for other.
  return named_composite(
      "NextafterBackward0", {self, other}, {}, [&] { return nextafter_forward(self, other); },
      [](const autograd::Ctx& c) -> autograd::TensorList {
        return {c.grad(), zeros_like(c.grad())};
      },
      target);
}

// torch names the in-place form's node PolygammaBackward1.
Tensor polygamma_into(int64_t n, const Tensor& self, const InplaceTarget& target) {
  return named_composite(
      target.self.defined() ? "PolygammaBackward1" : "PolygammaBackward0", {self}, {self},
      [&] { return polygamma_forward(n, self); },
      [n](const autograd::Ctx& c) -> autograd::TensorList {
        return {mul(c.grad(), polygamma(n + 1, c.saved(0)))};
      },
      target);
}

Tensor mvlgamma_into(const Tensor& self, int64_t p, const InplaceTarget& target) {
  return named_composite(
      "MvlgammaBackward0", {self}, {self}, [&] { return mvlgamma_forward(self, p); },
      [p](const autograd::Ctx& c) -> autograd::TensorList {
        Tensor x = c.saved(0), d = digamma(x);
        for (int64_t j = 1; j < p; ++j) {
          d = add(d, digamma(sub(x, wrapped_scalar(Scalar(double(j) / 2)))));
        }
        return {mul(c.grad(), d)};
      },
      target);
}

Tensor i0_into(const Tensor& self, const InplaceTarget& target) {
  return named_composite(
      "I0Backward0", {self}, {self}, [&] { return bessel_i(self, 0); },
      [](const autograd::Ctx& c) -> autograd::TensorList {
        Tensor x = c.saved(0);
        return {mul(c.grad(), to(bessel_i(x, 1), c.grad().dtype(), x.device()))};
      },
      target);
}

}  // namespace

Tensor nextafter(const Tensor& self, const Tensor& other) {
  return nextafter_into(self, other, {});
}
Tensor nextafter_(const Tensor& self, const Tensor& other) {
  return nextafter_into(self, other, {self, "nextafter_"});
}

std::pair<Tensor, Tensor> frexp(const Tensor& self) {
  std::pair<Tensor, Tensor> r;
  Tensor mantissa = named_composite(
      "FrexpBackward0", {self}, {self},
      [&] {
        r = frexp_forward(self);
        return r.first;
      },
      [](const autograd::Ctx& c) -> autograd::TensorList {
        Tensor e = frexp_forward(c.saved(0)).second;
        return {div(c.grad(), exp2(to(e, c.grad().dtype(), c.grad().device())))};
      });
  return {mantissa, r.second};
}

Tensor polygamma(int64_t n, const Tensor& self) { return polygamma_into(n, self, {}); }
Tensor polygamma_(const Tensor& self, int64_t n) {
  return polygamma_into(n, self, {self, "polygamma_"});
}

Tensor mvlgamma(const Tensor& self, int64_t p) { return mvlgamma_into(self, p, {}); }
Tensor mvlgamma_(const Tensor& self, int64_t p) {
  return mvlgamma_into(self, p, {self, "mvlgamma_"});
}

Tensor i0(const Tensor& self) { return i0_into(self, {}); }
Tensor i0_(const Tensor& self) { return i0_into(self, {self, "i0_"}); }

// torch's derivatives: i1' = i0 - i1 / x, i0e' = i1e - sgn(x) i0e, i1e' = i0e - i1e (sgn(x) + 1 / x),
// with the limits at 0 (1/2 for i1 and i1e).
Tensor special_i1(const Tensor& self) {
  return named_composite(
      "SpecialI1Backward0", {self}, {self}, [&] { return bessel_i(self, 1); },
      [](const autograd::Ctx& c) -> autograd::TensorList {
        Tensor x = c.saved(0), r = bessel_i(x, 1), zero = eq(x, wrapped_scalar(Scalar(0.0)));
        Tensor d = sub(bessel_i(x, 0), div(r, where(zero, ones_like(x), x)));
        return {mul(c.grad(), where(zero, full_like(d, Scalar(0.5), d.dtype(), d.device()), d))};
      });
}

Tensor special_i0e(const Tensor& self) {
  return named_composite(
      "SpecialI0EBackward0", {self}, {self}, [&] { return bessel_i(self, 0, true); },
      [](const autograd::Ctx& c) -> autograd::TensorList {
        Tensor x = c.saved(0);
        Tensor d = sub(bessel_i(x, 1, true), mul(sign(x), bessel_i(x, 0, true)));
        return {mul(c.grad(), d)};
      });
}

Tensor special_i1e(const Tensor& self) {
  return named_composite(
      "SpecialI1EBackward0", {self}, {self}, [&] { return bessel_i(self, 1, true); },
      [](const autograd::Ctx& c) -> autograd::TensorList {
        Tensor x = c.saved(0), zero = eq(x, wrapped_scalar(Scalar(0.0)));
        Tensor r = bessel_i(x, 1, true);
        Tensor d = sub(bessel_i(x, 0, true),
                       mul(r, add(sign(x), reciprocal(where(zero, ones_like(x), x)))));
        return {mul(c.grad(), where(zero, full_like(d, Scalar(0.5), d.dtype(), d.device()), d))};
      });
}

}  // namespace cresset
