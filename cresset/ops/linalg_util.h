#pragma once
// Layout helpers shared by ops/linalg.cpp and ops/einsum.cpp (internal to the linalg family).
#include <initializer_list>
#include <vector>

#include "cresset/core/out.h"
#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset::linalg_util {

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
/// Checks a user-given out tensor (check_out, then no internal overlap) or, when `out` is
/// undefined, allocates a contiguous result. Most linalg ops demand the exact dtype, as torch's do.
Tensor prepare_out(const char* op, const Tensor& out, const DimVector& sizes, DType dtype,
                   Device device, OutDtype rule = OutDtype::Exact);

/// Whether an op over `inputs` must be recorded (grad mode on, an input requires grad); throws
/// torch's error when `out` is also given then.
bool wants_grad(const char* op, std::initializer_list<TensorRef> inputs, const Tensor& out);
/// g * s, or g itself when s is 1 (torch's maybe_multiply in derivative formulas).
Tensor maybe_multiply(const Tensor& g, Scalar s);
/// t converted to dtype (a recorded conversion; t itself when it has that dtype already).
Tensor as_dtype(const Tensor& t, DType dtype);

/// Records `result` as the contraction of `operands` whose dims carry `labels` (a label repeated
/// within an operand takes its diagonal, labels missing from `output` are summed), the einsum
/// that einsum, tensordot and kron compute. Each operand's gradient is itself such a
/// contraction, so higher derivatives are recorded too. `output_sizes` are the sizes of the
/// labelled output when `result` is a reshape of it (kron); empty when it is result's own.
/// `name` null picks torch's name for an einsum of that form.
void record_contraction(const char* name, const std::vector<Tensor>& operands,
                        const std::vector<std::vector<int>>& labels, const std::vector<int>& output,
                        const DimVector& output_sizes, const Tensor& result);

}  // namespace cresset::linalg_util
