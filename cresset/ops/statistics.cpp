// Statistics and distances (see ops/statistics.h).
#include "cresset/ops/statistics.h"

#include <cmath>

#include "cresset/core/error.h"
#include "cresset/ops/factories.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

Tensor number(double v) { return wrapped_scalar(Scalar(v)); }

void check_weights(const Tensor& w, const char* name, int64_t n, bool integer) {
  CRESSET_CHECK(w.dim() <= 1, RuntimeError, "cov(): expected ", name,
                " to have one or fewer dimensions but got ", name, " with ", w.dim(),
                " dimensions");
  CRESSET_CHECK(w.numel() == n, RuntimeError, "cov(): expected ", name,
                " to have the same numel as there are observations in the input but got ",
                w.numel(), " != ", n);
  CRESSET_CHECK(!integer || is_integral(w.dtype(), false), RuntimeError,
                "cov(): expected fweights to have integral dtype but got fweights with ",
                dtype_display(w.dtype()), " dtype");
  CRESSET_CHECK(integer || is_floating(w.dtype()), RuntimeError,
                "cov(): expected aweights to have floating point dtype but got aweights with ",
                dtype_display(w.dtype()), " dtype");
}

}  // namespace

Tensor cov(const Tensor& self, int64_t correction, const Tensor& fweights,
           const Tensor& aweights) {
  CRESSET_CHECK(self.dim() <= 2, RuntimeError,
                "cov(): expected input to have two or fewer dimensions but got an input with ",
                self.dim(), " dimensions");
  Tensor x = self.dim() < 2 ? reshape(self, {1, -1}) : self;
  if (!is_floating(x.dtype())) x = to(x, default_dtype(), x.device());
  const int64_t n = x.size(1);
  Tensor w;
  if (fweights.defined()) {
    check_weights(fweights, "fweights", n, true);
    w = fweights;
  }
  if (aweights.defined()) {
    check_weights(aweights, "aweights", n, false);
    w = w.defined() ? mul(w, aweights) : aweights;
  }
  Tensor w_sum, avg;
  if (w.defined()) {
    w_sum = sum(w);
    avg = div(sum(mul(x, w), DimVector{1}), w_sum);
  } else {
    w_sum = scalar_tensor(Scalar(n), DType::Int64, x.device());
    avg = mean(x, DimVector{1});
  }
  Tensor fact;
  if (!w.defined()) {
    fact = sub(w_sum, number(double(correction)));
  } else if (correction == 0) {
    fact = w_sum;
  } else if (!aweights.defined()) {
    fact = sub(w_sum, number(double(correction)));
  } else {
    fact = sub(w_sum, div(mul(sum(mul(w, aweights)), number(double(correction))), w_sum));
  }
  fact = clamp(fact, Scalar(0.0), std::nullopt);
  Tensor xm = sub(x, unsqueeze(avg, 1));
  Tensor xw = w.defined() ? mul(xm, w) : xm;
  Tensor c = div(mm(xw, t(xm)), fact);
  return self.dim() < 2 ? reshape(c, {}) : c;
}

Tensor corrcoef(const Tensor& self) {
  Tensor c = cov(self);
  if (c.dim() == 0) return div(c, c);
  Tensor stddev = sqrt(diagonal(c));
  c = div(div(c, unsqueeze(stddev, 1)), unsqueeze(stddev, 0));
  return clamp(c, Scalar(-1.0), Scalar(1.0));
}

Tensor dist(const Tensor& self, const Tensor& other, double p) {
  return norm(sub(self, other), p);
}

Tensor cdist(const Tensor& x1, const Tensor& x2, double p) {
  CRESSET_CHECK(x1.dim() >= 2, RuntimeError,
                "cdist only supports at least 2D tensors, X1 got: ", x1.dim(), "D");
  CRESSET_CHECK(x2.dim() >= 2, RuntimeError,
                "cdist only supports at least 2D tensors, X2 got: ", x2.dim(), "D");
  CRESSET_CHECK(x1.size(-1) == x2.size(-1), RuntimeError,
                "X1 and X2 must have the same number of columns. X1: ", x1.size(-1),
                " X2: ", x2.size(-1));
  CRESSET_CHECK(is_floating(x1.dtype()), RuntimeError,
                "cdist only supports floating-point dtypes, X1 got: ", dtype_display(x1.dtype()));
  CRESSET_CHECK(is_floating(x2.dtype()), RuntimeError,
                "cdist only supports floating-point dtypes, X2 got: ", dtype_display(x2.dtype()));
  CRESSET_CHECK(p >= 0, RuntimeError, "cdist only supports non-negative p values");
  // (..., P, 1, M) - (..., 1, R, M), normed over M.
  Tensor d = sub(unsqueeze(x1, -2), unsqueeze(x2, -3));
  return norm(d, p, DimVector{-1});
}

Tensor renorm(const Tensor& self, double p, int64_t dim, double maxnorm) {
  CRESSET_CHECK(p > 0, RuntimeError, "renorm: non-positive-norm not supported");
  CRESSET_CHECK(maxnorm >= 0, RuntimeError, "renorm: expected maxnorm to be >= 0 but got ",
                maxnorm);
  const int64_t d = wrap_dim(dim, self.dim());
  DimVector others;
  for (int64_t k = 0; k < self.dim(); ++k) {
    if (k != d) others.push_back(k);
  }
  Tensor norms = norm(self, p, others, true);
  Tensor factor = where(gt(norms, number(maxnorm)), div(number(maxnorm), add(norms, number(1e-7))),
                        ones_like(norms));
  return mul(self, factor);
}

Tensor renorm_(const Tensor& self, double p, int64_t dim, double maxnorm) {
  return copy_(self, renorm(self, p, dim, maxnorm));
}

Tensor isin(const Tensor& elements, const Tensor& test_elements, bool invert) {
  DType t = promote_types(elements.dtype(), test_elements.dtype());
  Tensor e = to(elements, t, elements.device());
  Tensor sorted = sort(to(flatten(test_elements), t, elements.device()), 0).first;
  Tensor found;
  if (sorted.numel() == 0) {
    found = zeros(e.sizes(), DType::Bool, e.device());
  } else {
    Tensor pos = clamp(searchsorted(sorted, contiguous(e)), Scalar(int64_t(0)),
                       Scalar(sorted.numel() - 1));
    found = eq(reshape(take(sorted, pos), e.sizes()), e);
  }
  return invert ? logical_not(found) : found;
}

}  // namespace cresset
