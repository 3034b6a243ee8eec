#pragma once
// Sorting and selection ops (cresset/ops/sort.cpp): sort, topk, kthvalue, median, mode, unique,
// bincount, histc. Equal values keep their original order and selections pick the lowest index
// among equals (see Note [Sort order]); `out` tensors follow the rules of ops/reduce.h.
#include <optional>
#include <utility>

#include "cresset/backend/common/reduce_plan.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.sort: (values, indices) along `dim`; always stable, whatever `stable` says. Giving
/// `stable` selects torch's sort.stable overload (its node is SortBackward1).
std::pair<Tensor, Tensor> sort(const Tensor& self, int64_t dim = -1, bool descending = false,
                               std::optional<bool> stable = std::nullopt,
                               const Tensor& out_values = Tensor(),
                               const Tensor& out_indices = Tensor());
/// torch.argsort: the indices of torch.sort.
Tensor argsort(const Tensor& self, int64_t dim = -1, bool descending = false, bool stable = false);
/// torch.topk: the k largest (or smallest) along `dim`, in sorted order.
std::pair<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim = -1, bool largest = true,
                               bool sorted = true, const Tensor& out_values = Tensor(),
                               const Tensor& out_indices = Tensor());
/// torch.kthvalue: the k-th smallest (k from 1) along `dim` and its index.
std::pair<Tensor, Tensor> kthvalue(const Tensor& self, int64_t k, int64_t dim = -1,
                                   bool keepdim = false, const Tensor& out_values = Tensor(),
                                   const Tensor& out_indices = Tensor());
/// torch.median(input): the lower median of all elements (NaN if any is NaN).
Tensor median(const Tensor& self);
/// torch.nanmedian(input): the lower median of the non-NaN elements.
Tensor nanmedian(const Tensor& self);
/// torch.median(input, dim): lower medians along `dim` and their indices.
std::pair<Tensor, Tensor> median(const Tensor& self, int64_t dim, bool keepdim = false,
                                 const Tensor& out_values = Tensor(),
                                 const Tensor& out_indices = Tensor());
/// torch.nanmedian(input, dim).
std::pair<Tensor, Tensor> nanmedian(const Tensor& self, int64_t dim, bool keepdim = false,
                                    const Tensor& out_values = Tensor(),
                                    const Tensor& out_indices = Tensor());
/// torch.mode: the most frequent value along `dim` (the smallest on ties) and its last index.
std::pair<Tensor, Tensor> mode(const Tensor& self, int64_t dim = -1, bool keepdim = false,
                               const Tensor& out_values = Tensor(),
                               const Tensor& out_indices = Tensor());
/// torch.unique: sorted unique elements (or slices along `dim`), each element's group
/// (inverse, shaped like the input, or like `dim` when given) and group sizes.
UniqueResult unique(const Tensor& self, std::optional<int64_t> dim = std::nullopt);
/// torch.unique_consecutive: like unique, merging only runs of equal neighbours.
UniqueResult unique_consecutive(const Tensor& self, std::optional<int64_t> dim = std::nullopt);
/// torch.bincount: counts (or summed weights) of each value of a 1-d non-negative integer tensor.
Tensor bincount(const Tensor& self, const Tensor& weights = Tensor(), int64_t minlength = 0);
/// torch.histc: a histogram with `bins` equal bins over [min, max] (the data's range when equal).
Tensor histc(const Tensor& self, int64_t bins = 100, double min = 0, double max = 0,
             const Tensor& out = Tensor());

}  // namespace cresset
