// Numeric composites (see ops/numeric.h).
#include "cresset/ops/numeric.h"

#include <cmath>
#include <cstdint>

#include "cresset/core/error.h"
#include "cresset/ops/factories.h"
#include "cresset/ops/ops.h"

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

Tensor integer_pair_check(const Tensor& self, const Tensor& other, const char* op) {
  DType t = promote_types(self.dtype(), other.dtype());
  CRESSET_CHECK(is_integral(t, false), NotImplementedError, "\"", op,
                "_cpu\" not implemented for '", dtype_display(t), "'");
  return Tensor();
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
  return mul(sum(pair_sums(fy, d), DimVector{d}), wrapped_scalar(Scalar(dx / 2)));
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
  return cumsum(mul(pair_sums(fy, d), wrapped_scalar(Scalar(dx / 2))), d);
}

Tensor ldexp(const Tensor& self, const Tensor& other) {
  return mul(self, pow(wrapped_scalar(Scalar(2.0)), other));
}

Tensor logaddexp(const Tensor& self, const Tensor& other) {
  return log_add(self, other, "logaddexp", false);
}
Tensor logaddexp2(const Tensor& self, const Tensor& other) {
  return log_add(self, other, "logaddexp2", true);
}

Tensor sinc(const Tensor& self) {
  Tensor x = is_floating(self.dtype()) ? self : to(self, default_dtype(), self.device());
  Tensor zero = eq(x, wrapped_scalar(Scalar(0.0)));
  // pi * x with 0 replaced, so the unused branch has no 0/0 (and no NaN gradient).
  Tensor px = mul(where(zero, ones_like(x), x), wrapped_scalar(Scalar(kPi)));
  return where(zero, ones_like(x), div(sin(px), px));
}

Tensor heaviside(const Tensor& self, const Tensor& values) {
  CRESSET_CHECK(self.dtype() == values.dtype(), RuntimeError,
                "heaviside is not yet implemented for tensors with different dtypes.");
  Tensor step = to(gt(self, wrapped_scalar(Scalar(int64_t(0)))), self.dtype(), self.device());
  return where(eq(self, wrapped_scalar(Scalar(int64_t(0)))), values, step);
}

Tensor gcd(const Tensor& self, const Tensor& other) {
  integer_pair_check(self, other, "gcd");
  std::vector<Tensor> ab = broadcast_tensors({self, other});
  DType t = promote_types(self.dtype(), other.dtype());
  return gcd_abs(abs(to(ab[0], t, self.device())), abs(to(ab[1], t, self.device())));
}

Tensor lcm(const Tensor& self, const Tensor& other) {
  integer_pair_check(self, other, "lcm");
  Tensor g = gcd(self, other);
  Tensor zero = eq(g, wrapped_scalar(Scalar(int64_t(0))));
  Tensor q = floor_divide(self, where(zero, ones_like(g), g));
  // |a / g| * |b| at the dtype, wrapping on overflow as torch's does.
  return where(zero, zeros_like(g), mul(abs(q), abs(other)));
}

Tensor nextafter(const Tensor& self, const Tensor& other) {
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

std::pair<Tensor, Tensor> frexp(const Tensor& self) {
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

Tensor mvlgamma(const Tensor& self, int64_t p) {
  CRESSET_CHECK(p >= 1, RuntimeError, "p has to be greater than or equal to 1");
  Tensor x = is_floating(self.dtype()) ? self : to(self, default_dtype(), self.device());
  Tensor r = lgamma(x);
  for (int64_t j = 1; j < p; ++j) r = add(r, lgamma(sub(x, wrapped_scalar(Scalar(double(j) / 2)))));
  return add(r, wrapped_scalar(Scalar(double(p) * double(p - 1) / 4 * std::log(kPi))));
}

Tensor matrix_power(const Tensor& self, int64_t n) {
  check_square(self, "linalg.matrix_power");
  CRESSET_CHECK(n >= 0, NotImplementedError,
                "[matrix_power] negative powers need a matrix inverse, which cresset lacks");
  const int64_t k = self.size(-1);
  if (n == 0) return contiguous(expand(eye(k, k, self.dtype(), self.device()),
                            self.sizes()));
  // Exponentiation by squaring.
  Tensor result, base = self;
  for (int64_t e = n; e > 0; e >>= 1) {
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

}  // namespace cresset
