#pragma once
// The view family of ops (cresset/ops/view.cpp: views; cresset/ops/shape.cpp: ops that copy into a
// new layout, such as cat, flip, repeat, tril). A view shares its input's storage and version
// counter exactly when torch's does; dims are wrapped like torch (negative counts from the end).
#include <optional>
#include <vector>

#include "cresset/core/scalar.h"
#include "cresset/core/tensor.h"

namespace cresset {

/// torch.memory_format: the layout a copy gets.
enum class MemoryFormat { Preserve, Contiguous, ChannelsLast, ChannelsLast3d };

// ---- primitive views --------------------------------------------------------------------------

/// torch.as_strided: a view with any layout that stays inside the storage (offset defaults to
/// self's).
Tensor as_strided(const Tensor& self, const DimVector& size, const DimVector& stride,
                  std::optional<int64_t> storage_offset = std::nullopt);
/// Tensor.as_strided_: gives self that layout in place.
Tensor as_strided_(const Tensor& self, const DimVector& size, const DimVector& stride,
                   std::optional<int64_t> storage_offset = std::nullopt);
/// Tensor.select: index `index` of `dim`, which is removed.
Tensor select(const Tensor& self, int64_t dim, int64_t index);
/// self[start:end:step] along dim, with Python's clamping of start/end (step > 0).
Tensor slice(const Tensor& self, int64_t dim, std::optional<int64_t> start = std::nullopt,
             std::optional<int64_t> end = std::nullopt, int64_t step = 1);
/// Tensor.narrow: `length` entries of dim from `start` (which may be negative).
Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length);
/// Tensor.unsqueeze: a size-1 dim inserted at `dim` (in [-ndim-1, ndim]).
Tensor unsqueeze(const Tensor& self, int64_t dim);
Tensor unsqueeze_(const Tensor& self, int64_t dim);
/// Tensor.squeeze: every size-1 dim removed.
Tensor squeeze(const Tensor& self);
/// Tensor.squeeze(dims): the listed dims removed where their size is 1.
Tensor squeeze(const Tensor& self, const DimVector& dims);
Tensor squeeze_(const Tensor& self);
Tensor squeeze_(const Tensor& self, const DimVector& dims);
/// Tensor.expand: size-1 dims broadcast to `sizes` with stride 0; -1 keeps a size.
Tensor expand(const Tensor& self, const DimVector& sizes);
/// Tensor.expand_as: expand to other's shape.
Tensor expand_as(const Tensor& self, const Tensor& other);
/// Tensor.permute: dims reordered.
Tensor permute(const Tensor& self, const DimVector& dims);
/// Tensor.transpose: dims dim0 and dim1 swapped.
Tensor transpose(const Tensor& self, int64_t dim0, int64_t dim1);
Tensor transpose_(const Tensor& self, int64_t dim0, int64_t dim1);
/// Tensor.t: transpose of a tensor with at most 2 dims.
Tensor t(const Tensor& self);
Tensor t_(const Tensor& self);
/// Tensor.view: the same elements with another shape (one -1 is inferred); never copies.
Tensor view(const Tensor& self, const DimVector& sizes);
/// Tensor.view(dtype): the same bytes read as another dtype.
Tensor view_dtype(const Tensor& self, DType dtype);
/// Tensor.reshape: a view when view() could make one, otherwise a contiguous copy.
Tensor reshape(const Tensor& self, const DimVector& sizes);
/// Tensor.contiguous: self when already contiguous, otherwise a contiguous copy.
Tensor contiguous(const Tensor& self, MemoryFormat format = MemoryFormat::Contiguous);
/// Tensor.clone: a copy; Preserve keeps self's strides when dense and non-overlapping.
Tensor clone(const Tensor& self, MemoryFormat format = MemoryFormat::Preserve);
/// Tensor.flatten: dims start_dim..end_dim merged into one (self when they are the same dim).
Tensor flatten(const Tensor& self, int64_t start_dim = 0, int64_t end_dim = -1);

// ---- layout helpers ---------------------------------------------------------------------------

/// torch's infer_size: sizes with the one -1 resolved against numel; RuntimeError when invalid.
DimVector infer_size(const DimVector& sizes, int64_t numel);
/// The strides a view of `sizes` over (old_sizes, old_strides) needs, or nullopt when no view can
/// express it (torch's computeStride).
std::optional<DimVector> view_strides(const DimVector& old_sizes, const DimVector& old_strides,
                                      const DimVector& sizes);
/// True when the layout covers numel consecutive elements, each once, in some dim order.
bool is_non_overlapping_and_dense(const DimVector& sizes, const DimVector& strides);
/// The dense strides that keep the dim order of `strides` (torch's infer_dense_strides).
DimVector infer_dense_strides(const DimVector& sizes, const DimVector& strides);
/// An uninitialised tensor shaped like self, laid out per `format` (torch.empty_like).
Tensor empty_like_format(const Tensor& self, MemoryFormat format,
                         std::optional<DType> dtype = std::nullopt);
/// The memory format torch suggests for self (ChannelsLast for NHWC-strided 4-D, ...).
MemoryFormat suggest_memory_format(const Tensor& self);

}  // namespace cresset
