// erfcx and ndtri (see ops/special.h), written in ops evaluated in float64 and cast back to the
// input's floating dtype (integers: the default dtype), as ops/numeric.cpp's Bessel functions are.
#include "cresset/ops/special.h"

#include <cmath>
#include <limits>

#include "cresset/ops/factories.h"
#include "cresset/ops/named_composite.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

constexpr double kInvSqrtPi = 0.56418958354775628695;
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kSqrt2Pi = 2.50662827463100050242;

Tensor number(double v) { return wrapped_scalar(Scalar(v)); }

DType result_dtype(const Tensor& self) {
  return is_floating(self.dtype()) ? self.dtype() : default_dtype();
}

// exp(x^2) erfc(x) for x >= 0: directly below 10 (where rounding x^2 costs a few ulps), beyond by
// Laplace's continued fraction 1 / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))),
// which is short there. Each branch sees only its own inputs.
Tensor erfcx_nonnegative(const Tensor& x) {
  Tensor near = lt(x, number(10.0));
  Tensor xn = where(near, x, zeros_like(x));
  Tensor xf = where(near, full_like(x, Scalar(10.0), x.dtype(), x.device()), x);
  Tensor tail = xf;
  for (int k = 40; k >= 1; --k) tail = add(xf, div(number(0.5 * k), tail));
  return where(near, mul(exp(mul(xn, xn)), erfc(xn)), div(number(kInvSqrtPi), tail));
}

Tensor erfcx_forward(const Tensor& self) {
  Tensor x = to(self, DType::Float64, self.device());
  Tensor negative = lt(x, number(0.0));
  // erfcx(x) = 2 exp(x^2) - erfcx(-x) for negative x.
  Tensor r = erfcx_nonnegative(abs(x));
  r = where(negative, sub(mul(exp(mul(x, x)), number(2.0)), r), r);
  return to(r, result_dtype(self), self.device());
}

// ndtri(p) for 0 < p <= 1/2: Abramowitz and Stegun 26.2.23's rational guess in
// t = sqrt(-2 log p) (error < 4.5e-4), then three Halley steps on ndtr(x) - p; ndtr(x) =
// erfc(-x / sqrt 2) / 2 keeps its relative precision down to the smallest p. A step whose
// density underflows (subnormal p) is skipped.
Tensor ndtri_lower(const Tensor& p) {
  Tensor t = sqrt(mul(log(p), number(-2.0)));
  Tensor num = add(mul(add(mul(t, number(0.010328)), number(0.802853)), t), number(2.515517));
  Tensor den = add(
      mul(add(mul(add(mul(t, number(0.001308)), number(0.189269)), t), number(1.432788)), t),
      number(1.0));
  Tensor x = neg(sub(t, div(num, den)));
  for (int i = 0; i < 3; ++i) {
    Tensor phi = mul(exp(mul(mul(x, x), number(-0.5))), number(1.0 / kSqrt2Pi));
    Tensor f = sub(mul(erfc(mul(x, number(-kInvSqrt2))), number(0.5)), p);
    Tensor live = gt(phi, number(0.0));
    Tensor step = div(f, where(live, phi, ones_like(phi)));
    step = div(step, add(mul(mul(x, step), number(0.5)), number(1.0)));
    x = where(live, sub(x, step), x);
  }
  return x;
}

Tensor ndtri_forward(const Tensor& self) {
  Tensor p = to(self, DType::Float64, self.device());
  // The upper half is -ndtri(1 - p), 1 - p being exact there; outside (0, 1) the rules below.
  Tensor upper = gt(p, number(0.5));
  Tensor inside = logical_and(gt(p, number(0.0)), lt(p, number(1.0)));
  Tensor q = where(upper, sub(number(1.0), p), p);
  Tensor x = ndtri_lower(where(inside, q, full_like(q, Scalar(0.25), q.dtype(), q.device())));
  x = where(upper, neg(x), x);
  const double inf = std::numeric_limits<double>::infinity();
  Tensor edge = where(eq(p, number(0.0)), full_like(p, Scalar(-inf), p.dtype(), p.device()),
                      where(eq(p, number(1.0)), full_like(p, Scalar(inf), p.dtype(), p.device()),
                            full_like(p, Scalar(std::nan("")), p.dtype(), p.device())));
  return to(where(inside, x, edge), result_dtype(self), self.device());
}

}  // namespace

Tensor special_erfcx(const Tensor& self) {
  return named_composite(
      "SpecialErfcxBackward0", {self}, {self}, [&] { return erfcx_forward(self); },
      [](const autograd::Ctx& c) -> autograd::TensorList {
        // erfcx' = 2 x erfcx(x) - 2 / sqrt(pi)
        Tensor x = c.saved(0);
        Tensor d = sub(mul(mul(x, erfcx_forward(x)), number(2.0)), number(2.0 * kInvSqrtPi));
        return {mul(c.grad(), d)};
      });
}

Tensor special_ndtri(const Tensor& self) {
  return named_composite(
      "SpecialNdtriBackward0", {self}, {self}, [&] { return ndtri_forward(self); },
      [](const autograd::Ctx& c) -> autograd::TensorList {
        // ndtri' = sqrt(2 pi) exp(ndtri(p)^2 / 2)
        Tensor r = ndtri_forward(c.saved(0));
        return {mul(c.grad(), mul(exp(mul(mul(r, r), number(0.5))), number(kSqrt2Pi)))};
      });
}

}  // namespace cresset
