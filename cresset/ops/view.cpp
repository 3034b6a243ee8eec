// Views: ops that return a new layout over the input's storage (see Note [Views share storage]).
//
// Note [Views share storage]
// Every op here builds its result with Tensor::alias_view, so the result shares the storage
// and version counter of its input and writes through either are seen by both. The in-place
// forms (t_, squeeze_ ...) change the layout of the TensorImpl itself. Errors match torch's
// messages and exception types (IndexError for dims out of range).
//
// Note [View autograd]
// A view op of a tensor that requires grad records its node with record_view, which also tracks
// the result as a view of the input's base (see Note [In-place on views] in view_autograd.cpp).
// Backward formulas are views too where they can be (a transpose's gradient is the transposed
// gradient); views that pick entries (select, slice, diagonal, unfold, as_strided) put the
// gradient back in place with view_embed. The in-place forms check torch's in-place rules before
// changing the layout.
#include "cresset/ops/view.h"

#include <algorithm>
#include <numeric>

#include "cresset/autograd/engine.h"
#include "cresset/backend/copy.h"
#include "cresset/core/error.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

namespace {

// The layout of a view, built up before the view is made.
struct Layout {
  DimVector sizes;
  DimVector strides;
  int64_t offset;
};

Layout layout_of(const Tensor& t) { return {t.sizes(), t.strides(), t.storage_offset()}; }

Tensor make_view(const Tensor& self, Layout l) {
  return self.alias_view(std::move(l.sizes), std::move(l.strides), l.offset);
}

// In-place view ops change self's own layout.
Tensor set_layout(const Tensor& self, Layout l) {
  self.impl()->set_layout(std::move(l.sizes), std::move(l.strides), l.offset);
  return self;
}

// An in-place view op: checks torch's in-place rules, changes self's layout, records `name`.
template <typename Backward>
Tensor set_layout_recorded(const Tensor& self, Layout l, const char* name, Backward backward) {
  bool grad = autograd::needs_grad({self});
  if (grad) autograd::check_inplace(self);
  set_layout(self, std::move(l));
  if (grad) autograd::record_inplace_view(name, self, std::move(backward));
  return self;
}

// The gradient of a squeeze: size-1 dims put back at `removed` (ascending).
Tensor unsqueeze_dims(Tensor grad, const DimVector& removed) {
  for (int64_t d : removed) grad = unsqueeze(grad, d);
  return grad;
}

// The dims a squeeze with `drop` removes.
DimVector squeezed_dims(const Tensor& self, const std::vector<bool>& drop) {
  DimVector removed;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (drop[d] && self.sizes()[d] == 1) removed.push_back(d);
  }
  return removed;
}

autograd::TensorList squeeze_backward(const autograd::Ctx& c, const DimVector& removed) {
  return {unsqueeze_dims(c.grad(), removed)};
}

void check_as_strided(const Tensor& self, const DimVector& size, const DimVector& stride,
                      int64_t offset) {
  CRESSET_CHECK(size.size() == stride.size(), RuntimeError,
                "mismatch in length of strides and shape");
  for (size_t i = 0; i < stride.size(); ++i) {
    CRESSET_CHECK(stride[i] >= 0, RuntimeError,
                  "as_strided: Negative strides are not supported at the moment, got strides: ",
                  shape_str(stride));
    CRESSET_CHECK(size[i] >= 0, RuntimeError, "Trying to create tensor with negative dimension ",
                  size[i], ": ", shape_str(size));
  }
  CRESSET_CHECK(offset >= 0, RuntimeError, "Tensor: invalid storage offset ", offset);
  int64_t span = storage_span(size, stride);
  int64_t need = span == 0 ? 0 : (offset + span) * self.itemsize();
  int64_t have = int64_t(self.impl()->storage()->nbytes());
  CRESSET_CHECK(need <= have, RuntimeError, "setStorage: sizes ", shape_str(size), ", strides ",
                shape_str(stride), ", storage offset ", offset, ", and itemsize ", self.itemsize(),
                " requiring a storage size of ", need, " are out of bounds for storage of size ",
                have);
}

Layout squeeze_layout(const Tensor& self, const std::vector<bool>& drop) {
  Layout l{{}, {}, self.storage_offset()};
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (drop[d] && self.sizes()[d] == 1) continue;
    l.sizes.push_back(self.sizes()[d]);
    l.strides.push_back(self.strides()[d]);
  }
  return l;
}

std::vector<bool> dims_mask(const DimVector& dims, int64_t ndim) {
  std::vector<bool> mask(size_t(std::max<int64_t>(ndim, 1)), false);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, ndim);
    CRESSET_CHECK(!mask[w], RuntimeError, "dim ", w, " appears multiple times in the list of dims");
    mask[w] = true;
  }
  return mask;
}

Layout unsqueeze_layout(const Tensor& self, int64_t dim) {
  int64_t d = wrap_dim(dim, self.dim() + 1);
  Layout l = layout_of(self);
  int64_t stride = d >= self.dim() ? 1 : self.sizes()[d] * self.strides()[d];
  l.sizes.insert(d, 1);
  l.strides.insert(d, stride);
  return l;
}

Layout transpose_layout(const Tensor& self, int64_t dim0, int64_t dim1) {
  int64_t a = wrap_dim(dim0, self.dim()), b = wrap_dim(dim1, self.dim());
  Layout l = layout_of(self);
  if (self.dim() == 0) return l;
  std::swap(l.sizes[a], l.sizes[b]);
  std::swap(l.strides[a], l.strides[b]);
  return l;
}

void check_t(const Tensor& self) {
  CRESSET_CHECK(self.dim() <= 2, RuntimeError,
                "t() expects a tensor with <= 2 dimensions, but self is ", self.dim(), "D");
}

// Strides of the channels-last layouts (torch's get_channels_last_strides_2d/3d).
DimVector channels_last_strides(const DimVector& sizes) {
  size_t n = sizes.size();
  DimVector strides(n);
  strides[1] = 1;
  strides[n - 1] = sizes[1];
  for (size_t d = n - 1; d-- > 2;) strides[d] = strides[d + 1] * sizes[d + 1];
  strides[0] = strides[2] * sizes[2];
  return strides;
}

// The dims of a channels-last layout from fastest to slowest: C, then the spatial dims, then N.
DimVector channels_last_order(size_t ndim) {
  DimVector order{1};
  for (size_t d = ndim - 1; d >= 2; --d) order.push_back(int64_t(d));
  order.push_back(0);
  return order;
}

bool is_channels_last_contiguous(const Tensor& t) {
  int64_t expected = 1;
  for (int64_t d : channels_last_order(t.sizes().size())) {
    int64_t size = t.sizes()[d];
    if (size == 1) continue;
    if (t.strides()[d] != expected) return false;
    expected *= size;
  }
  return true;
}

// torch's is_channels_last_strides_2d/3d: strides ordered like channels-last (ambiguous layouts
// default to contiguous).
bool strides_like_channels_last(const DimVector& sizes, const DimVector& strides) {
  if (strides[1] == 0) return false;
  int64_t min = 0;
  for (int64_t d : channels_last_order(sizes.size())) {
    if (sizes[d] == 0 || strides[d] < min) return false;
    if (d == 0 && min == strides[1]) return false;
    min = strides[d];
    if (sizes[d] > 1) min *= sizes[d];
  }
  return true;
}

void check_format_rank(MemoryFormat format, int64_t ndim, const char* op) {
  CRESSET_CHECK(format != MemoryFormat::ChannelsLast || ndim == 4, RuntimeError, "[", op,
                "] required rank 4 tensor to use channels_last format");
  CRESSET_CHECK(format != MemoryFormat::ChannelsLast3d || ndim == 5, RuntimeError, "[", op,
                "] required rank 5 tensor to use channels_last_3d format");
}

}  // namespace

// ---- layout helpers ---------------------------------------------------------------------------

int64_t wrap_dim_strict(int64_t dim, int64_t ndim) {
  CRESSET_CHECK(ndim > 0, IndexError, "Dimension specified as ", dim,
                " but tensor has no dimensions");
  return wrap_dim(dim, ndim);
}

DimVector infer_size(const DimVector& sizes, int64_t numel) {
  DimVector res = sizes;
  int64_t newsize = 1;
  int64_t infer_dim = -1;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == -1) {
      CRESSET_CHECK(infer_dim < 0, RuntimeError, "only one dimension can be inferred");
      infer_dim = int64_t(d);
    } else {
      CRESSET_CHECK(sizes[d] >= 0, RuntimeError, "invalid shape dimension ", sizes[d], " at index ",
                    d, " of shape ", shape_str(sizes));
      newsize *= sizes[d];
    }
  }
  if (infer_dim >= 0) {
    CRESSET_CHECK((newsize > 0 && numel % newsize == 0) || numel == newsize, RuntimeError,
                  "shape '", shape_str(sizes), "' is invalid for input of size ", numel);
    CRESSET_CHECK(newsize != 0, RuntimeError, "cannot reshape tensor of 0 elements into shape ",
                  shape_str(sizes),
                  " because the unspecified dimension size -1 can be any value and is ambiguous");
    res[infer_dim] = numel / newsize;
    return res;
  }
  CRESSET_CHECK(numel == newsize, RuntimeError, "shape '", shape_str(sizes),
                "' is invalid for input of size ", numel);
  return res;
}

std::optional<DimVector> view_strides(const DimVector& old_sizes, const DimVector& old_strides,
                                      const DimVector& sizes) {
  if (old_sizes.empty()) return DimVector(sizes.size(), 1);
  int64_t numel = shape_numel(old_sizes);
  // With no elements the strides are arbitrary: keep them for the same shape, else use
  // contiguous ones (NumPy's rule).
  if (numel == 0 && old_sizes == sizes) return old_strides;
  DimVector strides(sizes.size());
  if (numel == 0) return contiguous_strides(sizes);
  // Walk the old dims from the innermost, in chunks that are contiguous among themselves; the new
  // dims must split each chunk exactly.
  int64_t view_d = int64_t(sizes.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = int64_t(old_sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_sizes[d];
    if (d == 0 ||
        (old_sizes[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || sizes[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

bool is_non_overlapping_and_dense(const DimVector& sizes, const DimVector& strides) {
  size_t n = sizes.size();
  if (n == 1) return sizes[0] < 2 || strides[0] == 1;
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  // Size-0/1 dims go last; the rest by increasing stride.
  std::sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
    if (sizes[a] < 2) return false;
    if (sizes[b] < 2) return true;
    return strides[a] < strides[b];
  });
  int64_t require = 1;
  for (int64_t d : perm) {
    if (sizes[d] < 2) return true;
    if (strides[d] != require) return false;
    require *= sizes[d];
  }
  return true;
}

namespace {

// The dims from innermost to outermost as torch's elementwise ops order them (stride-0 dims are
// ambiguous and keep their place).
std::vector<int64_t> dense_order(const DimVector& sizes, const DimVector& strides) {
  size_t n = sizes.size();
  std::vector<int64_t> perm(n);
  for (size_t i = 0; i < n; ++i) perm[i] = int64_t(n - 1 - i);
  // > 0 when dim a should sit outside dim b; stride-0 dims compare as ambiguous and stay put.
  auto should_swap = [&](int64_t a, int64_t b) {
    if (strides[a] == 0 || strides[b] == 0) return 0;
    if (strides[a] != strides[b]) return strides[a] < strides[b] ? -1 : 1;
    return sizes[a] > sizes[b] ? 1 : 0;
  };
  for (size_t i = 1; i < n; ++i) {
    size_t d1 = i;
    for (size_t j = 1; j <= i; ++j) {
      size_t d0 = i - j;
      int c = should_swap(perm[d0], perm[d1]);
      if (c > 0) {
        std::swap(perm[d0], perm[d1]);
        d1 = d0;
      } else if (c < 0) {
        break;
      }
    }
  }
  return perm;
}

}  // namespace

DimVector infer_dense_strides(const DimVector& sizes, const DimVector& strides) {
  DimVector out(sizes.size());
  int64_t cur = 1;
  for (int64_t d : dense_order(sizes, strides)) {
    out[d] = cur;
    if (sizes[d] > 1) cur *= sizes[d];
  }
  return out;
}

MemoryFormat suggest_memory_format(const Tensor& self) {
  int64_t nd = self.dim();
  if ((nd == 4 || nd == 5) && strides_like_channels_last(self.sizes(), self.strides())) {
    return nd == 4 ? MemoryFormat::ChannelsLast : MemoryFormat::ChannelsLast3d;
  }
  return MemoryFormat::Contiguous;
}

Tensor empty_format(const DimVector& sizes, MemoryFormat format, DType dtype, Device device) {
  check_format_rank(format, int64_t(sizes.size()), "empty");
  CRESSET_CHECK(format != MemoryFormat::Preserve, RuntimeError,
                "[empty] preserve_format needs a tensor to copy the layout of");
  if (format == MemoryFormat::Contiguous) return empty_tensor(sizes, dtype, device);
  return empty_strided_tensor(sizes, channels_last_strides(sizes), dtype, device);
}

Tensor empty_like_format(const Tensor& self, MemoryFormat format, std::optional<DType> dtype) {
  DType dt = dtype.value_or(self.dtype());
  const DimVector& sizes = self.sizes();
  if (format != MemoryFormat::Preserve) return empty_format(sizes, format, dt, self.device());
  return empty_strided_tensor(sizes, preserve_format_strides(self), dt, self.device());
}

DimVector preserve_format_strides(const Tensor& self) {
  if (is_non_overlapping_and_dense(self.sizes(), self.strides())) return self.strides();
  return infer_dense_strides(self.sizes(), self.strides());
}

// ---- primitive views --------------------------------------------------------------------------

namespace {

autograd::TensorList as_strided_backward(const autograd::Ctx& c, const Layout& in,
                                         const Layout& out) {
  return {autograd::as_strided_grad(c.grad(), in.sizes, in.strides, in.offset, out.sizes,
                                    out.strides, out.offset)};
}

Layout select_layout(const Tensor& self, int64_t dim, int64_t& index) {
  CRESSET_CHECK(self.dim() > 0, IndexError, "select() cannot be applied to a 0-dim tensor.");
  int64_t d = wrap_dim(dim, self.dim());
  int64_t size = self.sizes()[d];
  CRESSET_CHECK(index >= -size && index < size, IndexError, "select(): index ", index,
                " out of range for tensor of size ", shape_str(self.sizes()), " at dimension ", d);
  if (index < 0) index += size;
  Layout l = layout_of(self);
  l.offset += index * l.strides[d];
  l.sizes.erase(d);
  l.strides.erase(d);
  return l;
}

}  // namespace

Tensor as_strided(const Tensor& self, const DimVector& size, const DimVector& stride,
                  std::optional<int64_t> storage_offset) {
  int64_t offset = storage_offset.value_or(self.storage_offset());
  check_as_strided(self, size, stride, offset);
  Tensor out = self.alias_view(size, stride, offset);
  if (self.requires_grad()) {
    autograd::record_view("AsStridedBackward0", self, out,
                          [in = layout_of(self), l = layout_of(out)](const autograd::Ctx& c) {
                            return as_strided_backward(c, in, l);
                          });
  }
  return out;
}

Tensor as_strided_(const Tensor& self, const DimVector& size, const DimVector& stride,
                   std::optional<int64_t> storage_offset) {
  int64_t offset = storage_offset.value_or(self.storage_offset());
  check_as_strided(self, size, stride, offset);
  Layout l{size, stride, offset};
  return set_layout_recorded(self, l, "AsStridedBackward1",
                             [in = layout_of(self), l](const autograd::Ctx& c) {
                               return as_strided_backward(c, in, l);
                             });
}

Tensor select(const Tensor& self, int64_t dim, int64_t index) {
  Tensor out = make_view(self, select_layout(self, dim, index));
  if (self.requires_grad()) {
    int64_t d = wrap_dim(dim, self.dim());
    autograd::record_view("SelectBackward0", self, out,
                          [sizes = self.sizes(), d, index](const autograd::Ctx& c) {
                            return autograd::TensorList{autograd::view_embed(
                                "SelectBackwardBackward0", c.grad(), sizes,
                                [d, index](const Tensor& t) { return select(t, d, index); })};
                          });
  }
  return out;
}

Tensor slice(const Tensor& self, int64_t dim, std::optional<int64_t> start,
             std::optional<int64_t> end, int64_t step) {
  CRESSET_CHECK(self.dim() > 0, IndexError, "slice() cannot be applied to a 0-dim tensor.");
  int64_t d = wrap_dim(dim, self.dim());
  CRESSET_CHECK(step > 0, RuntimeError, "slice step must be positive");
  int64_t size = self.sizes()[d];
  auto clamp = [size](int64_t v) {
    if (v < 0) v += size;
    return std::min(std::max<int64_t>(v, 0), size);
  };
  int64_t b = clamp(start.value_or(0));
  int64_t e = std::max(clamp(end.value_or(size)), b);
  Layout l = layout_of(self);
  l.offset += b * l.strides[d];
  l.sizes[d] = (e - b + step - 1) / step;
  l.strides[d] *= step;
  Tensor out = make_view(self, std::move(l));
  if (self.requires_grad()) {
    autograd::record_view("SliceBackward0", self, out,
                          [sizes = self.sizes(), d, b, e, step](const autograd::Ctx& c) {
                            return autograd::TensorList{autograd::view_embed(
                                "SliceBackwardBackward0", c.grad(), sizes,
                                [d, b, e, step](const Tensor& t) { return slice(t, d, b, e, step); })};
                          });
  }
  return out;
}

Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length) {
  CRESSET_CHECK(self.dim() > 0, RuntimeError, "narrow() cannot be applied to a 0-dim tensor.");
  CRESSET_CHECK(length >= 0, RuntimeError, "narrow(): length must be non-negative.");
  int64_t d = wrap_dim(dim, self.dim());
  int64_t size = self.sizes()[d];
  CRESSET_CHECK(start >= -size && start <= size, IndexError,
                "start out of range (expected to be in range of [", -size, ", ", size,
                "], but got ", start, ")");
  if (start < 0) start += size;
  CRESSET_CHECK(start <= size - length, RuntimeError, "start (", start, ") + length (", length,
                ") exceeds dimension size (", size, ").");
  return slice(self, d, start, start + length, 1);
}

Tensor unsqueeze(const Tensor& self, int64_t dim) {
  Tensor out = make_view(self, unsqueeze_layout(self, dim));
  if (self.requires_grad()) {
    int64_t d = wrap_dim(dim, self.dim() + 1);
    autograd::record_view("UnsqueezeBackward0", self, out, [d](const autograd::Ctx& c) {
      return autograd::TensorList{squeeze(c.grad(), d)};
    });
  }
  return out;
}

Tensor unsqueeze_(const Tensor& self, int64_t dim) {
  int64_t d = wrap_dim(dim, self.dim() + 1);
  return set_layout_recorded(self, unsqueeze_layout(self, dim), "UnsqueezeBackward1",
                             [d](const autograd::Ctx& c) {
                               return autograd::TensorList{squeeze(c.grad(), d)};
                             });
}

namespace {

// squeeze and squeeze_ over the dims flagged in `drop`; `variant` picks torch's node name.
Tensor squeeze_impl(const Tensor& self, const std::vector<bool>& drop, bool inplace, int variant) {
  static const char* const kNames[] = {"SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward2",
                                       "SqueezeBackward3", "SqueezeBackward4", "SqueezeBackward5"};
  const char* name = kNames[variant + (inplace ? 3 : 0)];
  auto backward = [removed = squeezed_dims(self, drop)](const autograd::Ctx& c) {
    return squeeze_backward(c, removed);
  };
  if (inplace) return set_layout_recorded(self, squeeze_layout(self, drop), name, backward);
  Tensor out = make_view(self, squeeze_layout(self, drop));
  if (self.requires_grad()) autograd::record_view(name, self, out, backward);
  return out;
}

std::vector<bool> all_dims(const Tensor& self) {
  return std::vector<bool>(size_t(self.dim()), true);
}

}  // namespace

Tensor squeeze(const Tensor& self) { return squeeze_impl(self, all_dims(self), false, 0); }

Tensor squeeze(const Tensor& self, int64_t dim) {
  return squeeze_impl(self, dims_mask({dim}, self.dim()), false, 1);
}

Tensor squeeze(const Tensor& self, const DimVector& dims) {
  return squeeze_impl(self, dims_mask(dims, self.dim()), false, 2);
}

Tensor squeeze_(const Tensor& self) { return squeeze_impl(self, all_dims(self), true, 0); }

Tensor squeeze_(const Tensor& self, int64_t dim) {
  return squeeze_impl(self, dims_mask({dim}, self.dim()), true, 1);
}

Tensor squeeze_(const Tensor& self, const DimVector& dims) {
  return squeeze_impl(self, dims_mask(dims, self.dim()), true, 2);
}

Tensor expand(const Tensor& self, const DimVector& sizes) {
  int64_t ndim = int64_t(sizes.size()), tdim = self.dim();
  CRESSET_CHECK(ndim >= tdim, RuntimeError, "expand(", describe(self), ", size=", shape_str(sizes),
                "): the number of sizes provided (", ndim,
                ") must be greater or equal to the number of dimensions in the tensor (", tdim,
                ")");
  Layout l{DimVector(size_t(ndim)), DimVector(size_t(ndim)), self.storage_offset()};
  for (int64_t i = ndim - 1; i >= 0; --i) {
    int64_t off = ndim - 1 - i, d = tdim - 1 - off;
    int64_t size = d >= 0 ? self.sizes()[d] : 1;
    // A new leading dim steps over everything inside it (torch gives 0 when self is 0-dim).
    int64_t stride = d >= 0         ? self.strides()[d]
                     : i + 1 < ndim ? l.sizes[i + 1] * l.strides[i + 1]
                                    : 0;
    int64_t target = sizes[i];
    if (target == -1) {
      CRESSET_CHECK(d >= 0, RuntimeError, "The expanded size of the tensor (-1) isn't allowed in a "
                    "leading, non-existing dimension ", i);
      target = size;
    }
    if (size != target) {
      CRESSET_CHECK(size == 1, RuntimeError, "The expanded size of the tensor (", target,
                    ") must match the existing size (", size, ") at non-singleton dimension ", i,
                    ".  Target sizes: ", shape_str(sizes), ".  Tensor sizes: ",
                    shape_str(self.sizes()));
      CRESSET_CHECK(target >= 0, RuntimeError, "Trying to create tensor with negative dimension ",
                    target, ": ", shape_str(sizes));
      size = target;
      stride = 0;
    }
    l.sizes[i] = size;
    l.strides[i] = stride;
  }
  Tensor out = make_view(self, std::move(l));
  if (self.requires_grad()) {
    // Broadcasting is an expand: its gradient sums over the expanded dims.
    autograd::record_view("ExpandBackward0", self, out,
                          [shape = self.sizes()](const autograd::Ctx& c) {
                            return autograd::TensorList{autograd::sum_to(c.grad(), shape)};
                          });
  }
  return out;
}

Tensor expand_as(const Tensor& self, const Tensor& other) { return expand(self, other.sizes()); }

Tensor permute(const Tensor& self, const DimVector& dims) {
  int64_t nd = self.dim();
  CRESSET_CHECK(int64_t(dims.size()) == nd, RuntimeError,
                "permute(sparse_coo): number of dimensions in the tensor input does not match the "
                "length of the desired ordering of dimensions i.e. input.dim() = ",
                nd, " is not equal to len(dims) = ", dims.size());
  Layout l{DimVector(size_t(nd)), DimVector(size_t(nd)), self.storage_offset()};
  DimVector inverse(static_cast<size_t>(nd));
  std::vector<bool> seen(size_t(nd), false);
  for (int64_t i = 0; i < nd; ++i) {
    int64_t d = wrap_dim(dims[i], nd);
    CRESSET_CHECK(!seen[d], RuntimeError, "permute(): duplicate dims are not allowed.");
    seen[d] = true;
    l.sizes[i] = self.sizes()[d];
    l.strides[i] = self.strides()[d];
    inverse[d] = i;
  }
  Tensor out = make_view(self, std::move(l));
  if (self.requires_grad()) {
    autograd::record_view("PermuteBackward0", self, out, [inverse](const autograd::Ctx& c) {
      return autograd::TensorList{permute(c.grad(), inverse)};
    });
  }
  return out;
}

namespace {

// transpose, transpose_, t and t_ (named `name`): dims a and b swapped.
Tensor transpose_impl(const Tensor& self, int64_t dim0, int64_t dim1, bool inplace,
                      const char* name) {
  Layout l = transpose_layout(self, dim0, dim1);
  int64_t a = wrap_dim(dim0, self.dim()), b = wrap_dim(dim1, self.dim());
  auto backward = [a, b](const autograd::Ctx& c) {
    return autograd::TensorList{transpose(c.grad(), a, b)};
  };
  if (inplace) return set_layout_recorded(self, std::move(l), name, backward);
  Tensor out = make_view(self, std::move(l));
  if (self.requires_grad()) autograd::record_view(name, self, out, backward);
  return out;
}

}  // namespace

Tensor transpose(const Tensor& self, int64_t dim0, int64_t dim1) {
  return transpose_impl(self, dim0, dim1, false, "TransposeBackward0");
}

Tensor transpose_(const Tensor& self, int64_t dim0, int64_t dim1) {
  return transpose_impl(self, dim0, dim1, true, "TransposeBackward1");
}

Tensor t(const Tensor& self) {
  check_t(self);
  return transpose_impl(self, 0, self.dim() < 2 ? 0 : 1, false, "TBackward0");
}

Tensor t_(const Tensor& self) {
  check_t(self);
  return transpose_impl(self, 0, self.dim() < 2 ? 0 : 1, true, "TBackward1");
}

namespace {

// A view of self with another shape (the strides view() found), recorded as ViewBackward0.
Tensor reshape_view(const Tensor& self, DimVector shape, DimVector strides) {
  Tensor out = self.alias_view(std::move(shape), std::move(strides), self.storage_offset());
  if (self.requires_grad()) {
    autograd::record_view("ViewBackward0", self, out,
                          [sizes = self.sizes()](const autograd::Ctx& c) {
                            return autograd::TensorList{reshape(c.grad(), sizes)};
                          });
  }
  return out;
}

}  // namespace

Tensor view(const Tensor& self, const DimVector& sizes) {
  DimVector shape = infer_size(sizes, self.numel());
  std::optional<DimVector> strides = view_strides(self.sizes(), self.strides(), shape);
  CRESSET_CHECK(strides.has_value(), RuntimeError,
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
  return reshape_view(self, std::move(shape), std::move(*strides));
}

Tensor view_dtype(const Tensor& self, DType dtype) {
  int64_t from = self.itemsize(), to = itemsize(dtype);
  Layout l = layout_of(self);
  if (from != to) {
    std::string what = str_cat(" to view ", dtype_display(self.dtype()), " as ",
                               dtype_display(dtype), " (different element sizes)");
    int64_t nd = self.dim();
    CRESSET_CHECK(nd > 0, RuntimeError, "self.dim() cannot be 0", what);
    CRESSET_CHECK(l.strides[nd - 1] == 1, RuntimeError, "self.stride(-1) must be 1", what,
                  ", but got ", l.strides[nd - 1]);
    if (from > to) {
      int64_t ratio = from / to;
      for (int64_t d = 0; d < nd - 1; ++d) l.strides[d] *= ratio;
      l.sizes[nd - 1] *= ratio;
      l.offset *= ratio;
    } else {
      int64_t ratio = to / from;
      CRESSET_CHECK(l.sizes[nd - 1] % ratio == 0, RuntimeError,
                    "self.size(-1) must be divisible by ", ratio, what, ", but got ",
                    l.sizes[nd - 1]);
      CRESSET_CHECK(l.offset % ratio == 0, RuntimeError,
                    "self.storage_offset() must be divisible by ", ratio, what, ", but got ",
                    l.offset);
      for (int64_t d = 0; d < nd - 1; ++d) {
        CRESSET_CHECK(l.strides[d] % ratio == 0, RuntimeError, "self.stride(", d,
                      ") must be divisible by ", ratio, what, ", but got ", l.strides[d]);
        l.strides[d] /= ratio;
      }
      l.sizes[nd - 1] /= ratio;
      l.offset /= ratio;
    }
  }
  auto impl = std::make_shared<TensorImpl>(self.impl()->storage(), std::move(l.sizes),
                                           std::move(l.strides), l.offset, dtype);
  impl->set_inference(self.impl()->is_inference());  // not a view in torch's sense: no ._base
  return Tensor(std::move(impl));
}

Tensor reshape(const Tensor& self, const DimVector& sizes) {
  DimVector shape = infer_size(sizes, self.numel());
  std::optional<DimVector> strides = view_strides(self.sizes(), self.strides(), shape);
  if (strides) return reshape_view(self, std::move(shape), std::move(*strides));
  Tensor copy = clone(self, MemoryFormat::Contiguous);
  Tensor out = copy.as_strided_view(shape, contiguous_strides(shape), 0);
  // torch's _unsafe_view: the copy is private, so the result is not tracked as a view of it.
  if (autograd::needs_grad({copy})) {
    autograd::record("UnsafeViewBackward0", {copy}, {out}, {},
                     [sizes = copy.sizes()](const autograd::Ctx& c) -> autograd::TensorList {
                       return {reshape(c.grad(), sizes)};
                     });
  }
  return out;
}

bool is_contiguous(const Tensor& self, MemoryFormat format) {
  bool channels_last =
      format == MemoryFormat::ChannelsLast || format == MemoryFormat::ChannelsLast3d;
  if (channels_last && self.dim() != (format == MemoryFormat::ChannelsLast ? 4 : 5)) return false;
  return channels_last ? is_channels_last_contiguous(self) : self.is_contiguous();
}

Tensor contiguous(const Tensor& self, MemoryFormat format) {
  check_format_rank(format, self.dim(), "contiguous");
  if (is_contiguous(self, format)) return self;
  CRESSET_CHECK(format != MemoryFormat::Preserve, RuntimeError,
                "preserve memory format is unsupported by the contiguous operator");
  return clone(self, format);
}

Tensor clone(const Tensor& self, MemoryFormat format) {
  Tensor out = empty_like_format(self, format);
  copy_into(out, self);
  if (autograd::needs_grad({self})) {
    autograd::record("CloneBackward0", {self}, {out}, {},
                     [](const autograd::Ctx& c) -> autograd::TensorList { return {c.grad()}; });
  }
  return out;
}

Tensor flatten(const Tensor& self, int64_t start_dim, int64_t end_dim) {
  int64_t s = wrap_dim(start_dim, self.dim()), e = wrap_dim(end_dim, self.dim());
  CRESSET_CHECK(s <= e, RuntimeError,
                "flatten() has invalid args: start_dim cannot come after end_dim");
  if (self.dim() == 0) return reshape(self, {1});
  if (s == e) return self;
  DimVector shape;
  for (int64_t d = 0; d < s; ++d) shape.push_back(self.sizes()[d]);
  int64_t merged = 1;
  for (int64_t d = s; d <= e; ++d) merged *= self.sizes()[d];
  shape.push_back(merged);
  for (int64_t d = e + 1; d < self.dim(); ++d) shape.push_back(self.sizes()[d]);
  return reshape(self, shape);
}

// ---- more views -------------------------------------------------------------------------------

Tensor unflatten(const Tensor& self, int64_t dim, const DimVector& sizes) {
  int64_t d = wrap_dim(dim, self.dim());
  CRESSET_CHECK(!sizes.empty(), RuntimeError, "unflatten: sizes must be non-empty");
  int64_t size = self.dim() == 0 ? 1 : self.sizes()[d];
  DimVector inferred;
  try {
    inferred = infer_size(sizes, size);
  } catch (const RuntimeError&) {
    throw RuntimeError(str_cat("unflatten: Provided sizes ", shape_str(sizes),
                               " don't multiply up to the size of dim ", dim, " (", size,
                               ") in the input tensor"));
  }
  DimVector shape;
  for (int64_t i = 0; i < d; ++i) shape.push_back(self.sizes()[i]);
  for (int64_t v : inferred) shape.push_back(v);
  for (int64_t i = d + 1; i < self.dim(); ++i) shape.push_back(self.sizes()[i]);
  return view(self, shape);
}

Tensor ravel(const Tensor& self) { return view(contiguous(self), {-1}); }

Tensor movedim(const Tensor& self, const DimVector& source, const DimVector& destination) {
  int64_t nd = self.dim();
  CRESSET_CHECK(source.size() == destination.size(), RuntimeError,
                "movedim: Invalid source or destination dims: source (", shape_str(source),
                " dims) should contain the same number of dims as destination (",
                shape_str(destination), " dims)");
  DimVector src, dst;
  for (int64_t d : source) src.push_back(wrap_dim(d, nd));
  for (int64_t d : destination) dst.push_back(wrap_dim(d, nd));
  auto unique = [](const DimVector& v) {
    for (size_t i = 0; i < v.size(); ++i)
      for (size_t j = i + 1; j < v.size(); ++j)
        if (v[i] == v[j]) return false;
    return true;
  };
  CRESSET_CHECK(unique(src), RuntimeError, "movedim: repeated dim in `source` (", shape_str(source),
                ")");
  CRESSET_CHECK(unique(dst), RuntimeError, "movedim: repeated dim in `destination` (",
                shape_str(destination), ")");
  if (nd == 0) return alias(self);
  // Moved dims take their destinations; the rest fill the free positions in their old order.
  DimVector order(size_t(nd), -1);
  std::vector<bool> moved(size_t(nd), false);
  for (size_t i = 0; i < src.size(); ++i) {
    order[dst[i]] = src[i];
    moved[src[i]] = true;
  }
  int64_t next = 0;
  for (int64_t pos = 0; pos < nd; ++pos) {
    if (order[pos] >= 0) continue;
    while (moved[next]) ++next;
    order[pos] = next++;
  }
  return permute(self, order);
}

Tensor numpy_t(const Tensor& self) {
  DimVector dims;
  for (int64_t d = self.dim() - 1; d >= 0; --d) dims.push_back(d);
  return permute(self, dims);
}

namespace {
// The last two dims swapped; `what` names the op in the error ("tensor.mT" ...). A 0-dim tensor
// is returned as is (torch deprecates that case but allows it).
Tensor batch_transpose(const Tensor& self, const char* what) {
  if (self.dim() == 0) return self;
  CRESSET_CHECK(self.dim() >= 2, RuntimeError, what,
                " is only supported on matrices or batches of matrices. Got ", self.dim(),
                "-D tensor.");
  return transpose(self, -2, -1);
}
}  // namespace

Tensor matrix_t(const Tensor& self) { return batch_transpose(self, "tensor.mT"); }
Tensor matrix_h(const Tensor& self) { return batch_transpose(self, "tensor.mH"); }
Tensor adjoint(const Tensor& self) { return batch_transpose(self, "tensor.adjoint()"); }

Tensor conj_t(const Tensor& self) {
  if (self.dim() == 0) return self;
  CRESSET_CHECK(self.dim() == 2, RuntimeError,
                "tensor.H is only supported on matrices (2-D tensors). Got ", self.dim(),
                "-D tensor.",
                self.dim() > 2 ? " For batches of matrices, consider using tensor.mH" : "");
  return transpose(self, 0, 1);
}

Tensor diagonal(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  int64_t d1 = wrap_dim(dim1, self.dim()), d2 = wrap_dim(dim2, self.dim());
  CRESSET_CHECK(d1 != d2, RuntimeError, "diagonal dimensions cannot be identical ", dim1, ", ",
                dim2);
  Layout l = layout_of(self);
  int64_t s1 = l.sizes[d1], s2 = l.sizes[d2], st1 = l.strides[d1], st2 = l.strides[d2];
  int64_t n = offset >= 0 ? std::min(s1, s2 - offset) : std::min(s1 + offset, s2);
  n = std::max<int64_t>(n, 0);
  // An offset past the end leaves the storage offset alone (there are no elements).
  if (n > 0) l.offset += offset >= 0 ? offset * st2 : -offset * st1;
  l.sizes.erase(std::max(d1, d2));
  l.strides.erase(std::max(d1, d2));
  l.sizes.erase(std::min(d1, d2));
  l.strides.erase(std::min(d1, d2));
  l.sizes.push_back(n);
  l.strides.push_back(st1 + st2);
  Tensor out = make_view(self, std::move(l));
  if (self.requires_grad()) {
    autograd::record_view("DiagonalBackward0", self, out,
                          [sizes = self.sizes(), offset, d1, d2](const autograd::Ctx& c) {
                            return autograd::TensorList{diagonal_backward(c.grad(), sizes, offset,
                                                                          d1, d2)};
                          });
  }
  return out;
}

Tensor diagonal_backward(const Tensor& grad, const DimVector& input_sizes, int64_t offset,
                         int64_t dim1, int64_t dim2) {
  return autograd::view_embed("DiagonalBackwardBackward0", grad, input_sizes,
                              [offset, dim1, dim2](const Tensor& t) {
                                return diagonal(t, offset, dim1, dim2);
                              });
}

Tensor unfold(const Tensor& self, int64_t dimension, int64_t size, int64_t step) {
  int64_t d = wrap_dim(dimension, self.dim());
  int64_t max_size = self.dim() == 0 ? 1 : self.sizes()[d];
  CRESSET_CHECK(size <= max_size, RuntimeError, "maximum size for tensor at dimension ", d, " is ",
                max_size, " but size is ", size);
  CRESSET_CHECK(size >= 0, RuntimeError, "size is ", size, " but must be >= 0");
  CRESSET_CHECK(step > 0, RuntimeError, "step is ", step, " but must be > 0");
  Layout l = layout_of(self);
  l.sizes.push_back(size);
  l.strides.push_back(self.dim() == 0 ? 1 : l.strides[d]);
  if (self.dim() > 0) {
    l.sizes[d] = (l.sizes[d] - size) / step + 1;
    l.strides[d] *= step;
  }
  Tensor out = make_view(self, std::move(l));
  if (self.requires_grad()) {
    // Windows overlap when step < size: their gradients add up.
    autograd::record_view(
        "UnfoldBackward0", self, out, [sizes = self.sizes(), d, size, step](const autograd::Ctx& c) {
          return autograd::TensorList{autograd::view_embed(
              "UnfoldBackwardBackward0", c.grad(), sizes,
              [d, size, step](const Tensor& t) { return unfold(t, d, size, step); }, step < size)};
        });
  }
  return out;
}

Tensor alias(const Tensor& self) {
  Tensor out = make_view(self, layout_of(self));
  if (self.requires_grad()) {
    autograd::record_view("AliasBackward0", self, out, [](const autograd::Ctx& c) {
      return autograd::TensorList{c.grad()};
    });
  }
  return out;
}

DimVector dim_order(const Tensor& self) {
  int64_t n = self.dim();
  DimVector order(size_t(n), 0);
  for (int64_t d = 0; d < n; ++d) order[d] = d;
  bool contiguous = is_contiguous(self, MemoryFormat::Contiguous);
  // Like torch, only the 4-D channels-last layout has a shortcut (not channels_last_3d).
  bool channels_last = n == 4 && is_contiguous(self, MemoryFormat::ChannelsLast);
  if (contiguous && !channels_last) return order;
  // Both orders list the innermost dim first.
  DimVector inner = channels_last && !contiguous
                        ? channels_last_order(size_t(n))
                        : DimVector(dense_order(self.sizes(), self.strides()));
  for (int64_t d = 0; d < n; ++d) order[d] = inner[n - 1 - d];
  return order;
}

// detach never records: it is how a tensor leaves the graph.
Tensor detach(const Tensor& self) {
  return self.as_strided_view(self.sizes(), self.strides(), self.storage_offset());
}

Tensor detach_(const Tensor& self) {
  if (autograd::AutogradMeta* m = autograd::meta(self)) m->grad_fn = nullptr;
  self.impl()->set_requires_grad(false);
  return self;
}

DimVector broadcast_shapes(const std::vector<DimVector>& shapes) {
  size_t nd = 0;
  for (const DimVector& s : shapes) nd = std::max(nd, s.size());
  DimVector out(nd, 1);
  for (size_t k = 0; k < shapes.size(); ++k) {
    const DimVector& s = shapes[k];
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t size = s[s.size() - 1 - i];
      CRESSET_CHECK(size >= 0, RuntimeError, "Trying to create tensor with negative dimension ",
                    size, ": ", shape_str(s));
      int64_t& o = out[nd - 1 - i];
      if (size == o || size == 1) continue;
      CRESSET_CHECK(o == 1, RuntimeError, "Attempting to broadcast a dimension of length ", size,
                    " at -", i + 1, "! Mismatching argument at index ", k, " had ", shape_str(s),
                    "; but expected shape should be broadcastable to ", shape_str(out));
      o = size;
    }
  }
  return out;
}

std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& tensors) {
  DimVector shape;
  for (const Tensor& t : tensors) shape = broadcast_shapes(shape, t.sizes());
  std::vector<Tensor> out;
  for (const Tensor& t : tensors) out.push_back(t.sizes() == shape ? t : expand(t, shape));
  return out;
}

std::vector<Tensor> meshgrid(const std::vector<Tensor>& tensors, const std::string& indexing) {
  CRESSET_CHECK(!tensors.empty(), RuntimeError, "meshgrid expects a non-empty TensorList");
  for (const Tensor& t : tensors) {
    CRESSET_CHECK(t.dim() <= 1, RuntimeError, "torch.meshgrid: Expected 0D or 1D tensor in the "
                  "tensor list but got: ", describe(t));
    CRESSET_CHECK(t.dtype() == tensors[0].dtype(), RuntimeError,
                  "meshgrid expects all tensors to have the same dtype");
    CRESSET_CHECK(t.device() == tensors[0].device(), RuntimeError,
                  "meshgrid expects all tensors to have the same device");
  }
  CRESSET_CHECK(indexing == "ij" || indexing == "xy", RuntimeError,
                "torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: ",
                indexing);
  // "xy" is "ij" with the first two inputs (and outputs) swapped.
  std::vector<Tensor> in = tensors;
  bool swap = indexing == "xy" && in.size() >= 2;
  if (swap) std::swap(in[0], in[1]);
  DimVector shape;
  for (const Tensor& t : in) shape.push_back(t.numel());
  std::vector<Tensor> grids;
  for (size_t i = 0; i < in.size(); ++i) {
    DimVector view_shape(in.size(), 1);
    view_shape[i] = -1;
    grids.push_back(expand(view(in[i], view_shape), shape));
  }
  if (swap) std::swap(grids[0], grids[1]);
  return grids;
}

Tensor atleast_nd(const Tensor& self, int n) {
  int64_t nd = self.dim();
  if (nd >= n) return self;
  if (nd == 0) return reshape(self, DimVector(size_t(n), 1));
  if (nd == 1) return n == 2 ? unsqueeze(self, 0) : unsqueeze(unsqueeze(self, 0), -1);
  return unsqueeze(self, -1);
}

bool is_set_to(const Tensor& self, const Tensor& other) {
  return self.impl()->storage() == other.impl()->storage() &&
         self.storage_offset() == other.storage_offset() && self.sizes() == other.sizes() &&
         self.strides() == other.strides();
}

Tensor set_(const Tensor& self, const Tensor& source) {
  CRESSET_CHECK(self.dtype() == source.dtype(), RuntimeError,
                "Could not set tensor of type ", dtype_display(source.dtype()),
                " to a tensor of type ", dtype_display(self.dtype()));
  self.impl()->set_storage(source.impl()->storage());
  return set_layout(self, layout_of(source));
}

}  // namespace cresset
