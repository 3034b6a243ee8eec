#pragma once
// The view family of ops (cresset/ops/view.cpp: views; split.cpp: splitting into views;
// shape.cpp: ops that copy into a new layout, such as cat, flip, repeat, tril). A view shares its
// input's storage and version counter exactly when torch's does; dims are wrapped like torch
// (negative counts from the end).
#include <functional>
#include <optional>
#include <string>
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
/// Tensor.squeeze(dim): dim removed when its size is 1.
Tensor squeeze(const Tensor& self, int64_t dim);
/// Tensor.squeeze(dims): the listed dims removed where their size is 1.
Tensor squeeze(const Tensor& self, const DimVector& dims);
Tensor squeeze_(const Tensor& self);
Tensor squeeze_(const Tensor& self, int64_t dim);
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
/// Tensor.is_contiguous(memory_format): whether self is dense in that format's dim order.
bool is_contiguous(const Tensor& self, MemoryFormat format);
/// Tensor.contiguous: self when already contiguous, otherwise a contiguous copy.
Tensor contiguous(const Tensor& self, MemoryFormat format = MemoryFormat::Contiguous);
/// Tensor.clone: a copy; Preserve keeps self's strides when dense and non-overlapping.
Tensor clone(const Tensor& self, MemoryFormat format = MemoryFormat::Preserve);
/// Tensor.flatten: dims start_dim..end_dim merged into one (self when they are the same dim).
Tensor flatten(const Tensor& self, int64_t start_dim = 0, int64_t end_dim = -1);

// ---- more views -------------------------------------------------------------------------------

/// Tensor.unflatten: dim split into `sizes` (one -1 is inferred).
Tensor unflatten(const Tensor& self, int64_t dim, const DimVector& sizes);
/// Tensor.ravel: a 1-D view when self is contiguous, else a contiguous 1-D copy.
Tensor ravel(const Tensor& self);
/// Tensor.movedim: dims `source` moved to positions `destination`, the others keeping their order.
Tensor movedim(const Tensor& self, const DimVector& source, const DimVector& destination);
/// Tensor.T: every dim reversed.
Tensor numpy_t(const Tensor& self);
/// Tensor.mT: the last two dims swapped (needs >= 2 dims; a 0-dim tensor is returned as is).
Tensor matrix_t(const Tensor& self);
/// Tensor.mH: the conjugate transpose of the last two dims (real dtypes have no conjugate).
Tensor matrix_h(const Tensor& self);
/// torch.adjoint: Tensor.mH with its own error message.
Tensor adjoint(const Tensor& self);
/// Tensor.H: the conjugate transpose of a matrix (2-D only).
Tensor conj_t(const Tensor& self);
/// Tensor.diagonal: the diagonal of dims dim1 and dim2 (removed) as a new last dim.
Tensor diagonal(const Tensor& self, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
/// diagonal's backward: zeros of input_sizes with `grad` on the diagonal (torch.diagonal_backward).
Tensor diagonal_backward(const Tensor& grad, const DimVector& input_sizes, int64_t offset,
                         int64_t dim1, int64_t dim2);
/// Tensor.unfold: every window of `size` entries along `dimension`, `step` apart, as a new last
/// dim.
Tensor unfold(const Tensor& self, int64_t dimension, int64_t size, int64_t step);
/// torch.alias: a new view of all of self (AliasBackward0); what x[...] returns.
Tensor alias(const Tensor& self);
/// Tensor.dim_order: self's dims from outermost to innermost in memory (torch's order for
/// ambiguous layouts).
DimVector dim_order(const Tensor& self);
/// Tensor.detach: a view that shares storage and never requires grad.
Tensor detach(const Tensor& self);
/// Tensor.detach_: stops self requiring grad.
Tensor detach_(const Tensor& self);
/// torch.broadcast_shapes over any number of shapes, with torch's error for a mismatch.
DimVector broadcast_shapes(const std::vector<DimVector>& shapes);
/// torch.broadcast_tensors: each tensor expanded to the common shape.
std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& tensors);
/// Tensor.split(int) (cresset/ops/split.cpp): pieces of `split_size` along dim (the last may be smaller).
std::vector<Tensor> split(const Tensor& self, int64_t split_size, int64_t dim = 0);
/// Tensor.split(list): pieces of the given sizes along dim.
std::vector<Tensor> split_with_sizes(const Tensor& self, const DimVector& split_sizes,
                                     int64_t dim = 0);
/// torch.tensor_split(int): `sections` nearly equal pieces.
std::vector<Tensor> tensor_split(const Tensor& self, int64_t sections, int64_t dim = 0);
/// torch.tensor_split(indices): pieces cut before each index (indices clamp like slices).
std::vector<Tensor> tensor_split_indices(const Tensor& self, const DimVector& indices,
                                         int64_t dim = 0);
/// torch.tensor_split(tensor): a 0-dim int64 tensor gives sections, a 1-D one indices.
std::vector<Tensor> tensor_split(const Tensor& self, const Tensor& indices_or_sections,
                                 int64_t dim = 0);
/// Tensor.chunk: `chunks` pieces of ceil(size / chunks) (fewer when they run out).
std::vector<Tensor> chunk(const Tensor& self, int64_t chunks, int64_t dim = 0);
/// Tensor.unbind: every index of dim, selected.
std::vector<Tensor> unbind(const Tensor& self, int64_t dim = 0);
/// torch.meshgrid: 0-D/1-D tensors expanded into grids; indexing is "ij" or "xy".
std::vector<Tensor> meshgrid(const std::vector<Tensor>& tensors, const std::string& indexing);
/// torch.atleast_1d/2d/3d: self viewed with at least n dims.
Tensor atleast_nd(const Tensor& self, int n);
/// Tensor.is_set_to: same storage, offset, sizes and strides.
bool is_set_to(const Tensor& self, const Tensor& other);
/// Tensor.set_(source): self becomes a view of source's storage with source's layout.
Tensor set_(const Tensor& self, const Tensor& source);

// ---- views written into copies, and views copied (cresset/ops/view_copy.cpp) -------------------

/// torch.slice_scatter: a copy of self (layout kept) with src written over the slice
/// self[start:end:step] along dim.
Tensor slice_scatter(const Tensor& self, const Tensor& src, int64_t dim = 0,
                     std::optional<int64_t> start = std::nullopt,
                     std::optional<int64_t> end = std::nullopt, int64_t step = 1);
/// torch.select_scatter: a copy of self with src written over self.select(dim, index).
Tensor select_scatter(const Tensor& self, const Tensor& src, int64_t dim, int64_t index);
/// torch.diagonal_scatter: a copy of self with src written over self.diagonal(offset, dim1, dim2).
Tensor diagonal_scatter(const Tensor& self, const Tensor& src, int64_t offset = 0,
                        int64_t dim1 = 0, int64_t dim2 = 1);
/// torch.as_strided_scatter: a copy of self with src written over the copy's as_strided view.
Tensor as_strided_scatter(const Tensor& self, const Tensor& src, const DimVector& size,
                          const DimVector& stride,
                          std::optional<int64_t> storage_offset = std::nullopt);
/// Tensor.fill_diagonal_: the main diagonal (all dims equal when more than 2) set to fill_value;
/// with wrap, a tall matrix's diagonal starts again every cols + 1 rows.
Tensor fill_diagonal_(const Tensor& self, Scalar fill_value, bool wrap = false);
/// The *_copy ops (torch.permute_copy, split_copy ...): each view `views` makes of self, copied
/// into a new contiguous tensor; recorded as one node `name` (torch's "PermuteBackward0_copy").
std::vector<Tensor> copy_views(const char* name, const Tensor& self,
                               const std::function<std::vector<Tensor>(const Tensor&)>& views);
/// torch.detach_copy: a contiguous copy of self; torch records it without a derivative.
Tensor detach_copy(const Tensor& self);
/// torch.unsafe_split and friends: the views `views` makes of self, as tensors that share its
/// storage without being tracked views (in-place ops on them are allowed), recorded as `name`.
std::vector<Tensor> unsafe_views(const char* name, const Tensor& self,
                                 const std::function<std::vector<Tensor>(const Tensor&)>& views);

// ---- conjugation of real tensors (cresset/ops/conj.cpp) ---------------------------------------

/// Tensor.conj_physical_: nothing to change in a real tensor, but recorded and versioned as a
/// write.
Tensor conj_physical_(const Tensor& self);
/// Tensor.imag: torch's RuntimeError (real dtypes have no imaginary part).
Tensor imag(const Tensor& self);

// ---- ops that copy (cresset/ops/shape.cpp) -----------------------------------------------------

/// torch.cat: tensors joined along dim, promoted to a common dtype. 1-D empty tensors are skipped
/// (torch's legacy rule).
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
/// torch.cat(out=): written into out (resized; the result type must cast to out's dtype).
Tensor cat_out(const std::vector<Tensor>& tensors, int64_t dim, const Tensor& out);
/// torch.stack: equal-shaped tensors joined along a new dim.
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack_out(const std::vector<Tensor>& tensors, int64_t dim, const Tensor& out);
/// torch.hstack / vstack / dstack / column_stack; `out` may be undefined.
Tensor hstack(const std::vector<Tensor>& tensors, const Tensor& out = Tensor());
Tensor vstack(const std::vector<Tensor>& tensors, const Tensor& out = Tensor());
Tensor dstack(const std::vector<Tensor>& tensors, const Tensor& out = Tensor());
Tensor column_stack(const std::vector<Tensor>& tensors, const Tensor& out = Tensor());
/// torch.flip: the order of entries reversed along each of dims.
Tensor flip(const Tensor& self, const DimVector& dims);
Tensor fliplr(const Tensor& self);
Tensor flipud(const Tensor& self);
/// torch.roll: entries shifted cyclically along dims (no dims: over the flattened tensor).
Tensor roll(const Tensor& self, const DimVector& shifts, const DimVector& dims);
/// torch.rot90: k quarter turns in the plane of dims, from the first towards the second.
Tensor rot90(const Tensor& self, int64_t k, const DimVector& dims);
/// Tensor.repeat: self tiled repeats[i] times along each dim (leading dims added).
Tensor repeat(const Tensor& self, const DimVector& repeats);
/// torch.tile: repeat, with dims padded with leading 1s when fewer than self's.
Tensor tile(const Tensor& self, const DimVector& dims);
/// torch.repeat_interleave(int): each entry repeated `repeats` times (dim none: flattened).
Tensor repeat_interleave(const Tensor& self, int64_t repeats, std::optional<int64_t> dim,
                         std::optional<int64_t> output_size);
/// torch.repeat_interleave(tensor): entry i repeated repeats[i] times.
Tensor repeat_interleave(const Tensor& self, const Tensor& repeats, std::optional<int64_t> dim,
                         std::optional<int64_t> output_size);
/// torch.repeat_interleave(repeats): index i repeated repeats[i] times.
Tensor repeat_interleave_indices(const Tensor& repeats, std::optional<int64_t> output_size);
/// torch.diag: a 1-D input as the `diagonal`-th diagonal of a square matrix; a matrix's diagonal.
Tensor diag(const Tensor& self, int64_t diagonal = 0);
Tensor diag_out(const Tensor& self, int64_t diagonal, const Tensor& out);
/// torch.diag_embed: the last dim as diagonals of new dims dim1 and dim2.
Tensor diag_embed(const Tensor& self, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1);
/// torch.tril / triu: entries above (below) the `diagonal`-th diagonal set to 0.
Tensor tril(const Tensor& self, int64_t diagonal = 0);
Tensor triu(const Tensor& self, int64_t diagonal = 0);
Tensor tril_(const Tensor& self, int64_t diagonal = 0);
Tensor triu_(const Tensor& self, int64_t diagonal = 0);
Tensor tril_out(const Tensor& self, int64_t diagonal, const Tensor& out);
Tensor triu_out(const Tensor& self, int64_t diagonal, const Tensor& out);

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
/// The strides preserve_format gives a copy of self: self's when dense, else dense in its order.
DimVector preserve_format_strides(const Tensor& self);
/// Wraps dim like wrap_dim, but a 0-dim tensor has no dim at all (IndexError, like torch's
/// maybe_wrap_dim with wrap_scalar=false).
int64_t wrap_dim_strict(int64_t dim, int64_t ndim);
/// An uninitialised tensor of `sizes` laid out per `format` (not Preserve).
Tensor empty_format(const DimVector& sizes, MemoryFormat format, DType dtype, Device device);
/// An uninitialised tensor shaped like self, laid out per `format` (torch.empty_like).
Tensor empty_like_format(const Tensor& self, MemoryFormat format,
                         std::optional<DType> dtype = std::nullopt);
/// The memory format torch suggests for self (ChannelsLast for NHWC-strided 4-D, ...).
MemoryFormat suggest_memory_format(const Tensor& self);

}  // namespace cresset
