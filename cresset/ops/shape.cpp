// Shape ops that copy: cat and the stacks, flip, roll, rot90, repeat, repeat_interleave, diag,
// tril/triu. Most are written as copies between views (copy_into handles dtype, device and
// strides); tril/triu and repeat_interleave's gather have their own kernels
// (backend/cpu/view_copy).
//
// Autograd: each op records one node named like torch's. Ops written as compositions of other
// ops (roll, rot90, repeat, diag ...) run their forward with grad mode off so that only that node
// is recorded.
#include <algorithm>
#include <cstdlib>

#include "cresset/autograd/function.h"
#include "cresset/backend/common/tensor_iter.h"
#include "cresset/backend/copy.h"
#include "cresset/backend/cpu/view_copy.h"
#include "cresset/backend/cuda/api.h"
#include "cresset/core/error.h"
#include "cresset/ops/creation.h"
#include "cresset/ops/index.h"
#include "cresset/ops/out.h"
#include "cresset/ops/reduce.h"
#include "cresset/ops/view.h"
#include "cresset/ops/view_autograd.h"

namespace cresset {

namespace {

// torch's cat_should_skip_tensor: legacy code concatenated 1-D empty tensors with anything.
bool cat_skips(const Tensor& t) { return t.dim() == 1 && t.sizes()[0] == 0; }

// cat's output layout: the inputs' memory format when they all agree, else contiguous.
MemoryFormat cat_memory_format(const std::vector<Tensor>& tensors) {
  MemoryFormat format = MemoryFormat::Contiguous;
  for (size_t i = 0; i < tensors.size(); ++i) {
    MemoryFormat f = suggest_memory_format(tensors[i]);
    if (f == MemoryFormat::Contiguous || (i > 0 && f != format)) return MemoryFormat::Contiguous;
    format = f;
  }
  return format;
}

void check_same_device(const std::vector<Tensor>& tensors, const char* op) {
  for (const Tensor& t : tensors) {
    CRESSET_CHECK(t.device() == tensors[0].device(), RuntimeError, op,
                  ": Expected all tensors to be on the same device, but found at least two "
                  "devices, ", tensors[0].device().str(), " and ", t.device().str(), "!");
  }
}

// Validates cat's inputs and returns the output shape, or an empty optional when every input is
// skipped. `dim` is wrapped in place.
std::optional<DimVector> cat_shape(const std::vector<Tensor>& tensors, int64_t& dim) {
  CRESSET_CHECK(!tensors.empty(), ValueError, "torch.cat(): expected a non-empty list of Tensors");
  for (size_t i = 0; i < tensors.size(); ++i) {
    CRESSET_CHECK(tensors[i].dim() > 0, RuntimeError, "zero-dimensional tensor (at position ", i,
                  ") cannot be concatenated");
  }
  check_same_device(tensors, "torch.cat()");
  const Tensor* first = nullptr;
  for (const Tensor& t : tensors) {
    if (!cat_skips(t)) {
      first = &t;
      break;
    }
  }
  if (!first) return std::nullopt;
  dim = wrap_dim(dim, first->dim());
  DimVector shape = first->sizes();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (cat_skips(t)) continue;
    CRESSET_CHECK(t.dim() == first->dim(), RuntimeError,
                  "Tensors must have same number of dimensions: got ", first->dim(), " and ",
                  t.dim());
    for (int64_t d = 0; d < t.dim(); ++d) {
      CRESSET_CHECK(d == dim || t.sizes()[d] == shape[d], RuntimeError,
                    "Sizes of tensors must match except in dimension ", dim, ". Expected size ",
                    shape[d], " but got size ", t.sizes()[d], " for tensor number ", i,
                    " in the list.");
    }
    total += t.sizes()[dim];
  }
  shape[dim] = total;
  return shape;
}

// Copies every non-skipped input into its slice of `out` along dim.
void cat_fill(const std::vector<Tensor>& tensors, int64_t dim, const Tensor& out) {
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    if (cat_skips(t)) continue;
    int64_t n = t.sizes()[dim];
    copy_into(narrow(out, dim, offset, n), t);
    offset += n;
  }
}

// cat's and stack's out= dtype error: a TypeError, unlike the general out= rule's.
void check_cat_out_dtype(DType dtype, const Tensor& out) {
  CRESSET_CHECK(can_cast(dtype, out.dtype()), TypeError,
                "torch.cat(): input types can't be cast to the desired output type ",
                dtype_display(out.dtype()));
}

// Records `out` = op(self) whose backward is `backward` (when self needs grad).
template <typename Backward>
void record_unary(const char* name, const Tensor& self, const Tensor& out, Backward backward) {
  if (!autograd::needs_grad({self})) return;
  autograd::record(name, {self}, {out}, {},
                   [backward = std::move(backward)](const autograd::Ctx& c) -> autograd::TensorList {
                     return {backward(c.grad())};
                   });
}

// Records cat's node: each input's gradient is its slice of the output's (dim already wrapped;
// skipped 1-D empty inputs get empty gradients).
void record_cat(const std::vector<Tensor>& tensors, int64_t dim, const Tensor& out) {
  DimVector lengths;  // -1 for a skipped input
  for (const Tensor& t : tensors) lengths.push_back(cat_skips(t) ? -1 : t.sizes()[dim]);
  autograd::record("CatBackward0", tensors, {out}, {},
                   [dim, lengths](const autograd::Ctx& c) -> autograd::TensorList {
                     const Tensor& g = c.grad();
                     autograd::TensorList grads;
                     int64_t offset = 0;
                     for (size_t i = 0; i < lengths.size(); ++i) {
                       if (lengths[i] < 0) {
                         grads.push_back(zeros({0}, g.dtype(), g.device()));
                         continue;
                       }
                       grads.push_back(c.needs_input_grad(i) ? narrow(g, dim, offset, lengths[i])
                                                             : Tensor());
                       offset += lengths[i];
                     }
                     return grads;
                   });
}

std::vector<Tensor> atleast_all(const std::vector<Tensor>& tensors, int n, const char* op) {
  CRESSET_CHECK(!tensors.empty(), RuntimeError, op, " expects a non-empty TensorList");
  std::vector<Tensor> out;
  for (const Tensor& t : tensors) out.push_back(atleast_nd(t, n));
  return out;
}

Tensor cat_maybe_out(const std::vector<Tensor>& tensors, int64_t dim, const Tensor& out) {
  return out.defined() ? cat_out(tensors, dim, out) : cat(tensors, dim);
}

// Copies `in` into `out` (same shape) with each listed dim rotated so that entry `start` of `in`
// lands at entry 0 of `out`: at most two block copies per dim.
void roll_copy(const Tensor& out, const Tensor& in,
               const std::vector<std::pair<int64_t, int64_t>>& starts, size_t k) {
  if (k == starts.size()) {
    copy_into(out, in);
    return;
  }
  auto [d, start] = starts[k];
  int64_t size = in.sizes()[d];
  if (start == 0) {
    roll_copy(out, in, starts, k + 1);
    return;
  }
  roll_copy(narrow(out, d, 0, size - start), narrow(in, d, start, size - start), starts, k + 1);
  roll_copy(narrow(out, d, size - start, start), narrow(in, d, 0, start), starts, k + 1);
}

// The values of an int32/int64 tensor as int64 (repeat_interleave's repeats).
std::vector<int64_t> int_values(const Tensor& t, const char* op) {
  CRESSET_CHECK(t.dtype() == DType::Int32 || t.dtype() == DType::Int64, NotImplementedError,
                "\"", op, "\" not implemented for '", dtype_display(t.dtype()), "'");
  Tensor host = empty_tensor(t.sizes(), DType::Int64);
  copy_into(host, t);
  const int64_t* p = host.data<int64_t>();
  return std::vector<int64_t>(p, p + host.numel());
}

Tensor tril_triu_into(const Tensor& out, const Tensor& self, int64_t diagonal, bool lower) {
  if (self.device().is_cpu()) {
    cpu::tril_triu(out, self, diagonal, lower);
  } else {
    cuda::tril_triu(out, self, diagonal, lower);
  }
  return out;
}

void check_tril_dims(const Tensor& self, bool lower) {
  CRESSET_CHECK(self.dim() >= 2, RuntimeError, lower ? "tril" : "triu",
                ": input tensor must have at least 2 dimensions");
}

void record_tril_triu(const Tensor& self, const Tensor& out, int64_t diagonal, bool lower) {
  record_unary(lower ? "TrilBackward0" : "TriuBackward0", self, out,
               [diagonal, lower](const Tensor& g) {
                 return lower ? tril(g, diagonal) : triu(g, diagonal);
               });
}

Tensor tril_triu(const Tensor& self, int64_t diagonal, bool lower) {
  check_tril_dims(self, lower);
  Tensor out = tril_triu_into(empty_tensor(self.sizes(), self.dtype(), self.device()), self,
                              diagonal, lower);
  record_tril_triu(self, out, diagonal, lower);
  return out;
}

Tensor tril_triu_(const Tensor& self, int64_t diagonal, bool lower) {
  check_tril_dims(self, lower);
  if (autograd::needs_grad({self})) autograd::check_inplace(self);
  tril_triu_into(self, self, diagonal, lower);
  self.bump_version(lower ? "tril_" : "triu_");
  record_tril_triu(self, self, diagonal, lower);
  return self;
}

Tensor tril_triu_out(const Tensor& self, int64_t diagonal, bool lower, const Tensor& out) {
  const char* op = lower ? "tril" : "triu";
  check_out_grad(op, autograd::needs_grad({self}));
  check_tril_dims(self, lower);
  check_out(op, out, self.sizes(), self.dtype(), self.device(), OutDtype::Exact);
  tril_triu_into(out, self, diagonal, lower);
  out.bump_version();
  return out;
}

}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  std::optional<DimVector> shape = cat_shape(tensors, dim);
  DType dtype = result_type(tensors);
  Tensor out;
  if (shape) {
    out = empty_format(*shape, cat_memory_format(tensors), dtype, tensors[0].device());
    cat_fill(tensors, dim, out);
  } else {
    out = empty_tensor({0}, dtype, tensors[0].device());
  }
  if (autograd::needs_grad(tensors)) record_cat(tensors, dim, out);
  return out;
}

Tensor cat_out(const std::vector<Tensor>& tensors, int64_t dim, const Tensor& out) {
  std::optional<DimVector> shape = cat_shape(tensors, dim);
  check_out_grad("cat", autograd::needs_grad(tensors));
  DType dtype = result_type(tensors);
  check_cat_out_dtype(dtype, out);
  check_out("cat", out, shape.value_or(DimVector{0}), dtype, tensors[0].device());
  if (shape) cat_fill(tensors, dim, out);
  out.bump_version();
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  return stack_out(tensors, dim, Tensor());
}

Tensor stack_out(const std::vector<Tensor>& tensors, int64_t dim, const Tensor& out) {
  CRESSET_CHECK(!tensors.empty(), RuntimeError, "stack expects a non-empty TensorList");
  int64_t d = wrap_dim(dim, tensors[0].dim() + 1);
  for (size_t i = 1; i < tensors.size(); ++i) {
    CRESSET_CHECK(tensors[i].sizes() == tensors[0].sizes(), RuntimeError,
                  "stack expects each tensor to be equal size, but got ",
                  shape_str(tensors[0].sizes()), " at entry 0 and ", shape_str(tensors[i].sizes()),
                  " at entry ", i);
  }
  check_same_device(tensors, "stack");
  DimVector shape = tensors[0].sizes();
  shape.insert(size_t(d), int64_t(tensors.size()));
  DType dtype = result_type(tensors);
  Tensor result = out;
  if (out.defined()) {
    check_out_grad("stack", autograd::needs_grad(tensors));
    check_cat_out_dtype(dtype, out);
    check_out("stack", out, shape, dtype, tensors[0].device());
    out.bump_version();
  } else {
    result = empty_tensor(shape, dtype, tensors[0].device());
  }
  for (size_t i = 0; i < tensors.size(); ++i) copy_into(select(result, d, int64_t(i)), tensors[i]);
  if (!out.defined() && autograd::needs_grad(tensors)) {
    autograd::record("StackBackward0", tensors, {result}, {},
                     [d, n = tensors.size()](const autograd::Ctx& c) -> autograd::TensorList {
                       autograd::TensorList grads;
                       for (size_t i = 0; i < n; ++i) {
                         grads.push_back(c.needs_input_grad(i) ? select(c.grad(), d, int64_t(i))
                                                               : Tensor());
                       }
                       return grads;
                     });
  }
  return result;
}

Tensor hstack(const std::vector<Tensor>& tensors, const Tensor& out) {
  std::vector<Tensor> rep = atleast_all(tensors, 1, "hstack");
  return cat_maybe_out(rep, rep[0].dim() == 1 ? 0 : 1, out);
}

Tensor vstack(const std::vector<Tensor>& tensors, const Tensor& out) {
  return cat_maybe_out(atleast_all(tensors, 2, "vstack"), 0, out);
}

Tensor dstack(const std::vector<Tensor>& tensors, const Tensor& out) {
  return cat_maybe_out(atleast_all(tensors, 3, "dstack"), 2, out);
}

Tensor column_stack(const std::vector<Tensor>& tensors, const Tensor& out) {
  CRESSET_CHECK(!tensors.empty(), RuntimeError, "column_stack expects a non-empty TensorList");
  std::vector<Tensor> cols;
  for (const Tensor& t : tensors) cols.push_back(t.dim() <= 1 ? reshape(t, {t.numel(), 1}) : t);
  return hstack(cols, out);
}

Tensor flip(const Tensor& self, const DimVector& dims) {
  std::vector<bool> flipped(size_t(std::max<int64_t>(self.dim(), 1)), false);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, self.dim());
    CRESSET_CHECK(!flipped[w], RuntimeError, "dim ", w,
                  " appears multiple times in the list of dims");
    flipped[w] = true;
  }
  Tensor out = empty_like_format(self, MemoryFormat::Preserve);
  if (self.numel() > 0) {
    // Read through a view with negated strides: the copy then writes entries in reverse order.
    DimVector strides = self.strides();
    int64_t offset = self.storage_offset();
    for (int64_t d = 0; d < self.dim(); ++d) {
      if (!flipped[d]) continue;
      offset += (self.sizes()[d] - 1) * strides[d];
      strides[d] = -strides[d];
    }
    copy_into(out, self.as_strided_view(self.sizes(), strides, offset));
  }
  record_unary("FlipBackward0", self, out, [dims](const Tensor& g) { return flip(g, dims); });
  return out;
}

Tensor fliplr(const Tensor& self) {
  CRESSET_CHECK(self.dim() >= 2, RuntimeError, "Input must be >= 2-d.");
  return flip(self, {1});
}

Tensor flipud(const Tensor& self) {
  CRESSET_CHECK(self.dim() >= 1, RuntimeError, "Input must be >= 1-d.");
  return flip(self, {0});
}

namespace {

Tensor roll_impl(const Tensor& self, const DimVector& shifts, const DimVector& dims) {
  CRESSET_CHECK(!shifts.empty(), RuntimeError, "`shifts` required");
  if (dims.empty() && shifts.size() == 1) {
    return view(roll_impl(view(contiguous(self), {self.numel()}), shifts, {0}), self.sizes());
  }
  CRESSET_CHECK(shifts.size() == dims.size(), RuntimeError,
                "shifts and dimensions must align. shifts: ", shifts.size(),
                ", dims:", dims.size());
  if (self.numel() == 0) return clone(self, MemoryFormat::Preserve);
  // Shifts of a repeated dim add up; each rolled dim then takes at most two block copies.
  DimVector total(size_t(self.dim()), 0);
  std::vector<bool> rolled(size_t(self.dim()), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = wrap_dim_strict(dims[i], self.dim());
    total[d] += shifts[i];
    rolled[d] = true;
  }
  std::vector<std::pair<int64_t, int64_t>> starts;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (!rolled[d]) continue;
    int64_t size = self.sizes()[d];
    int64_t start = ((size - total[d]) % size + size) % size;
    starts.emplace_back(d, start);
  }
  Tensor out = empty_tensor(self.sizes(), self.dtype(), self.device());
  roll_copy(out, self, starts, 0);
  return out;
}

}  // namespace

Tensor roll(const Tensor& self, const DimVector& shifts, const DimVector& dims) {
  bool grad = autograd::needs_grad({self});
  Tensor out;
  {
    autograd::AutoGradMode off(false);
    out = roll_impl(self, shifts, dims);
  }
  if (grad) {
    DimVector back;
    for (int64_t s : shifts) back.push_back(-s);
    record_unary("RollBackward0", self, out, [back, dims](const Tensor& g) {
      return roll(g, back, dims);
    });
  }
  return out;
}

Tensor rot90(const Tensor& self, int64_t k, const DimVector& dims) {
  CRESSET_CHECK(dims.size() == 2, RuntimeError,
                "expected total rotation dims == 2, but got dims = ", dims.size());
  CRESSET_CHECK(self.dim() >= 2, RuntimeError, "expected total dims >= 2, but got total dims = ",
                self.dim());
  int64_t d0 = wrap_dim(dims[0], self.dim()), d1 = wrap_dim(dims[1], self.dim());
  CRESSET_CHECK(d0 != d1, RuntimeError, "expected rotation dims to be different, but got dim0 = ",
                dims[0], " and dim1 = ", dims[1]);
  bool grad = autograd::needs_grad({self});
  Tensor out;
  {
    autograd::AutoGradMode off(false);
    switch (((k % 4) + 4) % 4) {
      case 1:
        out = transpose_(flip(self, {d1}), d0, d1);
        break;
      case 2:
        out = flip(self, {d0, d1});
        break;
      case 3:
        out = transpose_(flip(self, {d0}), d0, d1);
        break;
      default:
        out = clone(self, MemoryFormat::Contiguous);
    }
  }
  if (grad) {
    record_unary("Rot90Backward0", self, out, [k, dims](const Tensor& g) {
      return rot90(g, -k, dims);
    });
  }
  return out;
}

Tensor repeat(const Tensor& self, const DimVector& repeats) {
  int64_t nd = int64_t(repeats.size());
  CRESSET_CHECK(nd >= self.dim(), RuntimeError, "Number of dimensions of repeat dims can not be "
                "smaller than number of dimensions of tensor");
  DimVector padded(size_t(nd - self.dim()), 1);
  for (int64_t s : self.sizes()) padded.push_back(s);
  DimVector target(static_cast<size_t>(nd));
  for (int64_t i = 0; i < nd; ++i) target[i] = padded[i] * repeats[i];
  Tensor out = empty_tensor(target, self.dtype(), self.device());
  if (autograd::needs_grad({self})) {
    // out viewed as [r0, s0, r1, s1, ...]: self's gradient sums over the r dims.
    DimVector split, rdims;
    for (int64_t i = 0; i < nd; ++i) {
      split.push_back(repeats[i]);
      split.push_back(padded[i]);
      rdims.push_back(2 * i);
    }
    record_unary("RepeatBackward0", self, out, [split, rdims, sizes = self.sizes()](const Tensor& g) {
      Tensor r = rdims.empty() ? g : sum(reshape(g, split), rdims);
      return reshape(r, sizes);
    });
  }
  if (out.numel() == 0) return out;
  // View out as [r0, s0, r1, s1, ...] and copy self, broadcast over the r dims, into it.
  Tensor src = expand(detach(self), padded);
  DimVector vsizes, vstrides, ssizes, sstrides;
  for (int64_t i = 0; i < nd; ++i) {
    vsizes.push_back(repeats[i]);
    vstrides.push_back(padded[i] * out.strides()[i]);
    vsizes.push_back(padded[i]);
    vstrides.push_back(out.strides()[i]);
    ssizes.push_back(repeats[i]);
    sstrides.push_back(0);
    ssizes.push_back(padded[i]);
    sstrides.push_back(src.strides()[i]);
  }
  copy_into(out.as_strided_view(vsizes, vstrides, 0),
            src.as_strided_view(ssizes, sstrides, src.storage_offset()));
  return out;
}

Tensor tile(const Tensor& self, const DimVector& dims) {
  DimVector reps(size_t(std::max<int64_t>(self.dim() - int64_t(dims.size()), 0)), 1);
  for (int64_t r : dims) reps.push_back(r);
  return repeat(self, reps);
}

Tensor repeat_interleave(const Tensor& self, int64_t repeats, std::optional<int64_t> dim,
                         std::optional<int64_t> output_size) {
  Tensor input = dim ? self : flatten(self);
  int64_t d = wrap_dim(dim.value_or(0), self.dim());
  CRESSET_CHECK(repeats >= 0, RuntimeError, "Repeats must be non-negative");
  input = unsqueeze(input, d + 1);
  DimVector shape = input.sizes();
  shape[d + 1] = repeats;
  input = expand(input, shape);
  if (output_size) {
    int64_t expected = repeats * shape[d];
    CRESSET_CHECK(*output_size == expected, RuntimeError,
                  "repeat_interleave: Invalid output_size, expected ", expected, " but got ",
                  *output_size);
  }
  return flatten(clone(input, MemoryFormat::Contiguous), d, d + 1);
}

Tensor repeat_interleave_indices(const Tensor& repeats, std::optional<int64_t> output_size) {
  CRESSET_CHECK(repeats.dim() == 1, RuntimeError,
                "repeat_interleave only accept 1D vector as repeat");
  std::vector<int64_t> reps = int_values(repeats, "repeat_interleave_cpu");
  if (reps.empty()) return empty_tensor({0}, repeats.dtype(), repeats.device());
  int64_t total = 0;
  for (int64_t r : reps) total += r;
  CRESSET_CHECK(!output_size || *output_size == total, RuntimeError,
                "allocated size does not match required size");
  for (int64_t r : reps) CRESSET_CHECK(r >= 0, RuntimeError, "repeats can not be negative");
  Tensor idx = empty_tensor({total}, DType::Int64);
  int64_t* p = idx.data<int64_t>();
  for (size_t i = 0; i < reps.size(); ++i) p = std::fill_n(p, reps[i], int64_t(i));
  if (repeats.dtype() == DType::Int64 && repeats.device().is_cpu()) return idx;
  Tensor out = empty_tensor({total}, repeats.dtype(), repeats.device());
  copy_into(out, idx);
  return out;
}

Tensor repeat_interleave(const Tensor& self, const Tensor& repeats, std::optional<int64_t> dim,
                         std::optional<int64_t> output_size) {
  Tensor input = dim ? self : flatten(self);
  int64_t d = wrap_dim_strict(dim.value_or(0), input.dim());
  int64_t size = input.sizes()[d];
  Tensor reps = repeats;
  if (repeats.dim() == 0 || (repeats.dim() == 1 && repeats.sizes()[0] == 1)) {
    reps = expand(reshape(repeats, {1}), {size});
  } else {
    CRESSET_CHECK(repeats.dim() == 1, RuntimeError, "repeats must be 0-dim or 1-dim tensor");
    CRESSET_CHECK(repeats.sizes()[0] == size, RuntimeError,
                  "repeats must have the same size as input along dim, but got repeats.size(0) = ",
                  repeats.sizes()[0], " and input.size(", d, ") = ", size);
  }
  Tensor index = repeat_interleave_indices(reps, output_size);
  // Gather whole slices of a contiguous input: out[..., j, ...] = input[..., index[j], ...].
  Tensor src = contiguous(detach(input));
  DimVector shape = src.sizes();
  shape[d] = index.numel();
  Tensor out = empty_tensor(shape, self.dtype(), self.device());
  Tensor idx64 = index;
  if (index.dtype() != DType::Int64 || index.device() != self.device()) {
    idx64 = empty_tensor(index.sizes(), DType::Int64, self.device());
    copy_into(idx64, index);
  }
  if (self.device().is_cpu()) {
    cpu::gather_slices(out, src, d, idx64);
  } else {
    cuda::gather_slices(out, src, d, idx64);
  }
  record_unary("IndexSelectBackward0", input, out, [d, idx64, sizes = input.sizes()](const Tensor& g) {
    return index_add(zeros(sizes, g.dtype(), g.device()), d, idx64, g);
  });
  return out;
}

Tensor diag(const Tensor& self, int64_t diagonal) {
  CRESSET_CHECK(self.dim() == 1 || self.dim() == 2, RuntimeError,
                "diag(): Supports 1D or 2D tensors. Got ", self.dim(), "D");
  if (self.dim() == 2) {
    Tensor out = clone(cresset::diagonal(detach(self), diagonal), MemoryFormat::Contiguous);
    record_unary("DiagonalBackward0_copy", self, out, [diagonal, sizes = self.sizes()](const Tensor& g) {
      return diagonal_backward(g, sizes, diagonal, 0, 1);
    });
    return out;
  }
  int64_t n = self.sizes()[0] + std::abs(diagonal);
  Tensor out = zeros({n, n}, self.dtype(), self.device());
  copy_into(cresset::diagonal(out, diagonal), self);
  record_unary("DiagEmbedBackward0", self, out, [diagonal](const Tensor& g) {
    return cresset::diagonal(g, diagonal, 0, 1);
  });
  return out;
}

Tensor diag_embed(const Tensor& self, int64_t offset, int64_t dim1, int64_t dim2) {
  int64_t nd = self.dim() + 1;
  int64_t d1 = wrap_dim(dim1, nd), d2 = wrap_dim(dim2, nd);
  CRESSET_CHECK(d1 != d2, RuntimeError, "diagonal dimensions cannot be identical ", dim1, ", ",
                dim2);
  int64_t n = std::abs(offset) + self.size(-1);
  DimVector shape = self.sizes();
  shape.erase(shape.size() - 1);
  shape.insert(size_t(std::min(d1, d2)), n);
  shape.insert(size_t(std::max(d1, d2)), n);
  Tensor out = zeros(shape, self.dtype(), self.device());
  copy_into(diagonal(out, offset, d1, d2), self);
  record_unary("DiagEmbedBackward0", self, out, [offset, d1, d2](const Tensor& g) {
    return diagonal(g, offset, d1, d2);
  });
  return out;
}

Tensor tril(const Tensor& self, int64_t diagonal) { return tril_triu(self, diagonal, true); }
Tensor triu(const Tensor& self, int64_t diagonal) { return tril_triu(self, diagonal, false); }

Tensor tril_(const Tensor& self, int64_t diagonal) { return tril_triu_(self, diagonal, true); }
Tensor triu_(const Tensor& self, int64_t diagonal) { return tril_triu_(self, diagonal, false); }

Tensor diag_out(const Tensor& self, int64_t diagonal, const Tensor& out) {
  return write_out_recorded("diag", out, diag(self, diagonal), OutDtype::Exact);
}

Tensor tril_out(const Tensor& self, int64_t diagonal, const Tensor& out) {
  return tril_triu_out(self, diagonal, true, out);
}

Tensor triu_out(const Tensor& self, int64_t diagonal, const Tensor& out) {
  return tril_triu_out(self, diagonal, false, out);
}

}  // namespace cresset
