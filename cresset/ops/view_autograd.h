#pragma once
// Autograd of the view family: how view ops record, the gradients of views (embedding a
// gradient back into its input's shape) and the tracking of views so that in-place ops on them
// update their base's history (see Note [In-place on views] in view_autograd.cpp).
#include <functional>
#include <string>

#include "cresset/autograd/function.h"

namespace cresset::autograd {

/// A view op re-applied to another tensor (to a gradient, in a backward formula).
using ViewFn = std::function<Tensor(const Tensor&)>;
/// A view op with several results (split, unbind), re-applied to another tensor.
using ViewsFn = std::function<TensorList(const Tensor&)>;

/// Records `outputs`, views of `self`, as made by a node `name` and tracks them as views of
/// self's base. In no_grad mode it only marks views of tensors that require grad (so an in-place
/// op on them raises torch's error). Call after making the views, when self requires grad.
void record_views(const char* name, const Tensor& self, const TensorList& outputs,
                  BackwardFn backward, ViewCreation creation = ViewCreation::Default);
/// record_views for one output.
void record_view(const char* name, const Tensor& self, const Tensor& view, BackwardFn backward);
/// Records an in-place view op (t_, squeeze_ ...) that already changed self's layout: self's
/// history continues through the node and a view stays a view of the same base.
void record_inplace_view(const char* name, const Tensor& self, BackwardFn backward);

/// Zeros of `sizes` with `src` added where `view_fn` reads (view_fn(zeros) has src's shape;
/// `overlapping`: the view may read an entry more than once, whose gradients then add up).
/// Recorded as `name`, whose backward is view_fn itself.
Tensor view_embed(const char* name, const Tensor& src, const DimVector& sizes, ViewFn view_fn,
                  bool overlapping = false);

/// view_embed for several views at once: zeros of `sizes` with srcs[i] added where view i of
/// `views_fn` reads.
Tensor views_embed(const char* name, const TensorList& srcs, const DimVector& sizes,
                   ViewsFn views_fn, bool overlapping = false);
/// A copy of self (layout preserved) with the entries `view_fn` reads replaced by `src`, recorded
/// as `name` (the *_scatter ops `op`: SliceScatterBackward0 ...). With exact_shape, src must have
/// the view's shape (torch's RuntimeError); otherwise it only has to broadcast to it (CopySlices).
Tensor scatter_into_view(const char* op, const char* name, const Tensor& self, const Tensor& src,
                         const ViewFn& view_fn, bool exact_shape = true);
/// Records `outputs`, which hold the values of the views `views_fn` makes of self (copies or
/// untracked aliases), as made by one node `name` whose backward puts each gradient back where its
/// view reads (the *_copy ops and unsafe_split). Call only when self needs grad.
void record_embedding(const char* name, const Tensor& self, const TensorList& outputs,
                      ViewsFn views_fn);

/// torch.as_strided's backward: the gradient of an input with layout (in_sizes, in_strides,
/// in_offset) from the gradient of a view of the same storage with layout (sizes, strides,
/// offset).
Tensor as_strided_grad(const Tensor& grad, const DimVector& in_sizes, const DimVector& in_strides,
                       int64_t in_offset, const DimVector& sizes, const DimVector& strides,
                       int64_t offset);

/// torch's checks before an in-place op writes to self: self is not a leaf that requires grad,
/// nor a view that may not be modified in place (call only when the op will record).
void check_inplace(const Tensor& self);
/// Raises torch's errors when `out`, an output of an op being recorded, is a tracked view that
/// may not be modified in place. Called by record() before it builds the node.
void check_inplace_on_view(const Tensor& out);
/// Starts tracking `out` as a view of its base when it is an untracked view (made from a tensor
/// that did not require grad) that a recorded op writes in place (it is one of `inputs`): torch
/// tracks every view, so the base then gets the history (CopySlices).
void track_view_written_in_place(const Tensor& out, TensorSpan inputs);
/// Rebases the history of the base of view `out` after the in-place op `node` over `inputs`
/// wrote to it (torch's CopySlices); raises torch's errors for views that may not be modified.
void rebase_view_history(const Tensor& out, const std::shared_ptr<Node>& node,
                         const TensorList& inputs);
/// Gives a tracked view whose storage was modified since its grad_fn was set a fresh
/// AsStridedBackward0 from its base's current history (called by grad_fn / gradient_edge).
void refresh_view_grad_fn(const Tensor& view);

}  // namespace cresset::autograd
