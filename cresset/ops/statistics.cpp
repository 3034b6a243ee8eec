// Statistics and distances (see ops/statistics.h).
#include "cresset/ops/statistics.h"

#include <cmath>

#include "cresset/core/error.h"
#include "cresset/ops/factories.h"
#include "cresset/ops/named_composite.h"
#include "cresset/ops/numeric.h"
#include "cresset/ops/ops.h"

namespace cresset {

namespace {

Tensor number(double v) { return wrapped_scalar(Scalar(v)); }
Tensor integer(int64_t v) { return wrapped_scalar(Scalar(v)); }

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

// d||u||_p / du given the norm n (broadcastable to u): sign(u) |u|^(p-1) / n^(p-1), the sign
// alone for p = 1, and 0 where the norm is 0 or p is 0. For p = inf the maximal entries get the
// whole gradient each (torch's cdist), or share it (torch's dist: split_ties).
Tensor norm_derivative(const Tensor& u, const Tensor& n, double p, bool split_ties) {
  if (p == 0) return zeros_like(u);
  Tensor s = sign(u);
  if (p == 1) return s;
  Tensor au = abs(u);
  if (std::isinf(p)) {
    Tensor top = to(eq(au, n), u.dtype(), u.device());
    return mul(s, split_ties ? div(top, sum(top)) : top);
  }
  Tensor zero = eq(n, number(0.0));
  Tensor safe = where(zero, ones_like(n), n);
  Tensor d = p == 2 ? div(u, safe) : div(mul(s, pow(au, number(p - 1))), pow(safe, number(p - 1)));
  return where(zero, zeros_like(d), d);
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
  return named_composite("DistBackward0", {self, other}, {self, other},
                         [&] { return norm(sub(self, other), p); },
                         [p](const autograd::Ctx& c) -> autograd::TensorList {
                           Tensor u = sub(c.saved(0), c.saved(1));
                           Tensor g = mul(c.grad(), norm_derivative(u, norm(u, p), p, true));
                           return {g, neg(g)};
                         });
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
  auto pairs = [](const Tensor& a, const Tensor& b) {
    return sub(unsqueeze(a, -2), unsqueeze(b, -3));
  };
  return named_composite(
      "CdistBackward0", {x1, x2}, {x1, x2}, [&] { return norm(pairs(x1, x2), p, DimVector{-1}); },
      [p, pairs](const autograd::Ctx& c) -> autograd::TensorList {
        Tensor d = pairs(c.saved(0), c.saved(1));
        Tensor n = norm(d, p, DimVector{-1}, true);
        Tensor g = mul(unsqueeze(c.grad(), -1), norm_derivative(d, n, p, false));
        return {sum(g, DimVector{-2}), neg(sum(g, DimVector{-3}))};
      });
}

namespace {

// renorm's forward and its node (Note [Named composites]); in place when target.self is set.
Tensor renorm_into(const Tensor& self, double p, int64_t dim, double maxnorm,
                   const InplaceTarget& target) {
  CRESSET_CHECK(self.dim() > 1, RuntimeError, "renorm: input needs at least 2 dimensions, got ",
                self.dim(), " dimensions");
  CRESSET_CHECK(p > 0, RuntimeError, "renorm: non-positive-norm not supported");
  CRESSET_CHECK(maxnorm >= 0, RuntimeError, "renorm: expected maxnorm to be >= 0 but got ",
                maxnorm);
  const int64_t d = wrap_dim(dim, self.dim());
  DimVector others;
  for (int64_t k = 0; k < self.dim(); ++k) {
    if (k != d) others.push_back(k);
  }
  // Each slice is scaled by factor(n) = maxnorm / (n + 1e-7) where its norm n exceeds maxnorm.
  auto forward = [&] {
    Tensor norms = norm(self, p, others, true);
    Tensor factor = where(gt(norms, number(maxnorm)),
                          div(number(maxnorm), add(norms, number(1e-7))), ones_like(norms));
    return mul(self, factor);
  };
  return named_composite(
      "RenormBackward0", {self}, {self}, forward,
      [p, maxnorm, others](const autograd::Ctx& c) -> autograd::TensorList {
        // g factor + sum_slice(g x) factor'(n) dn/dx.
        Tensor x = c.saved(0), g = c.grad();
        Tensor n = norm(x, p, others, true);
        Tensor big = gt(n, number(maxnorm));
        Tensor denom = add(n, number(1e-7));
        Tensor factor = where(big, div(number(maxnorm), denom), ones_like(n));
        Tensor dfactor = where(big, neg(div(number(maxnorm), mul(denom, denom))), zeros_like(n));
        Tensor inner = mul(sum(mul(g, x), others, true), dfactor);
        return {add(mul(g, factor), mul(inner, norm_derivative(x, n, p, false)))};
      },
      target);
}

}  // namespace

Tensor renorm(const Tensor& self, double p, int64_t dim, double maxnorm) {
  return renorm_into(self, p, dim, maxnorm, {});
}

Tensor renorm_(const Tensor& self, double p, int64_t dim, double maxnorm) {
  return renorm_into(self, p, dim, maxnorm, {self, "renorm_"});
}

Tensor quantile(const Tensor& self, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                const std::string& interpolation, bool ignore_nan) {
  const char* op = ignore_nan ? "nanquantile()" : "quantile()";
  CRESSET_CHECK(self.numel() > 0, RuntimeError, op, " input tensor must be non-empty");
  CRESSET_CHECK(q.dim() <= 1, RuntimeError, op, " q must be a scalar or 1D tensor");
  CRESSET_CHECK(self.dtype() == DType::Float32 || self.dtype() == DType::Float64, RuntimeError,
                op, " input tensor must be either float or double dtype");
  CRESSET_CHECK(q.dtype() == self.dtype(), RuntimeError, op,
                " q tensor must be same dtype as the input tensor");
  CRESSET_CHECK(interpolation == "linear" || interpolation == "lower" ||
                    interpolation == "higher" || interpolation == "midpoint" ||
                    interpolation == "nearest",
                RuntimeError, op,
                " interpolation must be one of linear, lower, higher, midpoint or nearest, but "
                "got ", interpolation);
  CRESSET_CHECK(all(logical_and(ge(q, number(0.0)), le(q, number(1.0)))).item().to_bool(),
                RuntimeError, op, " q values must be in the range [0, 1]");
  // The reduced dim last; sorted ascending (NaNs sort last).
  Tensor x = dim ? movedim(self, {wrap_dim(*dim, self.dim())}, {-1}) : flatten(self);
  Tensor sorted = sort(x, -1).first;
  const int64_t n = sorted.size(-1);
  Tensor qs = reshape(q, {-1});
  Tensor last_nan = isnan(narrow(sorted, -1, n - 1, 1));
  Tensor rank;
  if (ignore_nan) {
    Tensor count = to(sum(logical_not(isnan(sorted)), DimVector{-1}, true), self.dtype(),
                      self.device());
    rank = mul(qs, sub(count, number(1.0)));
    // A row of NaNs: the last element, itself NaN.
    rank = where(eq(count, number(0.0)), full_like(rank, Scalar(double(n - 1)), rank.dtype(),
                                                   rank.device()), rank);
  } else {
    rank = mul(qs, number(double(n - 1)));
    // Any NaN makes the quantile NaN: point at the last (NaN) element.
    rank = where(last_nan, full_like(rank, Scalar(double(n - 1)), rank.dtype(), rank.device()),
                 rank);
  }
  DimVector shape = sorted.sizes();
  shape[shape.size() - 1] = qs.size(0);
  rank = contiguous(expand(rank, shape));
  Tensor lo = to(floor(rank), DType::Int64, rank.device());
  Tensor hi = to(ceil(rank), DType::Int64, rank.device());
  Tensor result;
  if (interpolation == "lower") {
    result = gather(sorted, -1, lo);
  } else if (interpolation == "higher") {
    result = gather(sorted, -1, hi);
  } else if (interpolation == "nearest") {
    result = gather(sorted, -1, to(round(rank), DType::Int64, rank.device()));
  } else {
    Tensor vlo = gather(sorted, -1, lo), vhi = gather(sorted, -1, hi);
    result = interpolation == "midpoint" ? lerp(vlo, vhi, Scalar(0.5))
                                         : lerp(vlo, vhi, sub(rank, floor(rank)));
  }
  // (..., q) -> (q, ...), with the reduced dim(s) kept as size 1 when asked.
  result = movedim(result, {-1}, {0});
  if (keepdim) {
    if (dim) {
      result = unsqueeze(result, wrap_dim(*dim, self.dim()) + 1);
    } else {
      DimVector ones_shape(size_t(self.dim()) + 1, 1);
      ones_shape[0] = qs.size(0);
      result = reshape(result, ones_shape);
    }
  }
  return q.dim() == 0 ? squeeze(result, 0) : result;
}

namespace {

// Counts (or weights) of self's elements per bin of the increasing `edges`; the last bin is
// closed on the right and elements outside [edges[0], edges[-1]] are dropped.
std::pair<Tensor, Tensor> bin_counts(const Tensor& self, const Tensor& edges, const Tensor& weight,
                                     bool density) {
  CRESSET_CHECK(is_floating(self.dtype()), NotImplementedError,
                "\"histogramdd\" not implemented for '", dtype_display(self.dtype()), "'");
  CRESSET_CHECK(!weight.defined() || weight.sizes() == self.sizes(), RuntimeError,
                "histogram(): if weight tensor is provided it should have the same shape as the "
                "input tensor excluding its innermost dimension");
  const int64_t bins = edges.numel() - 1;
  Tensor x = flatten(self);
  Tensor e = contiguous(edges);
  Tensor bin = sub(searchsorted(e, contiguous(x), false, true), integer(1));
  Tensor at_end = eq(x, narrow(e, 0, bins, 1));
  bin = where(at_end, full_like(bin, Scalar(bins - 1), bin.dtype(), bin.device()), bin);
  Tensor inside = logical_and(ge(bin, integer(0)), lt(bin, integer(bins)));
  Tensor w = weight.defined() ? flatten(to(weight, self.dtype(), self.device()))
                              : ones_like(x);
  w = where(inside, w, zeros_like(w));
  bin = where(inside, bin, zeros_like(bin));
  Tensor hist = index_add(zeros({bins}, self.dtype(), self.device()), 0, bin, w);
  if (density) hist = div(hist, mul(sum(hist), diff(e)));
  return {hist, e};
}

}  // namespace

std::pair<Tensor, Tensor> histogram(const Tensor& self, int64_t bins,
                                    std::optional<std::pair<double, double>> range,
                                    const Tensor& weight, bool density) {
  CRESSET_CHECK(bins > 0, RuntimeError, "histogram(): bins must be > 0, but got ", bins,
                " for dimension 0");
  double lo, hi;
  if (range) {
    lo = range->first;
    hi = range->second;
  } else if (self.numel() > 0) {
    lo = min(self).item().to_double();
    hi = max(self).item().to_double();
  } else {
    lo = 0;
    hi = 1;
  }
  CRESSET_CHECK(lo <= hi, RuntimeError, "histogram(): min should not exceed max, but got min ",
                lo, " max ", hi, " for dimension 0");
  CRESSET_CHECK(std::isfinite(lo) && std::isfinite(hi), RuntimeError,
                "histogram(): range of [", lo, ", ", hi, "] is not finite");
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  Tensor edges = linspace(Scalar(lo), Scalar(hi), bins + 1, self.dtype(), self.device());
  return bin_counts(self, edges, weight, density);
}

std::pair<Tensor, Tensor> histogram(const Tensor& self, const Tensor& bin_edges,
                                    const Tensor& weight, bool density) {
  CRESSET_CHECK(bin_edges.dim() == 1 && bin_edges.numel() >= 1, RuntimeError,
                "histogram(): bins tensor should have one dimension and at least 1 element");
  CRESSET_CHECK(bin_edges.dtype() == self.dtype(), RuntimeError,
                "histogram(): bins tensor should have the same dtype as input");
  return bin_counts(self, bin_edges, weight, density);
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
