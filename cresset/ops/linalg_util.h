#pragma once
// Layout helpers shared by ops/linalg.cpp and ops/einsum.cpp (internal to the linalg family).
#include <vector>

#include "cresset/core/tensor.h"

namespace cresset::linalg_util {

/// The C++ type names torch prints in some dtype errors ("float", "long int", "c10::Half").
const char* cpp_type_name(DType t);
/// A view of t with other sizes and strides at t's storage offset.
Tensor restride(const Tensor& t, DimVector sizes, DimVector strides);
/// t broadcast to `sizes` (right-aligned, stride 0 where t has size 1 or lacks the dim); throws
/// torch's expand error otherwise.
Tensor expand_view(const Tensor& t, const DimVector& sizes);
/// The size and stride of t's `dims` (listed outermost first) read as one dim; false when they
/// don't step through memory as one (the size is set either way).
bool fold_dims(const Tensor& t, const std::vector<int64_t>& dims, int64_t* size, int64_t* stride);
/// A contiguous copy of t.
Tensor contiguous_copy(const Tensor& t);
/// Checks a user-given out tensor (dtype and device, then shape by resizing) or, when `out` is
/// undefined, allocates a contiguous result.
Tensor prepare_out(const char* op, const Tensor& out, const DimVector& sizes, DType dtype,
                   Device device);

}  // namespace cresset::linalg_util
