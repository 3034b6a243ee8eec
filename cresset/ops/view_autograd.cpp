// Autograd of the view family: recording views, their gradients, and in-place ops on views.
//
// Note [In-place on views]
// A view made by a recording op of a tensor that requires grad remembers its base (the tensor
// that is not itself a view; AutogradMeta::view_base) and the storage version at which its grad_fn
// was set. Two things follow, as in torch:
// - An in-place op on a view (`y.t().add_(1)`, `v = y[0]; v.mul_(2)`) changes the base too, so
//   record() does not make the view's node its grad_fn. It rebases the base instead: the base's
//   new grad_fn is a CopySlices node, whose backward takes the base's gradient, runs the in-place
//   op's backward on the view's part of it (found by the view's sizes, strides and offset in the
//   base's storage) and passes the rest through to the base's old history. The view's grad_fn
//   becomes an AsStridedBackward0 of the base's new history.
// - Any in-place op on the base or on another of its views bumps the shared storage version and
//   so makes a view's grad_fn stale; grad_fn()/gradient_edge() then give the view a fresh
//   AsStridedBackward0 of its base's current history first.
// Gradients that must land at a view's place in a larger tensor are computed in "storage
// space": a 1-D tensor over the storage positions that the base and view touch, in which both are
// as_strided views. All of it is written with recorded ops, so double backward works.
// Like torch, in-place ops are refused on views made in no_grad or inference mode or by ops
// returning several views (split, unbind), and on views of leaves that require grad. Views of tensors that do not
// require grad are tracked only once a recorded op writes them in place
// (track_view_written_in_place); torch tracks every view from the start.
#include "cresset/ops/view_autograd.h"

#include <algorithm>
#include <numeric>

#include "cresset/autograd/engine.h"
#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/elementwise.h"
#include "cresset/ops/index.h"
#include "cresset/ops/view.h"

namespace cresset::autograd {

namespace {

// A layout in a storage: what a view is, independent of the tensor object.
struct Geometry {
  DimVector sizes;
  DimVector strides;
  int64_t offset;
};

Geometry geometry(const Tensor& t) { return {t.sizes(), t.strides(), t.storage_offset()}; }

uint32_t storage_version(const Tensor& t) { return t.impl()->storage()->version(); }

// The storage positions [lo, hi) that a set of layouts touches (empty layouts touch none).
struct Extent {
  int64_t lo = 0;
  int64_t hi = 0;
};

Extent extent(std::initializer_list<const Geometry*> layouts) {
  Extent e;
  bool any = false;
  for (const Geometry* g : layouts) {
    if (shape_numel(g->sizes) == 0) continue;
    int64_t last = g->offset;
    for (size_t d = 0; d < g->sizes.size(); ++d) last += (g->sizes[d] - 1) * g->strides[d];
    e.lo = any ? std::min(e.lo, g->offset) : g->offset;
    e.hi = any ? std::max(e.hi, last + 1) : last + 1;
    any = true;
  }
  return e;
}

// True unless the layout provably reads every storage position at most once.
bool overlapping(const Geometry& g) {
  std::vector<size_t> dims;
  for (size_t d = 0; d < g.sizes.size(); ++d) {
    if (g.sizes[d] > 1) dims.push_back(d);
  }
  std::sort(dims.begin(), dims.end(),
            [&](size_t a, size_t b) { return g.strides[a] < g.strides[b]; });
  int64_t reach = 0;  // the largest offset the inner dims reach
  for (size_t d : dims) {
    if (g.strides[d] <= reach) return true;
    reach += (g.sizes[d] - 1) * g.strides[d];
  }
  return false;
}

// The view of layout `g` in a storage-space tensor whose element 0 is storage position `lo`.
ViewFn storage_view(const Geometry& g, int64_t lo) {
  int64_t rel = shape_numel(g.sizes) == 0 ? 0 : g.offset - lo;
  return [sizes = g.sizes, strides = g.strides, rel](const Tensor& t) {
    Tensor c = contiguous(t);
    return as_strided(c, sizes, strides, c.storage_offset() + rel);
  };
}

// True when `g` is exactly the contiguous layout of the storage space: then moving between the
// two is a reshape.
bool is_storage_space(const Geometry& g, const Extent& e) {
  return g.offset == e.lo && shape_numel(g.sizes) == e.hi - e.lo &&
         g.strides == contiguous_strides(g.sizes);
}

// The gradient of a tensor of layout `g` moved into storage space (g must not overlap).
Tensor to_storage(const Tensor& grad, const Geometry& g, const Extent& e) {
  if (is_storage_space(g, e)) return reshape(grad, {e.hi - e.lo});
  return view_embed("AsStridedBackwardBackward0", grad, {e.hi - e.lo}, storage_view(g, e.lo));
}

Tensor from_storage(const Tensor& storage, const Geometry& g, const Extent& e) {
  if (is_storage_space(g, e)) return reshape(storage, g.sizes);
  return storage_view(g, e.lo)(storage);
}

// torch's CopySlices: the base's node after an in-place op `fn` on one of its views. Its edges
// are fn's, with the one of the view itself (input `base_slot` of fn; appended when the view is
// not an input) replaced by the base's old history.
class CopySlices final : public Node {
 public:
  CopySlices(Geometry base, Geometry view, std::shared_ptr<Node> fn, size_t base_slot)
      : base_(std::move(base)), view_(std::move(view)), fn_(std::move(fn)), base_slot_(base_slot) {}

  std::string name() const override { return "torch::autograd::CopySlices"; }

  TensorList apply(TensorList&& grads) override {
    const Tensor& grad = grads[0];
    Extent e = extent({&base_, &view_});
    ViewFn view_fn = storage_view(view_, e.lo);
    Tensor storage = to_storage(grad, base_, e);
    TensorList out = fn_->apply({view_fn(storage)});
    out.resize(std::max(fn_->next_edges().size(), base_slot_ + 1));
    Tensor self_grad = out[base_slot_];
    if (!self_grad.defined()) self_grad = zeros(view_.sizes, grad.dtype(), grad.device());
    out[base_slot_] =
        from_storage(scatter_into_view("as_strided_scatter", "AsStridedScatterBackward0", storage,
                                       self_grad, view_fn, /*exact_shape=*/false),
                     base_, e);
    return out;
  }

  void release_saved() override {
    fn_->release_saved();
    mark_released();
  }

 private:
  Geometry base_;
  Geometry view_;
  std::shared_ptr<Node> fn_;
  size_t base_slot_;
};

// Makes the view's grad_fn an AsStridedBackward0 of its base's current history.
void regenerate_grad_fn(const Tensor& view, AutogradMeta& m) {
  Geometry base = geometry(m.view_base), v = geometry(view);
  auto node = make_node<FunctionNode>("AsStridedBackward0", [base, v](const Ctx& c) -> TensorList {
    return {as_strided_grad(c.grad(), base.sizes, base.strides, base.offset, v.sizes, v.strides,
                            v.offset)};
  });
  node->mutable_next_edges().push_back(gradient_edge(m.view_base));
  set_history(view, node);
  m.view_version = storage_version(view);
}

// "UnbindBackward0" -> "Unbind", as torch names an op in its view errors.
std::string op_name(const std::string& node_name) {
  size_t pos = node_name.rfind("Backward");
  return pos == std::string::npos ? node_name : node_name.substr(0, pos);
}

}  // namespace

void record_views(const char* name, const Tensor& self, const TensorList& outputs,
                  BackwardFn backward, ViewCreation creation) {
  if (!self.requires_grad()) return;
  // In inference mode a view of a tensor that requires grad requires grad too, without history,
  // and may not be modified in place once the mode is off (torch's INFERENCE_MODE views).
  bool inference = InferenceMode::is_enabled();
  bool grad = GradMode::is_enabled() && !inference;
  if (grad) record(name, {self}, outputs, {}, std::move(backward));
  AutogradMeta* self_meta = meta(self);
  Tensor base = self_meta && self_meta->view_base.defined() ? self_meta->view_base : self;
  for (const Tensor& out : outputs) {
    AutogradMeta& m = ensure_meta(out);
    m.view_base = base;
    m.view_version = storage_version(out);
    m.view_creation = grad ? creation : inference ? ViewCreation::InferenceMode
                                                  : ViewCreation::NoGradMode;
    if (inference) out.impl()->set_requires_grad(true);
  }
}

void record_view(const char* name, const Tensor& self, const Tensor& view, BackwardFn backward) {
  record_views(name, self, {view}, std::move(backward));
}

void record_inplace_view(const char* name, const Tensor& self, BackwardFn backward) {
  refresh_view_grad_fn(self);
  // Not a write to the storage: self's own history continues, the base's stays as it is.
  AutogradMeta* m = meta(self);
  Tensor base = m ? std::move(m->view_base) : Tensor();
  record(name, {self}, {self}, {}, std::move(backward));
  if (base.defined()) meta(self)->view_base = std::move(base);
}

Tensor views_embed(const char* name, const TensorList& srcs, const DimVector& sizes,
                   ViewsFn views_fn, bool overlapping) {
  const Tensor& first = srcs.front();
  Tensor out;
  {
    AutoGradMode off(false);
    if (!overlapping) {
      out = zeros(sizes, first.dtype(), first.device());
      TensorList slots = views_fn(out);
      for (size_t i = 0; i < srcs.size(); ++i) copy_into(slots[i], srcs[i]);
    } else {
      // Where each entry of a view comes from, as flat positions of the input; then add.
      int64_t n = shape_numel(sizes);
      Tensor pos = reshape(arange(0, n, 1, DType::Int64, first.device()), sizes);
      TensorList index = views_fn(pos);
      Tensor flat = zeros({n}, first.dtype(), first.device());
      for (size_t i = 0; i < srcs.size(); ++i) {
        flat = index_add(flat, 0, reshape(index[i], {-1}), reshape(srcs[i], {-1}));
      }
      out = reshape(flat, sizes);
    }
  }
  if (needs_grad(srcs)) {
    record(name, srcs, {out}, {}, [views_fn](const Ctx& c) { return views_fn(c.grad()); });
  }
  return out;
}

Tensor view_embed(const char* name, const Tensor& src, const DimVector& sizes, ViewFn view_fn,
                  bool overlapping) {
  return views_embed(
      name, {src}, sizes, [view_fn](const Tensor& t) { return TensorList{view_fn(t)}; },
      overlapping);
}

Tensor scatter_into_view(const char* op, const char* name, const Tensor& self, const Tensor& src,
                         const ViewFn& view_fn, bool exact_shape) {
  Tensor out;
  {
    AutoGradMode off(false);
    out = clone(self, MemoryFormat::Preserve);
    Tensor slot = view_fn(out);
    CRESSET_CHECK(!exact_shape || slot.sizes() == src.sizes(), RuntimeError, "[", op,
                  "] expected src to have a size equal to the slice of self. src size = ",
                  shape_str(src.sizes()), ", slice size = ", shape_str(slot.sizes()));
    copy_into(slot, src);
  }
  if (needs_grad({self, src})) {
    auto backward = [op, name, view_fn, exact_shape](const Ctx& c) -> TensorList {
      Tensor part = view_fn(c.grad());
      Tensor zero = zeros(part.sizes(), part.dtype(), part.device());
      return {scatter_into_view(op, name, c.grad(), zero, view_fn, exact_shape), part};
    };
    record(name, {self, src}, {out}, {}, backward);
  }
  return out;
}

void record_embedding(const char* name, const Tensor& self, const TensorList& outputs,
                      ViewsFn views_fn) {
  bool overlap = false;
  {
    AutoGradMode off(false);
    for (const Tensor& v : views_fn(self)) overlap = overlap || overlapping(geometry(v));
  }
  if (outputs.empty()) return;
  record(name, {self}, outputs, {},
         [name, views_fn, overlap, n = outputs.size(), sizes = self.sizes()](const Ctx& c) {
           TensorList grads;
           for (size_t i = 0; i < n; ++i) grads.push_back(c.grad(i));
           return TensorList{views_embed(name, grads, sizes, views_fn, overlap)};
         });
}

Tensor as_strided_grad(const Tensor& grad, const DimVector& in_sizes, const DimVector& in_strides,
                       int64_t in_offset, const DimVector& sizes, const DimVector& strides,
                       int64_t offset) {
  Geometry in{in_sizes, in_strides, in_offset}, out{sizes, strides, offset};
  Extent e = extent({&in, &out});
  Tensor storage = view_embed("AsStridedBackwardBackward0", grad, {e.hi - e.lo},
                              storage_view(out, e.lo), overlapping(out));
  if (overlapping(in)) {
    // Several input entries read each storage position (an expanded input): like torch, each
    // gets the position's gradient divided by how many of them read it.
    Tensor count;
    {
      AutoGradMode off(false);
      count = view_embed("AsStridedBackwardBackward0", ones(in.sizes, grad.dtype(), grad.device()),
                         {e.hi - e.lo}, storage_view(in, e.lo), true);
    }
    storage = div(storage, count);
  }
  return from_storage(storage, in, e);
}

void check_inplace(const Tensor& self) {
  check_inplace_on_view(self);  // first: a view made in inference mode is also a leaf
  CRESSET_CHECK(!(is_leaf(self) && self.requires_grad()), RuntimeError,
                "a leaf Variable that requires grad is being used in an in-place operation.");
}

void check_inplace_on_view(const Tensor& out) {
  AutogradMeta* m = meta(out);
  if (!m || !m->view_base.defined()) return;
  CRESSET_CHECK(m->view_creation != ViewCreation::MultipleOutputs, RuntimeError, "Output ",
                m->output_nr, " of ", op_name(m->grad_fn ? m->grad_fn->name() : "a function"),
                " is a view and is being modified inplace. This view is the output of a function "
                "that returns multiple views. Such functions do not allow the output views to be "
                "modified inplace. You should replace the inplace operation by an out-of-place "
                "one.");
  CRESSET_CHECK(m->view_creation != ViewCreation::InferenceMode, RuntimeError,
                "A view was created in inference mode and is being modified inplace in normal "
                "mode. Given that this use case is ambiguous and error-prone, it is forbidden. You "
                "can clarify your code by moving both the view and the inplace either both inside "
                "the inference_mode block (if you don't want the inplace to be tracked) or both "
                "outside (if you want the inplace to be tracked).");
  CRESSET_CHECK(m->view_creation != ViewCreation::NoGradMode, RuntimeError,
                "A view was created in no_grad mode and is being modified inplace with grad mode "
                "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. "
                "You can clarify your code by moving both the view and the inplace either both "
                "inside the no_grad block (if you don't want the inplace to be tracked) or both "
                "outside (if you want the inplace to be tracked).");
  CRESSET_CHECK(!(is_leaf(m->view_base) && m->view_base.requires_grad()), RuntimeError,
                "a view of a leaf Variable that requires grad is being used in an in-place "
                "operation.");
}

void track_view_written_in_place(const Tensor& out, TensorSpan inputs) {
  const std::shared_ptr<TensorImpl>& base = out.impl()->view_base();
  if (!base) return;
  AutogradMeta* m = meta(out);
  if (m && m->view_base.defined()) return;
  bool written = false;
  for (const Tensor& in : inputs) written = written || (in.defined() && in.is_same(out));
  if (!written) return;
  AutogradMeta& tracked = ensure_meta(out);
  tracked.view_base = Tensor(base);
  tracked.view_version = storage_version(out);
}

void rebase_view_history(const Tensor& out, const std::shared_ptr<Node>& node,
                         const TensorList& inputs) {
  AutogradMeta& m = *meta(out);
  Tensor base = m.view_base;
  size_t slot = 0;
  while (slot < inputs.size() && !(inputs[slot].defined() && inputs[slot].is_same(out))) ++slot;
  auto copy_slices = make_node<CopySlices>(geometry(base), geometry(out), node, slot);
  auto& edges = copy_slices->mutable_next_edges();
  edges = node->next_edges();
  edges.resize(std::max(edges.size(), slot + 1));
  edges[slot] = gradient_edge(base);
  if (AnomalyMode::is_enabled()) copy_slices->set_forward_trace(current_forward_trace());
  set_history(base, copy_slices);
  node->add_input_metadata(out);  // the gradient CopySlices hands it has the view's shape
  regenerate_grad_fn(out, m);
}

void refresh_view_grad_fn(const Tensor& view) {
  AutogradMeta* m = meta(view);
  if (!m || !m->view_base.defined() || m->view_version == storage_version(view)) return;
  if (m->view_creation == ViewCreation::NoGradMode ||
      m->view_creation == ViewCreation::InferenceMode || !view.requires_grad() ||
      !m->view_base.requires_grad()) {
    m->view_version = storage_version(view);
    return;
  }
  regenerate_grad_fn(view, *m);
}

}  // namespace cresset::autograd
