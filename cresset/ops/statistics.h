#pragma once
// Statistics and distances of torch's API written in other ops (autograd comes from them):
// covariance and correlation, p-norm distances, renorm and set membership.
#include <optional>
#include <string>
#include <utility>

#include "cresset/core/tensor.h"

namespace cresset {

/// torch.cov: the covariance of the rows (variables) of a matrix, observations in columns, with
/// optional integer frequency and float observation weights (undefined: none).
Tensor cov(const Tensor& self, int64_t correction = 1, const Tensor& fweights = Tensor(),
           const Tensor& aweights = Tensor());
/// torch.corrcoef: the Pearson correlation coefficients of the rows, clipped to [-1, 1].
Tensor corrcoef(const Tensor& self);
/// torch.dist: the p-norm of self - other (broadcast).
Tensor dist(const Tensor& self, const Tensor& other, double p = 2);
/// torch.cdist: p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M).
Tensor cdist(const Tensor& x1, const Tensor& x2, double p = 2);
/// torch.renorm: each slice along dim with p-norm above maxnorm scaled down to maxnorm.
Tensor renorm(const Tensor& self, double p, int64_t dim, double maxnorm);
Tensor renorm_(const Tensor& self, double p, int64_t dim, double maxnorm);
/// torch.quantile (ignore_nan: nanquantile): the q-th quantiles (q a 0-dim or 1-D tensor of
/// self's dtype) along dim (nullopt: the flattened input), interpolated per `interpolation`
/// (linear, lower, higher, midpoint, nearest); a 1-D q adds a leading dim.
Tensor quantile(const Tensor& self, const Tensor& q, std::optional<int64_t> dim, bool keepdim,
                const std::string& interpolation, bool ignore_nan);
/// torch.histogram with `bins` equal bins over [lo, hi] (the data's range when not given).
std::pair<Tensor, Tensor> histogram(const Tensor& self, int64_t bins,
                                    std::optional<std::pair<double, double>> range,
                                    const Tensor& weight = Tensor(), bool density = false);
/// torch.histogram with increasing bin edges.
std::pair<Tensor, Tensor> histogram(const Tensor& self, const Tensor& bin_edges,
                                    const Tensor& weight = Tensor(), bool density = false);
/// torch.isin: whether each element of `elements` is among `test_elements` (not: invert).
Tensor isin(const Tensor& elements, const Tensor& test_elements, bool invert = false);

}  // namespace cresset
