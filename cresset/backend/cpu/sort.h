#pragma once
// CPU kernels of the sort family: sorting and selection along a dim, unique, bincount, histc.
// They compare keys with std::sort and friends, so they are compiled once (no per-ISA copies).
//
// Note [Sort order]
// Every comparison orders (value, index) pairs: values ascending (or descending) with NaN above
// every number, then original index ascending. That total order makes std::sort agree with a
// stable sort, and makes topk/kthvalue/median pick the lowest index among equal values.
#include "cresset/backend/common/reduce_plan.h"

namespace cresset::cpu {

/// Sorts every line of `in` along `dim` into `values` and `indices` (same shape; the two outputs
/// share strides).
void sort_kernel(const Tensor& in, int64_t dim, bool descending, const Tensor& values,
                 const Tensor& indices);

/// The k largest (or smallest) of every line along `dim`, sorted, into outputs whose `dim` has
/// size k (the two outputs share strides).
void topk_kernel(const Tensor& in, int64_t k, int64_t dim, bool largest, const Tensor& values,
                 const Tensor& indices);

/// Writes the picked value and its index for every line into keepdim-shaped outputs (sharing
/// strides); `indices` may be undefined.
void select_kernel(const Tensor& in, int64_t dim, SelectKind kind, int64_t k, const Tensor& values,
                   const Tensor& indices);

/// Unique elements of a 1-d contiguous tensor; with `consecutive` only runs of equal neighbours
/// merge (NaN never equals NaN).
UniqueResult unique_kernel(const Tensor& flat, bool consecutive);

/// Unique rows of a contiguous 2-d tensor (compared lexicographically); `values` holds the index
/// of one row per group, in group order.
UniqueResult unique_rows_kernel(const Tensor& rows, bool consecutive);

/// torch.bincount of a 1-d integral tensor of non-negative values; `weights` may be undefined.
Tensor bincount_kernel(const Tensor& in, const Tensor& weights, int64_t minlength);

/// torch.histc: counts of `in` in `bins` equal bins over [lo, hi] written into contiguous `out`.
void histc_kernel(const Tensor& in, int64_t bins, double lo, double hi, const Tensor& out);

}  // namespace cresset::cpu
