// Python-style indexing: x[...] reads and writes, aten::index and index_put_.
//
// Note [Basic and advanced indexing]
// An index expression is applied in two steps, as in torch. apply_slicing walks it left to right
// applying view ops (ints select, slices slice, None and Python bools unsqueeze, Ellipsis skips
// dims), which yields a view of self with the view ops' autograd history; tensor indices met on
// the way are recorded with the view dim they start at. Without tensor indices the view is the
// result (x[...] = v copies into it). Otherwise the view is advanced-indexed: bool masks become
// their nonzero coordinates (one int64 index per mask dim), all index tensors broadcast together,
// and if the indexed dims are not adjacent they move to the front. The result keeps the non-indexed
// dims and puts the broadcast index shape where the indexed dims were. The kernels see the view
// "restrided": the indexed dims replaced by the index shape with stride 0, plus one index operand
// per indexed dim whose value times that dim's stride is added to the address
// (make_advanced_index).
#include "cresset/ops/index.h"

#include <algorithm>
#include <limits>

#include "cresset/autograd/function.h"
#include "cresset/backend/copy.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/index_internal.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

using namespace index_detail;

Slice::Slice(std::optional<int64_t> start, std::optional<int64_t> stop,
             std::optional<int64_t> step)
    : start(start), stop(stop), step(step.value_or(1)) {
  CRESSET_CHECK(this->step != 0, ValueError, "slice step cannot be zero");
}

namespace {

bool is_mask(const Tensor& t) { return t.dtype() == DType::Bool || t.dtype() == DType::UInt8; }

// A tensor index recorded by apply_slicing (or index()): the view dim it starts at. `trusted`
// indices were made by us in range (Python bools) and skip the range check.
struct TensorSlot {
  int64_t dim;
  Tensor index;
  bool trusted;
};

struct Sliced {
  Tensor view;
  std::vector<TensorSlot> tensors;
};

// torch's boolToIndexingTensor: x[True] indexes a new size-1 dim with [0], x[False] with [].
Tensor bool_index(bool b, Device device) { return zeros({b ? 1 : 0}, DType::Int64, device); }

int64_t count_specified_dims(const std::vector<TensorIndex>& indices) {
  int64_t n = 0;
  for (const TensorIndex& i : indices) {
    switch (i.kind()) {
      case TensorIndex::Kind::Int:
      case TensorIndex::Kind::Slice:
        ++n;
        break;
      case TensorIndex::Kind::Tensor:
        n += is_mask(i.tensor()) ? i.tensor().dim() : 1;
        break;
      default:
        break;
    }
  }
  return n;
}

// See Note [Basic and advanced indexing]. The view is made by the view ops (select, slice,
// unsqueeze), which record their own backward. Like torch's applySlicing, a slice that keeps a
// whole dim is skipped, except in reads x[a:b] (with `slice_lone`: torch's Python fast path for a
// lone slice in __getitem__ always slices).
Sliced apply_slicing(const Tensor& self, const std::vector<TensorIndex>& indices, bool slice_lone) {
  const int64_t ndim = self.dim();
  const int64_t specified = count_specified_dims(indices);
  CRESSET_CHECK(specified <= ndim, IndexError, "[index] too many indices for tensor of dimension ",
                ndim);
  const bool lone = slice_lone && indices.size() == 1;
  Sliced r{self, {}};
  int64_t dim = 0, real_dim = 0;  // position in the view, and in self (for messages)

  // Several Ellipses can push `dim` past the last dim; torch then raises IndexErrors too.
  auto select_at = [&](int64_t i) {
    const int64_t size = dim < r.view.dim() ? r.view.sizes()[dim] : 0;
    CRESSET_CHECK(i >= -size && i < size, IndexError, "[index] index ", i,
                  " is out of bounds for dimension ", real_dim, " with size ", size);
    r.view = select(r.view, dim, i);
    ++real_dim;
  };
  auto unsqueeze_at = [&] {
    const int64_t n = r.view.dim();
    CRESSET_CHECK(dim <= n, IndexError,
                  "[index] Dimension out of range (expected to be in range of [", -n - 1, ", ", n,
                  "], but got ", dim, ")");
    r.view = unsqueeze(r.view, dim);
  };
  auto new_bool_dim = [&](bool b) {
    unsqueeze_at();
    r.tensors.push_back({dim, bool_index(b, self.device()), true});
    ++dim;
  };

  for (const TensorIndex& idx : indices) {
    switch (idx.kind()) {
      case TensorIndex::Kind::Int:
        select_at(idx.integer());
        break;
      case TensorIndex::Kind::Slice: {
        const Slice& s = idx.slice();
        CRESSET_CHECK(s.step > 0, ValueError, "[index] step must be greater than zero");
        if (dim >= r.view.dim()) {  // past the last dim only a full slice is a no-op
          CRESSET_CHECK(!s.start && !s.stop && s.step == 1, IndexError,
                        "[index] too many indices for tensor of dimension ", ndim);
        } else {
          const bool whole =
              s.start.value_or(0) == 0 && s.step == 1 &&
              s.stop.value_or(std::numeric_limits<int64_t>::max()) >= r.view.sizes()[dim];
          if (lone || !whole) r.view = slice(r.view, dim, s.start, s.stop, s.step);
        }
        ++dim;
        ++real_dim;
        break;
      }
      case TensorIndex::Kind::Ellipsis:
        dim += ndim - specified;
        real_dim += ndim - specified;
        break;
      case TensorIndex::Kind::None:
        unsqueeze_at();
        ++dim;
        break;
      case TensorIndex::Kind::Bool:
        new_bool_dim(idx.boolean());
        break;
      case TensorIndex::Kind::Tensor: {
        const Tensor& t = idx.tensor();
        // A 0-dim integer tensor acts like an int; a 0-dim bool like a Python bool.
        if (t.dim() == 0 && is_integral(t.dtype(), /*include_bool=*/true)) {
          if (is_mask(t)) {
            new_bool_dim(item_scalar(t).to_bool());
          } else {
            select_at(item_scalar(t).to_int());
          }
          break;
        }
        r.tensors.push_back({dim, t, false});
        const int64_t k = is_mask(t) ? t.dim() : 1;
        dim += k;
        real_dim += k;
        break;
      }
    }
  }
  return r;
}

// Turns recorded slots into one int64 index (or nothing) per view dim: masks become the columns of
// their nonzero coordinates.
std::vector<Tensor> expand_slots(const Tensor& view, const std::vector<TensorSlot>& slots,
                                 std::vector<char>& trusted) {
  std::vector<Tensor> per_dim(size_t(view.dim()));
  trusted.assign(per_dim.size(), 0);
  for (const TensorSlot& slot : slots) {
    const Tensor& t = slot.index;
    const int64_t covers = is_mask(t) ? t.dim() : 1;
    CRESSET_CHECK(slot.dim + covers <= view.dim(), IndexError,
                  "[index] too many indices for tensor of dimension ", view.dim(), " (got ",
                  slot.dim + covers, ")");
    if (!is_mask(t)) {
      CRESSET_CHECK(t.dtype() == DType::Int64 || t.dtype() == DType::Int32, IndexError,
                    "[index] tensors used as indices must be long, int, byte or bool tensors");
      per_dim[slot.dim] = as_int64(t);
      trusted[slot.dim] = slot.trusted;
      continue;
    }
    const int64_t k = t.dim();
    for (int64_t j = 0; j < k; ++j) {
      CRESSET_CHECK(t.sizes()[j] == view.sizes()[slot.dim + j], IndexError,
                    "[index] The shape of the mask ", shape_str(t.sizes()), " at index ", j,
                    " does not match the shape of the indexed tensor ", shape_str(view.sizes()),
                    " at index ", slot.dim + j);
    }
    Tensor coords = nonzero(t.dtype() == DType::Bool ? t : cast_tensor(t, DType::Bool));
    const int64_t n = coords.sizes()[0];
    for (int64_t j = 0; j < k; ++j) {
      per_dim[slot.dim + j] = coords.as_strided_view(
          {n}, {coords.strides()[0]}, coords.storage_offset() + j * coords.strides()[1]);
      trusted[slot.dim + j] = 1;
    }
  }
  return per_dim;
}

// A view restrided for the index kernels plus its index operands (Note [Basic and advanced
// indexing]).
struct AdvancedIndex {
  Tensor src;
  std::vector<Tensor> indices;
  IndexedDims dims;
};

AdvancedIndex make_advanced_index(Tensor view, std::vector<Tensor> per_dim,
                                  std::vector<char> trusted) {
  const int64_t ndim = view.dim();
  // Like torch, CPU indices of a CUDA tensor move to its device (x_cuda[cpu_index] works).
  for (Tensor& t : per_dim) {
    if (t.defined() && t.device().is_cpu() && view.device().is_cuda()) {
      Tensor moved = empty_tensor(t.sizes(), t.dtype(), view.device());
      copy_into(moved, t);
      t = moved;
    }
  }
  // Broadcast the index tensors together.
  DimVector shape;
  try {
    for (const Tensor& t : per_dim) {
      if (t.defined()) shape = broadcast_shapes(shape, t.sizes());
    }
  } catch (const RuntimeError&) {
    std::string shapes;
    for (const Tensor& t : per_dim) {
      if (!t.defined()) continue;
      shapes += (shapes.empty() ? "" : ", ") + shape_str(t.sizes());
    }
    throw IndexError(
        str_cat("[index] shape mismatch: indexing tensors could not be broadcast "
                "together with shapes ",
                shapes));
  }

  // Indexed dims separated by a non-indexed one move to the front, in order.
  int64_t first = -1, last = -1, count = 0;
  for (int64_t d = 0; d < ndim; ++d) {
    if (!per_dim[d].defined()) continue;
    if (first < 0) first = d;
    last = d;
    ++count;
  }
  if (last - first + 1 != count) {
    std::vector<int64_t> order;
    for (int pass = 0; pass < 2; ++pass) {
      for (int64_t d = 0; d < ndim; ++d) {
        if (per_dim[d].defined() == (pass == 0)) order.push_back(d);
      }
    }
    const size_t n = static_cast<size_t>(ndim);
    DimVector sizes(n), strides(n);
    std::vector<Tensor> moved(n);
    std::vector<char> moved_trusted(n);
    for (int64_t i = 0; i < ndim; ++i) {
      sizes[i] = view.sizes()[order[i]];
      strides[i] = view.strides()[order[i]];
      moved[i] = per_dim[order[i]];
      moved_trusted[i] = trusted[order[i]];
    }
    view = view.as_strided_view(sizes, strides, view.storage_offset());
    per_dim = std::move(moved);
    trusted = std::move(moved_trusted);
    first = 0;
  }
  std::vector<int64_t> sizes_k(static_cast<size_t>(count)), strides_k(static_cast<size_t>(count));
  bool indexes_empty_dim = false;
  for (int64_t k = 0; k < count; ++k) {
    sizes_k[k] = view.sizes()[first + k];
    strides_k[k] = view.strides()[first + k] * view.itemsize();
    indexes_empty_dim |= sizes_k[k] == 0;
  }
  CRESSET_CHECK(!indexes_empty_dim || shape_numel(shape) == 0, IndexError,
                "[index] index is out of bounds for dimension with size 0");
  // Like torch, whose kernels check indices as they read them: nothing is checked when the
  // result is empty.
  int64_t result_numel = shape_numel(shape);
  for (int64_t d = 0; d < ndim; ++d) {
    if (d < first || d >= first + count) result_numel *= view.sizes()[d];
  }
  for (int64_t k = 0; k < count && result_numel > 0; ++k) {
    const Tensor& t = per_dim[first + k];
    if (trusted[first + k]) continue;
    if (auto bad = find_out_of_range(t, -sizes_k[k], sizes_k[k])) {
      throw IndexError(str_cat("[index] index ", *bad, " is out of bounds for dimension ", k,
                               " with size ", sizes_k[k]));
    }
  }

  AdvancedIndex ai;
  std::vector<Tensor> operands(per_dim.begin() + first, per_dim.begin() + first + count);
  if (count <= IndexedDims::kMax) {
    ai.dims.count = int(count);
    std::copy(sizes_k.begin(), sizes_k.end(), ai.dims.sizes);
    std::copy(strides_k.begin(), strides_k.end(), ai.dims.strides);
  } else {
    // More indices than the iterator has operands: fold them into one tensor of byte offsets.
    Tensor offsets = zeros(shape, DType::Int64, view.device());
    for (int64_t k = 0; k < count; ++k) {
      TensorIter it = TensorIterConfig("index")
                          .add_output(offsets)
                          .add_input(operands[k])
                          .promote_inputs(false)
                          .output_dtype(DType::Int64)
                          .is_inplace(true)
                          .build();
      if (it.numel() == 0) continue;
      if (view.device().is_cpu()) {
        cpu::index_offsets_kernel(it, sizes_k[k], strides_k[k]);
      } else {
        cuda::index_offsets_kernel(it, sizes_k[k], strides_k[k]);
      }
    }
    ai.dims.count = 1;
    ai.dims.sizes[0] = 0;  // offsets are never negative, nothing to wrap
    ai.dims.strides[0] = 1;
    operands = {offsets};
  }

  // src: the dims before, the broadcast index shape (stride 0), the dims after.
  DimVector src_sizes, src_strides;
  for (int64_t d = 0; d < first; ++d) {
    src_sizes.push_back(view.sizes()[d]);
    src_strides.push_back(view.strides()[d]);
  }
  for (int64_t s : shape) {
    src_sizes.push_back(s);
    src_strides.push_back(0);
  }
  for (int64_t d = first + count; d < ndim; ++d) {
    src_sizes.push_back(view.sizes()[d]);
    src_strides.push_back(view.strides()[d]);
  }
  ai.src = view.as_strided_view(src_sizes, src_strides, view.storage_offset());

  // Each index broadcast to the index shape, then viewed in src's dims (torch's reshape_indexer;
  // the strides of the size-1 dims follow view() as in torch, which decides the output layout).
  DimVector target(size_t(first), 1);
  for (int64_t s : shape) target.push_back(s);
  for (int64_t d = first + count; d < ndim; ++d) target.push_back(1);
  for (const Tensor& t : operands) ai.indices.push_back(cresset::view(expand(t, shape), target));
  return ai;
}

Tensor advanced_get(const Tensor& view, const std::vector<TensorSlot>& slots) {
  std::vector<char> trusted;
  std::vector<Tensor> per_dim = expand_slots(view, slots, trusted);
  AdvancedIndex ai = make_advanced_index(view, std::move(per_dim), std::move(trusted));
  TensorIterConfig cfg("index");
  cfg.add_output(Tensor()).add_input(ai.src).promote_inputs(false).output_dtype(view.dtype());
  for (const Tensor& t : ai.indices) cfg.add_input(t);
  TensorIter it = cfg.build();
  if (it.numel() > 0) CRESSET_INDEX_KERNEL(view.device(), index_kernel, it, ai.dims);
  return it.release_output();
}

// torch's canDispatchToMaskedFill: one bool mask and a one-element CPU value is a masked_fill.
bool try_masked_fill_put(const Tensor& view, const std::vector<TensorSlot>& slots,
                         const Tensor& values) {
  if (slots.size() != 1 || !is_mask(slots[0].index) || values.numel() != 1 ||
      !values.device().is_cpu()) {
    return false;
  }
  Tensor mask = slots[0].index;
  const int64_t pos = slots[0].dim;
  CRESSET_CHECK(pos + mask.dim() <= view.dim(), IndexError,
                "[index_put_] too many indices for tensor of dimension ", view.dim());
  for (int64_t j = 0; j < mask.dim(); ++j) {
    CRESSET_CHECK(mask.sizes()[j] == view.sizes()[pos + j], IndexError,
                  "[index_put_] The shape of the mask ", shape_str(mask.sizes()), " at index ", j,
                  " does not match the shape of the indexed tensor ", shape_str(view.sizes()),
                  " at index ", pos + j);
  }
  if (mask.dtype() != DType::Bool) mask = cast_tensor(mask, DType::Bool);
  while (mask.dim() < view.dim() - pos) mask = unsqueeze(mask, mask.dim());
  masked_fill_into(view, mask, item_scalar(values));
  return true;
}

// index_put_ on the view of recorded slots (no version bump: the caller does it once).
void advanced_put(const Tensor& view, const std::vector<TensorSlot>& slots, const Tensor& values,
                  bool accumulate) {
  if (!accumulate && try_masked_fill_put(view, slots, values)) return;
  std::vector<char> trusted;
  std::vector<Tensor> per_dim = expand_slots(view, slots, trusted);
  AdvancedIndex ai = make_advanced_index(view, std::move(per_dim), std::move(trusted));
  const DimVector& target = ai.src.sizes();
  bool expandable = values.dim() <= int64_t(target.size());
  for (int64_t d = 0; expandable && d < values.dim(); ++d) {
    int64_t s = values.sizes()[d];
    expandable = s == 1 || s == target[target.size() - values.dim() + d];
  }
  CRESSET_CHECK(expandable, RuntimeError, "[index_put_] shape mismatch: value tensor of shape ",
                shape_str(values.sizes()), " cannot be broadcast to indexing result of shape ",
                shape_str(target));
  CRESSET_CHECK(values.dtype() == view.dtype(), RuntimeError,
                "[index_put_] Index put requires the source and destination dtypes match, got ",
                dtype_display(view.dtype()), " for the destination and ",
                dtype_display(values.dtype()), " for the source.");
  check_no_overlap(view, values, "index_put_");
  for (const Tensor& t : ai.indices) check_no_overlap(view, t, "index_put_");
  TensorIterConfig cfg("index_put_");
  cfg.add_input(ai.src).add_input(values).promote_inputs(false);
  for (const Tensor& t : ai.indices) cfg.add_input(t);
  TensorIter it = cfg.build();
  if (it.numel() > 0)
    CRESSET_INDEX_KERNEL(view.device(), index_put_kernel, it, ai.dims, accumulate);
}

// Drops leading size-1 dims (torch's slicePrefix1sSize): x[i] = v accepts v of shape (1, 1, n).
Tensor strip_leading_ones(const Tensor& t) {
  int64_t lead = 0;
  while (lead < t.dim() && t.sizes()[lead] == 1) ++lead;
  if (lead == 0) return t;
  DimVector sizes(t.sizes().data() + lead, size_t(t.dim() - lead));
  DimVector strides(t.strides().data() + lead, size_t(t.dim() - lead));
  return t.as_strided_view(sizes, strides, t.storage_offset());
}

// torch's copy_to: a basic-indexing assignment, with value broadcast and cast.
void copy_to(const Tensor& dst, const Tensor& src) {
  if (dst.sizes() == src.sizes()) {
    check_no_overlap(dst, src, "copy_", /*allow_same_layout=*/true);
    copy_into(dst, src);
    return;
  }
  Tensor expanded = expand(strip_leading_ones(src), dst.sizes());
  check_no_overlap(dst, src, "copy_", /*allow_same_layout=*/true);
  copy_into(dst, expanded);
}

// The slots of an aten::index argument list: a mask covers as many dims as it has.
std::vector<TensorSlot> slots_of(const Tensor& self, const std::vector<Tensor>& indices,
                                 const char* op) {
  CRESSET_CHECK(int64_t(indices.size()) <= self.dim(), IndexError, "[", op,
                "] too many indices for tensor of dimension ", self.dim(), " (got ", indices.size(),
                ")");
  std::vector<TensorSlot> slots;
  int64_t pos = 0;
  for (const Tensor& t : indices) {
    if (t.defined()) slots.push_back({pos, t, false});
    pos += t.defined() && is_mask(t) ? t.dim() : 1;
  }
  return slots;
}

// The aten::index argument list of `slots`: undefined entries keep whole dims, a mask covers as
// many dims as it has (slots_of turns it back into the same slots).
autograd::TensorList index_list(const std::vector<TensorSlot>& slots) {
  autograd::TensorList list;
  int64_t pos = 0;
  for (const TensorSlot& slot : slots) {
    for (; pos < slot.dim; ++pos) list.emplace_back();
    list.push_back(slot.index);
    pos += is_mask(slot.index) ? slot.index.dim() : 1;
  }
  return list;
}

// The saved index list of an IndexBackward0 / IndexPutBackward0 node.
std::vector<Tensor> saved_list(const autograd::Ctx& c, size_t n) {
  std::vector<Tensor> list(n);
  for (size_t i = 0; i < n; ++i) list[i] = c.saved(i);
  return list;
}

// self[slots] (advanced indexing), recorded as IndexBackward0: the gradient is scattered back
// with accumulation, so duplicate indices add up.
Tensor index_slots(const Tensor& self, const std::vector<TensorSlot>& slots) {
  Tensor result = without_grad([&] { return advanced_get(self, slots); });
  if (autograd::needs_grad({self})) {
    autograd::TensorList list = index_list(slots);
    const size_t n = list.size();
    DimVector shape = self.sizes();
    autograd::record("IndexBackward0", {self}, {result}, list,
                     [n, shape](const autograd::Ctx& c) -> autograd::TensorList {
                       const Tensor& g = c.grad();
                       return {index_put_(zeros(shape, g.dtype(), g.device()), saved_list(c, n), g,
                                          /*accumulate=*/true)};
                     });
  }
  return result;
}

// Records result = index_put(self, indices, value, accumulate) as IndexPutBackward0.
void record_index_put(const Tensor& self, const Tensor& result, const autograd::TensorList& indices,
                      const Tensor& value, bool accumulate) {
  const size_t n = indices.size();
  DimVector value_shape = value.sizes();
  autograd::record(
      "IndexPutBackward0", {self, value}, {result}, indices,
      [n, value_shape, accumulate](const autograd::Ctx& c) -> autograd::TensorList {
        const Tensor& g = c.grad();
        std::vector<Tensor> list = saved_list(c, n);
        Tensor self_grad, value_grad;
        if (c.needs_input_grad(0)) {
          self_grad = accumulate ? g : index_put(g, list, zeros({}, g.dtype(), g.device()), false);
        }
        if (c.needs_input_grad(1)) value_grad = reduce_to_value(index(g, list), value_shape);
        return {self_grad, value_grad};
      });
}

// view[slots] = values (or += with accumulate), recorded over `value`, the tensor the caller got
// (values may be it with leading 1s dropped). Bumps the version.
void put_slots(const Tensor& view, const std::vector<TensorSlot>& slots, const Tensor& values,
               const Tensor& value, bool accumulate) {
  const bool grad = inplace_needs_grad(view, {value});
  without_grad([&] {
    if (slots.empty()) {
      copy_to(view, values);
    } else {
      advanced_put(view, slots, values, accumulate);
    }
  });
  view.bump_version();
  if (grad) record_index_put(view, view, index_list(slots), value, accumulate);
}

// Records dst = value (already written): torch's copy_ (CopyBackwards) or, for setitem of a 0-dim
// CPU value into a dst of another shape, its fill_ (FillBackward3).
void record_assign(const Tensor& dst, const Tensor& value, bool fill) {
  DimVector value_shape = value.sizes();
  autograd::record(fill ? "FillBackward3" : "torch::autograd::CopyBackwards", {dst, value}, {dst},
                   {}, [fill, value_shape](const autograd::Ctx& c) -> autograd::TensorList {
                     const Tensor& g = c.grad();
                     Tensor dst_grad, value_grad;
                     if (c.needs_input_grad(0)) dst_grad = zeros(g.sizes(), g.dtype(), g.device());
                     if (c.needs_input_grad(1)) {
                       value_grad = fill ? sum(g) : reduce_to_value(g, value_shape);
                     }
                     return {dst_grad, value_grad};
                   });
}

// A basic-indexing assignment dst = value, as torch's setitem does it. Bumps the version. Like
// torch's copy_, nothing is recorded into a dst that can't require grad (integers, bool).
void assign(const Tensor& dst, const Tensor& value) {
  dst.check_inplace_allowed();
  const bool grad = inplace_needs_grad(dst, {value}) && is_floating(dst.dtype());
  without_grad([&] { copy_to(dst, value); });
  dst.bump_version("copy_");
  if (grad) {
    record_assign(dst, value,
                  dst.sizes() != value.sizes() && value.dim() == 0 && value.device().is_cpu());
  }
}

}  // namespace

Tensor copy_(const Tensor& self, const Tensor& src) {
  self.check_inplace_allowed();
  const bool grad = inplace_needs_grad(self, {src}) && is_floating(self.dtype());
  without_grad([&] { copy_to(self, src); });
  self.bump_version("copy_");
  if (grad) record_assign(self, src, false);
  return self;
}

Tensor get_item(const Tensor& self, const std::vector<TensorIndex>& indices) {
  Sliced s = apply_slicing(self, indices, /*slice_lone=*/true);
  if (!s.tensors.empty()) return index_slots(s.view, s.tensors);
  return s.view.is_same(self) ? alias(self) : s.view;
}

void set_item(const Tensor& self, const std::vector<TensorIndex>& indices, const Tensor& value) {
  // A lone Python bool is torch's shortcut: False writes nothing, True copies into x[None].
  if (indices.size() == 1 && indices[0].kind() == TensorIndex::Kind::Bool) {
    if (indices[0].boolean()) assign(unsqueeze(self, 0), value);
    return;
  }
  Sliced s = apply_slicing(self, indices, /*slice_lone=*/false);
  if (s.tensors.empty()) {
    assign(s.view, value);
  } else {
    put_slots(s.view, s.tensors, strip_leading_ones(value), value, /*accumulate=*/false);
  }
}

void set_item(const Tensor& self, const std::vector<TensorIndex>& indices, Scalar value) {
  // torch converts the number without the overflow check for the 16-bit floats here.
  set_item(self, indices,
           checked_scalar_tensor(value, self.dtype(), self.device(), /*check_16bit=*/false));
}

Tensor index(const Tensor& self, const std::vector<Tensor>& indices) {
  std::vector<TensorSlot> slots = slots_of(self, indices, "index");
  if (slots.empty()) return clone(self, MemoryFormat::Contiguous);
  return index_slots(self, slots);
}

Tensor index_put_(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& values,
                  bool accumulate) {
  put_slots(self, slots_of(self, indices, "index_put_"), values, values, accumulate);
  return self;
}

Tensor index_put(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& values,
                 bool accumulate) {
  Tensor result =
      without_grad([&] { return index_put_(clone(self), indices, values, accumulate); });
  if (autograd::needs_grad({self, values})) {
    record_index_put(self, result, autograd::TensorList(indices), values, accumulate);
  }
  return result;
}

}  // namespace cresset
