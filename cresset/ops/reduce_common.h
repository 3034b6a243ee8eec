#pragma once
// Helpers shared by ops/reduce.cpp and ops/sort.cpp: dim lists, output shapes, out= handling.
#include <optional>

#include "cresset/core/tensor.h"
#include "cresset/ops/view.h"

namespace cresset::reduce_detail {

/// Bit d set for every dim to reduce; nullopt or an empty list selects every dim. Wraps negative
/// dims (IndexError when out of range) and rejects repeats like torch.
uint64_t dims_mask(const std::optional<DimVector>& dims, int64_t ndim);
/// The mask of one dim (wrapped).
uint64_t dim_mask(int64_t dim, int64_t ndim);
/// `sizes` with the masked dims set to 1 (keepdim) or removed.
DimVector reduced_shape(const DimVector& sizes, uint64_t mask, bool keepdim);
/// IndexError "<op>(): Expected reduction dim d to have non-zero size." for an empty masked dim.
void check_nonempty_dims(const Tensor& in, uint64_t mask, const char* op);

/// Where a result of `shape` and `dtype` is written: `out` itself when it is usable as is
/// (defined, contiguous, same shape and dtype), otherwise a new contiguous tensor.
Tensor output_for(const Tensor& out, const DimVector& shape, DType dtype, Device device);
/// Whether op `op` (torch's name) must record its derivative: grad mode is on and `self` requires
/// grad. RuntimeError (torch's) when it must and `out` (or `out2`) is given.
bool wants_grad(const char* op, const Tensor& self, const Tensor& out = Tensor(),
                const Tensor& out2 = Tensor());
/// The same for an in-place op on `self`: RuntimeError for a leaf that requires grad (checked
/// before anything is written).
bool wants_grad_inplace(const Tensor& self);

/// Returns `result`, or out after writing result there (copy_out, unless the engine wrote into out
/// already). With `exact_dtype`, out's dtype must equal the result's (torch's check for most ops).
Tensor deliver(const Tensor& result, const Tensor& out, bool exact_dtype);

}  // namespace cresset::reduce_detail
