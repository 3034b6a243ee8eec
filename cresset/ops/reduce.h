#pragma once
// The reduce family of ops (cresset/ops/reduce.cpp): reductions over dims and cumulative ops.
// Conventions, as torch's:
//  - `dim` lists the dims to reduce; std::nullopt (Python's None) and an empty list reduce all.
//  - `keepdim` keeps reduced dims with size 1.
//  - `out`, when defined, receives the result (resized when its shape differs) and is returned.
//  - A `dtype` casts the input before reducing; sum/prod/mean/cumsum take it from `out` when
//    unset, like torch.
// Ops returning (values, indices) return a std::pair.
#include <optional>
#include <utility>

#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// The dims argument of a reduction; nullopt means every dim.
using OptDims = std::optional<DimVector>;

/// The gradient of a reduction over the dims in `mask` (bit d: dim d) broadcast back to the
/// input's shape: reduced dims re-inserted (unless keepdim) and expanded. Used by backward formulas.
Tensor reduction_grad(const Tensor& grad, const DimVector& input_shape, uint64_t mask,
                      bool keepdim);
/// torch.sum: integral and bool inputs sum to int64.
Tensor sum(const Tensor& self, const OptDims& dim = std::nullopt, bool keepdim = false,
           std::optional<DType> dtype = std::nullopt, const Tensor& out = Tensor());
/// torch.nansum: sum treating NaN as zero.
Tensor nansum(const Tensor& self, const OptDims& dim = std::nullopt, bool keepdim = false,
              std::optional<DType> dtype = std::nullopt, const Tensor& out = Tensor());
/// torch.mean: needs a floating input or dtype.
Tensor mean(const Tensor& self, const OptDims& dim = std::nullopt, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt, const Tensor& out = Tensor());
/// torch.nanmean: mean of the non-NaN elements.
Tensor nanmean(const Tensor& self, const OptDims& dim = std::nullopt, bool keepdim = false,
               std::optional<DType> dtype = std::nullopt, const Tensor& out = Tensor());
/// torch.prod over one dim, or every dim when `dim` is nullopt.
Tensor prod(const Tensor& self, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt, const Tensor& out = Tensor());

/// torch.max(input): the largest element (NaN if any) as a 0-dim tensor.
Tensor max(const Tensor& self);
/// torch.min(input).
Tensor min(const Tensor& self);
/// torch.max(input, dim): the largest values along `dim` and their first indices.
std::pair<Tensor, Tensor> max(const Tensor& self, int64_t dim, bool keepdim = false,
                              const Tensor& out_values = Tensor(),
                              const Tensor& out_indices = Tensor());
/// torch.min(input, dim).
std::pair<Tensor, Tensor> min(const Tensor& self, int64_t dim, bool keepdim = false,
                              const Tensor& out_values = Tensor(),
                              const Tensor& out_indices = Tensor());
/// torch.amax: max over several dims (an empty list means all), values only.
Tensor amax(const Tensor& self, const DimVector& dim = {}, bool keepdim = false,
            const Tensor& out = Tensor());
/// torch.amin.
Tensor amin(const Tensor& self, const DimVector& dim = {}, bool keepdim = false,
            const Tensor& out = Tensor());
/// torch.aminmax: (min, max) over one dim or all.
std::pair<Tensor, Tensor> aminmax(const Tensor& self, std::optional<int64_t> dim = std::nullopt,
                                  bool keepdim = false, const Tensor& out_min = Tensor(),
                                  const Tensor& out_max = Tensor());
/// torch.argmax: index of the first largest element along `dim`, or in the flattened input.
Tensor argmax(const Tensor& self, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
              const Tensor& out = Tensor());
/// torch.argmin.
Tensor argmin(const Tensor& self, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
              const Tensor& out = Tensor());

/// torch.var with `correction` (1 is the unbiased estimate).
Tensor var(const Tensor& self, const OptDims& dim = std::nullopt, double correction = 1,
           bool keepdim = false, const Tensor& out = Tensor());
/// torch.std.
Tensor std_dev(const Tensor& self, const OptDims& dim = std::nullopt, double correction = 1,
               bool keepdim = false, const Tensor& out = Tensor());
/// torch.var_mean: (var, mean) in one pass.
std::pair<Tensor, Tensor> var_mean(const Tensor& self, const OptDims& dim = std::nullopt,
                                   double correction = 1, bool keepdim = false);
/// torch.std_mean.
std::pair<Tensor, Tensor> std_mean(const Tensor& self, const OptDims& dim = std::nullopt,
                                   double correction = 1, bool keepdim = false);

/// torch.linalg.vector_norm / torch.norm with a numeric p (inf and -inf included).
Tensor norm(const Tensor& self, double p = 2, const OptDims& dim = std::nullopt,
            bool keepdim = false, std::optional<DType> dtype = std::nullopt,
            const Tensor& out = Tensor());
/// torch's C++ at::norm(self, p, dim, keepdim), which its C++ composites (pairwise_distance) call:
/// norm recorded as NormBackward1.
Tensor at_norm(const Tensor& self, double p, const DimVector& dim, bool keepdim = false);
/// torch.logsumexp: log(sum(exp(x))) over `dim`, computed without overflow.
Tensor logsumexp(const Tensor& self, const DimVector& dim, bool keepdim = false,
                 const Tensor& out = Tensor());

/// torch.all: bool result (uint8 for uint8 inputs).
Tensor all(const Tensor& self, const OptDims& dim = std::nullopt, bool keepdim = false,
           const Tensor& out = Tensor());
/// torch.any.
Tensor any(const Tensor& self, const OptDims& dim = std::nullopt, bool keepdim = false,
           const Tensor& out = Tensor());
/// torch.count_nonzero: int64 counts.
Tensor count_nonzero(const Tensor& self, const OptDims& dim = std::nullopt);

/// torch.cumsum: integral and bool inputs accumulate to int64.
Tensor cumsum(const Tensor& self, int64_t dim, std::optional<DType> dtype = std::nullopt,
              const Tensor& out = Tensor());
/// Tensor.cumsum_: in place (returns self).
Tensor cumsum_(const Tensor& self, int64_t dim, std::optional<DType> dtype = std::nullopt);
/// torch.cumprod.
Tensor cumprod(const Tensor& self, int64_t dim, std::optional<DType> dtype = std::nullopt,
               const Tensor& out = Tensor());
/// Tensor.cumprod_.
Tensor cumprod_(const Tensor& self, int64_t dim, std::optional<DType> dtype = std::nullopt);
/// torch.cummax: running max and the index it came from (the last of equal values).
std::pair<Tensor, Tensor> cummax(const Tensor& self, int64_t dim,
                                 const Tensor& out_values = Tensor(),
                                 const Tensor& out_indices = Tensor());
/// torch.cummin.
std::pair<Tensor, Tensor> cummin(const Tensor& self, int64_t dim,
                                 const Tensor& out_values = Tensor(),
                                 const Tensor& out_indices = Tensor());
/// torch.logcumsumexp (floating inputs).
Tensor logcumsumexp(const Tensor& self, int64_t dim, const Tensor& out = Tensor());

}  // namespace cresset
