#pragma once
// Derivatives of the reduce family (ops/reduce_backward.cpp), torch's formulas written with ops so
// that they are recorded themselves under create_graph (double backward). Reduced dims are given
// as a mask (bit d: dim d, see reduce_detail::dims_mask); `keepdim` is the forward's.
#include <cstdint>

#include "cresset/core/tensor.h"

namespace cresset::reduce_detail {

/// The dims set in `mask`, ascending (an empty list for a 0-dim tensor: "every dim" to sum()).
DimVector mask_dims(uint64_t mask, int64_t ndim);
/// `t` (a reduction's result or gradient) with the reduced dims re-inserted as size 1, so that it
/// broadcasts against the input; `t` itself with keepdim.
Tensor restore_reduced_dims(const Tensor& t, int64_t ndim, uint64_t mask, bool keepdim);

/// max()/min()/median() of every element: the gradient split evenly among the elements equal to
/// `value` (NaN counting as equal to NaN).
Tensor evenly_distribute_backward(const Tensor& grad, const Tensor& input, const Tensor& value);
/// amax/amin/aminmax: each slice's gradient split evenly among its elements equal to `result`.
Tensor amax_backward(const Tensor& grad, const Tensor& input, const Tensor& result, uint64_t mask,
                     bool keepdim);
/// The values of max(dim), sort, topk, kthvalue, median(dim), mode: the gradient goes to the
/// selected positions `indices` along `dim` of an input of `sizes`.
Tensor value_selecting_backward(const Tensor& grad, int64_t dim, const Tensor& indices,
                                const DimVector& sizes, bool keepdim);
/// prod over `dim`, or over every element when `all`; exact where the input has zeros.
Tensor prod_backward(const Tensor& grad, const Tensor& input, const Tensor& result, int64_t dim,
                     bool all, bool keepdim);
/// var over `mask` (`all`: dim=None) with `correction`.
Tensor var_backward(const Tensor& grad, const Tensor& self, uint64_t mask, bool all,
                    double correction, bool keepdim);
/// std: var_backward of grad / (2 std), 0 where std is 0.
Tensor std_backward(const Tensor& grad, const Tensor& self, const Tensor& result, uint64_t mask,
                    bool all, double correction, bool keepdim);
/// linalg.vector_norm of order p (undefined for p = 0: no gradient).
Tensor norm_backward(const Tensor& grad, const Tensor& self, double p, const Tensor& norm,
                     uint64_t mask, bool keepdim);
/// logsumexp: grad * exp(self - result).
Tensor logsumexp_backward(const Tensor& grad, const Tensor& self, const Tensor& result,
                          uint64_t mask, bool keepdim);
/// cumsum along dim: the reversed cumulative sum of the gradient.
Tensor cumsum_backward(const Tensor& grad, int64_t dim);
/// cumprod along dim, exact where the input has zeros.
Tensor cumprod_backward(const Tensor& grad, const Tensor& input, const Tensor& output, int64_t dim);
/// cummax/cummin values: each gradient added at the index its value came from.
Tensor cummaxmin_backward(const Tensor& grad, const Tensor& indices, int64_t dim);
/// logcumsumexp along dim (torch's split into positive and negative gradients).
Tensor logcumsumexp_backward(const Tensor& grad, const Tensor& self, const Tensor& result,
                             int64_t dim);

/// Records node `name` for `values`, self's elements at `indices` along `dim` (max(dim), sort,
/// topk, kthvalue, median(dim), mode); keepdim says whether values keep `dim`.
void record_value_selection(const char* name, const Tensor& self, const Tensor& values,
                            const Tensor& indices, int64_t dim, bool keepdim);
/// Records node `name` for `result`, an element of self picked among equals (max(), median()).
void record_evenly_distributed(const char* name, const Tensor& self, const Tensor& result);

}  // namespace cresset::reduce_detail
